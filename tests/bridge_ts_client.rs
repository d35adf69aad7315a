//! An independent 2026-07-28 client: the official TypeScript SDK v2 client
//! (`@modelcontextprotocol/client`, pinned in tests/npm-peers.sh) drives the built bridge over
//! stdio through tests/modern_ts_client.mjs, against the fake upstream in its modern-only mode.
//!
//! The SDK's `versionNegotiation` defaults to `'legacy'` (a plain `initialize`); the script opts
//! in, and both opt-ins are run: `{ pin: '2026-07-28' }` and `'auto'`. Either way the SDK's stdio
//! transport sends its `server/discover` probe to a short-lived sibling bridge process, then
//! starts the session's bridge process, whose first message is already a stateless request.

mod common;

use common::bridge::BIN;
use common::npm;
use common::upstream::{FAKE_KEY, MCP_PATH, Mode, Recorded, TOOL_NAMES, Upstream, UpstreamOptions};
use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/modern_ts_client.mjs");
const MODERN: &str = "2026-07-28";
/// The 3Min API tools: the first eight of `TOOL_NAMES` (the fake upstream serves a few test
/// tools after them).
const TOOLS: &[&str] = TOOL_NAMES.split_at(8).0;
/// The query the script searches the logs for, and its `Mcp-Param-Query` header: not printable
/// ASCII, so SEP-2243 wraps the base64 of its UTF-8.
const QUERY: &str = "héllo 世界";
const QUERY_HEADER: &str = "=?base64?aMOpbGxvIOS4lueVjA==?=";

/// Runs the script once; returns its JSON line and its stderr (the traced wire).
async fn run_client(up: &Upstream, package: &Path, negotiation: &str) -> (Value, String) {
    let home = tempfile::tempdir().expect("temp HOME");
    let child = tokio::process::Command::new("node")
        .arg(SCRIPT)
        .arg(BIN)
        .args(["mcp", "serve"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("THREEMINAPI_URL", up.url())
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .env("MCP_CLIENT_PKG", package)
        .env("MCP_NEGOTIATION", negotiation)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run node (Node.js is needed for this test)");
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{negotiation}: modern_ts_client.mjs did not finish in 60 s"))
        .expect("wait for node");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{negotiation}: modern_ts_client.mjs failed ({}):\nstdout: {stdout}\nstderr:\n{stderr}",
        out.status
    );
    let line = stdout
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_else(|| panic!("{negotiation}: no output; stderr:\n{stderr}"));
    let v = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("{negotiation}: not JSON ({e}): {line}\nstderr:\n{stderr}"));
    (v, stderr)
}

fn describe(requests: &[Recorded]) -> String {
    requests
        .iter()
        .map(|r| {
            let headers: Vec<String> = r
                .headers
                .iter()
                .filter(|(k, _)| k.starts_with("mcp-"))
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            format!(
                "{} {} {} -> {} [{}]",
                r.http_method,
                r.path,
                r.rpc_method.as_deref().unwrap_or("-"),
                r.status,
                headers.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn typescript_sdk_v2_client_speaks_2026_07_28_through_the_bridge() {
    let up = Upstream::start(UpstreamOptions {
        mode: Mode::Modern,
        ..Default::default()
    })
    .await;
    let package = npm::package("@modelcontextprotocol/client");

    for negotiation in ["pin", "auto"] {
        up.clear_requests();
        let (out, stderr) = run_client(&up, &package, negotiation).await;
        let requests = up.requests();
        let ctx = format!(
            "{negotiation}: {out}\nupstream saw:\n{}\nclient stderr:\n{stderr}",
            describe(&requests)
        );

        // What the client saw.
        assert_eq!(out["protocolVersion"], MODERN, "{ctx}");
        assert_eq!(out["era"], "modern", "{ctx}");
        let tools: Vec<&str> = out["tools"]
            .as_array()
            .unwrap_or_else(|| panic!("no tools: {ctx}"))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for want in TOOLS {
            assert!(tools.contains(want), "{want} missing from {tools:?}: {ctx}");
        }
        let help = out["help"].as_str().unwrap_or_default();
        assert!(help.contains("3Min API"), "help text: {ctx}");
        let logs = out["logs"]
            .as_str()
            .unwrap_or_else(|| panic!("logs failed: {ctx}"));
        assert!(logs.contains(QUERY), "logs did not search {QUERY}: {ctx}");

        // What reached the upstream: stateless 2026-07-28 only.
        assert!(!requests.is_empty(), "{ctx}");
        assert!(
            up.requests_for("initialize").is_empty(),
            "initialize reached the upstream: {ctx}"
        );
        for r in &requests {
            assert_eq!(r.path, MCP_PATH, "{ctx}");
            assert_eq!(
                r.header("mcp-protocol-version"),
                Some(MODERN),
                "{} {:?} without mcp-protocol-version {MODERN}: {ctx}",
                r.http_method,
                r.rpc_method
            );
            assert!(
                r.header("mcp-session-id").is_none(),
                "{:?} carried mcp-session-id: {ctx}",
                r.rpc_method
            );
            assert_eq!(r.status, 200, "{:?}: {ctx}", r.rpc_method);
        }
        // The SDK's connect-time probe (sent on its sibling bridge process).
        let discover = up.requests_for("server/discover");
        assert!(!discover.is_empty(), "no server/discover: {ctx}");
        assert!(
            discover
                .iter()
                .all(|r| r.header("mcp-method") == Some("server/discover")),
            "{ctx}"
        );
        assert!(!up.requests_for("tools/list").is_empty(), "{ctx}");

        let calls = up.requests_for("tools/call");
        let named = |name: &str| -> Vec<&Recorded> {
            calls
                .iter()
                .filter(|r| r.header("mcp-name") == Some(name))
                .collect()
        };
        assert_eq!(named("help").len(), 1, "{ctx}");
        let logs_calls = named("logs");
        assert_eq!(logs_calls.len(), 1, "{ctx}");
        let call = logs_calls[0];
        assert_eq!(call.header("mcp-method"), Some("tools/call"), "{ctx}");
        assert_eq!(
            call.header("mcp-param-query"),
            Some(QUERY_HEADER),
            "the logs call's Mcp-Param-Query: {ctx}"
        );
        assert!(
            call.json()
                .is_some_and(|b| b["params"]["arguments"]["query"] == QUERY),
            "{ctx}"
        );
        eprintln!("{negotiation}: upstream saw:\n{}", describe(&requests));
    }
}
