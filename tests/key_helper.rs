//! Claude Code's headers helper: `config install claude-code --direct --key-helper` writes a
//! remote entry whose `headersHelper` runs `3minapi auth header`, which prints the key as a
//! header into a pipe and never onto a terminal. (tests/real-clients proves that the real Claude
//! Code connects and lists the tools this way.)

mod common;

use common::bridge::assert_no_key;
use common::keyring::{BIN, PrivateKeyring, Sandbox};
use common::upstream::FAKE_KEY;
use serde_json::{Value, json};

/// The hosted server's URL as the entry names it (nothing is connected to in these tests).
const URL: &str = "https://mcp.example.test/api/mcp";

#[test]
fn auth_header_prints_the_header_into_a_pipe_only() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&["auth", "header"])
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run();
    out.expect_code(0);
    assert_eq!(out.stdout, format!("{}\n", json!({"x-api-key": FAKE_KEY})));

    // No key: exit 1 and nothing on stdout.
    let out = sb.cmd(&["auth", "header"]).run();
    out.expect_code(1).expect_says("no MCP key found");
    assert_eq!(out.stdout, "");

    // On a terminal (script(1) gives it one): refused, the key nowhere.
    let out = sb
        .cmd(&[])
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .program(
            "script",
            &["-q", "-e", "-c", &format!("{BIN} auth header"), "/dev/null"],
        )
        .run();
    out.expect_code(1)
        .expect_says("not printing the key on a terminal");
    assert_no_key(&out.all(), FAKE_KEY, "auth header on a terminal");
}

#[test]
fn the_helper_entry_holds_no_key_and_follows_the_profile() {
    let kr = PrivateKeyring::start();
    kr.cmd(&[
        "--profile",
        "work",
        "auth",
        "login",
        "--with-key",
        "--no-verify",
    ])
    .stdin(&format!("{FAKE_KEY}\n"))
    .run()
    .expect_code(0);
    kr.cmd(&[
        "--profile",
        "work",
        "config",
        "install",
        "claude-code",
        "--direct",
        "--key-helper",
    ])
    .url(URL)
    .run()
    .expect_code(0);
    let file = kr.sandbox().home().join(".claude.json");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_no_key(&text, FAKE_KEY, ".claude.json");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let entry = &doc["mcpServers"]["3minapi-work"];
    let exe = std::fs::canonicalize(BIN).unwrap();
    assert_eq!(
        entry,
        &json!({
            "type": "http",
            "url": URL,
            "headersHelper": format!("{} --profile work auth header", exe.display()),
        })
    );
    // The helper, run as Claude Code runs it (a shell, stdout a pipe), prints the work key.
    let out = kr
        .cmd(&[])
        .program("sh", &["-c", entry["headersHelper"].as_str().unwrap()])
        .run();
    out.expect_code(0);
    assert_eq!(
        out.stdout.trim(),
        json!({"x-api-key": FAKE_KEY}).to_string()
    );

    let status = kr
        .cmd(&["--profile", "work", "auth", "status", "--offline", "--json"])
        .url(URL)
        .run()
        .json();
    assert_eq!(status["entries"][0]["state"], "direct-helper", "{status}");
    kr.cmd(&["--profile", "work", "auth", "status", "--offline"])
        .url(URL)
        .run()
        .expect_says("asks `3minapi auth header` for the key");
    let listed = kr
        .cmd(&["--profile", "work", "config", "list", "--json"])
        .url(URL)
        .run()
        .json();
    let claude = listed["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["client"] == "claude-code" && f["scope"] == "user")
        .cloned()
        .unwrap();
    assert_eq!(claude["state"], "current", "{claude}");
    assert_eq!(claude["holds_key"], false, "{claude}");

    // Other clients have no headers helper.
    kr.cmd(&["config", "install", "cursor", "--direct", "--key-helper"])
        .run()
        .expect_code(1)
        .expect_says("headersHelper");
}
