//! Dead connections and sleep never hang a call (issue 16 items 4 and 5, DESIGN §9). Each test
//! runs in its own network namespace where nftables silences connections for real
//! (`common::netns`); the bridge is the built binary, the upstream the fake MCP server.

mod common;

use common::bridge::{Bridge, bridge};
use common::netns;
use common::upstream::{FAKE_KEY, Mode, Upstream, UpstreamOptions};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A bridge with a session and a pooled connection that has carried a call.
async fn warmed_up(up: &Upstream) -> Bridge {
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    let answer = b.call_tool("echo", json!({"value": "warm"})).await;
    assert!(answer["result"].is_object(), "{answer}");
    b
}

/// How many times the upstream ran `echo` with this value (a request it refused, such as one
/// carrying an expired session, ran nothing).
fn runs_of(up: &Upstream, value: &str) -> usize {
    up.requests_for("tools/call")
        .iter()
        .filter(|r| r.status == 200)
        .filter(|r| {
            r.json()
                .is_some_and(|m| m["params"]["arguments"]["value"] == value)
        })
        .count()
}

fn message(answer: &Value) -> String {
    answer["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error: {answer}"))
        .to_owned()
}

#[test]
fn a_call_on_a_connection_that_died_while_idle_is_answered_within_10_s_and_runs_once() {
    if !netns::enter(
        "a_call_on_a_connection_that_died_while_idle_is_answered_within_10_s_and_runs_once",
    ) {
        return;
    }
    runtime().block_on(async {
        let up = Upstream::start(UpstreamOptions::default()).await;
        let mut b = warmed_up(&up).await;
        let silenced = netns::silence_connections_to(up.port());
        assert!(silenced >= 1, "no connection to silence");
        let started = Instant::now();
        let answer = b.call_tool("echo", json!({"value": "after-death"})).await;
        let took = started.elapsed();
        assert!(answer["result"].is_object(), "{answer}");
        assert!(took < Duration::from_secs(10), "answered after {took:?}");
        assert_eq!(runs_of(&up, "after-death"), 1, "the tool ran once");
        eprintln!("answered after {took:?} ({silenced} connection(s) silenced)");
    });
}

#[test]
fn a_connection_that_goes_silent_during_a_call_ends_it_within_45_s() {
    if !netns::enter("a_connection_that_goes_silent_during_a_call_ends_it_within_45_s") {
        return;
    }
    runtime().block_on(async {
        // The stateless era: a broken answer stream cannot be resumed, so the call must end.
        // (A session's stream with event ids is resumed instead: no error to show.)
        let up = Upstream::start(UpstreamOptions {
            mode: Mode::Modern,
            ..Default::default()
        })
        .await;
        let mut b = bridge(&up.url(), FAKE_KEY).spawn();
        let warm = b.modern_call("echo", json!({"value": "warm"})).await;
        assert!(warm["result"].is_object(), "{warm}");
        b.send_json(&json!({"jsonrpc":"2.0","id":"long","method":"tools/call","params":{"name":"slow","arguments":{"ms":600000},"_meta":common::bridge::modern_meta()}}))
            .await;
        common::wait_until("the slow call started", || up.started_slow_calls() == 1).await;
        netns::silence_connections_to(up.port());
        b.line_timeout = Duration::from_secs(60);
        let started = Instant::now();
        let answer = b.answer_to(&json!("long")).await;
        let took = started.elapsed();
        let text = message(&answer);
        assert!(text.contains("lost"), "{text}");
        assert!(took < Duration::from_secs(45), "ended after {took:?}");
        eprintln!("ended after {took:?}: {text}");
        // The bridge serves on: a new connection carries the next call.
        let next = b.modern_call("echo", json!({"value": "next"})).await;
        assert!(next["result"].is_object(), "{next}");
    });
}

#[test]
fn an_unreachable_server_is_named_within_15_s_and_the_next_call_works_once_it_is_back() {
    if !netns::enter(
        "an_unreachable_server_is_named_within_15_s_and_the_next_call_works_once_it_is_back",
    ) {
        return;
    }
    runtime().block_on(async {
        let up = Upstream::start(UpstreamOptions::default()).await;
        let mut b = warmed_up(&up).await;
        netns::cut_network_to(up.port());
        let started = Instant::now();
        let answer = b.call_tool("echo", json!({"value": "unreachable"})).await;
        let took = started.elapsed();
        let text = message(&answer);
        assert!(took < Duration::from_secs(15), "answered after {took:?}");
        assert!(text.contains(&up.url()), "{text}");
        assert!(text.contains("timed out"), "{text}");
        eprintln!("error after {took:?}: {text}");
        netns::restore_network();
        let answer = b.call_tool("echo", json!({"value": "back"})).await;
        assert!(answer["result"].is_object(), "{answer}");
        assert_eq!(runs_of(&up, "back"), 1);
    });
}

/// Where Debian's faketime package puts the library.
fn libfaketime() -> std::path::PathBuf {
    let candidates = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
    ];
    candidates
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists())
        .expect("libfaketime (Debian package faketime) is not installed")
}

/// A suspend as the bridge sees it: the process stopped, its connections dead and its session
/// expired meanwhile, and the
/// wall clock (libfaketime, read again on every call) two hours ahead of the monotonic one
/// when it runs again.
#[test]
fn after_a_sleep_the_next_call_is_answered_within_5_s() {
    if !netns::enter("after_a_sleep_the_next_call_is_answered_within_5_s") {
        return;
    }
    runtime().block_on(async {
        let up = Upstream::start(UpstreamOptions::default()).await;
        let dir = tempfile::tempdir().unwrap();
        let offset = dir.path().join("faketime");
        std::fs::write(&offset, "+0\n").unwrap();
        let mut b = bridge(&up.url(), FAKE_KEY)
            .env("LD_PRELOAD", libfaketime().to_str().unwrap())
            .env("FAKETIME_TIMESTAMP_FILE", offset.to_str().unwrap())
            .env("FAKETIME_NO_CACHE", "1")
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
            .spawn();
        b.initialize().await;
        let answer = b.call_tool("echo", json!({"value": "before"})).await;
        assert!(answer["result"].is_object(), "{answer}");

        b.signal("STOP");
        netns::silence_connections_to(up.port());
        // The server forgot the session meanwhile too.
        up.expire_sessions();
        std::fs::write(&offset, "+2h\n").unwrap();
        b.signal("CONT");

        let started = Instant::now();
        let answer = b.call_tool("echo", json!({"value": "after-wake"})).await;
        let took = started.elapsed();
        assert!(answer["result"].is_object(), "{answer}");
        assert!(took < Duration::from_secs(5), "answered after {took:?}");
        assert_eq!(runs_of(&up, "after-wake"), 1);
        eprintln!("answered after {took:?}");
    });
}

/// A tool that is silent for over a minute on a healthy connection is not mistaken for a dead
/// peer: the keep-alive probes are answered.
#[tokio::test]
async fn a_call_silent_for_70_s_on_a_healthy_connection_completes() {
    let up = Upstream::start(UpstreamOptions::default()).await;
    let mut b = warmed_up(&up).await;
    b.line_timeout = Duration::from_secs(120);
    let started = Instant::now();
    let answer = b.call_tool("slow", json!({"ms": 72_000})).await;
    assert!(answer["result"].is_object(), "{answer}");
    assert!(started.elapsed() >= Duration::from_secs(72));
}

/// Each cause is named in the error the client shows: DNS, refused, a proxy that refuses, a proxy
/// that accepts and then says nothing (its CONNECT never answered). Connect timeouts, lost
/// connections and untrusted certificates have their own tests above and in bridge_tls.rs.
#[test]
fn errors_name_the_cause() {
    if !netns::enter("errors_name_the_cause") {
        return;
    }
    runtime().block_on(async {
        // A port nothing listens on, and a "proxy" that accepts and never answers.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let closed_port = closed.local_addr().unwrap().port();
        drop(closed);
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let silent_port = silent.local_addr().unwrap().port();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((conn, _)) = silent.accept().await {
                held.push(conn);
            }
        });
        let refused_proxy = format!("http://proxyuser:proxypass@127.0.0.1:{closed_port}");
        let silent_proxy = format!("http://127.0.0.1:{silent_port}");
        // (URL, environment, what the message must say)
        type Case = (String, Vec<(&'static str, String)>, Vec<String>);
        let cases: Vec<Case> = vec![
            (
                "https://no-such-host.invalid/api/mcp".into(),
                vec![],
                vec!["DNS".into(), "no-such-host.invalid".into()],
            ),
            (
                format!("http://127.0.0.1:{closed_port}/api/mcp"),
                vec![],
                vec!["refused".into()],
            ),
            (
                "https://3minapi.example/api/mcp".into(),
                vec![("HTTPS_PROXY", refused_proxy.clone())],
                vec![
                    format!("through the proxy http://proxyuser:***@127.0.0.1:{closed_port}"),
                    "refused".into(),
                ],
            ),
            (
                "https://3minapi.example/api/mcp".into(),
                vec![("HTTPS_PROXY", silent_proxy.clone())],
                vec![
                    format!("through the proxy {silent_proxy}"),
                    "timed out".into(),
                ],
            ),
        ];
        for (url, env, wanted) in cases {
            let mut spawn = bridge(&url, FAKE_KEY).env("NO_PROXY", "");
            for (k, v) in &env {
                spawn = spawn.env(k, v);
            }
            let mut b = spawn.spawn();
            let started = Instant::now();
            let answer = b
                .request("initialize", common::bridge::init_params("2025-06-18"))
                .await;
            let took = started.elapsed();
            let text = message(&answer);
            for w in &wanted {
                assert!(text.contains(w.as_str()), "{url} {env:?}: {text}");
            }
            assert!(
                !text.contains("proxypass"),
                "the proxy's password is shown: {text}"
            );
            assert!(took < Duration::from_secs(15), "{url}: {took:?}");
            eprintln!("{url} {env:?}: after {took:?}: {text}");
        }
    });
}

/// A load balancer that closes connections idle for 2 s (real ones do it after 60 s to 5 min)
/// ends neither a slow call nor the session: the bridge resumes the call's stream with
/// `Last-Event-ID` and the client sees only the result.
#[tokio::test]
async fn an_idle_cut_is_resumed_and_never_shown() {
    let up = Upstream::start(UpstreamOptions::default()).await;
    let proxy = common::delay_proxy::DelayProxy::with_idle_cut(
        ([127, 0, 0, 1], up.port()).into(),
        Duration::ZERO,
        Some(Duration::from_secs(2)),
    )
    .await;
    let url = format!("http://127.0.0.1:{}/api/mcp", proxy.port());
    let mut b = bridge(&url, FAKE_KEY).spawn();
    let init = b
        .request("initialize", common::bridge::init_params("2025-11-25"))
        .await;
    assert!(init["result"].is_object(), "{init}");
    b.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;
    let opened = proxy.accepted();
    b.line_timeout = Duration::from_secs(60);
    let answer = b.call_tool("slow", json!({"ms": 7000})).await;
    assert!(answer["result"].is_object(), "{answer}");
    assert!(
        proxy.accepted() > opened,
        "the call's stream was never cut: the test proves nothing"
    );
    // The session lives on.
    let next = b.call_tool("echo", json!({"value": "after"})).await;
    assert!(next["result"].is_object(), "{next}");
}

/// Over h2 requests share one connection: when it dies, a call the server acknowledged moments
/// before fails with the same error as the one sent onto the dead connection. Neither is sent
/// again — the first may be running — so no tool runs twice.
#[test]
fn a_call_sharing_a_dying_h2_connection_is_never_run_twice() {
    if !netns::enter("a_call_sharing_a_dying_h2_connection_is_never_run_twice") {
        return;
    }
    runtime().block_on(async {
        let ca = common::tls::TestCa::new("Inspecting Proxy CA");
        // JSON answers: a call's answer headers come with its result, so the long call is
        // still waiting for them when the connection dies.
        let up = Upstream::start(UpstreamOptions {
            tls: Some(ca.server_config(&[b"h2", b"http/1.1"])),
            json_response: true,
            ..Default::default()
        })
        .await;
        let dir = tempfile::tempdir().unwrap();
        let pem = ca.write_pem(dir.path(), "ca.pem");
        let mut b = bridge(&up.url(), FAKE_KEY)
            .env("THREEMINAPI_CA_FILE", pem.to_str().unwrap())
            .spawn();
        b.initialize().await;
        b.send_json(&json!({"jsonrpc":"2.0","id":"long","method":"tools/call","params":{"name":"slow","arguments":{"ms":30000}}}))
            .await;
        common::wait_until("the long call started", || up.started_slow_calls() == 1).await;
        assert_eq!(up.connections(), 1, "one h2 connection");
        netns::silence_connections_to(up.port());
        b.send_json(&json!({"jsonrpc":"2.0","id":"short","method":"tools/call","params":{"name":"echo","arguments":{"value":"short"}}}))
            .await;
        b.line_timeout = Duration::from_secs(60);
        let long = b.answer_to(&json!("long")).await;
        assert!(message(&long).contains("lost"), "{long}");
        let short = b.answer_to(&json!("short")).await;
        assert!(short.get("error").is_some() || short["result"].is_object(), "{short}");
        // Had the long call been sent again, the server would have started it twice by now.
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(up.started_slow_calls(), 1, "the long call ran twice");
        assert!(runs_of(&up, "short") <= 1);
    });
}
