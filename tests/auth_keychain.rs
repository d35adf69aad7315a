//! `auth status`, `auth logout` and key resolution (env → keychain → file) against a real Secret
//! Service (a private dbus-daemon + gnome-keyring per test), including `mcp serve` finding the
//! stored key, a missing or locked keychain, and the session bus found at `$XDG_RUNTIME_DIR/bus`
//! when `DBUS_SESSION_BUS_ADDRESS` is unset (as under Codex).

mod common;

use common::bridge::{LINE_TIMEOUT, assert_no_key, bridge, init_params};
use common::keyring::{BIN, Cmd, Output, PrivateKeyring, Sandbox, masked};
use common::upstream::{FAKE_KEY, Mode, Upstream, UpstreamOptions};
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const OTHER_KEY: &str = "tm_mcp_OTHERother0000_-zz9999wxyz";
/// `auth login` of a key read from stdin, unchecked, into the plain file.
const LOGIN_INSECURE: &[&str] = &[
    "auth",
    "login",
    "--with-key",
    "--no-verify",
    "--insecure-storage",
];

/// Stores `key` with `auth login --with-key --no-verify`.
fn store(kr: &PrivateKeyring, key: &str) {
    kr.cmd(&["auth", "login", "--with-key", "--no-verify"])
        .stdin(&format!("{key}\n"))
        .run()
        .expect_code(0);
    assert_eq!(kr.lookup().as_deref(), Some(key));
}

/// Runs `cmd`, expects exit `code` and no `FAKE_KEY` in its output (`what`).
fn run_hiding_key(cmd: Cmd, code: i32, what: &str) -> Output {
    let out = cmd.run();
    out.expect_code(code);
    assert_no_key(&out.all(), FAKE_KEY, what);
    out
}

/// An `auth status --json` report of a usable `FAKE_KEY` from a reachable keychain.
#[track_caller]
fn assert_keychain_key(r: &Value) {
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["key"]["masked"], masked(FAKE_KEY), "{r}");
    assert_eq!(r["key"]["source"], "keychain", "{r}");
    assert_eq!(r["keychain"]["reachable"], true, "{r}");
}

/// `up` was asked at least once (else: `not_asked`), always with `FAKE_KEY`.
#[track_caller]
fn assert_asked_with_fake_key(up: &Upstream, not_asked: &str) {
    let seen = up.requests();
    assert!(!seen.is_empty(), "{not_asked}");
    for r in &seen {
        assert_eq!(r.header("x-api-key"), Some(FAKE_KEY), "{r:?}");
    }
}

#[test]
fn logout_removes_the_key_and_is_idempotent() {
    let kr = PrivateKeyring::start();
    store(&kr, FAKE_KEY);
    let out = kr.cmd(&["auth", "logout"]).run();
    out.expect_code(0)
        .expect_says("removed the key from the OS keychain")
        .expect_says("stays valid on the server");
    assert_no_key(&out.all(), FAKE_KEY, "logout output");
    assert_eq!(kr.count_items(), 0);
    assert_eq!(kr.lookup(), None);

    let again = kr.cmd(&["auth", "logout"]).run();
    again.expect_code(0).expect_says("no stored key");
    assert!(!again.all().contains("removed"), "{}", again.context());

    // And with nothing stored, status says so and fails.
    kr.cmd(&["auth", "status", "--offline"])
        .run()
        .expect_code(1)
        .expect_says("no MCP key found");
}

#[test]
fn status_offline_reports_the_keychain_key_masked() {
    let kr = PrivateKeyring::start();
    store(&kr, FAKE_KEY);
    run_hiding_key(kr.cmd(&["auth", "status", "--offline"]), 0, "status output")
        .expect_says(&format!("{} from the OS keychain", masked(FAKE_KEY)))
        .expect_says("not checked");

    let status = kr.cmd(&["auth", "status", "--offline", "--json"]);
    let r = run_hiding_key(status, 0, "status --json output").json();
    assert_keychain_key(&r);
    assert_eq!(r["keychain"]["holds_key"], true, "{r}");
    assert_eq!(r["upstream"]["checked"], false, "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_asks_the_server_and_reports_its_era() {
    let kr = PrivateKeyring::start();
    store(&kr, FAKE_KEY);
    for (mode, era) in [(Mode::Legacy, "legacy"), (Mode::Modern, "modern")] {
        let up = Upstream::start(UpstreamOptions {
            mode,
            ..Default::default()
        })
        .await;
        let status = kr.cmd(&["auth", "status", "--json"]).url(&up.url());
        let r = run_hiding_key(status, 0, "status --json output").json();
        assert_keychain_key(&r);
        assert_eq!(r["upstream"]["accepted"], true, "{r}");
        assert_eq!(r["upstream"]["era"], era, "{r}");
        assert!(r["upstream"]["ms"].is_u64(), "{r}");
        assert_asked_with_fake_key(&up, &format!("{mode:?}: the server was not asked"));

        let status = kr.cmd(&["auth", "status"]).url(&up.url());
        run_hiding_key(status, 0, "status output").expect_says("accepts the key");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_fails_when_the_server_refuses_the_stored_key() {
    let kr = PrivateKeyring::start();
    store(&kr, FAKE_KEY);
    let up = Upstream::start(UpstreamOptions {
        key: OTHER_KEY.into(),
        ..Default::default()
    })
    .await;
    let status = kr.cmd(&["auth", "status", "--json"]).url(&up.url());
    let r = run_hiding_key(status, 1, "status --json output").json();
    assert_eq!(r["ok"], false, "{r}");
    assert_eq!(r["upstream"]["accepted"], false, "{r}");
    assert_eq!(r["key"]["source"], "keychain", "{r}");

    let status = kr.cmd(&["auth", "status"]).url(&up.url());
    run_hiding_key(status, 1, "status output").expect_says("refused the key");
    // Offline, the stored key is still a usable key.
    kr.cmd(&["auth", "status", "--offline"])
        .run()
        .expect_code(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_env_key_wins_over_the_keychain() {
    let kr = PrivateKeyring::start();
    store(&kr, OTHER_KEY);
    let out = kr
        .cmd(&["auth", "status", "--offline", "--json"])
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run();
    out.expect_code(0);
    let r = out.json();
    assert_eq!(r["key"]["source"], "env", "{r}");
    assert_eq!(r["key"]["masked"], masked(FAKE_KEY), "{r}");
    assert_eq!(r["keychain"]["reachable"], true, "{r}");
    for key in [FAKE_KEY, OTHER_KEY] {
        assert_no_key(&out.all(), key, "status output");
    }

    // Online, only the env key goes to the server.
    let up = Upstream::start(UpstreamOptions::default()).await;
    let out = kr
        .cmd(&["auth", "status"])
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .url(&up.url())
        .run();
    out.expect_code(0)
        .expect_says("environment variable THREEMINAPI_MCP_KEY");
    assert_asked_with_fake_key(&up, "the server was not asked");

    // The bridge too: the keychain's key would be refused by this server.
    let mut b = bridge(&up.url(), FAKE_KEY)
        .env("DBUS_SESSION_BUS_ADDRESS", kr.bus_address())
        .spawn();
    b.initialize().await;
    assert!(
        up.requests()
            .iter()
            .all(|r| r.header("x-api-key") == Some(FAKE_KEY))
    );
    let (status, _) = b.wait().await;
    assert!(status.success());

    // Login says that the env key will keep winning.
    kr.cmd(&["auth", "login", "--with-key", "--no-verify"])
        .stdin(OTHER_KEY)
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run()
        .expect_code(0)
        .expect_says("takes precedence");
}

#[test]
fn a_key_stored_by_another_program_is_found_and_checked() {
    let kr = PrivateKeyring::start();
    kr.store(FAKE_KEY);
    let out = kr.cmd(&["auth", "status", "--offline", "--json"]).run();
    out.expect_code(0);
    assert_eq!(out.json()["key"]["source"], "keychain");
    assert_eq!(out.json()["key"]["masked"], masked(FAKE_KEY));

    // A collaboration key in the keychain is refused as such, naming where it came from.
    kr.store("tm_live_test0000000000000000000000");
    assert_eq!(kr.count_items(), 1);
    let out = kr.cmd(&["auth", "status", "--offline"]).run();
    out.expect_code(1)
        .expect_says("collaboration key")
        .expect_says("OS keychain");
    assert_no_key(
        &out.all(),
        "tm_live_test0000000000000000000000",
        "status output",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_serve_uses_the_stored_key() {
    let kr = PrivateKeyring::start();
    store(&kr, FAKE_KEY);
    let up = Upstream::start(UpstreamOptions::default()).await;
    let mut b = bridge(&up.url(), "")
        .no_key()
        .env("DBUS_SESSION_BUS_ADDRESS", kr.bus_address())
        .spawn();
    b.initialize().await;
    let listed = b.request("tools/list", json!({})).await;
    assert!(listed["result"]["tools"].is_array(), "{listed}");
    assert_asked_with_fake_key(&up, "the server was not asked");
    let (status, _) = b.wait().await;
    assert!(status.success());
    assert_no_key(&b.stderr(), FAKE_KEY, "bridge stderr");
}

#[test]
fn a_missing_session_bus_is_a_clear_error_within_the_timeout() {
    let sandbox = Sandbox::new();
    let out = sandbox.cmd(&["auth", "status", "--offline"]).run();
    out.expect_code(1)
        .expect_says("no OS keychain is reachable")
        // The cause names the bus it tried.
        .expect_says("no-session-bus")
        .expect_says("error: no MCP key found");
    assert!(out.elapsed < Duration::from_secs(3), "{}", out.context());

    let out = sandbox
        .cmd(&["auth", "status", "--offline", "--json"])
        .run();
    out.expect_code(1);
    let r = out.json();
    assert_eq!(r["ok"], false, "{r}");
    assert_eq!(r["keychain"]["reachable"], false, "{r}");
    assert!(
        r["keychain"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("no OS keychain is reachable")),
        "{r}"
    );
    assert!(out.elapsed < Duration::from_secs(3), "{}", out.context());

    // A bus with no Secret Service on it.
    let bus_only = PrivateKeyring::bus_only();
    let out = bus_only.cmd(&["auth", "status", "--offline"]).run();
    out.expect_code(1)
        .expect_says("no OS keychain is reachable")
        .expect_says("org.freedesktop.secrets");
    assert!(out.elapsed < Duration::from_secs(3), "{}", out.context());
}

#[test]
fn a_locked_keyring_is_a_clear_error_within_the_timeout() {
    let kr = PrivateKeyring::start();
    store(&kr, FAKE_KEY);
    kr.lock();
    let out = kr.cmd(&["auth", "status", "--offline"]).run();
    out.expect_code(1)
        .expect_says("refused access")
        .expect_says("unlock");
    assert!(out.elapsed < Duration::from_secs(3), "{}", out.context());
    assert_no_key(&out.all(), FAKE_KEY, "status output");
}

#[test]
fn the_bus_at_xdg_runtime_dir_is_found_without_dbus_session_bus_address() {
    let kr = PrivateKeyring::start();
    // As Codex launches servers: no DBUS_SESSION_BUS_ADDRESS; the bus is $XDG_RUNTIME_DIR/bus.
    let codex = |args: &[&str]| {
        kr.cmd(args)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("XDG_RUNTIME_DIR", kr.runtime_dir())
    };
    codex(&["auth", "login", "--with-key", "--no-verify"])
        .stdin(FAKE_KEY)
        .run()
        .expect_code(0);
    assert_eq!(kr.lookup().as_deref(), Some(FAKE_KEY));
    let out = codex(&["auth", "status", "--offline", "--json"]).run();
    out.expect_code(0);
    assert_eq!(out.json()["key"]["source"], "keychain", "{}", out.context());
    assert_eq!(out.json()["keychain"]["reachable"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_serve_finds_the_bus_at_xdg_runtime_dir_with_a_codex_environment() {
    let kr = PrivateKeyring::start();
    store(&kr, FAKE_KEY);
    let up = Upstream::start(UpstreamOptions::default()).await;
    // Only HOME, LANG, PATH (what Codex passes) + XDG_RUNTIME_DIR and the test's upstream.
    let mut child = tokio::process::Command::new(BIN)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", kr.sandbox().home())
        .env("LANG", "C.UTF-8")
        .env("XDG_RUNTIME_DIR", kr.runtime_dir())
        .env("THREEMINAPI_URL", up.url())
        .env("NO_PROXY", "*")
        .args(["mcp", "serve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(kr.sandbox().root().join("bridge.stderr")).unwrap())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn 3minapi mcp serve");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let init =
        json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":init_params("2025-06-18")});
    stdin
        .write_all(format!("{init}\n").as_bytes())
        .await
        .unwrap();
    let line = tokio::time::timeout(LINE_TIMEOUT, stdout.next_line())
        .await
        .expect("no answer to initialize in time")
        .unwrap()
        .expect("the bridge closed stdout");
    let answer: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert!(
        answer.get("result").is_some(),
        "initialize failed: {answer}"
    );
    assert_asked_with_fake_key(&up, "the server was not asked");
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .expect("the bridge did not exit after stdin closed")
        .unwrap();
    assert!(status.success());
}

#[test]
fn logout_on_a_machine_without_a_keychain_succeeds_and_is_idempotent() {
    // The machine `--insecure-storage` is for: no session bus, the key in the plain file.
    let sandbox = Sandbox::new();
    sandbox
        .cmd(LOGIN_INSECURE)
        .stdin(FAKE_KEY)
        .run()
        .expect_code(0);
    let path = sandbox.credentials_path();
    assert!(path.exists());
    let out = sandbox.cmd(&["auth", "logout"]).run();
    out.expect_says("removed the key from the plain file")
        .expect_says("stays valid on the server");
    assert!(!path.exists(), "{}", out.context());
    out.expect_code(0);
    let again = sandbox.cmd(&["auth", "logout"]).run();
    again.expect_says("no stored key").expect_code(0);
}

#[test]
fn login_with_insecure_storage_replaces_an_older_keychain_key() {
    // The key just stored must be the one used: an older keychain key would otherwise keep
    // winning (env → keychain → file) over the file the user was told holds the key.
    let kr = PrivateKeyring::start();
    store(&kr, OTHER_KEY);
    kr.cmd(LOGIN_INSECURE).stdin(FAKE_KEY).run().expect_code(0);
    let out = kr.cmd(&["auth", "status", "--offline", "--json"]).run();
    out.expect_code(0);
    assert_eq!(
        out.json()["key"]["masked"],
        masked(FAKE_KEY),
        "the key just stored with --insecure-storage is not the one in use\n{}",
        out.context()
    );
}
