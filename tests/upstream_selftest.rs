//! Self-test of the fake upstream (tests/common/upstream.rs): raw HTTP through reqwest, and
//! rmcp's own Streamable HTTP client in each era.

mod common;

use std::{collections::HashMap, time::Duration};

use common::upstream::{
    FAKE_KEY, LEGACY_MISSING_SESSION_BODY, Mode, TOOL_NAMES, Upstream, UpstreamOptions,
};
use http::{HeaderName, HeaderValue};
use rmcp::{
    ClientHandler, ClientLifecycleMode, ClientServiceExt, ErrorData, RoleClient,
    model::{
        CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, ProtocolVersion,
    },
    service::{RequestContext, RunningService},
    transport::{
        StreamableHttpClientTransport, streamable_http_client::StreamableHttpClientTransportConfig,
    },
};
// Sampling and roots are deprecated by SEP-2577 but the fake upstream still serves them.
#[allow(deprecated)]
use rmcp::model::{
    CreateMessageRequestParams, CreateMessageResult, ListRootsResult, Root, SamplingMessage,
};
use serde_json::{Value, json};

const ACCEPT: &str = "application/json, text/event-stream";

fn initialize_body(id: u64) -> Value {
    json!({
        "jsonrpc": "2.0", "id": id, "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "selftest", "version": "0"}
        }
    })
}

fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}
    })
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Every JSON message of the body: the body itself if JSON, else each SSE `data:` line.
    fn messages(&self) -> Vec<Value> {
        if let Ok(v) = serde_json::from_str::<Value>(&self.text) {
            return vec![v];
        }
        self.text
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter_map(|d| serde_json::from_str(d.trim()).ok())
            .collect()
    }

    /// The message carrying `result` or `error`.
    fn answer(&self) -> Value {
        self.messages()
            .into_iter()
            .find(|m| m.get("result").is_some() || m.get("error").is_some())
            .unwrap_or_else(|| panic!("no JSON-RPC answer in {:?}", self.text))
    }
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    key: Option<&str>,
    session: Option<&str>,
    extra: &[(&str, &str)],
    body: &Value,
) -> Answer {
    let mut req = client
        .post(url)
        .header("accept", ACCEPT)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(key) = key {
        req = req.header("x-api-key", key);
    }
    if let Some(session) = session {
        req = req.header("mcp-session-id", session);
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("request sent");
    Answer {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        text: resp.text().await.expect("body"),
    }
}

/// initialize + notifications/initialized; returns the session id.
async fn legacy_session(client: &reqwest::Client, url: &str) -> String {
    let init = post(client, url, Some(FAKE_KEY), None, &[], &initialize_body(1)).await;
    assert_eq!(init.status, 200, "{}", init.text);
    let sid = init.header("mcp-session-id").expect("session id");
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let ack = post(client, url, Some(FAKE_KEY), Some(&sid), &[], &note).await;
    assert_eq!(ack.status, 202);
    sid
}

/// A POST with the fake key and no extra headers.
async fn post_keyed(
    client: &reqwest::Client,
    url: &str,
    session: Option<&str>,
    body: &Value,
) -> Answer {
    post(client, url, Some(FAKE_KEY), session, &[], body).await
}

/// A client that opens a new connection for every request.
fn unpooled_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

fn tools_list(id: u64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"})
}

/// A modern `server/discover` request and the headers that go with it.
fn discover_request(id: u64) -> (Value, [(&'static str, &'static str); 2]) {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": "server/discover", "params": {"_meta": modern_meta()}});
    let headers = [
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "server/discover"),
    ];
    (body, headers)
}

#[track_caller]
fn assert_content_type(answer: &Answer, expected: &str) {
    assert_eq!(answer.header("content-type").as_deref(), Some(expected));
}

async fn upstream_in(mode: Mode) -> Upstream {
    Upstream::start(UpstreamOptions {
        mode,
        ..UpstreamOptions::default()
    })
    .await
}

#[derive(Clone, Default)]
struct TestClient;

impl ClientHandler for TestClient {
    fn get_info(&self) -> ClientConfig {
        let capabilities: ClientCapabilities =
            serde_json::from_value(json!({"sampling": {}, "roots": {"listChanged": false}}))
                .expect("capabilities");
        ClientConfig::new(capabilities, Implementation::new("selftest", "0.0.0"))
    }

    #[allow(deprecated)]
    async fn create_message(
        &self,
        _params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        Ok(CreateMessageResult::new(
            SamplingMessage::assistant_text("sampled answer"),
            "test-model".to_string(),
        ))
    }

    #[allow(deprecated)]
    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        Ok(ListRootsResult::new(vec![Root::new(
            "file:///work/project",
        )]))
    }
}

async fn rmcp_client(
    upstream: &Upstream,
    lifecycle: ClientLifecycleMode,
) -> RunningService<RoleClient, TestClient> {
    let headers = HashMap::from([(
        HeaderName::from_static("x-api-key"),
        HeaderValue::from_str(&upstream.key()).unwrap(),
    )]);
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(upstream.url()).custom_headers(headers),
    );
    TestClient
        .serve_with_lifecycle(transport, lifecycle)
        .await
        .expect("rmcp client connects")
}

async fn modern_client(upstream: &Upstream) -> RunningService<RoleClient, TestClient> {
    rmcp_client(
        upstream,
        ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        },
    )
    .await
}

fn call(name: &str, args: Value) -> CallToolRequestParams {
    let mut params = CallToolRequestParams::new(name.to_string());
    params.arguments = args.as_object().cloned();
    params
}

fn first_text(result: &rmcp::model::CallToolResult) -> String {
    result.content[0]
        .as_text()
        .map(|t| t.text.clone())
        .expect("text content")
}

async fn call_tool(
    client: &RunningService<RoleClient, TestClient>,
    name: &str,
    args: Value,
    what: &str,
) -> rmcp::model::CallToolResult {
    client.call_tool(call(name, args)).await.expect(what)
}

/// Exercises tools/list, echo (nested + 2 MB), a data tool, sample, roots and 32 concurrent calls.
async fn exercise(client: &RunningService<RoleClient, TestClient>) {
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, TOOL_NAMES);
    let help = tools.iter().find(|t| t.name == "help").unwrap();
    assert_eq!(
        help.annotations.as_ref().and_then(|a| a.read_only_hint),
        Some(true)
    );

    let value = json!({"a": [1, 2.5, "x", null, {"b": true}], "s": "ünïcode ✓"});
    let result = call_tool(client, "echo", json!({"value": value}), "echo").await;
    assert_eq!(first_text(&result), serde_json::to_string(&value).unwrap());
    assert_eq!(result.structured_content, Some(json!({"value": value})));

    let big = "x".repeat(2 * 1024 * 1024);
    let result = call_tool(client, "echo", json!({"value": big}), "2 MB echo").await;
    assert_eq!(result.structured_content, Some(json!({"value": big})));

    let result = call_tool(
        client,
        "endpoints",
        json!({"action": "list"}),
        "endpoints list",
    )
    .await;
    assert!(first_text(&result).contains("user-signup"));

    let result = call_tool(client, "sample", json!({}), "sample").await;
    assert!(
        first_text(&result).contains("sampled answer"),
        "{}",
        first_text(&result)
    );
    let result = call_tool(client, "roots", json!({}), "roots").await;
    assert!(first_text(&result).contains("file:///work/project"));

    let result = call_tool(client, "elicit", json!({"message": "Pick one"}), "elicit").await;
    assert!(
        first_text(&result).contains("\"action\""),
        "{}",
        first_text(&result)
    );

    // 16 slow calls in flight at once finish together, not one after another.
    let started = std::time::Instant::now();
    let slow = (0..16).map(|_| {
        let peer = client.peer().clone();
        async move { peer.call_tool(call("slow", json!({"ms": 400}))).await }
    });
    for result in join_all(slow).await {
        assert_eq!(first_text(&result.expect("slow")), "done after 400 ms");
    }
    assert!(
        started.elapsed() < Duration::from_millis(2000),
        "{:?}",
        started.elapsed()
    );

    let calls = (0..32).map(|i| {
        let peer = client.peer().clone();
        async move { peer.call_tool(call("echo", json!({"value": i}))).await }
    });
    let results = join_all(calls).await;
    for (i, result) in results.into_iter().enumerate() {
        assert_eq!(first_text(&result.expect("concurrent echo")), i.to_string());
    }
}

/// A tiny `join_all` (no futures crate in dev-dependencies).
async fn join_all<F: std::future::Future + Send + 'static>(
    futs: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_auth_initialize_and_recording() {
    let upstream = Upstream::start(UpstreamOptions::default()).await;
    let url = upstream.url();
    assert_eq!(url, format!("http://127.0.0.1:{}/api/mcp", upstream.port()));
    let client = reqwest::Client::new();

    let refused = post(&client, &url, None, None, &[], &initialize_body(1)).await;
    assert_eq!(refused.status, 401);
    let wrong = post(
        &client,
        &url,
        Some("tm_mcp_wrongwrongwrongwrong"),
        None,
        &[],
        &initialize_body(1),
    )
    .await;
    assert_eq!(wrong.status, 401);

    let sid = legacy_session(&client, &url).await;
    let tools = post_keyed(&client, &url, Some(&sid), &tools_list(2)).await;
    assert_eq!(tools.status, 200);
    assert_content_type(&tools, "text/event-stream");
    assert_eq!(
        tools.answer()["result"]["tools"].as_array().unwrap().len(),
        TOOL_NAMES.len()
    );

    let seen = upstream.requests();
    let summary: Vec<(Option<&str>, u16)> = seen
        .iter()
        .map(|r| (r.rpc_method.as_deref(), r.status))
        .collect();
    assert_eq!(
        summary,
        [
            (Some("initialize"), 401),
            (Some("initialize"), 401),
            (Some("initialize"), 200),
            (Some("notifications/initialized"), 202),
            (Some("tools/list"), 200),
        ]
    );
    assert_eq!(seen[0].header("x-api-key"), None);
    assert_eq!(
        seen[1].header("X-API-Key"),
        Some("tm_mcp_wrongwrongwrongwrong")
    );
    assert_eq!(seen[4].header("mcp-session-id"), Some(sid.as_str()));
    assert_eq!(seen[4].http_method, "POST");
    assert_eq!(seen[4].path, "/api/mcp");
    assert_eq!(seen[4].json().unwrap()["id"], 2);
    upstream.clear_requests();
    assert!(upstream.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_refuses_discover_like_a_2025_server() {
    let upstream = Upstream::start(UpstreamOptions::default()).await;
    let url = upstream.url();
    let client = reqwest::Client::new();
    let (discover, headers) = discover_request(1);
    let answer = post(&client, &url, Some(FAKE_KEY), None, &headers, &discover).await;
    assert_eq!(answer.status, 400);
    assert_content_type(&answer, "application/json");
    assert_eq!(answer.text, LEGACY_MISSING_SESSION_BODY);

    // Any other sessionless request too.
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"_meta": modern_meta()}});
    let answer = post_keyed(&client, &url, None, &list).await;
    assert_eq!(answer.status, 400);

    // GET and DELETE without a session id: the same answer.
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let resp = client
            .request(method, upstream.url())
            .header("accept", "text/event-stream")
            .header("x-api-key", FAKE_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        assert_eq!(resp.text().await.unwrap(), LEGACY_MISSING_SESSION_BODY);
    }

    // Inside a session: Method not found.
    let sid = legacy_session(&client, &url).await;
    let answer = post_keyed(&client, &url, Some(&sid), &discover).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.answer()["error"]["code"], -32601);
    // A modern protocol version header inside a session: refused as unsupported.
    let list = tools_list(3);
    let modern_header = [("mcp-protocol-version", "2026-07-28")];
    let answer = post(
        &client,
        &url,
        Some(FAKE_KEY),
        Some(&sid),
        &modern_header,
        &list,
    )
    .await;
    assert_eq!(answer.status, 400);
    assert!(
        answer
            .text
            .contains("Unsupported protocol version: 2026-07-28"),
        "{}",
        answer.text
    );
    let legacy_header = [("mcp-protocol-version", "2025-11-25")];
    let answer = post(
        &client,
        &url,
        Some(FAKE_KEY),
        Some(&sid),
        &legacy_header,
        &list,
    )
    .await;
    assert_eq!(answer.status, 200);

    // A dual-era rmcp client falls back to initialize.
    let client = rmcp_client(
        &upstream,
        ClientLifecycleMode::Auto {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            legacy_version: Some(ProtocolVersion::V_2025_11_25),
        },
    )
    .await;
    let info = client.peer_info().expect("server info");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("fake-3minapi")
    );
    assert_eq!(info.protocol_version, ProtocolVersion::V_2025_11_25);
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_rmcp_client_round_trips() {
    let upstream = Upstream::start(UpstreamOptions::default()).await;
    let client = rmcp_client(&upstream, ClientLifecycleMode::Initialize).await;
    exercise(&client).await;
    client.cancel().await.unwrap();
    assert!(
        upstream
            .requests()
            .iter()
            .all(|r| r.status != 0 || r.http_method == "GET")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_sends_progress() {
    let upstream = Upstream::start(UpstreamOptions::default()).await;
    let url = upstream.url();
    let client = reqwest::Client::new();
    let sid = legacy_session(&client, &url).await;
    let body = json!({"jsonrpc": "2.0", "id": "s1", "method": "tools/call",
        "params": {"name": "slow", "arguments": {"ms": 150, "steps": 3}, "_meta": {"progressToken": "p"}}});
    let started = std::time::Instant::now();
    let answer = post_keyed(&client, &url, Some(&sid), &body).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    let messages = answer.messages();
    let progress: Vec<&Value> = messages
        .iter()
        .filter(|m| m["method"] == "notifications/progress")
        .collect();
    assert_eq!(progress.len(), 3, "{}", answer.text);
    assert_eq!(progress[0]["params"]["progressToken"], "p");
    assert_eq!(
        answer.answer()["result"]["content"][0]["text"],
        "done after 150 ms"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expire_sessions_gives_404() {
    let upstream = Upstream::start(UpstreamOptions::default()).await;
    let url = upstream.url();
    let client = reqwest::Client::new();
    let sid = legacy_session(&client, &url).await;
    upstream.expire_sessions();
    let list = tools_list(2);
    let answer = post_keyed(&client, &url, Some(&sid), &list).await;
    assert_eq!(answer.status, 404);
    // A new session works, twice in a row.
    for _ in 0..2 {
        let sid = legacy_session(&client, &url).await;
        let answer = post_keyed(&client, &url, Some(&sid), &list).await;
        assert_eq!(answer.status, 200);
        upstream.expire_sessions();
        let answer = post_keyed(&client, &url, Some(&sid), &list).await;
        assert_eq!(answer.status, 404);
    }
    assert_eq!(upstream.requests().last().unwrap().status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_next_and_delay() {
    let upstream = Upstream::start(UpstreamOptions::default()).await;
    let url = upstream.url();
    let client = reqwest::Client::new();
    upstream.fail_next(2, 503);
    for _ in 0..2 {
        let answer = post_keyed(&client, &url, None, &initialize_body(1)).await;
        assert_eq!(answer.status, 503);
    }
    let answer = post_keyed(&client, &url, None, &initialize_body(1)).await;
    assert_eq!(answer.status, 200);
    let statuses: Vec<u16> = upstream.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);

    // Only the named method is failed (and counted).
    upstream.fail_next_for("tools/list", 1, 500);
    let sid = legacy_session(&client, &url).await;
    let list = tools_list(5);
    let answer = post_keyed(&client, &url, Some(&sid), &list).await;
    assert_eq!(answer.status, 500);
    let answer = post_keyed(&client, &url, Some(&sid), &list).await;
    assert_eq!(answer.status, 200);

    upstream.set_delay(Duration::from_millis(200));
    let started = std::time::Instant::now();
    let answer = post_keyed(&client, &url, None, &initialize_body(2)).await;
    assert_eq!(answer.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_connections() {
    let upstream = Upstream::start(UpstreamOptions::default()).await;
    assert_eq!(upstream.connections(), 0);
    // Three requests on one kept-alive connection count once. hyper's connection-level client
    // keeps them on that one connection: a pooled client puts a connection back
    // asynchronously, so how many it opens depends on timing.
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", upstream.port()))
        .await
        .unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    let connection = tokio::spawn(connection);
    for _ in 0..3 {
        let request = http::Request::post(upstream.url())
            .header("content-type", "application/json")
            .header("accept", ACCEPT)
            .body(http_body_util::Full::new(bytes::Bytes::from_static(b"{}")))
            .unwrap();
        // The connection takes the next request only once the last answer is fully done.
        sender.ready().await.unwrap();
        let answer = sender.send_request(request).await.unwrap();
        assert_eq!(
            answer.status(),
            401,
            "no key is refused, and the connection stays open"
        );
        http_body_util::BodyExt::collect(answer.into_body())
            .await
            .unwrap();
    }
    assert_eq!(upstream.connections(), 1);
    drop(sender);
    connection.await.unwrap().unwrap();

    let unpooled = unpooled_client();
    for i in 0..3 {
        post_keyed(&unpooled, &upstream.url(), None, &initialize_body(i)).await;
    }
    assert_eq!(upstream.connections(), 1 + 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_and_restart_on_the_same_port() {
    let upstream = Upstream::start(UpstreamOptions::default()).await;
    let port = upstream.port();
    // Unpooled: a pooled connection the server has just closed may not have been noticed yet
    // by the client, which would then send on it and fail (hyper's IncompleteMessage).
    let client = unpooled_client();
    let sid = legacy_session(&client, &upstream.url()).await;

    upstream.stop().await;
    let err = client
        .post(upstream.url())
        .header("x-api-key", FAKE_KEY)
        .body("{}")
        .send()
        .await
        .expect_err("stopped upstream refuses connections");
    assert!(err.is_connect() || err.is_request(), "{err:?}");

    upstream.restart().await;
    assert_eq!(upstream.port(), port);
    let url = upstream.url();
    let list = tools_list(2);
    let answer = post_keyed(&client, &url, Some(&sid), &list).await;
    assert_eq!(answer.status, 404, "sessions are lost on restart");
    let sid = legacy_session(&client, &url).await;
    let answer = post_keyed(&client, &url, Some(&sid), &list).await;
    assert_eq!(answer.status, 200);

    // Restart while running (no stop first) works too.
    upstream.restart().await;
    let answer = post_keyed(&client, &upstream.url(), None, &initialize_body(9)).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_response_mode_answers_json_in_a_session() {
    let upstream = Upstream::start(UpstreamOptions {
        json_response: true,
        ..UpstreamOptions::default()
    })
    .await;
    let url = upstream.url();
    let client = reqwest::Client::new();
    let init = post_keyed(&client, &url, None, &initialize_body(1)).await;
    assert_content_type(&init, "application/json");
    assert!(init.header("mcp-session-id").is_some());
    assert_eq!(
        init.answer()["result"]["serverInfo"]["name"],
        "fake-3minapi"
    );
    let sid = init.header("mcp-session-id").unwrap();
    let answer = post_keyed(&client, &url, Some(&sid), &tools_list(2)).await;
    assert_content_type(&answer, "application/json");
    assert!(answer.answer()["result"]["tools"].is_array());
    // Progress first: stays an SSE stream.
    let body = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "slow", "arguments": {"ms": 20, "steps": 2}, "_meta": {"progressToken": 1}}});
    let answer = post_keyed(&client, &url, Some(&sid), &body).await;
    assert_content_type(&answer, "text/event-stream");
    assert_eq!(answer.messages().len(), 3);

    let client = rmcp_client(&upstream, ClientLifecycleMode::Initialize).await;
    exercise(&client).await;
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modern_mode_refuses_initialize_and_serves_2026() {
    let upstream = upstream_in(Mode::Modern).await;
    let url = upstream.url();
    let client = reqwest::Client::new();
    let answer = post_keyed(&client, &url, None, &initialize_body(1)).await;
    assert_eq!(answer.status, 400);
    let error = &answer.answer()["error"];
    assert_eq!(error["code"], -32022);
    assert_eq!(error["data"]["supported"], json!(["2026-07-28"]));

    let (discover, headers) = discover_request(2);
    let answer = post(&client, &url, Some(FAKE_KEY), None, &headers, &discover).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.answer()["result"]["supportedVersions"],
        json!(["2026-07-28"])
    );

    let client = modern_client(&upstream).await;
    exercise(&client).await;
    client.cancel().await.unwrap();
    // Every modern POST carried its protocol-version header.
    for r in upstream.requests().iter().filter(|r| r.status == 200) {
        assert_eq!(
            r.header("mcp-protocol-version"),
            Some("2026-07-28"),
            "{r:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dual_mode_serves_both_eras() {
    let upstream = upstream_in(Mode::Dual).await;
    let legacy = rmcp_client(&upstream, ClientLifecycleMode::Initialize).await;
    exercise(&legacy).await;
    let modern = modern_client(&upstream).await;
    exercise(&modern).await;
    legacy.cancel().await.unwrap();
    modern.cancel().await.unwrap();
    assert!(!upstream.requests_for("server/discover").is_empty());
    assert!(!upstream.requests_for("initialize").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_list_pagination() {
    let upstream = Upstream::start(UpstreamOptions::default()).await;
    upstream.set_tools_page_size(5);
    let client = rmcp_client(&upstream, ClientLifecycleMode::Initialize).await;
    let first = client.list_tools(None).await.unwrap();
    assert_eq!(first.tools.len(), 5);
    assert_eq!(first.next_cursor.as_deref(), Some("5"));
    let all = client.list_all_tools().await.unwrap();
    assert_eq!(all.len(), TOOL_NAMES.len());
    client.cancel().await.unwrap();
}
