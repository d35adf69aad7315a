//! Tool filtering in `mcp serve` (`--read-only`, `--allow-tool`, `--deny-tool`) against the fake
//! upstream, whose request record shows what reached it; the fail-closed cases where the server
//! changes under the filter; and the one-shot `tools list | call` commands.

mod common;

use common::bridge::{Bridge, assert_no_key, bridge};
use common::keyring::Sandbox;
use common::upstream::{FAKE_KEY, Mode, TOOL_NAMES, Upstream, UpstreamOptions};
use serde_json::{Value, json};

async fn upstream(mode: Mode) -> Upstream {
    Upstream::start(UpstreamOptions {
        mode,
        ..Default::default()
    })
    .await
}

async fn filtered(up: &Upstream, flags: &[&str]) -> Bridge {
    let mut spawn = bridge(&up.url(), FAKE_KEY);
    for f in flags {
        spawn = spawn.arg(f);
    }
    let mut b = spawn.spawn();
    b.initialize().await;
    b
}

fn names(list: &Value) -> Vec<String> {
    list["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("not a listing: {list}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Every page of tools/list through the bridge.
async fn list_all(b: &mut Bridge) -> Vec<String> {
    let mut out = Vec::new();
    let mut params = json!({});
    loop {
        let page = b.request("tools/list", params).await;
        out.extend(names(&page));
        match page["result"]["nextCursor"].as_str() {
            Some(c) => params = json!({"cursor": c}),
            None => return out,
        }
    }
}

fn calls_upstream(up: &Upstream) -> usize {
    up.requests_for("tools/call").len()
}

/// A refused call: an `isError` result naming the flag, and nothing sent upstream.
async fn assert_refused(b: &mut Bridge, up: &Upstream, tool: &str, args: Value, flag: &str) {
    let before = calls_upstream(up);
    let answer = b.call_tool(tool, args.clone()).await;
    assert_eq!(answer["result"]["isError"], true, "{tool} {args}: {answer}");
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains(flag), "{tool} {args}: {text}");
    assert_eq!(
        calls_upstream(up),
        before,
        "{tool} {args} reached the upstream"
    );
}

async fn assert_allowed(b: &mut Bridge, up: &Upstream, tool: &str, args: Value) -> Value {
    let before = calls_upstream(up);
    let answer = b.call_tool(tool, args.clone()).await;
    assert!(
        answer["result"]["isError"] != true || !answer.to_string().contains("3minapi refused"),
        "{tool} {args}: {answer}"
    );
    assert_eq!(
        calls_upstream(up),
        before + 1,
        "{tool} {args} did not reach the upstream"
    );
    answer
}

#[tokio::test]
async fn read_only_refuses_every_write_action_and_nothing_reaches_the_upstream() {
    let up = upstream(Mode::Legacy).await;
    let mut b = filtered(&up, &["--read-only"]).await;
    for (tool, args) in [
        ("endpoints", json!({"action": "create", "name": "x"})),
        ("endpoints", json!({"action": "update", "id": "ep_1001"})),
        ("endpoints", json!({"action": "deploy", "id": "ep_1003"})),
        ("collaborators", json!({"action": "create_key"})),
        ("collaborators", json!({"action": "update_permissions"})),
        ("collaborators", json!({"action": "invite"})),
        ("api_call", json!({"method": "POST", "path": "/orders"})),
        ("api_call", json!({"method": "DELETE", "path": "/orders/1"})),
        ("endpoints", json!({})),
    ] {
        assert_refused(&mut b, &up, tool, args, "--read-only").await;
    }
    for (tool, args) in [
        ("endpoints", json!({"action": "list"})),
        ("endpoints", json!({"action": "get", "id": "ep_1001"})),
        ("logs", json!({"action": "search", "query": "x"})),
        ("archives", json!({"action": "list"})),
        ("collaborators", json!({"action": "list_keys"})),
        ("api_call", json!({"method": "GET", "path": "/orders"})),
        ("stats", json!({})),
        ("subscription", json!({})),
        ("help", json!({})),
    ] {
        assert_allowed(&mut b, &up, tool, args).await;
    }
    // The listing keeps the known tools (their reads stay usable) and the test tools the server
    // marks read-only; the others are gone.
    let listed = list_all(&mut b).await;
    let expected: Vec<&str> = TOOL_NAMES
        .iter()
        .copied()
        .filter(|n| !["slow", "sample", "elicit", "roots"].contains(n))
        .collect();
    assert_eq!(listed, expected);
    assert_refused(&mut b, &up, "slow", json!({"ms": 1}), "--read-only").await;
}

#[tokio::test]
async fn allowed_calls_come_back_as_the_same_json_value() {
    let up = upstream(Mode::Legacy).await;
    let mut plain = filtered(&up, &[]).await;
    let mut strict = filtered(&up, &["--read-only", "--deny-tool", "logs"]).await;
    let value = json!({"n": 1.5, "s": "✓ \"q\"", "nested": [null, {"x": true}]});
    let a = plain.call_tool("echo", json!({"value": value})).await;
    let b = strict.call_tool("echo", json!({"value": value})).await;
    assert_eq!(a["result"], b["result"]);
    assert_eq!(b["result"]["structuredContent"]["value"], value);
}

#[tokio::test]
async fn deny_and_allow_shape_listings_on_every_page_and_calls() {
    let up = upstream(Mode::Legacy).await;
    up.set_tools_page_size(3);
    let mut b = filtered(
        &up,
        &[
            "--deny-tool",
            "collaborators",
            "--deny-tool",
            "endpoints.deploy",
        ],
    )
    .await;
    let listed = list_all(&mut b).await;
    let expected: Vec<&str> = TOOL_NAMES
        .iter()
        .copied()
        .filter(|n| *n != "collaborators")
        .collect();
    assert_eq!(listed, expected);
    assert_refused(
        &mut b,
        &up,
        "collaborators",
        json!({"action": "list_keys"}),
        "--deny-tool collaborators",
    )
    .await;
    assert_refused(
        &mut b,
        &up,
        "endpoints",
        json!({"action": "deploy", "id": "ep_1003"}),
        "--deny-tool endpoints.deploy",
    )
    .await;
    assert_allowed(&mut b, &up, "endpoints", json!({"action": "list"})).await;

    // Allow: only what is named passes; deny still wins inside it.
    let mut b = filtered(
        &up,
        &[
            "--allow-tool",
            "endpoints",
            "--allow-tool",
            "logs.search",
            "--deny-tool",
            "endpoints.create",
        ],
    )
    .await;
    assert_eq!(list_all(&mut b).await, ["endpoints", "logs"]);
    assert_allowed(
        &mut b,
        &up,
        "endpoints",
        json!({"action": "get", "id": "ep_1001"}),
    )
    .await;
    assert_allowed(
        &mut b,
        &up,
        "logs",
        json!({"action": "search", "query": "a"}),
    )
    .await;
    assert_refused(
        &mut b,
        &up,
        "logs",
        json!({"action": "lookup", "id": "x"}),
        "--allow-tool",
    )
    .await;
    assert_refused(
        &mut b,
        &up,
        "endpoints",
        json!({"action": "create", "name": "n"}),
        "--deny-tool endpoints.create",
    )
    .await;
    assert_refused(&mut b, &up, "help", json!({}), "--allow-tool").await;
}

#[tokio::test]
async fn a_renamed_action_property_makes_every_rule_on_that_tool_refuse() {
    let up = upstream(Mode::Legacy).await;
    up.edit_tools(|tools| {
        let endpoints = tools.iter_mut().find(|t| t["name"] == "endpoints").unwrap();
        let props = endpoints["inputSchema"]["properties"]
            .as_object_mut()
            .unwrap();
        let action = props.remove("action").unwrap();
        props.insert("operation".into(), action);
    });
    for flags in [
        vec!["--read-only"],
        vec!["--deny-tool", "endpoints.deploy"],
        vec!["--allow-tool", "endpoints.list"],
    ] {
        let mut b = filtered(&up, &flags).await;
        list_all(&mut b).await;
        for args in [
            json!({"operation": "deploy", "id": "ep_1003"}),
            json!({"operation": "list"}),
            json!({"action": "list", "operation": "deploy"}),
        ] {
            assert_refused(&mut b, &up, "endpoints", args, "fail closed").await;
        }
        b.close_stdin();
        let (_, _) = b.wait().await;
        assert!(
            b.stderr().contains("no longer has the `action` property"),
            "{flags:?}: {}",
            b.stderr()
        );
    }
    // Without filter flags nothing is judged: the call goes through.
    let mut b = filtered(&up, &[]).await;
    let before = calls_upstream(&up);
    b.call_tool("endpoints", json!({"operation": "list"})).await;
    assert_eq!(calls_upstream(&up), before + 1);
}

#[tokio::test]
async fn new_write_actions_and_new_tools_are_refused_unless_marked_read_only() {
    let up = upstream(Mode::Legacy).await;
    up.edit_tools(|tools| {
        let endpoints = tools.iter_mut().find(|t| t["name"] == "endpoints").unwrap();
        endpoints["inputSchema"]["properties"]["action"]["enum"]
            .as_array_mut()
            .unwrap()
            .push(json!("archive"));
        tools.push(json!({"name": "reports", "description": "new, read-only", "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": true}}));
        tools.push(json!({"name": "purge", "description": "new, unmarked", "inputSchema": {"type": "object"}}));
        tools.push(json!({"name": "wipe", "description": "new, marked writing", "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": false, "destructiveHint": true}}));
    });
    let mut b = filtered(&up, &["--read-only"]).await;
    let listed = list_all(&mut b).await;
    assert!(listed.contains(&"reports".to_owned()), "{listed:?}");
    assert!(!listed.contains(&"purge".to_owned()), "{listed:?}");
    assert!(!listed.contains(&"wipe".to_owned()), "{listed:?}");
    assert_refused(
        &mut b,
        &up,
        "endpoints",
        json!({"action": "archive", "id": "ep_1001"}),
        "--read-only",
    )
    .await;
    assert_refused(&mut b, &up, "purge", json!({}), "--read-only").await;
    assert_refused(&mut b, &up, "wipe", json!({}), "--read-only").await;
    let answer = assert_allowed(&mut b, &up, "reports", json!({})).await;
    assert_eq!(answer["result"]["content"][0]["text"], "called reports");
}

#[tokio::test]
async fn filtering_works_the_same_in_the_stateless_era() {
    let up = upstream(Mode::Modern).await;
    let mut b = bridge(&up.url(), FAKE_KEY).arg("--read-only").spawn();
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"}
    });
    let list = b.request("tools/list", json!({"_meta": meta})).await;
    assert!(!names(&list).contains(&"slow".to_owned()), "{list}");
    let before = calls_upstream(&up);
    let answer = b
        .request("tools/call", json!({"name": "endpoints", "arguments": {"action": "deploy", "id": "ep_1003"}, "_meta": meta}))
        .await;
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert_eq!(calls_upstream(&up), before);
    let answer = b
        .request(
            "tools/call",
            json!({"name": "endpoints", "arguments": {"action": "list"}, "_meta": meta}),
        )
        .await;
    assert!(
        answer["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("ep_1001"),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_names_in_the_flags_are_a_warning_not_an_error() {
    let up = upstream(Mode::Legacy).await;
    let mut b = filtered(
        &up,
        &[
            "--deny-tool",
            "reports",
            "--allow-tool",
            "endpoints.destroy",
            "--allow-tool",
            "help",
        ],
    )
    .await;
    assert_eq!(list_all(&mut b).await, ["help", "endpoints"]);
    b.close_stdin();
    b.wait().await;
    let log = b.stderr();
    assert!(log.contains("no tool named `reports`"), "{log}");
    assert!(log.contains("no action `destroy`"), "{log}");
    // A malformed value is a usage error.
    let out = Sandbox::new()
        .cmd(&["mcp", "serve", "--deny-tool", "a b"])
        .run();
    out.expect_code(2).expect_says("not a tool name");
}

// ---------------------------------------------------------------------------------------------
// tools list | call
// ---------------------------------------------------------------------------------------------

fn tools_cmd(up: &Upstream, sb: &Sandbox, args: &[&str]) -> common::keyring::Cmd {
    let mut all = vec!["tools"];
    all.extend_from_slice(args);
    sb.cmd(&all)
        .url(&up.url())
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_list_prints_names_and_descriptions_or_the_raw_result() {
    for mode in [Mode::Legacy, Mode::Modern] {
        let up = upstream(mode).await;
        up.set_tools_page_size(4);
        let sb = Sandbox::new();
        let out = tools_cmd(&up, &sb, &["list"]).run();
        out.expect_code(0);
        let rows: Vec<(&str, &str)> = out
            .stdout
            .lines()
            .map(|l| {
                let (name, rest) = l.split_once(' ').unwrap();
                (name, rest.trim())
            })
            .collect();
        let listed: Vec<&str> = rows.iter().map(|r| r.0).collect();
        assert_eq!(listed, TOOL_NAMES, "{mode:?}");
        assert!(rows.iter().any(|r| r
            == &(
                "endpoints",
                "List, view, create, update or deploy your API endpoints."
            )));
        assert_no_key(&out.all(), FAKE_KEY, "tools list");

        let out = tools_cmd(&up, &sb, &["list", "--json"]).run();
        out.expect_code(0);
        let v = out.json();
        assert_eq!(names(&json!({"result": v})), TOOL_NAMES);
        assert!(v.get("nextCursor").is_none());
        assert!(v["tools"][1]["inputSchema"]["properties"]["action"].is_object());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_call_prints_the_result_and_fails_on_errors() {
    let up = upstream(Mode::Legacy).await;
    let sb = Sandbox::new();
    let out = tools_cmd(
        &up,
        &sb,
        &["call", "echo", "--args", r#"{"value": {"a": [1, "ü"]}}"#],
    )
    .run();
    out.expect_code(0);
    assert!(out.stdout.contains("\"ü\""), "{}", out.context());
    let out = tools_cmd(
        &up,
        &sb,
        &[
            "call",
            "echo",
            "--json",
            "--args",
            r#"{"value": {"a": [1, "ü"]}}"#,
        ],
    )
    .run();
    out.expect_code(0);
    assert_eq!(out.json(), json!({"value": {"a": [1, "ü"]}}));

    // @file and stdin.
    let file = sb.root().join("args.json");
    std::fs::write(&file, r#"{"action": "list"}"#).unwrap();
    let at = format!("@{}", file.display());
    tools_cmd(&up, &sb, &["call", "endpoints", "--args", &at])
        .run()
        .expect_code(0)
        .expect_says("ep_1001");
    tools_cmd(&up, &sb, &["call", "endpoints", "--args", "-"])
        .stdin(r#"{"action": "get", "id": "ep_1002"}"#)
        .run()
        .expect_code(0)
        .expect_says("customer-inquiries");

    // isError → exit 1 with the server's message; a JSON-RPC error → exit 1 with its message.
    tools_cmd(
        &up,
        &sb,
        &["call", "endpoints", "--args", r#"{"action": "get"}"#],
    )
    .run()
    .expect_code(1)
    .expect_says("error: endpoints failed: endpoints get: `id` is required");
    tools_cmd(&up, &sb, &["call", "nosuch"])
        .run()
        .expect_code(1)
        .expect_says("Unknown tool: nosuch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_args_are_refused_with_their_position_and_nothing_is_sent() {
    let up = upstream(Mode::Legacy).await;
    let sb = Sandbox::new();
    let before = up.requests().len();
    tools_cmd(
        &up,
        &sb,
        &["call", "endpoints", "--args", "{\"action\": \"list\",\n}"],
    )
    .run()
    .expect_code(1)
    .expect_says("--args:2:1: trailing comma; nothing was sent");
    tools_cmd(&up, &sb, &["call", "endpoints", "--args", "[1]"])
        .run()
        .expect_code(1)
        .expect_says("must be a JSON object, not an array");
    let file = sb.root().join("bad.json");
    std::fs::write(&file, "{\"a\" 1}").unwrap();
    let at = format!("@{}", file.display());
    tools_cmd(&up, &sb, &["call", "endpoints", "--args", &at])
        .run()
        .expect_code(1)
        .expect_says(&format!("{}:1:6:", file.display()));
    tools_cmd(
        &up,
        &sb,
        &["call", "endpoints", "--args", "@/nonexistent/args.json"],
    )
    .run()
    .expect_code(1)
    .expect_says("cannot read /nonexistent/args.json");
    assert_eq!(
        up.requests().len(),
        before,
        "a request reached the upstream"
    );

    // No usable key: nothing is sent either.
    let out = sb
        .cmd(&["tools", "list"])
        .url(&up.url())
        .env("THREEMINAPI_MCP_KEY", "tm_live_0000000000000000000000")
        .run();
    out.expect_code(1)
        .expect_says("collaboration key")
        .expect_says("nothing was sent");
    let out = sb.cmd(&["tools", "list"]).url(&up.url()).run();
    out.expect_code(1).expect_says("no MCP key found");
    assert_eq!(
        up.requests().len(),
        before,
        "a request reached the upstream"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_commands_say_when_the_key_is_refused_or_the_server_is_down() {
    let up = upstream(Mode::Legacy).await;
    let sb = Sandbox::new();
    sb.cmd(&["tools", "list"])
        .url(&up.url())
        .env("THREEMINAPI_MCP_KEY", "tm_mcp_test9999999999999999999999")
        .run()
        .expect_code(1)
        .expect_says("does not accept the MCP key (HTTP 401)")
        .expect_says("auth login");
    let url = up.url();
    up.stop().await;
    tools_cmd_url(&sb, &url, &["call", "help"])
        .run()
        .expect_code(1)
        .expect_says("hint: check the network");
}

fn tools_cmd_url(sb: &Sandbox, url: &str, args: &[&str]) -> common::keyring::Cmd {
    let mut all = vec!["tools"];
    all.extend_from_slice(args);
    sb.cmd(&all).url(url).env("THREEMINAPI_MCP_KEY", FAKE_KEY)
}
