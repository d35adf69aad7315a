//! An independent implementation as the upstream: the reference server-everything (TypeScript SDK),
//! so rmcp-to-rmcp symmetry cannot hide a protocol bug. Sampling, elicitation and roots requests
//! from the server round-trip through the bridge to the client and back.

mod common;

use common::bridge::{Bridge, bridge};
use common::npm::Everything;
use serde_json::{Value, json};

/// The fake key: server-everything ignores it, the bridge still requires a well-formed one.
const KEY: &str = "tm_mcp_test0000000000000000000000";

/// Calls a tool while acting as the client: answers the server's requests on the way.
async fn call_answering(b: &mut Bridge, id: &str, tool: &str, args: Value) -> (Value, Vec<String>) {
    b.send_json(&json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{"name":tool,"arguments":args}})).await;
    let mut asked = vec![];
    loop {
        let m = b.recv().await;
        if m["id"] == id && m.get("method").is_none() {
            return (m, asked);
        }
        let (Some(method), Some(req_id)) = (m["method"].as_str(), m.get("id")) else {
            continue; // notifications
        };
        asked.push(method.to_owned());
        let result = match method {
            "sampling/createMessage" => {
                json!({"role":"assistant","content":{"type":"text","text":"sampled-by-the-test"},"model":"test-model","stopReason":"endTurn"})
            }
            "elicitation/create" => json!({"action":"accept","content":{"name":"Ada Lovelace"}}),
            "roots/list" => {
                json!({"roots":[{"uri":"file:///work/the-project","name":"the-project"}]})
            }
            "ping" => json!({}),
            other => panic!("unexpected server request {other}"),
        };
        b.send_json(&json!({"jsonrpc":"2.0","id":req_id,"result":result}))
            .await;
    }
}

fn text_of(answer: &Value) -> String {
    answer["result"]["content"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .filter_map(|c| c["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn server_everything_through_the_bridge() {
    let server = Everything::start().await;
    let mut b = bridge(&server.url, KEY).spawn();
    let init = b.initialize().await;
    assert_eq!(
        init["result"]["serverInfo"]["name"], "mcp-servers/everything",
        "{init}"
    );

    let list = b.request("tools/list", json!({})).await;
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for want in [
        "echo",
        "trigger-sampling-request",
        "trigger-elicitation-request",
        "get-roots-list",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }

    let (answer, _) = call_answering(&mut b, "e", "echo", json!({"message": "héllo ✓"})).await;
    assert!(text_of(&answer).contains("héllo ✓"), "{answer}");

    let (answer, asked) = call_answering(
        &mut b,
        "s",
        "trigger-sampling-request",
        json!({"prompt": "hi", "maxTokens": 10}),
    )
    .await;
    assert!(asked.contains(&"sampling/createMessage".to_owned()));
    assert!(text_of(&answer).contains("sampled-by-the-test"), "{answer}");

    let (answer, asked) =
        call_answering(&mut b, "el", "trigger-elicitation-request", json!({})).await;
    assert!(asked.contains(&"elicitation/create".to_owned()));
    assert!(text_of(&answer).contains("Ada Lovelace"), "{answer}");

    let (answer, asked) = call_answering(&mut b, "r", "get-roots-list", json!({})).await;
    assert!(
        asked.contains(&"roots/list".to_owned()),
        "roots were never asked: {asked:?}"
    );
    assert!(
        text_of(&answer).contains("file:///work/the-project"),
        "{answer}"
    );

    b.close_stdin();
    let (status, _) = b.wait().await;
    assert!(status.success());
}

/// Messages the server sends outside any request arrive on the standalone GET stream and are
/// forwarded: server-everything's simulated logging sends `notifications/message` every few seconds.
#[tokio::test]
async fn server_everything_notifications_on_the_get_stream_reach_the_client() {
    let server = Everything::start().await;
    let mut b = bridge(&server.url, KEY).spawn();
    b.initialize().await;
    let (answer, _) = call_answering(&mut b, "log", "toggle-simulated-logging", json!({})).await;
    assert!(answer.get("result").is_some(), "{answer}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "no log notification within 30 s"
        );
        let m = b.recv().await;
        if m["method"] == "notifications/message" {
            assert!(m["params"]["level"].is_string(), "{m}");
            break;
        }
    }
}
