//! Phase 1: the sources. Each module knows its requests (URL, query) and its native format;
//! [`http::SourceClient`] does the HTTP, keeps every body in the raw store, and quarantines
//! bodies that do not parse.

pub mod bdl;
pub mod bdl_box_scores;
pub mod bdl_injuries;
pub mod bp_player_props;
pub mod espn_roster;
pub mod espn_scoreboard;
pub mod historical_import;
pub mod http;
pub mod injury_update;
pub(crate) mod nba_json;
pub mod nbac_injury_report;
pub mod nbac_play_by_play;
pub mod nbac_player_boxscore;
pub mod nbac_player_list;
pub mod nbac_schedule;
pub mod nbac_schedule_api;
pub mod nbac_team_boxscore;
pub mod oddsa;
pub mod oddsa_game_lines;
pub mod oddsa_player_props;
pub mod replay;
pub mod request_headers;

/// A [`Source`](crate::entry::Source) entry for a source module with `SOURCE` and `fetch(deps, date)` (or the
/// named fetch function; `per_scheduled_game`: `fetch_games` over the date's scheduled games).
#[macro_export]
macro_rules! source_entry {
    ($module:ident) => {
        $crate::entry::Source {
            name: $module::SOURCE,
            fetch: |deps, date| Box::pin($module::fetch(deps, date)),
        }
    };
    ($module:ident, per_scheduled_game) => {
        $crate::entry::Source {
            name: $module::SOURCE,
            fetch: |deps, date| {
                Box::pin($crate::sources::fetch_scheduled_games(
                    deps,
                    $module::SOURCE,
                    date,
                    move |ids| async move { $module::fetch_games(deps, date, &ids).await },
                ))
            },
        }
    };
    ($module:ident, $fetch:ident) => {
        $crate::entry::Source {
            name: $module::SOURCE,
            fetch: |deps, date| Box::pin($module::$fetch(deps, date)),
        }
    };
}

/// The Phase 1 sources, by registry name.
pub const SOURCES: &[crate::entry::Source] = &[
    crate::source_entry!(nbac_schedule),
    crate::source_entry!(nbac_schedule_api),
    crate::source_entry!(nbac_player_list),
    crate::source_entry!(bdl_injuries),
    crate::source_entry!(nbac_player_boxscore),
    crate::source_entry!(nbac_team_boxscore, per_scheduled_game),
    crate::source_entry!(nbac_play_by_play, per_scheduled_game),
    crate::source_entry!(bdl_box_scores, fetch_checked),
    crate::source_entry!(nbac_injury_report, fetch_for_day),
    crate::source_entry!(oddsa_player_props),
    crate::source_entry!(oddsa_game_lines),
    crate::source_entry!(bp_player_props),
    crate::source_entry!(espn_scoreboard),
    crate::source_entry!(espn_roster),
];

use chrono::NaiveDate;

/// Where the sources live. Every base URL can point at the replay server.
#[derive(Clone)]
pub struct SourceConfig {
    pub nba_cdn_url: String,
    pub nba_stats_url: String,
    /// Where NBA.com keeps the official injury report PDFs.
    pub nba_injury_report_url: String,
    pub odds_api_url: String,
    /// The Odds API key: sent as a query parameter, never logged or stored.
    pub odds_api_key: Option<String>,
    pub bettingpros_url: String,
    pub espn_url: String,
    pub bdl_url: String,
    /// The Ball Don't Lie key: sent as the `Authorization` header, never logged or stored.
    pub bdl_api_key: Option<String>,
    pub timeout: std::time::Duration,
    pub user_agent: String,
    /// Requests per second to any one host from this process (None: unlimited). The live
    /// sites throttle or block clients that ask faster.
    pub requests_per_second_per_host: Option<u32>,
    /// Send the date of snapshot sources (Ball Don't Lie injuries, ESPN rosters: the live APIs
    /// answer "as of now" and take no date) as a replay-only `as_of=YYYY-MM-DD` query parameter,
    /// so a replay folder can answer each date with the snapshot of that date. Off for the live
    /// hosts; on for [`SourceConfig::replay`] (the replay server falls back to the undated file
    /// when a folder has no dated one, as recorded folders do not).
    pub dated_snapshots: bool,
}

impl SourceConfig {
    /// The real public hosts.
    pub fn live() -> Self {
        Self {
            nba_cdn_url: "https://cdn.nba.com".into(),
            nba_stats_url: "https://stats.nba.com".into(),
            nba_injury_report_url: "https://ak-static.cms.nba.com".into(),
            odds_api_url: "https://api.the-odds-api.com".into(),
            odds_api_key: None,
            bettingpros_url: "https://api.bettingpros.com".into(),
            espn_url: "https://site.api.espn.com".into(),
            bdl_url: "https://api.balldontlie.io".into(),
            bdl_api_key: None,
            timeout: std::time::Duration::from_secs(30),
            user_agent: concat!("nbaprops/", env!("CARGO_PKG_VERSION")).into(),
            requests_per_second_per_host: Some(2),
            dated_snapshots: false,
        }
    }

    /// Every source served by one replay server (tests, the demo, benchmarks).
    pub fn replay(base_url: &str) -> Self {
        let base = base_url.trim_end_matches('/').to_string();
        Self {
            nba_cdn_url: base.clone(),
            nba_stats_url: base.clone(),
            nba_injury_report_url: base.clone(),
            odds_api_url: base.clone(),
            odds_api_key: Some("replay".into()),
            bettingpros_url: base.clone(),
            espn_url: base.clone(),
            bdl_url: base,
            bdl_api_key: Some("replay".into()),
            timeout: std::time::Duration::from_secs(10),
            requests_per_second_per_host: None,
            dated_snapshots: true,
            ..Self::live()
        }
    }
}

/// Debug output masks the API keys: configs end up in logs.
impl std::fmt::Debug for SourceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mask = |k: &Option<String>| k.as_ref().map(|_| "***");
        f.debug_struct("SourceConfig")
            .field("nba_cdn_url", &self.nba_cdn_url)
            .field("nba_stats_url", &self.nba_stats_url)
            .field("nba_injury_report_url", &self.nba_injury_report_url)
            .field("odds_api_url", &self.odds_api_url)
            .field("odds_api_key", &mask(&self.odds_api_key))
            .field("bettingpros_url", &self.bettingpros_url)
            .field("espn_url", &self.espn_url)
            .field("bdl_url", &self.bdl_url)
            .field("bdl_api_key", &mask(&self.bdl_api_key))
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field(
                "requests_per_second_per_host",
                &self.requests_per_second_per_host,
            )
            .field("dated_snapshots", &self.dated_snapshots)
            .finish()
    }
}

/// One HTTP GET a source makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRequest {
    pub base_url: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Names what was asked for inside the date (an event id, "all"); part of the raw key.
    pub request_key: String,
}

/// The replay-only query parameter that dates a snapshot source's request (see
/// [`SourceConfig::dated_snapshots`]).
pub const AS_OF_PARAM: &str = "as_of";

/// Adds `as_of=date` to a snapshot source's request when the config dates snapshots.
pub fn dated_snapshot(
    config: &SourceConfig,
    mut req: SourceRequest,
    date: NaiveDate,
) -> SourceRequest {
    if config.dated_snapshots {
        req.query
            .push((AS_OF_PARAM.to_string(), date.format("%Y-%m-%d").to_string()));
    }
    req
}

/// Query parameters that are credentials: sent, but never logged, stored or used to name
/// replay files.
pub const SECRET_PARAMS: &[&str] = &["apiKey", "api_key"];

impl SourceRequest {
    /// The URL as sent (with credentials).
    pub fn url(&self) -> String {
        let mut url = format!("{}{}", self.base_url.trim_end_matches('/'), self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&encode_query(&self.query));
        }
        url
    }

    /// The URL with credentials masked: what logs and errors show.
    pub fn display_url(&self) -> String {
        let mut url = format!("{}{}", self.base_url.trim_end_matches('/'), self.path);
        if !self.query.is_empty() {
            let parts: Vec<String> = self
                .query
                .iter()
                .map(|(k, v)| {
                    if SECRET_PARAMS.contains(&k.as_str()) {
                        format!("{}=***", pct(k))
                    } else {
                        format!("{}={}", pct(k), pct(v))
                    }
                })
                .collect();
            url.push('?');
            url.push_str(&parts.join("&"));
        }
        url
    }
}

fn encode_query(q: &[(String, String)]) -> String {
    q.iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub(crate) fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The NBA season a date belongs to, as the stats API spells it ("2024-25").
pub fn nba_season(date: NaiveDate) -> String {
    use chrono::Datelike;
    let start = if date.month() >= 8 {
        date.year()
    } else {
        date.year() - 1
    };
    format!("{start}-{:02}", (start + 1) % 100)
}

/// The games of one date as a kept season schedule lists them: (game id, Eastern date).
pub fn schedule_games(
    source: &str,
    body: &[u8],
) -> std::result::Result<Vec<(String, String)>, String> {
    if source == nbac_schedule::SOURCE {
        Ok(nbac_schedule::parse(body)?
            .into_iter()
            .map(|g| (g.game_id.clone(), g.et_date().to_string()))
            .collect())
    } else {
        Ok(nbac_schedule_api::parse(body)?
            .into_iter()
            .map(|g| (g.game_id, g.game_date_et))
            .collect())
    }
}

/// The ids of the games on `date`, from the newest kept season schedule that covers the
/// date's season (the CDN schedule first, then the stats-host one); `None` when no kept
/// schedule covers it (then nothing can be said about the date's games).
///
/// A schedule "covers" a season when it lists any game of that season: the live CDN file holds
/// only the current season, the stats-host file the season it was asked for.
pub async fn scheduled_game_ids(
    deps: &crate::Deps,
    date: &str,
) -> crate::Result<Option<Vec<String>>> {
    let season = nba_season(parse_date(date)?);
    for source in [nbac_schedule::SOURCE, nbac_schedule_api::SOURCE] {
        let keys = crate::storage::queries::raw::newest_keys(&deps.warehouse, source, 8).await?;
        for key in keys {
            let body = deps.raw.get(&key).await?;
            let games = schedule_games(source, &body).map_err(|reason| {
                crate::PipelineError::Internal(format!(
                    "kept schedule {key} no longer parses: {reason}"
                ))
            })?;
            let covers = games.iter().any(|(_, d)| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok_and(|d| nba_season(d) == season)
            });
            if covers {
                return Ok(Some(
                    games
                        .into_iter()
                        .filter(|(_, d)| d == date)
                        .map(|(id, _)| id)
                        .collect(),
                ));
            }
        }
    }
    Ok(None)
}

/// How many games the kept schedule lists on `date`; `None` when no kept schedule covers the
/// date's season (then nothing can be said about an empty answer).
pub async fn scheduled_games(deps: &crate::Deps, date: &str) -> crate::Result<Option<usize>> {
    Ok(scheduled_game_ids(deps, date).await?.map(|ids| ids.len()))
}

/// The game ids a per-game source asks for on `date`, and a warning when no kept schedule
/// covers the date (then it asks for nothing).
pub async fn game_ids_for(
    deps: &crate::Deps,
    source: &str,
    date: &str,
) -> crate::Result<(Vec<String>, Option<String>)> {
    Ok(match scheduled_game_ids(deps, date).await? {
        Some(ids) => (ids, None),
        None => (
            vec![],
            Some(format!(
                "{source}: no kept schedule covers {date}; no games asked for"
            )),
        ),
    })
}

/// A per-game source's date: `fetch_games` asks for the games the kept schedules list on it,
/// with a warning when no kept schedule covers the date (then it asks for nothing).
pub async fn fetch_scheduled_games<F, Fut>(
    deps: &crate::Deps,
    source: &str,
    date: &str,
    fetch_games: F,
) -> crate::Result<nbaprops_proto::ScrapeResult>
where
    F: FnOnce(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = crate::Result<nbaprops_proto::ScrapeResult>>,
{
    let (ids, warning) = game_ids_for(deps, source, date).await?;
    let mut scraped = fetch_games(ids).await?;
    scraped.warnings.extend(warning);
    Ok(scraped)
}

/// An empty answer is success on a date without games, and a loud failure on a date the
/// schedule lists games for (the payload is kept either way).
pub async fn check_not_empty_on_game_day(
    deps: &crate::Deps,
    source: &str,
    date: &str,
    records: usize,
    kept_at: &str,
) -> crate::Result<()> {
    if records > 0 {
        return Ok(());
    }
    match scheduled_games(deps, date).await? {
        Some(games) if games > 0 => Err(crate::PipelineError::QualityCheck {
            processor: source.to_string(),
            date: date.to_string(),
            reason: format!(
                "the schedule lists {games} games but the source answered with no rows (payload kept at {kept_at})"
            ),
        }),
        _ => Ok(()),
    }
}

/// Parses a YYYY-MM-DD date or says which request carried a bad one.
pub fn parse_date(date: &str) -> crate::error::Result<NaiveDate> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|e| {
        crate::error::PipelineError::InvalidRequest(format!("date {date:?} is not YYYY-MM-DD: {e}"))
    })
}

/// The date `days` after `date` (before it when negative), YYYY-MM-DD.
pub fn shift_date(date: &str, days: i64) -> crate::error::Result<String> {
    Ok((parse_date(date)? + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string())
}

/// The games (with teams) the newest kept CDN schedule lists on a date (None: no CDN schedule
/// kept yet). The quality gates use it to name the teams a box score is missing.
pub async fn scheduled_games_on(
    deps: &crate::Deps,
    date: &str,
) -> crate::Result<Option<Vec<nbac_schedule::ScheduledGame>>> {
    let key =
        crate::storage::queries::raw::latest_dated_key(&deps.warehouse, nbac_schedule::SOURCE)
            .await?;
    let Some(key) = key else { return Ok(None) };
    let body = deps.raw.get(&key).await?;
    let games = nbac_schedule::parse(&body).map_err(|reason| {
        crate::PipelineError::Internal(format!("kept schedule {key} no longer parses: {reason}"))
    })?;
    Ok(Some(nbac_schedule::games_on(games, date)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seasons_turn_over_in_august() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(nba_season(d("2025-03-15")), "2024-25");
        assert_eq!(nba_season(d("2025-10-21")), "2025-26");
        assert_eq!(nba_season(d("1999-11-01")), "1999-00");
    }

    #[test]
    fn api_keys_never_show_in_debug_output() {
        let mut c = SourceConfig::live();
        c.odds_api_key = Some("ODDSSECRET".into());
        c.bdl_api_key = Some("BDLSECRET".into());
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("SECRET") && shown.contains("***"),
            "{shown}"
        );
    }

    #[test]
    fn api_keys_never_show_in_display_urls() {
        let r = SourceRequest {
            base_url: "https://api.example".into(),
            path: "/v4/x".into(),
            query: vec![
                ("apiKey".into(), "SECRET".into()),
                ("a".into(), "b c".into()),
            ],
            request_key: "all".into(),
        };
        assert!(r.url().contains("SECRET"));
        assert!(!r.display_url().contains("SECRET"));
        assert!(r.display_url().ends_with("apiKey=***&a=b%20c"));
    }
}
