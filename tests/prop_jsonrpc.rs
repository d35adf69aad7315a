//! Big messages are routed by a byte scanner, not by serde_json: `parse` above `SCAN_THRESHOLD`,
//! `scan_top_level` for big answers, and `TopLevel` for an answer streamed in parts. A message
//! routed by the wrong id is an answer lost, so these properties check that the scanner reads
//! the id, method and params serde_json reads, for JSON-RPC messages in every spelling JSON
//! allows, and that nothing anyone sends makes it panic.
//!
//! `cargo test` runs a few hundred cases; for a longer search:
//! `PROPTEST_CASES=100000 cargo test --release --test prop_jsonrpc`.

mod prop_common;

use prop_common::{cuts, parts, shuffle};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::fmt;
use threeminapi::jsonrpc::{Kind, Message, SCAN_THRESHOLD, TopLevel, parse, scan_top_level};

const VERSION_KEY: &str = "io.modelcontextprotocol/protocolVersion";

/// A JSON value as written: scalars and keys keep the exact text generated (escapes, number
/// spellings), so the readers see every spelling JSON allows.
#[derive(Clone, Debug)]
enum Json {
    Text(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
    /// A string of `unit` repeated until the message is past `SCAN_THRESHOLD`.
    LongString(String),
    /// An array of `item` repeated until the message is past `SCAN_THRESHOLD`.
    LongArray(Box<Json>),
}

/// Whitespace between tokens, picked in turn by the bytes of a seed; an empty seed (where
/// shrinking goes) writes none.
struct Spacing<'a> {
    seed: &'a [u8],
    next: usize,
}

impl Spacing<'_> {
    fn put(&mut self, out: &mut String) {
        const SPACES: [&str; 6] = ["", " ", "\t", "\n", "\r\n  ", "   "];
        if let Some(&b) = self.seed.get(self.next % self.seed.len().max(1)) {
            self.next += 1;
            out.push_str(SPACES[usize::from(b) % SPACES.len()]);
        }
    }
}

impl Json {
    /// `short`: padding written as `"unit"×N`, for reading a failing case, not for parsing.
    fn write(&self, out: &mut String, sp: &mut Spacing, short: bool) {
        match self {
            Json::Text(t) => out.push_str(t),
            Json::Array(items) => {
                out.push('[');
                sp.put(out);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        sp.put(out);
                    }
                    item.write(out, sp, short);
                    sp.put(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                sp.put(out);
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        sp.put(out);
                    }
                    out.push_str(key);
                    sp.put(out);
                    out.push(':');
                    sp.put(out);
                    value.write(out, sp, short);
                    sp.put(out);
                }
                out.push('}');
            }
            Json::LongString(unit) if short => out.push_str(&format!("\"{unit}\"×N")),
            Json::LongString(unit) => {
                out.push('"');
                out.push_str(&unit.repeat(SCAN_THRESHOLD / unit.len().max(1) + 1));
                out.push('"');
            }
            Json::LongArray(item) if short => {
                out.push_str("[…×N ");
                item.write(out, sp, short);
                out.push(']');
            }
            Json::LongArray(item) => {
                out.push('[');
                let mut n = 0;
                while out.len() < SCAN_THRESHOLD + 16 {
                    if n > 0 {
                        out.push(',');
                    }
                    item.write(out, sp, short);
                    n += 1;
                }
                out.push(']');
            }
        }
    }
}

/// One generated message (or, now and then, a top level that is not an object).
#[derive(Clone)]
struct Doc {
    top: Json,
    spacing: Vec<u8>,
}

impl Doc {
    fn render(&self, short: bool) -> String {
        let mut sp = Spacing {
            seed: &self.spacing,
            next: 0,
        };
        let mut out = String::new();
        sp.put(&mut out);
        self.top.write(&mut out, &mut sp, short);
        sp.put(&mut out);
        out
    }

    fn text(&self) -> String {
        self.render(false)
    }
}

impl fmt::Debug for Doc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.render(true))
    }
}

/// The text inside a JSON string: plain runs, characters JSON uses as syntax, every escape
/// (`\u00XX` in both cases, surrogate pairs), and runs as dense as JSON inside JSON inside JSON.
fn string_content() -> BoxedStrategy<String> {
    let piece = prop_oneof![
        4 => "[a-z0-9 ]{1,6}",
        1 => select(vec!["é", "€", "😀", "{", "}", "[", "]", ",", ":", "'", "id", "\u{7f}"])
            .prop_map(str::to_owned),
        2 => select(vec![r"\\", r#"\""#, r"\/", r"\n", r"\t", r"\b", r"\f", r"\r"])
            .prop_map(str::to_owned),
        1 => any::<u8>().prop_map(|b| format!("\\u00{b:02x}")),
        1 => any::<u8>().prop_map(|b| format!("\\u00{b:02X}")),
        1 => (0xD800u32..0xDC00, 0xDC00u32..0xE000)
            .prop_map(|(hi, lo)| format!("\\u{hi:04x}\\u{lo:04X}")),
        1 => Just(r#"{\"id\":\"x\\\"}\\\\\"}"#.to_owned()),
    ];
    prop::collection::vec(piece, 0..8)
        .prop_map(|p| p.concat())
        .boxed()
}

fn string() -> BoxedStrategy<String> {
    string_content().prop_map(|s| format!("\"{s}\"")).boxed()
}

fn number() -> BoxedStrategy<String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (-1e300f64..1e300).prop_map(|f| format!("{f:e}")),
        select(vec![
            "0",
            "-0",
            "1.50",
            "2e10",
            "-3.25E-2",
            "1E+2",
            "18446744073709551616",
            "123456789012345678901234567890.5",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

fn scalar() -> BoxedStrategy<Json> {
    prop_oneof![
        select(vec!["null", "true", "false"]).prop_map(|t| Json::Text(t.to_owned())),
        number().prop_map(Json::Text),
        string().prop_map(Json::Text),
    ]
    .boxed()
}

/// A key no reader routes on (its decoded text starts with `x`).
fn other_key() -> BoxedStrategy<String> {
    string_content().prop_map(|s| format!("\"x{s}\"")).boxed()
}

fn value_sized(depth: u32, size: u32) -> BoxedStrategy<Json> {
    scalar()
        .prop_recursive(depth, size, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Json::Array),
                prop::collection::vec((other_key(), inner), 0..5).prop_map(Json::Object),
            ]
        })
        .boxed()
}

fn value() -> BoxedStrategy<Json> {
    value_sized(5, 40)
}

/// Ids of every JSON type, small enough for `TopLevel` to keep whole.
fn id() -> BoxedStrategy<Json> {
    value_sized(2, 8)
}

/// A value under up to 100 levels of arrays and objects (serde_json stops at 128; the rest
/// of the message adds fewer than 28).
fn deep() -> BoxedStrategy<Json> {
    (
        value_sized(2, 8),
        prop::collection::vec(any::<bool>(), 1..100),
    )
        .prop_map(|(mut v, levels)| {
            for array in levels {
                v = if array {
                    Json::Array(vec![v])
                } else {
                    Json::Object(vec![("\"xk\"".to_owned(), v)])
                };
            }
            v
        })
        .boxed()
}

/// Enough of one value to carry the message past `SCAN_THRESHOLD`.
fn padding() -> BoxedStrategy<Json> {
    prop_oneof![
        string_content()
            .prop_filter("something to repeat", |s| !s.is_empty())
            .prop_map(Json::LongString),
        value_sized(2, 6).prop_map(|v| Json::LongArray(Box::new(v))),
    ]
    .boxed()
}

/// How the keys routing looks for are spelled.
#[derive(Clone, Copy, Debug)]
enum Spelling {
    Plain,
    /// Any character may be written as `\u00XX`, and `/` as `\/`: the same key to JSON.
    Escaped,
}

fn key(name: &'static str, spelling: Spelling) -> BoxedStrategy<String> {
    match spelling {
        Spelling::Plain => Just(format!("\"{name}\"")).boxed(),
        Spelling::Escaped => prop::collection::vec(0u8..4, name.len())
            .prop_map(move |how| {
                let mut key = String::from("\"");
                for (c, how) in name.chars().zip(how) {
                    match (how, c) {
                        (0 | 1, _) => key.push(c),
                        (2, '/') => key.push_str("\\/"),
                        (2, _) => key.push_str(&format!("\\u{:04x}", c as u32)),
                        _ => key.push_str(&format!("\\u{:04X}", c as u32)),
                    }
                }
                key.push('"');
                key
            })
            .boxed(),
    }
}

/// The members present (`Some`), in the order `seed` gives.
fn object(members: Vec<(String, Option<Json>)>, seed: u64) -> Json {
    let mut present: Vec<(String, Json)> = members
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
    shuffle(&mut present, seed);
    Json::Object(present)
}

fn with_others(
    mut members: Vec<(String, Option<Json>)>,
    others: Vec<(String, Json)>,
) -> Vec<(String, Option<Json>)> {
    members.extend(others.into_iter().map(|(k, v)| (k, Some(v))));
    members
}

fn text_or_other() -> BoxedStrategy<Json> {
    prop_oneof![3 => string().prop_map(Json::Text), 1 => value()].boxed()
}

fn meta(spelling: Spelling) -> BoxedStrategy<Json> {
    prop_oneof![
        4 => (
            key(VERSION_KEY, spelling),
            prop::option::of(text_or_other()),
            prop::collection::vec((other_key(), value()), 0..3),
            any::<u64>(),
        )
            .prop_map(|(k, version, others, order)| {
                object(with_others(vec![(k, version)], others), order)
            }),
        1 => Just(Json::Text("null".to_owned())),
    ]
    .boxed()
}

fn params(spelling: Spelling) -> BoxedStrategy<Json> {
    let keys = (
        key("name", spelling),
        key("uri", spelling),
        key("taskId", spelling),
        key("protocolVersion", spelling),
        key("arguments", spelling),
        key("requestId", spelling),
        key("_meta", spelling),
    );
    let members = (
        keys,
        (
            prop::option::of(text_or_other()),
            prop::option::weighted(0.3, text_or_other()),
            prop::option::weighted(0.3, text_or_other()),
            prop::option::weighted(0.3, text_or_other()),
        ),
        prop::option::of(prop_oneof![value(), deep()]),
        prop::option::weighted(0.3, id()),
        prop::option::weighted(0.4, meta(spelling)),
        prop::collection::vec((other_key(), value()), 0..3),
        prop::option::weighted(0.15, padding()),
        any::<u64>(),
    )
        .prop_map(
            |(k, (name, uri, task, version), args, request, meta, others, pad, order)| {
                object(
                    with_others(
                        vec![
                            (k.0, name),
                            (k.1, uri),
                            (k.2, task),
                            (k.3, version),
                            (k.4, args),
                            (k.5, request),
                            (k.6, meta),
                            ("\"xpad\"".to_owned(), pad),
                        ],
                        others,
                    ),
                    order,
                )
            },
        );
    prop_oneof![5 => members, 1 => value()].boxed()
}

/// A JSON-RPC-shaped message: any mix of `id`, `method`, `params`, `result` and `error` (the
/// reading decides what it is), members the router ignores, padding, in any order and spacing.
fn message(spelling: Spelling) -> BoxedStrategy<Doc> {
    let keys = (
        key("id", spelling),
        key("method", spelling),
        key("params", spelling),
        key("result", spelling),
        key("error", spelling),
    );
    let members = (
        keys,
        prop::option::of(id()),
        prop::option::weighted(0.55, string().prop_map(Json::Text)),
        prop::option::weighted(0.6, params(spelling)),
        prop::option::weighted(0.5, prop_oneof![value(), deep()]),
        prop::option::weighted(0.2, value()),
        prop::option::weighted(0.5, Just(Json::Text("\"2.0\"".to_owned()))),
        prop::collection::vec((other_key(), value()), 0..3),
        prop::option::weighted(0.3, padding()),
        any::<u64>(),
    )
        .prop_map(
            |(k, id, method, params, result, error, jsonrpc, others, pad, order)| {
                object(
                    with_others(
                        vec![
                            (k.0, id),
                            (k.1, method),
                            (k.2, params),
                            (k.3, result),
                            (k.4, error),
                            ("\"jsonrpc\"".to_owned(), jsonrpc),
                            ("\"xpad\"".to_owned(), pad),
                        ],
                        others,
                    ),
                    order,
                )
            },
        );
    let top = prop_oneof![19 => members, 1 => value()];
    (top, prop::collection::vec(any::<u8>(), 0..12))
        .prop_map(|(top, spacing)| Doc { top, spacing })
        .boxed()
}

/// What routing reads from a message.
#[derive(Debug, Clone, PartialEq)]
struct Routing {
    kind: Kind,
    name: Option<String>,
    uri: Option<String>,
    task_id: Option<String>,
    protocol_version: Option<String>,
    arguments: Option<String>,
    request_id: Option<String>,
    /// `Some` when `_meta` is an object: its protocol version, when that is a string.
    meta: Option<Option<String>>,
}

fn routing(m: Message<'_>) -> Routing {
    let owned = |t: Option<std::borrow::Cow<'_, str>>| t.map(|t| t.into_owned());
    Routing {
        kind: m.kind,
        name: owned(m.params.name),
        uri: owned(m.params.uri),
        task_id: owned(m.params.task_id),
        protocol_version: owned(m.params.protocol_version),
        arguments: m.params.arguments.map(str::to_owned),
        request_id: m.params.request_id.map(str::to_owned),
        meta: m.params.meta.map(|meta| owned(meta.protocol_version)),
    }
}

/// The reading the scanner must agree with, done by serde_json: the text must be a JSON object
/// (`Value` is the strict check: a `RawValue` alone lets lone surrogates through); a member
/// given twice counts as its last, as `serde_json::Value` and JavaScript's `JSON.parse` read it.
fn reference(text: &str) -> Option<Routing> {
    serde_json::from_str::<Value>(text).ok()?.as_object()?;
    let top: HashMap<String, &RawValue> = serde_json::from_str(text).ok()?;
    let decoded = |raw: &RawValue| serde_json::from_str::<Value>(raw.get()).expect("valid JSON");
    let method = match top.get("method").map(|r| decoded(r)) {
        None => None,
        Some(Value::String(m)) => Some(m),
        Some(_) => return None, // JSON-RPC: a method is a string
    };
    let id = top.get("id").map(|r| r.get().to_owned());
    let answer = top.contains_key("result") || top.contains_key("error");
    let kind = match (method, id) {
        (Some(method), Some(id)) => Kind::Request { id, method },
        (Some(method), None) => Kind::Notification { method },
        (None, Some(id)) if answer => Kind::Response { id },
        _ => return None,
    };
    // A `params` that is not an object routes nothing.
    let params: HashMap<String, &RawValue> = top
        .get("params")
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default();
    let text_of = |key: &str| match params.get(key).map(|r| decoded(r)) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let raw_of = |key: &str| params.get(key).map(|r| r.get().to_owned());
    Some(Routing {
        kind,
        name: text_of("name"),
        uri: text_of("uri"),
        task_id: text_of("taskId"),
        protocol_version: text_of("protocolVersion"),
        arguments: raw_of("arguments"),
        request_id: raw_of("requestId"),
        meta: params.get("_meta").and_then(|r| match decoded(r) {
            Value::Object(m) => Some(
                m.get(VERSION_KEY)
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            ),
            _ => None,
        }),
    })
}

fn top_level_in_parts(bytes: &[u8], cuts: &[usize]) -> Option<Kind> {
    let mut top = TopLevel::default();
    for part in parts(bytes, cuts) {
        top.feed(part);
    }
    top.finish()
}

fn top_level_whole(bytes: &[u8]) -> Option<Kind> {
    top_level_in_parts(bytes, &[usize::MAX])
}

/// A message mangled on its way: cut short, a byte flipped, one inserted or dropped.
#[derive(Clone, Debug)]
enum Mangle {
    Truncate(Index),
    Flip(Index, u8),
    Insert(Index, u8),
    Delete(Index),
}

fn mangle() -> BoxedStrategy<Mangle> {
    prop_oneof![
        any::<Index>().prop_map(Mangle::Truncate),
        (any::<Index>(), 1u8..=255).prop_map(|(at, x)| Mangle::Flip(at, x)),
        (any::<Index>(), any::<u8>()).prop_map(|(at, b)| Mangle::Insert(at, b)),
        any::<Index>().prop_map(Mangle::Delete),
    ]
    .boxed()
}

fn mangled(mut bytes: Vec<u8>, how: &[Mangle]) -> Vec<u8> {
    for m in how {
        if bytes.is_empty() {
            break;
        }
        match m {
            Mangle::Truncate(at) => bytes.truncate(at.index(bytes.len())),
            Mangle::Flip(at, x) => {
                let i = at.index(bytes.len());
                bytes[i] ^= x;
            }
            Mangle::Insert(at, b) => {
                let i = at.index(bytes.len() + 1);
                bytes.insert(i, *b);
            }
            Mangle::Delete(at) => {
                bytes.remove(at.index(bytes.len()));
            }
        }
    }
    bytes
}

/// Bytes that are no message: a message mangled, random bytes, or random JSON punctuation.
fn garbage() -> BoxedStrategy<Vec<u8>> {
    let punctuation = b"{}[]\":,\\ \n0123456789.-+eEabdilmnorstu".to_vec();
    prop_oneof![
        4 => (message(Spelling::Plain), prop::collection::vec(mangle(), 1..4))
            .prop_map(|(doc, how)| mangled(doc.text().into_bytes(), &how)),
        1 => prop::collection::vec(any::<u8>(), 0..300),
        2 => prop::collection::vec(select(punctuation), 0..300),
    ]
    .boxed()
}

fn json_trimmed(text: &str) -> &str {
    text.trim_matches([' ', '\t', '\n', '\r'])
}

proptest! {
    #![proptest_config(prop_common::config(256))]

    /// A client's request or a server's answer, big or small, is routed by the id, method and
    /// params serde_json reads in it.
    #[test]
    fn messages_are_routed_by_what_serde_json_reads_in_them(doc in message(Spelling::Plain)) {
        let text = doc.text();
        let want = reference(&text);
        prop_assert_eq!(scan_top_level(&text), want.as_ref().map(|r| r.kind.clone()));
        prop_assert_eq!(parse(&text).ok().map(routing), want);
    }

    /// A big answer streamed to the client in parts is recognised as it would be whole, wherever
    /// the parts are cut.
    #[test]
    fn an_answer_read_in_parts_is_read_as_it_is_whole(
        doc in message(Spelling::Plain),
        cuts in cuts(),
    ) {
        let text = doc.text();
        prop_assert_eq!(top_level_in_parts(text.as_bytes(), &cuts), scan_top_level(&text));
    }

    /// `"\u0069d"` is `"id"` to every JSON reader: the scanner must route it the same.
    #[test]
    fn keys_spelled_with_escapes_are_the_same_keys(
        doc in message(Spelling::Escaped),
        cuts in cuts(),
    ) {
        let text = doc.text();
        let want = reference(&text);
        prop_assert_eq!(scan_top_level(&text), want.as_ref().map(|r| r.kind.clone()));
        prop_assert_eq!(top_level_in_parts(text.as_bytes(), &cuts), want.as_ref().map(|r| r.kind.clone()));
        prop_assert_eq!(parse(&text).ok().map(routing), want);
    }

    /// JSON leaves a member given twice to the reader; ours may refuse such a message or read
    /// the last one (as the client's `JSON.parse` will), but never route it by a mix of both.
    #[test]
    fn a_member_given_twice_never_routes_by_a_made_up_value(
        doc in message(Spelling::Plain),
        twice in prop_oneof![
            (id(), id()).prop_map(|(a, b)| ("\"id\"", a, b)),
            (string(), string()).prop_map(|(a, b)| ("\"method\"", Json::Text(a), Json::Text(b))),
            (params(Spelling::Plain), params(Spelling::Plain)).prop_map(|(a, b)| ("\"params\"", a, b)),
            (value(), value()).prop_map(|(a, b)| ("\"result\"", a, b)),
        ],
        at in any::<(Index, Index)>(),
    ) {
        let Json::Object(mut members) = doc.top.clone() else { return Ok(()) };
        let (name, first, again) = twice;
        if !members.iter().any(|(k, _)| k == name) {
            members.insert(at.0.index(members.len() + 1), (name.to_owned(), first));
        }
        members.insert(at.1.index(members.len() + 1), (name.to_owned(), again));
        let twice = Doc { top: Json::Object(members), spacing: doc.spacing.clone() };
        let text = twice.text();
        let last = reference(&text);
        let last_kind = last.as_ref().map(|r| r.kind.clone());
        let scanned = scan_top_level(&text);
        prop_assert!(scanned.is_none() || scanned == last_kind, "scanned {:?}, last {:?}", scanned, last_kind);
        let whole = top_level_whole(text.as_bytes());
        prop_assert!(whole.is_none() || whole == last_kind, "in parts {:?}, last {:?}", whole, last_kind);
        if let Ok(m) = parse(&text) {
            prop_assert_eq!(Some(routing(m)), last);
        }
    }

    /// Whatever arrives, nothing panics; a part-wise reading does not depend on where the parts
    /// are cut; text that is JSON is read as serde_json reads it. On text that is not JSON the
    /// scanner may still route: it checks the top level's structure and skips values without
    /// validating them (see `scan_message`), so all it may claim is an object with that id.
    #[test]
    fn garbage_is_never_routed_as_something_else(bytes in garbage(), cuts in cuts()) {
        let text = String::from_utf8_lossy(&bytes);
        let scanned = scan_top_level(&text);
        let parsed = parse(&text).ok().map(|m| m.kind);
        prop_assert_eq!(top_level_in_parts(&bytes, &cuts), top_level_whole(&bytes));
        if serde_json::from_str::<Value>(&text).is_ok() {
            prop_assert_eq!(&scanned, &reference(&text).map(|r| r.kind));
        } else if let Some(kind) = &scanned {
            let object = json_trimmed(&text);
            prop_assert!(object.starts_with('{') && object.ends_with('}'), "routed {:?}", kind);
            if let Kind::Request { id, .. } | Kind::Response { id } = kind {
                prop_assert!(object.contains(id.as_str()), "routed {:?}", kind);
            }
        }
        if text.len() >= SCAN_THRESHOLD && scanned.is_some() {
            prop_assert_eq!(parsed, scanned);
        }
    }
}

/// `text` (an object) with a first member that takes it past `SCAN_THRESHOLD`.
fn padded(text: &str) -> String {
    let pad = "a".repeat(SCAN_THRESHOLD);
    format!("{{\"xpad\":\"{pad}\",{}", &text[1..])
}

/// Found by `keys_spelled_with_escapes_are_the_same_keys`: the scanners compare keys as written,
/// so a big request whose `"id"` is spelled `"\u0069d"` reads as a notification (serde_json,
/// below the threshold, reads the request), and a `"metho\u0064"` is no method at all.
#[test]
fn a_big_request_with_escapes_in_its_keys_is_still_a_request() {
    let text = r#"{"\u0069d":1,"metho\u0064":"tools/call"}"#;
    let want = Some(Kind::Request {
        id: "1".into(),
        method: "tools/call".into(),
    });
    assert_eq!(
        parse(text).ok().map(|m| m.kind),
        want,
        "small, read by serde_json"
    );
    assert_eq!(scan_top_level(text), want, "scanned");
    assert_eq!(top_level_whole(text.as_bytes()), want, "read in parts");
    assert_eq!(parse(&padded(text)).ok().map(|m| m.kind), want, "big");
}

/// Found by `a_member_given_twice_never_routes_by_a_made_up_value`: `TopLevel` appends a second
/// `id` to the first, so `{"id":1,"id":2,…}` streamed in parts reads as the answer to id `12`.
#[test]
fn an_answer_with_two_ids_is_not_the_answer_to_a_third() {
    let text = r#"{"id":1,"id":2,"result":{}}"#;
    let last = Some(Kind::Response { id: "2".into() });
    let scanned = scan_top_level(text);
    assert!(scanned.is_none() || scanned == last, "scanned {scanned:?}");
    let in_parts = top_level_whole(text.as_bytes());
    assert!(
        in_parts.is_none() || in_parts == last,
        "read in parts {in_parts:?}"
    );
}

/// Found by `a_member_given_twice_never_routes_by_a_made_up_value`: the scanner reads a `params`
/// only when it is an object, so with two it routes a big request by the first when the last is
/// not an object (serde_json, below the threshold, refuses the message).
#[test]
fn a_request_with_two_params_is_not_routed_by_the_first() {
    let text = r#"{"id":1,"method":"tools/call","params":{"name":"a"},"params":null}"#;
    assert!(parse(text).is_err(), "small, read by serde_json");
    if let Ok(m) = parse(&padded(text)) {
        assert_eq!(m.params.name, None, "big");
    }
}

/// Found by the `jsonrpc_scan` fuzz target: `"method": null` made a small message a response while
/// a big one was no message at all; a method that is not a string makes no message either way.
#[test]
fn a_null_method_makes_no_message_small_or_big() {
    let text = r#"{"method":null,"id":1,"result":1}"#;
    assert!(parse(text).is_err());
    assert_eq!(scan_top_level(text), None);
}

/// Found by the `jsonrpc_scan` fuzz target: an id longer than 4 KiB was routed by the scanner but
/// refused by `TopLevel`; every reading refuses it now.
#[test]
fn an_id_over_4_kib_is_refused_by_every_reading() {
    let text = format!(r#"{{"id":"{}","result":1}}"#, "a".repeat(5000));
    assert!(parse(&text).is_err());
    assert_eq!(scan_top_level(&text), None);
    let mut top = TopLevel::default();
    top.feed(text.as_bytes());
    assert_eq!(top.finish(), None);
}
