//! The key's life under a running bridge, against a real Secret Service (a private dbus-daemon +
//! gnome-keyring per test): the key is regenerated on the dashboard (the fake upstream accepts
//! only the new one from then on), the user runs `3minapi auth login` with it, and the bridge an
//! IDE launched before keeps working — no restart.

mod common;

use common::bridge::{Bridge, assert_no_key, bridge};
use common::keyring::{PrivateKeyring, masked};
use common::upstream::{FAKE_KEY, Mode, Upstream, UpstreamOptions};
use serde_json::{Value, json};

const NEW_KEY: &str = "tm_mcp_test0000000000000000new0NEW1";
const LIVE_KEY: &str = "tm_live_test0000000000000000000000";

/// Stores `key` with `auth login --with-key --no-verify`, as the user would.
fn login(kr: &PrivateKeyring, key: &str) {
    kr.cmd(&["auth", "login", "--with-key", "--no-verify"])
        .stdin(&format!("{key}\n"))
        .run()
        .expect_code(0);
    assert_eq!(kr.lookup().as_deref(), Some(key));
}

/// A bridge with no key in its environment, finding the keychain of `kr`.
fn keychain_bridge(up: &Upstream, kr: &PrivateKeyring) -> Bridge {
    bridge(&up.url(), "")
        .no_key()
        .env("DBUS_SESSION_BUS_ADDRESS", kr.bus_address())
        .spawn()
}

/// The key stored, a legacy upstream accepting it, and a bridge through its handshake.
async fn initialized_bridge() -> (PrivateKeyring, Upstream, Bridge) {
    let kr = PrivateKeyring::start();
    login(&kr, FAKE_KEY);
    let up = Upstream::start(UpstreamOptions::default()).await;
    let mut b = keychain_bridge(&up, &kr);
    b.initialize().await;
    (kr, up, b)
}

async fn help(b: &mut Bridge, mode: Mode) -> Value {
    match mode {
        Mode::Modern => b.modern_call("help", json!({"topic": "keys"})).await,
        _ => b.call_tool("help", json!({"topic": "keys"})).await,
    }
}

#[track_caller]
fn assert_result(answer: &Value, what: &str) {
    assert!(
        answer["result"]["content"].is_array() && answer.get("error").is_none(),
        "{what}: {answer}"
    );
}

/// The `tools/call` requests the upstream saw, as (key sent, status answered).
fn calls(up: &Upstream) -> Vec<(String, u16)> {
    up.requests_for("tools/call")
        .iter()
        .map(|r| (r.header("x-api-key").unwrap_or("").to_owned(), r.status))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_bridge_heals_after_a_login_with_the_regenerated_key() {
    for mode in [Mode::Legacy, Mode::Modern] {
        let kr = PrivateKeyring::start();
        login(&kr, FAKE_KEY);
        let up = Upstream::start(UpstreamOptions {
            mode,
            ..UpstreamOptions::default()
        })
        .await;
        let mut b = keychain_bridge(&up, &kr);
        if mode == Mode::Legacy {
            b.initialize().await;
        }
        assert_result(&help(&mut b, mode).await, "before");

        // Regenerate Key on the dashboard: the old key is refused at once. Then auth login.
        up.regenerate_key(NEW_KEY);
        login(&kr, NEW_KEY);
        up.clear_requests();
        let answer = help(&mut b, mode).await;
        assert_result(&answer, &format!("{mode:?}: after the login"));
        // Refused once with the old key (not run), then run once with the new one.
        assert_eq!(
            calls(&up),
            [(FAKE_KEY.to_owned(), 401), (NEW_KEY.to_owned(), 200)],
            "{mode:?}"
        );
        // And it stays switched: the next call goes with the new key straight away.
        up.clear_requests();
        assert_result(&help(&mut b, mode).await, "next call");
        assert_eq!(calls(&up), [(NEW_KEY.to_owned(), 200)], "{mode:?}");

        let (status, _) = b.wait().await;
        assert!(status.success());
        let log = b.stderr();
        assert!(
            log.contains(&format!("switching to {}", masked(NEW_KEY)))
                && log.contains(&masked(FAKE_KEY)),
            "{mode:?}: the switch is logged with both keys masked:\n{log}"
        );
        assert_no_key(&log, FAKE_KEY, "bridge stderr");
        assert_no_key(&log, NEW_KEY, "bridge stderr");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_is_restored_when_the_server_forgot_it_with_the_old_key() {
    let (kr, up, mut b) = initialized_bridge().await;
    up.regenerate_key(NEW_KEY);
    up.expire_sessions();
    login(&kr, NEW_KEY);
    up.clear_requests();
    assert_result(&help(&mut b, Mode::Legacy).await, "after the login");
    // The client's handshake was replayed with the new key, and the call ran once.
    let inits = up.requests_for("initialize");
    assert!(
        inits
            .iter()
            .any(|r| r.header("x-api-key") == Some(NEW_KEY) && r.status == 200),
        "{inits:?}"
    );
    let ran: Vec<_> = calls(&up).into_iter().filter(|(_, s)| *s == 200).collect();
    assert_eq!(ran, [(NEW_KEY.to_owned(), 200)]);
    let (status, _) = b.wait().await;
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_switch_without_a_new_usable_key_and_the_error_says_why() {
    let (kr, up, mut b) = initialized_bridge().await;

    // Regenerated, no login yet: the refusal and its fix, and nothing ran.
    up.regenerate_key(NEW_KEY);
    let answer = help(&mut b, Mode::Legacy).await;
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("refused the MCP key (HTTP 401)") && message.contains("auth login"),
        "{answer}"
    );

    // A collaboration key stored meanwhile is not switched to; the refusal explains.
    kr.store(LIVE_KEY);
    // The bridge looks again at most every 2 s.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let answer = help(&mut b, Mode::Legacy).await;
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("refused the MCP key") && message.contains("collaboration key"),
        "{answer}"
    );
    assert!(
        up.requests()
            .iter()
            .all(|r| r.header("x-api-key") == Some(FAKE_KEY)),
        "only the stored MCP key was ever sent"
    );
    assert!(calls(&up).iter().all(|(_, s)| *s == 401), "nothing ran");
    let (status, _) = b.wait().await;
    assert!(status.success());
    assert_no_key(&b.stderr(), LIVE_KEY, "bridge stderr");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_from_the_environment_is_not_switched_and_the_error_says_where_it_comes_from() {
    let kr = PrivateKeyring::start();
    login(&kr, NEW_KEY);
    let up = Upstream::start(UpstreamOptions::default()).await;
    // The environment's key wins over the keychain's, also after a refusal.
    let mut b = bridge(&up.url(), FAKE_KEY)
        .env("DBUS_SESSION_BUS_ADDRESS", kr.bus_address())
        .spawn();
    b.initialize().await;
    up.regenerate_key(NEW_KEY);
    let answer = help(&mut b, Mode::Legacy).await;
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("THREEMINAPI_MCP_KEY"), "{answer}");
    assert!(
        up.requests()
            .iter()
            .all(|r| r.header("x-api-key") == Some(FAKE_KEY)),
        "the keychain's key was never sent"
    );
    let (status, _) = b.wait().await;
    assert!(status.success());
}

/// Runs `3minapi ARGS` in the keychain sandbox of `kr`, expecting `code`.
fn run(kr: &PrivateKeyring, args: &[&str], code: i32) -> common::keyring::Output {
    let out = kr.cmd(args).run();
    out.expect_code(code);
    out
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn config_refresh_changes_the_stale_key_string_and_nothing_else() {
    let kr = PrivateKeyring::start();
    login(&kr, FAKE_KEY);
    let home = kr.sandbox().home();
    // Another server in Cursor's file, with its own key, and our direct entry.
    let cursor = home.join(".cursor/mcp.json");
    std::fs::create_dir_all(cursor.parent().unwrap()).unwrap();
    std::fs::write(
        &cursor,
        "{\n    \"mcpServers\": {\n        \"other\": {\"url\": \"https://other.example/mcp\", \"headers\": {\"x-api-key\": \"tm_mcp_test0000000000000000other000\"}}\n    }\n}\n",
    )
    .unwrap();
    run(&kr, &["config", "install", "cursor", "--direct"], 0);
    run(&kr, &["config", "install", "codex", "--direct"], 0);
    run(
        &kr,
        &["config", "install", "gemini", "--direct", "--from-env"],
        0,
    );
    run(&kr, &["config", "install", "claude-code"], 0);
    let codex = home.join(".codex/config.toml");
    let gemini = home.join(".gemini/settings.json");
    let before = [read(&cursor), read(&codex), read(&gemini)];
    assert!(before[0].contains(FAKE_KEY) && before[1].contains(FAKE_KEY));

    // A new key: login without the flag and without a terminal changes nothing and says so.
    let out = kr
        .cmd(&["auth", "login", "--with-key", "--no-verify"])
        .stdin(&format!("{NEW_KEY}\n"))
        .run();
    out.expect_code(0)
        .expect_says("still hold an older key")
        .expect_says("3minapi config refresh");
    assert_eq!([read(&cursor), read(&codex), read(&gemini)], before);

    let status = run(&kr, &["auth", "status", "--offline", "--json"], 0).json();
    let state = |client: &str| {
        status["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["client"] == client)
            .map(|e| e["state"].clone())
    };
    assert_eq!(state("cursor"), Some(json!("direct-stale")), "{status}");
    assert_eq!(state("codex"), Some(json!("direct-stale")));
    assert_eq!(state("gemini"), Some(json!("direct-reference")));
    assert_eq!(state("claude-code"), Some(json!("bridge")));
    let human = run(&kr, &["auth", "status", "--offline"], 0);
    human.expect_says("holds an older key: run `3minapi config refresh`");
    assert_no_key(&human.all(), NEW_KEY, "auth status");
    assert_no_key(&human.all(), FAKE_KEY, "auth status");

    let dry = run(&kr, &["config", "refresh", "--dry-run"], 0);
    dry.expect_says("would put")
        .expect_says("nothing was written");
    assert_eq!([read(&cursor), read(&codex), read(&gemini)], before);

    let out = run(&kr, &["config", "refresh"], 0);
    assert_no_key(&out.all(), NEW_KEY, "refresh output");
    // Exactly the key string changed; the other server's key, the reference, the rest: as they were.
    assert_eq!(read(&cursor), before[0].replace(FAKE_KEY, NEW_KEY));
    assert_eq!(read(&codex), before[1].replace(FAKE_KEY, NEW_KEY));
    assert_eq!(read(&gemini), before[2]);
    assert!(home.join(".cursor/mcp.json.3minapi.bak").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&codex).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let status = run(&kr, &["auth", "status", "--offline", "--json"], 0).json();
    assert!(
        status["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["state"] != "direct-stale"),
        "{status}"
    );
    run(&kr, &["config", "refresh"], 0).expect_says("nothing to change");
}

#[test]
fn a_malformed_file_is_left_alone_and_the_others_are_refreshed() {
    let kr = PrivateKeyring::start();
    login(&kr, FAKE_KEY);
    let home = kr.sandbox().home();
    run(&kr, &["config", "install", "cursor", "--direct"], 0);
    let windsurf = home.join(".codeium/windsurf/mcp_config.json");
    std::fs::create_dir_all(windsurf.parent().unwrap()).unwrap();
    let broken = "{\"mcpServers\": {\"3minapi\": {\"serverUrl\": \"x\",,}}";
    std::fs::write(&windsurf, broken).unwrap();
    // auth login --update-configs stores the key, then refreshes.
    let out = kr
        .cmd(&[
            "auth",
            "login",
            "--with-key",
            "--no-verify",
            "--update-configs",
        ])
        .stdin(&format!("{NEW_KEY}\n"))
        .run();
    out.expect_code(1)
        .expect_says("not refreshed")
        .expect_says("mcp_config.json");
    assert_eq!(read(&windsurf), broken, "the malformed file is untouched");
    assert!(read(&home.join(".cursor/mcp.json")).contains(NEW_KEY));
    assert_eq!(
        kr.lookup().as_deref(),
        Some(NEW_KEY),
        "the key was stored first"
    );
}
