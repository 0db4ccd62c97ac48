//! The only I/O besides `sources/`: the SQL warehouse and the raw payload store.

pub mod model_artifacts;
pub mod raw_store;
pub mod warehouse;
pub mod window;

pub use raw_store::RawStore;
pub use warehouse::{TableDef, TableRow, Value, Warehouse, WriteMode, WriteStats};
pub use window::Window;
