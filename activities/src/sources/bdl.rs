//! What the Ball Don't Lie v1 sources share: the `{"data": [...], "meta": {...}}` page, its
//! cursor, the key, and a fetch that follows `meta.next_cursor` page after page.

use serde::Deserialize;

use super::SourceRequest;

/// At most this many pages per fetch; a longer chain ends with a warning.
pub const MAX_PAGES: usize = 50;

/// One page of a list endpoint. `meta` is absent on endpoints that do not paginate.
#[derive(Debug, Deserialize)]
pub(crate) struct Page<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub meta: Option<Meta>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Meta {
    #[serde(default)]
    pub next_cursor: Option<serde_json::Value>,
}

/// The cursor of the next page, if the body names one (a number or a string).
pub fn next_cursor(body: &[u8]) -> Result<Option<String>, String> {
    let page: Page<serde::de::IgnoredAny> = super::http::parse_json(body)?;
    Ok(match page.meta.and_then(|m| m.next_cursor) {
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
        _ => None,
    })
}

/// Adds the cursor (when there is one) to a first-page request and names the page in the key.
pub fn with_cursor(mut req: SourceRequest, cursor: Option<&str>, page: usize) -> SourceRequest {
    if let Some(c) = cursor {
        req.query.push(("cursor".into(), c.to_string()));
    }
    if page > 1 {
        req.request_key = format!("{}-p{page}", req.request_key);
    }
    req
}

/// Fetches `first` and every page after it (following `meta.next_cursor`, at most
/// [`MAX_PAGES`]), keeping each body; `count` is the source's parser, counting records.
pub async fn fetch_pages(
    deps: &crate::Deps,
    source: &str,
    date: &str,
    first: SourceRequest,
    count: fn(&[u8]) -> Result<usize, String>,
) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let mut payloads = Vec::new();
    let mut warnings = Vec::new();
    let mut records = 0usize;
    let mut cursor: Option<String> = None;
    for page in 1..=MAX_PAGES {
        let req = with_cursor(first.clone(), cursor.as_deref(), page);
        let body = deps.sources.get(source, date, &req).await?;
        let (p, n) = super::http::keep_payload(
            &deps.raw,
            &deps.warehouse,
            source,
            date,
            &req,
            body.clone(),
            count,
        )
        .await?;
        payloads.push(p);
        records += n;
        let next = next_cursor(&body).map_err(crate::PipelineError::Internal)?;
        match next {
            None => {
                cursor = None;
                break;
            }
            Some(c) if cursor.as_deref() == Some(c.as_str()) => {
                warnings.push(format!("page {page} repeats cursor {c}; stopped"));
                cursor = None;
                break;
            }
            Some(c) => cursor = Some(c),
        }
    }
    if let Some(c) = cursor {
        warnings.push(format!(
            "stopped after {MAX_PAGES} pages; next cursor {c} not fetched"
        ));
    }
    Ok(nbaprops_proto::ScrapeResult {
        source: source.to_string(),
        payloads,
        records_seen: records as u32,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_read_from_meta() {
        let body = std::fs::read("../../shared/data/samples/bdl_injuries/raw_49fd60fb.json")
            .expect("tests read ../shared/data beside the project");
        assert_eq!(next_cursor(&body).unwrap().as_deref(), Some("4082934"));
        assert_eq!(
            next_cursor(br#"{"data":[],"meta":{"per_page":100}}"#).unwrap(),
            None
        );
        assert_eq!(next_cursor(br#"{"data":[]}"#).unwrap(), None);
        assert_eq!(
            next_cursor(br#"{"data":[],"meta":{"next_cursor":"abc"}}"#)
                .unwrap()
                .as_deref(),
            Some("abc")
        );
        assert!(next_cursor(b"<html>").unwrap_err().contains("HTML"));
    }

    #[test]
    fn later_pages_carry_the_cursor_and_their_own_key() {
        let first = SourceRequest {
            base_url: "https://api.balldontlie.io".into(),
            path: "/v1/player_injuries".into(),
            query: vec![("per_page".into(), "100".into())],
            request_key: "all".into(),
        };
        let p1 = with_cursor(first.clone(), None, 1);
        assert_eq!(p1, first);
        let p2 = with_cursor(first, Some("4082934"), 2);
        assert_eq!(p2.request_key, "all-p2");
        assert!(p2.url().ends_with("per_page=100&cursor=4082934"));
    }
}
