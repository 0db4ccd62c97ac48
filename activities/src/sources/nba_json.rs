//! What the NBA.com sources share: the recorded-response wrapper, the stats API's
//! `resultSets` tables (headers naming the columns of `rowSet`), and NBA.com's two ways of
//! writing a duration ("PT34M12.00S" and "34:12").

use std::collections::HashMap;

use serde_json::Value;

/// Reads a body (plain or gzipped JSON) as a JSON value, taking the `body` out of a recorded
/// `{request_uri, status, body}` answer when it is wrapped.
pub(crate) fn load(body: &[u8]) -> Result<Value, String> {
    let value: Value = super::http::parse_json(body)?;
    unwrap_recorded(value)
}

/// The answer inside a recorded `{request_uri, status, body}` wrapper, or the value itself.
pub(crate) fn unwrap_recorded(value: Value) -> Result<Value, String> {
    let Value::Object(mut map) = value else {
        return Ok(value);
    };
    if !(map.contains_key("body")
        && (map.contains_key("request_uri") || map.contains_key("status")))
    {
        return Ok(Value::Object(map));
    }
    if let Some(status) = map.get("status").and_then(Value::as_i64) {
        if status != 200 {
            return Err(format!("recorded answer has HTTP status {status}"));
        }
    }
    match map.remove("body").unwrap_or(Value::Null) {
        // Some recorders keep the body as the text the server sent.
        Value::String(text) => {
            super::http::parse_json(text.as_bytes()).map_err(|e| format!("recorded body: {e}"))
        }
        Value::Null => Err("schema mismatch: recorded answer has a null body".to_string()),
        body => Ok(body),
    }
}

/// One stats API table: `{name, headers, rowSet}`.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: String,
    rows: Vec<Vec<Value>>,
    col: HashMap<String, usize>,
}

/// The tables of a stats API answer: `resultSets` (a list) or `resultSet` (one table or a list).
pub(crate) fn result_sets(answer: &Value) -> Result<Vec<Table>, String> {
    let sets = answer
        .get("resultSets")
        .or_else(|| answer.get("resultSet"))
        .ok_or("schema mismatch: no resultSets in the answer")?;
    let list: Vec<&Value> = match sets {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![sets],
        _ => return Err("schema mismatch: resultSets is neither a list nor a table".into()),
    };
    list.into_iter()
        .enumerate()
        .map(|(i, set)| table(i, set))
        .collect()
}

fn table(i: usize, set: &Value) -> Result<Table, String> {
    let name = set
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("resultSets[{i}]"));
    let headers: Vec<String> = set
        .get("headers")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("schema mismatch: {name} has no headers list"))?
        .iter()
        .map(|h| {
            h.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("schema mismatch: {name} has a header that is not text"))
        })
        .collect::<Result<_, _>>()?;
    let rows: Vec<Vec<Value>> = set
        .get("rowSet")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("schema mismatch: {name} has no rowSet list"))?
        .iter()
        .enumerate()
        .map(|(n, row)| match row.as_array() {
            Some(values) if values.len() == headers.len() => Ok(values.clone()),
            Some(values) => Err(format!(
                "schema mismatch: {name} row {n} has {} values for {} headers",
                values.len(),
                headers.len()
            )),
            None => Err(format!("schema mismatch: {name} row {n} is not a list")),
        })
        .collect::<Result<_, _>>()?;
    let col = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.clone(), i))
        .collect();
    Ok(Table { name, rows, col })
}

/// The table called `name`, or a schema mismatch naming it.
pub(crate) fn find<'a>(tables: &'a [Table], name: &str) -> Result<&'a Table, String> {
    tables
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| format!("schema mismatch: no {name} result set"))
}

impl Table {
    /// Checks every required column is in the headers.
    pub fn require(&self, columns: &[&str]) -> Result<(), String> {
        for c in columns {
            if !self.col.contains_key(*c) {
                return Err(format!(
                    "schema mismatch: column {c} missing from {} headers",
                    self.name
                ));
            }
        }
        Ok(())
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().enumerate().map(move |(n, values)| Row {
            table: self,
            n,
            values,
        })
    }
}

/// One row, read by column name with typed accessors whose errors name the table, row and column.
pub(crate) struct Row<'a> {
    table: &'a Table,
    n: usize,
    values: &'a [Value],
}

impl Row<'_> {
    fn get(&self, column: &str) -> &Value {
        self.table
            .col
            .get(column)
            .and_then(|i| self.values.get(*i))
            .unwrap_or(&Value::Null)
    }

    fn wrong(&self, column: &str, what: &str) -> String {
        format!(
            "schema mismatch: {} row {}: {column} is not {what} ({})",
            self.table.name,
            self.n,
            self.get(column)
        )
    }

    /// A whole number, or None when null or absent.
    pub fn int(&self, column: &str) -> Result<Option<i64>, String> {
        match self.get(column) {
            Value::Null => Ok(None),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Ok(Some(i)),
                None => n
                    .as_f64()
                    .filter(|f| f.fract() == 0.0)
                    .map(|f| Some(f as i64))
                    .ok_or_else(|| self.wrong(column, "a whole number")),
            },
            _ => Err(self.wrong(column, "a number")),
        }
    }

    pub fn req_int(&self, column: &str) -> Result<i64, String> {
        self.int(column)?
            .ok_or_else(|| self.wrong(column, "a number"))
    }

    /// A number, or None when null or absent.
    pub fn float(&self, column: &str) -> Result<Option<f64>, String> {
        match self.get(column) {
            Value::Null => Ok(None),
            Value::Number(n) => Ok(n.as_f64()),
            _ => Err(self.wrong(column, "a number")),
        }
    }

    /// Text, or None when null or absent.
    pub fn text(&self, column: &str) -> Result<Option<String>, String> {
        match self.get(column) {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            _ => Err(self.wrong(column, "text")),
        }
    }

    pub fn req_text(&self, column: &str) -> Result<String, String> {
        self.text(column)?.ok_or_else(|| self.wrong(column, "text"))
    }

    /// A whole number written either as a number or as text ("2009"), None when null or empty.
    pub fn int_or_text(&self, column: &str) -> Result<Option<i64>, String> {
        match self.get(column) {
            Value::String(s) if s.trim().is_empty() => Ok(None),
            Value::String(s) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| self.wrong(column, "a whole number")),
            _ => self.int(column),
        }
    }
}

/// Decimal minutes from NBA.com's duration spellings: "PT34M12.00S" (live data and v3),
/// "34:12" (stats v2, team totals "265:00"), "34.000000:12" (older stats answers) and a bare
/// "34". Empty or absent is `None` (a player who did not play).
pub fn parse_minutes(s: &str) -> Result<Option<f64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || format!("minutes {s:?} are neither PT#M#S nor MM:SS");
    let num = |t: &str| -> Result<f64, String> {
        let t = t.trim();
        if t.is_empty() {
            return Ok(0.0);
        }
        t.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .ok_or_else(bad)
    };
    if let Some(rest) = s.strip_prefix("PT") {
        let (min, rest) = match rest.split_once('M') {
            Some((m, r)) => (num(m)?, r),
            None => (0.0, rest),
        };
        let sec = match rest.strip_suffix('S') {
            Some(sec) => num(sec)?,
            None if rest.is_empty() => 0.0,
            None => return Err(bad()),
        };
        return Ok(Some(min + sec / 60.0));
    }
    if let Some((m, sec)) = s.split_once(':') {
        return Ok(Some(num(m)? + num(sec)? / 60.0));
    }
    num(s).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_in_every_spelling() {
        let close = |s: &str, want: f64| {
            let got = parse_minutes(s).unwrap().unwrap();
            assert!((got - want).abs() < 1e-9, "{s}: {got} != {want}");
        };
        close("PT34M12.00S", 34.2);
        close("PT00M00.00S", 0.0);
        close("PT05M30S", 5.5);
        close("34:12", 34.2);
        close("265:00", 265.0);
        close("34.000000:12", 34.2);
        close("7", 7.0);
        assert_eq!(parse_minutes("").unwrap(), None);
        assert!(parse_minutes("PT3X").unwrap_err().contains("PT#M#S"));
        assert!(parse_minutes("ab:cd").is_err());
    }

    #[test]
    fn recorded_wrappers_are_opened() {
        let v = unwrap_recorded(serde_json::json!({
            "request_uri": "https://x", "status": 200, "body": {"a": 1}
        }))
        .unwrap();
        assert_eq!(v["a"], 1);
        let v = unwrap_recorded(serde_json::json!({
            "request_uri": "https://x", "status": 200, "body": "{\"a\": 2}"
        }))
        .unwrap();
        assert_eq!(v["a"], 2);
        assert!(unwrap_recorded(serde_json::json!({
            "request_uri": "https://x", "status": 500, "body": {}
        }))
        .unwrap_err()
        .contains("500"));
        // An answer that merely has a `body` field is left alone.
        let v = unwrap_recorded(serde_json::json!({"body": 3})).unwrap();
        assert_eq!(v["body"], 3);
    }

    #[test]
    fn tables_check_shape_and_types() {
        let v = serde_json::json!({"resultSets": [
            {"name": "T", "headers": ["A", "B", "C"], "rowSet": [[1, "x", 2.0], [null, 3, "1999"]]}
        ]});
        let tables = result_sets(&v).unwrap();
        let t = find(&tables, "T").unwrap();
        assert_eq!(t.rows().count(), 2);
        assert!(t.require(&["A", "D"]).unwrap_err().contains("column D"));
        let rows: Vec<_> = t.rows().collect();
        assert_eq!(rows[0].req_int("A").unwrap(), 1);
        assert_eq!(rows[0].int("C").unwrap(), Some(2));
        assert_eq!(rows[1].int("A").unwrap(), None);
        assert!(rows[1]
            .text("B")
            .unwrap_err()
            .contains("row 1: B is not text"));
        assert_eq!(rows[1].int_or_text("C").unwrap(), Some(1999));
        assert!(find(&tables, "U").unwrap_err().contains("no U result set"));

        let short =
            serde_json::json!({"resultSet": {"name": "T", "headers": ["A"], "rowSet": [[]]}});
        assert!(result_sets(&short)
            .unwrap_err()
            .contains("0 values for 1 headers"));
        assert!(result_sets(&serde_json::json!({}))
            .unwrap_err()
            .contains("schema mismatch"));
    }
}
