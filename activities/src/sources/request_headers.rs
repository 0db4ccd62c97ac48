//! The headers some hosts require on every request: stats.nba.com a browser-like origin, Ball
//! Don't Lie its API key. The HTTP client asks here by the request's base URL, so it stays the
//! same for every source. Replay points every source at one base URL, which then gets both.

use super::SourceConfig;

/// The headers to send with a request to `base_url`.
pub fn for_host(config: &SourceConfig, base_url: &str) -> Vec<(&'static str, String)> {
    let mut headers = Vec::new();
    if base_url == config.nba_stats_url {
        // stats.nba.com refuses requests without a browser-like origin.
        headers.extend([
            ("Referer", "https://www.nba.com/".to_string()),
            ("Origin", "https://www.nba.com".to_string()),
            ("x-nba-stats-origin", "stats".to_string()),
            ("x-nba-stats-token", "true".to_string()),
        ]);
    }
    if base_url == config.bdl_url {
        headers.extend(bdl_auth_header(config));
    }
    headers
}

/// The header that carries the key: Ball Don't Lie wants the bare key in `Authorization`.
/// Only requests to [`SourceConfig::bdl_url`] carry it; the header never reaches logs, errors
/// or replay file names (those use the URL only).
pub fn bdl_auth_header(config: &SourceConfig) -> Option<(&'static str, String)> {
    config
        .bdl_api_key
        .as_ref()
        .map(|k| ("Authorization", k.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_goes_in_a_header_not_the_url() {
        let mut config = SourceConfig::live();
        assert_eq!(bdl_auth_header(&config), None);
        config.bdl_api_key = Some("SECRET".into());
        assert_eq!(
            bdl_auth_header(&config),
            Some(("Authorization", "SECRET".to_string()))
        );
    }

    #[test]
    fn each_host_gets_its_own_headers() {
        let mut config = SourceConfig::live();
        config.bdl_api_key = Some("SECRET".into());
        let names = |url: &str| -> Vec<&str> {
            for_host(&config, url).into_iter().map(|(n, _)| n).collect()
        };
        assert_eq!(
            names(&config.nba_stats_url.clone()),
            [
                "Referer",
                "Origin",
                "x-nba-stats-origin",
                "x-nba-stats-token"
            ]
        );
        assert_eq!(names(&config.bdl_url.clone()), ["Authorization"]);
        assert!(names("https://cdn.nba.com").is_empty());
    }
}
