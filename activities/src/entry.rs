//! One source's or processor's code, as its family lists it (`sources::SOURCES`,
//! `raw::PROCESSORS`, ...), and the macros that build the entries. `catalog.rs` joins the lists.

use futures::future::BoxFuture;
use nbaprops_proto::{ProcessorRequest, ProcessorResult, ScrapeResult};

use crate::error::Result;
use crate::storage::warehouse::WriteMeta;
use crate::storage::TableDef;
use crate::Deps;

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

/// A [`Processor`] entry for a processor module with `NAME` and `run(deps, req, date, meta)`,
/// and the row type of the table it writes.
#[macro_export]
macro_rules! processor_entry {
    ($module:ident) => {
        $crate::entry::Processor {
            name: $module::NAME,
            table: None,
            run: |deps, req, date, meta| Box::pin($module::run(deps, req, date, meta)),
        }
    };
    ($module:ident, $row:path) => {
        $crate::entry::Processor {
            name: $module::NAME,
            table: Some(<$row as $crate::storage::TableRow>::TABLE),
            run: |deps, req, date, meta| Box::pin($module::run(deps, req, date, meta)),
        }
    };
}
