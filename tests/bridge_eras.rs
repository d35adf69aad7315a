//! Both protocol eras on both sides: modern (2026-07-28, stateless) and legacy (session-based)
//! clients against modern-only, legacy-only and dual-era upstreams.

mod common;

use common::bridge::{Bridge, bridge, init_params};
use common::upstream::{FAKE_KEY, Mode, Upstream, UpstreamOptions};
use common::wait_until;
use serde_json::{Value, json};

const MODERN: &str = "2026-07-28";

/// A fake upstream in `mode`, and a bridge to it.
async fn start(mode: Mode) -> (Upstream, Bridge) {
    let up = Upstream::start(UpstreamOptions {
        mode,
        ..Default::default()
    })
    .await;
    let b = bridge(&up.url(), FAKE_KEY).spawn();
    (up, b)
}

fn meta(version: &str) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
        "io.modelcontextprotocol/clientInfo": {"name": "modern-test-client", "version": "0.0.1"}
    })
}

/// A modern request: `params` plus the per-request `_meta`.
async fn modern(b: &mut Bridge, method: &str, mut params: Value) -> Value {
    params["_meta"] = meta(MODERN);
    b.request(method, params).await
}

/// A modern `tools/call` of `name` with `arguments`.
async fn modern_call(b: &mut Bridge, name: &str, arguments: Value) -> Value {
    modern(
        b,
        "tools/call",
        json!({"name": name, "arguments": arguments}),
    )
    .await
}

/// A tool call's answer is a result, not an error.
#[track_caller]
fn assert_tool_ok(answer: &Value) {
    assert!(
        answer.get("result").is_some() && answer["result"]["isError"] != true,
        "{answer}"
    );
}

fn text(answer: &Value) -> &str {
    answer["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text in {answer}"))
}

#[tokio::test]
async fn modern_client_and_modern_upstream_with_derived_headers() {
    let (up, mut b) = start(Mode::Modern).await;
    let discover = modern(&mut b, "server/discover", json!({})).await;
    assert!(
        discover["result"]["supportedVersions"]
            .as_array()
            .unwrap()
            .contains(&json!(MODERN)),
        "{discover}"
    );

    let list = modern(&mut b, "tools/list", json!({})).await;
    assert!(list["result"]["tools"].as_array().unwrap().len() >= 8);
    // The fake upstream refuses a logs call whose Mcp-Param-Query header is missing or wrong.
    let query = "héllo 世界";
    let answer = modern_call(&mut b, "logs", json!({"action": "search", "query": query})).await;
    assert_tool_ok(&answer);

    let call = up.requests_for("tools/call").pop().unwrap();
    assert_eq!(call.header("mcp-protocol-version"), Some(MODERN));
    assert_eq!(call.header("mcp-method"), Some("tools/call"));
    assert_eq!(call.header("mcp-name"), Some("logs"));
    assert_eq!(
        call.header("mcp-param-query"),
        Some("=?base64?aMOpbGxvIOS4lueVjA==?=")
    );
    assert!(call.header("mcp-session-id").is_none());
    let discover_req = up.requests_for("server/discover").pop().unwrap();
    assert_eq!(discover_req.header("mcp-method"), Some("server/discover"));

    b.close_stdin();
    let (status, _) = b.wait().await;
    assert!(status.success());
    let methods: Vec<String> = up
        .requests()
        .iter()
        .map(|r| r.http_method.clone())
        .collect();
    assert!(
        methods.iter().all(|m| m == "POST"),
        "no GET stream, no DELETE in 2026-07-28: {methods:?}"
    );
    assert!(up.requests_for("initialize").is_empty());
}

#[tokio::test]
async fn a_tool_never_listed_gets_its_headers_from_one_tools_list_fetch() {
    let (up, mut b) = start(Mode::Modern).await;
    for query in ["first", "second"] {
        let answer = modern_call(&mut b, "logs", json!({"action": "search", "query": query})).await;
        assert_tool_ok(&answer);
    }
    assert_eq!(
        up.requests_for("tools/list").len(),
        1,
        "tools/list fetched once and cached"
    );
    let calls = up.requests_for("tools/call");
    assert_eq!(calls[1].header("mcp-param-query"), Some("second"));
}

#[tokio::test]
async fn modern_client_and_legacy_upstream_falls_back_to_initialize() {
    let (_up, mut b) = start(Mode::Legacy).await;
    let discover = modern(&mut b, "server/discover", json!({})).await;
    assert_eq!(discover["error"]["code"], -32601, "{discover}");
    b.initialize().await;
    let answer = b.call_tool("help", json!({})).await;
    assert!(answer.get("result").is_some(), "{answer}");
}

#[tokio::test]
async fn dual_upstream_serves_both_eras_through_one_bridge() {
    let (up, mut b) = start(Mode::Dual).await;
    let discover = modern(&mut b, "server/discover", json!({})).await;
    assert!(
        discover["result"]["supportedVersions"].is_array(),
        "{discover}"
    );
    let answer = modern_call(&mut b, "echo", json!({"value": "modern"})).await;
    assert_eq!(
        answer["result"]["structuredContent"]["value"], "modern",
        "{answer}"
    );
    // A legacy client of the same upstream, through another bridge.
    let mut legacy = bridge(&up.url(), FAKE_KEY).spawn();
    legacy.initialize().await;
    let answer = legacy.call_tool("echo", json!({"value": "legacy"})).await;
    assert_eq!(
        answer["result"]["structuredContent"]["value"], "legacy",
        "{answer}"
    );
    let legacy_call = up.requests_for("tools/call").pop().unwrap();
    assert!(legacy_call.header("mcp-session-id").is_some());
}

#[tokio::test]
async fn modern_error_bodies_are_relayed_with_their_data() {
    let (_up, mut b) = start(Mode::Modern).await;
    let mut params = json!({});
    params["_meta"] = meta("2099-01-01");
    let answer = b.request("tools/list", params).await;
    assert_eq!(answer["error"]["code"], -32022, "{answer}");
    assert!(
        answer["error"]["data"]["supported"]
            .as_array()
            .unwrap()
            .contains(&json!(MODERN)),
        "{answer}"
    );
}

#[tokio::test]
async fn cancelling_a_modern_request_closes_its_stream() {
    let (up, mut b) = start(Mode::Modern).await;
    b.send_json(&json!({"jsonrpc":"2.0","id":"long","method":"tools/call","params":{"name":"slow","arguments":{"ms":20000},"_meta":meta(MODERN)}})).await;
    wait_until("the upstream starts the slow call", || {
        up.started_slow_calls() > 0
    })
    .await;
    b.send(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"long","reason":"user"}}"#).await;
    wait_until("the upstream handler sees the cancellation", || {
        up.cancelled_calls() > 0
    })
    .await;
    assert!(
        up.requests_for("notifications/cancelled").is_empty(),
        "nothing is POSTed for a stateless cancel"
    );
    // The bridge keeps answering, and the cancelled request never gets an answer.
    let answer = modern_call(&mut b, "echo", json!({"value": 1})).await;
    assert_eq!(answer["result"]["structuredContent"]["value"], 1);
    assert!(b.seen.iter().all(|m| m["id"] != "long"), "{:?}", b.seen);
    b.close_stdin();
    let (_, rest) = b.wait().await;
    assert!(
        rest.iter().all(|l| !l.contains(r#""id":"long""#)),
        "{rest:?}"
    );
}

/// Elicitation in 2026-07-28 is a multi-round-trip result: `input_required`, then a retry with
/// the answers. The relay carries both unchanged.
#[tokio::test]
async fn input_required_round_trip_passes_through() {
    let (up, mut b) = start(Mode::Modern).await;
    let first = modern_call(&mut b, "elicit", json!({})).await;
    let result = &first["result"];
    assert_eq!(result["resultType"], "input_required", "{first}");
    let (key, request) = result["inputRequests"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    assert_eq!(request["method"], "elicitation/create");
    let reply = json!({"action": "accept", "content": {"name": "Ada"}});
    let retry = modern(
        &mut b,
        "tools/call",
        json!({"name": "elicit", "arguments": {}, "inputResponses": {key: reply}, "requestState": result["requestState"]}),
    )
    .await;
    assert_ne!(retry["result"]["resultType"], "input_required", "{retry}");
    let got: Value = serde_json::from_str(text(&retry)).unwrap();
    assert_eq!(got["content"]["name"], "Ada", "{retry}");
    let sent = up.requests_for("tools/call").pop().unwrap().json().unwrap();
    assert_eq!(
        sent["params"]["inputResponses"][key], reply,
        "the retry reached the server unchanged"
    );
}

/// Old client, new server: the bridge answers `initialize` from `server/discover` and adds the
/// modern `_meta` to everything it relays.
#[tokio::test]
async fn legacy_client_and_modern_only_upstream_are_translated() {
    let (up, mut b) = start(Mode::Modern).await;
    let init = b.request("initialize", init_params("2025-06-18")).await;
    let result = &init["result"];
    assert_eq!(result["protocolVersion"], "2025-06-18", "{init}");
    assert_eq!(result["serverInfo"]["name"], "fake-3minapi", "{init}");
    assert!(result["capabilities"]["tools"].is_object(), "{init}");
    b.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;
    let pong = b.request("ping", json!({})).await;
    assert_eq!(pong["result"], json!({}));
    let list = b.request("tools/list", json!({})).await;
    assert!(
        list["result"]["tools"].as_array().unwrap().len() >= 8,
        "{list}"
    );
    let answer = b
        .call_tool("logs", json!({"action": "search", "query": "ünïcode"}))
        .await;
    assert_tool_ok(&answer);

    let call = up.requests_for("tools/call").pop().unwrap();
    let body = call.json().unwrap();
    assert_eq!(
        body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
        MODERN
    );
    assert_eq!(
        body["params"]["_meta"]["io.modelcontextprotocol/clientInfo"]["name"],
        "raw-test-client"
    );
    assert_eq!(body["params"]["arguments"]["query"], "ünïcode");
    assert_eq!(call.header("mcp-protocol-version"), Some(MODERN));
    assert!(call.header("mcp-param-query").is_some());
    assert!(up.requests_for("notifications/initialized").is_empty());
    assert!(
        up.requests_for("ping").is_empty(),
        "ping is answered by the bridge"
    );
}
