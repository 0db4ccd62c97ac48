//! The official NBA injury report: a PDF the league publishes several times a day at
//! `ak-static.cms.nba.com/referee/injury/Injury-Report_YYYY-MM-DD_HHAM|PM.pdf`.
//!
//! The PDF is a table (Game Date, Game Time, Matchup, Team, Player Name, Current Status,
//! Reason) drawn word by word: each word is placed on its own and the spaces between words are
//! gaps, not characters. The parser reads the positioned text of every page with `lopdf`,
//! rebuilds lines and cells from the positions (column edges come from the column header), puts
//! the extra lines of a wrapped reason back into their row, and carries the date, time, matchup
//! and team forward to the rows that leave those cells blank.
//!
//! This module fetches and keeps the report and defines what it holds; [`pdf_text`] reads the
//! positioned text of its pages, [`table`] rebuilds the report from that text, and [`columns`]
//! names the table's columns.

pub mod columns;
mod pdf_text;
mod table;
#[cfg(test)]
mod tests;

use chrono::{NaiveDate, NaiveDateTime};

use super::{SourceConfig, SourceRequest};

pub use table::first_last;

pub const SOURCE: &str = "nbac_injury_report";

/// The report slot as the file name spells it: 12 → "12PM", 0 → "12AM", 17 → "05PM".
/// Hours past 23 wrap around ([`fetch`] refuses them before building a request).
pub fn report_slot(report_hour_et: u32) -> String {
    let h = report_hour_et % 24;
    let half = if h < 12 { "AM" } else { "PM" };
    let h12 = match h % 12 {
        0 => 12,
        n => n,
    };
    format!("{h12:02}{half}")
}

/// The report published on `date` at `report_hour_et` (Eastern time, 0..=23).
pub fn request(config: &SourceConfig, date: NaiveDate, report_hour_et: u32) -> SourceRequest {
    let slot = report_slot(report_hour_et);
    SourceRequest {
        base_url: config.nba_injury_report_url.clone(),
        path: format!(
            "/referee/injury/Injury-Report_{}_{slot}.pdf",
            date.format("%Y-%m-%d")
        ),
        query: vec![],
        request_key: slot,
    }
}

/// A player's status for a game, as the report's "Current Status" column gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InjuryStatus {
    Out,
    Questionable,
    Doubtful,
    Probable,
    Available,
}

impl InjuryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InjuryStatus::Out => "Out",
            InjuryStatus::Questionable => "Questionable",
            InjuryStatus::Doubtful => "Doubtful",
            InjuryStatus::Probable => "Probable",
            InjuryStatus::Available => "Available",
        }
    }

    /// The status from the report's text (case and spacing ignored); `None` for anything else.
    pub fn from_report(text: &str) -> Option<Self> {
        let t: String = text.split_whitespace().collect::<String>().to_lowercase();
        Some(match t.as_str() {
            "out" => InjuryStatus::Out,
            "questionable" => InjuryStatus::Questionable,
            "doubtful" => InjuryStatus::Doubtful,
            "probable" => InjuryStatus::Probable,
            "available" => InjuryStatus::Available,
            _ => return None,
        })
    }
}

/// One player listed on the report.
#[derive(Debug, Clone, PartialEq)]
pub struct InjuryEntry {
    /// YYYY-MM-DD.
    pub game_date: String,
    /// As printed, e.g. "07:30 (ET)".
    pub game_time_et: String,
    /// As printed, away@home, e.g. "MIL@SAS".
    pub matchup: String,
    /// The full team name as printed, e.g. "San Antonio Spurs".
    pub team: String,
    /// "First Last": the report's "Duke Jr., David" becomes "David Duke Jr.".
    pub player_name: String,
    pub status: InjuryStatus,
    /// The full reason, wrapped lines joined, e.g. "Injury/Illness - Left Acl; Tear".
    pub reason: String,
    /// When the report says it was issued ("Injury Report: 01/04/24 12:30 PM"), Eastern time.
    pub report_time_et: Option<NaiveDateTime>,
}

/// A team the report lists with "NOT YET SUBMITTED" instead of players.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingTeam {
    pub game_date: String,
    pub game_time_et: String,
    pub matchup: String,
    pub team: String,
}

/// Everything the report holds.
#[derive(Debug, Clone, PartialEq)]
pub struct InjuryReport {
    pub report_time_et: Option<NaiveDateTime>,
    pub entries: Vec<InjuryEntry>,
    pub pending_teams: Vec<PendingTeam>,
}

/// Every player entry of the report.
pub fn parse(body: &[u8]) -> Result<Vec<InjuryEntry>, String> {
    parse_report(body).map(|r| r.entries)
}

/// The whole report: its timestamp, the player entries and the teams that have not submitted.
pub fn parse_report(body: &[u8]) -> Result<InjuryReport, String> {
    let body = super::http::decompress_if_gzip(body)?;
    let body: &[u8] = &body;
    pdf_text::check_pdf_bytes(body)?;
    // A damaged PDF must come back as a reason, never as a panic inside the PDF reader.
    let pages = std::panic::catch_unwind(|| pdf_text::extract_pages(body)).map_err(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("PDF reader failed on this body (damaged PDF?): {msg}")
    })??;
    table::build_report(&pages)
}

/// The last hourly slot the day's Phase 1 takes: the `09AM` report (issued around 9:30 ET) is
/// the latest one published before the 10:00 ET prediction cut-off. The day runs at 06:00 ET,
/// when that slot is not out yet, so [`fetch_for_day`] walks back to the newest slot that is
/// (at 06:00, the `05AM` one); in a backfill every slot exists and it takes `09AM`. Reports
/// published later reach the day through the injury watch, not through Phase 1.
pub const DAY_REPORT_LAST_HOUR_ET: u32 = 9;

/// Phase 1 of a day: the newest report of `date` among the slots up to
/// [`DAY_REPORT_LAST_HOUR_ET`] (a slot not published yet answers 403/404 and is skipped).
/// No report at all is a warning, not a failure: the league publishes none on most days
/// without games, and early in the morning of a game day none may be out yet.
pub async fn fetch_for_day(
    deps: &crate::Deps,
    date: &str,
) -> crate::Result<nbaprops_proto::ScrapeResult> {
    if let Some((scraped, _)) = fetch_newest(deps, date, DAY_REPORT_LAST_HOUR_ET).await? {
        return Ok(scraped);
    }
    let games = super::scheduled_games(deps, date).await?;
    let listed = match games {
        Some(n) => format!("the schedule lists {n} games"),
        None => "no kept schedule covers the date".to_string(),
    };
    Ok(nbaprops_proto::ScrapeResult {
        source: SOURCE.to_string(),
        payloads: vec![],
        records_seen: 0,
        warnings: vec![format!(
            "no injury report of {date} is published up to the {} slot ({listed})",
            report_slot(DAY_REPORT_LAST_HOUR_ET)
        )],
    })
}

/// The newest report of `date` published in the slots up to `last_hour_et` (a slot not
/// published yet answers 403/404 and is skipped), kept in the raw store: what was kept, and the
/// report read back. None when no slot is published yet.
pub async fn fetch_newest(
    deps: &crate::Deps,
    date: &str,
    last_hour_et: u32,
) -> crate::Result<Option<(nbaprops_proto::ScrapeResult, InjuryReport)>> {
    let day = super::parse_date(date)?;
    for hour in (0..=last_hour_et.min(23)).rev() {
        let req = request(&deps.sources.config, day, hour);
        if let Some(body) = deps.sources.get_if_published(SOURCE, date, &req).await? {
            let scraped = keep(deps, date, &req, body.clone()).await?;
            // It parsed as it was kept: a failure here is a parser bug.
            let report = parse_report(&body).map_err(|reason| {
                crate::PipelineError::Internal(format!("{SOURCE} for {date}: {reason}"))
            })?;
            return Ok(Some((scraped, report)));
        }
    }
    Ok(None)
}

async fn keep(
    deps: &crate::Deps,
    date: &str,
    req: &SourceRequest,
    body: bytes::Bytes,
) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let (payload, entries) =
        super::http::keep_payload(&deps.raw, &deps.warehouse, SOURCE, date, req, body, |b| {
            parse(b).map(|entries| entries.len())
        })
        .await?;
    Ok(nbaprops_proto::ScrapeResult {
        source: SOURCE.to_string(),
        payloads: vec![payload],
        records_seen: entries as u32,
        warnings: vec![],
    })
}

/// Phase 1: fetch one injury report (one date, one hourly slot).
pub async fn fetch(
    deps: &crate::Deps,
    date: &str,
    report_hour_et: u32,
) -> crate::Result<nbaprops_proto::ScrapeResult> {
    if report_hour_et > 23 {
        return Err(crate::PipelineError::InvalidRequest(format!(
            "report hour {report_hour_et} is not an hour of the day (0..=23, Eastern time)"
        )));
    }
    let req = request(
        &deps.sources.config,
        super::parse_date(date)?,
        report_hour_et,
    );
    let body = deps.sources.get(SOURCE, date, &req).await?;
    keep(deps, date, &req, body).await
}
