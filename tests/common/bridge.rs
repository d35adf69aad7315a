//! Drives the built `3minapi mcp serve` over stdio, line by line, in a temp HOME with a cleared
//! environment. Every stdout line must be a JSON-RPC message: anything else fails the test.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

pub const BIN: &str = env!("CARGO_BIN_EXE_3minapi");
/// How long a test waits for one line before it fails (never hang CI).
pub const LINE_TIMEOUT: Duration = Duration::from_secs(20);

/// Builds one bridge process.
pub struct Spawn {
    url: Option<String>,
    key: Option<String>,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

pub fn bridge(url: &str, key: &str) -> Spawn {
    Spawn {
        url: Some(url.to_owned()),
        key: Some(key.to_owned()),
        args: vec![],
        env: vec![],
    }
}

impl Spawn {
    pub fn no_key(mut self) -> Self {
        self.key = None;
        self
    }
    pub fn arg(mut self, a: &str) -> Self {
        self.args.push(a.to_owned());
        self
    }
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.to_owned(), v.to_owned()));
        self
    }

    pub fn spawn(self) -> Bridge {
        let home = tempfile::tempdir().expect("temp HOME");
        let stderr_path = home.path().join("stderr.log");
        let stderr = std::fs::File::create(&stderr_path).unwrap();
        let mut cmd = tokio::process::Command::new(BIN);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            // No keychain unless a test brings its own: never the developer's real one.
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}/no-session-bus", home.path().display()),
            )
            .env("NO_PROXY", "*");
        if let Some(url) = &self.url {
            cmd.env("THREEMINAPI_URL", url);
        }
        if let Some(key) = &self.key {
            cmd.env("THREEMINAPI_MCP_KEY", key);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.arg("mcp").arg("serve").args(&self.args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .kill_on_drop(true);
        let mut child = cmd.spawn().expect("spawn 3minapi");
        let stdin = child.stdin.take();
        let stdout = BufReader::with_capacity(1 << 20, child.stdout.take().unwrap()).lines();
        Bridge {
            child,
            stdin,
            stdout,
            stderr_path,
            home,
            seen: vec![],
            next_id: 1000,
            line_timeout: LINE_TIMEOUT,
        }
    }
}

pub struct Bridge {
    pub child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr_path: PathBuf,
    home: tempfile::TempDir,
    /// Messages received but not yet claimed by `request`.
    pub seen: Vec<Value>,
    next_id: i64,
    /// How long to wait for one line ([`LINE_TIMEOUT`] unless a test expects a slow answer).
    pub line_timeout: Duration,
}

impl Bridge {
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The capacities of the pipes to the bridge's stdin and from its stdout.
    #[cfg(target_os = "linux")]
    pub fn pipe_sizes(&mut self) -> (usize, usize) {
        let stdin = self.stdin.as_ref().expect("stdin open");
        let stdout = self.stdout.get_mut().get_ref();
        (
            rustix::pipe::fcntl_getpipe_size(stdin).unwrap(),
            rustix::pipe::fcntl_getpipe_size(stdout).unwrap(),
        )
    }

    pub async fn send(&mut self, line: &str) {
        self.send_raw(format!("{line}\n").as_bytes()).await;
    }

    pub async fn send_json(&mut self, v: &Value) {
        self.send(&v.to_string()).await;
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).await.expect("write to bridge");
        stdin.flush().await.unwrap();
    }

    /// The next stdout line as text; fails the test if none comes in time.
    pub async fn recv_line(&mut self) -> String {
        match tokio::time::timeout(self.line_timeout, self.stdout.next_line()).await {
            Ok(Ok(Some(line))) => line,
            Ok(Ok(None)) => panic!("bridge closed stdout; stderr:\n{}", self.stderr()),
            Ok(Err(e)) => panic!("reading bridge stdout: {e}"),
            Err(_) => panic!(
                "no line from the bridge within {:?}; stderr:\n{}",
                self.line_timeout,
                self.stderr()
            ),
        }
    }

    /// The next stdout message; every line must be one JSON-RPC 2.0 object.
    pub async fn recv(&mut self) -> Value {
        let line = self.recv_line().await;
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line:.200}"));
        assert_eq!(
            v["jsonrpc"], "2.0",
            "stdout line is not JSON-RPC: {line:.200}"
        );
        v
    }

    /// Sends a request and returns its answer; other messages are kept in `seen`.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = json!(self.next_id);
        self.send_json(&json!({"jsonrpc":"2.0","id":id,"method":method,"params":params}))
            .await;
        self.answer_to(&id).await
    }

    /// Waits for the response with this id, keeping other messages in `seen`.
    pub async fn answer_to(&mut self, id: &Value) -> Value {
        if let Some(pos) = self
            .seen
            .iter()
            .position(|m| &m["id"] == id && m.get("method").is_none())
        {
            return self.seen.remove(pos);
        }
        loop {
            let m = self.recv().await;
            if &m["id"] == id && m.get("method").is_none() {
                return m;
            }
            self.seen.push(m);
        }
    }

    /// The legacy handshake: initialize (answer returned) + notifications/initialized.
    pub async fn initialize(&mut self) -> Value {
        let answer = self.request("initialize", init_params("2025-06-18")).await;
        assert!(
            answer.get("result").is_some(),
            "initialize failed: {answer}"
        );
        self.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            .await;
        // A ping after it: once answered, the handshake has surely reached the server.
        let pong = self.request("ping", json!({})).await;
        assert!(pong.get("result").is_some(), "ping failed: {pong}");
        answer
    }

    /// A 2026-07-28 (stateless) `tools/call`: the per-request `_meta` of [`modern_meta`].
    pub async fn modern_call(&mut self, name: &str, args: Value) -> Value {
        self.request(
            "tools/call",
            json!({"name": name, "arguments": args, "_meta": modern_meta()}),
        )
        .await
    }

    pub async fn call_tool(&mut self, name: &str, args: Value) -> Value {
        self.request("tools/call", json!({"name": name, "arguments": args}))
            .await
    }

    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    /// Sends a signal to the bridge process.
    pub fn signal(&self, sig: &str) {
        super::signal(self.child.id().expect("running"), sig);
    }

    /// Waits for the process to exit (bounded); returns its status and whatever stdout still held.
    pub async fn wait(&mut self) -> (ExitStatus, Vec<String>) {
        self.close_stdin();
        let mut rest = vec![];
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            match tokio::time::timeout_at(deadline, self.stdout.next_line()).await {
                Ok(Ok(Some(line))) => rest.push(line),
                Ok(_) => break,
                Err(_) => panic!("bridge did not close stdout within 15 s"),
            }
        }
        let status = tokio::time::timeout_at(deadline, self.child.wait())
            .await
            .expect("bridge did not exit within 15 s")
            .unwrap();
        (status, rest)
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

/// The `_meta` every 2026-07-28 request carries.
pub fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw-test-client", "version": "0.0.1"}
    })
}

pub fn init_params(version: &str) -> Value {
    json!({
        "protocolVersion": version,
        "capabilities": {"sampling": {}, "elicitation": {}, "roots": {"listChanged": true}},
        "clientInfo": {"name": "raw-test-client", "version": "0.0.1"}
    })
}

/// Fails when a key (or any distinctive part of it) shows up in `text`.
pub fn assert_no_key(text: &str, key: &str, what: &str) {
    let body = key
        .split_once('_')
        .and_then(|(_, rest)| rest.split_once('_'))
        .map(|(_, b)| b)
        .unwrap_or(key);
    assert!(!text.contains(key), "{what} contains the key");
    assert!(!text.contains(body), "{what} contains the key's body");
}
