//! Canonical row hashing: blake3 over a tagged, length-prefixed encoding of a row's business
//! columns. Timestamps and run ids are never part of a row's values, so the same data hashes
//! the same on every run.

use crate::storage::Value;

/// The hex blake3 of a row's business values.
pub fn row_hash(values: &[Value]) -> String {
    let mut h = blake3::Hasher::new();
    for v in values {
        encode(&mut h, v);
    }
    h.finalize().to_hex().to_string()
}

fn encode(h: &mut blake3::Hasher, v: &Value) {
    match v {
        Value::Null => {
            h.update(&[0]);
        }
        Value::Int(i) => {
            h.update(&[1]);
            h.update(&i.to_le_bytes());
        }
        Value::Real(f) => {
            h.update(&[2]);
            // -0.0 and 0.0 are the same number; all NaNs are the same missing value.
            let canon = if *f == 0.0 {
                0.0f64
            } else if f.is_nan() {
                f64::NAN
            } else {
                *f
            };
            h.update(&canon.to_bits().to_le_bytes());
        }
        Value::Text(s) => {
            h.update(&[3]);
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        }
    }
}

/// A hash over a set of hashes, independent of their order (sorted first).
pub fn combine<'a>(hashes: impl IntoIterator<Item = &'a str>) -> String {
    let mut all: Vec<&str> = hashes.into_iter().collect();
    all.sort_unstable();
    let mut h = blake3::Hasher::new();
    for x in all {
        h.update(x.as_bytes());
        h.update(b"\n");
    }
    h.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_values_same_hash_and_types_matter() {
        let a = row_hash(&[Value::Int(1), Value::Text("x".into())]);
        let b = row_hash(&[Value::Int(1), Value::Text("x".into())]);
        assert_eq!(a, b);
        assert_ne!(a, row_hash(&[Value::Real(1.0), Value::Text("x".into())]));
        // Length prefixes keep ("ab","c") apart from ("a","bc").
        assert_ne!(
            row_hash(&[Value::Text("ab".into()), Value::Text("c".into())]),
            row_hash(&[Value::Text("a".into()), Value::Text("bc".into())])
        );
        assert_eq!(
            row_hash(&[Value::Real(0.0)]),
            row_hash(&[Value::Real(-0.0)])
        );
    }

    #[test]
    fn combine_ignores_order() {
        assert_eq!(combine(["a", "b"]), combine(["b", "a"]));
        assert_ne!(combine(["a"]), combine(["a", "b"]));
    }
}
