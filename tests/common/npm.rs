//! The pinned npm packages used as independent MCP peers (tests/npm-peers.sh installs them).

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

/// Where tests/npm-peers.sh installs the peers.
pub fn npm_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("THREEMINAPI_TEST_NPM") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache"));
    cache.join("3minapi-tests/npm")
}

/// Installs the peers if they are missing (idempotent, pinned versions) and returns the path of a
/// package's directory.
pub fn package(name: &str) -> PathBuf {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/npm-peers.sh");
    let status = std::process::Command::new("bash")
        .arg(script)
        .status()
        .expect("run tests/npm-peers.sh");
    assert!(
        status.success(),
        "tests/npm-peers.sh failed: npm and the npm registry are needed"
    );
    let dir = npm_dir().join("node_modules").join(name);
    assert!(dir.is_dir(), "{} missing after npm-peers.sh", dir.display());
    dir
}

/// `@modelcontextprotocol/server-everything` in Streamable HTTP mode on a free loopback port.
pub struct Everything {
    pub url: String,
    _child: tokio::process::Child,
}

impl Everything {
    /// Starts the server on a port the kernel picks (PORT=0) and learns it from the line
    /// tests/report-listen-port.cjs prints once it listens. (Picking a free port first and
    /// probing it raced with other tests: a server that lost the port exited while the probe
    /// reached another test's server.)
    pub async fn start() -> Everything {
        let dir = package("@modelcontextprotocol/server-everything");
        let preload = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/report-listen-port.cjs");
        let mut child = tokio::process::Command::new("node")
            .arg("--require")
            .arg(preload)
            .arg(dir.join("dist/index.js"))
            .arg("streamableHttp")
            .env("PORT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start node server-everything");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut said = String::new();
        let port = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(port) = line.strip_prefix("test-port-report: listening on ") {
                    return port.parse::<u16>().unwrap();
                }
                said.push_str(&line);
                said.push('\n');
            }
            panic!("server-everything exited before it listened; it said:\n{said}");
        })
        .await
        .expect("server-everything did not listen within 30 s");
        // Keep reading what it says so that a full pipe never blocks it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Everything {
            url: format!("http://127.0.0.1:{port}/mcp"),
            _child: child,
        }
    }
}
