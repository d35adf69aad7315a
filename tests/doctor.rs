//! `3minapi doctor` against the fake upstream (up, down, refusing, hanging), a private Secret
//! Service, and client config files in a temp HOME: each detection of DESIGN §5 has a test that
//! fails without it, and the human and JSON outputs are pinned by snapshots
//! (`tests/snapshots/doctor/`, rewritten with `UPDATE_SNAPSHOTS=1`).

mod common;

use common::bridge::assert_no_key;
use common::keyring::{Cmd, Output, PrivateKeyring, Sandbox, closed_port_url};
use common::upstream::{FAKE_KEY, Upstream, UpstreamOptions};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const OTHER_KEY: &str = "tm_mcp_test0000000000000000009999";

fn exe() -> String {
    std::fs::canonicalize(env!("CARGO_BIN_EXE_3minapi"))
        .unwrap()
        .display()
        .to_string()
}

/// The checks of a `--json` run, by id.
fn checks(out: &Output) -> Vec<Value> {
    let v = out.json();
    assert_eq!(
        v["ok"],
        out.code == Some(0),
        "ok disagrees with the exit code\n{}",
        out.context()
    );
    v["checks"].as_array().unwrap().clone()
}

fn check(out: &Output, id: &str) -> Value {
    checks(out)
        .into_iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}\n{}", out.context()))
}

#[track_caller]
fn expect(out: &Output, id: &str, status: &str, says: &[&str]) -> Value {
    let c = check(out, id);
    assert_eq!(c["status"], status, "{id}: {c}\n{}", out.context());
    let text = format!("{} {}", c["message"], c["hint"]);
    for s in says {
        assert!(text.contains(s), "{id} should say {s:?}: {c}");
    }
    c
}

/// Puts a `3minapi` symlink to the binary first on PATH.
fn on_path(cmd: Cmd, sb: &Sandbox) -> Cmd {
    let bin = sb.root().join("bin");
    if !bin.exists() {
        std::fs::create_dir_all(&bin).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(exe(), bin.join("3minapi")).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.env("PATH", path)
}

/// Replaces what changes between runs (temp paths, ports, durations) with placeholders.
fn normalize(text: &str, sb: &Sandbox, up: Option<&Upstream>) -> String {
    let mut t = text.to_owned();
    let root = sb.root().display().to_string();
    let canonical = std::fs::canonicalize(sb.root())
        .unwrap()
        .display()
        .to_string();
    t = t.replace(&exe(), "[BIN]");
    let bin_dir = Path::new(&exe()).parent().unwrap().display().to_string();
    t = t.replace(&bin_dir, "[BINDIR]");
    t = t.replace(&canonical, "[ROOT]").replace(&root, "[ROOT]");
    if let Some(up) = up {
        let port = up
            .url()
            .split(':')
            .nth(2)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        t = t.replace(&format!(":{port}"), ":[PORT]");
    }
    // "(12 ms)" → "(N ms)"; "duration_ms": 12 → "duration_ms": N
    let mut out = String::with_capacity(t.len());
    let mut rest = t.as_str();
    loop {
        let next = [rest.find('('), rest.find("\"duration_ms\": ")]
            .into_iter()
            .flatten()
            .min();
        let Some(i) = next else {
            out.push_str(rest);
            break;
        };
        let (prefix, close) = if rest[i..].starts_with('(') {
            ("(", " ms)")
        } else {
            ("\"duration_ms\": ", "")
        };
        out.push_str(&rest[..i + prefix.len()]);
        let after = &rest[i + prefix.len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(close) {
            out.push('N');
            rest = &after[digits..];
        } else {
            rest = after;
        }
    }
    out
}

fn snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/doctor")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("no snapshot {path:?}: run the test with UPDATE_SNAPSHOTS=1 and review the file")
    });
    assert_eq!(
        actual, expected,
        "doctor output differs from {path:?} (UPDATE_SNAPSHOTS=1 rewrites it; review the diff)"
    );
}

/// A client's `initialize`, as the first line a bridge reads.
const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"claude-code","version":"2.1.330"}}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_problem_a_bridge_logged_is_named_with_its_client_and_the_fix() {
    let up = legacy().await;
    let sb = Sandbox::new();
    // No log yet: nothing to say.
    let out = sb.cmd(&["doctor", "--offline", "--json"]).run();
    expect(&out, "bridge.recent", "skip", &["no bridge has logged yet"]);
    // A bridge launched by Claude Code, with a key the server refuses (regenerated meanwhile).
    sb.cmd(&["mcp", "serve"])
        .env("THREEMINAPI_MCP_KEY", "tm_mcp_test0000000000000000wrong")
        .url(&up.url())
        .stdin(&format!("{INITIALIZE}\n"))
        .run()
        .expect_code(0);
    let out = sb.cmd(&["doctor", "--offline", "--json"]).run();
    let c = expect(
        &out,
        "bridge.recent",
        "warn",
        &[
            "s ago, the bridge of claude-code 2.1.330 (pid ",
            "refused the MCP key (HTTP 401)",
            "3minapi auth login",
        ],
    );
    assert_no_key(&c.to_string(), "tm_mcp_test0000000000000000wrong", "doctor");
}

async fn legacy() -> Upstream {
    Upstream::start(UpstreamOptions::default()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_setup_passes_every_check() {
    let up = legacy().await;
    let kr = PrivateKeyring::start();
    kr.store(FAKE_KEY);
    let sb = kr.sandbox();
    on_path(kr.cmd(&["config", "install", "claude-code"]), sb)
        .run()
        .expect_code(0);
    // A bridge served a session without a problem: its trail is in serve.log.
    kr.cmd(&["mcp", "serve"])
        .url(&up.url())
        .stdin(&format!("{INITIALIZE}\n"))
        .run()
        .expect_code(0);
    let out = on_path(kr.cmd(&["doctor", "--json"]), sb)
        .url(&up.url())
        .run();
    out.expect_code(0);
    assert_no_key(&out.all(), FAKE_KEY, "doctor --json");
    expect(&out, "bridge.recent", "ok", &["no problem logged"]);
    for c in checks(&out) {
        assert_eq!(c["status"], "ok", "{c}\n{}", out.context());
        assert!(c["duration_ms"].is_u64(), "{c}");
    }
    expect(&out, "key.source", "ok", &["OS keychain"]);
    expect(&out, "upstream.era", "ok", &["2025-11-25", "session-based"]);
    expect(&out, "upstream.tools", "ok", &["13 tools"]);
    expect(&out, "binary", "ok", &["the one on PATH"]);
    let mut v = out.json();
    for c in v["checks"].as_array_mut().unwrap() {
        c["duration_ms"] = 0.into();
    }
    snapshot(
        "healthy.json",
        &normalize(&serde_json::to_string_pretty(&v).unwrap(), sb, Some(&up)),
    );
    let out = on_path(kr.cmd(&["doctor"]), sb).url(&up.url()).run();
    out.expect_code(0);
    assert!(!out.stdout.contains('\x1b'), "colour without a terminal");
    snapshot("healthy.txt", &normalize(&out.stdout, sb, Some(&up)));
}

#[test]
fn no_key_anywhere_fails_with_the_login_hint() {
    let sb = Sandbox::new();
    let out = sb.cmd(&["doctor", "--json"]).run();
    out.expect_code(1);
    expect(
        &out,
        "key.source",
        "fail",
        &["no MCP key found", "3minapi auth login"],
    );
    expect(&out, "key.kind", "skip", &[]);
    // No key from the environment either: an unreachable keychain is a failure.
    expect(&out, "keychain", "fail", &["no OS keychain is reachable"]);
    expect(&out, "binary", "warn", &["not on PATH"]);
    let out = sb.cmd(&["doctor", "--offline"]).run();
    out.expect_code(1);
    snapshot("no-key.txt", &normalize(&out.stdout, &sb, None));
}

#[test]
fn collaboration_keys_are_named_in_the_environment_and_in_the_keychain() {
    let sb = Sandbox::new();
    let live = "tm_live_0000000000000000000000000";
    let out = sb
        .cmd(&["doctor", "--json", "--offline"])
        .env("THREEMINAPI_MCP_KEY", live)
        .run();
    out.expect_code(1);
    expect(
        &out,
        "key.kind",
        "fail",
        &["tm_live_", "collaboration key", "environment variable"],
    );
    assert_no_key(&out.all(), live, "doctor");

    let kr = PrivateKeyring::start();
    let test_key = "tm_test_0000000000000000000000000";
    kr.store(test_key);
    let out = kr.cmd(&["doctor", "--json", "--offline"]).run();
    out.expect_code(1);
    expect(
        &out,
        "key.kind",
        "fail",
        &["tm_test_", "collaboration key", "OS keychain"],
    );
    expect(&out, "key.source", "ok", &["OS keychain"]);
    assert_no_key(&out.all(), test_key, "doctor");
    // With a good key in the environment, the keychain's bad one is still reported.
    let out = kr
        .cmd(&["doctor", "--json", "--offline"])
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run();
    expect(&out, "key.kind", "ok", &[]);
    expect(&out, "keychain", "warn", &["collaboration key"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_the_server_refuses_fails_with_regenerate_and_login() {
    let up = legacy().await;
    let sb = Sandbox::new();
    let out = sb
        .cmd(&["doctor", "--json"])
        .url(&up.url())
        .env("THREEMINAPI_MCP_KEY", OTHER_KEY)
        .run();
    out.expect_code(1);
    expect(&out, "network", "ok", &[]);
    expect(
        &out,
        "upstream.auth",
        "fail",
        &[
            "refused tm_mcp_…9999",
            "HTTP 401",
            "generate a new key",
            "3minapi auth login",
        ],
    );
    assert_no_key(&out.all(), OTHER_KEY, "doctor");
    let mut v = out.json();
    for c in v["checks"].as_array_mut().unwrap() {
        c["duration_ms"] = 0.into();
    }
    snapshot(
        "refused.json",
        &normalize(&serde_json::to_string_pretty(&v).unwrap(), &sb, Some(&up)),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_is_named_with_its_cause() {
    let up = legacy().await;
    let sb = Sandbox::new();
    let run = |url: &str, extra: &[(&str, &str)]| {
        let mut cmd = sb
            .cmd(&["doctor", "--json"])
            .url(url)
            .env("THREEMINAPI_MCP_KEY", FAKE_KEY);
        for (k, v) in extra {
            cmd = cmd.env(k, v);
        }
        cmd.run()
    };
    let closed = closed_port_url();
    let host_port = closed.split('/').nth(2).unwrap().to_owned();
    let out = run(&closed, &[]);
    out.expect_code(1);
    expect(&out, "network", "fail", &[&host_port, "refused"]);
    expect(&out, "upstream.era", "skip", &["not reachable"]);

    // TLS: https to a server that speaks plain HTTP.
    let https = up.url().replace("http://", "https://");
    let out = run(&https, &[]);
    expect(&out, "network", "fail", &["TCP ok", "TLS failed"]);

    // A proxy in use is named, and blamed in the hint.
    let out = run(
        "https://mcp.example.invalid/api/mcp",
        &[("HTTPS_PROXY", &closed), ("NO_PROXY", "")],
    );
    expect(
        &out,
        "network",
        "fail",
        &["through the proxy", "HTTPS_PROXY"],
    );

    // DNS (bounded even when no resolver answers).
    let out = run("https://mcp.example.invalid/api/mcp", &[]);
    expect(&out, "network", "fail", &["DNS", "mcp.example.invalid"]);
    assert!(out.elapsed < Duration::from_secs(10), "{}", out.context());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_server_cannot_make_the_run_take_more_than_ten_seconds() {
    let up = legacy().await;
    up.set_delay(Duration::from_secs(120));
    let sb = Sandbox::new();
    let out = sb
        .cmd(&["doctor", "--json"])
        .url(&up.url())
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run();
    out.expect_code(1);
    assert!(
        out.elapsed < Duration::from_secs(10),
        "took {:?}",
        out.elapsed
    );
    expect(&out, "upstream.era", "fail", &["did not answer within 3 s"]);
}

#[test]
fn offline_asks_nobody_and_a_missing_keychain_only_warns_when_the_env_has_the_key() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&["doctor", "--json", "--offline"])
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run();
    out.expect_code(0);
    for id in ["network", "upstream.era", "upstream.auth", "upstream.tools"] {
        expect(&out, id, "skip", &["--offline"]);
    }
    expect(&out, "keychain", "warn", &["no OS keychain is reachable"]);
    assert_no_key(&out.all(), FAKE_KEY, "doctor");
}

#[test]
fn a_locked_keychain_is_reported_quickly() {
    let kr = PrivateKeyring::start();
    kr.store(FAKE_KEY);
    kr.lock();
    let out = kr.cmd(&["doctor", "--json", "--offline"]).run();
    out.expect_code(1);
    assert!(out.elapsed < Duration::from_secs(10), "{}", out.context());
    let c = check(&out, "keychain");
    assert_eq!(c["status"], "fail", "{c}");
    assert!(c["hint"].as_str().unwrap().contains("unlock"), "{c}");
}

#[test]
fn client_configs_malformed_missing_stale_and_holding_keys_are_found() {
    let sb = Sandbox::new();
    let write = |rel: &str, text: &str| {
        let p = sb.home().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    };
    let malformed =
        "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"a\"}\n    \"b\": {}\n  }\n}\n";
    let cursor = write(".cursor/mcp.json", malformed);
    write(
        ".gemini/settings.json",
        "{\"mcpServers\": {\"github\": {\"command\": \"npx\"}}}",
    );
    write(
        ".codeium/windsurf/mcp_config.json",
        "{\"mcpServers\": {\"3minapi\": {\"command\": \"/gone/3minapi\", \"args\": [\"mcp\", \"serve\"]}}}",
    );
    write(
        ".claude.json",
        &format!(
            "{{\"mcpServers\": {{\"3minapi\": {{\"type\": \"http\", \"url\": \"http://127.0.0.1:9/api/mcp\", \"headers\": {{\"x-api-key\": \"{OTHER_KEY}\"}}}}}}}}"
        ),
    );
    // A current direct entry: the key in plain text is worth a warning by itself.
    sb.cmd(&["config", "install", "codex", "--direct"])
        .url("http://127.0.0.1:9/api/mcp")
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run()
        .expect_code(0);
    write(".codex/unrelated", "");
    let before = std::fs::read(&cursor).unwrap();

    let out = sb
        .cmd(&["doctor", "--json", "--offline"])
        .url("http://127.0.0.1:9/api/mcp")
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run();
    out.expect_code(1);
    expect(
        &out,
        "config.cursor.user",
        "fail",
        &[&format!("{}:4:5:", cursor.display()), "fix"],
    );
    assert_eq!(
        std::fs::read(&cursor).unwrap(),
        before,
        "doctor touched the file"
    );
    expect(
        &out,
        "config.gemini.user",
        "warn",
        &[
            "1 other MCP server",
            "3minapi config install gemini --scope user",
        ],
    );
    expect(
        &out,
        "config.windsurf.user",
        "warn",
        &[
            "stale",
            "/gone/3minapi does not exist",
            "3minapi config install windsurf",
        ],
    );
    expect(
        &out,
        "config.claude-code.user",
        "warn",
        &["stale", "different key"],
    );
    expect(
        &out,
        "config.codex.user",
        "warn",
        &["plain text", "without --direct"],
    );
    assert_no_key(&out.all(), FAKE_KEY, "doctor");
    assert_no_key(&out.all(), OTHER_KEY, "doctor");
    // Files that do not exist get no check.
    assert!(
        checks(&out)
            .iter()
            .all(|c| c["id"] != "config.vscode.project")
    );
    let reminders = out.json()["reminders"].clone();
    assert!(
        reminders.to_string().contains("restart Cursor"),
        "{reminders}"
    );

    let out = sb
        .cmd(&["doctor", "--offline"])
        .url("http://127.0.0.1:9/api/mcp")
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run();
    out.expect_code(1);
    snapshot("configs.txt", &normalize(&out.stdout, &sb, None));
}

#[test]
#[cfg(unix)]
fn a_hanging_keychain_is_bounded_and_only_a_warning_when_the_env_has_the_key() {
    // A "session bus" that accepts connections and never says a word.
    let sb = Sandbox::new();
    let socket = sb.root().join("silent-bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    let bus = format!("unix:path={}", socket.display());
    let out = sb
        .cmd(&["doctor", "--json", "--offline"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .run();
    out.expect_code(0);
    assert!(
        out.elapsed < Duration::from_secs(10),
        "took {:?}",
        out.elapsed
    );
    expect(
        &out,
        "keychain",
        "warn",
        &["did not answer within 3 s", "unlock"],
    );
    let out = sb
        .cmd(&["doctor", "--json", "--offline"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .run();
    out.expect_code(1);
    assert!(
        out.elapsed < Duration::from_secs(10),
        "took {:?}",
        out.elapsed
    );
    expect(&out, "keychain", "fail", &["did not answer within 3 s"]);
    expect(&out, "key.source", "fail", &["did not answer"]);
}
