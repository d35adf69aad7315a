//! `serve.log`: the trail a bridge leaves where the user can find it — which client started a
//! session in which era, what went wrong, how it ended — with a timestamp and the pid on each
//! line, keys masked, and a bridge that serves on when the log cannot be written.

mod common;

use common::bridge::{Bridge, assert_no_key, bridge};
use common::upstream::{FAKE_KEY, Mode, Upstream, UpstreamOptions};
use serde_json::json;
use std::path::{Path, PathBuf};

const NEW_KEY: &str = "tm_mcp_test0000000000000000new0NEW1";

fn default_log(b: &Bridge) -> PathBuf {
    b.home().join(".local/state/3minapi/serve.log")
}

/// The log's lines, each checked to be `<UTC time> [<pid>] <level>: <message>`.
fn entries(path: &Path, pid: u32) -> Vec<String> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("no log at {}: {e}", path.display()));
    text.lines()
        .map(|line| {
            let (time, rest) = line.split_once(' ').expect(line);
            assert!(
                time.len() == 24 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
                "time: {line}"
            );
            let rest = rest
                .strip_prefix(&format!("[{pid}] "))
                .unwrap_or_else(|| panic!("pid {pid}: {line}"));
            rest.to_owned()
        })
        .collect()
}

#[tokio::test]
async fn the_log_keeps_the_session_the_refusal_and_the_exit() {
    let up = Upstream::start(UpstreamOptions::default()).await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    let pid = b.child.id().unwrap();
    b.initialize().await;
    up.regenerate_key(NEW_KEY);
    let refused = b.call_tool("help", json!({})).await;
    assert!(refused.get("error").is_some(), "{refused}");
    let (status, _) = b.wait().await;
    assert!(status.success());

    let path = default_log(&b);
    let lines = entries(&path, pid);
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(
        has("info: session start: raw-test-client 0.0.1, protocol 2025-06-18"),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("warning: ") && l.contains("refused the MCP key (HTTP 401)")),
        "{lines:#?}"
    );
    assert_eq!(
        lines.last().map(String::as_str),
        Some("info: exit: the client closed stdin")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("tm_mcp_…0000"),
        "the key is named masked: {text}"
    );
    assert_no_key(&text, FAKE_KEY, "serve.log");
    // Not on stderr at the default level: the info lines are the log's.
    assert!(!b.stderr().contains("session start"), "{}", b.stderr());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "serve.log is private");
    }
}

#[tokio::test]
async fn a_stateless_client_is_named_once_and_xdg_state_home_is_honoured() {
    let up = Upstream::start(UpstreamOptions {
        mode: Mode::Modern,
        ..UpstreamOptions::default()
    })
    .await;
    let state = tempfile::tempdir().unwrap();
    let mut b = bridge(&up.url(), FAKE_KEY)
        .env("XDG_STATE_HOME", state.path().to_str().unwrap())
        .spawn();
    let pid = b.child.id().unwrap();
    for _ in 0..2 {
        let answer = b.modern_call("help", json!({"topic": "keys"})).await;
        assert!(answer.get("result").is_some(), "{answer}");
    }
    b.wait().await;
    assert!(!default_log(&b).exists(), "XDG_STATE_HOME wins");
    let lines = entries(&state.path().join("3minapi/serve.log"), pid);
    let starts: Vec<_> = lines
        .iter()
        .filter(|l| l.contains("session start"))
        .collect();
    assert_eq!(
        starts,
        ["info: session start: raw-test-client 0.0.1, protocol 2026-07-28 (stateless)"],
        "{lines:#?}"
    );
}

#[tokio::test]
async fn a_log_that_cannot_be_written_costs_one_warning_and_the_bridge_serves() {
    let up = Upstream::start(UpstreamOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    // The state directory is a file: nothing can be created under it.
    let blocked = dir.path().join("state");
    std::fs::write(&blocked, "not a directory").unwrap();
    let mut b = bridge(&up.url(), FAKE_KEY)
        .env("XDG_STATE_HOME", blocked.to_str().unwrap())
        .spawn();
    b.initialize().await;
    let listed = b.request("tools/list", json!({})).await;
    assert!(listed["result"]["tools"].is_array(), "{listed}");
    let (status, _) = b.wait().await;
    assert!(status.success());
    let stderr = b.stderr();
    assert_eq!(
        stderr.matches("cannot write the log").count(),
        1,
        "one warning naming the log: {stderr}"
    );
    assert!(stderr.contains("serve.log"), "{stderr}");
}

/// `3minapi logs` with HOME and XDG_STATE_HOME in `home`.
fn logs(home: &Path, args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_3minapi"))
        .arg("logs")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Ends `logs --follow` however the test ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn output(child: std::process::Child) -> (i32, String, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn logs_shows_the_last_entries_across_the_rotated_file_as_text_or_json() {
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = output(logs(home.path(), &[]));
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty() && err.contains("no log at"), "{err}");

    let dir = home.path().join("state/3minapi");
    std::fs::create_dir_all(&dir).unwrap();
    let line = |i: u32, level: &str| {
        format!(
            "2026-12-06T23:0{i}:00.000Z [{}] {level}: event {i}\n",
            100 + i
        )
    };
    std::fs::write(
        dir.join("serve.log.1"),
        line(1, "info") + &line(2, "warning"),
    )
    .unwrap();
    std::fs::write(
        dir.join("serve.log"),
        line(3, "info") + "a line cut short by a cra" + "\n" + &line(4, "error"),
    )
    .unwrap();
    let (code, out, _) = output(logs(home.path(), &["-n", "3"]));
    assert_eq!(code, 0);
    assert_eq!(
        out,
        line(2, "warning") + &line(3, "info") + &line(4, "error"),
        "the last 3 entries, oldest first, the broken line skipped"
    );
    let (_, out, _) = output(logs(home.path(), &["--json", "-n", "1"]));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        v,
        json!({"time": "2026-12-06T23:04:00.000Z", "pid": 104, "level": "error", "message": "event 4"})
    );
}

#[tokio::test]
async fn logs_follow_prints_what_a_bridge_writes_next() {
    let home = tempfile::tempdir().unwrap();
    let up = Upstream::start(UpstreamOptions::default()).await;
    let mut follower = KillOnDrop(logs(home.path(), &["--follow", "-n", "0"]));
    let stdout = follower.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let mut b = bridge(&up.url(), FAKE_KEY)
        .env("HOME", home.path().to_str().unwrap())
        .env(
            "XDG_STATE_HOME",
            home.path().join("state").to_str().unwrap(),
        )
        .spawn();
    b.initialize().await;
    b.wait().await;
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen
        .iter()
        .any(|l: &String| l.contains("exit: the client closed stdin"))
    {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(_) => panic!("logs --follow did not print the bridge's exit: {seen:#?}"),
        }
    }
    drop(follower);
    assert!(
        seen.iter()
            .any(|l| l.contains("session start: raw-test-client")),
        "{seen:#?}"
    );
}
