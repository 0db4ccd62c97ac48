//! The report rebuilt from positioned text: fragments grouped into lines, lines split into
//! cells at the column edges the header gives, wrapped lines joined back into their row, and
//! blank cells filled from the row above.

use chrono::{NaiveDate, NaiveDateTime};

use super::columns::{COLUMNS, DATE, MATCHUP, PLAYER, REASON, STATUS, TEAM, TIME};
use super::pdf_text::Fragment;
use super::{InjuryEntry, InjuryReport, InjuryStatus, PendingTeam};

/// Fragments on one baseline, left to right.
#[derive(Debug)]
struct Line {
    y: f64,
    fragments: Vec<Fragment>,
}

fn group_lines(mut fragments: Vec<Fragment>) -> Vec<Line> {
    fragments.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    let mut lines: Vec<Line> = Vec::new();
    for f in fragments {
        match lines.last_mut() {
            Some(line) if (line.y - f.y).abs() <= 0.3 * f.size.max(1.0) => line.fragments.push(f),
            _ => lines.push(Line {
                y: f.y,
                fragments: vec![f],
            }),
        }
    }
    for line in &mut lines {
        line.fragments.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    }
    lines
}

/// Joins fragments left to right, with a space wherever the gap between two is wider than a
/// tenth of the font size (the report draws words apart instead of writing spaces; pieces of
/// one word, like "Two-" and "Way", touch).
fn join(fragments: &[&Fragment]) -> String {
    let mut s = String::new();
    let mut prev_x1: Option<f64> = None;
    for f in fragments {
        if let Some(x1) = prev_x1 {
            if f.x0 - x1 > 0.1 * f.size {
                s.push(' ');
            }
        }
        s.push_str(&f.text);
        prev_x1 = Some(f.x1);
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text without any whitespace, for matching labels however the words were spaced.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<String>().to_lowercase()
}

/// If this line is the column header, the x where each column starts.
fn header_columns(line: &Line) -> Option<[f64; 7]> {
    // Header labels are a font size or more apart; words inside a label are closer.
    let mut phrases: Vec<Vec<&Fragment>> = Vec::new();
    for f in &line.fragments {
        match phrases.last_mut() {
            Some(p) if f.x0 - p.last().map(|l| l.x1).unwrap_or(f.x0) < f.size => p.push(f),
            _ => phrases.push(vec![f]),
        }
    }
    if phrases.len() != COLUMNS.len() {
        return None;
    }
    let mut starts = [0.0; 7];
    for (i, (phrase, label)) in phrases.iter().zip(COLUMNS).enumerate() {
        if squash(&join(phrase)) != squash(label) {
            return None;
        }
        starts[i] = phrase[0].x0;
    }
    Some(starts)
}

/// "Injury Report: 01/04/24 12:30 PM" → its time; `None` if the line is not the title.
fn title_time(text: &str) -> Option<Option<NaiveDateTime>> {
    let rest = squash(text).strip_prefix("injuryreport:")?.to_string();
    // Squashed, the time reads "01/04/2412:30pm": date, then hh:mm, then am/pm.
    let time = ["%m/%d/%y%I:%M%p", "%m/%d/%Y%I:%M%p"]
        .iter()
        .find_map(|fmt| NaiveDateTime::parse_from_str(&rest, fmt).ok());
    Some(time)
}

/// "Page 1 of 3" → (1, 3).
fn footer_page(text: &str) -> Option<(u32, u32)> {
    let s = squash(text);
    let (n, m) = s.strip_prefix("page")?.split_once("of")?;
    Some((n.parse().ok()?, m.parse().ok()?))
}

/// One table row: the text of each column (wrapped lines joined).
#[derive(Debug, Default)]
struct Row {
    page: usize,
    cells: [String; 7],
}

impl Row {
    fn cell(&self, col: usize) -> Option<&str> {
        Some(self.cells[col].as_str()).filter(|s| !s.is_empty())
    }

    fn describe(&self) -> String {
        let text: Vec<&str> = self.cells.iter().map(String::as_str).collect();
        format!("page {}, row {:?}", self.page, text.join(" | "))
    }
}

/// Splits a line's fragments into the columns that start at `starts`.
fn cells_of<'a>(line: &'a Line, starts: &[f64; 7]) -> [Vec<&'a Fragment>; 7] {
    let mut cells: [Vec<&Fragment>; 7] = Default::default();
    for f in &line.fragments {
        // Text sits a little right of where its column's header label starts.
        let col = starts
            .iter()
            .rposition(|s| f.x0 >= s - 0.5 * f.size)
            .unwrap_or(0);
        cells[col].push(f);
    }
    cells
}

pub(super) fn build_report(pages: &[Vec<Fragment>]) -> Result<InjuryReport, String> {
    let mut starts: Option<[f64; 7]> = None;
    let mut report_time: Option<NaiveDateTime> = None;
    let mut rows: Vec<Row> = Vec::new();
    let mut last_page_said: Option<(u32, u32)> = None;

    for (page_index, fragments) in pages.iter().enumerate() {
        let page = page_index + 1;
        // The lines of this page's table, as cells, with their baselines.
        let mut table: Vec<(f64, [String; 7], bool)> = Vec::new();
        for line in group_lines(fragments.clone()) {
            let text = join(&line.fragments.iter().collect::<Vec<_>>());
            if let Some(time) = title_time(&text) {
                report_time = report_time.or(time);
                continue;
            }
            if let Some(said) = footer_page(&text) {
                last_page_said = Some(said);
                continue;
            }
            if let Some(found) = header_columns(&line) {
                starts = Some(found);
                continue;
            }
            // Anything above the first column header is page heading, not table.
            let Some(starts) = starts.as_ref() else {
                continue;
            };
            let cells = cells_of(&line, starts).map(|c| join(c.as_slice()));
            let has = |c: usize| !cells[c].is_empty();
            // A line opens a row when it names a player or a status, or is a team's row
            // ("NOT YET SUBMITTED"); a line with only a reason is the wrap of a longer reason.
            let opens_row = has(PLAYER)
                || has(STATUS)
                || (has(REASON) && (has(DATE) || has(TIME) || has(MATCHUP) || has(TEAM)));
            table.push((line.y, cells, opens_row));
        }

        // Wrapped lines go to the row whose opening line is nearest (the report centres a
        // row's cells vertically, so a reason's extra lines sit just above and below it).
        let openers: Vec<usize> = (0..table.len()).filter(|i| table[*i].2).collect();
        let mut page_rows: Vec<Row> = openers
            .iter()
            .map(|_| Row {
                page,
                ..Row::default()
            })
            .collect();
        let mut parts: Vec<Vec<usize>> = vec![Vec::new(); openers.len()];
        for (i, (y, _, _)) in table.iter().enumerate() {
            let nearest = openers
                .iter()
                .enumerate()
                .min_by(|(_, a), (_, b)| {
                    (table[**a].0 - y)
                        .abs()
                        .total_cmp(&(table[**b].0 - y).abs())
                })
                .map(|(k, _)| k);
            match nearest {
                Some(k) => parts[k].push(i),
                None => {
                    // A page of nothing but wrapped lines continues the previous page's row.
                    let Some(prev) = rows.last_mut() else {
                        return Err(format!(
                            "schema mismatch: page {page}: text {:?} belongs to no row",
                            table[i].1.join(" ")
                        ));
                    };
                    append_cells(prev, &table[i].1);
                }
            }
        }
        for (row, lines) in page_rows.iter_mut().zip(&parts) {
            for i in lines {
                append_cells(row, &table[*i].1);
            }
        }
        rows.extend(page_rows);
    }

    let Some(_) = starts else {
        return Err(format!(
            "schema mismatch: no column header ({}) found",
            COLUMNS.join(", ")
        ));
    };
    if let Some((_, of)) = last_page_said {
        if of as usize != pages.len() {
            return Err(format!(
                "schema mismatch: the report says it has {of} pages but the PDF holds {}",
                pages.len()
            ));
        }
    }
    rows_to_report(rows, report_time)
}

/// Adds a line's cells to a row, each column's text after what it already holds.
fn append_cells(row: &mut Row, cells: &[String; 7]) {
    for (have, more) in row.cells.iter_mut().zip(cells) {
        if more.is_empty() {
            continue;
        }
        if have.is_empty() {
            have.push_str(more);
        } else {
            // A line broken after a hyphen inside a word ("Two-" / "Way") joins without a space.
            let glued = have.ends_with('-')
                && have
                    .chars()
                    .rev()
                    .nth(1)
                    .is_some_and(|c| c.is_alphanumeric());
            if !glued {
                have.push(' ');
            }
            have.push_str(more);
        }
    }
}

fn rows_to_report(
    rows: Vec<Row>,
    report_time: Option<NaiveDateTime>,
) -> Result<InjuryReport, String> {
    let mut entries = Vec::new();
    let mut pending_teams = Vec::new();
    let (mut date, mut time, mut matchup, mut team): (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = (None, None, None, None);

    for row in &rows {
        // A blank cell repeats the row above; a new value resets everything under it.
        if let Some(d) = row.cell(DATE) {
            let parsed = NaiveDate::parse_from_str(d, "%m/%d/%Y").map_err(|_| {
                format!(
                    "schema mismatch: {}: game date {d:?} is not MM/DD/YYYY",
                    row.describe()
                )
            })?;
            date = Some(parsed.format("%Y-%m-%d").to_string());
            (time, matchup, team) = (None, None, None);
        }
        if let Some(t) = row.cell(TIME) {
            time = Some(t.to_string());
            (matchup, team) = (None, None);
        }
        if let Some(m) = row.cell(MATCHUP) {
            matchup = Some(m.to_string());
            team = None;
        }
        if let Some(t) = row.cell(TEAM) {
            team = Some(t.to_string());
        }
        let missing = |what: &str| format!("schema mismatch: {}: no {what}", row.describe());
        let game_date = date.clone().ok_or_else(|| missing("game date"))?;
        let game_time_et = time.clone().ok_or_else(|| missing("game time"))?;
        let game = matchup.clone().ok_or_else(|| missing("matchup"))?;
        let team_name = team.clone().ok_or_else(|| missing("team"))?;

        let Some(player) = row.cell(PLAYER) else {
            let reason = row.cells[REASON].as_str();
            if squash(reason) == "notyetsubmitted" && row.cell(STATUS).is_none() {
                pending_teams.push(PendingTeam {
                    game_date,
                    game_time_et,
                    matchup: game,
                    team: team_name,
                });
                continue;
            }
            return Err(missing("player name"));
        };
        let status_text = row.cell(STATUS).ok_or_else(|| missing("status"))?;
        let status = InjuryStatus::from_report(status_text).ok_or_else(|| {
            format!(
                "schema mismatch: {}: unknown status {status_text:?}",
                row.describe()
            )
        })?;
        entries.push(InjuryEntry {
            game_date,
            game_time_et,
            matchup: game,
            team: team_name,
            player_name: first_last(player),
            status,
            reason: row.cells[REASON].clone(),
            report_time_et: report_time,
        });
    }

    if entries.is_empty() && pending_teams.is_empty() {
        return Err(
            "schema mismatch: the report has its column header but no rows (no players and no \
             \"NOT YET SUBMITTED\" teams)"
                .to_string(),
        );
    }
    Ok(InjuryReport {
        report_time_et: report_time,
        entries,
        pending_teams,
    })
}

/// "Last, First" → "First Last". Suffixes stay with the last name: "Duke Jr., David" →
/// "David Duke Jr.", "Payton II, Gary" → "Gary Payton II", "Jones, Jr., Derrick" →
/// "Derrick Jones Jr.". A name without a comma is kept as printed.
pub fn first_last(name: &str) -> String {
    let parts: Vec<&str> = name
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    match parts.split_last() {
        Some((first, last)) if !last.is_empty() => {
            let mut out = first.to_string();
            for p in last {
                out.push(' ');
                out.push_str(p);
            }
            out
        }
        _ => parts.join(" "),
    }
}
