//! The historical import source: bulk CSV files (NBA.com team game rows, player game logs,
//! sportsbook points lines) loaded into Phase 1's raw store, one payload per file and date, so
//! a backfill can start from bulk files instead of years of scraping.
//!
//! A file's kind comes from its header, not its name: any file with the columns of one of the
//! three shapes is accepted, in any column order, with extra columns ignored. Each date's rows
//! are kept as a small CSV of their own (the header plus that date's lines, as they were), by
//! content hash: importing the same file twice stores nothing new.

use std::collections::BTreeMap;
use std::path::Path;

use bytes::Bytes;

use crate::error::{PipelineError, Result};
use crate::storage::raw_store::StoredPayload;
use crate::Deps;

/// The three bulk shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HistoryKind {
    /// NBA.com LeagueGameFinder team rows: SEASON_ID, TEAM_ID, GAME_ID, GAME_DATE, MATCHUP, PTS, ...
    TeamGames,
    /// Player game logs: player, player_id, date, matchup, minutes, pts, ...
    PlayerGameLogs,
    /// Sportsbook player_points lines: snapshot_time_utc, event_id, game_date_et, player, line, ...
    PointsLines,
}

impl HistoryKind {
    /// The raw-store source name of the kind.
    pub fn source(self) -> &'static str {
        match self {
            HistoryKind::TeamGames => "historical_team_games",
            HistoryKind::PlayerGameLogs => "historical_player_game_logs",
            HistoryKind::PointsLines => "historical_points_lines",
        }
    }

    /// Columns a file must have to be of this kind.
    pub fn required_columns(self) -> &'static [&'static str] {
        match self {
            HistoryKind::TeamGames => &[
                "SEASON_ID",
                "TEAM_ID",
                "TEAM_ABBREVIATION",
                "GAME_ID",
                "GAME_DATE",
                "MATCHUP",
                "WL",
                "MIN",
                "PTS",
                "FGM",
                "FGA",
                "FG3M",
                "FG3A",
                "FTM",
                "FTA",
                "REB",
                "AST",
                "TOV",
                "PLUS_MINUS",
            ],
            HistoryKind::PlayerGameLogs => &[
                "player",
                "player_id",
                "date",
                "matchup",
                "minutes",
                "fgm",
                "fga",
                "threes_made",
                "threes_attempted",
                "ftm",
                "fta",
                "reb",
                "ast",
                "tov",
                "pts",
                "opponent",
                "home_away",
            ],
            HistoryKind::PointsLines => &[
                "snapshot_time_utc",
                "event_id",
                "commence_time_utc",
                "game_date_et",
                "game",
                "player",
                "bookmaker",
                "market",
                "line",
                "over_odds",
                "under_odds",
            ],
        }
    }

    /// The column holding a row's date (the Eastern game date).
    pub fn date_column(self) -> &'static str {
        match self {
            HistoryKind::TeamGames => "GAME_DATE",
            HistoryKind::PlayerGameLogs => "date",
            HistoryKind::PointsLines => "game_date_et",
        }
    }

    const ALL: [HistoryKind; 3] = [
        HistoryKind::TeamGames,
        HistoryKind::PlayerGameLogs,
        HistoryKind::PointsLines,
    ];
}

/// The kind whose columns the header has, or why none fits.
pub fn detect_kind(header: &csv::StringRecord) -> std::result::Result<HistoryKind, String> {
    let has = |c: &str| header.iter().any(|h| h.trim() == c);
    let mut best: Option<(HistoryKind, Vec<&str>)> = None;
    for kind in HistoryKind::ALL {
        let missing: Vec<&str> = kind
            .required_columns()
            .iter()
            .copied()
            .filter(|c| !has(c))
            .collect();
        if missing.is_empty() {
            return Ok(kind);
        }
        if best.as_ref().is_none_or(|(_, m)| missing.len() < m.len()) {
            best = Some((kind, missing));
        }
    }
    let (kind, missing) = best.expect("three kinds");
    Err(format!(
        "schema mismatch: the header matches no known shape (closest: {kind:?}, missing {})",
        missing.join(", ")
    ))
}

/// One typed row of a bulk file.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryRow {
    TeamGame(TeamGameRow),
    PlayerGameLog(PlayerGameLogRow),
    PointsLine(PointsLineRow),
}

impl HistoryRow {
    /// What makes a row the same row in two files: a team's game, a player's game on a date,
    /// one bookmaker's line for one player at one snapshot.
    pub fn key(&self) -> String {
        match self {
            HistoryRow::TeamGame(r) => format!("team|{}|{}", r.game_id, r.team_id),
            HistoryRow::PlayerGameLog(r) => format!("player|{}|{}", r.player_id, r.date),
            HistoryRow::PointsLine(r) => format!(
                "line|{}|{}|{}|{}|{}",
                r.snapshot_time_utc, r.event_id, r.player, r.bookmaker, r.market
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamGameRow {
    pub season_id: String,
    pub team_id: i64,
    pub team: String,
    pub game_id: String,
    pub game_date: String,
    pub matchup: String,
    pub wl: Option<String>,
    pub minutes: f64,
    pub points: i64,
    pub fgm: i64,
    pub fga: i64,
    pub fg3m: i64,
    pub fg3a: i64,
    pub ftm: i64,
    pub fta: i64,
    pub reb: i64,
    pub ast: i64,
    pub tov: i64,
    pub plus_minus: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlayerGameLogRow {
    pub player: String,
    pub player_id: i64,
    pub date: String,
    pub matchup: String,
    pub minutes: f64,
    pub fgm: i64,
    pub fga: i64,
    pub fg3m: i64,
    pub fg3a: i64,
    pub ftm: i64,
    pub fta: i64,
    pub reb: i64,
    pub ast: i64,
    pub tov: i64,
    pub points: i64,
    pub opponent: String,
    pub home: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PointsLineRow {
    pub snapshot_time_utc: String,
    pub event_id: String,
    pub commence_time_utc: String,
    pub game_date_et: String,
    pub game: String,
    pub player: String,
    pub bookmaker: String,
    pub market: String,
    pub line: f64,
    pub over_odds: Option<i64>,
    pub under_odds: Option<i64>,
}

/// Reads one CSV line's fields by column name, with errors naming line, column and value.
struct Fields<'a> {
    record: &'a csv::StringRecord,
    columns: &'a BTreeMap<String, usize>,
    line: u64,
}

impl Fields<'_> {
    fn text(&self, column: &str) -> std::result::Result<String, String> {
        let i = self
            .columns
            .get(column)
            .ok_or_else(|| format!("schema mismatch: no column {column}"))?;
        Ok(self.record.get(*i).unwrap_or("").trim().to_string())
    }

    fn required(&self, column: &str) -> std::result::Result<String, String> {
        let v = self.text(column)?;
        if v.is_empty() {
            return Err(format!("line {}: {column} is empty", self.line));
        }
        Ok(v)
    }

    fn float(&self, column: &str) -> std::result::Result<f64, String> {
        let v = self.required(column)?;
        v.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| format!("line {}: {column} = {v:?} is not a number", self.line))
    }

    /// Counts arrive as "12" or "12.0".
    fn int(&self, column: &str) -> std::result::Result<i64, String> {
        let f = self.float(column)?;
        if f.fract() != 0.0 {
            return Err(format!(
                "line {}: {column} = {f} is not a whole number",
                self.line
            ));
        }
        Ok(f as i64)
    }

    fn optional_int(&self, column: &str) -> std::result::Result<Option<i64>, String> {
        if self.text(column)?.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.float(column)?.round() as i64))
    }

    fn date(&self, column: &str) -> std::result::Result<String, String> {
        let v = self.required(column)?;
        let d = v.get(..10).unwrap_or("");
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            format!(
                "line {}: {column} = {v:?} is not a YYYY-MM-DD date",
                self.line
            )
        })?;
        Ok(d.to_string())
    }
}

fn row_of(kind: HistoryKind, f: &Fields<'_>) -> std::result::Result<HistoryRow, String> {
    Ok(match kind {
        HistoryKind::TeamGames => HistoryRow::TeamGame(TeamGameRow {
            season_id: f.required("SEASON_ID")?,
            team_id: f.int("TEAM_ID")?,
            team: f.required("TEAM_ABBREVIATION")?,
            game_id: f.required("GAME_ID")?,
            game_date: f.date("GAME_DATE")?,
            matchup: f.required("MATCHUP")?,
            wl: Some(f.text("WL")?).filter(|s| !s.is_empty()),
            minutes: f.float("MIN")?,
            points: f.int("PTS")?,
            fgm: f.int("FGM")?,
            fga: f.int("FGA")?,
            fg3m: f.int("FG3M")?,
            fg3a: f.int("FG3A")?,
            ftm: f.int("FTM")?,
            fta: f.int("FTA")?,
            reb: f.int("REB")?,
            ast: f.int("AST")?,
            tov: f.int("TOV")?,
            plus_minus: f.float("PLUS_MINUS")?,
        }),
        HistoryKind::PlayerGameLogs => HistoryRow::PlayerGameLog(PlayerGameLogRow {
            player: f.required("player")?,
            player_id: f.int("player_id")?,
            date: f.date("date")?,
            matchup: f.required("matchup")?,
            minutes: f.float("minutes")?,
            fgm: f.int("fgm")?,
            fga: f.int("fga")?,
            fg3m: f.int("threes_made")?,
            fg3a: f.int("threes_attempted")?,
            ftm: f.int("ftm")?,
            fta: f.int("fta")?,
            reb: f.int("reb")?,
            ast: f.int("ast")?,
            tov: f.int("tov")?,
            points: f.int("pts")?,
            opponent: f.required("opponent")?,
            home: match f.required("home_away")?.to_ascii_uppercase().as_str() {
                "HOME" => true,
                "AWAY" => false,
                other => {
                    return Err(format!(
                        "line {}: home_away = {other:?} is neither HOME nor AWAY",
                        f.line
                    ))
                }
            },
        }),
        HistoryKind::PointsLines => HistoryRow::PointsLine(PointsLineRow {
            snapshot_time_utc: f.required("snapshot_time_utc")?,
            event_id: f.required("event_id")?,
            commence_time_utc: f.required("commence_time_utc")?,
            game_date_et: f.date("game_date_et")?,
            game: f.required("game")?,
            player: f.required("player")?,
            bookmaker: f.required("bookmaker")?,
            market: f.required("market")?,
            line: f.float("line")?,
            over_odds: f.optional_int("over_odds")?,
            under_odds: f.optional_int("under_odds")?,
        }),
    })
}

/// A parsed bulk file: its kind, and per date the typed rows and the date's own CSV bytes.
#[derive(Debug, Clone)]
pub struct ParsedHistory {
    pub kind: HistoryKind,
    pub by_date: BTreeMap<String, (Vec<HistoryRow>, Vec<u8>)>,
}

impl ParsedHistory {
    pub fn rows(&self) -> usize {
        self.by_date.values().map(|(r, _)| r.len()).sum()
    }
}

/// Parses a bulk CSV (plain or gzip): every row typed, or the first bad one named.
pub fn parse(body: &[u8]) -> std::result::Result<ParsedHistory, String> {
    let body = super::http::decompress_if_gzip(body)?;
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("empty body".into());
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
        return Err("expected CSV, got an HTML page".into());
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(&body[..]);
    let header = reader
        .headers()
        .map_err(|e| format!("unreadable header: {e}"))?
        .clone();
    let kind = detect_kind(&header)?;
    let columns: BTreeMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_string(), i))
        .collect();
    let date_column = kind.date_column();
    let mut by_date: BTreeMap<String, (Vec<HistoryRow>, Vec<csv::StringRecord>)> = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("unreadable CSV: {e}"))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let fields = Fields {
            record: &record,
            columns: &columns,
            line,
        };
        let row = row_of(kind, &fields)?;
        let date = fields.date(date_column)?;
        let entry = by_date.entry(date).or_default();
        entry.0.push(row);
        entry.1.push(record);
    }
    let mut out = BTreeMap::new();
    for (date, (rows, records)) in by_date {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&header).map_err(|e| e.to_string())?;
        for r in &records {
            w.write_record(r).map_err(|e| e.to_string())?;
        }
        let bytes = w.into_inner().map_err(|e| e.to_string())?;
        out.insert(date, (rows, bytes));
    }
    Ok(ParsedHistory { kind, by_date: out })
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    pub file: String,
    pub kind: Option<HistoryKind>,
    pub rows: usize,
    pub dates: usize,
    /// Payloads stored for the first time, and payloads that were already there.
    pub payloads_new: usize,
    pub payloads_existing: usize,
}

/// Imports one bulk file into the raw store: a payload per date, named after the file.
pub async fn import_file(deps: &Deps, path: &Path) -> Result<ImportSummary> {
    let file = path.display().to_string();
    let body = std::fs::read(path)
        .map_err(|e| PipelineError::InvalidRequest(format!("cannot read {file}: {e}")))?;
    let stem = path
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .trim_end_matches(".gz")
                .trim_end_matches(".csv")
                .to_string()
        })
        .unwrap_or_else(|| "bulk".into());
    let parsed = match parse(&body) {
        Ok(p) => p,
        Err(reason) => {
            let kept = deps
                .raw
                .quarantine("historical_import", "undated", &stem, Bytes::from(body))
                .await?;
            return Err(PipelineError::BadPayload {
                source_name: "historical_import".into(),
                url: format!("file://{file}"),
                date: "all dates in the file".into(),
                reason,
                quarantine_key: Some(kept.key),
            });
        }
    };
    let mut summary = ImportSummary {
        file: file.clone(),
        kind: Some(parsed.kind),
        rows: parsed.rows(),
        dates: parsed.by_date.len(),
        ..Default::default()
    };
    let source = parsed.kind.source();
    for (date, (rows, csv_bytes)) in parsed.by_date {
        let stored: StoredPayload = deps
            .raw
            .put(source, &date, &stem, Bytes::from(csv_bytes))
            .await?;
        if stored.newly_written {
            summary.payloads_new += 1;
        } else {
            summary.payloads_existing += 1;
        }
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        crate::storage::raw_store::record_payload(
            &deps.warehouse,
            &crate::storage::raw_store::PayloadRecord {
                stored: &stored,
                source,
                data_date: &date,
                request_key: &stem,
                url: &format!("file://{file}"),
                status: "ok",
                reason: Some(&format!("{} rows", rows.len())),
                first_seen_at: &now,
            },
        )
        .await?;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HISTORY: &str = "../../shared/data/history";

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!("{HISTORY}/{name}"))
            .unwrap_or_else(|e| panic!("{HISTORY}/{name}: {e}"))
    }

    #[test]
    fn every_real_history_file_parses_with_its_kind() {
        let mut seen = 0;
        for entry in std::fs::read_dir(HISTORY).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let parsed =
                parse(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
            let expected = if name.starts_with("team_games_") {
                HistoryKind::TeamGames
            } else if name.starts_with("player_game_logs_") {
                HistoryKind::PlayerGameLogs
            } else {
                HistoryKind::PointsLines
            };
            assert_eq!(parsed.kind, expected, "{name}");
            // Every data line becomes one typed row.
            let lines = std::fs::read_to_string(&path).unwrap().lines().count() - 1;
            assert_eq!(parsed.rows(), lines, "{name}");
            seen += 1;
        }
        assert!(seen >= 7);
    }

    #[test]
    fn rows_are_grouped_by_date_and_checked_by_hand() {
        let logs = parse(&read("player_game_logs_2024_25.csv")).unwrap();
        assert_eq!(logs.rows(), 22_124);
        let (rows, csv_bytes) = &logs.by_date["2025-04-13"];
        let HistoryRow::PlayerGameLog(duren) = rows
            .iter()
            .find(|r| matches!(r, HistoryRow::PlayerGameLog(l) if l.player_id == 1631105))
            .unwrap()
        else {
            unreachable!()
        };
        assert_eq!((duren.points, duren.minutes, duren.home), (4, 8.0, false));
        assert_eq!(duren.opponent, "MIL");
        // The date's own CSV: the header and exactly that date's lines.
        let text = String::from_utf8(csv_bytes.clone()).unwrap();
        assert_eq!(text.lines().count(), rows.len() + 1);
        assert!(text.lines().skip(1).all(|l| l.contains(",2025-04-13,")));

        let lines = parse(&read("points_lines_2025_26_through_2025-11-07.csv")).unwrap();
        assert_eq!(lines.rows(), 3_437);
        let HistoryRow::PointsLine(first) = &lines.by_date["2025-10-21"].0[0] else {
            unreachable!()
        };
        assert_eq!(
            (first.line, first.over_odds, first.under_odds),
            (11.5, Some(-129), Some(101))
        );

        let teams = parse(&read("team_games_2024_25.csv")).unwrap();
        let HistoryRow::TeamGame(okc) = teams.by_date["2025-06-22"]
            .0
            .iter()
            .find(|r| matches!(r, HistoryRow::TeamGame(t) if t.team == "OKC"))
            .unwrap()
        else {
            unreachable!()
        };
        assert_eq!(
            (okc.points, okc.game_id.as_str(), okc.plus_minus),
            (103, "0042400407", 12.0)
        );
    }

    #[test]
    fn any_file_with_the_columns_is_accepted_in_any_order() {
        let body = "home_away,pts,player,extra,player_id,date,matchup,minutes,fgm,fga,threes_made,threes_attempted,ftm,fta,reb,ast,tov,opponent\n\
                    HOME,31,Some One,x,7,2026-01-02,BOS vs. NYK,36.5,11,20,3,8,6,7,5,4,2,NYK\n";
        let parsed = parse(body.as_bytes()).unwrap();
        assert_eq!(parsed.kind, HistoryKind::PlayerGameLogs);
        let HistoryRow::PlayerGameLog(r) = &parsed.by_date["2026-01-02"].0[0] else {
            unreachable!()
        };
        assert_eq!(
            (r.points, r.player_id, r.home, r.minutes),
            (31, 7, true, 36.5)
        );
    }

    #[test]
    fn bad_files_say_what_and_where() {
        let err = parse(b"player,date\nA,2025-01-01\n").unwrap_err();
        assert!(
            err.contains("schema mismatch") && err.contains("missing"),
            "{err}"
        );
        let body = "player,player_id,date,matchup,minutes,fgm,fga,threes_made,threes_attempted,ftm,fta,reb,ast,tov,pts,opponent,home_away\n\
                    A,1,2025-01-01,BOS vs. NYK,30,1,2,0,0,0,0,1,1,1,2,NYK,HOME\n\
                    B,2,2025-01-01,BOS vs. NYK,30,1,2,0,0,0,0,1,1,1,lots,NYK,HOME\n";
        let err = parse(body.as_bytes()).unwrap_err();
        assert!(
            err.contains("line 3") && err.contains("pts") && err.contains("lots"),
            "{err}"
        );
        assert!(parse(b"<html>").unwrap_err().contains("HTML"));
        assert_eq!(parse(b"").unwrap_err(), "empty body");
    }

    #[tokio::test]
    async fn importing_twice_stores_nothing_new() {
        let dir = tempfile::tempdir().unwrap();
        let deps = Deps::open(&crate::DepsConfig::under(
            dir.path(),
            super::super::SourceConfig::replay("http://x"),
        ))
        .await
        .unwrap();
        let path = std::path::PathBuf::from(format!(
            "{HISTORY}/points_lines_2025_26_through_2025-11-07.csv"
        ));
        let first = import_file(&deps, &path).await.unwrap();
        assert_eq!(first.kind, Some(HistoryKind::PointsLines));
        assert_eq!(first.rows, 3_437);
        assert_eq!(first.payloads_new, first.dates);
        let again = import_file(&deps, &path).await.unwrap();
        assert_eq!(
            (again.payloads_new, again.payloads_existing),
            (0, first.dates)
        );
        let kept: i64 = crate::storage::queries::testing::scalar(
            &deps.warehouse,
            crate::storage::sql::Sql::new(
                "SELECT COUNT(*) FROM raw_payloads WHERE source = 'historical_points_lines'",
            ),
        )
        .await
        .unwrap();
        assert_eq!(kept as usize, first.dates);

        let bad = dir.path().join("broken.csv");
        std::fs::write(&bad, "nothing,useful\n1,2\n").unwrap();
        let err = import_file(&deps, &bad).await.unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("broken.csv") && msg.contains("quarantine/historical_import/"),
            "{msg}"
        );
    }
}
