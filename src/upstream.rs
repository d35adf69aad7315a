//! The Streamable HTTP client side of the bridge: one POST per client message, JSON or SSE answers,
//! the legacy session (`Mcp-Session-Id`, replayed `initialize` when the server forgets it), the
//! standalone GET stream, and every transport fault turned into something the bridge can answer.
//!
//! Messages are carried as the text they arrived as; only the routing fields are read.

use crate::jsonrpc::{self, Kind};
use crate::modern;
use crate::sse;
use crate::{log_debug, log_info, log_warn};
use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Response, StatusCode, Url};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex as SyncMutex};
use std::time::Duration;
use tokio::sync::{RwLock, mpsc};
use tokio::task::JoinHandle;

pub const DEFAULT_URL: &str = "https://3minapi.com/api/mcp";
pub const USER_AGENT: &str = concat!(
    "3minapi/",
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("THREEMINAPI_GIT_COMMIT"),
    ")"
);

const SESSION_HEADER: HeaderName = HeaderName::from_static("mcp-session-id");
const VERSION_HEADER: HeaderName = HeaderName::from_static("mcp-protocol-version");
const METHOD_HEADER: HeaderName = HeaderName::from_static("mcp-method");
const NAME_HEADER: HeaderName = HeaderName::from_static("mcp-name");
const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");
const KEY_HEADER: HeaderName = HeaderName::from_static("x-api-key");
const POST_ACCEPT: &str = "application/json, text/event-stream";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const KEEPALIVE: Duration = Duration::from_secs(30);
const DELETE_TIMEOUT: Duration = Duration::from_secs(2);
/// After the answer has arrived, how long to wait for the server to end the stream, so the
/// connection goes back to the pool instead of being dropped.
const DRAIN_AFTER_ANSWER: Duration = Duration::from_secs(5);
/// How long the answer waits for the end of its stream before it is handed to the client.
const END_AFTER_ANSWER: Duration = Duration::from_millis(1);
/// Resumes in a row that bring no new event before a call is failed.
const MAX_IDLE_RESUMES: u32 = 3;
/// Longest wait before resuming a stream the server closed on purpose, whatever `retry:` says.
const MAX_RESUME_WAIT_MS: u64 = 30_000;

/// Messages for the MCP client on stdout.
pub use crate::stdio::Outbox;

/// An answer bigger than this is relayed to the client as it arrives rather than held whole.
const STREAM_ABOVE: usize = 256 * 1024;

/// Checks the upstream URL: it must be `https://`, or `http://` to a loopback host (the key must
/// not cross a network in clear text).
pub fn check_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("the upstream URL {raw:?} is not valid: {e}"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(format!(
            "refusing {url}: plain http:// would send the MCP key in clear text; use https:// (http:// is accepted only for loopback hosts)"
        )),
        other => Err(format!(
            "the upstream URL {url} has scheme {other}: only https:// is supported"
        )),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Why a message could not be relayed. The bridge answers requests with [`RelayError::answer`].
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("the server refused the MCP key (HTTP {status}): was it regenerated or deleted?")]
    KeyRefused { status: u16 },
    #[error("cannot reach {url}: {cause}")]
    Unreachable { url: String, cause: String },
    #[error("{url} answered HTTP {status}{}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error("{url} closed the stream of this request before answering it")]
    StreamEnded { url: String },
    #[error(
        "{url} redirected to another origin ({location}); not following, the MCP key would go with it"
    )]
    CrossOriginRedirect { url: String, location: String },
    #[error(
        "{url} no longer knows the session and it could not be restored: the client never sent initialize"
    )]
    SessionLost { url: String },
}

impl RelayError {
    pub fn hint(&self) -> &'static str {
        match self {
            RelayError::KeyRefused { .. } => {
                "generate a new key under Settings → AI Integration → CLI / IDE, then run `3minapi auth login`"
            }
            RelayError::Unreachable { .. } | RelayError::StreamEnded { .. } => {
                "check the network and the proxy settings (HTTPS_PROXY, NO_PROXY), then retry"
            }
            RelayError::Status { .. } => {
                "retry later; if it persists, check --url / THREEMINAPI_URL"
            }
            RelayError::CrossOriginRedirect { .. } => "check --url / THREEMINAPI_URL",
            RelayError::SessionLost { .. } => "restart the MCP client",
        }
    }

    fn code(&self) -> i64 {
        match self {
            RelayError::KeyRefused { .. } => jsonrpc::code::KEY_PROBLEM,
            _ => jsonrpc::code::UPSTREAM_UNAVAILABLE,
        }
    }

    /// The JSON-RPC error answering request `id` (raw JSON). The message carries the hint too:
    /// clients show the message, rarely `data`.
    pub fn answer(&self, id: &str) -> String {
        let message = format!("{self}; {}", self.hint());
        let data = serde_json::json!({ "hint": self.hint() });
        jsonrpc::error_line(id, self.code(), &message, Some(&data))
    }
}

/// The parts of the session a request is sent with.
#[derive(Clone, Default)]
struct Snapshot {
    session: Option<HeaderValue>,
    version: Option<HeaderValue>,
    generation: u64,
}

#[derive(Default)]
struct Session {
    /// Kept as header values, made once per session: every request clones them (a reference
    /// count) instead of building them again.
    id: Option<HeaderValue>,
    version: Option<HeaderValue>,
    /// Bumped every time a session is (re)established, so concurrent requests that all hit a 404
    /// re-initialize once.
    generation: u64,
    /// The client's own handshake, replayed when the server forgets the session.
    initialize: Option<(String, Bytes)>,
    initialized: Option<Bytes>,
    /// Set when a legacy client talks to a modern-only server through us.
    translate: Option<modern::Translation>,
}

impl Session {
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            session: self.id.clone(),
            version: self.version.clone(),
            generation: self.generation,
        }
    }
}

/// What to do with the messages read from a response.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// Everything goes to the client.
    Forward,
    /// Everything goes to the client, and the answer is also returned.
    ForwardAndKeep,
    /// Everything but the answer goes to the client; the answer is returned, for the caller to
    /// decide.
    ForwardOthers,
    /// The answer is returned; nothing reaches the client (a replayed handshake).
    Keep,
}

pub struct Upstream {
    http: Client,
    url: Url,
    key: HeaderValue,
    session: RwLock<Session>,
    get_stream: SyncMutex<Option<JoinHandle<()>>>,
    to_client: Outbox,
    /// `x-mcp-header` annotations per tool, from relayed or fetched `tools/list` answers.
    tool_headers: SyncMutex<ToolHeaders>,
    /// Held while `tools/list` is fetched for the annotations, so it is fetched once.
    tool_fetch: tokio::sync::Mutex<()>,
    /// Mirrors `Session::translate.is_some()` for the paths that must not wait on the lock.
    translating: AtomicBool,
    /// `--read-only` / `--allow-tool` / `--deny-tool`: `tools/list` answers lose the excluded tools.
    filter: Option<Arc<crate::filter::Filter>>,
}

#[derive(Default)]
struct ToolHeaders {
    fetched: bool,
    by_tool: HashMap<String, modern::ParamHeaders>,
}

/// The routing facts of one client request, owned so its task can outlive the parsed line.
#[derive(Debug, Clone, Default)]
pub struct Route {
    pub method: String,
    /// `_meta`'s protocol version when it names the stateless revision (2026-07-28 or later).
    pub modern_version: Option<String>,
    /// The `Mcp-Name` source: tool or prompt name, resource URI, task id.
    pub name: Option<String>,
    /// Where `params.arguments` sits in the message text.
    pub arguments: Option<std::ops::Range<usize>>,
    /// `params.protocolVersion` of an `initialize`.
    pub initialize_version: Option<String>,
}

impl Route {
    /// `text` is the message `params` was parsed from.
    pub fn of(method: &str, text: &[u8], params: &jsonrpc::Params<'_>) -> Route {
        let offset = |raw: &str| {
            let start = raw.as_ptr() as usize - text.as_ptr() as usize;
            start..start + raw.len()
        };
        Route {
            method: method.to_owned(),
            modern_version: params
                .meta
                .as_ref()
                .and_then(|m| m.protocol_version.as_deref())
                .filter(|v| modern::is_modern(v))
                .map(str::to_owned),
            name: modern::mcp_name(method, params).map(str::to_owned),
            arguments: params.arguments.map(offset),
            initialize_version: params.protocol_version.as_deref().map(str::to_owned),
        }
    }
}

impl Upstream {
    /// `key` is sent as `x-api-key` and marked sensitive so no debug output shows it.
    pub fn new(
        url: Url,
        key: &crate::key::McpKey,
        to_client: Outbox,
        filter: Option<Arc<crate::filter::Filter>>,
    ) -> anyhow::Result<Arc<Upstream>> {
        let mut key = HeaderValue::from_str(key.expose())?;
        key.set_sensitive(true);
        let redirects = reqwest::redirect::Policy::custom(|attempt| {
            let same = attempt
                .previous()
                .first()
                .is_some_and(|first| same_origin(first, attempt.url()));
            if attempt.previous().len() >= 5 {
                attempt.error("too many redirects")
            } else if same {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        // No total or read timeout: a tool call or the GET stream may stay silent for minutes.
        let http = Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_nodelay(true)
            .tcp_keepalive(KEEPALIVE)
            .redirect(redirects)
            .build()?;
        Ok(Arc::new(Upstream {
            http,
            url,
            key,
            session: RwLock::new(Session::default()),
            get_stream: SyncMutex::new(None),
            to_client,
            tool_headers: SyncMutex::new(ToolHeaders::default()),
            tool_fetch: tokio::sync::Mutex::new(()),
            translating: AtomicBool::new(false),
            filter,
        }))
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    fn headers(&self, snap: &Snapshot) -> HeaderMap {
        // Room for these, the two of `post`, reqwest's User-Agent and a 2026-07-28 request's
        // method, name and a parameter or two, without growing.
        let mut h = HeaderMap::with_capacity(12);
        h.insert(KEY_HEADER, self.key.clone());
        if let Some(v) = &snap.session {
            h.insert(SESSION_HEADER, v.clone());
        }
        if let Some(v) = &snap.version {
            h.insert(VERSION_HEADER, v.clone());
        }
        h
    }

    fn unreachable(&self, e: &reqwest::Error) -> RelayError {
        RelayError::Unreachable {
            url: self.url.to_string(),
            cause: describe(e),
        }
    }

    /// POSTs one message with the `headers` it makes (called again for a retry). A connection
    /// that could not be made is retried once: it provably never reached the server.
    async fn post(
        &self,
        body: &Bytes,
        headers: impl Fn() -> HeaderMap,
    ) -> Result<Response, RelayError> {
        let mut retried = false;
        loop {
            let mut request = reqwest::Request::new(reqwest::Method::POST, self.url.clone());
            let h = request.headers_mut();
            *h = headers();
            h.insert(ACCEPT, HeaderValue::from_static(POST_ACCEPT));
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            *request.body_mut() = Some(body.clone().into());
            let sent = self.http.execute(request).await;
            match sent {
                Ok(resp) => return Ok(resp),
                Err(e) if e.is_connect() && !retried => {
                    log_debug!(
                        "connecting to {} failed ({}); retrying once",
                        self.url,
                        describe(&e)
                    );
                    retried = true;
                }
                Err(e) => return Err(self.unreachable(&e)),
            }
        }
    }

    /// Relays a client request and forwards its answer (and whatever the server sends on the
    /// request's stream) to the client. An `Err` means the client still needs an answer.
    pub async fn request(
        self: &Arc<Self>,
        id: &str,
        route: &Route,
        body: Bytes,
    ) -> Result<(), RelayError> {
        let method = route.method.as_str();
        if method == "server/discover" {
            return self.discover(id, route, body).await;
        }
        if let Some(version) = &route.modern_version {
            return self.modern_request(id, route, version, body).await;
        }
        if method == "initialize" {
            return self.initialize(id, route, body).await;
        }
        if self.translating.load(Ordering::Acquire) {
            return self.translated_request(id, route, body).await;
        }
        let resp = self.post_in_session(&body).await?;
        drop(body); // sent: a big request is not held while its answer streams back
        self.relay_answer(resp, id, method, true).await
    }

    /// POSTs on the current session. A 404 there means the server forgot the session: it is
    /// restored (once) and the message sent again; it never reached the server the first time.
    async fn post_in_session(self: &Arc<Self>, body: &Bytes) -> Result<Response, RelayError> {
        let mut restored = false;
        loop {
            let snap = self.session.read().await.snapshot();
            let resp = self.post(body, || self.headers(&snap)).await?;
            if resp.status() == StatusCode::NOT_FOUND && snap.session.is_some() && !restored {
                restored = true;
                self.restore_session(snap.generation).await?;
                continue;
            }
            return Ok(resp);
        }
    }

    /// Forwards the answer to request `id`; a `tools/list` answer also teaches the
    /// `x-mcp-header` annotations.
    async fn relay_answer(
        &self,
        resp: Response,
        id: &str,
        method: &str,
        resumable: bool,
    ) -> Result<(), RelayError> {
        let delivery = match (method, &self.filter) {
            ("tools/list", None) => Delivery::ForwardAndKeep,
            // The listing reaches the client without the tools the filter excludes.
            ("tools/list", Some(_)) => Delivery::ForwardOthers,
            _ => Delivery::Forward,
        };
        if let Some(line) = self
            .read_answer(resp, Some(id), delivery, resumable)
            .await?
            && let Some(filtered) = self.learn_tools(&line)
        {
            let _ = self.to_client.send(filtered);
        }
        Ok(())
    }

    /// True when this request goes upstream on its own stateless POST, which closing cancels.
    pub fn is_stateless(&self, route: &Route) -> bool {
        route.modern_version.is_some() || self.translating.load(Ordering::Acquire)
    }

    /// The headers of a 2026-07-28 request: version, method, name, and `Mcp-Param-*` for the
    /// tool arguments its input schema marks with `x-mcp-header` (SEP-2243).
    async fn modern_headers(
        self: &Arc<Self>,
        route: &Route,
        version: &str,
        body: &Bytes,
    ) -> HeaderMap {
        let mut h = self.stateless_headers(route, version);
        if route.method == "tools/call"
            && let Some(tool) = route.name.as_deref()
        {
            let annotations = self.param_headers(tool, version).await;
            let args = route
                .arguments
                .clone()
                .and_then(|r| std::str::from_utf8(&body[r]).ok());
            for (name, value) in modern::param_header_values(&annotations, args) {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(&value),
                ) {
                    h.insert(n, v);
                }
            }
        }
        h
    }

    /// The headers every 2026-07-28 request carries: version, method, name.
    fn stateless_headers(&self, route: &Route, version: &str) -> HeaderMap {
        let mut h = self.headers(&Snapshot {
            version: HeaderValue::from_str(version).ok(),
            ..Snapshot::default()
        });
        if let Ok(v) = HeaderValue::from_str(&route.method) {
            h.insert(METHOD_HEADER, v);
        }
        if let Some(Ok(v)) = route
            .name
            .as_deref()
            .map(|n| HeaderValue::from_str(&modern::encode_header_value(n)))
        {
            h.insert(NAME_HEADER, v);
        }
        h
    }

    /// A 2026-07-28 request: its own POST, no session; no resume if its stream breaks.
    async fn modern_request(
        self: &Arc<Self>,
        id: &str,
        route: &Route,
        version: &str,
        body: Bytes,
    ) -> Result<(), RelayError> {
        let headers = self.modern_headers(route, version, &body).await;
        let resp = self.post(&body, || headers.clone()).await?;
        drop(body);
        self.relay_answer(resp, id, &route.method, false).await
    }

    /// Remembers the `x-mcp-header` annotations of a `tools/list` answer, and lets the filter
    /// learn the tools' schemas; returns the answer without the excluded tools when filtering.
    fn learn_tools(&self, answer: &str) -> Option<String> {
        let found = modern::param_headers_of_tools_list(answer);
        if let Ok(mut cache) = self.tool_headers.lock() {
            cache.by_tool.extend(found);
        }
        let (filtered, warnings) = self.filter.as_ref()?.filter_tools_list(answer);
        for w in warnings {
            log_warn!("{w}");
        }
        Some(filtered)
    }

    /// The annotations of one tool; fetches `tools/list` (every page) once when the tool has not
    /// been seen in any relayed listing.
    async fn param_headers(self: &Arc<Self>, tool: &str, version: &str) -> modern::ParamHeaders {
        {
            let cache = self.tool_headers.lock().expect("tool cache");
            if let Some(found) = cache.by_tool.get(tool) {
                return found.clone();
            }
            if cache.fetched {
                return Vec::new();
            }
        }
        self.fetch_tools_once(Some(version)).await;
        let cache = self.tool_headers.lock().expect("tool cache");
        cache.by_tool.get(tool).cloned().unwrap_or_default()
    }

    /// Makes sure the filter has seen `tool` in a listing before it judges a call of it: a
    /// client may call before it lists (or list on another connection). Fetches `tools/list`
    /// once, in the era `route` travels in.
    pub async fn learn_tool_for_filter(self: &Arc<Self>, tool: &str, route: &Route) {
        let Some(filter) = &self.filter else { return };
        if filter.has_seen(tool) {
            return;
        }
        let version = match &route.modern_version {
            Some(v) => Some(v.clone()),
            None => self
                .session
                .read()
                .await
                .translate
                .as_ref()
                .map(|t| t.version.clone()),
        };
        self.fetch_tools_once(version.as_deref()).await;
    }

    /// Fetches every page of `tools/list` for the bridge itself (nothing reaches the client), at
    /// most once per bridge: stateless with `version`, else in the session.
    async fn fetch_tools_once(self: &Arc<Self>, version: Option<&str>) {
        let _one_fetch = self.tool_fetch.lock().await;
        if self.tool_headers.lock().expect("tool cache").fetched {
            return;
        }
        let mut cursor: Option<String> = None;
        for page in 0..50 {
            let mut params = match version {
                Some(v) => serde_json::json!({"_meta": {
                    modern::META_VERSION: v,
                    modern::META_CAPABILITIES: {},
                }}),
                None => serde_json::json!({}),
            };
            if let Some(c) = &cursor {
                params["cursor"] = c.clone().into();
            }
            let id = format!("\"3minapi-tools-{page}\"");
            let body = Bytes::from(serde_json::json!({"jsonrpc": "2.0", "id": format!("3minapi-tools-{page}"), "method": "tools/list", "params": params}).to_string());
            let resp = match version {
                Some(v) => {
                    let route = Route {
                        method: "tools/list".into(),
                        ..Route::default()
                    };
                    self.post(&body, || self.stateless_headers(&route, v)).await
                }
                None => self.post_in_session(&body).await,
            };
            let answer = match resp {
                Ok(resp) => {
                    self.read_answer(resp, Some(&id), Delivery::Keep, version.is_none())
                        .await
                }
                Err(e) => Err(e),
            };
            let Ok(Some(line)) = answer else {
                log_warn!(
                    "fetching tools/list for the bridge itself failed: no Mcp-Param headers, and filter flags refuse tools they have not seen"
                );
                break;
            };
            let _ = self.learn_tools(&line);
            cursor = serde_json::from_str::<serde_json::Value>(&line)
                .ok()
                .and_then(|v| v["result"]["nextCursor"].as_str().map(str::to_owned));
            if cursor.is_none() {
                break;
            }
        }
        self.tool_headers.lock().expect("tool cache").fetched = true;
    }

    /// `server/discover`, sorted (DESIGN §3): a modern answer is relayed; a server without the
    /// stateless revision gets the client a -32601 at once, so it falls back to `initialize`.
    async fn discover(&self, id: &str, route: &Route, body: Bytes) -> Result<(), RelayError> {
        let version = route
            .modern_version
            .as_deref()
            .unwrap_or(modern::MODERN_VERSION);
        let resp = self
            .post(&body, || self.stateless_headers(route, version))
            .await?;
        let status = resp.status();
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(RelayError::KeyRefused {
                status: status.as_u16(),
            });
        }
        if status.is_server_error() {
            let body = resp.text().await.unwrap_or_default();
            return Err(self.status_error(status, &body));
        }
        let answer = if status.is_success() {
            self.read_answer(resp, Some(id), Delivery::Keep, false)
                .await?
                .unwrap_or_default()
        } else {
            let text = resp.text().await.map_err(|e| self.unreachable(&e))?;
            error_body_for(&text, id).unwrap_or(text)
        };
        match modern::sort_discover(status.as_u16(), &answer) {
            modern::Discovered::Modern => {
                let _ = self.to_client.send(jsonrpc::one_line(&answer).into_owned());
            }
            modern::Discovered::LegacyOnly => {
                log_debug!(
                    "the upstream does not speak MCP {} (discover: HTTP {status})",
                    modern::MODERN_VERSION
                );
                let _ = self.to_client.send(jsonrpc::error_line(
                    id,
                    jsonrpc::code::METHOD_NOT_FOUND,
                    "Method not found: server/discover (the server speaks the session-based MCP revisions; use initialize)",
                    None,
                ));
            }
        }
        Ok(())
    }

    /// A legacy client's request to a modern-only server: answered here when the revision removed
    /// it, otherwise relayed with the modern `_meta` added.
    async fn translated_request(
        self: &Arc<Self>,
        id: &str,
        route: &Route,
        body: Bytes,
    ) -> Result<(), RelayError> {
        let translation = self.session.read().await.translate.clone();
        let Some(mut translation) = translation else {
            return Err(RelayError::SessionLost {
                url: self.url.to_string(),
            });
        };
        match route.method.as_str() {
            "ping" => {
                let _ = self
                    .to_client
                    .send(format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{}}}}"#));
                return Ok(());
            }
            "logging/setLevel" => {
                // 2026-07-28 carries the level in each request's _meta instead.
                let level = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .map(|v| v["params"]["level"].clone());
                let mut session = self.session.write().await;
                if let Some(t) = session.translate.as_mut() {
                    t.log_level = level;
                }
                let _ = self
                    .to_client
                    .send(format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{}}}}"#));
                return Ok(());
            }
            _ => {}
        }
        let text = std::str::from_utf8(&body).unwrap_or_default();
        let Some(line) = translation.apply(text) else {
            return Err(RelayError::SessionLost {
                url: self.url.to_string(),
            });
        };
        let body = Bytes::from(line);
        // Re-read the routing fields of the rewritten message (argument offsets moved).
        let route = match jsonrpc::parse(std::str::from_utf8(&body).unwrap_or_default()) {
            Ok(msg) => Route::of(&route.method, &body, &msg.params),
            Err(_) => route.clone(),
        };
        let version = std::mem::take(&mut translation.version);
        self.modern_request(id, &route, &version, body).await
    }

    /// Relays a notification or a response from the client. Nothing is answered; failures are
    /// returned for the log.
    pub async fn notify(
        self: &Arc<Self>,
        method: Option<&str>,
        body: Bytes,
    ) -> Result<(), RelayError> {
        if self.translating.load(Ordering::Acquire) {
            // The stateless revision has no client notifications over HTTP.
            log_debug!(
                "not relaying {} to a server without sessions",
                method.unwrap_or("a response")
            );
            return Ok(());
        }
        if method == Some("notifications/initialized") {
            return self.initialized(body).await;
        }
        let resp = self.post_in_session(&body).await?;
        self.read_answer(resp, None, Delivery::Forward, true)
            .await
            .map(drop)
    }

    /// The client's `initialize`: a new session. Held under the write lock so nothing else is sent
    /// before the session id is known.
    async fn initialize(
        self: &Arc<Self>,
        id: &str,
        route: &Route,
        body: Bytes,
    ) -> Result<(), RelayError> {
        let mut session = self.session.write().await;
        self.stop_get_stream();
        if let Some(old) = session.id.take() {
            let this = Arc::clone(self);
            let snap = session.snapshot();
            tokio::spawn(async move {
                this.delete_session(Snapshot {
                    session: Some(old),
                    ..snap
                })
                .await
            });
        }
        let (sid, answer) = self.handshake(id, &body, Delivery::ForwardOthers).await?;
        let answer = answer.unwrap_or_default();
        if let Some((line, translation)) =
            self.translate_initialize(id, route, &body, &answer).await?
        {
            log_info!(
                "the upstream speaks only MCP {}; translating for this client",
                translation.version
            );
            session.id = None;
            session.version = None;
            session.generation += 1;
            session.translate = Some(translation);
            self.translating.store(true, Ordering::Release);
            let _ = self.to_client.send(line);
            return Ok(());
        }
        self.translating.store(false, Ordering::Release);
        session.translate = None;
        session.id = sid;
        session.version = negotiated_version(&answer).and_then(version_value);
        session.generation += 1;
        session.initialize = Some((id.to_owned(), body));
        session.initialized = None;
        let _ = self.to_client.send(answer);
        Ok(())
    }

    /// A modern-only server refuses `initialize` with -32022 and the versions it speaks. Then the
    /// client's `initialize` is answered here from the server's `server/discover` result, and the
    /// client's later requests are translated. `None`: relay the server's answer as it is.
    async fn translate_initialize(
        &self,
        id: &str,
        route: &Route,
        body: &Bytes,
        answer: &str,
    ) -> Result<Option<(String, modern::Translation)>, RelayError> {
        let Ok(refusal) = serde_json::from_str::<serde_json::Value>(answer) else {
            return Ok(None);
        };
        if refusal["error"]["code"].as_i64() != Some(modern::UNSUPPORTED_VERSION) {
            return Ok(None);
        }
        let Some(version) = modern::pick_modern_version(&refusal) else {
            return Ok(None);
        };
        let params = serde_json::from_slice::<serde_json::Value>(body)
            .map(|v| v["params"].clone())
            .unwrap_or_default();
        let translation = modern::Translation::new(&params, &version);
        let discover_id = "\"3minapi-discover\"";
        let discover = Bytes::from(translation.discover_request("3minapi-discover"));
        let discover_route = Route {
            method: "server/discover".into(),
            ..Route::default()
        };
        let resp = self
            .post(&discover, || {
                self.stateless_headers(&discover_route, &version)
            })
            .await?;
        let found = self
            .read_answer(resp, Some(discover_id), Delivery::Keep, false)
            .await?;
        let Some(found) = found.and_then(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
        else {
            return Ok(None);
        };
        if found.get("result").is_none() {
            return Ok(None);
        }
        let result =
            modern::initialize_result_from_discover(&found, route.initialize_version.as_deref());
        let line = format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{result}}}"#);
        Ok(Some((line, translation)))
    }

    /// POSTs an `initialize` without a session; returns the new session id and the answer line.
    async fn handshake(
        &self,
        id: &str,
        body: &Bytes,
        delivery: Delivery,
    ) -> Result<(Option<HeaderValue>, Option<String>), RelayError> {
        let resp = self
            .post(body, || self.headers(&Snapshot::default()))
            .await?;
        // Visible ASCII only, in a value of its own (not a slice of the connection's buffer).
        let sid = resp
            .headers()
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| HeaderValue::from_str(v).ok());
        let answer = self.read_answer(resp, Some(id), delivery, true).await?;
        Ok((sid, answer))
    }

    async fn initialized(self: &Arc<Self>, body: Bytes) -> Result<(), RelayError> {
        let mut session = self.session.write().await;
        session.initialized = Some(body.clone());
        let snap = session.snapshot();
        let resp = self.post(&body, || self.headers(&snap)).await?;
        self.read_answer(resp, None, Delivery::Forward, true)
            .await?;
        self.start_get_stream(snap);
        Ok(())
    }

    /// The server answered 404 to a request on session `generation`: it forgot the session (expiry,
    /// restart). Replay the client's own handshake on a new session; the client never sees it.
    async fn restore_session(self: &Arc<Self>, generation: u64) -> Result<(), RelayError> {
        let mut session = self.session.write().await;
        if session.generation != generation {
            return Ok(()); // another request restored it meanwhile
        }
        let Some((id, init)) = session.initialize.clone() else {
            return Err(RelayError::SessionLost {
                url: self.url.to_string(),
            });
        };
        log_info!("the upstream forgot the session; starting a new one");
        self.stop_get_stream();
        let (sid, answer) = self.handshake(&id, &init, Delivery::Keep).await?;
        if let Some(line) = answer.as_deref().filter(|l| is_error(l)) {
            log_warn!(
                "replaying initialize failed: {}",
                crate::log::sanitize(line)
            );
            return Err(RelayError::SessionLost {
                url: self.url.to_string(),
            });
        }
        session.id = sid;
        session.version = answer
            .as_deref()
            .and_then(negotiated_version)
            .and_then(version_value);
        session.generation += 1;
        let initialized = session.initialized.clone().unwrap_or_else(|| {
            Bytes::from_static(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        });
        let snap = session.snapshot();
        let resp = self.post(&initialized, || self.headers(&snap)).await?;
        self.read_answer(resp, None, Delivery::Forward, true)
            .await?;
        self.start_get_stream(snap);
        Ok(())
    }

    /// Reads what the server answered to one POST. With `want` set, returns once that request's
    /// answer has been delivered (resuming a broken SSE stream with `Last-Event-ID`).
    /// `resumable`: a legacy stream, which may be resumed with `Last-Event-ID`.
    async fn read_answer(
        &self,
        resp: Response,
        want: Option<&str>,
        delivery: Delivery,
        resumable: bool,
    ) -> Result<Option<String>, RelayError> {
        let status = resp.status();
        let url = self.url.to_string();
        if status.is_redirection() {
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("?")
                .to_owned();
            return Err(RelayError::CrossOriginRedirect { url, location });
        }
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(RelayError::KeyRefused {
                status: status.as_u16(),
            });
        }
        let is_sse = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/event-stream"));
        if status.is_success() && is_sse {
            return self.read_sse(resp, want, delivery, resumable).await;
        }
        let body = resp.bytes().await.map_err(|e| self.unreachable(&e))?;
        let text = String::from_utf8_lossy(&body);
        if status.is_success() {
            if text.trim().is_empty() {
                return match want {
                    // 202 to a request: the answer is not coming on this stream, and nothing says it will.
                    Some(_) => Err(RelayError::Status {
                        url,
                        status: status.as_u16(),
                        body: "accepted the request without answering it".into(),
                    }),
                    None => Ok(None),
                };
            }
            return match self.deliver(text.into_owned(), want, delivery) {
                Some(answer) => Ok(self.hand_over(answer, delivery)),
                None if want.is_some() => Err(RelayError::StreamEnded { url }),
                None => Ok(None),
            };
        }
        // An error status with a JSON-RPC error body is the server's answer: relay it, addressed
        // to the request when the server could not read the id.
        if let Some(id) = want
            && let Some(line) = error_body_for(&text, id)
        {
            return Ok(self
                .deliver(line, Some(id), delivery)
                .and_then(|a| self.hand_over(a, delivery)));
        }
        Err(self.status_error(status, &text))
    }

    /// An HTTP status that is no answer, with the start of its body (control characters removed).
    fn status_error(&self, status: StatusCode, body: &str) -> RelayError {
        RelayError::Status {
            url: self.url.to_string(),
            status: status.as_u16(),
            body: crate::log::sanitize(body.trim())
                .chars()
                .take(200)
                .collect(),
        }
    }

    async fn read_sse(
        &self,
        mut resp: Response,
        want: Option<&str>,
        delivery: Delivery,
        resumable: bool,
    ) -> Result<Option<String>, RelayError> {
        // Big messages go on to the client as they arrive when nothing needs them whole.
        let mut reader = if delivery == Delivery::Forward && self.to_client.takes_parts() {
            sse::Reader::stream_above(STREAM_ABOVE)
        } else {
            sse::Reader::new()
        };
        let mut streaming: Option<Streaming> = None;
        let mut kept = None;
        let mut answered = false;
        // Resumes in a row that brought no new event: a server that lost the stream answers a
        // resume with an empty stream forever.
        let mut idle_resumes = 0;
        let mut resumed_from: Option<String> = None;
        loop {
            let mut broken = false;
            loop {
                let chunk = if answered {
                    match tokio::time::timeout(DRAIN_AFTER_ANSWER, resp.chunk()).await {
                        Ok(c) => c,
                        Err(_) => break,
                    }
                } else {
                    resp.chunk().await
                };
                match chunk {
                    Ok(Some(bytes)) => {
                        let (answer, streamed) = self
                            .take_items(reader.feed(&bytes), want, delivery, &mut streaming)
                            .await;
                        if streamed {
                            answered = true; // already on its way to the client
                        }
                        if let Some(answer) = answer {
                            // Read the stream's end first (it follows the answer at once): the
                            // connection then goes back to the pool before the client can send
                            // its next request, and sequential calls keep one connection.
                            let end = tokio::time::timeout(END_AFTER_ANSWER, resp.chunk()).await;
                            kept = self.hand_over(answer, delivery);
                            answered = true;
                            match end {
                                Ok(Ok(None)) | Ok(Err(_)) => break,
                                Ok(Ok(Some(more))) => {
                                    let items = reader.feed(&more);
                                    self.take_items(items, None, delivery, &mut streaming).await;
                                }
                                Err(_) => {}
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        log_debug!("stream from {} broke: {}", self.url, describe(&e));
                        broken = true;
                        break;
                    }
                }
            }
            // A message cut off while streamed stays incomplete on the client's side.
            streaming.take();
            if answered || want.is_none() {
                return Ok(kept);
            }
            reader.interrupted();
            let ended = || RelayError::StreamEnded {
                url: self.url.to_string(),
            };
            // The stream ended after an event id but without the answer: resume it with
            // Last-Event-ID (MCP 2025-11-25). A server that closed it on purpose asked for a wait
            // (`retry:`); a broken connection is retried at once, and only once: if the server is
            // gone the call must fail now, not after a backoff.
            let Some(last) = reader.last_event_id.clone().filter(|_| resumable) else {
                return Err(ended());
            };
            if resumed_from.as_deref() == Some(last.as_str()) {
                idle_resumes += 1;
                if idle_resumes >= MAX_IDLE_RESUMES {
                    log_debug!("resumed {idle_resumes} times without a new event; giving up");
                    return Err(ended());
                }
            } else {
                idle_resumes = 0;
            }
            resumed_from = Some(last.clone());
            if !broken {
                let wait = reader.retry_ms.unwrap_or(0).min(MAX_RESUME_WAIT_MS);
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
            let snap = self.session.read().await.snapshot();
            let resumed = self
                .http
                .get(self.url.clone())
                .headers(self.headers(&snap))
                .header(ACCEPT, "text/event-stream")
                .header(LAST_EVENT_ID, last.as_str())
                .send()
                .await;
            resp = match resumed {
                Ok(r) if r.status().is_success() => r,
                Ok(r) if matches!(r.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
                    return Err(RelayError::KeyRefused {
                        status: r.status().as_u16(),
                    });
                }
                Ok(r) => {
                    log_debug!("resuming the stream got HTTP {}", r.status());
                    return Err(ended());
                }
                Err(e) => {
                    log_debug!("resuming the stream failed: {}", describe(&e));
                    return Err(ended());
                }
            };
        }
    }

    /// Hands on what an SSE chunk completed: whole messages through [`Upstream::deliver`] (the
    /// answer to `want` is returned), parts of a big message straight to the client. The flag
    /// says that the answer to `want` was streamed.
    async fn take_items(
        &self,
        items: Vec<sse::Item>,
        want: Option<&str>,
        delivery: Delivery,
        streaming: &mut Option<Streaming>,
    ) -> (Option<String>, bool) {
        let (mut answer, mut streamed) = (None, false);
        for item in items {
            match item {
                sse::Item::Event(ev) => {
                    if let Some(a) = self.deliver(ev.data, want, delivery) {
                        answer = Some(a);
                    }
                }
                sse::Item::Part(part) => {
                    streaming
                        .get_or_insert_with(|| Streaming::start(&self.to_client))
                        .send(part)
                        .await;
                }
                sse::Item::Streamed => {
                    if let Some(s) = streaming.take() {
                        streamed |= s.finish(want).await;
                    }
                }
            }
        }
        (answer, streamed)
    }

    /// Hands one message from the server to the client. The answer to `want` is not sent but
    /// returned, for [`Upstream::hand_over`] once the caller has done what must come first.
    fn deliver(&self, data: String, want: Option<&str>, delivery: Delivery) -> Option<String> {
        if data.trim().is_empty() {
            return None; // SSE priming events carry no message
        }
        // Most messages are one line already: then the text is handed on without a copy.
        let flat = match jsonrpc::one_line(&data) {
            std::borrow::Cow::Borrowed(b) if b.len() == data.len() => None,
            other => Some(other.into_owned()),
        };
        let line = flat.unwrap_or(data);
        // A big message is routed on its top level only: a full parse of multi-megabyte tool
        // results cost more than everything else the relay does to them.
        let kind = if line.len() >= jsonrpc::SCAN_THRESHOLD {
            jsonrpc::scan_top_level(&line)
                .ok_or_else(|| jsonrpc::Invalid::Parse("not a JSON-RPC object".into()))
        } else {
            jsonrpc::parse(&line).map(|msg| msg.kind)
        };
        let is_answer = match kind {
            Ok(kind) => {
                matches!((&kind, want), (Kind::Response { id }, Some(w)) if jsonrpc::same_id(id, w))
            }
            Err(e) => {
                log_warn!("dropping a message from the upstream that is not JSON-RPC: {e:?}");
                return None;
            }
        };
        if is_answer {
            return Some(line);
        }
        if delivery != Delivery::Keep {
            let _ = self.to_client.send(line);
        }
        None
    }

    /// Sends the answer to the client and/or keeps it, as `delivery` says.
    fn hand_over(&self, answer: String, delivery: Delivery) -> Option<String> {
        match delivery {
            Delivery::Forward => {
                let _ = self.to_client.send(answer);
                None
            }
            Delivery::ForwardAndKeep => {
                let _ = self.to_client.send(answer.clone());
                Some(answer)
            }
            Delivery::ForwardOthers | Delivery::Keep => Some(answer),
        }
    }

    fn stop_get_stream(&self) {
        if let Some(task) = self.get_stream.lock().ok().and_then(|mut g| g.take()) {
            task.abort();
        }
    }

    /// Opens the standalone GET stream of a session and forwards what comes on it, reconnecting
    /// with `Last-Event-ID` until the session ends. 405 means the server does not offer one.
    fn start_get_stream(self: &Arc<Self>, snap: Snapshot) {
        if snap.session.is_none() {
            return;
        }
        let this = Arc::clone(self);
        let task = tokio::spawn(async move {
            let mut reader = sse::Reader::new();
            let mut failures: u32 = 0;
            loop {
                let mut req = this
                    .http
                    .get(this.url.clone())
                    .headers(this.headers(&snap))
                    .header(ACCEPT, "text/event-stream");
                if let Some(last) = reader.last_event_id.as_deref() {
                    req = req.header(LAST_EVENT_ID, last);
                }
                match req.send().await {
                    Ok(resp) if resp.status() == StatusCode::METHOD_NOT_ALLOWED => {
                        log_debug!("the upstream offers no standalone stream (405)");
                        return;
                    }
                    Ok(resp) if resp.status() == StatusCode::NOT_FOUND => {
                        log_debug!("standalone stream: the session is gone");
                        return;
                    }
                    Ok(resp) if resp.status().is_success() => {
                        failures = 0;
                        let mut resp = resp;
                        loop {
                            match resp.chunk().await {
                                Ok(Some(bytes)) => {
                                    for item in reader.feed(&bytes) {
                                        let sse::Item::Event(ev) = item else { continue };
                                        this.deliver(ev.data, None, Delivery::Forward);
                                    }
                                }
                                Ok(None) => break,
                                Err(e) => {
                                    log_debug!("standalone stream broke: {}", describe(&e));
                                    break;
                                }
                            }
                        }
                    }
                    Ok(resp) => {
                        failures += 1;
                        log_debug!("standalone stream: HTTP {}", resp.status());
                    }
                    Err(e) => {
                        failures += 1;
                        log_debug!("standalone stream: {}", describe(&e));
                    }
                }
                let backoff = if failures == 0 {
                    reader.retry_ms.unwrap_or(500)
                } else {
                    (500u64 << failures.min(6)).min(30_000)
                };
                tokio::time::sleep(Duration::from_millis(backoff)).await;
            }
        });
        if let Ok(mut slot) = self.get_stream.lock()
            && let Some(old) = slot.replace(task)
        {
            old.abort();
        }
    }

    /// Ends the session politely: DELETE, bounded so shutdown never hangs on it.
    pub async fn close(&self) {
        self.stop_get_stream();
        let snap = self.session.read().await.snapshot();
        self.delete_session(snap).await;
    }

    async fn delete_session(&self, snap: Snapshot) {
        if snap.session.is_none() {
            return;
        }
        let sent = self
            .http
            .delete(self.url.clone())
            .headers(self.headers(&snap))
            .timeout(DELETE_TIMEOUT)
            .send()
            .await;
        match sent {
            Ok(resp) => log_debug!("session closed (HTTP {})", resp.status()),
            Err(e) => log_debug!("closing the session failed: {}", describe(&e)),
        }
    }
}

/// One big message on its way to the client in parts. Its top level is read as it passes, to
/// know at the end whether it was the answer being waited for; invalid UTF-8 is replaced, as
/// for whole messages (parts end on character boundaries: see [`sse::Reader`]).
struct Streaming {
    tx: Option<mpsc::Sender<crate::stdio::Part>>,
    top: jsonrpc::TopLevel,
}

impl Streaming {
    fn start(out: &Outbox) -> Streaming {
        Streaming {
            tx: out.parts(),
            top: jsonrpc::TopLevel::default(),
        }
    }

    async fn send(&mut self, part: Bytes) {
        let part = match std::str::from_utf8(&part) {
            Ok(_) => part,
            Err(_) => Bytes::from(String::from_utf8_lossy(&part).into_owned()),
        };
        self.top.feed(&part);
        if let Some(tx) = &self.tx
            && tx.send(crate::stdio::Part::Data(part)).await.is_err()
        {
            self.tx = None; // stdout is gone
        }
    }

    /// Ends the message; true when it was the answer to `want`.
    async fn finish(self, want: Option<&str>) -> bool {
        if let Some(tx) = &self.tx {
            let _ = tx.send(crate::stdio::Part::End).await;
        }
        match self.top.finish() {
            Some(Kind::Response { id }) => want.is_some_and(|w| jsonrpc::same_id(&id, w)),
            Some(_) => false,
            None => {
                log_warn!("relayed a big message from the upstream that is not JSON-RPC");
                false
            }
        }
    }
}

fn is_error(line: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        error: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_str::<Probe>(line).is_ok_and(|p| p.error.is_some())
}

fn version_value(version: String) -> Option<HeaderValue> {
    HeaderValue::try_from(version).ok()
}

/// `result.protocolVersion` of an `initialize` answer.
fn negotiated_version(line: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Answer {
        result: Option<InitResult>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct InitResult {
        protocol_version: Option<String>,
    }
    serde_json::from_str::<Answer>(line)
        .ok()?
        .result?
        .protocol_version
}

/// An error status's body, when it is a JSON-RPC error: returned as a line addressed to `id` if
/// the server left the id null or out.
fn error_body_for(text: &str, id: &str) -> Option<String> {
    let mut value: serde_json::Value = serde_json::from_str(text.trim()).ok()?;
    let obj = value.as_object_mut()?;
    obj.get("error")?.as_object()?;
    if obj.get("id").is_none_or(|v| v.is_null()) {
        obj.insert("id".into(), serde_json::from_str(id).ok()?);
    }
    obj.entry("jsonrpc").or_insert_with(|| "2.0".into());
    Some(value.to_string())
}

/// The cause of a transport error in plain words: the innermost messages of the error chain
/// (reqwest's own outer text repeats the URL).
pub fn describe(e: &reqwest::Error) -> String {
    let mut causes: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        // Outer errors often repeat their source's text; keep each piece once.
        if !causes.iter().any(|c| c.contains(&text)) {
            causes.push(text);
        }
        source = s.source();
    }
    // The outer layers are generic ("client error (Connect)"); the last two say what happened.
    let causes = causes.split_off(causes.len().saturating_sub(2));
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "transport error"
    };
    if causes.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {}", causes.join(": "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_loopback() {
        assert!(check_url("http://127.0.0.1:9/api/mcp").is_ok());
        assert!(check_url("http://localhost:9/api/mcp").is_ok());
        assert!(check_url("http://[::1]:9/").is_ok());
        assert!(check_url("https://3minapi.com/api/mcp").is_ok());
        let e = check_url("http://3minapi.com/api/mcp").unwrap_err();
        assert!(e.contains("clear text"), "{e}");
        assert!(check_url("ftp://x/").is_err());
        assert!(check_url("not a url").is_err());
    }

    #[test]
    fn error_bodies_are_addressed_to_the_request() {
        let line = error_body_for(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Bad Request: Missing session ID","data":{"x":1}}}"#, "\"r1\"").unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["id"], "r1");
        assert_eq!(v["error"]["data"]["x"], 1);
        assert!(error_body_for("Not Found", "1").is_none());
        assert!(error_body_for(r#"{"result":{}}"#, "1").is_none());
    }

    #[test]
    fn version_is_read_from_the_initialize_answer() {
        assert_eq!(
            negotiated_version(r#"{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18","capabilities":{}}}"#).as_deref(),
            Some("2025-06-18")
        );
        assert_eq!(
            negotiated_version(r#"{"jsonrpc":"2.0","id":0,"error":{"code":1,"message":"x"}}"#),
            None
        );
    }
}
