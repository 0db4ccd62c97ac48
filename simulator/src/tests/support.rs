//! Helpers the simulator's tests share.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use nbaprops_activities::sources::{replay, SourceRequest};

pub(super) fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Every file under `dir`, relative path and bytes, sorted.
pub(super) fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    out.sort();
    out
}

pub(super) fn read_at(dir: &Path, req: &SourceRequest) -> Vec<u8> {
    std::fs::read(replay::file_for(dir, &req.path, &req.query)).unwrap()
}
