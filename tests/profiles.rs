//! Profiles (`--profile NAME`, `THREEMINAPI_PROFILE`), for people with more than one 3Min API
//! account, against a real Secret Service: each profile keeps its own key (keychain account
//! `mcp-key:<name>`, plain file `credentials-<name>`), every command uses the profile's key, and a
//! bad name touches nothing.

mod common;

use common::bridge::{assert_no_key, bridge};
use common::keyring::{PrivateKeyring, masked};
use common::upstream::{FAKE_KEY, Upstream, UpstreamOptions};
use serde_json::{Value, json};

const WORK_KEY: &str = "tm_mcp_test0000000000000000work0WRK1";

fn login(kr: &PrivateKeyring, profile: Option<&str>, key: &str) {
    let mut args = vec![];
    if let Some(p) = profile {
        args.extend(["--profile", p]);
    }
    args.extend(["auth", "login", "--with-key", "--no-verify"]);
    kr.cmd(&args)
        .stdin(&format!("{key}\n"))
        .run()
        .expect_code(0);
}

fn status(kr: &PrivateKeyring, profile: &str) -> Value {
    let out = kr
        .cmd(&[
            "--profile",
            profile,
            "auth",
            "status",
            "--offline",
            "--json",
        ])
        .run();
    out.expect_code(0);
    out.json()
}

#[test]
fn a_bad_profile_name_is_a_usage_error_that_touches_nothing() {
    let kr = PrivateKeyring::start();
    let long = "a".repeat(40);
    for bad in ["a/b", "..", "Work", long.as_str(), "-x"] {
        let flag = format!("--profile={bad}");
        let out = kr
            .cmd(&[&flag, "auth", "login", "--with-key", "--no-verify"])
            .stdin(&format!("{FAKE_KEY}\n"))
            .run();
        out.expect_code(2).expect_says("not a profile name");
        let out = kr
            .cmd(&["auth", "login", "--with-key", "--no-verify"])
            .env("THREEMINAPI_PROFILE", bad)
            .stdin(&format!("{FAKE_KEY}\n"))
            .run();
        out.expect_code(2).expect_says("THREEMINAPI_PROFILE");
    }
    assert_eq!(kr.count_items(), 0, "nothing stored");
    assert!(
        !kr.sandbox().config_home().join("3minapi").exists(),
        "nothing written"
    );
}

#[test]
fn each_profile_keeps_its_own_key_and_logout_removes_only_its_own() {
    let kr = PrivateKeyring::start();
    login(&kr, None, FAKE_KEY);
    login(&kr, Some("work"), WORK_KEY);
    assert_eq!(kr.lookup().as_deref(), Some(FAKE_KEY));
    assert_eq!(kr.lookup_account("mcp-key:work").as_deref(), Some(WORK_KEY));

    let work = status(&kr, "work");
    assert_eq!(work["profile"], "work");
    assert_eq!(work["key"]["masked"], masked(WORK_KEY));
    assert_eq!(status(&kr, "default")["key"]["masked"], masked(FAKE_KEY));
    // The environment names the profile too.
    let out = kr
        .cmd(&["auth", "status", "--offline", "--json"])
        .env("THREEMINAPI_PROFILE", "work")
        .run();
    assert_eq!(out.json()["key"]["masked"], masked(WORK_KEY));

    let out = kr
        .cmd(&["--profile", "work", "auth", "list", "--json"])
        .run();
    out.expect_code(0);
    assert_no_key(&out.all(), WORK_KEY, "auth list");
    assert_no_key(&out.all(), FAKE_KEY, "auth list");
    assert_eq!(
        out.json()["profiles"],
        json!([
            {"name": "default", "current": false, "masked": masked(FAKE_KEY), "source": "keychain", "error": null},
            {"name": "work", "current": true, "masked": masked(WORK_KEY), "source": "keychain", "error": null},
        ])
    );

    kr.cmd(&["--profile", "work", "auth", "logout"])
        .run()
        .expect_code(0)
        .expect_says("mcp-key:work");
    assert_eq!(kr.lookup_account("mcp-key:work"), None);
    assert_eq!(
        kr.lookup().as_deref(),
        Some(FAKE_KEY),
        "the default profile's key stays"
    );
    let out = kr.cmd(&["auth", "list", "--json"]).run();
    let names: Vec<_> = out.json()["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names, [json!("default")]);
}

#[test]
fn the_environment_key_wins_for_every_profile_and_status_says_so() {
    let kr = PrivateKeyring::start();
    login(&kr, Some("work"), WORK_KEY);
    let out = kr
        .cmd(&["--profile", "work", "auth", "status", "--offline", "--json"])
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run();
    let r = out.json();
    assert_eq!(r["key"]["source"], "env");
    assert_eq!(r["key"]["masked"], masked(FAKE_KEY));
    assert_eq!(r["key"]["overrides_stored"], true);
    let out = kr
        .cmd(&["--profile", "work", "auth", "status", "--offline"])
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run();
    out.expect_code(0)
        .expect_says("overrides the key stored for profile work");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_entry_launches_a_bridge_with_that_profiles_key() {
    let kr = PrivateKeyring::start();
    login(&kr, None, FAKE_KEY);
    login(&kr, Some("work"), WORK_KEY);
    // The work account's server accepts only the work key.
    let up = Upstream::start(UpstreamOptions {
        key: WORK_KEY.to_owned(),
        ..UpstreamOptions::default()
    })
    .await;
    kr.cmd(&[
        "--profile",
        "work",
        "config",
        "install",
        "cursor",
        "--scope",
        "user",
    ])
    .run()
    .expect_code(0);
    let file = kr.sandbox().home().join(".cursor/mcp.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let entry = &doc["mcpServers"]["3minapi-work"];
    assert_eq!(
        entry["args"],
        json!(["--profile", "work", "mcp", "serve"]),
        "{doc}"
    );
    assert!(doc["mcpServers"].get("3minapi").is_none(), "{doc}");
    let listed = kr
        .cmd(&["--profile", "work", "config", "list", "--json"])
        .run()
        .json();
    let cursor = listed["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["client"] == "cursor" && f["scope"] == "user")
        .cloned()
        .unwrap();
    assert_eq!(cursor["state"], "current", "{cursor}");

    // The bridge the entry launches (`--profile work` after `mcp serve` works as well).
    let mut b = bridge(&up.url(), "")
        .no_key()
        .arg("--profile")
        .arg("work")
        .env("DBUS_SESSION_BUS_ADDRESS", kr.bus_address())
        .spawn();
    b.initialize().await;
    let answer = b.call_tool("help", json!({"topic": "keys"})).await;
    assert!(answer.get("result").is_some(), "{answer}");
    assert!(
        up.requests()
            .iter()
            .all(|r| r.header("x-api-key") == Some(WORK_KEY))
    );
    b.wait().await;
}
