//! Routing: `parse` (a small message), `scan_top_level` (a big one held whole) and `TopLevel` (one
//! read in parts) must tell a message's kind and raw id alike, and as a full JSON parse reads it;
//! `TopLevel` must give the same whichever way the text is cut.
//!
//! Both scanners skip values without validating them, and are deliberately more lenient than a
//! JSON parser on text that is not JSON (trailing bytes after the object, bare words, unbalanced
//! brackets inside values): the peer parses the message anyway. So agreement is asserted only
//! where serde_json accepts the text as a JSON object; on anything else they must only not panic
//! and not depend on where the text was cut.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use threeminapi::jsonrpc::{Kind, TopLevel, parse, scan_top_level};
use threeminapi_fuzz::plan;

/// A kind with the id as a value, so that a raw id (`1.0`, `"\u0031"`) compares with serde's.
#[derive(Debug, PartialEq)]
enum Read {
    Request { id: Value, method: String },
    Notification { method: String },
    Response { id: Value },
}

/// JSON-RPC read from the parsed object: a request has a string `method` and an `id` (`null`
/// included), a notification a `method` and no `id`, a response an `id` and a `result` or an
/// `error` and no `method`. Not a message: a `method` that is not a string, or a routed member
/// (`id`, `method`, `result`, `error`, `params`) given twice (serde_json's map keeps the last
/// one; the bridge refuses the message rather than pick one).
fn by_serde(object: &Map<String, Value>, text: &str) -> Option<Read> {
    if routed_member_twice(text) {
        return None;
    }
    let method = match object.get("method") {
        None => None,
        Some(Value::String(m)) => Some(m.clone()),
        Some(_) => return None,
    };
    match (method, object.get("id").cloned()) {
        (Some(method), Some(id)) => Some(Read::Request { id, method }),
        (Some(method), None) => Some(Read::Notification { method }),
        (None, Some(id)) if object.contains_key("result") || object.contains_key("error") => {
            Some(Read::Response { id })
        }
        _ => None,
    }
}

/// Whether a routed member appears twice among the object's members (keys as serde reads them,
/// escapes resolved).
fn routed_member_twice(text: &str) -> bool {
    struct Members(Vec<String>);
    impl<'de> serde::de::Visitor<'de> for &mut Members {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<serde::de::IgnoredAny>()?;
                self.0.push(key);
            }
            Ok(())
        }
    }
    let mut members = Members(Vec::new());
    let mut de = serde_json::Deserializer::from_str(text);
    serde::Deserializer::deserialize_map(&mut de, &mut members).expect("serde_json read it");
    ["id", "method", "result", "error", "params"]
        .iter()
        .any(|k| members.0.iter().filter(|m| m == k).count() > 1)
}

fn read(kind: &Kind) -> Read {
    let value = |raw: &str| -> Value {
        serde_json::from_str(raw).unwrap_or_else(|e| panic!("raw id {raw:?} is not JSON: {e}"))
    };
    match kind {
        Kind::Request { id, method } => Read::Request {
            id: value(id),
            method: method.clone(),
        },
        Kind::Notification { method } => Read::Notification {
            method: method.clone(),
        },
        Kind::Response { id } => Read::Response { id: value(id) },
    }
}

fn top_level(chunks: &[&[u8]]) -> Option<Kind> {
    let mut top = TopLevel::default();
    for chunk in chunks {
        top.feed(chunk);
    }
    top.finish()
}

fuzz_target!(|data: &[u8]| {
    let plan = plan(data);
    let Ok(text) = std::str::from_utf8(plan.body) else {
        return;
    };
    let parsed = parse(text);
    let scanned = scan_top_level(text);
    let whole = top_level(&[plan.body]);
    let parts = top_level(&plan.chunks());
    // Any text: where it was cut changes nothing.
    assert_eq!(parts, whole, "chunks {:?}", plan.sizes);

    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
        return;
    };
    assert_eq!(
        scanned.as_ref().map(read),
        by_serde(&object, text),
        "scan_top_level against serde"
    );
    // The three readers route a message alike: a small whole one (`parse`), a big whole one
    // (`scan_top_level`), one streamed in parts (`TopLevel`). The raw id text is compared, not
    // only its value: each hands on the same bytes.
    assert_eq!(whole, scanned, "TopLevel against scan_top_level");
    assert_eq!(
        parsed.ok().map(|m| m.kind),
        scanned,
        "parse against scan_top_level"
    );
});
