//! Ball Don't Lie v1 injuries: `GET /v1/player_injuries`, the league's current injury list,
//! paged by `meta.next_cursor`. It is a snapshot, not a dated report: the date only names when
//! it was taken. `return_date` comes without a year ("Oct 1") and the description starts with the
//! date of the note ("Jun 24: ..."); both are kept as text.

use serde::Deserialize;

use super::bdl::Page;
use super::{SourceConfig, SourceRequest};

pub const SOURCE: &str = "bdl_injuries";

/// The first page of the list as of `date`; later pages add `cursor` (see
/// [`super::bdl::with_cursor`]). The live API takes no date (it answers with the list as it
/// stands); against a replay folder the date goes as the replay-only `as_of` parameter (see
/// [`SourceConfig::dated_snapshots`]), so each date gets the list of that date.
pub fn request(config: &SourceConfig, date: chrono::NaiveDate) -> SourceRequest {
    super::dated_snapshot(
        config,
        SourceRequest {
            base_url: config.bdl_url.clone(),
            path: "/v1/player_injuries".into(),
            query: vec![("per_page".into(), "100".into())],
            request_key: "all".into(),
        },
        date,
    )
}

#[derive(Debug, Deserialize)]
struct Item {
    player: Player,
    status: String,
    return_date: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Player {
    id: i64,
    first_name: String,
    last_name: String,
    position: Option<String>,
    team_id: Option<i64>,
}

/// One player on the injury list.
#[derive(Debug, Clone, PartialEq)]
pub struct BdlInjury {
    pub player_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub position: Option<String>,
    /// Ball Don't Lie's team id (1-30).
    pub team_id: Option<i64>,
    /// "Out", "Day-To-Day", ...
    pub status: String,
    /// Month and day, no year ("Oct 1").
    pub return_date: Option<String>,
    pub description: Option<String>,
}

/// Parses one page of injuries; `{"data":[]}` is an empty list.
pub fn parse(body: &[u8]) -> Result<Vec<BdlInjury>, String> {
    let page: Page<Item> = super::http::parse_json(body)?;
    Ok(page
        .data
        .into_iter()
        .map(|i| BdlInjury {
            player_id: i.player.id,
            first_name: i.player.first_name,
            last_name: i.player.last_name,
            position: i.player.position.filter(|p| !p.is_empty()),
            team_id: i.player.team_id,
            status: i.status,
            return_date: i.return_date.filter(|d| !d.is_empty()),
            description: i.description.filter(|d| !d.is_empty()),
        })
        .collect())
}

/// Phase 1: every page of the current injury list, kept under the date.
pub async fn fetch(deps: &crate::Deps, date: &str) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let req = request(&deps.sources.config, super::parse_date(date)?);
    super::bdl::fetch_pages(deps, SOURCE, date, req, |b| parse(b).map(|r| r.len())).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recorded_injury_page_parses() {
        let dir = "../../shared/data/samples/bdl_injuries";
        let mut total = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rows = parse(&std::fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for r in &rows {
                assert!(
                    ["Out", "Day-To-Day", "Questionable", "Doubtful", "Probable"]
                        .contains(&r.status.as_str())
                );
                assert!(r.team_id.is_some_and(|t| (1..=30).contains(&t)), "{r:?}");
            }
            total += rows.len();
        }
        assert!(total >= 100, "{total}");
    }

    #[test]
    fn hand_checked_entry() {
        let body =
            std::fs::read("../../shared/data/samples/bdl_injuries/raw_d45e630e.json").unwrap();
        let rows = parse(&body).unwrap();
        assert_eq!(rows.len(), 2);
        let tatum = &rows[1];
        assert_eq!(tatum.player_id, 434);
        assert_eq!(
            (tatum.first_name.as_str(), tatum.last_name.as_str()),
            ("Jayson", "Tatum")
        );
        assert_eq!(tatum.team_id, Some(2));
        assert_eq!(tatum.position.as_deref(), Some("F"));
        assert_eq!(tatum.status, "Out");
        assert_eq!(tatum.return_date.as_deref(), Some("Feb 1"));
        assert!(tatum
            .description
            .as_deref()
            .unwrap()
            .starts_with("May 13: Tatum will miss"));
        assert_eq!(rows[0].status, "Day-To-Day");
    }

    #[test]
    fn schema_drift_is_named() {
        let no_status = br#"{"data":[{"player":{"id":1,"first_name":"A","last_name":"B"},"return_date":"Oct 1","description":"x"}]}"#;
        let err = parse(no_status).unwrap_err();
        assert!(
            err.contains("schema mismatch") && err.contains("status"),
            "{err}"
        );
        assert!(parse(br#"{"injuries":[]}"#)
            .unwrap_err()
            .contains("schema mismatch"));
    }

    #[test]
    fn html_and_empty_answers() {
        assert!(parse(b"<!doctype html>").unwrap_err().contains("HTML"));
        assert_eq!(parse(b"").unwrap_err(), "empty body");
        assert_eq!(
            parse(br#"{"data":[],"meta":{"per_page":100}}"#).unwrap(),
            vec![]
        );
    }

    #[test]
    fn request_pages_by_hundred() {
        let d = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
        let req = request(&SourceConfig::live(), d);
        assert_eq!(
            req.url(),
            "https://api.balldontlie.io/v1/player_injuries?per_page=100"
        );
        let replay = request(&SourceConfig::replay("http://r"), d);
        assert_eq!(
            replay.url(),
            "http://r/v1/player_injuries?per_page=100&as_of=2025-01-06"
        );
    }
}
