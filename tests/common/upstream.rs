//! A fake 3Min API MCP server ("upstream") for the integration tests and the benchmark.
//!
//! It serves rmcp's Streamable HTTP server at `http://127.0.0.1:PORT/api/mcp` behind our own
//! hyper accept loop, so that every HTTP request can be checked (`x-api-key`), failed on demand,
//! delayed, and recorded, and so that TCP connections can be counted and cut.
//!
//! Three eras (see DESIGN §3 and §7):
//! - [`Mode::Legacy`]: a 2025-era server (protocol versions up to 2025-11-25): `initialize` starts a
//!   session, everything else needs `Mcp-Session-Id`. Anything sent without one (notably
//!   `server/discover`; GET and DELETE too) gets what the Python SDK 1.x answers: HTTP 400 with
//!   the JSON-RPC body [`LEGACY_MISSING_SESSION_BODY`]. A `server/discover` inside a session gets
//!   HTTP 200 with a `-32601` error; an `MCP-Protocol-Version` header naming 2026-07-28 inside a
//!   session gets HTTP 400 `Bad Request: Unsupported protocol version: …` (code -32600).
//! - In Legacy and Dual modes an unknown or expired `Mcp-Session-Id` gets HTTP 404
//!   `Not Found: Session not found` (text/plain, as rmcp answers).
//! - [`Mode::Modern`]: 2026-07-28 only, stateless. `initialize` is refused with HTTP 400 and an
//!   `UnsupportedProtocolVersionError` (-32022, `data.supported = ["2026-07-28"]`); requests without
//!   the per-request protocol signals are refused by rmcp (HTTP 400, -32020 / -32602).
//! - [`Mode::Dual`]: rmcp 3.11's default, both eras.
//!
//! This file is included both as `tests/common/upstream.rs` and by `examples/fake_upstream.rs`
//! through `#[path]`, so it must stay self-contained.
#![allow(dead_code)]

use std::{
    collections::HashSet,
    convert::Infallible,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::{
    Request, Response,
    body::{Frame, Incoming},
    header::HeaderValue,
};
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
};
use rmcp::{
    ErrorData, RoleServer, ServerHandler,
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ElicitRequest,
        ElicitRequestParams, Implementation, InitializeResult, InputRequest, InputRequests,
        InputRequiredResult, ListToolsResult, PaginatedRequestParams, ProgressNotificationParam,
        ProtocolVersion, ServerCapabilities, ServerConfig, ServerRequest, Tool,
    },
    service::RequestContext,
    transport::{
        StreamableHttpServerConfig, StreamableHttpService,
        streamable_http_server::{SessionManager, session::local::LocalSessionManager},
    },
};
// Sampling and roots are deprecated by SEP-2577 but still part of both eras: the fake serves them.
#[allow(deprecated)]
use rmcp::model::{
    CreateMessageRequest, CreateMessageRequestParams, ListRootsRequest, SamplingMessage,
};
use serde_json::{Value, json};
use tokio::{net::TcpSocket, task::JoinHandle};

/// The MCP key the fake upstream accepts unless told otherwise.
pub const FAKE_KEY: &str = "tm_mcp_test0000000000000000000000";
/// The path the MCP endpoint is served on (as on the hosted server).
pub const MCP_PATH: &str = "/api/mcp";
/// Server name reported in `serverInfo`.
pub const SERVER_NAME: &str = "fake-3minapi";
/// The body a legacy-mode upstream answers (HTTP 400, `application/json`) to any POST without
/// `Mcp-Session-Id` that is not `initialize` — `server/discover` included. Same text and shape as
/// the MCP Python SDK 1.x (`Bad Request: Missing session ID`, code -32600, id `"server-error"`).
pub const LEGACY_MISSING_SESSION_BODY: &str = r#"{"jsonrpc":"2.0","id":"server-error","error":{"code":-32600,"message":"Bad Request: Missing session ID"}}"#;
/// Body of an injected failure (`fail_next`).
pub const INJECTED_FAILURE_BODY: &str = r#"{"error":"injected failure"}"#;
/// Body of a 401 (missing or wrong `x-api-key`).
pub const UNAUTHORIZED_BODY: &str =
    r#"{"error":"unauthorized","message":"Invalid or missing API key (x-api-key)"}"#;
/// The tools every mode serves, in `tools/list` order.
pub const TOOL_NAMES: &[&str] = &[
    "help",
    "endpoints",
    "logs",
    "stats",
    "subscription",
    "archives",
    "collaborators",
    "api_call",
    "echo",
    "slow",
    "sample",
    "elicit",
    "roots",
];

type BoxedBody = BoxBody<Bytes, Infallible>;

/// Which protocol era(s) the fake upstream speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Session-based, protocol versions up to 2025-11-25 only; no `server/discover`.
    #[default]
    Legacy,
    /// Stateless 2026-07-28 only; `initialize` is refused.
    Modern,
    /// Both eras (rmcp 3.11's default behaviour).
    Dual,
}

impl Mode {
    /// Parse `legacy`, `modern` or `dual`.
    pub fn parse(text: &str) -> Option<Mode> {
        match text.to_ascii_lowercase().as_str() {
            "legacy" => Some(Mode::Legacy),
            "modern" => Some(Mode::Modern),
            "dual" => Some(Mode::Dual),
            _ => None,
        }
    }

    /// The protocol versions this mode supports (advertised by `server/discover`).
    pub fn supported_versions(self) -> Vec<ProtocolVersion> {
        match self {
            Mode::Legacy => ProtocolVersion::known_up_to(&ProtocolVersion::V_2025_11_25).to_vec(),
            Mode::Modern => vec![ProtocolVersion::V_2026_07_28],
            Mode::Dual => ProtocolVersion::KNOWN_VERSIONS.to_vec(),
        }
    }
}

/// How to start the fake upstream.
#[derive(Clone, Debug)]
pub struct UpstreamOptions {
    pub mode: Mode,
    /// The only `x-api-key` value accepted.
    pub key: String,
    /// 0 = a random free port.
    pub port: u16,
    /// Answer requests with a single `application/json` body instead of an SSE stream whenever
    /// the response is the first message (progress notifications or server-to-client requests
    /// before it keep the SSE stream). Works in every mode.
    pub json_response: bool,
    /// Serve HTTPS with this config (its ALPN list says whether h2 is offered); plain HTTP when
    /// `None`.
    pub tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
}

impl Default for UpstreamOptions {
    fn default() -> Self {
        UpstreamOptions {
            mode: Mode::Legacy,
            key: FAKE_KEY.to_string(),
            port: 0,
            json_response: false,
            tls: None,
        }
    }
}

/// One HTTP request as the upstream saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub http_method: String,
    pub path: String,
    /// Header names are lowercase; values lossily decoded as UTF-8.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub http_version: String,
    /// `method` of the JSON body, if it is a JSON object with one.
    pub rpc_method: Option<String>,
    /// HTTP status answered (0 while the answer is not known yet).
    pub status: u16,
}

impl Recorded {
    /// First value of a header (name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

// ---------------------------------------------------------------------------------------------
// The upstream: accept loop, per-request wrapper, control API
// ---------------------------------------------------------------------------------------------

/// State that survives `restart`.
struct Shared {
    mode: Mode,
    /// The accepted `x-api-key`; `regenerate_key` replaces it.
    key: Mutex<String>,
    json_response: bool,
    requests: Mutex<Vec<(u64, Recorded)>>,
    seq: AtomicU64,
    fail: Mutex<FailRule>,
    delay: Mutex<Duration>,
    connections: AtomicUsize,
    tools_page_size: Arc<AtomicUsize>,
    /// What `tools/list` answers; tests edit it (`edit_tools`) to play a server that changed.
    tools: Arc<Mutex<Vec<Tool>>>,
    current: Mutex<Option<Arc<Instance>>>,
    slow_calls: Arc<SlowCalls>,
    /// SSE answers to POSTs still to be cut short after their first event id (`cut_next_streams`).
    cut: AtomicUsize,
    /// SSE answers to POSTs still to be dropped after their first event id (`drop_next_streams`).
    dropped: AtomicUsize,
    tls: Option<tokio_rustls::TlsAcceptor>,
    /// Bumped by `goaway`: every open connection shuts down gracefully.
    goaway: tokio::sync::watch::Sender<u64>,
}

/// A connection's byte stream, plain or TLS.
trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}

#[derive(Default)]
struct FailRule {
    remaining: usize,
    status: u16,
    rpc_method: Option<String>,
}

/// State of one run (fresh after `restart`): the MCP service, its sessions and its data.
struct Instance {
    mcp: StreamableHttpService<FakeServer, LocalSessionManager>,
    sessions: Arc<LocalSessionManager>,
    /// Session ids handed out and not expired/deleted. Checked before rmcp sees a request so
    /// `expire_sessions` takes effect at once.
    live: Mutex<HashSet<String>>,
}

struct Running {
    accept: JoinHandle<()>,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
    instance: Arc<Instance>,
}

/// A running fake upstream. Dropping it stops it.
pub struct Upstream {
    shared: Arc<Shared>,
    port: u16,
    running: tokio::sync::Mutex<Option<Running>>,
    runtime: tokio::runtime::Handle,
}

impl Upstream {
    /// Bind 127.0.0.1:`opts.port` and serve. Panics if the port cannot be bound.
    pub async fn start(opts: UpstreamOptions) -> Upstream {
        let shared = Arc::new(Shared {
            mode: opts.mode,
            key: Mutex::new(opts.key),
            json_response: opts.json_response,
            requests: Mutex::new(Vec::new()),
            seq: AtomicU64::new(0),
            fail: Mutex::new(FailRule::default()),
            delay: Mutex::new(Duration::ZERO),
            connections: AtomicUsize::new(0),
            tools_page_size: Arc::new(AtomicUsize::new(0)),
            tools: Arc::new(Mutex::new(tool_list())),
            current: Mutex::new(None),
            cut: AtomicUsize::new(0),
            slow_calls: Arc::default(),
            dropped: AtomicUsize::new(0),
            tls: opts.tls.map(tokio_rustls::TlsAcceptor::from),
            goaway: tokio::sync::watch::channel(0).0,
        });
        let listener = bind(opts.port)
            .unwrap_or_else(|e| panic!("fake upstream: cannot bind 127.0.0.1:{}: {e}", opts.port));
        let port = listener.local_addr().expect("local addr").port();
        let running = launch(&shared, listener);
        Upstream {
            shared,
            port,
            running: tokio::sync::Mutex::new(Some(running)),
            runtime: tokio::runtime::Handle::current(),
        }
    }

    /// `http://127.0.0.1:PORT/api/mcp`
    pub fn url(&self) -> String {
        let scheme = if self.shared.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://127.0.0.1:{}{MCP_PATH}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn mode(&self) -> Mode {
        self.shared.mode
    }

    /// The accepted key now.
    pub fn key(&self) -> String {
        self.shared.key.lock().unwrap().clone()
    }

    /// Plays "Regenerate Key" on the dashboard: from now on only `key` is accepted, the old one
    /// is refused with 401 at once.
    pub fn regenerate_key(&self, key: &str) {
        *self.shared.key.lock().unwrap() = key.to_owned();
    }

    /// Shuts every open connection down gracefully: over h2 a GOAWAY, the streams in progress
    /// finished; new requests need new connections.
    pub fn goaway(&self) {
        self.shared.goaway.send_modify(|n| *n += 1);
    }

    /// Forget every session: the next request carrying an old `Mcp-Session-Id` gets 404
    /// (`Not Found: Session not found`), and open session streams are closed.
    pub fn expire_sessions(&self) {
        let Some(instance) = self.shared.current.lock().unwrap().clone() else {
            return;
        };
        let ids: Vec<String> = instance.live.lock().unwrap().drain().collect();
        let sessions = instance.sessions.clone();
        self.runtime.spawn(async move {
            for id in ids {
                let _ = sessions.close_session(&Arc::from(id.as_str())).await;
            }
        });
    }

    /// The next `n` POST requests (GET and DELETE are not counted, so a client's background GET
    /// stream cannot eat the failures) are answered with `status` and [`INJECTED_FAILURE_BODY`]
    /// (`application/json`) and never reach MCP. Injected failures come before the key check.
    pub fn fail_next(&self, n: usize, status: u16) {
        *self.shared.fail.lock().unwrap() = FailRule {
            remaining: n,
            status,
            rpc_method: None,
        };
    }

    /// Like [`Upstream::fail_next`], but only POSTs whose JSON-RPC `method` is `rpc_method` are
    /// failed (and counted): immune to races with other messages a client sends meanwhile
    /// (e.g. `notifications/initialized` still in flight). Replaces any pending rule.
    pub fn fail_next_for(&self, rpc_method: &str, n: usize, status: u16) {
        *self.shared.fail.lock().unwrap() = FailRule {
            remaining: n,
            status,
            rpc_method: Some(rpc_method.to_owned()),
        };
    }

    /// The next `n` SSE answers to POSTs end cleanly right after their first event that carries
    /// an id (rmcp's priming event), before the response: the client must resume the stream
    /// with `Last-Event-ID` (MCP 2025-11-25) to get it.
    pub fn cut_next_streams(&self, n: usize) {
        self.shared.cut.store(n, Ordering::SeqCst);
    }

    /// Closes every session's standalone GET stream on purpose (with a 100 ms retry hint): the
    /// client is expected to reconnect with `Last-Event-ID`.
    pub async fn close_get_streams(&self) {
        let Some(instance) = self.shared.current.lock().unwrap().clone() else {
            return;
        };
        let handles: Vec<_> = instance
            .sessions
            .sessions
            .read()
            .await
            .values()
            .cloned()
            .collect();
        for handle in handles {
            let _ = handle
                .close_standalone_sse_stream(Some(Duration::from_millis(100)))
                .await;
        }
    }

    /// The next `n` SSE answers to POSTs are dropped after their first event id, and rmcp loses
    /// the request's route: a resume gets an empty 200 stream every time. A client that keeps
    /// resuming would spin forever; it must give up with an error.
    pub fn drop_next_streams(&self, n: usize) {
        self.shared.dropped.store(n, Ordering::SeqCst);
    }

    /// Sleep this long before handling each POST (after the key check).
    pub fn set_delay(&self, d: Duration) {
        *self.shared.delay.lock().unwrap() = d;
    }

    /// Page size of `tools/list` (0 = everything on one page, the default). The cursor is the
    /// decimal offset of the next page.
    pub fn set_tools_page_size(&self, n: usize) {
        self.shared.tools_page_size.store(n, Ordering::SeqCst);
    }

    /// Changes the listed tools, as JSON (rename a schema property, add an action or a tool).
    /// A tool added here answers calls with `called <name>`.
    pub fn edit_tools(&self, edit: impl FnOnce(&mut Vec<Value>)) {
        let mut tools = self.shared.tools.lock().unwrap();
        let mut json: Vec<Value> = tools
            .iter()
            .map(|t| serde_json::to_value(t).unwrap())
            .collect();
        edit(&mut json);
        *tools = json
            .into_iter()
            .map(|v| serde_json::from_value(v).expect("a valid tool"))
            .collect();
    }

    /// `slow` calls whose handler stopped because the request was cancelled (a closed stream
    /// in 2026-07-28, `notifications/cancelled` before).
    pub fn cancelled_calls(&self) -> usize {
        self.shared.slow_calls.cancelled.load(Ordering::SeqCst)
    }

    /// `slow` calls whose handler has started, for tests that act on a call in progress.
    pub fn started_slow_calls(&self) -> usize {
        self.shared.slow_calls.started.load(Ordering::SeqCst)
    }

    /// TCP connections accepted so far (across restarts).
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Every HTTP request seen (refused ones included), in arrival order (across restarts).
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared
            .requests
            .lock()
            .unwrap()
            .iter()
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// The recorded requests whose JSON-RPC method is `method`.
    pub fn requests_for(&self, method: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.rpc_method.as_deref() == Some(method))
            .collect()
    }

    pub fn clear_requests(&self) {
        self.shared.requests.lock().unwrap().clear();
    }

    /// Close the listener and every connection (clients then see connection refused / reset).
    pub async fn stop(&self) {
        let running = self.running.lock().await.take();
        if let Some(running) = running {
            shutdown(running).await;
        }
        *self.shared.current.lock().unwrap() = None;
    }

    /// Stop (if running) and serve again on the same port with fresh state: sessions and tool
    /// data are lost. Recorded requests, the connection count, pending `fail_next`, the delay and
    /// the page size are kept.
    pub async fn restart(&self) {
        let mut guard = self.running.lock().await;
        if let Some(running) = guard.take() {
            shutdown(running).await;
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let listener = loop {
            match bind(self.port) {
                Ok(listener) => break listener,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("fake upstream: cannot re-bind port {}: {e}", self.port),
            }
        };
        *guard = Some(launch(&self.shared, listener));
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let Some(running) = self.running.try_lock().ok().and_then(|mut g| g.take()) else {
            return;
        };
        running.accept.abort();
        for handle in running.conns.lock().unwrap().drain(..) {
            handle.abort();
        }
        running.instance.mcp.config.cancellation_token.cancel();
    }
}

fn bind(port: u16) -> std::io::Result<tokio::net::TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    socket.listen(1024)
}

async fn shutdown(running: Running) {
    running.accept.abort();
    let _ = running.accept.await;
    let conns: Vec<JoinHandle<()>> = running.conns.lock().unwrap().drain(..).collect();
    for handle in &conns {
        handle.abort();
    }
    for handle in conns {
        let _ = handle.await;
    }
    running.instance.mcp.config.cancellation_token.cancel();
}

fn new_instance(shared: &Shared) -> Arc<Instance> {
    let mode = shared.mode;
    let mut manager = LocalSessionManager::default();
    manager.session_config.channel_capacity = 256;
    manager.session_config.keep_alive = Some(Duration::from_secs(3600));
    let sessions = Arc::new(manager);
    let server = FakeServer {
        mode,
        data: Arc::new(Mutex::new(Data::seed())),
        tools: shared.tools.clone(),
        page_size: shared.tools_page_size.clone(),
        slow_calls: shared.slow_calls.clone(),
    };
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(mode != Mode::Modern)
        .with_json_response(shared.json_response)
        .with_stateless_protocol_metadata_required(mode == Mode::Modern)
        .with_max_request_body_bytes(256 * 1024 * 1024)
        .with_allowed_hosts(["localhost", "127.0.0.1", "::1"]);
    let mcp = StreamableHttpService::new(move || Ok(server.clone()), sessions.clone(), config);
    Arc::new(Instance {
        mcp,
        sessions,
        live: Mutex::new(HashSet::new()),
    })
}

fn launch(shared: &Arc<Shared>, listener: tokio::net::TcpListener) -> Running {
    let instance = new_instance(shared);
    *shared.current.lock().unwrap() = Some(instance.clone());
    let conns: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::new(Mutex::new(Vec::new()));
    let accept = tokio::spawn({
        let shared = shared.clone();
        let instance = instance.clone();
        let conns = conns.clone();
        async move {
            loop {
                let stream = match listener.accept().await {
                    Ok((stream, _)) => stream,
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_nodelay(true);
                let tls = shared.tls.clone();
                let mut goaway = shared.goaway.subscribe();
                let shared = shared.clone();
                let instance = instance.clone();
                let handle = tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let shared = shared.clone();
                        let instance = instance.clone();
                        async move { Ok::<_, Infallible>(handle_http(shared, instance, req).await) }
                    });
                    let mut builder = auto::Builder::new(TokioExecutor::new());
                    builder.http1().header_read_timeout(None);
                    let io: Box<dyn Io> = match &tls {
                        None => Box::new(stream),
                        // A client that refuses the certificate ends the handshake here.
                        Some(acceptor) => match acceptor.accept(stream).await {
                            Ok(stream) => Box::new(stream),
                            Err(_) => return,
                        },
                    };
                    let conn = builder.serve_connection(TokioIo::new(io), service);
                    tokio::pin!(conn);
                    // `goaway`: a graceful shutdown (h2 GOAWAY; HTTP/1.1 closes once idle), the
                    // streams in progress carried to their end.
                    tokio::select! {
                        _ = conn.as_mut() => return,
                        _ = goaway.changed() => conn.as_mut().graceful_shutdown(),
                    }
                    let _ = conn.await;
                });
                let mut conns = conns.lock().unwrap();
                conns.retain(|h| !h.is_finished());
                conns.push(handle);
            }
        }
    });
    Running {
        accept,
        conns,
        instance,
    }
}

fn simple_response(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<BoxedBody> {
    Response::builder()
        .status(status)
        .header(hyper::header::CONTENT_TYPE, content_type)
        .body(Full::new(body.into()).boxed())
        .expect("valid response")
}

fn json_response(status: u16, body: &Value) -> Response<BoxedBody> {
    simple_response(status, "application/json", body.to_string())
}

async fn handle_http(
    shared: Arc<Shared>,
    instance: Arc<Instance>,
    req: Request<Incoming>,
) -> Response<BoxedBody> {
    let (parts, body) = req.into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let parsed: Option<Value> = serde_json::from_slice(&bytes).ok();
    let rpc_method = parsed
        .as_ref()
        .and_then(|v| v.get("method"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let recorded = Recorded {
        http_version: format!("{:?}", parts.version),
        http_method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        rpc_method: rpc_method.clone(),
        status: 0,
    };
    let seq = shared.seq.fetch_add(1, Ordering::SeqCst);
    shared.requests.lock().unwrap().push((seq, recorded));

    let response = route(&shared, &instance, parts, bytes, parsed, rpc_method).await;

    let status = response.status().as_u16();
    if let Some(entry) = shared
        .requests
        .lock()
        .unwrap()
        .iter_mut()
        .find(|(s, _)| *s == seq)
    {
        entry.1.status = status;
    }
    response
}

async fn route(
    shared: &Shared,
    instance: &Instance,
    parts: http::request::Parts,
    bytes: Bytes,
    parsed: Option<Value>,
    rpc_method: Option<String>,
) -> Response<BoxedBody> {
    if parts.uri.path() != MCP_PATH {
        return simple_response(404, "text/plain", "Not Found");
    }
    let is_post = parts.method == http::Method::POST;
    if is_post {
        let injected = {
            let mut fail = shared.fail.lock().unwrap();
            let applies = fail.remaining > 0
                && fail
                    .rpc_method
                    .as_deref()
                    .is_none_or(|m| rpc_method.as_deref() == Some(m));
            if applies {
                fail.remaining -= 1;
                Some(fail.status)
            } else {
                None
            }
        };
        if let Some(status) = injected {
            return simple_response(status, "application/json", INJECTED_FAILURE_BODY);
        }
    }
    let key_ok = parts
        .headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|k| k == *shared.key.lock().unwrap());
    if !key_ok {
        return simple_response(401, "application/json", UNAUTHORIZED_BODY);
    }
    if is_post {
        let delay = *shared.delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }

    let session_id = parts
        .headers
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let is_object = parsed.as_ref().is_some_and(Value::is_object);
    let request_id = parsed
        .as_ref()
        .filter(|v| v.get("method").is_some())
        .and_then(|v| v.get("id"))
        .cloned();

    match shared.mode {
        Mode::Legacy | Mode::Dual => {
            let known = session_id
                .as_ref()
                .is_none_or(|sid| instance.live.lock().unwrap().contains(sid));
            if !known {
                return simple_response(404, "text/plain", "Not Found: Session not found");
            }
            // A 2025-era server (as the Python SDK 1.x): JSON is parsed first, then the session
            // is required for everything but `initialize` (GET and DELETE included), then the
            // MCP-Protocol-Version header must name a version it supports.
            let method = rpc_method.as_deref();
            let is_initialize = is_post && method == Some("initialize");
            if shared.mode == Mode::Legacy && (is_object || !is_post) && !is_initialize {
                if session_id.is_none() {
                    return simple_response(400, "application/json", LEGACY_MISSING_SESSION_BODY);
                }
                if let Some(version) = parts
                    .headers
                    .get("mcp-protocol-version")
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                {
                    let supported = Mode::Legacy.supported_versions();
                    if !supported.iter().any(|s| s.as_str() == version) {
                        let list: Vec<&str> = supported.iter().map(|v| v.as_str()).collect();
                        return json_response(
                            400,
                            &json!({
                                "jsonrpc": "2.0",
                                "id": "server-error",
                                "error": {
                                    "code": -32600,
                                    "message": format!(
                                        "Bad Request: Unsupported protocol version: {version}. \
                                         Supported versions: {}",
                                        list.join(", ")
                                    ),
                                },
                            }),
                        );
                    }
                }
            }
            if shared.mode == Mode::Legacy
                && is_post
                && is_object
                && session_id.is_some()
                && method == Some("server/discover")
            {
                return json_response(
                    200,
                    &json!({
                        "jsonrpc": "2.0",
                        "id": request_id.clone().unwrap_or(Value::Null),
                        "error": {"code": -32601, "message": "Method not found"}
                    }),
                );
            }
        }
        Mode::Modern => {
            if is_post && rpc_method.as_deref() == Some("initialize") {
                let requested = parsed
                    .as_ref()
                    .and_then(|v| v.pointer("/params/protocolVersion"))
                    .cloned()
                    .unwrap_or(Value::Null);
                let requested: ProtocolVersion =
                    serde_json::from_value(requested).unwrap_or(ProtocolVersion::V_2025_11_25);
                let error = ErrorData::unsupported_protocol_version(
                    requested,
                    &Mode::Modern.supported_versions(),
                );
                return json_response(
                    400,
                    &json!({
                        "jsonrpc": "2.0",
                        "id": request_id.clone().unwrap_or(Value::Null),
                        "error": error,
                    }),
                );
            }
        }
    }

    let is_delete = parts.method == http::Method::DELETE;
    let request = Request::from_parts(parts, Full::new(bytes));
    let response = instance.mcp.handle(request).await;

    if response.status().is_success() {
        if let Some(sid) = response
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
        {
            instance.live.lock().unwrap().insert(sid.to_owned());
        }
        if let (true, Some(sid)) = (is_delete, &session_id) {
            instance.live.lock().unwrap().remove(sid);
        }
    }

    let is_sse = response
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let take = |counter: &AtomicUsize| {
        is_post
            && is_sse
            && counter
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
    };
    if take(&shared.cut) {
        return cut_after_first_id(response, Some(instance), session_id.as_deref()).await;
    }
    if take(&shared.dropped) {
        return cut_after_first_id(response, None, None).await;
    }
    match request_id {
        Some(id) if shared.json_response && is_post && is_sse => sse_to_json(response, &id).await,
        _ => response,
    }
}

/// Has rmcp close a POST's SSE stream on purpose (as a server does before a long operation,
/// SEP-1699) once its first event with an id (`index/http_request_id`) has been read: the session
/// keeps the request's messages for a resume with `Last-Event-ID`. Without an instance, the
/// stream is simply dropped there (rmcp then loses the request's route).
async fn cut_after_first_id(
    response: Response<BoxedBody>,
    instance: Option<&Instance>,
    session_id: Option<&str>,
) -> Response<BoxedBody> {
    let (parts, mut body) = response.into_parts();
    let (mut buf, found) = scan_sse(&mut body, |event| {
        event
            .lines()
            .find_map(|l| l.strip_prefix("id:"))
            .and_then(|id| id.trim().split_once('/'))
            .and_then(|(_, req)| req.parse::<u64>().ok())
    })
    .await;
    let Some((request, end)) = found else {
        return Response::from_parts(parts, Full::new(Bytes::from(buf)).boxed());
    };
    let Some((instance, sid)) = instance.zip(session_id) else {
        buf.truncate(end);
        return Response::from_parts(parts, Full::new(Bytes::from(buf)).boxed());
    };
    let handle = instance.sessions.sessions.read().await.get(sid).cloned();
    if let Some(handle) = handle {
        let _ = handle
            .close_sse_stream(request, Some(Duration::from_millis(100)))
            .await;
    }
    let rest = Prefixed {
        prefix: Some(Bytes::from(buf)),
        rest: body,
    };
    Response::from_parts(parts, rest.boxed())
}

/// Turn an SSE answer into a single JSON body when the first message on it is the response to
/// request `id`; otherwise (a notification or request comes first) keep the SSE stream, replaying
/// what was read.
async fn sse_to_json(response: Response<BoxedBody>, id: &Value) -> Response<BoxedBody> {
    let (mut parts, mut body) = response.into_parts();
    let (buf, found) = scan_sse(&mut body, |event| {
        let data = sse_event_data(event);
        // Skip a priming event or keep-alive comment.
        (!data.trim().is_empty()).then_some(data)
    })
    .await;
    let Some((data, _)) = found else {
        return Response::from_parts(parts, Full::new(Bytes::from(buf)).boxed());
    };
    let message: Option<Value> = serde_json::from_str(&data).ok();
    let is_answer = message.as_ref().is_some_and(|m| {
        m.get("id") == Some(id) && (m.get("result").is_some() || m.get("error").is_some())
    });
    if is_answer {
        parts.headers.insert(
            hyper::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        parts.headers.remove(hyper::header::CACHE_CONTROL);
        parts.headers.remove("x-accel-buffering");
        return Response::from_parts(parts, Full::new(Bytes::from(data)).boxed());
    }
    let replay = Prefixed {
        prefix: Some(Bytes::from(buf)),
        rest: body,
    };
    Response::from_parts(parts, replay.boxed())
}

/// Reads `body` SSE event by SSE event (each up to the blank line that ends it) until `pick`
/// returns something for one. Returns every byte read so far and, if an event was picked, what
/// `pick` returned with the offset in those bytes just past that event.
async fn scan_sse<T>(
    body: &mut BoxedBody,
    mut pick: impl FnMut(&str) -> Option<T>,
) -> (Vec<u8>, Option<(T, usize)>) {
    let mut buf: Vec<u8> = Vec::new();
    let mut scanned = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        buf.extend_from_slice(&data);
        while let Some(pos) = find_event_end(&buf[scanned..]) {
            let event = String::from_utf8_lossy(&buf[scanned..scanned + pos]).into_owned();
            scanned += pos + 2;
            if let Some(found) = pick(&event) {
                return (buf, Some((found, scanned)));
            }
        }
    }
    (buf, None)
}

fn find_event_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|w| w == b"\n\n")
}

fn sse_event_data(event: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in event.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(rest) = line.strip_prefix("data:") {
            out.push(rest.strip_prefix(' ').unwrap_or(rest));
        }
    }
    out.join("\n")
}

/// A body that yields `prefix` first, then everything of `rest`.
struct Prefixed {
    prefix: Option<Bytes>,
    rest: BoxedBody,
}

impl hyper::body::Body for Prefixed {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if let Some(prefix) = this.prefix.take() {
            return Poll::Ready(Some(Ok(Frame::data(prefix))));
        }
        Pin::new(&mut this.rest).poll_frame(cx)
    }
}

// ---------------------------------------------------------------------------------------------
// The MCP server: tools and in-memory data
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
struct FakeServer {
    mode: Mode,
    data: Arc<Mutex<Data>>,
    tools: Arc<Mutex<Vec<Tool>>>,
    page_size: Arc<AtomicUsize>,
    slow_calls: Arc<SlowCalls>,
}

/// What the `slow` tool's handlers did.
#[derive(Default)]
struct SlowCalls {
    started: AtomicUsize,
    /// Calls that stopped because their request was cancelled.
    cancelled: AtomicUsize,
}

fn tool_list() -> Vec<Tool> {
    let object = |properties: Value, required: &[&str]| json!({"type": "object", "properties": properties, "required": required});
    let tools = vec![
        json!({
            "name": "help",
            "title": "3Min API guide",
            "description": "Returns the 3Min API service guide by topic.",
            "inputSchema": object(json!({
                "topic": {"type": "string", "description": "Topic, e.g. endpoints, logs, keys, billing"}
            }), &[]),
            "annotations": {"readOnlyHint": true, "openWorldHint": false}
        }),
        json!({
            "name": "endpoints",
            "description": "List, view, create, update or deploy your API endpoints.",
            "inputSchema": object(json!({
                "action": {"type": "string", "enum": ["list", "get", "create", "update", "deploy"]},
                "id": {"type": "string", "description": "Endpoint id (get, update, deploy)"},
                "name": {"type": "string", "description": "Endpoint name (create, update)"},
                "fields": {
                    "type": "array",
                    "description": "Field definitions (create, update)",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "type": {"type": "string"},
                            "required": {"type": "boolean"}
                        },
                        "required": ["name"]
                    }
                }
            }), &["action"]),
        }),
        json!({
            "name": "logs",
            "description": "Call logs: single-record lookup, full-text search, fetch archived payloads.",
            "inputSchema": object(json!({
                "action": {"type": "string", "enum": ["lookup", "search", "fetch_archived"]},
                "query": {"type": "string", "description": "Search text (search)", "x-mcp-header": "Query"},
                "id": {"type": "string", "description": "Log record id (lookup, fetch_archived)"}
            }), &["action"]),
        }),
        json!({
            "name": "stats",
            "description": "Monthly and daily API usage statistics.",
            "inputSchema": object(json!({
                "month": {"type": "string", "description": "YYYY-MM (default: current month)"}
            }), &[]),
            "annotations": {"readOnlyHint": true}
        }),
        json!({
            "name": "subscription",
            "description": "Current plan, usage and billing info.",
            "inputSchema": object(json!({}), &[]),
            "annotations": {"readOnlyHint": true}
        }),
        json!({
            "name": "archives",
            "description": "Archive file list and temporary download URLs.",
            "inputSchema": object(json!({
                "action": {"type": "string", "enum": ["list", "download"]},
                "id": {"type": "string", "description": "Archive id (download)"}
            }), &["action"]),
        }),
        json!({
            "name": "collaborators",
            "description": "Collaboration keys and invitations.",
            "inputSchema": object(json!({
                "action": {"type": "string", "enum": ["list_keys", "list_invitations", "create_key", "update_permissions", "invite"]},
                "endpoint_id": {"type": "string"},
                "key_id": {"type": "string", "description": "Collaboration key id (update_permissions)"},
                "environment": {"type": "string", "enum": ["sandbox", "production"]},
                "email": {"type": "string", "description": "Invitee email (invite)"},
                "permissions": {
                    "type": "object",
                    "properties": {
                        "create": {"type": "boolean"},
                        "read": {"type": "boolean"},
                        "update": {"type": "boolean"},
                        "delete": {"type": "boolean"}
                    }
                }
            }), &["action"]),
        }),
        json!({
            "name": "api_call",
            "description": "Send an HTTP request to your deployed endpoint (via the gateway).",
            "inputSchema": object(json!({
                "method": {"type": "string", "enum": ["GET", "POST", "PUT", "DELETE"], "x-mcp-header": "HttpMethod"},
                "path": {"type": "string", "description": "Path on your endpoint, e.g. /user-signup"},
                "body": {"type": "object", "description": "JSON body (POST, PUT)"}
            }), &["method", "path"]),
            "annotations": {"openWorldHint": true}
        }),
        json!({
            "name": "echo",
            "description": "Test tool: returns `value` unchanged (text and structuredContent).",
            "inputSchema": object(json!({
                "value": {"description": "Any JSON value"}
            }), &["value"]),
            "annotations": {"readOnlyHint": true}
        }),
        json!({
            "name": "slow",
            "description": "Test tool: sleeps `ms` in total, in `steps` steps, with progress notifications when asked.",
            "inputSchema": object(json!({
                "ms": {"type": "integer", "minimum": 0},
                "steps": {"type": "integer", "minimum": 1}
            }), &["ms"]),
        }),
        json!({
            "name": "sample",
            "description": "Test tool: asks the client for a sampling/createMessage and returns its answer.",
            "inputSchema": object(json!({"prompt": {"type": "string"}}), &[]),
        }),
        json!({
            "name": "elicit",
            "description": "Test tool: asks the client for an elicitation and returns its answer.",
            "inputSchema": object(json!({"message": {"type": "string"}}), &[]),
        }),
        json!({
            "name": "roots",
            "description": "Test tool: asks the client for roots/list and returns its answer.",
            "inputSchema": object(json!({}), &[]),
        }),
    ];
    tools
        .into_iter()
        .map(|t| serde_json::from_value(t).expect("valid tool definition"))
        .collect()
}

impl ServerHandler for FakeServer {
    fn get_info(&self) -> ServerConfig {
        let mut info = InitializeResult::new(ServerCapabilities::builder().enable_tools().build());
        info.server_info = Implementation::new(SERVER_NAME, "1.0.0").with_title("3Min API (fake)");
        info.instructions = Some(
            "Fake 3Min API MCP server for tests: endpoints, logs, stats, subscription, archives, \
             collaborators, api_call."
                .to_string(),
        );
        info.protocol_version = match self.mode {
            Mode::Modern => ProtocolVersion::V_2026_07_28,
            Mode::Legacy | Mode::Dual => ProtocolVersion::V_2025_11_25,
        };
        info
    }

    fn supported_protocol_versions(&self) -> std::borrow::Cow<'static, [ProtocolVersion]> {
        std::borrow::Cow::Owned(self.mode.supported_versions())
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools
            .lock()
            .unwrap()
            .iter()
            .find(|t| t.name == name)
            .cloned()
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let page = self.page_size.load(Ordering::SeqCst);
        let tools = self.tools.lock().unwrap().clone();
        let start = match request.and_then(|r| r.cursor) {
            None => 0,
            Some(cursor) => cursor
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= tools.len())
                .ok_or_else(|| ErrorData::invalid_params("invalid cursor", None))?,
        };
        if page == 0 {
            return Ok(ListToolsResult::with_all_items(tools[start..].to_vec()));
        }
        let end = (start + page).min(tools.len());
        let mut result = ListToolsResult::with_all_items(tools[start..end].to_vec());
        if end < tools.len() {
            result.next_cursor = Some(end.to_string());
        }
        Ok(result)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = Value::Object(request.arguments.clone().unwrap_or_default());
        let result = match request.name.as_ref() {
            "help" => Ok(help(&args)),
            "endpoints" => self.endpoints(&args),
            "logs" => self.logs(&args),
            "stats" => Ok(stats(&args)),
            "subscription" => Ok(subscription()),
            "archives" => self.archives(&args),
            "collaborators" => self.collaborators(&args),
            "api_call" => api_call(&args),
            "echo" => Ok(echo(&args)),
            "slow" => slow(&args, &request, &context, &self.slow_calls).await,
            "sample" | "elicit" | "roots" => return client_round_trip(&request, &context).await,
            other if self.get_tool(other).is_some() => Ok(text_result(format!("called {other}"))),
            other => Err(ErrorData::invalid_params(
                format!("Unknown tool: {other}"),
                None,
            )),
        };
        result.map(CallToolResponse::from)
    }
}

fn text_result(text: impl Into<String>) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(text)])
}

fn json_result(value: Value) -> CallToolResult {
    text_result(serde_json::to_string_pretty(&value).expect("json"))
}

fn tool_error(text: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

fn str_arg<'a>(args: &'a Value, name: &str) -> Option<&'a str> {
    args.get(name).and_then(Value::as_str)
}

fn action<'a>(args: &'a Value, tool: &str, allowed: &[&str]) -> Result<&'a str, ErrorData> {
    let action = str_arg(args, "action").ok_or_else(|| {
        ErrorData::invalid_params(format!("{tool}: missing required argument `action`"), None)
    })?;
    if !allowed.contains(&action) {
        return Err(ErrorData::invalid_params(
            format!(
                "{tool}: unknown action `{action}` (expected one of {})",
                allowed.join(", ")
            ),
            None,
        ));
    }
    Ok(action)
}

fn help(args: &Value) -> CallToolResult {
    let topic = str_arg(args, "topic").unwrap_or("overview");
    let text = match topic {
        "endpoints" => {
            "Endpoints: create an endpoint with fields, test it in the sandbox with a tm_test_ key, \
             then deploy it to production (tm_live_ keys)."
        }
        "logs" => {
            "Logs: every call is logged; search by text, look up by id, fetch archived payloads."
        }
        "keys" => {
            "Keys: tm_test_ (sandbox) and tm_live_ (production) are collaboration keys for callers \
             of your endpoints. tm_mcp_ keys are for AI tools (Settings → AI Integration → CLI / IDE)."
        }
        "billing" => "Billing: see the subscription tool for plan, usage and next invoice.",
        _ => {
            "3Min API turns a form-like definition into a hosted REST endpoint in three minutes. \
             Topics: endpoints, logs, keys, billing."
        }
    };
    json_result(json!({"topic": topic, "guide": text}))
}

fn stats(args: &Value) -> CallToolResult {
    let month = str_arg(args, "month").unwrap_or("2026-11").to_string();
    let daily: Vec<Value> = (1..=7)
        .map(|day| {
            json!({
                "date": format!("{month}-{day:02}"),
                "calls": 100 + day * 17,
                "errors": day % 3,
            })
        })
        .collect();
    json_result(json!({
        "month": month,
        "calls": 4213,
        "errors": 37,
        "p95LatencyMs": 182,
        "daily": daily,
    }))
}

fn subscription() -> CallToolResult {
    json_result(json!({
        "plan": "Pro",
        "status": "active",
        "usage": {"calls": 4213, "limit": 100000, "periodEnd": "2026-11-30"},
        "billing": {"amount": "29.00", "currency": "USD", "nextInvoice": "2026-12-01"},
    }))
}

fn echo(args: &Value) -> CallToolResult {
    let value = args.get("value").cloned().unwrap_or(Value::Null);
    let mut result = text_result(serde_json::to_string(&value).expect("json"));
    result.structured_content = Some(json!({"value": value}));
    result
}

fn api_call(args: &Value) -> Result<CallToolResult, ErrorData> {
    let method = str_arg(args, "method")
        .ok_or_else(|| ErrorData::invalid_params("api_call: missing `method`", None))?;
    if !["GET", "POST", "PUT", "DELETE"].contains(&method) {
        return Err(ErrorData::invalid_params(
            format!("api_call: unsupported method `{method}`"),
            None,
        ));
    }
    let path = str_arg(args, "path")
        .ok_or_else(|| ErrorData::invalid_params("api_call: missing `path`", None))?;
    let body = args.get("body").cloned().unwrap_or(Value::Null);
    let (status, response) = match method {
        "GET" => (
            200,
            json!({"items": [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Grace"}], "total": 2}),
        ),
        "POST" => (201, json!({"id": 3, "created": body})),
        "PUT" => (200, json!({"updated": body})),
        _ => (200, json!({"cancelled": true})),
    };
    Ok(json_result(json!({
        "request": {"method": method, "path": path},
        "status": status,
        "body": response,
    })))
}

async fn slow(
    args: &Value,
    request: &CallToolRequestParams,
    context: &RequestContext<RoleServer>,
    calls: &SlowCalls,
) -> Result<CallToolResult, ErrorData> {
    let ms = args.get("ms").and_then(Value::as_u64).ok_or_else(|| {
        ErrorData::invalid_params("slow: `ms` must be a non-negative integer", None)
    })?;
    let steps = args
        .get("steps")
        .and_then(Value::as_u64)
        .unwrap_or(1)
        .clamp(1, 10_000);
    let token = context.meta.get_progress_token().or_else(|| {
        request
            .meta
            .as_ref()
            .and_then(|meta| meta.get_progress_token())
    });
    let per_step = Duration::from_millis(ms) / steps as u32;
    calls.started.fetch_add(1, Ordering::SeqCst);
    for step in 1..=steps {
        tokio::select! {
            _ = tokio::time::sleep(per_step) => {}
            _ = context.ct.cancelled() => {
                calls.cancelled.fetch_add(1, Ordering::SeqCst);
                return Err(ErrorData::internal_error("slow: cancelled", None));
            }
        }
        if let Some(token) = &token {
            let _ = context
                .peer
                .notify_progress(
                    ProgressNotificationParam::new(token.clone(), step as f64)
                        .with_total(steps as f64)
                        .with_message(format!("step {step}/{steps}")),
                )
                .await;
        }
    }
    Ok(text_result(format!("done after {ms} ms")))
}

/// `sample`, `elicit`, `roots`: legacy peers get a real server-to-client request through the
/// peer; 2026-07-28 peers get an `input_required` result and the answer on the retry.
#[allow(deprecated)]
async fn client_round_trip(
    request: &CallToolRequestParams,
    context: &RequestContext<RoleServer>,
) -> Result<CallToolResponse, ErrorData> {
    let name = request.name.to_string();
    let args = Value::Object(request.arguments.clone().unwrap_or_default());
    let modern = context
        .protocol_version()
        .is_some_and(|v| v.as_str() >= ProtocolVersion::V_2026_07_28.as_str());

    if let (true, Some(responses)) = (modern, &request.input_responses) {
        let answer = responses.get(&name).cloned().unwrap_or(Value::Null);
        return Ok(text_result(serde_json::to_string(&answer).expect("json")).into());
    }

    let elicit_params = || -> Result<ElicitRequestParams, ErrorData> {
        Ok(ElicitRequestParams::FormElicitationParams {
            meta: None,
            message: str_arg(&args, "message")
                .unwrap_or("Which environment should be used?")
                .to_string(),
            requested_schema: serde_json::from_value(json!({
                "type": "object",
                "properties": {"environment": {"type": "string"}},
                "required": ["environment"]
            }))
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?,
        })
    };
    let sampling_params = || {
        CreateMessageRequestParams::new(
            vec![SamplingMessage::user_text(
                str_arg(&args, "prompt").unwrap_or("Summarize yesterday's failed calls."),
            )],
            100,
        )
    };

    if modern {
        let input = match name.as_str() {
            "sample" => InputRequest::CreateMessage(CreateMessageRequest::new(sampling_params())),
            "elicit" => InputRequest::Elicitation(ElicitRequest::new(elicit_params()?)),
            _ => InputRequest::ListRoots(ListRootsRequest::default()),
        };
        let mut requests = InputRequests::new();
        requests.insert(name.clone(), input);
        return Ok(
            InputRequiredResult::new(Some(requests), Some(format!("{name}-pending"))).into(),
        );
    }

    let server_request = match name.as_str() {
        "sample" => {
            ServerRequest::CreateMessageRequest(CreateMessageRequest::new(sampling_params()))
        }
        "elicit" => ServerRequest::ElicitRequest(ElicitRequest::new(elicit_params()?)),
        _ => ServerRequest::ListRootsRequest(ListRootsRequest::default()),
    };
    let answer = tokio::time::timeout(
        Duration::from_secs(60),
        context.peer.send_request(server_request),
    )
    .await;
    Ok(match answer {
        Ok(Ok(result)) => text_result(serde_json::to_string(&result).expect("json")),
        Ok(Err(e)) => tool_error(format!("the client did not answer {name}: {e}")),
        Err(_) => tool_error(format!("the client did not answer {name} within 60 s")),
    }
    .into())
}

/// In-memory account data (fresh per run).
struct Data {
    endpoints: Vec<Value>,
    next_endpoint: u32,
    logs: Vec<Value>,
    archives: Vec<Value>,
    keys: Vec<Value>,
    next_key: u32,
    invitations: Vec<Value>,
}

impl Data {
    fn seed() -> Data {
        let endpoint = |id: &str, name: &str, deployed: bool, fields: &[&str]| {
            json!({
                "id": id,
                "name": name,
                "deployed": deployed,
                "version": if deployed { 1 } else { 0 },
                "url": format!("https://api.3minapi.com/v1/acme/{name}"),
                "fields": fields.iter().map(|f| json!({"name": f, "type": "string", "required": true})).collect::<Vec<_>>(),
                "createdAt": "2026-10-01T09:00:00Z",
            })
        };
        let endpoints = vec![
            endpoint("ep_1001", "user-signup", true, &["name", "email"]),
            endpoint(
                "ep_1002",
                "customer-inquiries",
                true,
                &["name", "email", "message"],
            ),
            endpoint("ep_1003", "orders", false, &["sku", "quantity"]),
        ];
        let logs = (1..=20)
            .map(|i| {
                let failed = i % 4 == 0;
                json!({
                    "id": format!("log_{i:04}"),
                    "endpoint": if i % 2 == 0 { "user-signup" } else { "orders" },
                    "method": if i % 3 == 0 { "GET" } else { "POST" },
                    "status": if failed { 500 } else { 200 },
                    "result": if failed { "failed" } else { "ok" },
                    "message": if failed { "upstream webhook timed out" } else { "created" },
                    "at": format!("2026-11-{:02}T10:{:02}:00Z", 10 + i % 10, i),
                })
            })
            .collect();
        let archives = vec![
            json!({"id": "ar_2026_09", "name": "logs-2026-09.jsonl.gz", "sizeBytes": 1_048_576}),
            json!({"id": "ar_2026_10", "name": "logs-2026-10.jsonl.gz", "sizeBytes": 2_097_152}),
        ];
        let keys = vec![
            json!({"id": "key_1", "endpoint_id": "ep_1001", "environment": "sandbox", "masked": "tm_test_…a1b2",
                   "permissions": {"create": true, "read": true, "update": false, "delete": false}}),
            json!({"id": "key_2", "endpoint_id": "ep_1001", "environment": "production", "masked": "tm_live_…c3d4",
                   "permissions": {"create": true, "read": true, "update": true, "delete": false}}),
        ];
        let invitations = vec![
            json!({"id": "inv_1", "email": "dana@example.com", "endpoint_id": "ep_1002", "status": "pending"}),
        ];
        Data {
            endpoints,
            next_endpoint: 1004,
            logs,
            archives,
            keys,
            next_key: 3,
            invitations,
        }
    }

    fn find_endpoint(&mut self, id_or_name: &str) -> Option<&mut Value> {
        self.endpoints
            .iter_mut()
            .find(|e| e["id"] == id_or_name || e["name"] == id_or_name)
    }
}

impl FakeServer {
    fn endpoints(&self, args: &Value) -> Result<CallToolResult, ErrorData> {
        let action = action(
            args,
            "endpoints",
            &["list", "get", "create", "update", "deploy"],
        )?;
        let mut data = self.data.lock().unwrap();
        let target = str_arg(args, "id").or_else(|| match action {
            "get" => str_arg(args, "name"),
            _ => None,
        });
        Ok(match action {
            "list" => json_result(json!({
                "endpoints": data.endpoints.iter().map(|e| json!({
                    "id": e["id"], "name": e["name"], "deployed": e["deployed"], "url": e["url"],
                })).collect::<Vec<_>>()
            })),
            "create" => {
                let Some(name) = str_arg(args, "name") else {
                    return Ok(tool_error("endpoints create: `name` is required"));
                };
                let id = format!("ep_{}", data.next_endpoint);
                data.next_endpoint += 1;
                let endpoint = json!({
                    "id": id,
                    "name": name,
                    "deployed": false,
                    "version": 0,
                    "url": format!("https://api.3minapi.com/v1/acme/{name}"),
                    "fields": args.get("fields").cloned().unwrap_or(json!([])),
                    "createdAt": "2026-11-23T12:00:00Z",
                });
                data.endpoints.push(endpoint.clone());
                json_result(json!({"created": endpoint}))
            }
            _ => {
                let Some(target) = target else {
                    return Ok(tool_error(format!("endpoints {action}: `id` is required")));
                };
                let Some(endpoint) = data.find_endpoint(target) else {
                    return Ok(tool_error(format!("endpoint not found: {target}")));
                };
                match action {
                    "get" => json_result(endpoint.clone()),
                    "update" => {
                        if let Some(name) = str_arg(args, "name") {
                            endpoint["name"] = json!(name);
                        }
                        if let Some(fields) = args.get("fields") {
                            endpoint["fields"] = fields.clone();
                        }
                        json_result(json!({"updated": endpoint.clone()}))
                    }
                    _ => {
                        let version = endpoint["version"].as_u64().unwrap_or(0) + 1;
                        endpoint["version"] = json!(version);
                        endpoint["deployed"] = json!(true);
                        json_result(json!({"deployed": endpoint.clone()}))
                    }
                }
            }
        })
    }

    fn logs(&self, args: &Value) -> Result<CallToolResult, ErrorData> {
        let action = action(args, "logs", &["lookup", "search", "fetch_archived"])?;
        let data = self.data.lock().unwrap();
        Ok(match action {
            "search" => {
                let query = str_arg(args, "query").unwrap_or("").to_lowercase();
                let hits: Vec<Value> = data
                    .logs
                    .iter()
                    .filter(|log| {
                        query.is_empty() || log.to_string().to_lowercase().contains(&query)
                    })
                    .cloned()
                    .collect();
                json_result(json!({"query": query, "total": hits.len(), "logs": hits}))
            }
            _ => {
                let Some(id) = str_arg(args, "id") else {
                    return Ok(tool_error(format!("logs {action}: `id` is required")));
                };
                let Some(log) = data.logs.iter().find(|l| l["id"] == id) else {
                    return Ok(tool_error(format!("log record not found: {id}")));
                };
                if action == "lookup" {
                    json_result(log.clone())
                } else {
                    json_result(json!({
                        "id": id,
                        "archivedAt": "2026-11-20T00:00:00Z",
                        "request": {"name": "Ada", "email": "ada@example.com"},
                        "response": {"status": log["status"]},
                    }))
                }
            }
        })
    }

    fn archives(&self, args: &Value) -> Result<CallToolResult, ErrorData> {
        let action = action(args, "archives", &["list", "download"])?;
        let data = self.data.lock().unwrap();
        if action == "list" {
            return Ok(json_result(json!({"archives": data.archives})));
        }
        let Some(id) = str_arg(args, "id") else {
            return Ok(tool_error("archives download: `id` is required"));
        };
        if !data.archives.iter().any(|a| a["id"] == id) {
            return Ok(tool_error(format!("archive not found: {id}")));
        }
        Ok(json_result(json!({
            "id": id,
            "url": format!("https://files.3minapi.com/archives/{id}?token=fake"),
            "expiresInSeconds": 900,
        })))
    }

    fn collaborators(&self, args: &Value) -> Result<CallToolResult, ErrorData> {
        let action = action(
            args,
            "collaborators",
            &[
                "list_keys",
                "list_invitations",
                "create_key",
                "update_permissions",
                "invite",
            ],
        )?;
        let mut data = self.data.lock().unwrap();
        Ok(match action {
            "list_keys" => json_result(json!({"keys": data.keys})),
            "list_invitations" => json_result(json!({"invitations": data.invitations})),
            "create_key" => {
                let environment = str_arg(args, "environment").unwrap_or("sandbox");
                let prefix = if environment == "production" {
                    "tm_live_"
                } else {
                    "tm_test_"
                };
                let id = format!("key_{}", data.next_key);
                data.next_key += 1;
                let secret = format!("{prefix}{:032x}", 0xfeed_0000_u64 + data.next_key as u64);
                let key = json!({
                    "id": id,
                    "endpoint_id": str_arg(args, "endpoint_id").unwrap_or("ep_1001"),
                    "environment": environment,
                    "masked": format!("{prefix}…{}", &secret[secret.len() - 4..]),
                    "permissions": {"create": true, "read": true, "update": false, "delete": false},
                });
                data.keys.push(key.clone());
                json_result(json!({"created": key, "key": secret, "note": "shown once"}))
            }
            "update_permissions" => {
                let Some(key_id) = str_arg(args, "key_id") else {
                    return Ok(tool_error(
                        "collaborators update_permissions: `key_id` is required",
                    ));
                };
                let permissions = args.get("permissions").cloned().unwrap_or(json!({}));
                let Some(key) = data.keys.iter_mut().find(|k| k["id"] == key_id) else {
                    return Ok(tool_error(format!("collaboration key not found: {key_id}")));
                };
                if let (Some(current), Some(new)) =
                    (key["permissions"].as_object_mut(), permissions.as_object())
                {
                    for (k, v) in new {
                        current.insert(k.clone(), v.clone());
                    }
                }
                json_result(json!({"updated": key.clone()}))
            }
            _ => {
                let Some(email) = str_arg(args, "email") else {
                    return Ok(tool_error("collaborators invite: `email` is required"));
                };
                let invitation = json!({
                    "id": format!("inv_{}", data.invitations.len() + 1),
                    "email": email,
                    "endpoint_id": str_arg(args, "endpoint_id").unwrap_or("ep_1001"),
                    "status": "pending",
                });
                data.invitations.push(invitation.clone());
                json_result(json!({"invited": invitation}))
            }
        })
    }
}
