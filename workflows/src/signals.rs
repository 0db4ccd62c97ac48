//! Signal inputs arrive as raw payloads and are decoded inside the handlers. The SDK would
//! decode a typed input before the handler runs, and a payload that does not decode would
//! fail the workflow task on every retry: the workflow wedged, its queries failing and later
//! signals never applied. Here such a payload is refused and reported, and the workflow goes
//! on. Unknown fields are ignored (`proto/build.rs`).

use nbaprops_proto::InjuryUpdate;
use temporalio_common::data_converters::{PayloadConverter, RawValue};

/// Payload bytes quoted in a refusal.
pub const QUOTED_BYTES: usize = 120;

/// A signal's input as the raw payload a client sends (the JSON of `value`).
pub fn raw<T: serde::Serialize + 'static>(value: &T) -> RawValue {
    RawValue::from_value(value, &PayloadConverter::default())
}

/// The first bytes of the payload, as text (lossy), for a refusal message.
fn quote(data: &[u8]) -> String {
    let head = &data[..data.len().min(QUOTED_BYTES)];
    let mut text = String::from_utf8_lossy(head).into_owned();
    if data.len() > QUOTED_BYTES {
        text.push('…');
    }
    text
}

/// An `injury_update` signal's update, or why it is refused (the decode error and the
/// payload's first bytes).
pub fn injury_update(input: &RawValue) -> Result<InjuryUpdate, String> {
    let Some(payload) = input.payloads.first() else {
        return Err("malformed injury_update signal: no payload".to_string());
    };
    serde_json::from_slice::<InjuryUpdate>(&payload.data).map_err(|e| {
        format!(
            "malformed injury_update signal: {e}; payload: {}",
            quote(&payload.data)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use temporalio_common::protos::temporal::api::common::v1::Payload;

    fn json(text: &str) -> RawValue {
        RawValue::new(vec![Payload {
            data: text.as_bytes().to_vec(),
            ..Default::default()
        }])
    }

    #[test]
    fn a_good_update_decodes_and_unknown_fields_are_ignored() {
        let update = InjuryUpdate {
            player: "Jayson Tatum".into(),
            status: "Out".into(),
            ..Default::default()
        };
        assert_eq!(injury_update(&raw(&update)).unwrap(), update);
        let extra = r#"{"player":"Jayson Tatum","status":"Out","mood":"grumpy"}"#;
        assert_eq!(injury_update(&json(extra)).unwrap(), update);
    }

    #[test]
    fn a_malformed_update_is_refused_with_its_error_and_first_bytes() {
        for bad in [
            r#"{"player":123,"status":true}"#,
            "null",
            r#""hello""#,
            "[1,2,3]",
            r#"{"report_time":12345}"#,
            "not json at all",
        ] {
            let why = injury_update(&json(bad)).unwrap_err();
            assert!(
                why.starts_with("malformed injury_update signal: ") && why.contains(bad),
                "{bad}: {why}"
            );
        }
        assert!(injury_update(&RawValue::new(vec![]))
            .unwrap_err()
            .contains("no payload"));
        let long = format!(r#"{{"player":{}}}"#, "9".repeat(500));
        let why = injury_update(&json(&long)).unwrap_err();
        assert!(why.ends_with('…') && why.len() < 400, "{why}");
    }

    fn bytes(data: Vec<u8>) -> RawValue {
        RawValue::new(vec![Payload {
            data,
            ..Default::default()
        }])
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
            failure_persistence: None,
            ..Default::default()
        })]

        /// Any bytes at all: an update or a refusal that quotes them, never a panic.
        #[test]
        fn any_payload_decodes_or_is_refused(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            if let Err(why) = injury_update(&bytes(data)) {
                proptest::prop_assert!(why.starts_with("malformed injury_update signal: "), "{why}");
            }
        }

        /// A good update's JSON with a byte overwritten or the text cut short.
        #[test]
        fn a_mutated_update_decodes_or_is_refused(at in 0usize..200, byte in proptest::prelude::any::<u8>(), cut in proptest::prelude::any::<bool>()) {
            let good = r#"{"player":"Jayson Tatum","status":"Out","reason":"Ankle","source":"manual","report_time":"2025-01-13T15:00:00Z"}"#;
            let mut data = good.as_bytes().to_vec();
            let at = at % data.len();
            if cut { data.truncate(at) } else { data[at] = byte }
            if let Err(why) = injury_update(&bytes(data)) {
                proptest::prop_assert!(why.starts_with("malformed injury_update signal: "), "{why}");
            }
        }
    }
}
