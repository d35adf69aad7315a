//! The Streamable HTTP client for the hosted MCP server: one POST per client message, in both
//! protocol eras, every transport fault turned into a [`RelayError`]. What the server sends goes to
//! the caller through an [`Outbox`] of this room's own, so the same client serves the bridge,
//! `tools`, `auth` and `doctor`. Must not use `commands`, `cli` or `bridge` (no stdio, no clap,
//! no tool filter rules: a caller's filter comes in as a [`ToolsFilter`]).
//!
//! Messages are carried as the text they arrived as; only the routing fields are read.

pub mod client;
mod deliver;
mod error;
pub mod modern;
mod net;
mod rekey;
mod request;
mod session;
pub mod sse;
mod stateless;
mod tls;
mod tools;
mod x509;

pub use deliver::{Out, Outbox};
pub use error::{RelayError, describe};
pub use net::proxy_for;
pub use rekey::Lookup as KeyLookupFn;
pub use tls::{CA_FILE_ENV, Refusal, TRUST_HINT, Trust, TrustError, warm_up};
pub use tools::ToolsFilter;

use crate::jsonrpc;
use crate::{log_debug, log_info, log_warn};
use bytes::Bytes;
use deliver::Delivery;
use reqwest::header::{HeaderMap, HeaderName};
use reqwest::{Client, Url};
use session::{Session, Snapshot};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex as SyncMutex};
use tokio::sync::RwLock;
use tokio::task::JoinHandle;
use tools::ToolHeaders;

pub const DEFAULT_URL: &str = "https://3minapi.com/api/mcp";
/// Environment variable for the upstream URL.
pub const URL_ENV: &str = "THREEMINAPI_URL";
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

/// The HTTP client: TLS trust, same-origin redirects only, and the liveness settings of
/// [`net::configure`]. No total or read timeout: a tool call or the GET stream may stay silent
/// for minutes.
fn client(trust: &Trust) -> anyhow::Result<Client> {
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
    let builder = trust
        .apply(Client::builder())?
        .user_agent(USER_AGENT)
        .redirect(redirects);
    Ok(net::configure(builder).build()?)
}

pub struct Upstream {
    /// Replaced after a sleep, so no request is written on a connection that died meanwhile.
    http: SyncMutex<Client>,
    /// Notices a sleep: the wall clock running ahead of the monotonic one.
    wake: net::Wake,
    url: Url,
    /// Replaced when the server refuses it and the key stored now is another (see `rekey`).
    key: SyncMutex<Arc<rekey::SentKey>>,
    /// How the key is looked up again; `None`: the one given is the only one (commands).
    rekey: Option<rekey::Rekey>,
    session: RwLock<Session>,
    get_stream: SyncMutex<Option<JoinHandle<()>>>,
    to_client: Outbox,
    /// `x-mcp-header` annotations per tool, from relayed or fetched `tools/list` answers.
    tool_headers: SyncMutex<ToolHeaders>,
    /// Held while `tools/list` is fetched for the annotations, so it is fetched once.
    tool_fetch: tokio::sync::Mutex<()>,
    /// Mirrors `Session::translate.is_some()` for the paths that must not wait on the lock.
    translating: AtomicBool,
    /// POSTs waiting for their answer's headers, and POSTs sent so far: a request the kernel gave
    /// up on is sent again only if it was alone on the wire (see `request::post`).
    posts_waiting: std::sync::atomic::AtomicUsize,
    posts_sent: std::sync::atomic::AtomicU64,
    /// `--read-only` / `--allow-tool` / `--deny-tool`: `tools/list` answers lose the excluded tools.
    filter: Option<Arc<dyn ToolsFilter>>,
    /// The certificates trusted beyond the OS store; names the issuer of a refused certificate.
    trust: Trust,
    /// The proxy requests go through (password masked), named when connecting fails.
    proxy: Option<String>,
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
    /// `key` is sent as `x-api-key` and marked sensitive so no debug output shows it. When the
    /// server refuses it, `rekey` (if given) looks for a newer one.
    pub fn new(
        url: Url,
        key: &crate::key::McpKey,
        rekey: Option<rekey::Lookup>,
        to_client: Outbox,
        filter: Option<Arc<dyn ToolsFilter>>,
        trust: &Trust,
    ) -> anyhow::Result<Arc<Upstream>> {
        let key = rekey::SentKey::new(key)?;
        let http = client(trust)?;
        let proxy = net::proxy_for(&url);
        Ok(Arc::new(Upstream {
            http: SyncMutex::new(http),
            wake: net::Wake::default(),
            url,
            key: SyncMutex::new(Arc::new(key)),
            rekey: rekey.map(rekey::Rekey::new),
            session: RwLock::new(Session::default()),
            get_stream: SyncMutex::new(None),
            to_client,
            tool_headers: SyncMutex::new(ToolHeaders::default()),
            tool_fetch: tokio::sync::Mutex::new(()),
            translating: AtomicBool::new(false),
            posts_waiting: std::sync::atomic::AtomicUsize::new(0),
            posts_sent: std::sync::atomic::AtomicU64::new(0),
            filter,
            trust: trust.clone(),
            proxy,
        }))
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The HTTP client for the next request; after a sleep, a new one, so that nothing is
    /// written on the connections that died meanwhile.
    fn http(&self) -> Client {
        let mut http = self.http.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slept) = self.wake.slept() {
            log_info!(
                "the machine slept (about {} s): reconnecting to {}",
                slept.as_secs(),
                self.url
            );
            match client(&self.trust) {
                Ok(fresh) => *http = fresh,
                Err(e) => log_warn!("cannot set up a new HTTP client after a sleep: {e}"),
            }
        }
        http.clone()
    }

    fn headers(&self, snap: &Snapshot) -> HeaderMap {
        // Room for these, the two of `post`, reqwest's User-Agent and a 2026-07-28 request's
        // method, name and a parameter or two, without growing.
        let mut h = HeaderMap::with_capacity(12);
        h.insert(KEY_HEADER, self.sent_key().header.clone());
        if let Some(v) = &snap.session {
            h.insert(SESSION_HEADER, v.clone());
        }
        if let Some(v) = &snap.version {
            h.insert(VERSION_HEADER, v.clone());
        }
        h
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

    /// True when this request goes upstream on its own stateless POST, which closing cancels.
    pub fn is_stateless(&self, route: &Route) -> bool {
        route.modern_version.is_some() || self.translating.load(Ordering::Acquire)
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
    fn a_redirect_from_https_to_http_is_another_origin() {
        let url = |s: &str| Url::parse(s).unwrap();
        let from = url("https://3minapi.com/api/mcp");
        assert!(same_origin(&from, &url("https://3minapi.com:443/other")));
        assert!(!same_origin(&from, &url("http://3minapi.com/api/mcp")));
        assert!(!same_origin(
            &from,
            &url("https://3minapi.com:8443/api/mcp")
        ));
        assert!(!same_origin(&from, &url("https://evil.example/api/mcp")));
    }
}
