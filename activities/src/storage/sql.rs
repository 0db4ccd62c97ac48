//! SQL as the storage layer writes it: text with `?` placeholders and typed arguments, rendered
//! for the backend when it runs (`?` for SQLite, `$1, $2, …` for PostgreSQL), and typed
//! decoding of the rows that come back.
//!
//! Every value has a [`Kind`]: an argument carries the kind of its Rust type (so a NULL binds as
//! a NULL of its column's type, which PostgreSQL requires), and a column is read back by the
//! kind its reader declares, never by what the driver reports.

/// A business value of a row, as stored and as hashed.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(v as i64)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}

impl Value {
    /// The value as a key part (entity ids, keys in diffs).
    pub fn key_string(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Int(i) => i.to_string(),
            Value::Real(f) => f.to_string(),
            Value::Text(s) => s.clone(),
        }
    }
}

/// The kind of a column or an argument: what it holds in Rust and in both databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// i64: SQLite INTEGER, PostgreSQL BIGINT.
    Int,
    /// f64: SQLite REAL, PostgreSQL DOUBLE PRECISION.
    Real,
    /// String: TEXT in both (dates and timestamps are RFC 3339 text).
    Text,
}

impl Kind {
    /// The kind a column's declared SQL type stands for, in either database.
    pub fn of_sql_type(declared: &str) -> Option<Kind> {
        match declared.to_ascii_uppercase().as_str() {
            "INTEGER" | "BIGINT" | "INT8" => Some(Kind::Int),
            "REAL" | "DOUBLE PRECISION" | "FLOAT8" => Some(Kind::Real),
            "TEXT" => Some(Kind::Text),
            _ => None,
        }
    }
}

/// An argument with its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub value: Value,
    pub kind: Kind,
}

/// A Rust value that binds as an argument.
pub trait Bind {
    fn arg(self) -> Arg;
}

/// A Rust type a column decodes into.
pub trait Decode: Sized {
    const KIND: Kind;
    /// `column` names what is decoded, for the error.
    fn decode(value: Value, column: &str) -> Result<Self, String>;
}

macro_rules! scalar {
    ($ty:ty, $kind:ident, $variant:ident, |$v:ident| $to:expr, |$x:ident| $from:expr) => {
        impl Bind for $ty {
            fn arg(self) -> Arg {
                let $v = self;
                Arg {
                    value: Value::$variant($to),
                    kind: Kind::$kind,
                }
            }
        }
        impl Decode for $ty {
            const KIND: Kind = Kind::$kind;
            fn decode(value: Value, column: &str) -> Result<Self, String> {
                match value {
                    Value::$variant($x) => Ok($from),
                    Value::Null => Err(format!("{column}: NULL where a value is required")),
                    other => Err(format!("{column}: {other:?} is not {:?}", Kind::$kind)),
                }
            }
        }
    };
}

scalar!(i64, Int, Int, |v| v, |x| x);
scalar!(f64, Real, Real, |v| v, |x| x);
scalar!(String, Text, Text, |v| v, |x| x);
scalar!(bool, Int, Int, |v| v as i64, |x| x != 0);

impl Bind for &str {
    fn arg(self) -> Arg {
        self.to_string().arg()
    }
}
impl Bind for &String {
    fn arg(self) -> Arg {
        self.clone().arg()
    }
}
impl Bind for u32 {
    fn arg(self) -> Arg {
        (self as i64).arg()
    }
}
impl Bind for i32 {
    fn arg(self) -> Arg {
        (self as i64).arg()
    }
}
impl Bind for usize {
    fn arg(self) -> Arg {
        (self as i64).arg()
    }
}
impl Bind for u64 {
    fn arg(self) -> Arg {
        (self as i64).arg()
    }
}
/// A value binds as its own kind; a NULL without a column to type it binds as TEXT.
impl Bind for Value {
    fn arg(self) -> Arg {
        let kind = match &self {
            Value::Int(_) => Kind::Int,
            Value::Real(_) => Kind::Real,
            Value::Text(_) | Value::Null => Kind::Text,
        };
        Arg { value: self, kind }
    }
}
impl Bind for Arg {
    fn arg(self) -> Arg {
        self
    }
}

/// The kind an optional argument has when it is NULL.
pub trait KindOf {
    const KIND: Kind;
}
impl KindOf for i64 {
    const KIND: Kind = Kind::Int;
}
impl KindOf for i32 {
    const KIND: Kind = Kind::Int;
}
impl KindOf for u32 {
    const KIND: Kind = Kind::Int;
}
impl KindOf for f64 {
    const KIND: Kind = Kind::Real;
}
impl KindOf for String {
    const KIND: Kind = Kind::Text;
}
impl KindOf for &str {
    const KIND: Kind = Kind::Text;
}
impl KindOf for &String {
    const KIND: Kind = Kind::Text;
}
impl KindOf for bool {
    const KIND: Kind = Kind::Int;
}

impl<T: Bind + KindOf> Bind for Option<T> {
    fn arg(self) -> Arg {
        match self {
            Some(v) => v.arg(),
            None => Arg {
                value: Value::Null,
                kind: T::KIND,
            },
        }
    }
}

impl<T: Decode> Decode for Option<T> {
    const KIND: Kind = T::KIND;
    fn decode(value: Value, column: &str) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            v => T::decode(v, column).map(Some),
        }
    }
}

/// A row type a query decodes into: a table's row (`warehouse_table!`) or a tuple.
pub trait FromValues: Sized {
    /// The kinds of the selected columns, in order.
    fn kinds() -> Vec<Kind>;
    fn from_values(values: Vec<Value>) -> Result<Self, String>;
}

macro_rules! tuple {
    ($($t:ident),+) => {
        impl<$($t: Decode),+> FromValues for ($($t,)+) {
            fn kinds() -> Vec<Kind> {
                vec![$($t::KIND),+]
            }
            #[allow(non_snake_case)]
            fn from_values(values: Vec<Value>) -> Result<Self, String> {
                let mut it = values.into_iter().enumerate();
                $(
                    let $t = {
                        let (i, v) = it.next().ok_or("too few columns")?;
                        $t::decode(v, &format!("column {i}"))?
                    };
                )+
                Ok(($($t,)+))
            }
        }
    };
}
tuple!(A);
tuple!(A, B);
tuple!(A, B, C);
tuple!(A, B, C, D);
tuple!(A, B, C, D, E);
tuple!(A, B, C, D, E, F);
tuple!(A, B, C, D, E, F, G);
tuple!(A, B, C, D, E, F, G, H);
tuple!(A, B, C, D, E, F, G, H, I);

/// Declares a struct that a query decodes into, field by field in select order, with
/// `COLUMNS`, its comma-separated field names for the `SELECT` list.
#[macro_export]
macro_rules! query_record {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$field_meta])* pub $field: $ty ),*
        }

        impl $name {
            pub const COLUMNS: &'static str = $crate::storage::sql::join_columns!($($field),*);
        }

        impl $crate::storage::sql::FromValues for $name {
            fn kinds() -> Vec<$crate::storage::sql::Kind> {
                vec![$(<$ty as $crate::storage::sql::Decode>::KIND),*]
            }
            fn from_values(values: Vec<$crate::storage::Value>) -> Result<Self, String> {
                let mut values = values.into_iter();
                Ok(Self {
                    $($field: <$ty as $crate::storage::sql::Decode>::decode(
                        values.next().ok_or("too few columns")?,
                        stringify!($field),
                    )?),*
                })
            }
        }
    };
}

/// `"a, b, c"` from identifiers, at compile time.
#[macro_export]
#[doc(hidden)]
macro_rules! __join_columns {
    ($first:ident $(, $rest:ident)*) => {
        concat!(stringify!($first) $(, ", ", stringify!($rest))*)
    };
}
pub use crate::__join_columns as join_columns;

/// Decodes fetched rows as `T`.
pub(crate) fn decode_all<T: FromValues>(rows: Vec<Vec<Value>>) -> crate::error::Result<Vec<T>> {
    rows.into_iter()
        .map(|values| {
            T::from_values(values)
                .map_err(|e| crate::error::PipelineError::Warehouse(sqlx::Error::Decode(e.into())))
        })
        .collect()
}

/// A statement: text with `?` placeholders and its arguments, in order.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            args: Vec::new(),
        }
    }

    /// Binds the next `?` already in the text.
    pub fn bind(mut self, value: impl Bind) -> Self {
        self.args.push(value.arg());
        self
    }

    /// Appends text.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a `?` bound to `value`.
    pub fn push_arg(&mut self, value: impl Bind) -> &mut Self {
        self.text.push('?');
        self.args.push(value.arg());
        self
    }

    /// Appends `(?, ?, …)` bound to `values`; an empty list appends `(NULL)`, which matches
    /// nothing in `IN`.
    pub fn push_list<T: Bind>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self {
        self.text.push('(');
        let mut first = true;
        for v in values {
            if !first {
                self.text.push_str(", ");
            }
            first = false;
            self.push_arg(v);
        }
        if first {
            self.text.push_str("NULL");
        }
        self.text.push(')');
        self
    }

    pub fn args(&self) -> &[Arg] {
        &self.args
    }

    /// The text for a backend: PostgreSQL numbers its placeholders. A `?` inside a quoted
    /// string or identifier is left alone.
    pub fn text_for(&self, numbered: bool) -> std::borrow::Cow<'_, str> {
        if !numbered {
            return std::borrow::Cow::Borrowed(&self.text);
        }
        let mut out = String::with_capacity(self.text.len() + 2 * self.args.len());
        let mut n = 0;
        let mut quote: Option<char> = None;
        for c in self.text.chars() {
            match (quote, c) {
                (None, '\'' | '"') => {
                    quote = Some(c);
                    out.push(c);
                }
                (Some(q), c) if c == q => {
                    quote = None;
                    out.push(c);
                }
                (None, '?') => {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                }
                _ => out.push(c),
            }
        }
        std::borrow::Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres_outside_quotes() {
        let mut sql = Sql::new("SELECT a FROM t WHERE b = ? AND c = '?' AND d IN ");
        sql = sql.bind(1i64);
        sql.push_list(["x", "y"]);
        assert_eq!(
            sql.text_for(true),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND d IN ($2, $3)"
        );
        assert_eq!(
            sql.text_for(false),
            "SELECT a FROM t WHERE b = ? AND c = '?' AND d IN (?, ?)"
        );
        assert_eq!(sql.args().len(), 3);
    }

    #[test]
    fn a_null_keeps_the_kind_of_its_type() {
        assert_eq!(None::<f64>.arg().kind, Kind::Real);
        assert_eq!(None::<&str>.arg().kind, Kind::Text);
        assert_eq!(Some(3i64).arg().value, Value::Int(3));
    }

    #[test]
    fn tuples_decode_by_declared_kind_and_name_what_failed() {
        let row = <(String, Option<i64>, f64)>::from_values(vec![
            Value::Text("a".into()),
            Value::Null,
            Value::Real(1.5),
        ])
        .unwrap();
        assert_eq!(row, ("a".to_string(), None, 1.5));
        let err = <(i64,)>::from_values(vec![Value::Null]).unwrap_err();
        assert!(err.contains("column 0"), "{err}");
        let empty = Sql::new("x IN ").clone();
        let mut e = empty;
        e.push_list(Vec::<i64>::new());
        assert_eq!(e.text_for(true), "x IN (NULL)");
    }
}
