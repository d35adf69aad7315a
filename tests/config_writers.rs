//! `3minapi config install | uninstall | print | list` in a temp HOME and project directory: the
//! entry each client's documentation describes (tests/fixtures/config/), and every safety rule of
//! DESIGN §4 — malformed files untouched, other content and formatting kept, atomic writes through
//! symlinks, one backup, idempotence, dry runs, the key only in `--direct` files and only 0600.

mod common;

use common::bridge::assert_no_key;
use common::keyring::{Cmd, Output, Sandbox, masked};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Every run points here: a closed loopback port (install never connects; nothing leaves the host).
const URL: &str = "http://127.0.0.1:9/api/mcp";
const KEY: &str = "tm_mcp_test0000000000000000000001";
const OTHER_KEY: &str = "tm_mcp_test0000000000000000000002";
const CLIENTS: [&str; 20] = [
    "claude-code",
    "cursor",
    "vscode",
    "windsurf",
    "claude-desktop",
    "codex",
    "gemini",
    "opencode",
    "copilot",
    "zed",
    "goose",
    "cline",
    "roo",
    "continue",
    "kiro",
    "qwen",
    "amp",
    "crush",
    "lmstudio",
    "factory",
];

fn exe() -> String {
    std::fs::canonicalize(env!("CARGO_BIN_EXE_3minapi"))
        .unwrap()
        .display()
        .to_string()
}

fn fixture(client: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(format!("{client}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The fixture's entry of `form` with its placeholders filled in.
fn expected(fix: &Value, form: &str, command: &str, url: &str) -> Option<Value> {
    fn fill(v: &Value, command: &str, url: &str) -> Value {
        match v {
            Value::String(s) => Value::String(
                s.replace("$COMMAND", command)
                    .replace("$URL", url)
                    .replace("$KEY", KEY),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|v| fill(v, command, url)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), fill(v, command, url)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    let v = &fix[form];
    (!v.is_null()).then(|| fill(v, command, url))
}

/// The file a fixture names for a scope, in the sandbox.
fn fixture_path(fix: &Value, scope: &str, sb: &Sandbox) -> Option<PathBuf> {
    let p = fix["files"][scope].as_str()?;
    Some(if let Some(rest) = p.strip_prefix("~/") {
        sb.home().join(rest)
    } else if let Some(rest) = p.strip_prefix("./") {
        sb.project().join(rest)
    } else if let Some(rest) = p.strip_prefix("$CONFIG/") {
        sb.config_home().join(rest)
    } else {
        panic!("fixture path {p}")
    })
}

fn toml_to_json(item: &toml_edit::Item) -> Value {
    fn value(v: &toml_edit::Value) -> Value {
        match v {
            toml_edit::Value::String(s) => json!(s.value()),
            toml_edit::Value::Integer(i) => json!(i.value()),
            toml_edit::Value::Float(f) => json!(f.value()),
            toml_edit::Value::Boolean(b) => json!(b.value()),
            toml_edit::Value::Array(a) => Value::Array(a.iter().map(value).collect()),
            toml_edit::Value::InlineTable(t) => {
                Value::Object(t.iter().map(|(k, v)| (k.to_owned(), value(v))).collect())
            }
            other => panic!("unexpected TOML value {other}"),
        }
    }
    match item {
        toml_edit::Item::Value(v) => value(v),
        toml_edit::Item::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_owned(), toml_to_json(v)))
                .collect(),
        ),
        other => panic!("unexpected TOML item {other}"),
    }
}

/// A config file's content as JSON (JSONC comments allowed, TOML converted).
fn parsed(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    if path.extension().is_some_and(|e| e == "toml") {
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        toml_to_json(doc.as_item())
    } else if path.extension().is_some_and(|e| e == "yaml") {
        let v: yaml_serde::Value = yaml_serde::from_str(&text).unwrap();
        serde_json::to_value(v).unwrap()
    } else {
        jsonc_parser::cst::CstRootNode::parse(&text, &Default::default())
            .unwrap()
            .to_serde_value()
            .unwrap_or(Value::Null)
    }
}

/// Our entry in a file: by name in a table, or the list item with our `name` (Continue).
fn entry(path: &Path, servers_key: &str, name: &str) -> Value {
    let servers = parsed(path)[servers_key].clone();
    match servers {
        Value::Array(items) => items
            .into_iter()
            .find(|i| i["name"] == name)
            .unwrap_or(Value::Null),
        other => other[name].clone(),
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn cmd(sb: &Sandbox, args: &[&str]) -> Cmd {
    sb.cmd(args).url(URL)
}

fn run(sb: &Sandbox, args: &[&str]) -> Output {
    cmd(sb, args).run()
}

/// Every file under the sandbox with its bytes: "nothing else was written" compares two of these.
#[test]
fn each_client_and_scope_gets_the_entry_its_documentation_describes() {
    for client in CLIENTS {
        let fix = fixture(client);
        for scope in ["project", "user"] {
            let sb = Sandbox::new();
            let Some(path) = fixture_path(&fix, scope, &sb) else {
                let out = run(&sb, &["config", "install", client, "--scope", scope]);
                out.expect_code(2).expect_says("no project config file");
                assert!(sb.regular_files().is_empty(), "{client}: wrote a file");
                continue;
            };
            let out = run(&sb, &["config", "install", client, "--scope", scope]);
            out.expect_code(0)
                .expect_says(&format!("added 3minapi in {}", path.display()))
                .expect_says("next: ");
            let want = expected(&fix, "bridge", &exe(), "").unwrap();
            let servers_key = fix["servers_key"].as_str().unwrap();
            assert_eq!(
                entry(&path, servers_key, "3minapi"),
                want,
                "{client}/{scope}: {}",
                out.context()
            );
            // The binary in the sandbox is not on PATH: the project file names its path, and says so.
            assert_eq!(
                out.stderr.contains("not the 3minapi on PATH"),
                scope == "project",
                "{client}/{scope}: {}",
                out.context()
            );
            // The default scope is project where the client has one.
            let default_path = fixture_path(&fix, "project", &sb)
                .or_else(|| fixture_path(&fix, "user", &sb))
                .unwrap();
            let sb2 = Sandbox::new();
            run(&sb2, &["config", "install", client]).expect_code(0);
            let relocated = sb2
                .root()
                .join(default_path.strip_prefix(sb.root()).unwrap());
            assert!(
                relocated.is_file(),
                "{client}: default scope file {relocated:?}"
            );
        }
    }
}

#[test]
fn claude_code_says_what_happens_next_for_each_scope() {
    let sb = Sandbox::new();
    run(&sb, &["config", "install", "claude-code"])
        .expect_code(0)
        .expect_says("approve this project's MCP servers")
        .expect_says("restart Claude Code");
    run(
        &sb,
        &["config", "install", "claude-code", "--scope", "user"],
    )
    .expect_code(0)
    .expect_says("a running Claude Code rewrites ~/.claude.json")
    .expect_says("quit Claude Code first");
    // With the claude CLI on PATH, the user can let Claude Code write its own file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let bin = sb.root().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("claude"), "#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(bin.join("claude"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = cmd(
            &sb,
            &[
                "config",
                "install",
                "claude-code",
                "--scope",
                "user",
                "--read-only",
            ],
        )
        .env("PATH", path)
        .run();
        out.expect_code(0);
        let line = out
            .stderr
            .lines()
            .find(|l| l.contains("claude mcp add-json --scope user 3minapi '"))
            .unwrap_or_else(|| panic!("{}", out.context()));
        let json = line.split_once('\'').unwrap().1.trim_end_matches('\'');
        let v: Value = serde_json::from_str(json).unwrap();
        assert_eq!(v["args"], json!(["mcp", "serve", "--read-only"]));
        assert_eq!(
            v,
            entry(&sb.home().join(".claude.json"), "mcpServers", "3minapi")
        );
    }
}

#[test]
#[cfg(unix)]
fn direct_entries_take_each_clients_remote_shape_and_only_the_file_holds_the_key() {
    for client in CLIENTS {
        let fix = fixture(client);
        let sb = Sandbox::new();
        let url = URL;
        let out = cmd(&sb, &["config", "install", client, "--direct"])
            .env("THREEMINAPI_MCP_KEY", KEY)
            .run();
        assert_no_key(
            &out.all(),
            KEY,
            &format!("{client} install --direct output"),
        );
        let Some(want) = expected(&fix, "direct", "", url) else {
            out.expect_code(1).expect_says("ignores url entries");
            assert!(sb.regular_files().is_empty(), "{client}: wrote a file");
            continue;
        };
        out.expect_code(0)
            .expect_says("plain text")
            .expect_says(&masked(KEY));
        // A key in a file defaults to the user's own file.
        let path = fixture_path(&fix, "user", &sb).unwrap();
        let servers_key = fix["servers_key"].as_str().unwrap();
        assert_eq!(entry(&path, servers_key, "3minapi"), want, "{client}");
        assert_eq!(mode(&path), 0o600, "{client}: {path:?}");
        if path.parent() != Some(sb.home().as_path()) {
            assert_eq!(
                mode(path.parent().unwrap()),
                0o700,
                "{client}: the directory we created for a key"
            );
        }
        assert_eq!(sb.files_containing(KEY), vec![path.clone()], "{client}");

        // --from-env: the client reads the variable; no key anywhere in the file.
        let sb = Sandbox::new();
        let out = cmd(
            &sb,
            &["config", "install", client, "--direct", "--from-env"],
        )
        .env("THREEMINAPI_MCP_KEY", KEY)
        .run();
        match expected(&fix, "from_env", "", url) {
            Some(want) => {
                out.expect_code(0);
                assert_eq!(
                    entry(&path_in(&sb, &fix), servers_key, "3minapi"),
                    want,
                    "{client}"
                );
                assert!(sb.files_containing(KEY).is_empty(), "{client}");
            }
            None => {
                out.expect_code(1).expect_says("nothing was written");
                assert!(sb.regular_files().is_empty(), "{client}: wrote a file");
            }
        }
    }
}

fn path_in(sb: &Sandbox, fix: &Value) -> PathBuf {
    fixture_path(fix, "user", sb).unwrap()
}

#[test]
fn direct_without_a_usable_key_writes_nothing_and_says_why() {
    let sb = Sandbox::new();
    run(&sb, &["config", "install", "cursor", "--direct"])
        .expect_code(1)
        .expect_says("no MCP key found")
        .expect_says("3minapi auth login");
    let out = cmd(&sb, &["config", "install", "cursor", "--direct"])
        .env("THREEMINAPI_MCP_KEY", "tm_live_0000000000000000000000")
        .run();
    out.expect_code(1).expect_says("collaboration key");
    assert!(sb.regular_files().is_empty());
}

#[test]
#[cfg(unix)]
fn malformed_files_are_reported_with_their_position_and_left_untouched() {
    let cases: [(&str, &str, &str, &str); 8] = [
        // client, scope, text, expected "line:col: what" prefix
        (
            "claude-code",
            "project",
            "{\n  \"a\": 1\n  \"mcpServers\": {}\n}\n",
            "3:3: expected `,` or `}`",
        ),
        (
            "cursor",
            "user",
            "{\n  // a comment\n  \"mcpServers\": {}\n}\n",
            "2:3:",
        ),
        ("gemini", "user", "{\n  \"mcpServers\": {},\n}\n", "3:1:"),
        (
            "claude-code",
            "user",
            "{\"mcpServers\": [\"x\"]}",
            "1:16: \"mcpServers\" must be an object",
        ),
        (
            "windsurf",
            "user",
            "{\"mcpServers\": {\"3minapi\": \"x\"}}",
            "1:28: \"mcpServers\".\"3minapi\" must be an object",
        ),
        // JSONC allows comments and trailing commas, not a missing comma.
        (
            "vscode",
            "project",
            "{\n  // ok\n  \"servers\": {\n    \"a\": {}\n    \"b\": {}\n  }\n}\n",
            "4:12: Expected comma",
        ),
        (
            "codex",
            "user",
            "# mine\n[mcp_servers.other]\ncommand = \"x\n",
            "3:",
        ),
        (
            "codex",
            "user",
            "mcp_servers = 3\n",
            "1:15: `mcp_servers` must be a table",
        ),
    ];
    for (client, scope, text, position) in cases {
        let sb = Sandbox::new();
        let fix = fixture(client);
        let path = fixture_path(&fix, scope, &sb).unwrap();
        write(&path, text);
        set_mode(&path, 0o640);
        let before = sb.snapshot();
        for verb in ["install", "uninstall"] {
            let out = run(&sb, &["config", verb, client, "--scope", scope]);
            out.expect_code(1)
                .expect_says(&format!("error: {}:{position}", path.display()))
                .expect_says("left untouched");
            assert_eq!(
                sb.snapshot(),
                before,
                "{client} {verb}: something was written"
            );
            assert_eq!(mode(&path), 0o640);
        }
        let out = run(
            &sb,
            &["config", "install", client, "--scope", scope, "--dry-run"],
        );
        out.expect_code(1);
        assert!(out.stdout.is_empty(), "{}", out.context());
    }
}

#[test]
fn other_content_comments_and_formatting_survive_install_and_uninstall() {
    // client, scope, text, how our entry's name is indented ("inline": on the line of a servers
    // table written on one line, which stays on one line)
    let cases: [(&str, &str, &str, &str); 6] = [
        (
            "claude-code",
            "user",
            "{\n    \"numStartups\": 42,\n    \"theme\": \"dark\",\n    \"tipsHistory\": {\"a\": 1.50, \"é\": \"ü\"},\n    \"mcpServers\": {\n        \"github\": {\n            \"command\": \"npx\",\n            \"args\": [\"-y\", \"@modelcontextprotocol/server-github\"]\n        }\n    },\n    \"projects\": {}\n}\n",
            "        ",
        ),
        (
            "vscode",
            "project",
            "// Workspace MCP servers\n{\n  \"inputs\": [],\n  /* block\n     comment */\n  \"servers\": {\n    \"fetch\": {\n      \"type\": \"stdio\", // inline\n      \"command\": \"uvx\",\n      \"args\": [\"mcp-server-fetch\",],\n    },\n  },\n}\n",
            "    ",
        ),
        (
            "codex",
            "user",
            "# Codex settings\nmodel = \"gpt-5\"  # the default\n\n[mcp_servers.docs]\n# the docs server\ncommand = \"docs-mcp\"\nargs = [ \"--port\",  \"0\" ]\n\n[profiles.fast]\nmodel = \"gpt-5-mini\"\n",
            "",
        ),
        (
            "gemini",
            "user",
            "{\n\t\"theme\": \"GitHub\",\n\t\"mcpServers\": {}\n}",
            "inline",
        ),
        (
            "cursor",
            "user",
            "{\r\n  \"mcpServers\": {\r\n    \"a\": {\"url\": \"https://example.invalid/mcp\"}\r\n  }\r\n}\r\n",
            "    ",
        ),
        (
            "claude-desktop",
            "user",
            "{\"globalShortcut\": \"\"}",
            "    ",
        ),
    ];
    for (client, scope, text, indent) in cases {
        let sb = Sandbox::new();
        let fix = fixture(client);
        let servers_key = fix["servers_key"].as_str().unwrap();
        let path = fixture_path(&fix, scope, &sb).unwrap();
        write(&path, text);
        let original = parsed(&path);

        run(&sb, &["config", "install", client, "--scope", scope]).expect_code(0);
        let after = std::fs::read_to_string(&path).unwrap();
        // Everything else is still there, unchanged.
        let mut without_ours = parsed(&path);
        without_ours[servers_key]
            .as_object_mut()
            .unwrap()
            .remove("3minapi")
            .expect("our entry");
        if original.get(servers_key).is_none() {
            without_ours.as_object_mut().unwrap().remove(servers_key);
        }
        assert_eq!(without_ours, original, "{client}:\n{after}");
        // Comments, the newline style and the last newline (or its absence) are kept.
        for comment in [
            "// Workspace MCP servers",
            "/* block",
            "// inline",
            "# the docs server",
            "# the default",
        ] {
            assert_eq!(
                after.contains(comment),
                text.contains(comment),
                "{client}: {comment}\n{after}"
            );
        }
        assert_eq!(
            after.ends_with('\n'),
            text.ends_with('\n'),
            "{client}:\n{after}"
        );
        assert_eq!(after.contains("\r\n"), text.contains("\r\n"), "{client}");
        assert!(
            !after.replace("\r\n", "").contains('\r'),
            "{client}: lone CR"
        );
        if client == "codex" {
            assert!(
                after.contains("\n\n[mcp_servers.3minapi]\n"),
                "{client}:\n{after}"
            );
        } else if indent == "inline" {
            let line = format!("\"{servers_key}\": {{\"3minapi\": {{\"command\": ");
            assert!(after.contains(&line), "{client}: not inline\n{after}");
        } else {
            let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
            let line = format!("{newline}{indent}\"3minapi\": {{{newline}");
            assert!(after.contains(&line), "{client}: indentation\n{after}");
        }

        // Uninstall gives the user's bytes back, when the servers table was theirs.
        run(&sb, &["config", "uninstall", client, "--scope", scope]).expect_code(0);
        let back = std::fs::read_to_string(&path).unwrap();
        if original.get(servers_key).is_some() {
            assert_eq!(back, text, "{client}: uninstall did not restore the file");
        } else {
            assert_eq!(parsed(&path), {
                let mut v = original.clone();
                v[servers_key] = json!({});
                v
            });
        }
    }
}

#[test]
#[cfg(unix)]
fn a_symlinked_config_is_written_through_the_link() {
    let sb = Sandbox::new();
    let real = sb.home().join("dotfiles/claude.json");
    write(&real, "{\"theme\": \"light\"}\n");
    let link = sb.home().join(".claude.json");
    std::os::unix::fs::symlink("dotfiles/claude.json", &link).unwrap();
    run(
        &sb,
        &["config", "install", "claude-code", "--scope", "user"],
    )
    .expect_code(0);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        entry(&real, "mcpServers", "3minapi")["command"],
        json!(exe())
    );
    assert_eq!(parsed(&real)["theme"], json!("light"));
    assert!(sb.home().join("dotfiles/claude.json.3minapi.bak").is_file());
    // A dangling link: the file is created where it points.
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.home().join("dotfiles")).unwrap();
    let link = sb.home().join(".claude.json");
    std::os::unix::fs::symlink(sb.home().join("dotfiles/new.json"), &link).unwrap();
    run(
        &sb,
        &["config", "install", "claude-code", "--scope", "user"],
    )
    .expect_code(0);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        entry(
            &sb.home().join("dotfiles/new.json"),
            "mcpServers",
            "3minapi"
        )
        .is_object()
    );
}

#[test]
#[cfg(unix)]
fn installing_twice_changes_nothing_and_says_so() {
    for client in ["vscode", "codex", "claude-code"] {
        let sb = Sandbox::new();
        run(&sb, &["config", "install", client]).expect_code(0);
        let first = sb.snapshot();
        run(&sb, &["config", "install", client])
            .expect_code(0)
            .expect_says("already up to date");
        assert_eq!(sb.snapshot(), first, "{client}");
    }
    // A direct entry that is up to date still gets its file closed to others.
    let sb = Sandbox::new();
    let install = || {
        cmd(&sb, &["config", "install", "gemini", "--direct"])
            .env("THREEMINAPI_MCP_KEY", KEY)
            .run()
    };
    install().expect_code(0);
    let path = sb.home().join(".gemini/settings.json");
    set_mode(&path, 0o644);
    install()
        .expect_code(0)
        .expect_says("already up to date")
        .expect_says("0600");
    assert_eq!(mode(&path), 0o600);
}

#[test]
#[cfg(unix)]
fn a_backup_is_made_once_with_the_original_mode() {
    let sb = Sandbox::new();
    let path = sb.project().join(".cursor/mcp.json");
    let original = "{\n  \"mcpServers\": {}\n}\n";
    write(&path, original);
    set_mode(&path, 0o640);
    run(&sb, &["config", "install", "cursor"])
        .expect_code(0)
        .expect_says("mcp.json.3minapi.bak");
    let backup = sb.project().join(".cursor/mcp.json.3minapi.bak");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), original);
    assert_eq!(mode(&backup), 0o640);
    assert_eq!(mode(&path), 0o640, "the file keeps its mode");
    run(&sb, &["config", "uninstall", "cursor"]).expect_code(0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    assert_eq!(
        std::fs::read_to_string(&backup).unwrap(),
        original,
        "backup overwritten"
    );
    // No temp files are left behind.
    let names: Vec<String> = std::fs::read_dir(sb.project().join(".cursor"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // A file that held a key keeps its backup as closed as it was.
    let sb = Sandbox::new();
    let path = sb.home().join(".cursor/mcp.json");
    write(
        &path,
        &format!(
            "{{\"mcpServers\": {{\"3minapi\": {{\"url\": \"x\", \"headers\": {{\"x-api-key\": \"{OTHER_KEY}\"}}}}}}}}"
        ),
    );
    set_mode(&path, 0o600);
    run(&sb, &["config", "install", "cursor", "--scope", "user"]).expect_code(0);
    assert_eq!(mode(&sb.home().join(".cursor/mcp.json.3minapi.bak")), 0o600);
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let sb = Sandbox::new();
    let out = run(&sb, &["config", "install", "codex", "--dry-run"]);
    out.expect_code(0).expect_says("nothing was written");
    assert!(
        out.stdout.contains("+[mcp_servers.3minapi]"),
        "{}",
        out.context()
    );
    assert!(
        out.stdout.contains("+tool_timeout_sec = 600"),
        "{}",
        out.context()
    );
    assert!(
        sb.regular_files().is_empty(),
        "dry run wrote {:?}",
        sb.regular_files()
    );
    assert!(
        !sb.home().join(".codex").exists(),
        "dry run created a directory"
    );

    let path = sb.project().join(".mcp.json");
    write(
        &path,
        "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"a\"}\n  }\n}\n",
    );
    run(&sb, &["config", "install", "claude-code"]).expect_code(0);
    let before = sb.snapshot();
    let out = run(&sb, &["config", "uninstall", "claude-code", "--dry-run"]);
    out.expect_code(0);
    assert!(
        out.stdout.contains("-    \"3minapi\": {"),
        "{}",
        out.context()
    );
    assert!(
        out.stdout.contains("-    \"a\": {\"command\": \"a\"},\n"),
        "{}",
        out.context()
    );
    assert!(
        out.stdout.contains("+    \"a\": {\"command\": \"a\"}\n"),
        "{}",
        out.context()
    );
    assert_eq!(sb.snapshot(), before);

    // The key never reaches the screen, also in a diff of a --direct change.
    let out = cmd(
        &sb,
        &["config", "install", "windsurf", "--direct", "--dry-run"],
    )
    .env("THREEMINAPI_MCP_KEY", KEY)
    .run();
    out.expect_code(0);
    assert!(out.stdout.contains(&masked(KEY)), "{}", out.context());
    assert_no_key(&out.all(), KEY, "dry-run diff");
    assert_eq!(sb.snapshot(), before);
}

#[test]
fn uninstall_is_quiet_success_when_there_is_nothing_to_remove() {
    let sb = Sandbox::new();
    run(&sb, &["config", "uninstall", "gemini"])
        .expect_code(0)
        .expect_says("does not exist; nothing to remove");
    assert!(sb.regular_files().is_empty());
    let path = sb.project().join(".gemini/settings.json");
    write(&path, "{\"mcpServers\": {\"x\": {\"command\": \"x\"}}}");
    let before = sb.snapshot();
    run(&sb, &["config", "uninstall", "gemini"])
        .expect_code(0)
        .expect_says("no entry named 3minapi");
    assert_eq!(sb.snapshot(), before);
    // --name picks the entry.
    run(&sb, &["config", "uninstall", "gemini", "--name", "x"]).expect_code(0);
    assert_eq!(parsed(&path), json!({"mcpServers": {}}));
}

#[test]
fn fields_a_user_added_to_our_entry_are_kept_in_place() {
    let sb = Sandbox::new();
    let path = sb.home().join(".cursor/mcp.json");
    let text = "{\n  \"mcpServers\": {\n    \"3minapi\": {\n      \"command\": \"/old/place/3minapi\",\n      \"env\": {\"RUST_LOG\": \"debug\"},\n      \"args\": [\"mcp\", \"serve\"],\n      \"disabled\": false,\n      \"autoApprove\": [\"help\"]\n    }\n  }\n}\n";
    write(&path, text);
    run(&sb, &["config", "list"])
        .expect_code(0)
        .expect_says("its command /old/place/3minapi does not exist");
    run(&sb, &["config", "install", "cursor", "--scope", "user"])
        .expect_code(0)
        .expect_says("updated 3minapi");
    let want = text.replace("/old/place/3minapi", &exe());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), want);

    // Switching to --direct replaces only the fields we own; env stays.
    cmd(&sb, &["config", "install", "cursor", "--direct"])
        .env("THREEMINAPI_MCP_KEY", KEY)
        .run()
        .expect_code(0);
    let e = entry(&path, "mcpServers", "3minapi");
    assert_eq!(
        e,
        json!({"env": {"RUST_LOG": "debug"}, "disabled": false, "autoApprove": ["help"],
               "url": URL, "headers": {"x-api-key": KEY}})
    );
    // And back: the key leaves the file.
    run(&sb, &["config", "install", "cursor", "--scope", "user"]).expect_code(0);
    let e = entry(&path, "mcpServers", "3minapi");
    assert_eq!(
        e,
        json!({"env": {"RUST_LOG": "debug"}, "disabled": false, "autoApprove": ["help"],
               "command": exe(), "args": ["mcp", "serve"]})
    );
    assert!(!std::fs::read_to_string(&path).unwrap().contains(KEY));
}

#[test]
#[cfg(unix)]
fn project_entries_name_the_binary_plainly_when_it_is_the_one_on_path() {
    let sb = Sandbox::new();
    let bin = sb.root().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(exe(), bin.join("3minapi")).unwrap();
    let path_var = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = cmd(&sb, &["config", "install", "claude-code"])
        .env("PATH", &path_var)
        .run();
    out.expect_code(0);
    assert!(!out.stderr.contains("warning"), "{}", out.context());
    let path = sb.project().join(".mcp.json");
    assert_eq!(
        entry(&path, "mcpServers", "3minapi")["command"],
        json!("3minapi")
    );
    // `config list` checks a plain name against PATH.
    let out = cmd(&sb, &["config", "list", "--json"])
        .env("PATH", &path_var)
        .run();
    let files = out.json()["files"].clone();
    let ours = files
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["client"] == "claude-code" && f["scope"] == "project")
        .unwrap()
        .clone();
    assert_eq!(ours["state"], "current", "{}", out.context());
    // --absolute-path forces the path; user scope always uses it.
    cmd(
        &sb,
        &["config", "install", "claude-code", "--absolute-path"],
    )
    .env("PATH", &path_var)
    .run()
    .expect_code(0)
    .expect_says("updated");
    assert_eq!(
        entry(&path, "mcpServers", "3minapi")["command"],
        json!(exe())
    );
    cmd(&sb, &["config", "install", "gemini", "--scope", "user"])
        .env("PATH", &path_var)
        .run()
        .expect_code(0);
    assert_eq!(
        entry(
            &sb.home().join(".gemini/settings.json"),
            "mcpServers",
            "3minapi"
        )["command"],
        json!(exe())
    );
}

#[test]
#[cfg(unix)]
fn a_key_goes_into_a_project_file_only_when_git_ignores_it_or_with_force() {
    let sb = Sandbox::new();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(sb.project())
            .env("HOME", sb.home())
            .status()
            .expect("git must be installed for this test");
        assert!(status.success());
    };
    git(&["init", "-q"]);
    let install = |client: &str, extra: &[&str]| {
        let mut args = vec![
            "config", "install", client, "--direct", "--scope", "project",
        ];
        args.extend_from_slice(extra);
        cmd(&sb, &args).env("THREEMINAPI_MCP_KEY", KEY).run()
    };
    install("cursor", &[])
        .expect_code(1)
        .expect_says("usually committed")
        .expect_says("git does not ignore");
    assert!(sb.files_containing(KEY).is_empty());
    assert!(!sb.project().join(".cursor").exists());

    write(&sb.project().join(".gitignore"), ".cursor/\n");
    install("cursor", &[]).expect_code(0);
    let path = sb.project().join(".cursor/mcp.json");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        entry(&path, "mcpServers", "3minapi")["headers"]["x-api-key"],
        json!(KEY)
    );

    install("gemini", &["--force"]).expect_code(0);
    assert_eq!(mode(&sb.project().join(".gemini/settings.json")), 0o600);
}

#[test]
fn list_tells_current_missing_stale_and_malformed_apart() {
    let sb = Sandbox::new();
    run(&sb, &["config", "install", "claude-code"]).expect_code(0);
    write(
        &sb.home().join(".cursor/mcp.json"),
        "{\"mcpServers\": {\"github\": {\"command\": \"npx\"}}}",
    );
    write(
        &sb.home().join(".gemini/settings.json"),
        "{\"mcpServers\": {\"3minapi\": {\"command\": \"/gone/3minapi\", \"args\": [\"mcp\", \"serve\"]}}}",
    );
    write(&sb.project().join(".vscode/mcp.json"), "{\"servers\": {,}}");
    // A direct entry holding an older key than the one in use.
    cmd(&sb, &["config", "install", "windsurf", "--direct"])
        .env("THREEMINAPI_MCP_KEY", OTHER_KEY)
        .run()
        .expect_code(0);
    // Codex without the env_vars it needs.
    write(
        &sb.home().join(".codex/config.toml"),
        &format!(
            "[mcp_servers.3minapi]\ncommand = \"{}\"\nargs = [\"mcp\", \"serve\"]\n",
            exe()
        ),
    );

    let out = cmd(&sb, &["config", "list", "--json"])
        .env("THREEMINAPI_MCP_KEY", KEY)
        .run();
    out.expect_code(0);
    assert_no_key(&out.all(), KEY, "config list");
    assert_no_key(&out.all(), OTHER_KEY, "config list");
    let files = out.json()["files"].as_array().unwrap().clone();
    // 20 clients, 14 of them with a project file too.
    assert_eq!(files.len(), 34, "every client file is listed");
    let state = |client: &str, scope: &str| {
        files
            .iter()
            .find(|f| f["client"] == client && f["scope"] == scope)
            .unwrap_or_else(|| panic!("{client}/{scope} missing"))
            .clone()
    };
    assert_eq!(state("claude-code", "project")["state"], "current");
    assert_eq!(state("claude-code", "user")["state"], "no-file");
    assert_eq!(state("claude-code", "user")["exists"], false);
    let cursor = state("cursor", "user");
    assert_eq!(
        (cursor["state"].clone(), cursor["other_servers"].clone()),
        (json!("missing"), json!(1))
    );
    let gemini = state("gemini", "user");
    assert_eq!(gemini["state"], "stale");
    assert!(
        gemini["detail"]
            .as_str()
            .unwrap()
            .contains("/gone/3minapi does not exist")
    );
    let vscode = state("vscode", "project");
    assert_eq!(vscode["state"], "malformed");
    assert!(
        vscode["detail"]
            .as_str()
            .unwrap()
            .contains("mcp.json:1:14:"),
        "{vscode}"
    );
    let windsurf = state("windsurf", "user");
    assert_eq!(windsurf["state"], "stale");
    assert_eq!(windsurf["holds_key"], true);
    assert!(
        windsurf["detail"]
            .as_str()
            .unwrap()
            .contains("different key"),
        "{windsurf}"
    );
    let codex = state("codex", "user");
    assert_eq!(codex["state"], "stale");
    assert!(
        codex["detail"].as_str().unwrap().contains("env_vars"),
        "{codex}"
    );

    // The same key as in use: current. The human table says the same things.
    let out = cmd(&sb, &["config", "list"])
        .env("THREEMINAPI_MCP_KEY", OTHER_KEY)
        .run();
    out.expect_code(0);
    let line = |prefix: &str| {
        out.stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} line\n{}", out.context()))
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_owned()
    };
    assert_eq!(line("windsurf/user"), "current");
    assert_eq!(line("gemini/user"), "stale");
    assert_eq!(line("vscode/project"), "malformed");
    assert_eq!(line("cursor/user"), "missing");
    assert!(out.stdout.contains("1 other server configured"));
    assert!(out.stdout.contains("the MCP key sits in this file"));
    assert_no_key(&out.all(), OTHER_KEY, "config list");
}

#[test]
fn print_shows_the_entry_and_masks_the_key() {
    let sb = Sandbox::new();
    let out = run(&sb, &["config", "print", "codex"]);
    out.expect_code(0);
    assert!(
        out.stdout.starts_with("[mcp_servers.3minapi]\n"),
        "{}",
        out.context()
    );
    assert!(out.stdout.contains("env_vars = [\"THREEMINAPI_MCP_KEY\""));
    let out = cmd(&sb, &["config", "print", "vscode", "--direct"])
        .env("THREEMINAPI_MCP_KEY", KEY)
        .run();
    out.expect_code(0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v["servers"]["3minapi"]["headers"]["x-api-key"],
        json!(masked(KEY))
    );
    assert_no_key(&out.all(), KEY, "config print --direct");
    assert!(sb.regular_files().is_empty(), "print wrote a file");
    run(&sb, &["config", "print", "claude-desktop", "--direct"])
        .expect_code(1)
        .expect_says("ignores url entries");
}

#[test]
fn a_ca_file_goes_into_the_entry_as_an_absolute_path_and_a_bad_one_writes_nothing() {
    let sb = Sandbox::new();
    let custom = sb.root().join("codex.toml");
    let custom_arg = custom.to_str().unwrap();
    std::fs::write(sb.root().join("empty.pem"), "").unwrap();
    let ca = common::tls::TestCa::new("Corp Inspection CA");
    ca.write_pem(sb.root(), "corp-ca.pem");
    // Relative paths, as a user types them, from the directory holding them.
    let install = |ca_file: &str| {
        cmd(
            &sb,
            &[
                "--ca-file",
                ca_file,
                "config",
                "install",
                "codex",
                "--file",
                custom_arg,
            ],
        )
        .cwd(sb.root())
        .run()
    };
    let out = install("empty.pem");
    out.expect_code(1);
    assert!(
        out.stderr.contains("empty.pem") && out.stderr.contains("it is empty"),
        "{}",
        out.context()
    );
    assert!(
        out.stderr.contains("nothing was written"),
        "{}",
        out.context()
    );
    assert!(!custom.exists());
    install("corp-ca.pem").expect_code(0);
    let e = entry(&custom, "mcp_servers", "3minapi");
    let absolute = sb.root().join("corp-ca.pem");
    assert_eq!(
        e["args"],
        json!(["mcp", "serve", "--ca-file", absolute.to_str().unwrap()])
    );
}

#[test]
fn url_and_file_flags_shape_the_entry() {
    let sb = Sandbox::new();
    let custom = sb.root().join("elsewhere/codex.toml");
    run(
        &sb,
        &[
            "--url",
            "http://127.0.0.1:9/mcp",
            "config",
            "install",
            "codex",
            "--file",
            custom.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    let e = entry(&custom, "mcp_servers", "3minapi");
    assert_eq!(
        e["args"],
        json!(["mcp", "serve", "--url", "http://127.0.0.1:9/mcp"])
    );
    assert!(
        !sb.home().join(".codex").exists(),
        "--file wrote the default file too"
    );
    run(
        &sb,
        &["config", "install", "cursor", "--name", "3minapi-staging"],
    )
    .expect_code(0);
    let e = entry(
        &sb.project().join(".cursor/mcp.json"),
        "mcpServers",
        "3minapi-staging",
    );
    assert_eq!(e["args"], json!(["mcp", "serve"]));

    // The bridge's filter flags go into the entry's args, as `mcp serve` takes them.
    let flags = [
        "--read-only",
        "--allow-tool",
        "endpoints",
        "--deny-tool",
        "endpoints.deploy",
    ];
    let mut args = vec!["config", "install", "gemini"];
    args.extend(flags);
    run(&sb, &args).expect_code(0);
    let e = entry(
        &sb.project().join(".gemini/settings.json"),
        "mcpServers",
        "3minapi",
    );
    let mut want = vec!["mcp", "serve"];
    want.extend(flags);
    assert_eq!(e["args"], json!(want));
    // …and the written args are ones the bridge accepts (it starts, then exits 0 on EOF).
    let argv: Vec<String> = e["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let out = run(&sb, &argv);
    out.expect_code(0);
    assert!(out.stdout.is_empty(), "{}", out.context());
    // A direct entry has no bridge to filter: refused.
    let mut args = vec!["config", "install", "cursor", "--direct", "--scope", "user"];
    args.extend(flags);
    cmd(&sb, &args)
        .env("THREEMINAPI_MCP_KEY", KEY)
        .run()
        .expect_code(1)
        .expect_says("--read-only, --allow-tool, --deny-tool filter tool calls in the bridge");
    assert!(!sb.home().join(".cursor").exists());
}
