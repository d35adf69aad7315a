//! The bridge is a relay: what the client sends reaches the server as the same text, what the
//! server answers reaches the client as the same JSON value, whatever MCP feature it belongs to.

mod common;

use common::bridge::{assert_no_key, bridge, init_params};
use common::upstream::{FAKE_KEY, TOOL_NAMES, Upstream, UpstreamOptions};
use common::wait_until;
use serde_json::{Value, json};

async fn legacy() -> Upstream {
    Upstream::start(UpstreamOptions::default()).await
}

#[tokio::test]
async fn handshake_list_and_call_pass_through_unchanged() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    let init = b.initialize().await;
    assert_eq!(init["result"]["serverInfo"]["name"], "fake-3minapi");
    assert_eq!(init["result"]["protocolVersion"], "2025-06-18");

    let list = b.request("tools/list", json!({})).await;
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, TOOL_NAMES);

    // Unknown fields anywhere, numbers that re-encoding would change, unicode, escapes.
    let value = json!({"n": 1, "f": 1.5, "big": 18446744073709551615u64, "neg": -0.25, "s": "✓ \"q\" \\ \n", "nested": {"x": [null, true, {"y": []}]}});
    let line = format!(
        r#"{{"jsonrpc":"2.0","id":"call-1","method":"tools/call","params":{{"name":"echo","arguments":{{"value":{value}}},"_meta":{{"vendor.example/extra":{{"a":1}}}},"task":{{"ttl":5}}}},"x-unknown":7}}"#
    );
    b.send(&line).await;
    let answer = b.answer_to(&json!("call-1")).await;
    assert_eq!(
        answer["result"]["structuredContent"]["value"], value,
        "{answer}"
    );

    // The server received exactly the text the client wrote.
    let seen = up.requests_for("tools/call");
    assert_eq!(seen.last().unwrap().body, line);
    b.close_stdin();
    let (status, _) = b.wait().await;
    assert!(status.success());
}

#[tokio::test]
async fn ids_of_every_type_come_back_as_they_were() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    for id in [
        r#""abc""#,
        r#""""#,
        "0",
        "-5",
        "9007199254740993",
        r#""ünï-✓""#,
    ] {
        b.send(&format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/list"}}"#
        ))
        .await;
        let line = b.recv_line().await;
        assert!(
            line.contains(&format!(r#""id":{id}"#)),
            "id {id} changed: {line:.120}"
        );
    }
}

#[tokio::test]
async fn headers_carry_session_version_key_and_user_agent() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    b.request("tools/list", json!({})).await;
    let reqs = up.requests();
    let init = reqs
        .iter()
        .find(|r| r.rpc_method.as_deref() == Some("initialize"))
        .unwrap();
    assert!(init.header("mcp-session-id").is_none());
    // The same version and commit as `3minapi --version` prints.
    let version = std::process::Command::new(env!("CARGO_BIN_EXE_3minapi"))
        .arg("--version")
        .output()
        .unwrap();
    let version = String::from_utf8(version.stdout).unwrap();
    let expected = version.trim().replacen("3minapi ", "3minapi/", 1);
    assert!(expected.contains("(commit "), "{version}");
    assert_eq!(init.header("user-agent"), Some(expected.as_str()));
    assert_eq!(init.header("x-api-key"), Some(FAKE_KEY));
    assert_eq!(
        init.header("accept"),
        Some("application/json, text/event-stream")
    );
    assert_eq!(init.header("content-type"), Some("application/json"));
    let list = reqs
        .iter()
        .find(|r| r.rpc_method.as_deref() == Some("tools/list"))
        .unwrap();
    assert!(list.header("mcp-session-id").is_some_and(|s| !s.is_empty()));
    assert_eq!(list.header("mcp-protocol-version"), Some("2025-06-18"));
    // The standalone GET stream is opened on the session once the handshake is done.
    let get = |up: &Upstream| up.requests().into_iter().find(|r| r.http_method == "GET");
    wait_until("a GET stream opens", || get(&up).is_some()).await;
    let get = get(&up).unwrap();
    assert_eq!(get.header("mcp-session-id"), list.header("mcp-session-id"));
    assert_eq!(get.header("accept"), Some("text/event-stream"));
}

#[tokio::test]
async fn unknown_methods_get_the_servers_own_answer() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    let answer = b.request("vendor/doesNotExist", json!({"a": 1})).await;
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    assert!(up.requests_for("vendor/doesNotExist").len() == 1);
}

#[tokio::test]
async fn server_discover_to_a_legacy_server_is_answered_method_not_found() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    let answer = b.request("server/discover", json!({})).await;
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    // The server answered 400 "Missing session ID": the bridge asked once and sorted the answer.
    assert_eq!(up.requests_for("server/discover").len(), 1);
    // A dual-era client then falls back to initialize through the same process.
    b.initialize().await;
}

#[tokio::test]
async fn progress_notifications_arrive_before_the_result() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    b.send(r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"slow","arguments":{"ms":300,"steps":3},"_meta":{"progressToken":"tok-1"}}}"#).await;
    let mut progress = 0;
    loop {
        let m = b.recv().await;
        if m["method"] == "notifications/progress" {
            assert_eq!(m["params"]["progressToken"], "tok-1");
            progress += 1;
        } else if m["id"] == 9 {
            assert_eq!(
                m["result"]["content"][0]["text"], "done after 300 ms",
                "{m}"
            );
            break;
        }
    }
    assert_eq!(progress, 3);
}

/// Sampling, elicitation and roots: the server asks the client in the middle of a call; the
/// client's answer goes back through the bridge and the call completes with it.
#[tokio::test]
async fn server_to_client_requests_round_trip() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    let cases: [(&str, &str, Value); 3] = [
        (
            "sample",
            "sampling/createMessage",
            json!({"role":"assistant","content":{"type":"text","text":"sampled!"},"model":"m-1","stopReason":"endTurn"}),
        ),
        (
            "elicit",
            "elicitation/create",
            json!({"action":"accept","content":{"name":"Ada"}}),
        ),
        (
            "roots",
            "roots/list",
            json!({"roots":[{"uri":"file:///work/project","name":"project"}]}),
        ),
    ];
    for (i, (tool, method, reply)) in cases.into_iter().enumerate() {
        let call_id = json!(format!("call-{i}"));
        b.send_json(&json!({"jsonrpc":"2.0","id":call_id,"method":"tools/call","params":{"name":tool,"arguments":{}}})).await;
        let asked = loop {
            let m = b.recv().await;
            if m["method"] == method {
                break m;
            }
            assert_ne!(m["id"], call_id, "{tool} answered before asking: {m}");
        };
        b.send_json(&json!({"jsonrpc":"2.0","id":asked["id"],"result":reply}))
            .await;
        let answer = b.answer_to(&call_id).await;
        let text = answer["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("{answer}"));
        let got: Value = serde_json::from_str(text).unwrap();
        for (k, v) in reply.as_object().unwrap() {
            assert_eq!(&got[k], v, "{tool}: {text}");
        }
    }
    b.close_stdin();
    let (status, _) = b.wait().await;
    assert!(status.success());
    assert_no_key(&b.stderr(), FAKE_KEY, "stderr");
}

#[tokio::test]
async fn older_protocol_versions_are_relayed_as_asked() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    let answer = b.request("initialize", init_params("2025-03-26")).await;
    assert_eq!(answer["result"]["protocolVersion"], "2025-03-26");
    b.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;
    b.request("tools/list", json!({})).await;
    let list = up.requests_for("tools/list");
    assert_eq!(list[0].header("mcp-protocol-version"), Some("2025-03-26"));
}

/// The standalone GET stream is reopened with `Last-Event-ID` when the server closes it, and a
/// server that forgot the session gets a new GET stream on the new session.
#[tokio::test]
async fn the_get_stream_reconnects_with_last_event_id() {
    let up = legacy().await;
    let mut b = bridge(&up.url(), FAKE_KEY).spawn();
    b.initialize().await;
    let gets = |up: &Upstream| {
        up.requests()
            .into_iter()
            .filter(|r| r.http_method == "GET")
            .collect::<Vec<_>>()
    };
    wait_until("a GET stream opens", || !gets(&up).is_empty()).await;
    up.close_get_streams().await;
    wait_until("the GET stream is reopened", || gets(&up).len() >= 2).await;
    let all = gets(&up);
    assert!(
        all[1].header("last-event-id").is_some(),
        "reconnected without Last-Event-ID"
    );
    assert_eq!(
        all[1].header("mcp-session-id"),
        all[0].header("mcp-session-id")
    );
    // After a session loss and replay, the GET stream follows the new session.
    up.expire_sessions();
    b.request("tools/list", json!({})).await;
    let new_session = up
        .requests_for("tools/list")
        .last()
        .unwrap()
        .header("mcp-session-id")
        .unwrap()
        .to_owned();
    wait_until("a GET stream opens on the new session", || {
        gets(&up)
            .iter()
            .any(|g| g.header("mcp-session-id") == Some(new_session.as_str()))
    })
    .await;
}
