//! TLS as users behind a TLS-inspecting proxy meet it (issue 16, DESIGN §9): an upstream whose
//! certificate comes from a CA made in the test, trusted through `--ca-file`,
//! `THREEMINAPI_CA_FILE`, `SSL_CERT_FILE` or `SSL_CERT_DIR`; an untrusted one named by its
//! issuer; HTTP/2 over one connection when offered, HTTP/1.1 otherwise; unusable CA bundles
//! reported with their path while the bridge keeps answering.

mod common;

use common::bridge::bridge;
use common::tls::{TestCa, issuer_name};
use common::upstream::{FAKE_KEY, Upstream, UpstreamOptions};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

async fn tls_upstream(ca: &TestCa, alpn: &[&[u8]]) -> Upstream {
    Upstream::start(UpstreamOptions {
        tls: Some(ca.server_config(alpn)),
        ..Default::default()
    })
    .await
}

/// A bridge to `url` trusting `ca` through `THREEMINAPI_CA_FILE` (the directory holding the
/// PEM file is returned: keep it while the bridge runs).
fn trusting(url: &str, ca: &TestCa) -> (common::bridge::Bridge, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let pem = ca.write_pem(dir.path(), "ca.pem");
    let b = bridge(url, FAKE_KEY)
        .env("THREEMINAPI_CA_FILE", pem.to_str().unwrap())
        .spawn();
    (b, dir)
}

/// Sends 16 `slow` calls at once and checks each gets its result.
async fn sixteen_at_once(b: &mut common::bridge::Bridge) {
    for i in 0..16u64 {
        b.send_json(&json!({"jsonrpc":"2.0","id":format!("c{i}"),"method":"tools/call","params":{"name":"slow","arguments":{"ms":100}}})).await;
    }
    for i in 0..16u64 {
        let answer = b.answer_to(&json!(format!("c{i}"))).await;
        assert!(answer["result"].is_object(), "{answer}");
    }
}

#[tokio::test]
async fn over_h2_one_connection_carries_every_call_and_the_get_stream() {
    let ca = TestCa::new("Inspecting Proxy CA");
    let up = tls_upstream(&ca, &[b"h2", b"http/1.1"]).await;
    assert!(up.url().starts_with("https://"));
    let (mut b, _ca_dir) = trusting(&up.url(), &ca);
    b.initialize().await;
    sixteen_at_once(&mut b).await;
    let listed = b.request("tools/list", json!({})).await;
    assert!(listed["result"]["tools"].as_array().is_some(), "{listed}");
    let requests = up.requests();
    assert!(
        requests.iter().any(|r| r.http_method == "GET"),
        "the legacy GET stream was opened"
    );
    for r in &requests {
        assert_eq!(
            r.http_version, "HTTP/2.0",
            "{} {:?}",
            r.http_method, r.rpc_method
        );
    }
    assert_eq!(up.connections(), 1, "one h2 connection for everything");
}

#[tokio::test]
async fn without_h2_on_offer_http1_is_spoken() {
    let ca = TestCa::new("Inspecting Proxy CA");
    let up = tls_upstream(&ca, &[b"http/1.1"]).await;
    let dir = tempfile::tempdir().unwrap();
    let pem = ca.write_pem(dir.path(), "corp-ca.pem");
    let mut b = bridge(&up.url(), FAKE_KEY)
        .arg("--ca-file")
        .arg(pem.to_str().unwrap())
        .spawn();
    b.initialize().await;
    sixteen_at_once(&mut b).await;
    let requests = up.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        assert_eq!(r.http_version, "HTTP/1.1");
    }
    // Sixteen at once over HTTP/1.1: the pool opens several connections.
    assert!(up.connections() > 1, "{}", up.connections());
}

#[tokio::test]
async fn ssl_cert_file_and_ssl_cert_dir_are_honoured() {
    let ca = TestCa::new("Inspecting Proxy CA");
    let up = tls_upstream(&ca, &[b"h2", b"http/1.1"]).await;
    let dir = tempfile::tempdir().unwrap();
    let pem = ca.write_pem(dir.path(), "corp-ca.pem");
    // A directory as OpenSSL keeps one: certificates and other files side by side.
    std::fs::write(dir.path().join("README"), "not a certificate\n").unwrap();
    for (var, value) in [
        ("SSL_CERT_FILE", pem.to_str().unwrap()),
        ("SSL_CERT_DIR", dir.path().to_str().unwrap()),
    ] {
        let mut b = bridge(&up.url(), FAKE_KEY).env(var, value).spawn();
        b.initialize().await;
        let listed = b.request("tools/list", json!({})).await;
        assert!(listed["result"]["tools"].is_array(), "{var}: {listed}");
    }
}

fn error_message(answer: &Value) -> String {
    answer["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error: {answer}"))
        .to_owned()
}

#[tokio::test]
async fn an_untrusted_certificate_is_named_by_its_issuer_with_the_fix() {
    let ca = TestCa::new("Corp Inspection CA");
    let up = tls_upstream(&ca, &[b"h2", b"http/1.1"]).await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    for _ in 0..2 {
        let answer = b
            .request("initialize", common::bridge::init_params("2025-06-18"))
            .await;
        let message = error_message(&answer);
        assert!(
            message.contains(&issuer_name("Corp Inspection CA")),
            "{message}"
        );
        assert!(message.contains("does not trust"), "{message}");
        assert!(message.contains("--ca-file"), "{message}");
        assert!(message.contains("THREEMINAPI_CA_FILE"), "{message}");
    }
    // Another CA's certificate does not help: still refused, still named.
    let other = TestCa::new("Some Other CA");
    let (mut b, _ca_dir) = trusting(&up.url(), &other);
    let answer = b
        .request("initialize", common::bridge::init_params("2025-06-18"))
        .await;
    assert!(
        error_message(&answer).contains(&issuer_name("Corp Inspection CA")),
        "{answer}"
    );
    assert!(up.requests().is_empty(), "nothing reached the server");
}

/// Unusable bundles: each one named with its path, the bridge answering every request with it.
#[tokio::test]
async fn unusable_ca_bundles_are_reported_with_their_path_and_the_bridge_keeps_answering() {
    let ca = TestCa::new("Inspecting Proxy CA");
    let up = tls_upstream(&ca, &[b"h2", b"http/1.1"]).await;
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let key = dir.path().join("server-key.pem");
    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let nowhere = dir.path().join("nowhere.pem");
    let cases: [(&str, &Path, &str); 4] = [
        ("THREEMINAPI_CA_FILE", dir.path(), "directory"),
        ("THREEMINAPI_CA_FILE", &key, "private key"),
        ("THREEMINAPI_CA_FILE", &empty, "empty"),
        ("SSL_CERT_FILE", &nowhere, "cannot be read"),
    ];
    for (var, path, problem) in cases {
        let path = path.to_str().unwrap();
        let mut b = bridge(&up.url(), FAKE_KEY).env(var, path).spawn();
        for method in ["initialize", "tools/list"] {
            let answer = b
                .request(method, common::bridge::init_params("2025-06-18"))
                .await;
            let message = error_message(&answer);
            assert!(message.contains(path), "{var}={path}: {message}");
            assert!(message.contains(problem), "{var}={path}: {message}");
            assert!(message.contains(var), "{var}={path}: {message}");
        }
        assert!(b.stderr().contains(path), "{}", b.stderr());
        let (status, _) = b.wait().await;
        assert!(status.success());
    }
    assert!(up.requests().is_empty());
}

/// `3minapi ARGS` in a sandbox (cleared environment, no keychain) against `url`, with the fake key.
fn command(url: &str, args: &[&str]) -> common::keyring::Output {
    common::keyring::Sandbox::new()
        .cmd(args)
        .url(url)
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run()
}

#[tokio::test]
async fn commands_and_doctor_name_the_issuer_and_take_the_ca_file() {
    let ca = TestCa::new("Corp Inspection CA");
    let up = tls_upstream(&ca, &[b"h2", b"http/1.1"]).await;
    let url = up.url();
    let dir = tempfile::tempdir().unwrap();
    let pem = ca.write_pem(dir.path(), "corp-ca.pem");
    let pem = pem.to_str().unwrap().to_owned();
    let (list, doctor, trusted) = tokio::task::spawn_blocking(move || {
        (
            command(&url, &["tools", "list"]),
            command(&url, &["doctor", "--json"]),
            command(&url, &["--ca-file", &pem, "tools", "list"]),
        )
    })
    .await
    .unwrap();

    let stderr = &list.stderr;
    list.expect_code(1);
    assert!(
        stderr.contains(&issuer_name("Corp Inspection CA")),
        "{stderr}"
    );
    assert!(stderr.contains("--ca-file"), "{stderr}");

    let report: Value = doctor.json();
    let network = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "network")
        .unwrap()
        .clone();
    assert_eq!(network["status"], "fail", "{network}");
    let text = network.to_string();
    assert!(text.contains(&issuer_name("Corp Inspection CA")), "{text}");
    assert!(text.contains("--ca-file"), "{text}");

    trusted.expect_code(0);
    assert!(
        trusted.stdout.contains("endpoints"),
        "{}",
        trusted.context()
    );
}

/// An h2 upstream that sends GOAWAY in the middle of calls (a server restarting, a load
/// balancer draining): the calls in progress get their results, the next ones go over a new
/// connection, nothing is refused.
#[tokio::test]
async fn a_goaway_mid_call_loses_nothing() {
    let ca = TestCa::new("Inspecting Proxy CA");
    let up = tls_upstream(&ca, &[b"h2", b"http/1.1"]).await;
    let (mut b, _ca_dir) = trusting(&up.url(), &ca);
    b.initialize().await;
    for i in 0..4 {
        b.send_json(&json!({"jsonrpc":"2.0","id":format!("slow{i}"),"method":"tools/call","params":{"name":"slow","arguments":{"ms":1500}}})).await;
    }
    common::wait_until("the slow calls started", || up.started_slow_calls() == 4).await;
    assert_eq!(up.connections(), 1);
    up.goaway();
    // Sent right after the GOAWAY: on the old connection if it came before the final GOAWAY,
    // else on a new one; either way answered.
    let echo = b.call_tool("echo", json!({"value": "during"})).await;
    assert!(echo["result"].is_object(), "{echo}");
    for i in 0..4 {
        let answer = b.answer_to(&json!(format!("slow{i}"))).await;
        assert!(answer["result"].is_object(), "{answer}");
    }
    // The old connection is closed once its streams are done: the next call opens a new one.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let echo = b.call_tool("echo", json!({"value": "after"})).await;
    assert!(echo["result"].is_object(), "{echo}");
    assert!(up.connections() >= 2, "{}", up.connections());
}

/// A proxy (or NAT) that goes silent while keeping the connection open: TCP sees nothing wrong
/// (the proxy acknowledges every byte), so only HTTP/2's PING can tell. The call in progress
/// ends with an error naming the lost connection within 45 s, and the next call works over a
/// new connection.
#[tokio::test]
async fn over_h2_a_silent_proxy_is_noticed_by_ping() {
    let ca = TestCa::new("Inspecting Proxy CA");
    let up = Upstream::start(UpstreamOptions {
        tls: Some(ca.server_config(&[b"h2", b"http/1.1"])),
        mode: common::upstream::Mode::Modern,
        ..Default::default()
    })
    .await;
    let proxy =
        common::delay_proxy::DelayProxy::start(([127, 0, 0, 1], up.port()).into(), Duration::ZERO)
            .await;
    let url = format!("https://127.0.0.1:{}/api/mcp", proxy.port());
    let (mut b, _ca_dir) = trusting(&url, &ca);
    let warm = b.modern_call("echo", json!({"value": "warm"})).await;
    assert!(warm["result"].is_object(), "{warm}");
    b.send_json(&json!({"jsonrpc":"2.0","id":"long","method":"tools/call","params":{"name":"slow","arguments":{"ms":600000},"_meta":common::bridge::modern_meta()}}))
        .await;
    common::wait_until("the slow call started", || up.started_slow_calls() == 1).await;
    proxy.black_hole();
    b.line_timeout = Duration::from_secs(60);
    let started = std::time::Instant::now();
    let answer = b.answer_to(&json!("long")).await;
    let took = started.elapsed();
    let text = error_message(&answer);
    assert!(text.contains("lost"), "{text}");
    assert!(took < Duration::from_secs(45), "{took:?}");
    eprintln!("ended after {took:?}: {text}");
    let next = b.modern_call("echo", json!({"value": "next"})).await;
    assert!(next["result"].is_object(), "{next}");
}
