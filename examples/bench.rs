//! Benchmark of the stdio bridge (`3minapi mcp serve`) against a direct Streamable HTTP client and,
//! with `--with-mcp-remote`, against `npx mcp-remote`. All of them talk to the fake upstream of the
//! tests, started in this process (127.0.0.1).
//!
//! ```text
//! cargo run --release --example bench [-- --era legacy|modern|both] [--with-mcp-remote] [--with-filter] [--baseline PATH] [--calls N] [--bridge PATH] [--soak N]
//! ```
//!
//! One table per protocol era (`--era`, default both, legacy first), each against a fresh fake
//! upstream in that era's mode, every client speaking that era:
//! - legacy: session-based (2025-11-25). Clients open with `initialize`; the direct client sends
//!   `Mcp-Session-Id` and the negotiated `MCP-Protocol-Version`.
//! - modern: 2026-07-28, stateless. No `initialize`, no session: clients open with
//!   `server/discover`, and every request carries the version and client capabilities in
//!   `params._meta` (the bridge relays a request as modern on seeing them); the direct client adds
//!   the `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` headers.
//!
//! mcp-remote is measured in the legacy table only: 0.15.1 opens its upstream connection with
//! `initialize`, which a 2026-07-28-only server refuses (-32022), so it cannot run in the modern one.
//!
//! The bridge measured is the release binary `target/release/3minapi`; it is built first
//! (`cargo build --release --bin 3minapi`) when missing or older than the sources. `--bridge PATH`
//! measures another build instead (to compare two builds, or to run the bridge under a profiler). The variants are
//! interleaved round by round (the order rotates every round) so machine noise hits them equally.
//! Not a test: it prints a table of figures, ratios and targets on stdout, progress on stderr.

#[path = "../tests/common/delay_proxy.rs"]
mod delay_proxy;
#[path = "support/flags.rs"]
mod flags;
#[path = "support/soak.rs"]
mod soak;
#[path = "../tests/common/tls.rs"]
mod tls;
#[path = "../tests/common/upstream.rs"]
mod upstream;
#[path = "support/wan.rs"]
mod wan;
use flags::Flags;

use anyhow::{Context as _, Result, anyhow, bail};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use upstream::{Mode, Upstream, UpstreamOptions};

const USAGE: &str = "\
usage: cargo run --release --example bench [-- --era legacy|modern|both] [--with-mcp-remote] [--with-filter] [--baseline PATH] [--calls N] [--bridge PATH] [--soak N] [--rtt MS] [--tls]
  --era ERA          protocol era(s) to measure, one table each: legacy (sessions, 2025-11-25),
                     modern (stateless, 2026-07-28) or both (default)
  --with-mcp-remote  also measure `npx -y mcp-remote@VERSION` (needs node/npx and the npm registry),
                     in the legacy table only
  --with-filter      also measure the bridge with `--read-only` (the tool filter judging every call)
  --baseline PATH    also measure this other build of the bridge in the same interleaved rounds
                     (e.g. one built from an older commit), to compare two versions without the
                     run-to-run noise
  --calls N          calls per sequential run and per 16-in-flight run (default 300)
  --bridge PATH      measure this executable (run as `PATH mcp serve`) instead of
                     target/release/3minapi, which is then neither built nor checked
  --soak N           instead of the tables: N calls mixed across eras, sizes and faults through
                     one bridge, its RSS and open descriptors printed every 10,000 calls
  --rtt MS, --tls    instead of the tables: the WAN figures (first result, time to tools, 16
                     calls at once, connections opened) with the upstream behind a proxy that
                     adds MS of round-trip time, over TLS 1.3 (a CA made for the run) with --tls;
                     printed against the physical limit (3R, 2R + nR, 1R)";

/// The pinned mcp-remote (checked November 2026: 0.15.1 is the newest release).
const MCP_REMOTE: &str = "mcp-remote@0.15.1";
/// Protocol version the legacy clients ask for in `initialize`.
const LEGACY_VERSION: &str = "2025-11-25";
// The stateless revision the modern clients speak, and the `_meta` members every modern request
// carries: the crate's own definitions.
use threeminapi::upstream::modern::{META_CAPABILITIES, META_VERSION, MODERN_VERSION};
const DEFAULT_CALLS: usize = 300;
/// Fresh processes (clients) per variant for spawn-to-first-result, after one uncounted warm-up.
const SPAWNS: usize = 10;
/// Sequential calls per variant before anything is measured.
const WARMUP_CALLS: usize = 50;
/// Requests in flight in the concurrency measurement.
const IN_FLIGHT: usize = 16;
/// Runs of the concurrency measurement per variant, after one uncounted run that fills the
/// connection pools (the median is reported).
const WINDOW_RUNS: usize = 10;
/// Size of the `echo` argument of the large round trip, and how many are timed per variant.
const BIG_BYTES: usize = 2 * 1024 * 1024;
const BIG_RUNS: usize = 10;
/// A call that takes this long is the delayed-ACK stall (~40 ms) TCP_NODELAY must prevent.
const STALL: Duration = Duration::from_millis(30);
/// No single answer may take longer than this (the bench must never hang).
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a stdio process may take to exit once its stdin is closed.
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);
/// The `echo` argument of the small calls.
const SMALL_VALUE: &str = "hello";
const MB: f64 = 1_000_000.0;

// Targets (see the issue): printed next to the figures.
const TARGET_ADDED_P50_MS: f64 = 0.3;
const TARGET_ADDED_P95_MS: f64 = 1.0;
const TARGET_WINDOW_RATIO: f64 = 1.15;
const TARGET_BIG_RATIO: f64 = 1.3;
const TARGET_SPAWN_RATIO: f64 = 0.1;
const TARGET_RSS_BYTES: u64 = 12_000_000;
/// With the 2 MB calls: the same plus one answer held whole. An answer is held as the buffers it
/// arrived in until it is known to fit the 64 MiB limit (nothing of a bigger one may reach
/// stdout), and the 2 MB echo answers ~4.2 MB (the value as text and as structured content).
const TARGET_RSS_BIG_BYTES: u64 = TARGET_RSS_BYTES + 4_200_000;
const TARGET_BINARY_BYTES: u64 = 12_000_000;
/// What judging a call under `--read-only` may add at p50.
const TARGET_FILTER_P50_MS: f64 = 0.05;
/// How far this build's p50 may be from `--baseline`'s (a change that should cost nothing).
const TARGET_BASELINE_P50_MS: f64 = 0.02;

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

struct Options {
    eras: Vec<Era>,
    calls: usize,
    with_mcp_remote: bool,
    with_filter: bool,
    bridge: Option<PathBuf>,
    baseline: Option<PathBuf>,
    /// `--soak N`: the long mixed run of `support/soak.rs` instead of the tables.
    soak: Option<usize>,
    /// `--rtt MS`: round-trip time added by a proxy in front of the upstream (WAN figures).
    rtt: Option<u64>,
    /// `--tls`: the upstream speaks TLS (h2 or HTTP/1.1 by ALPN) with a CA made for the run.
    tls: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut opts = Options {
        eras: vec![Era::Legacy, Era::Modern],
        calls: DEFAULT_CALLS,
        with_mcp_remote: false,
        with_filter: false,
        bridge: None,
        baseline: None,
        soak: None,
        rtt: None,
        tls: false,
    };
    let mut flags = Flags::from_env();
    while let Some(name) = flags.next_flag() {
        match name.as_str() {
            "--with-mcp-remote" => opts.with_mcp_remote = true,
            "--with-filter" => opts.with_filter = true,
            "--era" => {
                let v = flags.value("--era")?;
                opts.eras = match v.as_str() {
                    "legacy" => vec![Era::Legacy],
                    "modern" => vec![Era::Modern],
                    "both" => vec![Era::Legacy, Era::Modern],
                    _ => return Err(format!("bad --era: {v} (legacy, modern or both)")),
                };
            }
            "--bridge" => opts.bridge = Some(PathBuf::from(flags.value("--bridge")?)),
            "--baseline" => opts.baseline = Some(PathBuf::from(flags.value("--baseline")?)),
            "--soak" => {
                let v = flags.value("--soak")?;
                opts.soak = Some(
                    v.parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| format!("bad --soak: {v}"))?,
                );
            }
            "--tls" => opts.tls = true,
            "--rtt" => {
                let v = flags.value("--rtt")?;
                opts.rtt = Some(
                    v.parse()
                        .map_err(|_| format!("bad --rtt: {v} (milliseconds)"))?,
                );
            }
            "--calls" => {
                let v = flags.value("--calls")?;
                opts.calls = v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("bad --calls: {v}"))?;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(opts)
}

fn run(opts: Options) -> Result<()> {
    if cfg!(debug_assertions) {
        eprintln!("warning: the bench itself is a debug build; run it with --release");
    }
    let bridge_bin = match &opts.bridge {
        Some(path) => path.clone(),
        None => bridge_binary()?,
    };
    if let Some(calls) = opts.soak {
        return if soak::run(&bridge_bin, calls)? {
            Ok(())
        } else {
            Err(anyhow!("the soak failed its targets"))
        };
    }
    if opts.rtt.is_some() || opts.tls {
        return wan::run(&opts, &bridge_bin);
    }
    // The upstream gets a runtime of its own, as if it were another machine: the direct client's
    // tasks do not queue behind its tasks. The clients run on one thread, as MCP clients do (a
    // Node or Python event loop): with two workers the direct client's tasks and its pooled
    // connections landed on threads differently from run to run, and its 16-in-flight wall
    // time moved between 12.5 and 21 ms across runs of the same build; on one thread it is
    // faster (p50 0.30 -> 0.17 ms) and steady.
    let upstream_rt = runtime("upstream")?;
    let bench_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("tokio runtime")?;
    for &era in &opts.eras {
        eprintln!(
            "{} era: fake upstream in {:?} mode",
            era.label(),
            era.mode()
        );
        let upstream = upstream_rt.block_on(Upstream::start(UpstreamOptions {
            mode: era.mode(),
            ..UpstreamOptions::default()
        }));
        let setup = Setup {
            era,
            url: upstream.url(),
            key: upstream.key(),
            bridge_bin: bridge_bin.clone(),
            baseline_bin: opts.baseline.clone(),
            logs: tempfile::tempdir().context("temp dir for logs")?,
            spawned: AtomicUsize::new(0),
            ca_file: None,
        };
        let report = bench_rt
            .block_on(measure_all(&opts, &setup, &upstream))
            .with_context(|| format!("{} era", era.label()))?;
        print_report(&opts, &setup, &report);
        drop(upstream);
    }
    Ok(())
}

fn runtime(name: &str) -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(name)
        .enable_all()
        .build()
        .context("tokio runtime")
}

// ---------------------------------------------------------------------------------------------
// The bridge binary
// ---------------------------------------------------------------------------------------------

/// `target/release/3minapi`, built first when missing or older than the sources.
fn bridge_binary() -> Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // This example runs from <target>/<profile>/examples/bench.
    let target = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| manifest.join("target"));
    let bin = target.join("release").join("3minapi");
    let built = modified(&bin);
    let newest_source = ["src", "Cargo.toml", "Cargo.lock"]
        .iter()
        .filter_map(|p| newest_mtime(&manifest.join(p)))
        .max();
    let stale = match (built, newest_source) {
        (None, _) => true,
        (Some(b), Some(s)) => s > b,
        (Some(_), None) => false,
    };
    if stale {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        eprintln!(
            "building the bridge: cargo build --release --bin 3minapi ({})",
            if built.is_none() {
                "missing"
            } else {
                "older than the sources"
            }
        );
        let status = std::process::Command::new(cargo)
            .args(["build", "--release", "--bin", "3minapi"])
            .current_dir(manifest)
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .context("running cargo build")?;
        if !status.success() {
            if built.is_none() {
                bail!(
                    "`cargo build --release --bin 3minapi` failed and {} does not exist",
                    bin.display()
                );
            }
            eprintln!(
                "warning: the build failed; measuring the existing (stale) {}",
                bin.display()
            );
        }
    }
    Ok(bin)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|entry| newest_mtime(&entry.ok()?.path()))
        .max()
}

// ---------------------------------------------------------------------------------------------
// Protocol eras and their requests
// ---------------------------------------------------------------------------------------------

/// The protocol era of one table: the fake upstream's mode and what every client speaks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Era {
    /// Session-based (≤ 2025-11-25): `initialize`, then `Mcp-Session-Id` on every POST.
    Legacy,
    /// 2026-07-28, stateless: `server/discover`, the per-request `_meta` and headers, no session.
    Modern,
}

impl Era {
    fn label(self) -> &'static str {
        match self {
            Era::Legacy => "legacy",
            Era::Modern => "modern",
        }
    }

    fn mode(self) -> Mode {
        match self {
            Era::Legacy => Mode::Legacy,
            Era::Modern => Mode::Modern,
        }
    }

    fn description(self) -> String {
        match self {
            Era::Legacy => format!("legacy, {LEGACY_VERSION}, sessions"),
            Era::Modern => format!("modern, {MODERN_VERSION}, stateless"),
        }
    }

    /// The method a fresh client opens with: `initialize`, or `server/discover` (no handshake in
    /// 2026-07-28, but the discover result is what a client needs before its first call).
    fn first_method(self) -> &'static str {
        match self {
            Era::Legacy => "initialize",
            Era::Modern => "server/discover",
        }
    }

    fn first_request(self) -> Rpc {
        let params = match self {
            Era::Legacy => json!({
                "protocolVersion": LEGACY_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "3minapi-bench", "version": env!("CARGO_PKG_VERSION")},
            }),
            Era::Modern => json!({}),
        };
        self.rpc(self.first_method(), params)
    }

    /// A request of this era; in the modern one its `params` carry the per-request `_meta`.
    fn rpc(self, method: &'static str, mut params: Value) -> Rpc {
        if self == Era::Modern {
            params["_meta"] = json!({META_VERSION: MODERN_VERSION, META_CAPABILITIES: {}});
        }
        let name = match method {
            "tools/call" => params["name"].as_str().map(str::to_owned),
            _ => None,
        };
        Rpc {
            method,
            name,
            params: params.to_string(),
        }
    }

    /// `tools/call echo` with this argument.
    fn echo(self, value: &str) -> Rpc {
        self.rpc(
            "tools/call",
            json!({"name": "echo", "arguments": {"value": value}}),
        )
    }
}

/// A request without its id, serialized once, before anything is timed. Every client sends the
/// same JSON-RPC message (the direct client as a POST body, the others as a stdin line).
struct Rpc {
    method: &'static str,
    /// `params.name` of a `tools/call`: the `Mcp-Name` header of a modern POST.
    name: Option<String>,
    /// `params` as JSON.
    params: String,
}

impl Rpc {
    fn line(&self, id: u64) -> String {
        format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"{}","params":{}}}"#,
            self.method, self.params
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Variants and their clients
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Variant {
    Direct,
    Bridge,
    /// The bridge with `--read-only`.
    Filtered,
    /// Another build of the bridge (`--baseline`).
    Baseline,
    McpRemote,
}

impl Variant {
    fn label(self) -> &'static str {
        match self {
            Variant::Direct => "direct",
            Variant::Bridge => "bridge",
            Variant::Filtered => "bridge --read-only",
            Variant::Baseline => "baseline",
            Variant::McpRemote => "mcp-remote",
        }
    }
}

/// The variants in the order of round `round`: the first one of the previous round goes last.
fn rotated<T: Clone>(items: &[T], round: usize) -> Vec<T> {
    let n = items.len().max(1);
    items
        .iter()
        .cycle()
        .skip(round % n)
        .take(items.len())
        .cloned()
        .collect()
}

/// What every variant needs to start, in one era.
struct Setup {
    era: Era,
    url: String,
    key: String,
    bridge_bin: PathBuf,
    /// `--baseline`: another build, measured as its own variant.
    baseline_bin: Option<PathBuf>,
    /// stderr of every spawned process, for the error messages.
    logs: tempfile::TempDir,
    spawned: AtomicUsize,
    /// The CA of a TLS upstream (PEM), trusted by every client.
    ca_file: Option<PathBuf>,
}

impl Setup {
    fn log_file(&self, variant: Variant) -> Result<(std::fs::File, PathBuf)> {
        let n = self.spawned.fetch_add(1, Ordering::Relaxed);
        let path = self
            .logs
            .path()
            .join(format!("{}-{n}.log", variant.label()));
        Ok((std::fs::File::create(&path)?, path))
    }
}

/// One JSON-RPC answer: its id, and its result or error left as raw JSON.
#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    id: Value,
    result: Option<Box<RawValue>>,
    error: Option<Box<RawValue>>,
}

impl Reply {
    fn is_answer_to(&self, id: u64) -> bool {
        (self.result.is_some() || self.error.is_some()) && self.id.as_u64() == Some(id)
    }

    fn into_result(self, what: &str) -> Result<Box<RawValue>> {
        match (self.result, self.error) {
            (Some(result), _) => Ok(result),
            (None, Some(error)) => bail!("{what} answered an error: {}", clip(error.get())),
            (None, None) => bail!("{what}: neither result nor error"),
        }
    }
}

fn clip(text: &str) -> String {
    let mut s: String = text.chars().take(300).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

/// A client of one variant, past its era's first request (with its session, in the legacy era).
enum Client {
    Direct(DirectClient),
    Stdio(Box<StdioClient>),
}

impl Client {
    /// Starts a client: constructs it (direct) or spawns its process (bridge, mcp-remote), sends
    /// the era's first request (`initialize` or `server/discover`) and returns with the time until
    /// its result arrived.
    async fn start(variant: Variant, setup: &Setup) -> Result<(Client, Duration)> {
        let first = setup.era.first_request();
        let started = Instant::now();
        let (client, answer) = match variant {
            Variant::Direct => {
                let client = DirectClient::connect(setup, &first).await?;
                (Client::Direct(client), None)
            }
            _ => {
                let client = StdioClient::spawn(variant, setup)?;
                let answer = client.request(&first).await;
                (Client::Stdio(Box::new(client)), Some(answer))
            }
        };
        let took = started.elapsed();
        if let Some(answer) = answer {
            let checked = answer.and_then(|a| a.into_result(first.method));
            if let Err(e) = checked {
                let log = client.log_tail();
                client.close().await;
                bail!("{}: {e:#}{log}", variant.label());
            }
        }
        Ok((client, took))
    }

    async fn request(&self, rpc: &Rpc) -> Result<Reply> {
        match self {
            Client::Direct(c) => c.request(rpc).await,
            Client::Stdio(c) => c.request(rpc).await,
        }
    }

    async fn notify(&self, method: &str) -> Result<()> {
        match self {
            Client::Direct(c) => c.notify(method).await,
            Client::Stdio(c) => c.notify(method).await,
        }
    }

    /// The process whose memory is measured (none for the direct client: it is this process).
    fn measured_pid(&self) -> Option<u32> {
        match self {
            Client::Direct(_) => None,
            Client::Stdio(c) if c.variant == Variant::McpRemote => node_of_mcp_remote(c.pid),
            Client::Stdio(c) => Some(c.pid),
        }
    }

    fn log_tail(&self) -> String {
        match self {
            Client::Direct(_) => String::new(),
            Client::Stdio(c) => log_tail(&c.log),
        }
    }

    async fn close(self) {
        match self {
            Client::Direct(c) => c.close().await,
            Client::Stdio(c) => c.close().await,
        }
    }
}

/// A minimal Streamable HTTP client: one POST per message, keep-alive pool, TCP_NODELAY, JSON or
/// SSE answers. Legacy era: the session id and protocol version after `initialize`. Modern era: no
/// session; `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` on every POST.
struct DirectClient {
    era: Era,
    http: reqwest::Client,
    url: String,
    key: String,
    /// `Mcp-Session-Id` and the negotiated `MCP-Protocol-Version` (legacy era).
    session: Option<(String, String)>,
    next_id: AtomicU64,
}

impl DirectClient {
    /// Builds the client and sends `first` (the era's first request).
    async fn connect(setup: &Setup, first: &Rpc) -> Result<DirectClient> {
        let mut builder = reqwest::Client::builder().tcp_nodelay(true).no_proxy();
        if let Some(ca) = &setup.ca_file {
            let pem = std::fs::read(ca).context("the CA file")?;
            builder = builder.tls_certs_only([reqwest::Certificate::from_pem(&pem)?]);
        }
        let http = builder.build().context("building the reqwest client")?;
        let mut client = DirectClient {
            era: setup.era,
            http,
            url: setup.url.clone(),
            key: setup.key.clone(),
            session: None,
            next_id: AtomicU64::new(1),
        };
        let (reply, session_id) = client.post_request(first).await?;
        let result = reply.into_result(first.method)?;
        if client.era == Era::Modern {
            return Ok(client);
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct InitResult {
            protocol_version: String,
        }
        let init: InitResult = serde_json::from_str(result.get())?;
        let session_id = session_id.context("initialize answered without Mcp-Session-Id")?;
        client.session = Some((session_id, init.protocol_version));
        Ok(client)
    }

    /// A POST of one message (`method`, and `name` for the `Mcp-Name` header) with this era's
    /// headers.
    fn post(&self, method: &str, name: Option<&str>, body: String) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .post(&self.url)
            .header("x-api-key", &self.key)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json");
        match (self.era, &self.session) {
            (Era::Legacy, Some((id, version))) => {
                req = req
                    .header("mcp-session-id", id)
                    .header("mcp-protocol-version", version);
            }
            (Era::Legacy, None) => {} // `initialize`
            (Era::Modern, _) => {
                req = req
                    .header("mcp-protocol-version", MODERN_VERSION)
                    .header("mcp-method", method);
                if let Some(name) = name {
                    req = req.header("mcp-name", name);
                }
            }
        }
        req.body(body)
    }

    async fn request(&self, rpc: &Rpc) -> Result<Reply> {
        Ok(self.post_request(rpc).await?.0)
    }

    /// POSTs a request; returns its answer and the `Mcp-Session-Id` header, if any.
    async fn post_request(&self, rpc: &Rpc) -> Result<(Reply, Option<String>)> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let method = rpc.method;
        let send = self.post(method, rpc.name.as_deref(), rpc.line(id)).send();
        let resp = tokio::time::timeout(CALL_TIMEOUT, send)
            .await
            .map_err(|_| anyhow!("direct: no answer to {method} within {CALL_TIMEOUT:?}"))??;
        let status = resp.status();
        let session_id = resp
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let sse = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/event-stream"));
        // Reading to the end of the stream puts the connection back into the pool.
        let body = resp.bytes().await?;
        if !status.is_success() {
            bail!(
                "direct: {method} got HTTP {status}: {}",
                clip(&String::from_utf8_lossy(&body))
            );
        }
        Ok((find_reply(&body, sse, id)?, session_id))
    }

    async fn notify(&self, method: &str) -> Result<()> {
        let body = format!(r#"{{"jsonrpc":"2.0","method":"{method}"}}"#);
        let resp = self.post(method, None, body).send().await?;
        let status = resp.status();
        resp.bytes().await?;
        if !status.is_success() {
            bail!("direct: {method} got HTTP {status}");
        }
        Ok(())
    }

    /// Ends the session (DELETE), as a polite client does; a modern client has none.
    async fn close(self) {
        if let Some((id, version)) = &self.session {
            let _ = self
                .http
                .delete(&self.url)
                .header("x-api-key", &self.key)
                .header("mcp-session-id", id)
                .header("mcp-protocol-version", version)
                .timeout(Duration::from_secs(2))
                .send()
                .await;
        }
    }
}

/// The answer to request `id` in a response body: one JSON message, or an SSE stream whose events
/// carry messages in their `data:` lines.
fn find_reply(body: &[u8], sse: bool, id: u64) -> Result<Reply> {
    let text = std::str::from_utf8(body).context("the answer is not UTF-8")?;
    if !sse {
        let reply: Reply = serde_json::from_str(text).context("the JSON answer")?;
        if !reply.is_answer_to(id) {
            bail!("the JSON body is not the answer to request {id}");
        }
        return Ok(reply);
    }
    let mut data = String::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            if let Some(reply) = take_event(&mut data, id)? {
                return Ok(reply);
            }
        } else if let Some(rest) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        }
    }
    take_event(&mut data, id)?
        .ok_or_else(|| anyhow!("the SSE stream ended without the answer to request {id}"))
}

/// The message of one SSE event, if it is the answer to `id` (priming events carry no data).
fn take_event(data: &mut String, id: u64) -> Result<Option<Reply>> {
    if data.trim().is_empty() {
        data.clear();
        return Ok(None);
    }
    let reply: Reply = serde_json::from_str(data).context("an SSE event")?;
    data.clear();
    Ok(reply.is_answer_to(id).then_some(reply))
}

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Reply>>>>;

/// A stdio MCP server process (the bridge or mcp-remote): requests written as lines to its stdin,
/// answers read from its stdout and matched by id.
struct StdioClient {
    variant: Variant,
    child: Child,
    /// Process id, also the id of the process group it leads.
    pid: u32,
    stdin: tokio::sync::Mutex<Option<ChildStdin>>,
    pending: Pending,
    next_id: AtomicU64,
    reader: JoinHandle<()>,
    log: PathBuf,
}

impl StdioClient {
    fn spawn(variant: Variant, setup: &Setup) -> Result<StdioClient> {
        let mut cmd = match variant {
            Variant::Bridge | Variant::Filtered => Command::new(&setup.bridge_bin),
            Variant::Baseline => {
                Command::new(setup.baseline_bin.as_ref().context("no --baseline given")?)
            }
            Variant::McpRemote => Command::new("npx"),
            Variant::Direct => bail!("the direct client is not a process"),
        };
        cmd.env_clear();
        for name in ["PATH", "HOME"] {
            if let Some(value) = std::env::var_os(name) {
                cmd.env(name, value);
            }
        }
        if variant == Variant::Filtered {
            cmd.args(["mcp", "serve", "--read-only"])
                .env("THREEMINAPI_URL", &setup.url)
                .env("THREEMINAPI_MCP_KEY", &setup.key);
        } else if matches!(variant, Variant::Bridge | Variant::Baseline) {
            cmd.args(["mcp", "serve"])
                .env("THREEMINAPI_URL", &setup.url)
                .env("THREEMINAPI_MCP_KEY", &setup.key);
            if let Some(ca) = &setup.ca_file {
                cmd.env("THREEMINAPI_CA_FILE", ca);
            }
        } else {
            cmd.args(["-y", MCP_REMOTE, &setup.url, "--header"])
                .arg(format!("x-api-key:{}", setup.key))
                .args(["--transport", "http-only", "--allow-http", "--silent"])
                // Its OAuth and lock files go to the temp dir, not ~/.mcp-auth.
                .env("MCP_REMOTE_CONFIG_DIR", setup.logs.path().join("mcp-auth"));
            // What npm itself needs to reach the registry (a CA file path, proxy addresses).
            for name in [
                "NODE_EXTRA_CA_CERTS",
                "HTTPS_PROXY",
                "https_proxy",
                "NO_PROXY",
            ] {
                if let Some(value) = std::env::var_os(name) {
                    cmd.env(name, value);
                }
            }
            if let Some(ca) = &setup.ca_file {
                cmd.env("NODE_EXTRA_CA_CERTS", ca);
            }
        }
        let (log_file, log) = setup.log_file(variant)?;
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .with_context(|| format!("spawning {}", variant.label()))?;
        let pid = child.id().context("the child has no pid")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("no stdout")?;
        let pending: Pending = Arc::default();
        let reader = tokio::spawn(read_answers(stdout, Arc::clone(&pending)));
        Ok(StdioClient {
            variant,
            child,
            pid,
            stdin: tokio::sync::Mutex::new(stdin),
            pending,
            next_id: AtomicU64::new(1),
            reader,
            log,
        })
    }

    async fn write(&self, line: &str) -> Result<()> {
        let mut guard = self.stdin.lock().await;
        let stdin = guard.as_mut().context("stdin is closed")?;
        stdin.write_all(line.as_bytes()).await?;
        stdin.flush().await?;
        Ok(())
    }

    async fn request(&self, rpc: &Rpc) -> Result<Reply> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let method = rpc.method;
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        let mut line = rpc.line(id);
        line.push('\n');
        let label = self.variant.label();
        self.write(&line)
            .await
            .with_context(|| format!("{label}: writing {method}{}", log_tail(&self.log)))?;
        match tokio::time::timeout(CALL_TIMEOUT, rx).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(_)) => bail!(
                "{label} closed its stdout before answering {method}{}",
                log_tail(&self.log)
            ),
            Err(_) => {
                self.pending.lock().unwrap().remove(&id);
                bail!("{label}: no answer to {method} within {CALL_TIMEOUT:?}")
            }
        }
    }

    async fn notify(&self, method: &str) -> Result<()> {
        self.write(&format!(
            "{{\"jsonrpc\":\"2.0\",\"method\":\"{method}\"}}\n"
        ))
        .await
    }

    /// Closes stdin (the normal end of a stdio server) and waits for the exit; kills what is left
    /// of the process group after [`EXIT_TIMEOUT`].
    async fn close(mut self) {
        drop(self.stdin.lock().await.take());
        let exited = tokio::time::timeout(EXIT_TIMEOUT, self.child.wait()).await;
        if !matches!(exited, Ok(Ok(_))) {
            let _ = self.child.start_kill();
            let _ = self.child.wait().await;
        }
        for pid in process_group_members(self.pid) {
            kill(pid);
        }
        self.reader.abort();
    }
}

/// Reads the process's stdout line by line and hands each answer to the request waiting for it.
async fn read_answers(stdout: tokio::process::ChildStdout, pending: Pending) {
    let mut lines = BufReader::with_capacity(1 << 20, stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let Ok(reply) = serde_json::from_str::<Reply>(&line) else {
            continue; // not JSON-RPC: the table only cares about answers
        };
        let Some(id) = reply.id.as_u64() else {
            continue;
        };
        if reply.result.is_none() && reply.error.is_none() {
            continue; // a request from the server
        }
        if let Some(tx) = pending.lock().unwrap().remove(&id) {
            let _ = tx.send(reply);
        }
    }
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(8)..].join("\n  ");
    if tail.trim().is_empty() {
        String::new()
    } else {
        format!("\n  stderr:\n  {tail}")
    }
}

// ---------------------------------------------------------------------------------------------
// /proc
// ---------------------------------------------------------------------------------------------

/// Peak resident set size (`VmHWM`) of a process, in bytes.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Processes whose process group is `pgid`.
fn process_group_members(pgid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            // Fields after the `(comm)`: state, ppid, pgrp, …
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    let after = &stat[stat.rfind(')')? + 1..];
                    after.split_whitespace().nth(2)?.parse::<u32>().ok()
                })
                == Some(pgid)
        })
        .collect()
}

fn cmdline(pid: u32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
        .unwrap_or_default()
}

/// The node process running mcp-remote under `npx` (the group leader is npm's own process).
fn node_of_mcp_remote(npx_pid: u32) -> Option<u32> {
    process_group_members(npx_pid)
        .into_iter()
        .filter(|&pid| pid != npx_pid)
        .filter(|&pid| {
            let cmd = cmdline(pid);
            cmd.contains("mcp-remote") && !cmd.starts_with("npm") && !cmd.starts_with("sh ")
        })
        .max_by_key(|&pid| peak_rss(pid).unwrap_or(0))
}

fn kill(pid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

type Clients = Vec<(Variant, Arc<Client>)>;

#[derive(Default)]
struct Report {
    variants: Vec<Variant>,
    mcp_remote_note: Option<String>,
    spawn: HashMap<Variant, Duration>,
    sequential: HashMap<Variant, Sequential>,
    window: HashMap<Variant, Duration>,
    /// CPU time per call during the 16-in-flight runs (median over the runs).
    window_cpu: HashMap<Variant, Cpu>,
    big: HashMap<Variant, Duration>,
    rss_small: HashMap<Variant, u64>,
    rss_peak: HashMap<Variant, u64>,
    /// Peak RSS of npx's own npm process, which stays alive around mcp-remote's node process.
    npx_rss: Option<u64>,
    binary_bytes: Option<u64>,
}

struct Sequential {
    /// Sorted.
    latencies: Vec<Duration>,
    new_connections: usize,
    /// Rounds (0-based) whose call saw a new connection.
    connection_rounds: Vec<usize>,
}

impl Sequential {
    fn percentile(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    percentile(&samples, 0.5)
}

async fn measure_all(opts: &Options, setup: &Setup, upstream: &Upstream) -> Result<Report> {
    let mut report = Report {
        variants: [
            Some(Variant::Direct),
            Some(Variant::Bridge),
            opts.with_filter.then_some(Variant::Filtered),
            opts.baseline.is_some().then_some(Variant::Baseline),
        ]
        .into_iter()
        .flatten()
        .collect(),
        binary_bytes: std::fs::metadata(&setup.bridge_bin).ok().map(|m| m.len()),
        ..Report::default()
    };
    if setup.era == Era::Modern {
        report.mcp_remote_note = Some(format!(
            "not measured in the modern table: {MCP_REMOTE} opens its upstream connection with \
             `initialize`, which a {MODERN_VERSION}-only server refuses (-32022); see the legacy \
             table (with --with-mcp-remote)"
        ));
    } else if opts.with_mcp_remote {
        eprintln!("checking {MCP_REMOTE} (npx may download it first)…");
        match check_mcp_remote(setup).await {
            Ok(()) => report.variants.push(Variant::McpRemote),
            Err(e) => {
                let why = format!("{e:#}");
                eprintln!("mcp-remote cannot run, going on without it: {why}");
                report.mcp_remote_note = Some(format!("not measured: {why}"));
            }
        }
    } else {
        report.mcp_remote_note = Some("not measured (pass --with-mcp-remote)".into());
    }
    let variants = report.variants.clone();
    let era = setup.era;
    let small = Arc::new(era.echo(SMALL_VALUE));

    eprintln!(
        "spawn → {}: {SPAWNS} fresh clients per variant…",
        era.first_method()
    );
    report.spawn = measure_spawn(&variants, setup).await?;

    let clients = open_clients(&variants, setup).await?;
    eprintln!("warm-up: {WARMUP_CALLS} calls per variant…");
    warm_up(&clients, upstream, &small).await?;

    eprintln!("{} sequential tools/call per variant…", opts.calls);
    report.sequential = measure_sequential(&clients, upstream, &small, opts.calls).await?;

    eprintln!(
        "{} calls with {IN_FLIGHT} in flight, {WINDOW_RUNS} runs per variant…",
        opts.calls
    );
    (report.window, report.window_cpu) =
        measure_window(&clients, upstream, &small, opts.calls).await?;
    report.rss_small = peak_rss_of(&clients);

    eprintln!("{BIG_RUNS} round trips of a 2 MB argument per variant…");
    report.big = measure_big(&clients, upstream, &era.echo(&big_value())).await?;
    report.rss_peak = peak_rss_of(&clients);
    report.npx_rss = clients.iter().find_map(|(_, c)| match c.as_ref() {
        Client::Stdio(s) if s.variant == Variant::McpRemote => peak_rss(s.pid),
        _ => None,
    });

    for (_, client) in clients {
        if let Ok(client) = Arc::try_unwrap(client) {
            client.close().await;
        }
    }
    Ok(report)
}

/// Starts mcp-remote once (npx fills its cache) to know whether it can run here at all.
async fn check_mcp_remote(setup: &Setup) -> Result<()> {
    let (client, _) = Client::start(Variant::McpRemote, setup).await?;
    client.close().await;
    Ok(())
}

/// Spawn (client construction for direct) to the result of the era's first request (`initialize`
/// or `server/discover`): median over [`SPAWNS`] fresh clients per variant, after one uncounted
/// round that warms the caches.
async fn measure_spawn(variants: &[Variant], setup: &Setup) -> Result<HashMap<Variant, Duration>> {
    let mut samples: HashMap<Variant, Vec<Duration>> = HashMap::new();
    for round in 0..=SPAWNS {
        for variant in rotated(variants, round) {
            let (client, took) = Client::start(variant, setup)
                .await
                .with_context(|| format!("starting {}", variant.label()))?;
            client.close().await;
            if round > 0 {
                samples.entry(variant).or_default().push(took);
            }
        }
    }
    Ok(samples.into_iter().map(|(v, s)| (v, median(s))).collect())
}

/// One long-lived client per variant, as an MCP client starts: initialized (legacy era), tools
/// listed.
async fn open_clients(variants: &[Variant], setup: &Setup) -> Result<Clients> {
    let list = setup.era.rpc("tools/list", json!({}));
    let mut clients = Vec::new();
    for &variant in variants {
        let (client, _) = Client::start(variant, setup).await?;
        if setup.era == Era::Legacy {
            client.notify("notifications/initialized").await?;
        }
        client.request(&list).await?.into_result("tools/list")?;
        clients.push((variant, Arc::new(client)));
    }
    Ok(clients)
}

async fn warm_up(clients: &Clients, upstream: &Upstream, call: &Rpc) -> Result<()> {
    for round in 0..WARMUP_CALLS {
        upstream.clear_requests();
        for (variant, client) in rotated(clients, round) {
            let reply = client.request(call).await?;
            check_echo(variant, reply, 5)?;
        }
    }
    // Let background connections (the bridge's standalone GET stream) settle before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(())
}

/// The answer of an `echo` call is a successful tool result at least `min_len` bytes long.
fn check_echo(variant: Variant, reply: Reply, min_len: usize) -> Result<()> {
    let result = reply.into_result(&format!("{}: tools/call echo", variant.label()))?;
    let text = result.get();
    if text.len() < min_len || text.contains(r#""isError":true"#) {
        bail!(
            "{}: unexpected echo result: {}",
            variant.label(),
            clip(text)
        );
    }
    Ok(())
}

/// `calls` sequential `call`s (`tools/call echo`) per variant, one call of each variant per round.
/// New TCP connections the upstream accepted are counted per call, so they land on the variant in
/// flight.
async fn measure_sequential(
    clients: &Clients,
    upstream: &Upstream,
    call: &Rpc,
    calls: usize,
) -> Result<HashMap<Variant, Sequential>> {
    let mut out: HashMap<Variant, Sequential> = clients
        .iter()
        .map(|(v, _)| {
            (
                *v,
                Sequential {
                    latencies: Vec::with_capacity(calls),
                    new_connections: 0,
                    connection_rounds: Vec::new(),
                },
            )
        })
        .collect();
    for round in 0..calls {
        for (variant, client) in rotated(clients, round) {
            upstream.clear_requests(); // the fake scans its record on every request
            let connections = upstream.connections();
            let started = Instant::now();
            let reply = client.request(call).await?;
            let took = started.elapsed();
            let new_connections = upstream.connections() - connections;
            check_echo(variant, reply, 5)?;
            let entry = out.get_mut(&variant).expect("every variant");
            entry.latencies.push(took);
            if new_connections > 0 {
                entry.new_connections += new_connections;
                entry.connection_rounds.push(round);
            }
        }
    }
    for seq in out.values_mut() {
        seq.latencies.sort();
    }
    Ok(out)
}

/// Wall time of `calls` `call`s with [`IN_FLIGHT`] in flight: median of [`WINDOW_RUNS`] runs,
/// after one uncounted run per variant (its pool grows to [`IN_FLIGHT`] connections there).
/// Also the CPU each party spent per call in those runs.
async fn measure_window(
    clients: &Clients,
    upstream: &Upstream,
    call: &Arc<Rpc>,
    calls: usize,
) -> Result<(HashMap<Variant, Duration>, HashMap<Variant, Cpu>)> {
    let mut samples: HashMap<Variant, Vec<Duration>> = HashMap::new();
    let mut cpu: HashMap<Variant, Vec<Cpu>> = HashMap::new();
    for round in 0..=WINDOW_RUNS {
        for (variant, client) in rotated(clients, round) {
            upstream.clear_requests();
            let pid = client.measured_pid();
            let before = Cpu::now(pid);
            let took = run_window(variant, client, Arc::clone(call), calls).await?;
            let spent = Cpu::per_call(before, Cpu::now(pid), calls);
            if round > 0 {
                samples.entry(variant).or_default().push(took);
                if let Some(spent) = spent {
                    cpu.entry(variant).or_default().push(spent);
                }
            }
        }
    }
    let walls = samples.into_iter().map(|(v, s)| (v, median(s))).collect();
    let cpu = cpu.into_iter().map(|(v, s)| (v, Cpu::median(s))).collect();
    Ok((walls, cpu))
}

/// CPU time (run time from `/proc/…/schedstat`, Linux) of the parties of a measurement: this
/// process's client side, its upstream threads, and the measured process (bridge, mcp-remote).
/// As a total, or per call once divided.
#[derive(Clone, Copy, Default)]
struct Cpu {
    client: Duration,
    upstream: Duration,
    process: Option<Duration>,
}

impl Cpu {
    /// None where /proc does not tell.
    fn now(pid: Option<u32>) -> Option<Cpu> {
        let mut cpu = Cpu::default();
        for (comm, ran) in thread_run_times("/proc/self/task")? {
            if comm.starts_with("upstream") {
                cpu.upstream += ran;
            } else {
                cpu.client += ran;
            }
        }
        if let Some(pid) = pid {
            let threads = thread_run_times(&format!("/proc/{pid}/task"))?;
            cpu.process = Some(threads.into_iter().map(|(_, ran)| ran).sum());
        }
        Some(cpu)
    }

    /// What was spent from `before` to `after`, per call.
    fn per_call(before: Option<Cpu>, after: Option<Cpu>, calls: usize) -> Option<Cpu> {
        let (after, before) = (after?, before?);
        let per = |a: Duration, b: Duration| a.saturating_sub(b) / calls.max(1) as u32;
        Some(Cpu {
            client: per(after.client, before.client),
            upstream: per(after.upstream, before.upstream),
            process: after.process.zip(before.process).map(|(a, b)| per(a, b)),
        })
    }

    fn median(samples: Vec<Cpu>) -> Cpu {
        let of = |f: fn(&Cpu) -> Duration| median(samples.iter().map(f).collect());
        let processes: Vec<Duration> = samples.iter().filter_map(|c| c.process).collect();
        Cpu {
            client: of(|c| c.client),
            upstream: of(|c| c.upstream),
            process: (!processes.is_empty()).then(|| median(processes)),
        }
    }
}

/// (thread name, time spent running) of every thread under a `/proc/…/task` directory.
fn thread_run_times(dir: &str) -> Option<Vec<(String, Duration)>> {
    let mut out = Vec::new();
    for task in std::fs::read_dir(dir).ok()?.flatten() {
        let path = task.path();
        let (Ok(comm), Ok(stat)) = (
            std::fs::read_to_string(path.join("comm")),
            std::fs::read_to_string(path.join("schedstat")),
        ) else {
            continue; // the thread ended meanwhile
        };
        let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
        out.push((comm.trim().to_owned(), Duration::from_nanos(ns)));
    }
    Some(out)
}

async fn run_window(
    variant: Variant,
    client: Arc<Client>,
    call: Arc<Rpc>,
    calls: usize,
) -> Result<Duration> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let client = Arc::clone(&client);
        let call = Arc::clone(&call);
        let next = Arc::clone(&next);
        workers.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < calls {
                let reply = client.request(&call).await?;
                check_echo(variant, reply, 5)?;
            }
            Ok::<(), anyhow::Error>(())
        });
    }
    while let Some(done) = workers.join_next().await {
        done??;
    }
    Ok(started.elapsed())
}

/// A 2 MB argument through `echo` and back (`call`): median of [`BIG_RUNS`] round trips per
/// variant, after one uncounted round.
async fn measure_big(
    clients: &Clients,
    upstream: &Upstream,
    call: &Rpc,
) -> Result<HashMap<Variant, Duration>> {
    let mut samples: HashMap<Variant, Vec<Duration>> = HashMap::new();
    for round in 0..=BIG_RUNS {
        for (variant, client) in rotated(clients, round) {
            upstream.clear_requests();
            let started = Instant::now();
            let reply = client.request(call).await?;
            let took = started.elapsed();
            check_echo(variant, reply, BIG_BYTES)?;
            if round > 0 {
                samples.entry(variant).or_default().push(took);
            }
        }
    }
    Ok(samples.into_iter().map(|(v, s)| (v, median(s))).collect())
}

/// 2 MiB of log-like text (quotes and newlines included, so JSON escaping is exercised).
fn big_value() -> String {
    let mut text = String::with_capacity(BIG_BYTES + 128);
    let mut i = 0u64;
    while text.len() < BIG_BYTES {
        text.push_str(&format!(
            "{{\"id\":\"log_{i:08}\",\"endpoint\":\"user-signup\",\"status\":200,\"message\":\"created\"}}\n"
        ));
        i += 1;
    }
    text.truncate(BIG_BYTES);
    text
}

fn peak_rss_of(clients: &Clients) -> HashMap<Variant, u64> {
    clients
        .iter()
        .filter_map(|(v, c)| Some((*v, peak_rss(c.measured_pid()?)?)))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn fmt_ms(d: Duration) -> String {
    let v = ms(d);
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.3} ms")
    }
}

fn fmt_mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / MB)
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

fn verdict(pass: bool) -> String {
    if pass { "PASS" } else { "FAIL" }.to_owned()
}

/// One row: figure, a cell per variant, bridge vs direct, bridge vs mcp-remote, target, verdict.
struct Row {
    figure: String,
    cells: HashMap<Variant, String>,
    vs_direct: String,
    vs_mcp_remote: String,
    target: String,
    verdict: String,
}

impl Row {
    fn new(figure: impl Into<String>) -> Row {
        Row {
            figure: figure.into(),
            cells: HashMap::new(),
            vs_direct: String::new(),
            vs_mcp_remote: String::new(),
            target: String::new(),
            verdict: String::new(),
        }
    }
}

fn print_report(opts: &Options, setup: &Setup, report: &Report) {
    let rows = build_rows(opts, setup.era, report);
    let mut header = vec!["figure".to_owned()];
    header.extend(report.variants.iter().map(|v| v.label().to_owned()));
    header.push("bridge vs direct".into());
    if report.variants.contains(&Variant::McpRemote) {
        header.push("bridge vs mcp-remote".into());
    }
    header.extend(["target".into(), "result".into()]);
    let mut table = vec![header];
    for row in &rows {
        let mut line = vec![row.figure.clone()];
        for v in &report.variants {
            line.push(row.cells.get(v).cloned().unwrap_or_else(|| "–".into()));
        }
        line.push(row.vs_direct.clone());
        if report.variants.contains(&Variant::McpRemote) {
            line.push(row.vs_mcp_remote.clone());
        }
        line.extend([row.target.clone(), row.verdict.clone()]);
        table.push(line);
    }

    println!();
    println!(
        "3minapi bridge benchmark — {} era: fake upstream {} ({}), {} CPU(s), {} calls",
        setup.era.label(),
        setup.url,
        setup.era.description(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        opts.calls
    );
    println!("bridge: {}", setup.bridge_bin.display());
    match &report.mcp_remote_note {
        Some(note) => println!("mcp-remote: {note}"),
        None => println!(
            "mcp-remote: npx -y {MCP_REMOTE} URL --header x-api-key:KEY --transport http-only --allow-http --silent"
        ),
    }
    println!();
    print_table(&table);
    println!();
    println!(
        "Variants interleaved per round; MB = 10^6 bytes; RSS = VmHWM (Linux); connections = TCP \
         connections the upstream accepted while that variant's calls were in flight."
    );
    for v in &report.variants {
        if let Some(seq) = report.sequential.get(v)
            && !seq.connection_rounds.is_empty()
        {
            let rounds: Vec<String> = seq
                .connection_rounds
                .iter()
                .map(|r| format!("#{}", r + 1))
                .collect();
            println!(
                "{}: new connection(s) during sequential call {}",
                v.label(),
                rounds.join(", ")
            );
        }
    }
    if let Some(bytes) = report.npx_rss {
        println!(
            "mcp-remote's RSS is its node process; npx's own npm process beside it peaked at {}.",
            fmt_mb(bytes)
        );
    }
}

fn build_rows(opts: &Options, era: Era, report: &Report) -> Vec<Row> {
    let has_remote = report.variants.contains(&Variant::McpRemote);
    let mut rows = Vec::new();

    // Spawn → the first result.
    let mut row = Row::new(format!(
        "spawn → {} result (median of {SPAWNS})",
        era.first_method()
    ));
    for (v, d) in &report.spawn {
        row.cells.insert(*v, fmt_ms(*d));
    }
    row.target = format!("≤ {TARGET_SPAWN_RATIO}× mcp-remote");
    if let (Some(b), Some(d)) = (
        report.spawn.get(&Variant::Bridge),
        report.spawn.get(&Variant::Direct),
    ) {
        row.vs_direct = format!("{:.2}×", ratio(*b, *d));
    }
    match (
        report.spawn.get(&Variant::Bridge),
        report.spawn.get(&Variant::McpRemote),
    ) {
        (Some(b), Some(r)) => {
            let x = ratio(*b, *r);
            row.vs_mcp_remote = format!("{x:.3}×");
            row.verdict = verdict(x <= TARGET_SPAWN_RATIO);
        }
        _ => row.verdict = "n/a".into(),
    }
    rows.push(row);

    // Sequential latency.
    let n = opts.calls;
    for (p, name, target) in [
        (0.50, "p50", TARGET_ADDED_P50_MS),
        (0.95, "p95", TARGET_ADDED_P95_MS),
    ] {
        let mut row = Row::new(format!("tools/call echo {name} ({n} sequential)"));
        for (v, seq) in &report.sequential {
            row.cells.insert(*v, fmt_ms(seq.percentile(p)));
        }
        row.target = format!("added ≤ {target} ms");
        let get = |v| report.sequential.get(&v).map(|s| s.percentile(p));
        if let (Some(b), Some(d)) = (get(Variant::Bridge), get(Variant::Direct)) {
            let added = ms(b) - ms(d);
            row.vs_direct = format!("{added:+.3} ms");
            row.verdict = verdict(added <= target);
        }
        if has_remote && let (Some(b), Some(r)) = (get(Variant::Bridge), get(Variant::McpRemote)) {
            row.vs_mcp_remote = format!("{:.2}×", ratio(b, r));
        }
        rows.push(row);
    }
    if let (Some(f), Some(b)) = (
        report.sequential.get(&Variant::Filtered),
        report.sequential.get(&Variant::Bridge),
    ) {
        let mut row = Row::new("filter cost: --read-only p50 − bridge p50");
        let added = ms(f.percentile(0.5)) - ms(b.percentile(0.5));
        row.cells
            .insert(Variant::Filtered, format!("{added:+.3} ms"));
        row.target = format!("≤ {TARGET_FILTER_P50_MS} ms");
        row.verdict = verdict(added <= TARGET_FILTER_P50_MS);
        rows.push(row);
    }
    if let (Some(b), Some(base)) = (
        report.sequential.get(&Variant::Bridge),
        report.sequential.get(&Variant::Baseline),
    ) {
        let mut row = Row::new("this build vs baseline: bridge p50 − baseline p50");
        let added = ms(b.percentile(0.5)) - ms(base.percentile(0.5));
        row.cells.insert(Variant::Bridge, format!("{added:+.3} ms"));
        // A slower build fails; a faster one is noise or a gain.
        row.target = format!("≤ +{TARGET_BASELINE_P50_MS} ms");
        row.verdict = verdict(added <= TARGET_BASELINE_P50_MS);
        rows.push(row);
    }
    let mut row = Row::new(format!("tools/call max / calls ≥ {} ms", STALL.as_millis()));
    for (v, seq) in &report.sequential {
        let stalls = seq.latencies.iter().filter(|d| **d >= STALL).count();
        row.cells
            .insert(*v, format!("{} / {stalls}", fmt_ms(seq.percentile(1.0))));
    }
    row.target = "no ~40 ms stalls".into();
    if let Some(seq) = report.sequential.get(&Variant::Bridge) {
        row.verdict = verdict(seq.latencies.iter().all(|d| *d < STALL));
    }
    rows.push(row);

    // Connections during the sequential calls.
    let mut row = Row::new(format!("new TCP connections during the {n} sequential"));
    for (v, seq) in &report.sequential {
        row.cells.insert(*v, seq.new_connections.to_string());
    }
    row.target = "0 (one pooled connection)".into();
    if let Some(seq) = report.sequential.get(&Variant::Bridge) {
        row.verdict = verdict(seq.new_connections == 0);
    }
    rows.push(row);

    // 16 in flight.
    rows.push(ratio_row(
        format!("{n} calls, {IN_FLIGHT} in flight: wall (median of {WINDOW_RUNS})"),
        &report.window,
        has_remote,
        TARGET_WINDOW_RATIO,
    ));

    // Where the CPU of those runs went.
    let us = |d: Duration| format!("{:.1} µs", d.as_secs_f64() * 1e6);
    for (party, pick) in [
        (
            "client (this process)",
            (|c: &Cpu| Some(c.client)) as fn(&Cpu) -> Option<Duration>,
        ),
        ("upstream (this process)", |c| Some(c.upstream)),
        ("bridge / mcp-remote process", |c| c.process),
    ] {
        let mut row = Row::new(format!("  CPU per call, {IN_FLIGHT} in flight: {party}"));
        for (v, cpu) in &report.window_cpu {
            if let Some(d) = pick(cpu) {
                row.cells.insert(*v, us(d));
            }
        }
        if !row.cells.is_empty() {
            row.verdict = "info".into();
            rows.push(row);
        }
    }

    // 2 MB.
    rows.push(ratio_row(
        format!("2 MB echo round trip (median of {BIG_RUNS})"),
        &report.big,
        has_remote,
        TARGET_BIG_RATIO,
    ));

    // Memory.
    rows.push(rss_row(
        "peak RSS after the small calls",
        &report.rss_small,
        has_remote,
        TARGET_RSS_BYTES,
    ));
    rows.push(rss_row(
        "peak RSS, whole run (2 MB calls included)",
        &report.rss_peak,
        has_remote,
        TARGET_RSS_BIG_BYTES,
    ));

    // Binary.
    let mut row = Row::new("size of the bridge binary");
    row.target = format!("≤ {}", fmt_mb(TARGET_BINARY_BYTES));
    match report.binary_bytes {
        Some(bytes) => {
            row.cells.insert(Variant::Bridge, fmt_mb(bytes));
            row.verdict = verdict(bytes <= TARGET_BINARY_BYTES);
        }
        None => row.verdict = "n/a".into(),
    }
    rows.push(row);
    rows
}

/// A row of peak RSS figures, judged against `target`.
fn rss_row(figure: &str, values: &HashMap<Variant, u64>, has_remote: bool, target: u64) -> Row {
    let mut row = Row::new(figure);
    for (v, bytes) in values {
        row.cells.insert(*v, fmt_mb(*bytes));
    }
    row.cells.insert(Variant::Direct, "n/a".into());
    row.target = format!("≤ {}", fmt_mb(target));
    match values.get(&Variant::Bridge) {
        Some(bytes) => {
            row.verdict = verdict(*bytes <= target);
            if has_remote && let Some(r) = values.get(&Variant::McpRemote) {
                row.vs_mcp_remote = format!("{:.2}×", *bytes as f64 / (*r).max(1) as f64);
            }
        }
        None => row.verdict = "n/a".into(),
    }
    row
}

/// A row of durations judged by the ratio bridge/direct.
fn ratio_row(
    figure: String,
    values: &HashMap<Variant, Duration>,
    has_remote: bool,
    target: f64,
) -> Row {
    let mut row = Row::new(figure);
    for (v, d) in values {
        row.cells.insert(*v, fmt_ms(*d));
    }
    row.target = format!("≤ {target}× direct");
    if let (Some(b), Some(d)) = (values.get(&Variant::Bridge), values.get(&Variant::Direct)) {
        let x = ratio(*b, *d);
        row.vs_direct = format!("{x:.2}×");
        row.verdict = verdict(x <= target);
    }
    if has_remote
        && let (Some(b), Some(r)) = (
            values.get(&Variant::Bridge),
            values.get(&Variant::McpRemote),
        )
    {
        row.vs_mcp_remote = format!("{:.2}×", ratio(*b, *r));
    }
    row
}

fn print_table(table: &[Vec<String>]) {
    let columns = table.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            table
                .iter()
                .filter_map(|row| row.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (i, row) in table.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = widths[c] - cell.chars().count();
                if c == 0 {
                    format!("{cell}{}", " ".repeat(pad))
                } else {
                    format!("{}{cell}", " ".repeat(pad))
                }
            })
            .collect();
        println!("{}", line.join("  ").trim_end());
        if i == 0 {
            let total = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
            println!("{}", "-".repeat(total));
        }
    }
}
