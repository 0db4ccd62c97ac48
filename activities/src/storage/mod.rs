//! The only I/O besides `sources/`: the SQL warehouse and the raw payload store.

pub mod model_artifacts;
pub mod raw_store;
pub mod table;
pub mod warehouse;
pub mod window;

pub use raw_store::RawStore;
pub use table::{EntityKind, TableDef, TableRow, Value, WriteMode};
pub use warehouse::{Warehouse, WriteStats};
pub use window::Window;
