//! What a warehouse table is to the generic code: its definition (name, partition and key
//! columns, entities, write mode), its typed rows and their values, and the
//! [`warehouse_table!`](crate::warehouse_table) macro that declares both at once. The writer
//! (`warehouse`) and the window reader (`window`) share these.

pub use super::sql::{Kind, Value};

/// How a partition is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Changed and vanished rows are deleted, new versions inserted (`written_at` stamps them).
    Replace,
    /// Append-only: changed and vanished rows get `superseded_at`, new versions are inserted
    /// with `correlation_id` and `created_at`. Only rows with `superseded_at IS NULL` are live.
    Supersede,
}

/// Which entity a table's rows belong to, for `entities_changed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    Player,
    Team,
    Game,
}

/// A warehouse table as the generic writer sees it.
#[derive(Debug)]
pub struct TableDef {
    pub name: &'static str,
    /// The column holding the date the partition is keyed by.
    pub partition_column: &'static str,
    /// Columns that identify a row inside its partition.
    pub key_columns: &'static [&'static str],
    /// Every business column, in the order of `TableRow::values`; hashed into `row_hash`.
    pub columns: &'static [&'static str],
    /// The kind of each column of `columns`: what NULLs bind as and values decode by.
    pub kinds: &'static [Kind],
    /// Columns whose values are reported as changed entities.
    pub entities: &'static [(&'static str, EntityKind)],
    pub mode: WriteMode,
}

impl TableDef {
    pub(super) fn column_index(&self, column: &str) -> usize {
        self.find_column(column)
            .unwrap_or_else(|| panic!("{} has no column {column}", self.name))
    }

    pub(super) fn find_column(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|c| *c == column)
    }

    /// `SELECT` list of the business columns.
    pub fn select_list(&self) -> String {
        self.columns.join(", ")
    }
}

/// A typed row of a warehouse table.
pub trait TableRow: Sized {
    const TABLE: &'static TableDef;
    /// Business values in the order of `TABLE.columns`.
    fn values(&self) -> Vec<Value>;
    /// The row from its values in the order of `TABLE.columns`, each of its declared kind.
    fn from_values(values: Vec<Value>) -> Result<Self, String>;
}

/// Declares a warehouse table's typed row once: the struct, its `TableDef` (with each column's
/// kind, from its Rust type) and its `TableRow` conversions, all from one list of columns, so
/// the column order of the struct, the definition and the hashed values can never disagree.
///
/// ```ignore
/// warehouse_table! {
///     /// The date's games.
///     pub struct ScheduleRow in "raw_nbac_schedule" {
///         partition: game_date, key: [game_id], entities: [(game_id, Game)], mode: Replace,
///     } {
///         game_date: String,
///         game_id: String,
///     }
/// }
/// ```
#[macro_export]
macro_rules! warehouse_table {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident in $table:literal {
            partition: $partition:ident,
            key: [$($key:ident),* $(,)?],
            entities: [$(($entity:ident, $kind:ident)),* $(,)?],
            mode: $mode:ident $(,)?
        } {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        $vis struct $name {
            $( $(#[$field_meta])* pub $field: $ty ),*
        }

        impl $crate::storage::TableRow for $name {
            const TABLE: &'static $crate::storage::TableDef = &$crate::storage::TableDef {
                name: $table,
                partition_column: stringify!($partition),
                key_columns: &[$(stringify!($key)),*],
                columns: &[$(stringify!($field)),*],
                kinds: &[$(<$ty as $crate::storage::sql::Decode>::KIND),*],
                entities: &[$((stringify!($entity), $crate::storage::EntityKind::$kind)),*],
                mode: $crate::storage::WriteMode::$mode,
            };

            fn values(&self) -> Vec<$crate::storage::Value> {
                vec![$($crate::storage::Value::from(self.$field.clone())),*]
            }

            fn from_values(values: Vec<$crate::storage::Value>) -> Result<Self, String> {
                let mut values = values.into_iter();
                Ok(Self {
                    $($field: <$ty as $crate::storage::sql::Decode>::decode(
                        values.next().ok_or_else(|| format!("{}: too few columns", $table))?,
                        concat!($table, ".", stringify!($field)),
                    )?),*
                })
            }
        }
    };
}
