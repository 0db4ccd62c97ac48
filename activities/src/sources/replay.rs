//! How a recorded or simulated response is named on disk, shared by the replay server (which
//! serves them) and the simulator (which writes them): `{dir}{path}` for a request without a
//! query, `{dir}{path}@{canonical query}` with one. The canonical query sorts the parameters
//! and leaves credentials out, so the same request always finds the same file.

use std::path::{Path, PathBuf};

use super::{pct, SECRET_PARAMS};

/// The file that answers `path?query` under `dir`.
pub fn file_for(dir: &Path, path: &str, query: &[(String, String)]) -> PathBuf {
    let rel = path.trim_start_matches('/');
    let mut pairs: Vec<(&str, &str)> = query
        .iter()
        .filter(|(k, _)| !SECRET_PARAMS.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if pairs.is_empty() {
        return dir.join(rel);
    }
    pairs.sort();
    let canon = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&");
    // File names stay well under the usual 255-byte limit.
    let suffix = if canon.len() > 180 {
        format!("h{}", &blake3::hash(canon.as_bytes()).to_hex()[..32])
    } else {
        canon
    };
    let mut p = dir.join(rel).into_os_string();
    p.push(format!("@{suffix}"));
    PathBuf::from(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_credentials_do_not_change_the_file() {
        let dir = Path::new("/r");
        let a = file_for(
            dir,
            "/v4/sports/basketball_nba/events",
            &[
                ("b".into(), "2".into()),
                ("apiKey".into(), "k1".into()),
                ("a".into(), "1/2".into()),
            ],
        );
        let b = file_for(
            dir,
            "/v4/sports/basketball_nba/events",
            &[("a".into(), "1/2".into()), ("b".into(), "2".into())],
        );
        assert_eq!(a, b);
        assert_eq!(
            a,
            PathBuf::from("/r/v4/sports/basketball_nba/events@a=1%2F2&b=2")
        );
        assert_eq!(
            file_for(dir, "/static/x.json", &[]),
            PathBuf::from("/r/static/x.json")
        );
    }
}
