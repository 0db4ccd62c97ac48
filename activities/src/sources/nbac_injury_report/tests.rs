use super::*;

use lopdf::{content::Content, Document, Object};

use super::columns::COLUMNS;

const SAMPLE: &str = "../../shared/data/samples/nbac_injury_report/raw_f4391904.pdf";

fn sample() -> Vec<u8> {
    std::fs::read(SAMPLE).expect("tests read ../shared/data beside the project")
}

fn entry<'a>(entries: &'a [InjuryEntry], name: &str) -> &'a InjuryEntry {
    entries
        .iter()
        .find(|e| e.player_name == name)
        .unwrap_or_else(|| panic!("{name} not among {entries:#?}"))
}

#[test]
fn requests_name_the_report_slot() {
    let config = SourceConfig::replay("http://127.0.0.1:9/");
    let date = NaiveDate::from_ymd_opt(2024, 1, 4).unwrap();
    let r = request(&config, date, 12);
    assert_eq!(
        r.url(),
        "http://127.0.0.1:9/referee/injury/Injury-Report_2024-01-04_12PM.pdf"
    );
    assert_eq!(r.request_key, "12PM");
    assert_eq!(request(&config, date, 17).request_key, "05PM");
    assert_eq!(request(&config, date, 0).request_key, "12AM");
    assert_eq!(request(&config, date, 9).request_key, "09AM");
}

#[test]
fn the_sample_report_has_its_14_entries() {
    let report = parse_report(&sample()).unwrap();
    assert_eq!(report.entries.len(), 14, "{:#?}", report.entries);
    assert_eq!(parse(&sample()).unwrap(), report.entries);
    let names: Vec<&str> = report
        .entries
        .iter()
        .map(|e| e.player_name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Dominick Barlow",
            "Charles Bassey",
            "Malaki Branham",
            "Sidy Cissoko",
            "Zach Collins",
            "Mamadi Diakite",
            "David Duke Jr.",
            "Doug McDermott",
            "Vlatko Cancar",
            "Reggie Jackson",
            "Jalen Pickett",
            "Hunter Tyson",
            "Draymond Green",
            "Gary Payton II",
        ]
    );
    let when = NaiveDate::from_ymd_opt(2024, 1, 4)
        .unwrap()
        .and_hms_opt(12, 30, 0)
        .unwrap();
    assert_eq!(report.report_time_et, Some(when));
    assert!(report
        .entries
        .iter()
        .all(|e| e.report_time_et == Some(when) && e.game_date == "2024-01-04"));
}

#[test]
fn sample_entries_read_as_the_pdf_shows_them() {
    let entries = parse(&sample()).unwrap();

    // The first row of the report: date, time and matchup printed on the Bucks' row above.
    let barlow = entry(&entries, "Dominick Barlow");
    assert_eq!(barlow.game_date, "2024-01-04");
    assert_eq!(barlow.game_time_et, "07:30 (ET)");
    assert_eq!(barlow.matchup, "MIL@SAS");
    assert_eq!(barlow.team, "San Antonio Spurs");
    assert_eq!(barlow.status, InjuryStatus::Questionable);
    assert_eq!(barlow.reason, "G League - Two-Way");

    let bassey = entry(&entries, "Charles Bassey");
    assert_eq!(bassey.team, "San Antonio Spurs");
    assert_eq!(bassey.status, InjuryStatus::Out);
    assert_eq!(bassey.reason, "Injury/Illness - Left Acl; Tear");

    let branham = entry(&entries, "Malaki Branham");
    assert_eq!(branham.status, InjuryStatus::Doubtful);
    assert_eq!(branham.reason, "Injury/Illness - Right Ankle; Sprain");

    // A suffix in the last name, and a team carried over from six rows above.
    let duke = entry(&entries, "David Duke Jr.");
    assert_eq!(duke.team, "San Antonio Spurs");
    assert_eq!(duke.matchup, "MIL@SAS");
    assert_eq!(duke.status, InjuryStatus::Out);

    // A reason wrapped over two lines, one above and one below the name.
    let mcdermott = entry(&entries, "Doug McDermott");
    assert_eq!(mcdermott.team, "San Antonio Spurs");
    assert_eq!(mcdermott.status, InjuryStatus::Out);
    assert_eq!(
        mcdermott.reason,
        "Injury/Illness - Right Forearm; Contusion"
    );

    // A new game: the date is blank and carries over, time and matchup are new.
    let cancar = entry(&entries, "Vlatko Cancar");
    assert_eq!(cancar.game_date, "2024-01-04");
    assert_eq!(cancar.game_time_et, "10:00 (ET)");
    assert_eq!(cancar.matchup, "DEN@GSW");
    assert_eq!(cancar.team, "Denver Nuggets");
    assert_eq!(cancar.reason, "Injury/Illness - Left Knee; Surgery");

    let jackson = entry(&entries, "Reggie Jackson");
    assert_eq!(jackson.team, "Denver Nuggets");
    assert_eq!(jackson.status, InjuryStatus::Probable);
    assert_eq!(jackson.reason, "Injury/Illness - Left Calf; Tightness");

    let pickett = entry(&entries, "Jalen Pickett");
    assert_eq!(pickett.reason, "G League - On Assignment");

    // The second team of the same game.
    let green = entry(&entries, "Draymond Green");
    assert_eq!(green.team, "Golden State Warriors");
    assert_eq!(green.matchup, "DEN@GSW");
    assert_eq!(green.status, InjuryStatus::Out);
    assert_eq!(green.reason, "League Suspension");

    let payton = entry(&entries, "Gary Payton II");
    assert_eq!(payton.team, "Golden State Warriors");
    assert_eq!(payton.reason, "Injury/Illness - Left Hamstring; Strain");
}

#[test]
fn sample_status_counts() {
    let entries = parse(&sample()).unwrap();
    let count = |s: InjuryStatus| entries.iter().filter(|e| e.status == s).count();
    assert_eq!(count(InjuryStatus::Out), 10);
    assert_eq!(count(InjuryStatus::Questionable), 2);
    assert_eq!(count(InjuryStatus::Doubtful), 1);
    assert_eq!(count(InjuryStatus::Probable), 1);
    assert_eq!(count(InjuryStatus::Available), 0);
    assert!(entries.iter().all(|e| !e.reason.is_empty()));
}

#[test]
fn teams_not_yet_submitted_are_listed_apart() {
    let report = parse_report(&sample()).unwrap();
    // 16 games; all teams but the Spurs, Nuggets and Warriors say NOT YET SUBMITTED.
    assert_eq!(
        report.pending_teams.len(),
        29,
        "{:#?}",
        report.pending_teams
    );
    assert_eq!(
        report.pending_teams[0],
        PendingTeam {
            game_date: "2024-01-04".into(),
            game_time_et: "07:30 (ET)".into(),
            matchup: "MIL@SAS".into(),
            team: "Milwaukee Bucks".into(),
        }
    );
    // Page 2 starts mid-game: its first rows carry the date and time from page 1.
    let jazz = report
        .pending_teams
        .iter()
        .find(|t| t.team == "Utah Jazz")
        .unwrap();
    assert_eq!(jazz.game_date, "2024-01-05");
    assert_eq!(jazz.game_time_et, "07:00 (ET)");
    assert_eq!(jazz.matchup, "UTA@BOS");
    // Page 3 starts with the home team of page 2's last game.
    let nuggets = report
        .pending_teams
        .iter()
        .find(|t| t.team == "Denver Nuggets")
        .unwrap();
    assert_eq!(nuggets.matchup, "ORL@DEN");
    assert_eq!(nuggets.game_time_et, "09:00 (ET)");
    let last = report.pending_teams.last().unwrap();
    assert_eq!(last.team, "Sacramento Kings");
    assert_eq!(last.matchup, "TOR@SAC");
    assert_eq!(last.game_time_et, "10:00 (ET)");
}

#[test]
fn an_html_page_is_named() {
    let err = parse(b"\n<!DOCTYPE html><html><body>Access Denied</body></html>").unwrap_err();
    assert!(err.contains("HTML"), "{err}");
}

#[test]
fn a_truncated_pdf_is_refused() {
    let body = sample();
    let err = parse(&body[..body.len() / 2]).unwrap_err();
    assert!(err.contains("truncated"), "{err}");
}

#[test]
fn garbage_is_refused() {
    let err = parse(b"\x00\x01garbage bytes that are not a document").unwrap_err();
    assert!(err.contains("expected a PDF"), "{err}");
    assert_eq!(parse(b"").unwrap_err(), "empty body");
    // A PDF header and an end marker around nothing readable.
    let err = parse(b"%PDF-1.4\nnot really a pdf\n%%EOF\n").unwrap_err();
    assert!(err.contains("PDF"), "{err}");
}

#[test]
fn a_truncated_pdf_that_still_ends_in_eof_is_refused() {
    let body = sample();
    let mut cut = body[..body.len() / 2].to_vec();
    cut.extend_from_slice(b"\n%%EOF\n");
    let err = parse(&cut).unwrap_err();
    assert!(err.contains("truncated"), "{err}");
}

#[test]
fn a_recorded_pdf_with_missing_bytes_is_refused() {
    // A recorded game book whose body stops short of the offset its own trailer names.
    let path = "../../shared/data/samples/nbac_gamebook_pdf/raw_0173bcd1.pdf";
    let body = std::fs::read(path).expect("tests read ../shared/data beside the project");
    let err = parse(&body).unwrap_err();
    assert!(err.contains("truncated"), "{err}");
}

/// A one-page PDF (Helvetica, y up) with each `(x, y, size, text)` drawn as one string;
/// every other one with TJ instead of Tj.
fn pdf_with_text(texts: &[(f64, f64, i64, &str)]) -> Vec<u8> {
    use lopdf::{content::Operation, dictionary, Stream};
    let mut ops = vec![Operation::new("BT", vec![])];
    for (i, (x, y, size, text)) in texts.iter().enumerate() {
        ops.push(Operation::new("Tf", vec!["F1".into(), (*size).into()]));
        ops.push(Operation::new(
            "Tm",
            vec![
                1.into(),
                0.into(),
                0.into(),
                1.into(),
                (*x).into(),
                (*y).into(),
            ],
        ));
        let s = Object::string_literal(*text);
        if i % 2 == 0 {
            ops.push(Operation::new("TJ", vec![Object::Array(vec![s])]));
        } else {
            ops.push(Operation::new("Tj", vec![s]));
        }
    }
    ops.push(Operation::new("ET", vec![]));

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let content = Content { operations: ops }.encode().unwrap();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        "MediaBox" => vec![0.into(), 0.into(), 842.into(), 595.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A report with the title, the column header, one line of cells per row and the footer.
fn synthetic_report(rows: &[[&str; 7]]) -> Vec<u8> {
    let xs = [20.0, 110.0, 190.0, 250.0, 410.0, 570.0, 670.0];
    let mut texts = vec![(280.0, 560.0, 18, "Injury Report: 03/15/25 05:30 PM")];
    texts.extend(
        xs.iter()
            .zip(COLUMNS)
            .map(|(x, label)| (*x, 520.0, 8, label)),
    );
    for (r, row) in rows.iter().enumerate() {
        for (x, text) in xs.iter().zip(row) {
            if !text.is_empty() {
                texts.push((x + 1.0, 500.0 - 20.0 * r as f64, 8, *text));
            }
        }
    }
    texts.push((400.0, 30.0, 8, "Page 1 of 1"));
    pdf_with_text(&texts)
}

#[test]
fn a_pdf_without_the_report_table_is_a_schema_mismatch() {
    let body = pdf_with_text(&[
        (50.0, 500.0, 12, "Official Scorer's Report"),
        (50.0, 480.0, 10, "Tatum, Jayson  32 pts"),
    ]);
    let err = parse(&body).unwrap_err();
    assert!(err.contains("schema mismatch: no column header"), "{err}");
}

#[test]
fn a_plainly_drawn_report_parses_too() {
    let body = synthetic_report(&[
        [
            "03/15/2025",
            "07:00 (ET)",
            "BOS@NYK",
            "Boston Celtics",
            "Tatum, Jayson",
            "Available",
            "Injury/Illness - Right Ankle; Sprain",
        ],
        [
            "",
            "",
            "",
            "",
            "Holiday, Jrue",
            "Out",
            "Injury/Illness - Left Hamstring; Strain",
        ],
        ["", "", "", "New York Knicks", "", "", "NOT YET SUBMITTED"],
    ]);
    let report = parse_report(&body).unwrap();
    assert_eq!(report.entries.len(), 2, "{report:#?}");
    let holiday = &report.entries[1];
    assert_eq!(holiday.player_name, "Jrue Holiday");
    assert_eq!(holiday.team, "Boston Celtics");
    assert_eq!(holiday.matchup, "BOS@NYK");
    assert_eq!(holiday.game_date, "2025-03-15");
    assert_eq!(holiday.status, InjuryStatus::Out);
    assert_eq!(report.entries[0].status, InjuryStatus::Available);
    assert_eq!(report.pending_teams.len(), 1);
    assert_eq!(report.pending_teams[0].team, "New York Knicks");
    let when = NaiveDate::from_ymd_opt(2025, 3, 15)
        .unwrap()
        .and_hms_opt(17, 30, 0)
        .unwrap();
    assert_eq!(report.report_time_et, Some(when));
}

#[test]
fn no_entries_only_when_the_report_says_so() {
    // Every team "NOT YET SUBMITTED": the report says it has no players yet.
    let body = synthetic_report(&[
        [
            "03/15/2025",
            "07:00 (ET)",
            "BOS@NYK",
            "Boston Celtics",
            "",
            "",
            "NOT YET SUBMITTED",
        ],
        ["", "", "", "New York Knicks", "", "", "NOT YET SUBMITTED"],
    ]);
    assert_eq!(parse(&body).unwrap(), vec![]);
    // A header and nothing under it says nothing: that is not an empty report.
    let err = parse(&synthetic_report(&[])).unwrap_err();
    assert!(err.contains("schema mismatch"), "{err}");
}

#[test]
fn unknown_statuses_and_missing_teams_are_schema_drift() {
    let err = parse(&synthetic_report(&[[
        "03/15/2025",
        "07:00 (ET)",
        "BOS@NYK",
        "Boston Celtics",
        "Tatum, Jayson",
        "Day-To-Day",
        "Rest",
    ]]))
    .unwrap_err();
    assert!(err.contains("unknown status \"Day-To-Day\""), "{err}");
    let err = parse(&synthetic_report(&[[
        "03/15/2025",
        "07:00 (ET)",
        "BOS@NYK",
        "",
        "Tatum, Jayson",
        "Out",
        "Rest",
    ]]))
    .unwrap_err();
    assert!(err.contains("no team"), "{err}");
}

#[test]
fn names_turn_to_first_last() {
    assert_eq!(first_last("Barlow, Dominick"), "Dominick Barlow");
    assert_eq!(first_last("Duke Jr., David"), "David Duke Jr.");
    assert_eq!(first_last("Payton II, Gary"), "Gary Payton II");
    assert_eq!(first_last("Jones, Jr., Derrick"), "Derrick Jones Jr.");
    assert_eq!(first_last("Nene"), "Nene");
}

#[test]
fn statuses_read_case_blind() {
    assert_eq!(InjuryStatus::from_report("Out"), Some(InjuryStatus::Out));
    assert_eq!(
        InjuryStatus::from_report(" questionable "),
        Some(InjuryStatus::Questionable)
    );
    assert_eq!(
        InjuryStatus::from_report("AVAILABLE"),
        Some(InjuryStatus::Available)
    );
    assert_eq!(InjuryStatus::from_report("Day-To-Day"), None);
}
