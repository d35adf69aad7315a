//! Without a usable key the bridge still runs, answers every request with the problem and its fix,
//! and sends nothing upstream.

mod common;

use common::bridge::{assert_no_key, bridge, init_params};
use common::upstream::{Upstream, UpstreamOptions};
use serde_json::json;

async fn refused_everywhere(key: Option<&str>, expect: &[&str]) -> String {
    let up = Upstream::start(UpstreamOptions::default()).await;
    let spawn = bridge(&up.url(), key.unwrap_or(""));
    let mut b = if key.is_some() {
        spawn.spawn()
    } else {
        spawn.no_key().spawn()
    };
    // A dual-era client probes first, then falls back to initialize; both must be answered.
    let discover = b.request("server/discover", json!({})).await;
    assert!(discover.get("error").is_some());
    for (method, params) in [
        ("initialize", init_params("2025-06-18")),
        ("tools/list", json!({})),
        ("tools/call", json!({"name":"help"})),
    ] {
        let answer = b.request(method, params).await;
        let msg = answer["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{answer}"));
        assert_eq!(answer["error"]["code"], -32001, "{answer}");
        for want in expect {
            assert!(msg.contains(want), "{method}: {msg:?} lacks {want:?}");
        }
    }
    b.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;
    let (status, rest) = b.wait().await;
    assert!(status.success());
    assert!(rest.is_empty(), "a notification got an answer: {rest:?}");
    assert!(
        up.requests().is_empty(),
        "something was sent upstream: {:?}",
        up.requests()
    );
    if let Some(key) = key.filter(|k| k.starts_with("tm_")) {
        assert_no_key(&b.stderr(), key, "stderr");
    }
    b.stderr()
}

#[tokio::test]
async fn no_key_names_the_fix() {
    let stderr = refused_everywhere(
        None,
        &[
            "no MCP key found",
            "3minapi auth login",
            "THREEMINAPI_MCP_KEY",
        ],
    )
    .await;
    assert!(stderr.contains("no MCP key found"), "{stderr}");
}

#[tokio::test]
async fn placeholders_and_empty_values_count_as_unset_with_a_warning() {
    for value in ["", "${THREEMINAPI_MCP_KEY}", "$THREEMINAPI_MCP_KEY"] {
        let stderr = refused_everywhere(Some(value), &["no MCP key found"]).await;
        assert!(
            stderr.contains("THREEMINAPI_MCP_KEY is"),
            "{value:?}: {stderr}"
        );
    }
}

#[tokio::test]
async fn collaboration_keys_are_refused_as_such() {
    refused_everywhere(
        Some("tm_live_test0000000000000000000000"),
        &[
            "tm_live_ (production) collaboration key",
            "tm_mcp_",
            "Settings → AI Integration → CLI / IDE",
        ],
    )
    .await;
    refused_everywhere(
        Some("tm_test_test0000000000000000000000"),
        &["tm_test_ (sandbox) collaboration key", "3minapi auth login"],
    )
    .await;
}

#[tokio::test]
async fn other_strings_are_not_mcp_keys() {
    for key in [
        "tm_mcp_short",
        "sk-test000000000000000000000",
        "tm_mcp_test0000 0000000000000",
    ] {
        refused_everywhere(Some(key), &["not an MCP key", "3minapi auth login"]).await;
    }
}

#[tokio::test]
async fn plain_http_to_another_host_is_refused_before_sending_the_key() {
    let mut b = bridge(
        "http://example.invalid/api/mcp",
        "tm_mcp_test0000000000000000000000",
    )
    .spawn();
    let answer = b.request("initialize", init_params("2025-06-18")).await;
    let msg = answer["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("clear text") && msg.contains("https://"),
        "{msg}"
    );
}
