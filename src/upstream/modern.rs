//! What MCP 2026-07-28 ("modern", stateless) adds on the wire, as pure functions: telling a modern
//! request apart, the per-request headers (SEP-2243), sorting a `server/discover` answer, and the
//! translation that lets a legacy client use a modern-only server.

use base64::Engine;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The first stateless revision. Versions are dates: a lexical compare orders them.
pub const MODERN_VERSION: &str = "2026-07-28";
/// The newest revision with an `initialize` handshake.
pub const LATEST_LEGACY: &str = "2025-11-25";
/// Legacy revisions a translated `initialize` may answer with.
pub const LEGACY_VERSIONS: &[&str] = &["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

pub const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
pub const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
pub const META_CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
pub const META_LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
pub const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// Error codes that only a modern server sends: header mismatch, missing client capability,
/// unsupported protocol version.
pub const MODERN_ERROR_CODES: &[i64] = &[-32020, -32021, -32022];
pub const UNSUPPORTED_VERSION: i64 = -32022;

pub fn is_modern(version: &str) -> bool {
    version >= MODERN_VERSION
}

/// `Mcp-Name`: the member of `params` that names what a request acts on.
pub fn mcp_name<'a>(method: &str, params: &'a crate::jsonrpc::Params<'_>) -> Option<&'a str> {
    match method {
        "tools/call" | "prompts/get" => params.name.as_deref(),
        "resources/read" | "resources/subscribe" | "resources/unsubscribe" => params.uri.as_deref(),
        "tasks/get" | "tasks/update" | "tasks/cancel" => params.task_id.as_deref(),
        _ => None,
    }
}

/// A header value as SEP-2243 carries it: as is when it is printable ASCII without edge
/// whitespace, else `=?base64?<standard base64 of the UTF-8>?=`.
pub fn encode_header_value(value: &str) -> String {
    let edge_space = |c: Option<char>| matches!(c, Some(' ' | '\t'));
    let needs_wrap = !value.is_empty()
        && (edge_space(value.chars().next())
            || edge_space(value.chars().last())
            || value
                .chars()
                .any(|c| (c as u32) < 0x20 || (c as u32) > 0x7e)
            || (value.starts_with("=?base64?") && value.ends_with("?=")));
    if needs_wrap {
        format!(
            "=?base64?{}?=",
            base64::engine::general_purpose::STANDARD.encode(value)
        )
    } else {
        value.to_owned()
    }
}

/// Where a tool's `x-mcp-header` arguments sit: property path → header name.
pub type ParamHeaders = Vec<(Vec<String>, String)>;

/// The `x-mcp-header` annotations of every tool of a `tools/list` result (the whole response
/// line). Only `properties` chains are followed, and only string, integer and boolean properties
/// count (SEP-2243).
pub fn param_headers_of_tools_list(response: &str) -> HashMap<String, ParamHeaders> {
    let mut out = HashMap::new();
    let Ok(v) = serde_json::from_str::<Value>(response) else {
        return out;
    };
    for tool in v["result"]["tools"].as_array().into_iter().flatten() {
        let Some(name) = tool["name"].as_str() else {
            continue;
        };
        let mut found = Vec::new();
        collect_annotations(&tool["inputSchema"], &mut Vec::new(), &mut found);
        out.insert(name.to_owned(), found);
    }
    out
}

fn collect_annotations(schema: &Value, path: &mut Vec<String>, found: &mut ParamHeaders) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (key, prop) in props {
        path.push(key.clone());
        let header = prop.get("x-mcp-header").and_then(Value::as_str);
        let typed_ok = matches!(
            prop.get("type").and_then(Value::as_str),
            Some("string" | "integer" | "boolean")
        );
        if let Some(h) = header
            && typed_ok
            && !h.is_empty()
            && h.bytes().all(is_tchar)
        {
            found.push((path.clone(), h.to_owned()));
        }
        collect_annotations(prop, path, found);
        path.pop();
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The `Mcp-Param-*` headers of one call: absent or null arguments give none.
pub fn param_header_values(
    annotations: &ParamHeaders,
    arguments: Option<&str>,
) -> Vec<(String, String)> {
    if annotations.is_empty() {
        return vec![];
    }
    let Some(args) = arguments.and_then(|a| serde_json::from_str::<Value>(a).ok()) else {
        return vec![];
    };
    let mut out = Vec::new();
    for (path, name) in annotations {
        let mut at = &args;
        for key in path {
            at = &at[key.as_str()];
        }
        let text = match at {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        out.push((
            format!("mcp-param-{}", name.to_ascii_lowercase()),
            encode_header_value(&text),
        ));
    }
    out
}

/// How the upstream answered a `server/discover` probe.
#[derive(Debug, PartialEq, Eq)]
pub enum Discovered {
    /// A modern server: relay its answer (a result, or an error with a modern code).
    Modern,
    /// A server without the stateless revision: the client should fall back to `initialize`.
    LegacyOnly,
}

/// Sorts a discover answer that the HTTP layer did not already classify as a key or transport
/// problem. `body` is what came back (JSON-RPC or not), `status` the HTTP status.
pub fn sort_discover(status: u16, body: &str) -> Discovered {
    let Ok(v) = serde_json::from_str::<Value>(body.trim()) else {
        return Discovered::LegacyOnly;
    };
    if (200..300).contains(&status)
        && v.get("result")
            .is_some_and(|r| r.get("supportedVersions").is_some())
    {
        return Discovered::Modern;
    }
    match v["error"]["code"].as_i64() {
        Some(code) if MODERN_ERROR_CODES.contains(&code) => Discovered::Modern,
        _ => Discovered::LegacyOnly,
    }
}

/// The `_meta` a translated legacy client's requests carry upstream.
#[derive(Debug, Clone)]
pub struct Translation {
    pub version: String,
    pub capabilities: Value,
    pub client_info: Option<Value>,
    pub log_level: Option<Value>,
}

impl Translation {
    /// From the client's `initialize` params and the version the upstream supports. Sampling,
    /// elicitation and roots are not announced upstream: the server would ask for them through
    /// `input_required` results, which a legacy client cannot read.
    pub fn new(initialize_params: &Value, version: &str) -> Translation {
        let mut capabilities = initialize_params
            .get("capabilities")
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let Some(caps) = capabilities.as_object_mut() {
            for k in ["sampling", "elicitation", "roots"] {
                caps.remove(k);
            }
        }
        Translation {
            version: version.to_owned(),
            capabilities,
            client_info: initialize_params.get("clientInfo").cloned(),
            log_level: None,
        }
    }

    fn meta(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert(META_VERSION.into(), self.version.clone().into());
        m.insert(META_CAPABILITIES.into(), self.capabilities.clone());
        if let Some(info) = &self.client_info {
            m.insert(META_CLIENT_INFO.into(), info.clone());
        }
        if let Some(level) = &self.log_level {
            m.insert(META_LOG_LEVEL.into(), level.clone());
        }
        m
    }

    /// The client's request with the modern `_meta` added (its own `_meta` members are kept).
    pub fn apply(&self, line: &str) -> Option<String> {
        let mut v: Value = serde_json::from_str(line).ok()?;
        let obj = v.as_object_mut()?;
        let params = obj.entry("params").or_insert_with(|| json!({}));
        let params = params.as_object_mut()?;
        let meta = params.entry("_meta").or_insert_with(|| json!({}));
        let meta = meta.as_object_mut()?;
        for (k, val) in self.meta() {
            meta.entry(k).or_insert(val);
        }
        Some(v.to_string())
    }

    /// A `server/discover` request for this client.
    pub fn discover_request(&self, id: &str) -> String {
        json!({"jsonrpc": "2.0", "id": id, "method": "server/discover", "params": {"_meta": self.meta()}}).to_string()
    }
}

/// The `initialize` result a legacy client gets from a modern-only server's discover result:
/// the version it asked for when that is a legacy revision, else the latest legacy one.
pub fn initialize_result_from_discover(discover: &Value, requested: Option<&str>) -> Value {
    let version = requested
        .filter(|v| LEGACY_VERSIONS.contains(v))
        .unwrap_or(LATEST_LEGACY);
    let result = &discover["result"];
    let server_info = result["_meta"][META_SERVER_INFO]
        .as_object()
        .map(|o| Value::Object(o.clone()))
        .unwrap_or_else(|| json!({"name": "3minapi", "version": env!("CARGO_PKG_VERSION")}));
    let mut out = json!({
        "protocolVersion": version,
        "capabilities": result.get("capabilities").cloned().unwrap_or_else(|| json!({})),
        "serverInfo": server_info,
    });
    if let Some(instructions) = result.get("instructions").filter(|i| i.is_string()) {
        out["instructions"] = instructions.clone();
    }
    out
}

/// The newest modern version the server lists (in a discover result or a -32022 error).
pub fn pick_modern_version(answer: &Value) -> Option<String> {
    let lists = [
        &answer["result"]["supportedVersions"],
        &answer["error"]["data"]["supported"],
    ];
    lists
        .iter()
        .filter_map(|l| l.as_array())
        .flatten()
        .filter_map(Value::as_str)
        .filter(|v| is_modern(v))
        .max()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_follow_sep_2243() {
        assert_eq!(encode_header_value("us-west1"), "us-west1");
        assert_eq!(
            encode_header_value("Hello, 世界"),
            "=?base64?SGVsbG8sIOS4lueVjA==?="
        );
        assert_eq!(encode_header_value(" padded "), "=?base64?IHBhZGRlZCA=?=");
        assert_eq!(
            encode_header_value("line1\nline2"),
            "=?base64?bGluZTEKbGluZTI=?="
        );
        assert_eq!(
            encode_header_value("=?base64?literal?="),
            "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="
        );
        assert_eq!(encode_header_value(""), "");
    }

    #[test]
    fn annotations_and_values() {
        let list = r#"{"jsonrpc":"2.0","id":1,"result":{"tools":[
            {"name":"logs","inputSchema":{"type":"object","properties":{
                "query":{"type":"string","x-mcp-header":"Query"},
                "limit":{"type":"integer","x-mcp-header":"Limit"},
                "ratio":{"type":"number","x-mcp-header":"Ratio"},
                "filter":{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"}}}}}},
            {"name":"help","inputSchema":{"type":"object"}}]}}"#;
        let all = param_headers_of_tools_list(list);
        assert!(all["help"].is_empty());
        let logs = &all["logs"];
        assert_eq!(
            logs.len(),
            3,
            "number-typed properties carry no header: {logs:?}"
        );
        let mut values = param_header_values(
            logs,
            Some(r#"{"query":"héllo","limit":5,"ratio":0.5,"filter":{"region":"eu"}}"#),
        );
        values.sort();
        assert_eq!(
            values,
            [
                ("mcp-param-limit".to_owned(), "5".to_owned()),
                (
                    "mcp-param-query".to_owned(),
                    "=?base64?aMOpbGxv?=".to_owned()
                ),
                ("mcp-param-region".to_owned(), "eu".to_owned()),
            ]
        );
        assert!(param_header_values(logs, Some(r#"{"query":null}"#)).is_empty());
    }

    #[test]
    fn discover_answers_are_sorted() {
        assert_eq!(
            sort_discover(
                200,
                r#"{"jsonrpc":"2.0","id":1,"result":{"supportedVersions":["2026-07-28"],"capabilities":{}}}"#
            ),
            Discovered::Modern
        );
        assert_eq!(
            sort_discover(
                400,
                r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"x","data":{"supported":["2026-07-28"]}}}"#
            ),
            Discovered::Modern
        );
        assert_eq!(
            sort_discover(
                400,
                r#"{"jsonrpc":"2.0","id":"server-error","error":{"code":-32600,"message":"Bad Request: Missing session ID"}}"#
            ),
            Discovered::LegacyOnly
        );
        assert_eq!(
            sort_discover(
                200,
                r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}"#
            ),
            Discovered::LegacyOnly
        );
        assert_eq!(sort_discover(404, "Not Found"), Discovered::LegacyOnly);
        assert_eq!(sort_discover(405, ""), Discovered::LegacyOnly);
    }

    #[test]
    fn translation_adds_meta_and_builds_initialize() {
        let t = Translation::new(
            &json!({"protocolVersion":"2025-06-18","capabilities":{"sampling":{},"experimental":{"x":{}}},"clientInfo":{"name":"ide","version":"1"}}),
            "2026-07-28",
        );
        let line = t.apply(r#"{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"_meta":{"progressToken":1}}}"#).unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        let meta = &v["params"]["_meta"];
        assert_eq!(meta[META_VERSION], "2026-07-28");
        assert_eq!(meta["progressToken"], 1);
        assert_eq!(meta[META_CAPABILITIES], json!({"experimental":{"x":{}}}));
        assert_eq!(meta[META_CLIENT_INFO]["name"], "ide");
        let discover = json!({"result":{"supportedVersions":["2026-07-28"],"capabilities":{"tools":{}},"instructions":"hi","_meta":{META_SERVER_INFO:{"name":"s","version":"2"}}}});
        let init = initialize_result_from_discover(&discover, Some("2025-06-18"));
        assert_eq!(
            init,
            json!({"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"s","version":"2"},"instructions":"hi"})
        );
        assert_eq!(
            initialize_result_from_discover(&discover, Some("2031-01-01"))["protocolVersion"],
            LATEST_LEGACY
        );
        assert_eq!(
            pick_modern_version(&discover).as_deref(),
            Some("2026-07-28")
        );
    }
}
