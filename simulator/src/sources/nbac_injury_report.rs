//! The official injury report PDF of a date (what `nbac_injury_report` reads): its rows from
//! the simulated injuries, drawn the way the league lays the report out.

use chrono::{NaiveDate, NaiveDateTime};
use lopdf::{content::Content, Document, Object};
use nbaprops_activities::sources::nbac_injury_report::columns::{
    COLUMNS, DATE, MATCHUP, PLAYER, REASON, STATUS, TEAM, TIME,
};
use nbaprops_activities::sources::nbac_injury_report::InjuryStatus;

use super::format::{team_of, title_case};
use crate::players::Player;
use crate::season_out::{GameOut, Injury, SeasonOut};

/// The report slot the simulator publishes (the one the day's Phase 1 takes first).
pub const REPORT_HOUR_ET: u32 =
    nbaprops_activities::sources::nbac_injury_report::DAY_REPORT_LAST_HOUR_ET;

/// The reason the report prints for an injury.
pub fn report_reason(inj: &Injury) -> String {
    if inj.part == "illness" {
        "Injury/Illness - Illness".to_string()
    } else if inj.part == "concussion" {
        "Injury/Illness - Concussion Protocol".to_string()
    } else {
        let kind = if inj.missed.len() >= 3 {
            "Sprain"
        } else {
            "Soreness"
        };
        format!("Injury/Illness - {}; {kind}", title_case(inj.part))
    }
}

/// The report's status for a listing: "Out" stays Out, a day-to-day listing is Questionable.
pub fn report_status(inj: &Injury) -> InjuryStatus {
    if inj.status == "Out" {
        InjuryStatus::Out
    } else {
        InjuryStatus::Questionable
    }
}

/// The rows of the report published on `date`: the games of the date (on a date without games,
/// those of the season's next game date within a week, as the real report lists the coming
/// games), the away team first, each team's listed players by name, or "NOT YET SUBMITTED" for
/// a team without any. `None` when there is no game to report on (no report is published).
pub fn injury_report_rows(
    players: &[Player],
    season: Option<&SeasonOut>,
    date: NaiveDate,
) -> Option<Vec<DrawRow>> {
    let s = season?;
    let from = s.games.partition_point(|g| g.game.date < date);
    let first = s.games.get(from)?;
    if (first.game.date - date).num_days() > 7 {
        return None;
    }
    let day = first.game.date;
    let mut games: Vec<&GameOut> = s.games[from..]
        .iter()
        .take_while(|g| g.game.date == day)
        .collect();
    games.sort_by_key(|g| (g.game.tip_et, g.game.game_id.clone()));
    let mut rows = Vec::new();
    for g in games {
        let (home, away) = (team_of(&g.home), team_of(&g.away));
        let h = g.game.tip_et / 60;
        let h12 = if h % 12 == 0 { 12 } else { h % 12 };
        let time = format!("{h12:02}:{:02} (ET)", g.game.tip_et % 60);
        let matchup = format!("{}@{}", away.tricode, home.tricode);
        for b in [&g.away, &g.home] {
            let t = team_of(b);
            let mut listed: Vec<&Injury> = s
                .injuries
                .iter()
                .filter(|i| i.team == b.team && i.listed_on(date))
                .collect();
            listed.sort_by_key(|i| {
                (
                    players[i.player].last.clone(),
                    players[i.player].first.clone(),
                )
            });
            listed.dedup_by_key(|i| i.player);
            let base = DrawRow {
                game_date: day,
                game_time_et: time.clone(),
                matchup: matchup.clone(),
                team: t.full_name(),
                entry: None,
            };
            if listed.is_empty() {
                rows.push(base);
                continue;
            }
            for inj in listed {
                let p = &players[inj.player];
                rows.push(DrawRow {
                    entry: Some((
                        format!("{}, {}", p.last, p.first),
                        report_status(inj),
                        report_reason(inj),
                    )),
                    ..base.clone()
                });
            }
        }
    }
    Some(rows)
}

/// The report PDF published on `date` at [`REPORT_HOUR_ET`], if any.
pub fn injury_report_pdf(
    players: &[Player],
    season: Option<&SeasonOut>,
    date: NaiveDate,
) -> Option<Vec<u8>> {
    let rows = injury_report_rows(players, season, date)?;
    let issued = date
        .and_hms_opt(REPORT_HOUR_ET, 30, 0)
        .expect("a report time");
    Some(render_report(issued, &rows))
}

/// One row to draw: a player's entry, or a team that has `NOT YET SUBMITTED` (`entry: None`).
#[derive(Debug, Clone, PartialEq)]
pub struct DrawRow {
    pub game_date: NaiveDate,
    /// "07:30 (ET)".
    pub game_time_et: String,
    /// away@home tricodes, "MIL@SAS".
    pub matchup: String,
    /// The full team name.
    pub team: String,
    /// ("Last, First" as the report prints names, status, reason).
    pub entry: Option<(String, InjuryStatus, String)>,
}

/// Draws a report the way the league lays it out: landscape pages with the title, the column
/// header, one line per row (a cell left blank when it repeats the row above: same date, same
/// game, same team) and "Page n of m". Text is drawn in Helvetica (WinAnsi): characters outside
/// ASCII are transliterated, as the league's report prints names without accents.
pub fn render_report(report_time_et: NaiveDateTime, rows: &[DrawRow]) -> Vec<u8> {
    use lopdf::{content::Operation, dictionary, Stream};
    const XS: [f64; 7] = [20.0, 110.0, 190.0, 250.0, 410.0, 570.0, 670.0];
    const PER_PAGE: usize = 32;
    let ascii = |s: &str| deunicode::deunicode(s);
    let title = format!(
        "Injury Report: {}",
        report_time_et.format("%m/%d/%y %I:%M %p")
    );
    let chunks: Vec<&[DrawRow]> = if rows.is_empty() {
        vec![&[]]
    } else {
        rows.chunks(PER_PAGE).collect()
    };
    let pages = chunks.len();

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let mut kids: Vec<Object> = Vec::new();
    let mut prev: Option<&DrawRow> = None;
    for (n, chunk) in chunks.iter().enumerate() {
        let mut texts: Vec<(f64, f64, i64, String)> = vec![(280.0, 560.0, 14, title.clone())];
        texts.extend(
            XS.iter()
                .zip(COLUMNS)
                .map(|(x, label)| (*x, 520.0, 8, label.to_string())),
        );
        for (r, row) in chunk.iter().enumerate() {
            let new_date = prev.is_none_or(|p| p.game_date != row.game_date);
            let new_game = new_date
                || prev
                    .is_none_or(|p| p.game_time_et != row.game_time_et || p.matchup != row.matchup);
            let new_team = new_game || prev.is_none_or(|p| p.team != row.team);
            let mut cells: [String; 7] = Default::default();
            if new_date {
                cells[DATE] = row.game_date.format("%m/%d/%Y").to_string();
            }
            if new_game {
                cells[TIME] = row.game_time_et.clone();
                cells[MATCHUP] = row.matchup.clone();
            }
            if new_team {
                cells[TEAM] = ascii(&row.team);
            }
            match &row.entry {
                Some((name, status, reason)) => {
                    cells[PLAYER] = ascii(name);
                    cells[STATUS] = status.as_str().to_string();
                    cells[REASON] = ascii(reason);
                }
                None => cells[REASON] = "NOT YET SUBMITTED".to_string(),
            }
            let y = 500.0 - 14.0 * r as f64;
            for (x, text) in XS.iter().zip(cells) {
                if !text.is_empty() {
                    texts.push((x + 1.0, y, 8, text));
                }
            }
            prev = Some(row);
        }
        texts.push((400.0, 30.0, 8, format!("Page {} of {pages}", n + 1)));

        let mut ops = vec![Operation::new("BT", vec![])];
        for (x, y, size, text) in &texts {
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
            ops.push(Operation::new(
                "Tj",
                vec![Object::string_literal(text.as_str())],
            ));
        }
        ops.push(Operation::new("ET", vec![]));
        let content = Content { operations: ops }
            .encode()
            .expect("text operations encode");
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
            "MediaBox" => vec![0.into(), 0.into(), 842.into(), 595.into()],
        });
        kids.push(page_id.into());
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Count" => kids.len() as i64, "Kids" => kids,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("a PDF writes to memory");
    out
}
