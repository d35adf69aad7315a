//! Routing big messages without decoding them: the top level of a message read in one pass over
//! its bytes (whole, or in parts as they stream through), values skipped, not parsed.

use super::{Kind, Message, Meta, Params};
use std::borrow::Cow;

/// Messages at least this long are routed by [`scan_top_level`] instead of a full parse.
pub const SCAN_THRESHOLD: usize = 64 * 1024;

/// Members of a scanned object: the key (unescaped when it has escapes, as a JSON parser reads
/// it) and the byte range of the value.
type Members<'a> = Vec<(Cow<'a, str>, std::ops::Range<usize>)>;

/// The members of the object starting at `text[i]`, and the index after the object. Values are
/// skipped, not decoded.
fn scan_object(text: &str, mut i: usize) -> Option<(Members<'_>, usize)> {
    let b = text.as_bytes();
    i = skip_ws(b, i);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    let mut members = Vec::new();
    loop {
        i = skip_ws(b, i);
        match b.get(i)? {
            b'}' => return Some((members, i + 1)),
            b'"' => {}
            _ => return None,
        }
        let key_end = skip_string(b, i)?;
        let key = string_value(&text[i..key_end])?;
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_ws(b, i + 1);
        let end = skip_value(b, start)?;
        members.push((key, start..end));
        i = skip_ws(b, end);
        match b.get(i)? {
            b',' => i += 1,
            b'}' => return Some((members, i + 1)),
            _ => return None,
        }
    }
}

/// A JSON string value's text, unescaped only when it has escapes.
fn string_value(raw: &str) -> Option<Cow<'_, str>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// The routing view of a big message, read without decoding it: the top level and the members of
/// `params` routing needs. `None` when the structure is not an object of that shape; values
/// are not validated (the peer parses them anyway).
pub(super) fn scan_message(text: &str) -> Option<Message<'_>> {
    let (members, end) = scan_object(text, 0)?;
    if skip_ws(text.as_bytes(), end) != text.len() {
        return None;
    }
    let (mut id, mut method, mut answer, mut params) = (None, None, false, Params::default());
    // A routed member given twice is refused, as a JSON-RPC parser refuses it: never read half
    // from one and half from the other.
    let mut seen = std::collections::HashSet::new();
    for (key, range) in members {
        let value = &text[range.clone()];
        if matches!(&*key, "id" | "method" | "result" | "error" | "params")
            && !seen.insert(key.clone())
        {
            return None;
        }
        match &*key {
            "id" if value.len() > CAPTURE_MAX => return None,
            "id" => id = Some(value),
            "method" => method = Some(string_value(value)?),
            "result" | "error" => answer = true,
            "params" if value.starts_with('{') => params = scan_params(text, range.start)?,
            _ => {}
        }
    }
    let kind = match (method, id) {
        (Some(m), Some(id)) => Kind::Request {
            id: id.to_owned(),
            method: m.into_owned(),
        },
        (Some(m), None) => Kind::Notification {
            method: m.into_owned(),
        },
        (None, Some(id)) if answer => Kind::Response { id: id.to_owned() },
        _ => return None,
    };
    Some(Message { kind, params })
}

fn scan_params(text: &str, start: usize) -> Option<Params<'_>> {
    let (members, _) = scan_object(text, start)?;
    let mut p = Params::default();
    for (key, range) in members {
        let value = &text[range.clone()];
        let string = || string_value(value).filter(|_| value.starts_with('"'));
        match &*key {
            "name" => p.name = string(),
            "uri" => p.uri = string(),
            "taskId" => p.task_id = string(),
            "protocolVersion" => p.protocol_version = string(),
            "arguments" => p.arguments = Some(value),
            "requestId" => p.request_id = Some(value),
            "_meta" if value.starts_with('{') => {
                let (meta, _) = scan_object(text, range.start)?;
                let version = meta
                    .into_iter()
                    .find(|(k, _)| k == "io.modelcontextprotocol/protocolVersion")
                    .and_then(|(_, r)| string_value(&text[r]));
                p.meta = Some(Meta {
                    protocol_version: version,
                });
            }
            _ => {}
        }
    }
    Some(p)
}

/// The kind of a big message from the server (see [`scan_message`]).
pub fn scan_top_level(text: &str) -> Option<Kind> {
    scan_message(text).map(|m| m.kind)
}

/// The top level of a JSON-RPC message read in parts, without holding it: the `id`, the
/// `method`, and whether there is a `result` or `error`, wherever they sit among the members.
#[derive(Debug, Default)]
pub struct TopLevel {
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// At depth 1: a key is expected (after `{` or `,`).
    expect_key: bool,
    reading_key: bool,
    key: Vec<u8>,
    /// The depth-1 member whose value is being read.
    member: Member,
    id: Vec<u8>,
    method: Vec<u8>,
    answer: bool,
    malformed: bool,
    /// The routed members met so far: one given twice makes the message malformed.
    seen: Seen,
    /// What is being captured went past [`CAPTURE_MAX`].
    overflow: bool,
}

/// The routed members of a top level, one bit each.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Seen(u8);

impl Seen {
    /// Marks the member `key` as met; false when it had been met before.
    fn first(&mut self, key: &[u8]) -> bool {
        let bit = match key {
            b"id" => 1,
            b"method" => 2,
            b"result" => 4,
            b"error" => 8,
            b"params" => 16,
            _ => return true,
        };
        let first = self.0 & bit == 0;
        self.0 |= bit;
        first
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Member {
    #[default]
    None,
    Id,
    Method,
    Other,
}

/// Longest `id` or `method` text kept; longer ones are not routable anyway.
pub(super) const CAPTURE_MAX: usize = 4096;

impl TopLevel {
    pub fn feed(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            if self.in_string {
                if !self.capturing() {
                    // Most of a big message: a string nobody needs, skipped by blocks.
                    match super::strscan::string_end(bytes, i, self.escaped) {
                        Ok(end) => {
                            self.escaped = false;
                            self.in_string = false;
                            i = end + 1;
                            continue;
                        }
                        Err(escaped) => {
                            self.escaped = escaped;
                            break;
                        }
                    }
                }
                if self.escaped {
                    self.escaped = false;
                    self.keep(&bytes[i..=i]);
                    i += 1;
                    continue;
                }
                // Plain string bytes are skipped in one go (a scalar scan beats memchr on text
                // dense with escapes, like JSON inside a JSON string).
                let run = bytes[i..]
                    .iter()
                    .position(|&c| c == b'"' || c == b'\\')
                    .unwrap_or(bytes.len() - i);
                self.keep(&bytes[i..i + run]);
                i += run;
                let Some(&c) = bytes.get(i) else { break };
                if c == b'\\' {
                    self.escaped = true;
                    self.keep(b"\\");
                } else if self.reading_key {
                    self.reading_key = false;
                    self.in_string = false;
                } else {
                    self.in_string = false;
                    self.keep(b"\"");
                }
                i += 1;
                continue;
            }
            let c = bytes[i];
            match c {
                b'"' if self.depth == 1 && self.expect_key => {
                    self.in_string = true;
                    self.reading_key = true;
                    self.key.clear();
                    self.overflow = false;
                }
                b'"' => {
                    self.in_string = true;
                    self.keep(b"\"");
                }
                b'{' | b'[' => {
                    if self.depth == 0 && c != b'{' {
                        self.malformed = true;
                    }
                    self.keep(&[c]);
                    self.depth += 1;
                    self.expect_key = self.depth == 1;
                }
                b'}' | b']' => {
                    if self.depth == 1 {
                        self.member = Member::None;
                    } else {
                        self.keep(&[c]);
                    }
                    match self.depth.checked_sub(1) {
                        Some(d) => self.depth = d,
                        None => self.malformed = true,
                    }
                }
                b':' if self.depth == 1 => {
                    self.expect_key = false;
                    let key = self.unescaped_key();
                    if !self.seen.first(&key) {
                        self.malformed = true;
                    }
                    self.member = match key.as_slice() {
                        b"id" => Member::Id,
                        b"method" => Member::Method,
                        b"result" | b"error" => {
                            self.answer = true;
                            Member::Other
                        }
                        _ => Member::Other,
                    };
                }
                b',' if self.depth == 1 => {
                    self.member = Member::None;
                    self.expect_key = true;
                }
                _ => self.keep(&[c]),
            }
            i += 1;
        }
    }

    /// Whether the bytes being read are kept: a key, or the `id` / `method` value.
    fn capturing(&self) -> bool {
        self.reading_key || matches!(self.member, Member::Id | Member::Method)
    }

    /// The key just read as a JSON parser reads it (escapes resolved); a key that was too long
    /// to keep routes nothing.
    fn unescaped_key(&mut self) -> Vec<u8> {
        let key = std::mem::take(&mut self.key);
        if std::mem::take(&mut self.overflow) {
            return Vec::new();
        }
        if !key.contains(&b'\\') {
            return key;
        }
        let mut quoted = Vec::with_capacity(key.len() + 2);
        quoted.push(b'"');
        quoted.extend_from_slice(&key);
        quoted.push(b'"');
        serde_json::from_slice::<String>(&quoted).map_or_else(|_| Vec::new(), String::into_bytes)
    }

    /// Keeps bytes of the key or of the `id` / `method` value being read.
    fn keep(&mut self, bytes: &[u8]) {
        let target = if self.reading_key {
            &mut self.key
        } else {
            match self.member {
                Member::Id => &mut self.id,
                Member::Method => &mut self.method,
                Member::None | Member::Other => return,
            }
        };
        if target.len() + bytes.len() <= CAPTURE_MAX {
            target.extend_from_slice(bytes);
        } else if self.reading_key {
            self.overflow = true;
        } else {
            // An id or method too long to keep cannot be routed: the message is refused.
            self.malformed = true;
        }
    }

    /// The id of a message already known to be an answer (its `id` read whole, a `result` or
    /// `error` member seen, no `method`): one too big to relay can be refused before its end.
    pub fn answer_id(&self) -> Option<&str> {
        let settled =
            self.answer && !self.malformed && self.method.is_empty() && self.member != Member::Id;
        std::str::from_utf8(self.id.trim_ascii())
            .ok()
            .filter(|id| settled && !id.is_empty())
    }

    /// The message's kind, once all of it has been fed; `None` if it is not a JSON-RPC object.
    pub fn finish(self) -> Option<Kind> {
        if self.malformed || self.depth != 0 || self.in_string {
            return None;
        }
        let id = std::str::from_utf8(self.id.trim_ascii())
            .ok()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        // A method that is not a string makes no JSON-RPC message (as for a whole one).
        let method = match self.method.trim_ascii() {
            [] => None,
            text => Some(serde_json::from_slice::<String>(text).ok()?),
        };
        match (method, id) {
            (Some(method), Some(id)) => Some(Kind::Request { id, method }),
            (Some(method), None) => Some(Kind::Notification { method }),
            (None, Some(id)) if self.answer => Some(Kind::Response { id }),
            _ => None,
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// `b[i]` is the opening quote; returns the index after the closing one.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    super::strscan::string_end(b, i + 1, false)
        .ok()
        .map(|end| end + 1)
}

/// Returns the index after the value starting at `b[i]`.
fn skip_value(b: &[u8], mut i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                match b.get(i)? {
                    b'"' => {
                        i = skip_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let start = i;
            while let Some(c) = b.get(i) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                i += 1;
            }
            (i > start).then_some(i)
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonrpc::{Envelope, parse};

    #[test]
    fn the_scanner_agrees_with_the_parser() {
        let cases = [
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"a \" } ] { \\"}]}}"#,
            r#" { "id" : "x-1" , "error" : {"code":-1,"message":"m"} } "#,
            r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"p":[1,2,{"q":"]"}]}}"#,
            r#"{"jsonrpc":"2.0","id":{"a":[1]},"method":"sampling/createMessage","params":{}}"#,
            r#"{"result":{},"id":null,"jsonrpc":"2.0"}"#,
        ];
        for text in cases {
            assert_eq!(
                scan_top_level(text),
                parse(text).ok().map(|m| m.kind),
                "{text}"
            );
        }
        for bad in [
            r#"{"id":1,"result":{}"#,
            r#"[1]"#,
            r#"{"id":1,"result":{}} x"#,
            r#"{"id" 1}"#,
            r#"{"id":"open"#,
            "",
        ] {
            assert_eq!(scan_top_level(bad), None, "{bad}");
        }
    }

    #[test]
    fn big_messages_are_routed_like_small_ones() {
        let pad = "x".repeat(SCAN_THRESHOLD);
        let text = format!(
            r#"{{"jsonrpc":"2.0","id":"c\u0031","method":"tools\/call","params":{{"name":"lo\u0067s","arguments":{{"query":"q","pad":"{pad}"}},"_meta":{{"io.modelcontextprotocol/protocolVersion":"2026-07-28","x":[1,{{"y":"}}"}}]}}}}}}"#
        );
        let big = parse(&text).unwrap();
        let full: Envelope<'_> = serde_json::from_str(&text).unwrap();
        assert_eq!(
            big.kind,
            Kind::Request {
                id: "\"c\\u0031\"".into(),
                method: "tools/call".into()
            }
        );
        assert_eq!(big.params.name, full.params.name);
        assert_eq!(big.params.name.as_deref(), Some("logs"));
        assert_eq!(big.params.arguments, full.params.arguments);
        assert_eq!(
            big.params.meta.unwrap().protocol_version.as_deref(),
            Some("2026-07-28")
        );
    }

    #[test]
    fn the_top_level_is_read_from_parts_wherever_the_id_sits() {
        let inner = r#"{\"id\":\"x\",\"result\":[\"}\"]}"#;
        let cases = [
            (
                format!(
                    r#"{{"jsonrpc":"2.0","id":7,"result":{{"text":"{inner}","n":[1,{{"id":2}}]}}}}"#
                ),
                Some(Kind::Response { id: "7".into() }),
            ),
            (
                format!(
                    r#"{{"result":{{"content":[{{"text":"{inner}"}}]}},"jsonrpc":"2.0", "id" : "a,\"b" }}"#
                ),
                Some(Kind::Response {
                    id: r#""a,\"b""#.into(),
                }),
            ),
            (
                r#"{"jsonrpc":"2.0","id":3,"method":"sampling/createMessage","params":{"id":9}}"#
                    .to_owned(),
                Some(Kind::Request {
                    id: "3".into(),
                    method: "sampling/createMessage".into(),
                }),
            ),
            (
                r#"{"method":"notifications/progress","params":{"result":1,"id":4}}"#.to_owned(),
                Some(Kind::Notification {
                    method: "notifications/progress".into(),
                }),
            ),
            (r#"{"jsonrpc":"2.0","id":1}"#.to_owned(), None),
            (r#"{"jsonrpc":"2.0","id":1,"result":{"#.to_owned(), None),
            (r#"[{"id":1,"result":{}}]"#.to_owned(), None),
        ];
        for (text, want) in cases {
            for size in [1, 2, 5, text.len()] {
                let mut top = TopLevel::default();
                for part in text.as_bytes().chunks(size) {
                    top.feed(part);
                }
                assert_eq!(top.finish(), want, "{text} in parts of {size}");
            }
        }
    }

    #[test]
    fn long_strings_dense_with_escapes_hide_nothing_and_end_where_they_end() {
        // JSON in JSON in JSON: runs of one and three backslashes, quotes and braces inside,
        // long enough to be skipped by blocks, cut in parts at every kind of boundary.
        let unit = r#"{\\\"id\\\":\\\"x\\\"},\"id\":1}\\\\"#;
        let text = format!(
            r#"{{"jsonrpc":"2.0","result":{{"text":"{}","more":"{}"}},"id":"z"}}"#,
            unit.repeat(40),
            unit.repeat(3)
        );
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
        let want = Some(Kind::Response {
            id: r#""z""#.into(),
        });
        for size in [1, 3, 63, 64, 65, 127, 1000, text.len()] {
            let mut top = TopLevel::default();
            for part in text.as_bytes().chunks(size) {
                top.feed(part);
            }
            assert_eq!(top.finish(), want, "in parts of {size}");
        }
        assert_eq!(scan_top_level(&text), want);
    }
}
