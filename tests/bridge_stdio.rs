//! The stdio side: garbage never crashes the bridge, big messages pass intact up to 64 MiB, longer
//! ones are refused without being held in memory, stdout carries JSON-RPC only, and the key appears
//! in no output or log.

mod common;

use common::bridge::{Bridge, assert_no_key, bridge};
use common::upstream::{FAKE_KEY, Upstream, UpstreamOptions};
use serde_json::json;

const MIB: usize = 1024 * 1024;

async fn ready() -> (Upstream, Bridge) {
    let up = Upstream::start(UpstreamOptions::default()).await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    (up, b)
}

#[tokio::test]
async fn garbage_lines_get_errors_and_the_bridge_keeps_serving() {
    let (_up, mut b) = ready().await;
    let cases: [(&[u8], i64, serde_json::Value); 6] = [
        (b"this is not json\n", -32700, json!(null)),
        (b"{\"jsonrpc\":\"2.0\",\"id\":\n", -32700, json!(null)),
        (b"\xff\xfe{\"id\":1}\n", -32700, json!(null)),
        (
            b"{\"jsonrpc\":\"2.0\",\"id\":5,\"foo\":1}\n",
            -32600,
            json!(5),
        ),
        (b"42\n", -32600, json!(null)),
        (
            b"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]\n",
            -32600,
            json!(null),
        ),
    ];
    for (input, code, id) in cases {
        b.send_raw(input).await;
        let answer = b.recv().await;
        assert_eq!(
            answer["error"]["code"],
            code,
            "{:?} -> {answer}",
            String::from_utf8_lossy(input)
        );
        assert_eq!(answer["id"], id);
    }
    // Empty and blank lines are dropped silently.
    b.send_raw(b"\n\r\n   \n").await;
    // 5 MB of junk on one line: a parse error, then business as usual.
    let mut junk = vec![b'x'; 5 * 1000 * 1000];
    junk.push(b'\n');
    b.send_raw(&junk).await;
    let answer = b.recv().await;
    assert_eq!(answer["error"]["code"], -32700);
    let answer = b.request("tools/list", json!({})).await;
    assert!(answer["result"]["tools"].is_array(), "{answer}");
    assert!(b.seen.is_empty(), "unexpected lines: {:?}", b.seen);
}

#[tokio::test]
async fn a_message_just_under_64_mib_reaches_the_server_intact() {
    let (up, mut b) = ready().await;
    let filler = "y".repeat(64 * MIB - 200);
    let line = format!(
        r#"{{"jsonrpc":"2.0","id":"blob","method":"vendor/blob","params":{{"blob":"{filler}"}}}}"#
    );
    assert!(line.len() < 64 * MIB);
    b.send(&line).await;
    // The server does not know the method: its own answer proves it read the whole message.
    let answer = b.answer_to(&json!("blob")).await;
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    let seen = up.requests_for("vendor/blob");
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].body == line,
        "the 64 MiB message changed on the way"
    );
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_longer_line_is_refused_without_being_buffered() {
    let (up, mut b) = ready().await;
    let pid = b.child.id().unwrap();
    // 200 MiB on one line, written in pieces as a client would stream it.
    let piece = vec![b'z'; 4 * MIB];
    b.send_raw(br#"{"jsonrpc":"2.0","id":"huge","method":"tools/call","params":{"name":"echo","arguments":{"value":""#).await;
    for _ in 0..50 {
        b.send_raw(&piece).await;
    }
    b.send_raw(b"\"}}}\n").await;
    let answer = b.recv().await;
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("64 MiB")
    );
    let peak = peak_rss_kib(pid);
    assert!(
        peak < 110 * 1024,
        "peak RSS {peak} KiB: the long line was buffered"
    );
    assert!(
        up.requests_for("tools/call").is_empty(),
        "the refused line reached the server"
    );
    let answer = b.call_tool("echo", json!({"value": "still here"})).await;
    assert_eq!(answer["result"]["structuredContent"]["value"], "still here");
}

#[tokio::test]
async fn a_2_mb_argument_round_trips() {
    let (_up, mut b) = ready().await;
    let value = "é".repeat(MIB); // 2 MB of UTF-8
    let answer = b.call_tool("echo", json!({"value": value})).await;
    assert_eq!(
        answer["result"]["structuredContent"]["value"]
            .as_str()
            .unwrap()
            .len(),
        value.len()
    );
    assert!(answer["result"]["structuredContent"]["value"] == value);
}

/// A big message crosses a 1 MiB pipe in a few writes, where the default 64 KiB would take
/// dozens, each waking the other side.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_bridge_widens_its_stdio_pipes() {
    let (_up, mut b) = ready().await;
    assert_eq!(
        b.pipe_sizes(),
        (MIB, MIB),
        "stdin and stdout pipe capacities"
    );
}

/// Every error path, at -vv, with a log file: the key is in none of stdout, stderr, the log.
#[tokio::test]
async fn the_key_appears_in_no_output_or_log() {
    let up = Upstream::start(UpstreamOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("bridge.log");
    let mut stdout_lines = vec![];
    // 1. refused key (401), 2. server error, 3. unreachable, 4. session expiry, 5. a panic-free garbage path.
    for key in [FAKE_KEY, "tm_mcp_test0000000000000000wrong"] {
        let mut b = bridge(&up.url(), key)
            .arg("-vv")
            .arg("--log-file")
            .arg(log.to_str().unwrap())
            .spawn();
        let init = b
            .request("initialize", common::bridge::init_params("2025-06-18"))
            .await;
        stdout_lines.push(init.to_string());
        if init.get("result").is_some() {
            b.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
                .await;
            up.fail_next_for("tools/list", 1, 500);
            stdout_lines.push(b.request("tools/list", json!({})).await.to_string());
            up.expire_sessions();
            stdout_lines.push(b.request("tools/list", json!({})).await.to_string());
            b.send("garbage").await;
            stdout_lines.push(b.recv().await.to_string());
        }
        let (_, rest) = b.wait().await;
        stdout_lines.extend(rest);
        let stderr = b.stderr();
        assert!(
            stderr.is_empty(),
            "with --log-file, stderr stays empty: {stderr}"
        );
        assert_no_key(&stderr, key, "stderr");
        assert_no_key(&stdout_lines.join("\n"), key, "stdout");
    }
    let unreachable = bridge("http://127.0.0.1:9/api/mcp", FAKE_KEY)
        .arg("-vv")
        .arg("--log-file")
        .arg(log.to_str().unwrap())
        .spawn();
    let mut unreachable = unreachable;
    let answer = unreachable
        .request("initialize", common::bridge::init_params("2025-06-18"))
        .await;
    assert_no_key(&answer.to_string(), FAKE_KEY, "stdout");
    unreachable.wait().await;
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("tm_mcp_…0000"),
        "the log names the key masked:\n{logged}"
    );
    assert!(
        logged.contains("HTTP 500") && logged.contains("401"),
        "the log records the failures:\n{logged}"
    );
    assert_no_key(&logged, FAKE_KEY, "log file");
    assert_no_key(&logged, "tm_mcp_test0000000000000000wrong", "log file");
}

/// MCP clients give the bridge pipes, which it reads and writes on its runtime thread; anything
/// else (here: stdin and stdout redirected to files, as in `3minapi mcp serve < requests`) goes
/// through blocking reader and writer threads. The same messages must come out either way.
#[tokio::test]
async fn files_as_stdin_and_stdout_work_too() {
    let up = Upstream::start(UpstreamOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let output = dir.path().join("out.jsonl");
    let lines = [
        json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":common::bridge::init_params("2025-11-25")}),
        json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
        json!({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"value":"from a file"}}}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&input, text).unwrap();
    let status = tokio::process::Command::new(common::bridge::BIN)
        .args(["mcp", "serve"])
        .env_clear()
        .env("HOME", dir.path())
        .env("NO_PROXY", "*")
        .env("THREEMINAPI_URL", up.url())
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .stdin(std::fs::File::open(&input).unwrap())
        .stdout(std::fs::File::create(&output).unwrap())
        .stderr(std::process::Stdio::null())
        .status();
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), status)
        .await
        .expect("the bridge exits when its input file ends")
        .unwrap();
    assert!(status.success(), "{status}");
    let out = std::fs::read_to_string(&output).unwrap();
    let answers: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("every stdout line is JSON"))
        .collect();
    assert_eq!(answers.len(), 2, "{out}");
    let by_id = |id: i64| answers.iter().find(|a| a["id"] == id).expect("answered");
    assert_eq!(by_id(1)["result"]["serverInfo"]["name"], "fake-3minapi");
    assert_eq!(
        by_id(2)["result"]["structuredContent"]["value"],
        "from a file"
    );
}
