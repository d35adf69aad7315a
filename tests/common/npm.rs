//! The pinned npm packages used as independent MCP peers (tests/npm-peers.sh installs them).

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

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
    pub async fn start() -> Everything {
        let dir = package("@modelcontextprotocol/server-everything");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = tokio::process::Command::new("node")
            .arg(dir.join("dist/index.js"))
            .arg("streamableHttp")
            .env("PORT", port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start node server-everything");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                std::time::Instant::now() < deadline,
                "server-everything did not listen within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Everything {
            url: format!("http://127.0.0.1:{port}/mcp"),
            _child: child,
        }
    }
}
