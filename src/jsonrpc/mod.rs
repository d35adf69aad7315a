//! The little of JSON-RPC the relay needs: reading the fields it routes on without re-encoding the
//! message (big ones scanned, not parsed), building the errors it answers itself, and fitting a
//! message on one line. The lowest room: it uses no other room of this crate.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use std::borrow::Cow;

mod scan;
mod strscan;

use scan::scan_message;
pub use scan::{SCAN_THRESHOLD, TopLevel, scan_top_level};

/// The longest message the bridge relays, either way: a longer one is refused whole, never cut.
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// Error codes the bridge answers with when it, not the upstream, is the source of the error.
pub mod code {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// The upstream could not be reached or answered with a transport-level failure.
    pub const UPSTREAM_UNAVAILABLE: i64 = -32000;
    /// No usable key, or the upstream refused it.
    pub const KEY_PROBLEM: i64 = -32001;
}

/// The routing view of one message. Borrowed from the line it was read from.
#[derive(Deserialize)]
struct Envelope<'a> {
    /// `Some` when the member is present, including `"id": null`.
    #[serde(default, borrow, deserialize_with = "present")]
    id: Option<&'a RawValue>,
    /// A string when present: `"method": null` makes no message (as for a big one, see scan.rs).
    #[serde(default, borrow, deserialize_with = "string_member")]
    method: Option<Cow<'a, str>>,
    /// Read in the same pass as the rest; a `params` that is not an object reads as empty.
    #[serde(default, borrow, deserialize_with = "lenient_params")]
    params: Params<'a>,
    #[serde(default, deserialize_with = "present_ignored")]
    result: Option<IgnoredAny>,
    #[serde(default, deserialize_with = "present_ignored")]
    error: Option<IgnoredAny>,
}

fn string_member<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'de, str>>, D::Error> {
    #[derive(Deserialize)]
    struct Text<'a>(#[serde(borrow)] Cow<'a, str>);
    Text::deserialize(d).map(|t| Some(t.0))
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// The members of `params` the bridge routes on. Everything else in the message is skipped over,
/// never copied.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Params<'a> {
    #[serde(rename = "_meta", default, borrow)]
    pub meta: Option<Meta<'a>>,
    /// `tools/call`, `prompts/get`.
    #[serde(default, borrow, deserialize_with = "string_or_none")]
    pub name: Option<Cow<'a, str>>,
    /// `resources/*`.
    #[serde(default, borrow, deserialize_with = "string_or_none")]
    pub uri: Option<Cow<'a, str>>,
    /// `tasks/*`.
    #[serde(
        rename = "taskId",
        default,
        borrow,
        deserialize_with = "string_or_none"
    )]
    pub task_id: Option<Cow<'a, str>>,
    /// `tools/call`: the raw JSON text.
    #[serde(default, borrow, deserialize_with = "raw_text")]
    pub arguments: Option<&'a str>,
    /// `notifications/cancelled`: the raw JSON text.
    #[serde(rename = "requestId", default, borrow, deserialize_with = "raw_text")]
    pub request_id: Option<&'a str>,
    /// `initialize`.
    #[serde(
        rename = "protocolVersion",
        default,
        borrow,
        deserialize_with = "string_or_none"
    )]
    pub protocol_version: Option<Cow<'a, str>>,
}

/// The per-request `_meta` of MCP 2026-07-28.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Meta<'a> {
    #[serde(
        rename = "io.modelcontextprotocol/protocolVersion",
        default,
        borrow,
        deserialize_with = "string_or_none"
    )]
    pub protocol_version: Option<Cow<'a, str>>,
}

/// `params` as [`Params`] when it is an object, empty otherwise; one pass either way (a second
/// scan would cost milliseconds on multi-megabyte arguments).
fn lenient_params<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Params<'de>, D::Error> {
    struct Lenient;
    impl<'de> serde::de::Visitor<'de> for Lenient {
        type Value = Params<'de>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("params")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Params<'de>, A::Error> {
            Params::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Params<'de>, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Params::default())
        }
        fn visit_unit<E>(self) -> Result<Params<'de>, E> {
            Ok(Params::default())
        }
        fn visit_bool<E>(self, _: bool) -> Result<Params<'de>, E> {
            Ok(Params::default())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Params<'de>, E> {
            Ok(Params::default())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Params<'de>, E> {
            Ok(Params::default())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Params<'de>, E> {
            Ok(Params::default())
        }
        fn visit_str<E>(self, _: &str) -> Result<Params<'de>, E> {
            Ok(Params::default())
        }
    }
    d.deserialize_any(Lenient)
}

fn raw_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de str>, D::Error> {
    <&RawValue>::deserialize(d).map(|raw| Some(raw.get()))
}

fn string_or_none<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'de, str>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Maybe<'a> {
        Text(#[serde(borrow)] Cow<'a, str>),
        Other(IgnoredAny),
    }
    Ok(match Maybe::deserialize(d)? {
        Maybe::Text(t) => Some(t),
        Maybe::Other(_) => None,
    })
}

fn present_ignored<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<IgnoredAny>, D::Error> {
    IgnoredAny::deserialize(d).map(Some)
}

/// What a message is, as far as routing goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Request { id: String, method: String },
    Notification { method: String },
    Response { id: String },
}

/// A message that parsed as JSON-RPC, with its kind and the raw text of the fields routing needs.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    pub kind: Kind,
    pub params: Params<'a>,
}

/// Why a line is not a JSON-RPC message; the answer to send (if any) is built from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// Not JSON at all (or not UTF-8).
    Parse(String),
    /// JSON, but not a JSON-RPC message. `id` is the raw id when one could be read.
    Request { id: Option<String>, reason: String },
}

impl Invalid {
    /// The JSON-RPC error line answering this input.
    pub fn answer(&self) -> String {
        match self {
            Invalid::Parse(why) => error_line(
                "null",
                code::PARSE_ERROR,
                &format!("parse error: {why}"),
                None,
            ),
            Invalid::Request { id, reason } => error_line(
                id.as_deref().unwrap_or("null"),
                code::INVALID_REQUEST,
                &format!("invalid request: {reason}"),
                None,
            ),
        }
    }
}

/// Reads the routing fields of one message (a JSON object on one line).
pub fn parse(text: &str) -> Result<Message<'_>, Invalid> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        // Batches were removed from MCP in 2025-06-18; say so rather than guess how to split answers.
        serde_json::from_str::<IgnoredAny>(text).map_err(|e| Invalid::Parse(e.to_string()))?;
        return Err(Invalid::Request {
            id: None,
            reason: "JSON-RPC batches are not supported; send one message per line".into(),
        });
    }
    if text.len() >= SCAN_THRESHOLD
        && let Some(msg) = scan_message(text)
    {
        return Ok(msg);
    }
    let env: Envelope<'_> = match serde_json::from_str(text) {
        Ok(env) => env,
        Err(e) if e.is_syntax() || e.is_eof() => return Err(Invalid::Parse(e.to_string())),
        Err(e) => {
            return Err(Invalid::Request {
                id: None,
                reason: e.to_string(),
            });
        }
    };
    let id = env.id.map(|raw| raw.get().to_owned());
    if id.as_ref().is_some_and(|id| id.len() > scan::CAPTURE_MAX) {
        return Err(Invalid::Request {
            id: None,
            reason: "an id longer than 4 KiB".into(),
        });
    }
    let kind = match (env.method, id) {
        (Some(method), Some(id)) => Kind::Request {
            id,
            method: method.into_owned(),
        },
        (Some(method), None) => Kind::Notification {
            method: method.into_owned(),
        },
        (None, Some(id)) if env.result.is_some() || env.error.is_some() => Kind::Response { id },
        (None, id) => {
            return Err(Invalid::Request {
                id,
                reason: "a message needs a \"method\", or a \"result\" or \"error\" with an \"id\""
                    .into(),
            });
        }
    };
    Ok(Message {
        kind,
        params: env.params,
    })
}

/// A JSON-RPC error response on one line. `id` is raw JSON text (`1`, `"a"`, `null`).
pub fn error_line(id: &str, code: i64, message: &str, data: Option<&serde_json::Value>) -> String {
    let mut error = serde_json::json!({ "code": code, "message": message });
    if let Some(data) = data {
        error["data"] = data.clone();
    }
    format!(r#"{{"jsonrpc":"2.0","id":{id},"error":{error}}}"#)
}

/// Two raw ids name the same request. Text equality covers what servers echo back; numbers are
/// also compared by value, since a server may re-encode `1` as `1.0`.
pub fn same_id(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Puts a JSON text on one line without changing its value: whitespace outside strings is dropped,
/// strings (which cannot hold a raw newline) are copied as they are.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if memchr::memchr2(b'\n', b'\r', text.as_bytes()).is_none() {
        return Cow::Borrowed(text.trim());
    }
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_apart() {
        let m =
            parse(r#"{"jsonrpc":"2.0","id":"x-1","method":"tools/call","params":{"name":"a"}}"#)
                .unwrap();
        assert_eq!(
            m.kind,
            Kind::Request {
                id: "\"x-1\"".into(),
                method: "tools/call".into()
            }
        );
        assert_eq!(m.params.name.as_deref(), Some("a"));
        let m = parse(r#"{"id":1,"method":"tools/call","params":{"name":7,"arguments":{"q":"x"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#).unwrap();
        assert_eq!(m.params.name, None);
        assert_eq!(m.params.arguments.unwrap(), r#"{"q":"x"}"#);
        assert_eq!(
            m.params.meta.unwrap().protocol_version.as_deref(),
            Some("2026-07-28")
        );
        let m = parse(r#"{"id":1,"method":"x","params":[1,2]}"#).unwrap();
        assert!(m.params.name.is_none());
        let m = parse(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).unwrap();
        assert_eq!(
            m.kind,
            Kind::Notification {
                method: "notifications/initialized".into()
            }
        );
        let m = parse(r#"{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":"m"}}"#).unwrap();
        assert_eq!(m.kind, Kind::Response { id: "null".into() });
        let m = parse(r#"{"id":{"a":[1]},"method":"x"}"#).unwrap();
        assert_eq!(
            m.kind,
            Kind::Request {
                id: r#"{"a":[1]}"#.into(),
                method: "x".into()
            }
        );
    }

    #[test]
    fn garbage_gets_the_right_answer() {
        assert!(matches!(parse("not json"), Err(Invalid::Parse(_))));
        assert!(matches!(parse("{\"id\":1"), Err(Invalid::Parse(_))));
        assert_eq!(
            parse(r#"{"id":7,"foo":1}"#).unwrap_err(),
            Invalid::Request {
                id: Some("7".into()),
                reason: "a message needs a \"method\", or a \"result\" or \"error\" with an \"id\""
                    .into()
            }
        );
        assert!(matches!(
            parse("42"),
            Err(Invalid::Request { id: None, .. })
        ));
        assert!(matches!(
            parse(r#"{"method":5}"#),
            Err(Invalid::Request { .. })
        ));
        assert!(matches!(parse("[1,2]"), Err(Invalid::Request { .. })));
        let line = Invalid::Parse("x".into()).answer();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["error"]["code"], -32700);
        assert!(v["id"].is_null());
    }

    #[test]
    fn one_line_keeps_the_value() {
        let text = "{\n  \"a\" : \"x \\\" \\n y\",\r\n \"b\": [1, 2.50, {\"c\": \" \"}]\n}";
        let flat = one_line(text);
        assert!(!flat.contains('\n'));
        let a: serde_json::Value = serde_json::from_str(text).unwrap();
        let b: serde_json::Value = serde_json::from_str(&flat).unwrap();
        assert_eq!(a, b);
        assert!(flat.contains("2.50"));
    }

    #[test]
    fn ids_compare_by_value() {
        assert!(same_id("1", "1.0"));
        assert!(same_id("\"a\"", "\"a\""));
        assert!(!same_id("1", "\"1\""));
    }
}
