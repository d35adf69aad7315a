//! Every `sh` block of the README either runs here — in order, like a user following along, in a
//! temp HOME and project against the fake upstream, with `3minapi` on PATH — or is marked
//! `<!-- not run: reason -->` right above it. So the README cannot drift from the binary.

mod common;

use common::keyring::Sandbox;
use common::upstream::{FAKE_KEY, Upstream, UpstreamOptions};
use std::process::Command;

struct Block {
    line: usize,
    code: String,
    /// `None`: marked not run.
    expect: Option<i32>,
}

fn blocks(readme: &str) -> Vec<Block> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_start().starts_with("```sh") {
            let marker = lines[..i]
                .iter()
                .rev()
                .find(|l| !l.trim().is_empty())
                .map(|l| l.trim())
                .unwrap_or("");
            let expect = if let Some(reason) = marker.strip_prefix("<!-- not run:") {
                assert!(
                    reason.trim_end_matches("-->").trim().len() >= 10,
                    "README line {}: a `not run` marker needs its reason",
                    i + 1
                );
                None
            } else if let Some(code) = marker.strip_prefix("<!-- run: exit ") {
                Some(code.trim_end_matches("-->").trim().parse().unwrap())
            } else {
                Some(0)
            };
            let start = i + 1;
            let end = (start..lines.len())
                .find(|&j| lines[j].trim_start().starts_with("```"))
                .expect("unterminated block");
            out.push(Block {
                line: i + 1,
                code: lines[start..end].join("\n"),
                expect,
            });
            i = end;
        }
        i += 1;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shell_block_runs_or_says_why_not() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let blocks = blocks(&readme);
    let up = Upstream::start(UpstreamOptions::default()).await;
    let sb = Sandbox::new();
    let bin = sb.root().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_3minapi"), bin.join("3minapi")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for b in &blocks {
        let Some(expect) = b.expect else { continue };
        let out = Command::new("sh")
            .arg("-e")
            .arg("-c")
            .arg(&b.code)
            .env_clear()
            .env("PATH", &path)
            .env("HOME", sb.home())
            .env("XDG_CONFIG_HOME", sb.config_home())
            .env("DBUS_SESSION_BUS_ADDRESS", sb.no_bus_address())
            .env("NO_PROXY", "*")
            .env("THREEMINAPI_URL", up.url())
            .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
            .current_dir(sb.project())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(expect),
            "README block at line {} exited {:?}\n{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            b.line,
            out.status.code(),
            b.code,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        common::bridge::assert_no_key(
            &format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            FAKE_KEY,
            "README block output",
        );
        ran += 1;
    }
    assert!(ran >= 5, "only {ran} README blocks ran");
    // The quick start really set the tools up: every one is current now.
    let list = Command::new(bin.join("3minapi"))
        .args(["config", "list", "--json"])
        .env_clear()
        .env("PATH", &path)
        .env("HOME", sb.home())
        .env("XDG_CONFIG_HOME", sb.config_home())
        .current_dir(sb.project())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let current = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] == "current")
        .count();
    assert_eq!(current, 7, "{v}");
}

/// The README's client table is the one the catalogue makes (`clients::readme_table`).
/// `THREEMINAPI_UPDATE_README=1 cargo test --test readme` writes it in.
#[test]
fn the_client_table_is_the_catalogue() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (head, rest) = readme
        .split_once("<!-- clients:begin -->\n")
        .expect("README has <!-- clients:begin -->");
    let (table, tail) = rest
        .split_once("<!-- clients:end -->")
        .expect("README has <!-- clients:end -->");
    let want = threeminapi::clients::readme_table();
    if table == want {
        return;
    }
    if std::env::var_os("THREEMINAPI_UPDATE_README").is_some() {
        let text = format!("{head}<!-- clients:begin -->\n{want}<!-- clients:end -->{tail}");
        std::fs::write(&path, text).unwrap();
        return;
    }
    panic!(
        "the README's client table differs from the catalogue; run THREEMINAPI_UPDATE_README=1 cargo test --test readme the_client_table\nexpected:\n{want}"
    );
}
