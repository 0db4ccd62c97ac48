//! The code behind the registry's names. Each family of processors lists its own
//! (`sources::SOURCES`, `raw::PROCESSORS`, `analytics::PROCESSORS`, ...); this module joins
//! them, and its test holds them one to one with `registry::specs()`.

use crate::entry::{Processor, Source};
use crate::{analytics, grade, precompute, predict, raw, sources};

/// The processors of every family, Phase 2 to grading.
fn processors() -> impl Iterator<Item = &'static Processor> {
    raw::PROCESSORS
        .iter()
        .chain(analytics::PROCESSORS)
        .chain(precompute::PROCESSORS)
        .chain(predict::PROCESSORS)
        .chain(grade::PROCESSORS)
}

/// The warehouse table each processor writes, each once.
pub fn tables() -> Vec<&'static crate::storage::TableDef> {
    let mut out: Vec<&'static crate::storage::TableDef> = Vec::new();
    for table in processors().filter_map(|p| p.table) {
        if !out.iter().any(|t| t.name == table.name) {
            out.push(table);
        }
    }
    out
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
