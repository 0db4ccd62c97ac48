//! The only I/O besides `sources/`: the SQL warehouse and the raw payload store.

pub mod db;
pub mod model_artifacts;
pub mod queries;
pub mod raw_store;
pub mod schema;
pub mod sql;
pub mod table;
pub mod warehouse;
pub mod window;

pub use db::Backend;
pub use raw_store::RawStore;
pub use table::{EntityKind, Kind, TableDef, TableRow, Value, WriteMode};
pub use warehouse::{Filter, SchemaPolicy, Warehouse, WriteStats};
pub use window::Window;
