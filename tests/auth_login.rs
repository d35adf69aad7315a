//! `3minapi auth login` against a real Secret Service (a private dbus-daemon + gnome-keyring per
//! test), checked from the outside with `secret-tool`: what is stored, what replaces it, what is
//! refused (and then nothing is stored), what is printed, and the `--insecure-storage` fallback.

mod common;

use common::bridge::assert_no_key;
use common::keyring::{Cmd, PrivateKeyring, Sandbox, closed_port_url, masked};
use common::upstream::{FAKE_KEY, Mode, Upstream, UpstreamOptions};
use std::time::Duration;

const KEY_A: &str = "tm_mcp_AAAAaaaa0000-_zz1111aaaa";
const KEY_B: &str = "tm_mcp_BBBBbbbb2222_-yy3333bbbb";

/// `auth login --with-key FLAGS` reading `stdin`.
fn login(cmd: impl Fn(&[&str]) -> Cmd, stdin: &str, flags: &[&str]) -> Cmd {
    let mut args = vec!["auth", "login", "--with-key"];
    args.extend_from_slice(flags);
    cmd(&args).stdin(stdin)
}

#[test]
fn login_stores_exactly_one_item_and_a_new_login_replaces_it() {
    let kr = PrivateKeyring::start();
    assert_eq!(kr.count_items(), 0);
    assert_eq!(kr.lookup(), None);

    let out = login(|a| kr.cmd(a), &format!("{KEY_A}\n"), &["--no-verify"]).run();
    out.expect_code(0)
        .expect_says(&format!("stored {}", masked(KEY_A)))
        .expect_says("OS keychain");
    assert_no_key(&out.all(), KEY_A, "login output");
    assert_eq!(kr.lookup().as_deref(), Some(KEY_A));
    assert_eq!(kr.count_items(), 1);

    // A pasted header line, quotes and stray whitespace are cleaned before storing.
    let pasted = format!("  x-api-key: \"{KEY_B}\"  \r\n");
    let out = login(|a| kr.cmd(a), &pasted, &["--no-verify"]).run();
    out.expect_code(0)
        .expect_says(&format!("stored {}", masked(KEY_B)));
    assert_no_key(&out.all(), KEY_B, "login output");
    assert_no_key(&out.all(), KEY_A, "login output");
    assert_eq!(kr.lookup().as_deref(), Some(KEY_B), "replaced and cleaned");
    assert_eq!(kr.count_items(), 1, "the new key replaces the old one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_asks_the_server_before_storing() {
    let kr = PrivateKeyring::start();
    for mode in [Mode::Legacy, Mode::Modern] {
        let up = Upstream::start(UpstreamOptions {
            mode,
            ..Default::default()
        })
        .await;
        let out = login(|a| kr.cmd(a), &format!("{FAKE_KEY}\n"), &[])
            .url(&up.url())
            .run();
        out.expect_code(0)
            .expect_says(&format!("the server accepts {}", masked(FAKE_KEY)))
            .expect_says(&format!("stored {}", masked(FAKE_KEY)));
        assert_no_key(&out.all(), FAKE_KEY, "login output");
        let seen = up.requests();
        assert!(!seen.is_empty(), "{mode:?}: the server was not asked");
        for r in &seen {
            assert_eq!(r.header("x-api-key"), Some(FAKE_KEY), "{mode:?}: {r:?}");
        }
        assert_eq!(kr.lookup().as_deref(), Some(FAKE_KEY), "{mode:?}");
        assert_eq!(kr.count_items(), 1, "{mode:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_the_server_refuses_is_not_stored() {
    let kr = PrivateKeyring::start();
    // The server only knows another key: ours was regenerated or deleted.
    let up = Upstream::start(UpstreamOptions {
        key: KEY_B.into(),
        ..Default::default()
    })
    .await;
    let out = login(|a| kr.cmd(a), &format!("{KEY_A}\n"), &[])
        .url(&up.url())
        .run();
    out.expect_code(1)
        .expect_says("the server does not accept this key")
        .expect_says("nothing was stored");
    assert_no_key(&out.all(), KEY_A, "login output");
    assert!(
        up.requests()
            .iter()
            .any(|r| r.header("x-api-key") == Some(KEY_A)),
        "the key was not sent for verification: {:?}",
        up.requests()
    );
    assert_eq!(kr.count_items(), 0, "a refused key was stored");

    // With a key already stored, a refused login leaves it alone.
    login(|a| kr.cmd(a), KEY_B, &["--no-verify"])
        .run()
        .expect_code(0);
    login(|a| kr.cmd(a), KEY_A, &[])
        .url(&up.url())
        .run()
        .expect_code(1);
    assert_eq!(kr.lookup().as_deref(), Some(KEY_B));
    assert_eq!(kr.count_items(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_kinds_of_keys_are_refused_before_any_request() {
    let kr = PrivateKeyring::start();
    let up = Upstream::start(UpstreamOptions::default()).await;
    let cases: &[(&str, &[&str])] = &[
        (
            "tm_live_test0000000000000000000000",
            &["tm_live_ (production) collaboration key", "tm_mcp_"],
        ),
        (
            "tm_test_test0000000000000000000000",
            &["tm_test_ (sandbox) collaboration key", "tm_mcp_"],
        ),
        ("tm_mcp_short", &["not an MCP key"]),
        ("sk-test000000000000000000000", &["not an MCP key"]),
        ("", &["no key was given"]),
    ];
    for (key, expect) in cases {
        let out = login(|a| kr.cmd(a), &format!("{key}\n"), &[])
            .url(&up.url())
            .run();
        out.expect_code(1).expect_says("nothing was stored");
        for want in *expect {
            out.expect_says(want);
        }
        if key.len() > 12 {
            assert_no_key(&out.all(), key, "login output");
        }
        assert_eq!(kr.count_items(), 0, "{key:?} was stored");
    }
    assert!(
        up.requests().is_empty(),
        "something was sent upstream: {:?}",
        up.requests()
    );
}

#[test]
fn an_unreachable_server_suggests_no_verify_and_stores_nothing() {
    let kr = PrivateKeyring::start();
    let out = login(|a| kr.cmd(a), KEY_A, &[])
        .url(&closed_port_url())
        .run();
    out.expect_code(1)
        .expect_says("cannot verify the key")
        .expect_says("--no-verify")
        .expect_says("nothing was stored");
    assert!(out.elapsed < Duration::from_secs(20), "{}", out.context());
    assert_no_key(&out.all(), KEY_A, "login output");
    assert_eq!(kr.count_items(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_verify_stores_without_asking_the_server() {
    let kr = PrivateKeyring::start();
    let up = Upstream::start(UpstreamOptions::default()).await;
    let out = login(|a| kr.cmd(a), FAKE_KEY, &["--no-verify"])
        .url(&up.url())
        .run();
    out.expect_code(0).expect_says("not verified");
    assert!(up.requests().is_empty(), "{:?}", up.requests());
    assert_eq!(up.connections(), 0);
    assert_eq!(kr.lookup().as_deref(), Some(FAKE_KEY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_plain_file_holds_the_key_and_the_keyring_keeps_it_across_restarts() {
    let kr = PrivateKeyring::start();
    let up = Upstream::start(UpstreamOptions::default()).await;
    login(|a| kr.cmd(a), FAKE_KEY, &[])
        .url(&up.url())
        .run()
        .expect_code(0);
    assert_eq!(kr.lookup().as_deref(), Some(FAKE_KEY));
    let sandbox = kr.sandbox();
    // The scan covers the keyring daemon's own store (encrypted: the key must not show in it).
    let keyrings = sandbox.data_home().join("keyrings");
    let stores: Vec<_> = sandbox
        .regular_files()
        .into_iter()
        .filter(|p| p.starts_with(&keyrings))
        .collect();
    assert!(
        !stores.is_empty(),
        "gnome-keyring wrote nothing under {keyrings:?}: {:?}",
        sandbox.regular_files()
    );
    let body = &FAKE_KEY["tm_mcp_".len()..];
    for needle in [FAKE_KEY, body] {
        let found = sandbox.files_containing(needle);
        assert!(
            found.is_empty(),
            "plain files under the temp HOME hold the key: {found:?}"
        );
    }
    assert!(!sandbox.credentials_path().exists());

    // Where it is: in a collection on disk, which a restart of the keyring (a reboot) keeps.
    let mut kr = kr;
    kr.restart_secrets();
    assert_eq!(kr.lookup().as_deref(), Some(FAKE_KEY));
    let out = kr.cmd(&["auth", "status", "--offline", "--json"]).run();
    out.expect_code(0);
    assert_eq!(out.json()["key"]["source"], "keychain", "{}", out.context());
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn insecure_storage_writes_a_private_file_and_every_use_warns() {
    // A machine without a keychain (the session bus address points at nothing).
    let sandbox = Sandbox::new();
    let out = login(
        |a| sandbox.cmd(a),
        KEY_A,
        &["--no-verify", "--insecure-storage"],
    )
    .run();
    out.expect_code(0)
        .expect_says("warning:")
        .expect_says("plain text")
        .expect_says(&masked(KEY_A));
    assert_no_key(&out.all(), KEY_A, "login output");
    let path = sandbox.credentials_path();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap().trim_end(),
        KEY_A,
        "{path:?}"
    );
    assert_eq!(mode(&path), 0o600, "{path:?}");
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(
        sandbox.files_containing(KEY_A),
        vec![path.clone()],
        "the key is in another file too (a temp file left behind?)"
    );

    let status = sandbox
        .cmd(&["auth", "status", "--offline", "--json"])
        .run();
    status.expect_code(0).expect_says("plain text");
    let report = status.json();
    assert_eq!(report["key"]["source"], "file", "{report}");
    assert_eq!(report["key"]["masked"], masked(KEY_A), "{report}");
    assert_no_key(&status.all(), KEY_A, "status output");
    let status = sandbox.cmd(&["auth", "status", "--offline"]).run();
    status
        .expect_code(0)
        .expect_says("warning:")
        .expect_says("plain file");
    assert_no_key(&status.all(), KEY_A, "status output");

    let out = sandbox.cmd(&["auth", "logout"]).run();
    out.expect_says("removed the key from the plain file");
    assert!(!path.exists(), "logout left {path:?}\n{}", out.context());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insecure_storage_leaves_the_keychain_alone() {
    let kr = PrivateKeyring::start();
    let up = Upstream::start(UpstreamOptions::default()).await;
    login(|a| kr.cmd(a), FAKE_KEY, &["--insecure-storage"])
        .url(&up.url())
        .run()
        .expect_code(0)
        .expect_says("plain text");
    assert_eq!(kr.count_items(), 0);
    assert!(kr.sandbox().credentials_path().exists());
    let status = kr.cmd(&["auth", "status", "--offline", "--json"]).run();
    status.expect_code(0);
    assert_eq!(status.json()["key"]["source"], "file");
    assert_eq!(status.json()["keychain"]["reachable"], true);
}

#[test]
fn without_a_keychain_login_fails_fast_and_names_insecure_storage() {
    // No session bus at all, then a bus without a Secret Service on it.
    let sandbox = Sandbox::new();
    let bus_only = PrivateKeyring::bus_only();
    for (what, cmd) in [
        ("no bus", login(|a| sandbox.cmd(a), KEY_A, &["--no-verify"])),
        (
            "no Secret Service",
            login(|a| bus_only.cmd(a), KEY_A, &["--no-verify"]),
        ),
    ] {
        let out = cmd.run();
        out.expect_code(1)
            .expect_says("cannot store the key")
            .expect_says("nothing was stored")
            .expect_says("--insecure-storage");
        assert!(
            out.elapsed < Duration::from_secs(5),
            "{what}: {}",
            out.context()
        );
        assert_no_key(&out.all(), KEY_A, "login output");
    }
    assert!(!sandbox.credentials_path().exists());
    assert!(!bus_only.sandbox().credentials_path().exists());
}

#[test]
fn a_locked_keyring_refuses_login_quickly_with_the_cause() {
    let kr = PrivateKeyring::start();
    login(|a| kr.cmd(a), KEY_A, &["--no-verify"])
        .run()
        .expect_code(0);
    kr.lock();
    let out = login(|a| kr.cmd(a), KEY_B, &["--no-verify"]).run();
    out.expect_code(1)
        .expect_says("cannot store the key")
        .expect_says("unlock");
    assert!(out.elapsed < Duration::from_secs(10), "{}", out.context());
    assert_no_key(&out.all(), KEY_B, "login output");
}
