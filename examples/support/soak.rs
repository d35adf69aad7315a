//! `bench --soak N`: N calls through one bridge against a fake upstream that speaks both eras,
//! mixed the way a long IDE session mixes them: a legacy session and 2026-07-28 requests side by
//! side, small answers and 300 KB ones (the big-message path), and faults (an injected 503 every
//! 1,000 calls, the session expired every 5,000, a stream cut before its answer every 2,000),
//! 8 calls in flight. Every 10,000 calls it prints the bridge's resident memory and open file
//! descriptors; at the end it says whether both stayed flat after warm-up (within 10%) and
//! whether every call got exactly one answer.

use crate::upstream::{Mode, Upstream, UpstreamOptions};
use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use threeminapi::upstream::modern::{META_CAPABILITIES, META_VERSION, MODERN_VERSION};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

const IN_FLIGHT: usize = 8;
const SAMPLE_EVERY: usize = 10_000;
/// Samples before this many calls are warm-up: pools, caches and allocator arenas fill.
const WARM_UP: usize = 20_000;
const BIG_VALUE_BYTES: usize = 300 * 1024;
const ANSWER_WITHIN: Duration = Duration::from_secs(15);
/// How far RSS and descriptors may move after warm-up and still count as flat.
const FLAT: f64 = 0.10;

type Pending = Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>>;

/// Runs the soak; true when every call was answered once and memory and descriptors stayed flat.
pub fn run(bridge: &Path, calls: usize) -> Result<bool> {
    let upstream_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let upstream = upstream_rt.block_on(Upstream::start(UpstreamOptions {
        mode: Mode::Dual,
        ..UpstreamOptions::default()
    }));
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    client_rt.block_on(soak(bridge, calls, &upstream))
}

async fn soak(bridge: &Path, calls: usize, upstream: &Upstream) -> Result<bool> {
    let home = tempfile::tempdir()?;
    let mut child = tokio::process::Command::new(bridge)
        .args(["mcp", "serve"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("THREEMINAPI_URL", upstream.url())
        .env("THREEMINAPI_MCP_KEY", upstream.key())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(
            home.path().join("bridge.log"),
        )?))
        .kill_on_drop(true)
        .spawn()
        .context("spawning the bridge")?;
    let pid = child.id().context("no pid")?;
    let mut stdin = child.stdin.take().context("no stdin")?;
    let pending: Pending = Arc::default();
    let strays = Arc::new(Mutex::new(0usize));
    let reader = tokio::spawn(read_answers(
        child.stdout.take().context("no stdout")?,
        Arc::clone(&pending),
        Arc::clone(&strays),
    ));

    // The legacy session the legacy half of the calls runs in.
    let init = json!({"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "soak", "version": "0"}}});
    let answer = send_and_wait(&mut stdin, &pending, &init, "init").await?;
    if answer.get("result").is_none() {
        bail!("initialize failed: {answer}");
    }
    stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
        .await?;

    let big_value = "x".repeat(BIG_VALUE_BYTES);
    let started = Instant::now();
    let (mut done, mut errors, mut lost) = (0usize, 0usize, 0usize);
    let mut samples: Vec<(usize, u64, usize)> = Vec::new();
    let mut inflight = JoinSet::new();
    println!(
        "soak: {calls} calls, {IN_FLIGHT} in flight, bridge {}",
        bridge.display()
    );
    println!(
        "{:>8}  {:>9}  {:>4}  {:>7}  {:>8}",
        "calls", "RSS MB", "fds", "errors", "seconds"
    );
    // The last round only waits for the calls still in flight.
    for i in 0..=calls {
        let room = if i == calls { 1 } else { IN_FLIGHT };
        while inflight.len() >= room {
            tally(
                inflight.join_next().await,
                &mut done,
                &mut errors,
                &mut lost,
            );
            if done % SAMPLE_EVERY == 0 {
                samples.push(sample(pid, done, errors, started));
                upstream.clear_requests();
            }
        }
        if i == calls {
            break;
        }
        match i % 5000 {
            500 | 1500 | 2500 | 3500 | 4500 => upstream.fail_next(1, 503),
            1000 | 3000 => upstream.cut_next_streams(1),
            2600 => upstream.expire_sessions(),
            _ => {}
        }
        let id = format!("c{i}");
        let value = if i % 97 == 0 {
            big_value.as_str()
        } else {
            "hello"
        };
        let mut params = json!({"name": "echo", "arguments": {"value": value}});
        if i % 2 == 1 {
            params["_meta"] = json!({META_VERSION: MODERN_VERSION, META_CAPABILITIES: {}});
        }
        let line = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params});
        let (tx, rx) = oneshot::channel();
        pending.lock().unwrap().insert(id.clone(), tx);
        stdin.write_all(format!("{line}\n").as_bytes()).await?;
        let want = value.len();
        inflight.spawn(async move {
            match tokio::time::timeout(ANSWER_WITHIN, rx).await {
                Ok(Ok(answer)) => Some(check(&answer, want)),
                _ => None,
            }
        });
    }
    if done % SAMPLE_EVERY != 0 {
        samples.push(sample(pid, done, errors, started));
    }
    drop(stdin);
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
    reader.abort();
    let strays = *strays.lock().unwrap();
    Ok(verdict(&samples, calls, errors, lost, strays))
}

/// What one call's answer says: `true` for the echo of the right size, `false` for an error.
fn check(answer: &Value, want: usize) -> bool {
    answer["result"]["structuredContent"]["value"]
        .as_str()
        .is_some_and(|v| v.len() == want)
}

fn tally(
    joined: Option<Result<Option<bool>, tokio::task::JoinError>>,
    done: &mut usize,
    errors: &mut usize,
    lost: &mut usize,
) {
    *done += 1;
    match joined {
        Some(Ok(Some(true))) => {}
        Some(Ok(Some(false))) => *errors += 1,
        _ => *lost += 1,
    }
}

/// Prints and returns (calls, RSS, descriptors) of the bridge now.
fn sample(pid: u32, done: usize, errors: usize, started: Instant) -> (usize, u64, usize) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kib: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0);
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count());
    let rss = rss_kib * 1024;
    println!(
        "{done:>8}  {:>9.2}  {fds:>4}  {errors:>7}  {:>8.1}",
        rss as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    (done, rss, fds)
}

fn verdict(
    samples: &[(usize, u64, usize)],
    calls: usize,
    errors: usize,
    lost: usize,
    strays: usize,
) -> bool {
    let warm: Vec<_> = samples.iter().filter(|s| s.0 >= WARM_UP).collect();
    let base = warm.first().copied().or(samples.first()).copied();
    let last = samples.last().copied();
    let drift = |a: f64, b: f64| if a == 0.0 { 0.0 } else { (b - a) / a };
    let (rss_drift, fd_drift) = match (base, last) {
        (Some(b), Some(l)) => (drift(b.1 as f64, l.1 as f64), drift(b.2 as f64, l.2 as f64)),
        _ => (0.0, 0.0),
    };
    let flat = rss_drift.abs() <= FLAT && fd_drift.abs() <= FLAT;
    println!(
        "\nanswered {} of {calls} ({errors} error answers from injected faults), lost {lost}, answers for unknown or answered ids {strays}",
        calls - lost
    );
    println!(
        "after warm-up ({} calls): RSS {:+.1}%, descriptors {:+.1}% (target within ±{:.0}%): {}",
        base.map_or(0, |b| b.0),
        rss_drift * 100.0,
        fd_drift * 100.0,
        FLAT * 100.0,
        if flat { "PASS" } else { "FAIL" }
    );
    let whole = lost == 0 && strays == 0;
    println!(
        "every call answered exactly once: {}",
        if whole { "PASS" } else { "FAIL" }
    );
    flat && whole
}

async fn send_and_wait(
    stdin: &mut tokio::process::ChildStdin,
    pending: &Pending,
    message: &Value,
    id: &str,
) -> Result<Value> {
    let (tx, rx) = oneshot::channel();
    pending.lock().unwrap().insert(id.to_owned(), tx);
    stdin.write_all(format!("{message}\n").as_bytes()).await?;
    Ok(tokio::time::timeout(ANSWER_WITHIN, rx)
        .await
        .context("no answer in time")??)
}

/// Hands each answer to its waiting call; counts answers nobody waits for (a lost id, or a
/// second answer).
async fn read_answers(
    stdout: tokio::process::ChildStdout,
    pending: Pending,
    strays: Arc<Mutex<usize>>,
) {
    let mut lines = BufReader::with_capacity(1 << 20, stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            *strays.lock().unwrap() += 1;
            continue;
        };
        if message.get("method").is_some() {
            continue; // the server's own requests and notifications
        }
        let id = match &message["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match pending.lock().unwrap().remove(&id) {
            Some(tx) => {
                let _ = tx.send(message);
            }
            None => *strays.lock().unwrap() += 1,
        }
    }
}
