//! Upstream faults become JSON-RPC errors on the request that hit them, or are repaired without the
//! client noticing; the bridge never crashes or hangs, and never leaks the key while doing so.

mod common;

use common::bridge::{Bridge, assert_no_key, bridge};
use common::upstream::{FAKE_KEY, Upstream, UpstreamOptions};
use common::wait_until;
use serde_json::json;
use std::time::{Duration, Instant};

async fn legacy() -> Upstream {
    Upstream::start(UpstreamOptions::default()).await
}

fn no_leak(b: &Bridge) {
    assert_no_key(&b.stderr(), FAKE_KEY, "stderr");
}

#[tokio::test]
async fn expired_session_is_replayed_and_the_client_never_notices_twice_in_a_row() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    let client_init = up.requests_for("initialize")[0].body.clone();
    for round in 1..=2 {
        up.expire_sessions();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let answer = b.call_tool("echo", json!({"value": round})).await;
        assert_eq!(
            answer["result"]["structuredContent"]["value"], round,
            "{answer}"
        );
    }
    let inits = up.requests_for("initialize");
    assert_eq!(inits.len(), 3, "one replay per expiry");
    assert!(
        inits.iter().all(|r| r.body == client_init),
        "the client's own initialize is replayed"
    );
    assert_eq!(up.requests_for("notifications/initialized").len(), 3);
    // The 404s were seen by the bridge only: the client got exactly its two answers.
    assert!(b.seen.is_empty(), "unexpected messages: {:?}", b.seen);
    let statuses: Vec<u16> = up
        .requests_for("tools/call")
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [404, 200, 404, 200]);
    no_leak(&b);
}

#[tokio::test]
async fn a_refused_key_is_named_with_the_fix() {
    let up = Upstream::start(UpstreamOptions {
        key: "tm_mcp_test0000000000000000other".into(),
        ..Default::default()
    })
    .await;
    let mut b = bridge(&up.url(), FAKE_KEY).arg("-vv").spawn();
    let answer = b
        .request("initialize", common::bridge::init_params("2025-06-18"))
        .await;
    let msg = answer["error"]["message"].as_str().unwrap();
    assert_eq!(answer["error"]["code"], -32001);
    assert!(msg.contains("refused the MCP key (HTTP 401)"), "{msg}");
    assert!(msg.contains("regenerated or deleted"), "{msg}");
    assert!(msg.contains("3minapi auth login"), "{msg}");
    let (status, rest) = b.wait().await;
    assert!(status.success());
    assert!(rest.is_empty());
    no_leak(&b);
}

#[tokio::test]
async fn server_errors_name_the_url_and_status_then_the_next_call_works() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    up.fail_next(1, 503);
    let answer = b.request("tools/list", json!({})).await;
    let msg = answer["error"]["message"].as_str().unwrap();
    assert!(msg.contains(&up.url()) && msg.contains("HTTP 503"), "{msg}");
    let answer = b.request("tools/list", json!({})).await;
    assert!(answer["result"]["tools"].is_array(), "{answer}");
    no_leak(&b);
}

#[tokio::test]
async fn a_closed_port_is_reported_not_hung() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/api/mcp");
    let mut b = bridge(&url, FAKE_KEY).spawn();
    let started = Instant::now();
    let answer = b
        .request("initialize", common::bridge::init_params("2025-06-18"))
        .await;
    let msg = answer["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains(&url) && msg.to_lowercase().contains("refused"),
        "{msg}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    no_leak(&b);
}

#[tokio::test]
async fn an_unresolvable_host_is_reported_with_the_cause() {
    let mut b = bridge("https://no-such-host.invalid/api/mcp", FAKE_KEY).spawn();
    let answer = b
        .request("initialize", common::bridge::init_params("2025-06-18"))
        .await;
    let msg = answer["error"]["message"].as_str().unwrap();
    assert!(msg.contains("no-such-host.invalid"), "{msg}");
    assert!(
        msg.contains("dns")
            || msg.contains("lookup")
            || msg.contains("resolve")
            || msg.contains("timed out"),
        "{msg}"
    );
    no_leak(&b);
}

#[tokio::test]
async fn an_upstream_restarted_on_the_same_port_is_recovered() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    b.request("tools/list", json!({})).await;
    up.stop().await;
    let answer = b.request("tools/list", json!({})).await;
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&up.url()),
        "{answer}"
    );
    up.restart().await;
    let answer = b.call_tool("echo", json!({"value": "back"})).await;
    assert_eq!(
        answer["result"]["structuredContent"]["value"], "back",
        "{answer}"
    );
    no_leak(&b);
}

#[tokio::test]
async fn a_call_whose_connection_dies_ends_at_once_with_an_error() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    b.send(r#"{"jsonrpc":"2.0","id":"long","method":"tools/call","params":{"name":"slow","arguments":{"ms":30000}}}"#).await;
    wait_until("the upstream starts the slow call", || {
        up.started_slow_calls() > 0
    })
    .await;
    let started = Instant::now();
    up.stop().await;
    let answer = b.answer_to(&json!("long")).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(answer["error"]["code"], -32000, "{answer}");
    no_leak(&b);
}

#[tokio::test]
async fn a_failed_notification_is_logged_not_answered() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    // Only the notification's POST fails: the bridge relays messages side by side, so a rule
    // for "the next POST" could hit the request below when it overtakes the notification.
    up.fail_next_for("notifications/roots/list_changed", 1, 500);
    b.send(r#"{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}"#)
        .await;
    wait_until("the bridge logs the failed notification", || {
        b.stderr()
            .contains("could not relay notifications/roots/list_changed")
    })
    .await;
    // The next answer on stdout is the one to this request: nothing was sent for the notification.
    let answer = b.request("tools/list", json!({})).await;
    assert!(answer["result"].is_object(), "{answer}");
    assert!(b.seen.is_empty(), "{:?}", b.seen);
}

async fn delete_recorded(up: &Upstream) -> bool {
    up.requests()
        .iter()
        .any(|r| r.http_method == "DELETE" && r.header("mcp-session-id").is_some())
}

#[tokio::test]
async fn stdin_eof_answers_what_is_in_flight_then_deletes_the_session() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    b.send(r#"{"jsonrpc":"2.0","id":"last","method":"tools/call","params":{"name":"slow","arguments":{"ms":500}}}"#).await;
    b.close_stdin();
    let (status, rest) = b.wait().await;
    assert!(status.success());
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert!(rest[0].contains(r#""id":"last""#) && rest[0].contains("done after 500 ms"));
    assert!(delete_recorded(&up).await);
}

#[tokio::test]
async fn sigterm_and_sigint_end_at_once_with_exit_0_and_delete() {
    for sig in ["TERM", "INT"] {
        let up = legacy().await;
        let mut b = bridge(&up.url(), FAKE_KEY).spawn();
        b.initialize().await;
        b.send(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow","arguments":{"ms":60000}}}"#).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = Instant::now();
        b.signal(sig);
        let (status, _) = b.wait().await;
        assert!(status.success(), "SIG{sig}: {status:?}");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "SIG{sig} took {:?}",
            started.elapsed()
        );
        assert!(delete_recorded(&up).await, "SIG{sig}: no DELETE");
    }
}

#[tokio::test]
async fn shutdown_is_bounded_when_the_upstream_hangs() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    // Every further request (the DELETE included) now waits far longer than the shutdown bound.
    up.set_delay(Duration::from_secs(60));
    let started = Instant::now();
    b.signal("TERM");
    let (status, _) = b.wait().await;
    assert!(status.success());
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
}

/// No cap on a call's duration: log searches and archive downloads are slow.
#[tokio::test]
async fn a_call_longer_than_60_seconds_completes() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    b.send(r#"{"jsonrpc":"2.0","id":"61s","method":"tools/call","params":{"name":"slow","arguments":{"ms":61000}}}"#).await;
    let answer = tokio::time::timeout(Duration::from_secs(90), async {
        loop {
            match tokio::time::timeout(Duration::from_secs(15), b.answer_to(&json!("61s"))).await {
                Ok(a) => break a,
                Err(_) => continue,
            }
        }
    })
    .await
    .expect("answer within 90 s");
    assert_eq!(
        answer["result"]["content"][0]["text"], "done after 61000 ms",
        "{answer}"
    );
}

/// A redirect to another origin would carry the key there: it is not followed.
#[tokio::test]
async fn a_cross_origin_redirect_is_not_followed() {
    let up = legacy().await;
    let target = format!("http://localhost:{}/api/mcp", up.port());
    let redirector = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://127.0.0.1:{}/api/mcp",
        redirector.local_addr().unwrap().port()
    );
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = redirector.accept().await {
            let target = target.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = s.read(&mut buf).await;
                let resp = format!(
                    "HTTP/1.1 307 Temporary Redirect\r\nLocation: {target}\r\nContent-Length: 0\r\n\r\n"
                );
                let _ = s.write_all(resp.as_bytes()).await;
            });
        }
    });
    let mut b = bridge(&url, FAKE_KEY).spawn();
    let answer = b
        .request("initialize", common::bridge::init_params("2025-06-18"))
        .await;
    let msg = answer["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("another origin") && msg.contains("localhost"),
        "{msg}"
    );
    assert!(up.requests().is_empty(), "the key reached the other origin");
}

/// MCP 2025-11-25: a POST stream that ends after an event id without its answer is resumed with
/// `Last-Event-ID` on a GET, and the answer still reaches the client.
#[tokio::test]
async fn a_stream_cut_after_an_event_id_is_resumed_with_last_event_id() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    up.cut_next_streams(1);
    let answer = b.call_tool("slow", json!({"ms": 200})).await;
    assert_eq!(
        answer["result"]["content"][0]["text"], "done after 200 ms",
        "{answer}"
    );
    let resumed: Vec<_> = up
        .requests()
        .into_iter()
        .filter(|r| r.http_method == "GET" && r.header("last-event-id").is_some())
        .collect();
    assert_eq!(resumed.len(), 1, "one resume with Last-Event-ID");
    assert!(resumed[0].header("mcp-session-id").is_some());
    assert!(b.seen.is_empty(), "{:?}", b.seen);
}

/// A server that lost the stream answers every resume with an empty stream: the call fails with
/// an error instead of resuming forever.
#[tokio::test]
async fn a_stream_that_cannot_be_resumed_ends_with_an_error() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    up.drop_next_streams(1);
    let started = Instant::now();
    let answer = b.call_tool("slow", json!({"ms": 100})).await;
    assert_eq!(answer["error"]["code"], -32000, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("closed the stream"),
        "{answer}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    // The bridge still serves.
    let answer = b.call_tool("echo", json!({"value": 1})).await;
    assert_eq!(answer["result"]["structuredContent"]["value"], 1);
}
