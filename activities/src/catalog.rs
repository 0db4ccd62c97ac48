//! The code behind the registry's names. Each family of processors lists its own
//! (`sources::SOURCES`, `raw::PROCESSORS`, `analytics::PROCESSORS`, ...); this module joins
//! them, and its test holds them one to one with `registry::specs()`.

use futures::future::BoxFuture;
use nbaprops_proto::{ProcessorRequest, ProcessorResult, ScrapeResult};

use crate::error::Result;
use crate::storage::warehouse::WriteMeta;
use crate::storage::TableDef;
use crate::{analytics, grade, precompute, predict, raw, sources, Deps};

/// A Phase 1 source: fetches its data date and keeps the payloads in the raw store.
#[derive(Clone, Copy)]
pub struct Source {
    pub name: &'static str,
    pub fetch: for<'a> fn(&'a Deps, &'a str) -> BoxFuture<'a, Result<ScrapeResult>>,
}

/// A processor of Phases 2-6: replaces its partition of its data date.
#[derive(Clone, Copy)]
pub struct Processor {
    pub name: &'static str,
    /// The warehouse table whose partition it replaces (its spec's first write); `None` for
    /// one that writes no warehouse table of its own (a model artifact).
    pub table: Option<&'static TableDef>,
    #[allow(clippy::type_complexity)]
    pub run: for<'a> fn(
        &'a Deps,
        &'a ProcessorRequest,
        &'a str,
        &'a WriteMeta,
    ) -> BoxFuture<'a, Result<ProcessorResult>>,
}

/// A [`Source`] entry for a source module with `SOURCE` and `fetch(deps, date)` (or the
/// named fetch function; `per_scheduled_game`: `fetch_games` over the date's scheduled games).
#[macro_export]
macro_rules! source_entry {
    ($module:ident) => {
        $crate::catalog::Source {
            name: $module::SOURCE,
            fetch: |deps, date| Box::pin($module::fetch(deps, date)),
        }
    };
    ($module:ident, per_scheduled_game) => {
        $crate::catalog::Source {
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
        $crate::catalog::Source {
            name: $module::SOURCE,
            fetch: |deps, date| Box::pin($module::$fetch(deps, date)),
        }
    };
}

/// A [`Processor`] entry for a processor module with `NAME` and `run(deps, req, date, meta)`,
/// and the row type of the table it writes.
#[macro_export]
macro_rules! processor_entry {
    ($module:ident) => {
        $crate::catalog::Processor {
            name: $module::NAME,
            table: None,
            run: |deps, req, date, meta| Box::pin($module::run(deps, req, date, meta)),
        }
    };
    ($module:ident, $row:path) => {
        $crate::catalog::Processor {
            name: $module::NAME,
            table: Some(<$row as $crate::storage::TableRow>::TABLE),
            run: |deps, req, date, meta| Box::pin($module::run(deps, req, date, meta)),
        }
    };
}

/// The processors of every family, Phase 2 to grading.
fn processors() -> impl Iterator<Item = &'static Processor> {
    raw::PROCESSORS
        .iter()
        .chain(analytics::PROCESSORS)
        .chain(precompute::PROCESSORS)
        .chain(predict::PROCESSORS)
        .chain(grade::PROCESSORS)
}

/// The code of the source named `name`.
pub fn source(name: &str) -> Option<&'static Source> {
    sources::SOURCES.iter().find(|s| s.name == name)
}

/// The code of the processor named `name`.
pub fn processor(name: &str) -> Option<&'static Processor> {
    processors().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use nbaprops_proto::registry::{self, Kind};

    /// The name→code map equals the registry one to one: every spec has code of its kind,
    /// every piece of code a spec, and no name twice.
    #[test]
    fn the_code_map_equals_the_registry() {
        let mut code: BTreeMap<&str, &str> = BTreeMap::new();
        let sources = super::sources::SOURCES.iter().map(|s| (s.name, "source"));
        let processors = super::processors().map(|p| (p.name, "processor"));
        for (name, what) in sources.chain(processors) {
            assert!(code.insert(name, what).is_none(), "{name} has code twice");
        }
        let specs: BTreeMap<&str, &str> = registry::specs()
            .iter()
            .map(|s| {
                let what = if s.kind == Kind::Scrape {
                    "source"
                } else {
                    "processor"
                };
                (s.name, what)
            })
            .collect();
        assert_eq!(code, specs);
    }

    /// A processor's table is its spec's first write; only writers of no table have none.
    #[test]
    fn each_processor_writes_the_table_its_spec_names_first() {
        for p in super::processors() {
            let spec = registry::get(p.name).unwrap();
            match p.table {
                Some(def) => assert_eq!(def.name, spec.writes[0], "{}", p.name),
                None => assert_eq!(spec.writes, ["model_artifacts"], "{}", p.name),
            }
        }
    }
}
