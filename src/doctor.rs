//! `3minapi doctor` (DESIGN §5): every check with a stable id, a status, one line saying what was
//! found, the command or step that fixes it, and how long it took. Network steps are bounded, so a
//! hanging server cannot make the run take more than about ten seconds.

use crate::Exit;
use crate::client::{CallError, Client};
use crate::config::{self, ClientId, FileReport, State};
use crate::key::{self, KEY_ENV, KEY_ORIGIN, KeyError, KeyLookup, KeySource, McpKey};
use crate::store::{self, KeychainError};
use crate::upstream::{self, RelayError};
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::time::{Duration, Instant, SystemTime};

/// Per network step.
const STEP_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Skip,
    Warn,
    Fail,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Skip => "skip",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Status::Ok => "\x1b[32m",
            Status::Skip => "\x1b[2m",
            Status::Warn => "\x1b[33m",
            Status::Fail => "\x1b[31m",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub status: Status,
    pub message: String,
    pub hint: Option<String>,
    pub duration: Duration,
}

impl Check {
    fn json(&self) -> Value {
        json!({
            "id": self.id,
            "status": self.status.id(),
            "message": self.message,
            "hint": self.hint,
            "duration_ms": self.duration.as_millis() as u64,
        })
    }
}

/// Builds checks, timing each from the previous one.
struct Checks {
    list: Vec<Check>,
    since: Instant,
}

impl Checks {
    fn add(
        &mut self,
        id: impl Into<String>,
        status: Status,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let now = Instant::now();
        self.list.push(Check {
            id: id.into(),
            status,
            message: message.into(),
            hint,
            duration: now - self.since,
        });
        self.since = now;
    }

    /// Restarts the clock (for a check whose work happened elsewhere, e.g. on another thread).
    fn start(&mut self) {
        self.since = Instant::now();
    }
}

pub struct Options {
    pub json: bool,
    pub offline: bool,
    pub no_color: bool,
}

pub fn run(opts: &Options, url: &str) -> anyhow::Result<Exit> {
    // The keychain may hang for its whole timeout: ask it in parallel with the rest.
    let keychain_probe = std::thread::spawn(|| {
        let started = Instant::now();
        (store::keychain_get(store::SHORT_WAIT), started.elapsed())
    });
    let mut checks = Checks {
        list: Vec::new(),
        since: Instant::now(),
    };
    binary(&mut checks);
    let (keychain, keychain_took) = keychain_probe.join().unwrap_or((
        Err(KeychainError::Failed("the probe crashed".into())),
        Duration::ZERO,
    ));
    // Key resolution (env, keychain, file) with the probe's answer instead of asking twice.
    let lookup = key::resolve_with(|n| std::env::var(n).ok(), || keychain.clone(), |_| {});
    key_checks(&mut checks, &lookup, &keychain);
    checks.start();
    keychain_check(&mut checks, &lookup, &keychain, keychain_took);
    let key = match &lookup {
        KeyLookup::Found { key, .. } => Some(key.clone()),
        _ => None,
    };
    if opts.offline {
        for id in ["network", "upstream.era", "upstream.auth", "upstream.tools"] {
            checks.add(id, Status::Skip, "not checked (--offline)", None);
        }
    } else {
        online(&mut checks, url, key.as_ref())?;
    }
    let ctx = config::Ctx {
        places: config::Places::from_env()?,
        url: url.to_owned(),
        url_flag: None,
    };
    checks.start();
    let reports = config::survey(&ctx, "3minapi");
    let reminders = config_checks(&mut checks, &reports);

    let ok = checks.list.iter().all(|c| c.status != Status::Fail);
    if opts.json {
        let report = json!({
            "ok": ok,
            "checks": checks.list.iter().map(Check::json).collect::<Vec<_>>(),
            "reminders": reminders,
        });
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let colour = !opts.no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal();
        print_table(&checks.list, colour);
        for r in &reminders {
            crate::outln!("reminder: {r}");
        }
    }
    Ok(if ok { Exit::Success } else { Exit::Failure })
}

fn binary(checks: &mut Checks) {
    let version = env!("CARGO_PKG_VERSION");
    let exe = std::env::current_exe().and_then(|p| p.canonicalize());
    let Ok(exe) = exe else {
        checks.add(
            "binary",
            Status::Warn,
            format!("3minapi {version}; cannot tell its own path"),
            None,
        );
        return;
    };
    match config::first_on_path("3minapi") {
        Some(p) if p == exe => checks.add(
            "binary",
            Status::Ok,
            format!("3minapi {version} at {}, the one on PATH", exe.display()),
            None,
        ),
        Some(p) => checks.add(
            "binary",
            Status::Warn,
            format!(
                "3minapi {version} at {}, but the 3minapi on PATH is {}",
                exe.display(),
                p.display()
            ),
            Some("project config files name plain `3minapi`: install this one over the other (see the README), or remove the older one".into()),
        ),
        None => checks.add(
            "binary",
            Status::Warn,
            format!("3minapi {version} at {}, not on PATH", exe.display()),
            Some(format!(
                "add {} to PATH (user config entries name the binary by its full path and work anyway)",
                exe.parent().map_or_else(String::new, |d| d.display().to_string())
            )),
        ),
    }
}

fn key_checks(
    checks: &mut Checks,
    lookup: &KeyLookup,
    keychain: &Result<Option<String>, KeychainError>,
) {
    match lookup {
        KeyLookup::Found { source, .. } | KeyLookup::Refused { source, .. } => {
            let (status, hint) = match source {
                KeySource::File(_) => (
                    Status::Warn,
                    Some("the key sits in a plain file (--insecure-storage): on a machine with a keychain, run `3minapi auth login` to move it there".to_owned()),
                ),
                _ => (Status::Ok, None),
            };
            checks.add(
                "key.source",
                status,
                format!("the key comes from {source}"),
                hint,
            );
        }
        KeyLookup::Missing { .. } => {
            let why = match keychain {
                Err(e) => format!("{KEY_ENV} is unset and {e}"),
                Ok(_) => format!("{KEY_ENV} is unset and nothing is stored"),
            };
            checks.add(
                "key.source",
                Status::Fail,
                format!("no MCP key found: {why}"),
                Some(format!(
                    "run `3minapi auth login` with the tm_mcp_ key from {KEY_ORIGIN}"
                )),
            );
        }
    }
    match lookup {
        KeyLookup::Found { key, .. } => {
            checks.add("key.kind", Status::Ok, format!("{key} is an MCP key"), None)
        }
        KeyLookup::Refused { error, source } => {
            let what = match error {
                KeyError::Collaboration { prefix, kind } => format!(
                    "the key from {source} is a {prefix}… {kind} collaboration key, for callers of your endpoints: it never works for MCP"
                ),
                other => format!("the key from {source}: {other}"),
            };
            checks.add("key.kind", Status::Fail, what, Some(error.hint()));
        }
        KeyLookup::Missing { .. } => checks.add("key.kind", Status::Skip, "no key to check", None),
    }
}

fn keychain_check(
    checks: &mut Checks,
    lookup: &KeyLookup,
    keychain: &Result<Option<String>, KeychainError>,
    took: Duration,
) {
    let from_env = matches!(lookup.source(), Some(KeySource::Env));
    let (status, message, hint) = match keychain {
        Ok(Some(text)) => match McpKey::parse(text.trim()) {
            Ok(k) => (Status::Ok, format!("reachable, holds {k}"), None),
            Err(e) => (
                if from_env { Status::Warn } else { Status::Fail },
                format!(
                    "reachable, but what it holds is unusable: {e}{}",
                    if from_env {
                        format!(" ({KEY_ENV} is used instead)")
                    } else {
                        String::new()
                    }
                ),
                Some(e.hint()),
            ),
        },
        Ok(None) => (Status::Ok, "reachable, no key stored".to_owned(), None),
        Err(e) => {
            let status = if from_env || matches!(lookup.source(), Some(KeySource::File(_))) {
                Status::Warn
            } else {
                Status::Fail
            };
            (status, e.to_string(), Some(e.hint().to_owned()))
        }
    };
    checks.list.push(Check {
        id: "keychain".into(),
        status,
        message,
        hint,
        duration: took,
    });
}

/// The network, then the server in whichever era it speaks.
fn online(checks: &mut Checks, url: &str, key: Option<&McpKey>) -> anyhow::Result<()> {
    checks.start();
    let parsed = match upstream::check_url(url) {
        Ok(u) => u,
        Err(e) => {
            checks.add(
                "network",
                Status::Fail,
                e,
                Some("fix --url or THREEMINAPI_URL".into()),
            );
            for id in ["upstream.era", "upstream.auth", "upstream.tools"] {
                checks.add(id, Status::Skip, "no valid URL", None);
            }
            return Ok(());
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let reached = runtime.block_on(network(checks, &parsed));
    if !reached {
        for id in ["upstream.era", "upstream.auth", "upstream.tools"] {
            checks.add(
                id,
                Status::Skip,
                "the server is not reachable (see network)",
                None,
            );
        }
        return Ok(());
    }
    let Some(key) = key else {
        for id in ["upstream.era", "upstream.auth", "upstream.tools"] {
            checks.add(
                id,
                Status::Skip,
                "no usable MCP key to ask the server with",
                None,
            );
        }
        return Ok(());
    };
    runtime.block_on(server(checks, parsed, key));
    Ok(())
}

/// The proxy reqwest will use for `url`, if any (from the usual variables, minus NO_PROXY).
fn proxy_for(url: &reqwest::Url) -> Option<String> {
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.trim().is_empty());
    let proxy = if url.scheme() == "https" {
        var("HTTPS_PROXY").or_else(|| var("https_proxy"))
    } else {
        var("HTTP_PROXY").or_else(|| var("http_proxy"))
    }
    .or_else(|| var("ALL_PROXY").or_else(|| var("all_proxy")))?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let no_proxy = var("NO_PROXY")
        .or_else(|| var("no_proxy"))
        .unwrap_or_default();
    let bypass = no_proxy.split(',').map(str::trim).any(|n| {
        let n = n.trim_start_matches('.').to_ascii_lowercase();
        n == "*" || (!n.is_empty() && (host == n || host.ends_with(&format!(".{n}"))))
    });
    (!bypass).then_some(proxy)
}

/// DNS, TCP and (for https) TLS to the URL's host; `true` when the server answered HTTP.
async fn network(checks: &mut Checks, url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let target = format!("{host}:{port}");
    let proxy = proxy_for(url);
    let mut steps = Vec::new();
    if proxy.is_none() {
        let addrs = match tokio::time::timeout(STEP_TIMEOUT, tokio::net::lookup_host(&target)).await
        {
            Err(_) => return net_fail(checks, &target, "DNS lookup timed out", None),
            Ok(Err(e)) => {
                return net_fail(
                    checks,
                    &target,
                    &format!("DNS cannot resolve {host}: {e}"),
                    None,
                );
            }
            Ok(Ok(a)) => a.collect::<Vec<_>>(),
        };
        let Some(addr) = addrs.first() else {
            return net_fail(
                checks,
                &target,
                &format!("DNS has no address for {host}"),
                None,
            );
        };
        steps.push(format!("DNS {}", addr.ip()));
        match tokio::time::timeout(STEP_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
            Err(_) => {
                return net_fail(
                    checks,
                    &target,
                    &format!("TCP connect timed out after {} s", STEP_TIMEOUT.as_secs()),
                    None,
                );
            }
            Ok(Err(e)) => {
                return net_fail(checks, &target, &format!("TCP connect failed: {e}"), None);
            }
            Ok(Ok(_)) => steps.push("TCP ok".into()),
        }
    } else {
        steps.push(format!(
            "through the proxy {}",
            proxy.clone().unwrap_or_default()
        ));
    }
    let client = reqwest::Client::builder()
        .user_agent(upstream::USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(STEP_TIMEOUT)
        .build();
    let Ok(client) = client else {
        return net_fail(
            checks,
            &target,
            "cannot set up the HTTP client",
            proxy.as_deref(),
        );
    };
    match client.get(url.clone()).send().await {
        Ok(resp) => {
            if url.scheme() == "https" {
                steps.push("TLS ok".into());
            }
            steps.push(format!("HTTP {}", resp.status().as_u16()));
            checks.add(
                "network",
                Status::Ok,
                format!("{target}: {}", steps.join(", ")),
                None,
            );
            true
        }
        Err(e) => {
            // TCP worked (or a proxy is in the way): a connect error on https is the TLS handshake.
            let cause = describe(&e, url.scheme() == "https" && proxy.is_none());
            net_fail(
                checks,
                &target,
                &format!(
                    "{}{cause}",
                    if steps.is_empty() {
                        String::new()
                    } else {
                        format!("{}, then ", steps.join(", "))
                    }
                ),
                proxy.as_deref(),
            )
        }
    }
}

fn net_fail(checks: &mut Checks, target: &str, cause: &str, proxy: Option<&str>) -> bool {
    let hint = match proxy {
        Some(p) => format!("check the proxy {p} (HTTPS_PROXY, NO_PROXY) and the network"),
        None => format!(
            "check the network and that {target} is the right server (--url / THREEMINAPI_URL)"
        ),
    };
    checks.add(
        "network",
        Status::Fail,
        format!("cannot reach {target}: {cause}"),
        Some(hint),
    );
    false
}

/// The cause of a reqwest error in a few words: timeout, TLS, refused, DNS, proxy.
fn describe(e: &reqwest::Error, tls_after_tcp: bool) -> String {
    let mut chain = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let all = chain.join(": ").to_ascii_lowercase();
    let kind = if e.is_timeout() {
        format!("no HTTP answer within {} s", STEP_TIMEOUT.as_secs())
    } else if all.contains("certificate")
        || all.contains("tls")
        || all.contains("handshake")
        || (tls_after_tcp && e.is_connect())
    {
        "TLS failed".to_owned()
    } else if all.contains("refused") {
        "connection refused".to_owned()
    } else if all.contains("dns") || all.contains("resolve") {
        "DNS failed".to_owned()
    } else if all.contains("proxy") {
        "the proxy failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    format!("{kind} ({})", chain.last().cloned().unwrap_or_default())
}

/// `upstream.era`, `upstream.auth`, `upstream.tools`, from one connection.
async fn server(checks: &mut Checks, url: reqwest::Url, key: &McpKey) {
    checks.start();
    let mut client = match Client::new(url.clone(), key) {
        Ok(c) => c,
        Err(e) => {
            checks.add(
                "upstream.era",
                Status::Fail,
                format!("cannot set up the HTTP client: {e}"),
                None,
            );
            return;
        }
    };
    let connected = tokio::time::timeout(STEP_TIMEOUT, client.connect()).await;
    match connected {
        Err(_) => {
            let msg = format!("{url} did not answer within {} s", STEP_TIMEOUT.as_secs());
            checks.add(
                "upstream.era",
                Status::Fail,
                msg,
                Some("retry later; if it persists, check --url / THREEMINAPI_URL".into()),
            );
            checks.add(
                "upstream.auth",
                Status::Skip,
                "no answer from the server",
                None,
            );
            checks.add(
                "upstream.tools",
                Status::Skip,
                "no answer from the server",
                None,
            );
        }
        Ok(Err(CallError::Relay(RelayError::KeyRefused { status }))) => {
            checks.add(
                "upstream.era",
                Status::Skip,
                "the server refused the key before saying which revision it speaks",
                None,
            );
            checks.add(
                "upstream.auth",
                Status::Fail,
                format!("the server refused {key} (HTTP {status}): regenerated or deleted?"),
                Some(format!(
                    "generate a new key under {KEY_ORIGIN}, then run `3minapi auth login`"
                )),
            );
            checks.add("upstream.tools", Status::Skip, "the key was refused", None);
        }
        Ok(Err(e)) => {
            let hint = match &e {
                CallError::Relay(r) => r.hint().to_owned(),
                CallError::Rpc { .. } => {
                    "retry later; if it persists, check --url / THREEMINAPI_URL".into()
                }
            };
            checks.add("upstream.era", Status::Fail, format!("{e}"), Some(hint));
            checks.add(
                "upstream.auth",
                Status::Skip,
                "no MCP answer from the server",
                None,
            );
            checks.add(
                "upstream.tools",
                Status::Skip,
                "no MCP answer from the server",
                None,
            );
        }
        Ok(Ok(c)) => {
            let era = match c.era.id() {
                "modern" => "stateless",
                _ => "session-based",
            };
            checks.add(
                "upstream.era",
                Status::Ok,
                format!(
                    "MCP {} ({era}); the server offers {}",
                    c.era.version(),
                    if c.versions.is_empty() {
                        "?".to_owned()
                    } else {
                        c.versions.join(", ")
                    }
                ),
                None,
            );
            checks.add(
                "upstream.auth",
                Status::Ok,
                format!("the server accepts {key}"),
                None,
            );
            match tokio::time::timeout(STEP_TIMEOUT, client.request("tools/list", json!({}))).await
            {
                Err(_) => checks.add(
                    "upstream.tools",
                    Status::Fail,
                    format!(
                        "tools/list got no answer within {} s",
                        STEP_TIMEOUT.as_secs()
                    ),
                    None,
                ),
                Ok(Err(e)) => checks.add(
                    "upstream.tools",
                    Status::Fail,
                    format!("tools/list failed: {e}"),
                    None,
                ),
                Ok(Ok(answer)) => {
                    let n = answer["result"]["tools"].as_array().map_or(0, Vec::len);
                    let more = answer["result"]["nextCursor"].is_string();
                    let status = if n == 0 { Status::Warn } else { Status::Ok };
                    checks.add(
                        "upstream.tools",
                        status,
                        format!("{n}{} tools", if more { "+" } else { "" }),
                        None,
                    );
                }
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), client.close()).await;
}

/// One check per existing client file; returns the restart reminders.
fn config_checks(checks: &mut Checks, reports: &[FileReport]) -> Vec<String> {
    let mut restart: Vec<ClientId> = Vec::new();
    let recent = |r: &FileReport| {
        std::fs::metadata(&r.path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age < Duration::from_secs(24 * 3600))
    };
    for r in reports {
        if r.state == State::NoFile {
            continue;
        }
        let id = format!("config.{}.{}", r.client.id(), r.scope.id());
        let install = format!(
            "3minapi config install {} --scope {}",
            r.client.id(),
            r.scope.id()
        );
        let path = r.path.display();
        let (status, message, hint) = match &r.state {
            State::NoFile => unreachable!(),
            State::Malformed(detail) => (
                Status::Fail,
                format!("{detail} (the client may ignore this file silently)"),
                Some(format!(
                    "fix {path} by hand (3minapi never writes to a file it cannot parse), then `{install}`"
                )),
            ),
            State::Missing if r.other_servers > 0 => (
                Status::Warn,
                format!(
                    "{path}: {} other MCP server{}, but not 3minapi",
                    r.other_servers,
                    if r.other_servers == 1 { "" } else { "s" }
                ),
                Some(install.clone()),
            ),
            State::Missing => (
                Status::Skip,
                format!("{path}: no MCP servers"),
                Some(format!("to use 3minapi in {}: {install}", r.client.title())),
            ),
            State::Stale(why) => (
                Status::Warn,
                format!("{path}: the 3minapi entry is stale: {why}"),
                Some(install.clone()),
            ),
            State::Current if r.holds_key => (
                Status::Warn,
                format!("{path}: the MCP key sits in plain text in this file"),
                Some(format!(
                    "{install} (without --direct: the bridge reads the key from the keychain)"
                )),
            ),
            State::Current => (Status::Ok, format!("{path}: 3minapi is set up"), None),
        };
        let changed = r.state == State::Current && recent(r);
        if (status >= Status::Warn || changed) && !restart.contains(&r.client) {
            restart.push(r.client);
        }
        checks.add(id, status, message, hint);
    }
    restart
        .into_iter()
        .map(|c| format!("after a change to its config, fully quit and restart {} (a running client keeps the old one)", c.title()))
        .collect()
}

fn print_table(checks: &[Check], colour: bool) {
    let width = checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in checks {
        let status = format!("{:4}", c.status.id());
        let status = if colour {
            format!("{}{status}\x1b[0m", c.status.colour())
        } else {
            status
        };
        crate::outln!(
            "{status}  {:width$}  {}  ({} ms)",
            c.id,
            crate::log::sanitize(&c.message),
            c.duration.as_millis()
        );
        if let Some(h) = &c.hint {
            crate::outln!("{:4}  {:width$}  hint: {}", "", "", crate::log::sanitize(h));
        }
    }
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    crate::outln!(
        "{} ok, {} warning(s), {} failure(s), {} skipped",
        count(Status::Ok),
        count(Status::Warn),
        count(Status::Fail),
        count(Status::Skip)
    );
}
