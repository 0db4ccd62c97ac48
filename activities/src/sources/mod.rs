//! Phase 1: the sources. Each module knows its requests (URL, query) and its native format;
//! [`http::SourceClient`] does the HTTP, keeps every body in the raw store, and quarantines
//! bodies that do not parse.

pub mod http;
pub mod nbac_injury_report;
pub mod nbac_player_boxscore;
pub mod nbac_schedule;
pub mod oddsa_player_props;
pub mod replay;

use chrono::NaiveDate;

/// Where the sources live. Every base URL can point at the replay server.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    pub nba_cdn_url: String,
    pub nba_stats_url: String,
    pub odds_api_url: String,
    /// The Odds API key: sent as a query parameter, never logged or stored.
    pub odds_api_key: Option<String>,
    pub timeout: std::time::Duration,
    pub user_agent: String,
}

impl SourceConfig {
    /// The real public hosts.
    pub fn live() -> Self {
        Self {
            nba_cdn_url: "https://cdn.nba.com".into(),
            nba_stats_url: "https://stats.nba.com".into(),
            odds_api_url: "https://api.the-odds-api.com".into(),
            odds_api_key: None,
            timeout: std::time::Duration::from_secs(30),
            user_agent: concat!("nbaprops/", env!("CARGO_PKG_VERSION")).into(),
        }
    }

    /// Every source served by one replay server (tests, the demo, benchmarks).
    pub fn replay(base_url: &str) -> Self {
        let base = base_url.trim_end_matches('/').to_string();
        Self {
            nba_cdn_url: base.clone(),
            nba_stats_url: base.clone(),
            odds_api_url: base,
            odds_api_key: Some("replay".into()),
            timeout: std::time::Duration::from_secs(10),
            ..Self::live()
        }
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

/// Parses a YYYY-MM-DD date or says which request carried a bad one.
pub fn parse_date(date: &str) -> crate::error::Result<NaiveDate> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|e| {
        crate::error::PipelineError::InvalidRequest(format!("date {date:?} is not YYYY-MM-DD: {e}"))
    })
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
