//! The file formats the newer clients read — YAML (Goose, Continue), JSONC (Zed, OpenCode), JSON
//! with comments but no trailing commas (Qwen Code, Amp), strict JSON (Copilot CLI) — under the
//! rules of DESIGN §4: a malformed file or a table of the wrong kind is reported at its line and
//! left untouched, symlinks are followed, a read-only file is refused, an empty one is a start.
//! And `config install --all` / `config uninstall --all`.

mod common;

use common::keyring::{Output, Sandbox};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const URL: &str = "http://127.0.0.1:9/api/mcp";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn run(sb: &Sandbox, args: &[&str]) -> Output {
    sb.cmd(args)
        .url(URL)
        .env("PATH", sb.root().join("bin"))
        .run()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn yaml(path: &Path) -> Value {
    let v: yaml_serde::Value = yaml_serde::from_str(&read(path)).unwrap();
    serde_json::to_value(v).unwrap()
}

fn jsonc(path: &Path) -> Value {
    jsonc_parser::cst::CstRootNode::parse(&read(path), &Default::default())
        .unwrap()
        .to_serde_value()
        .unwrap()
}

fn goose(sb: &Sandbox) -> PathBuf {
    sb.config_home().join("goose/config.yaml")
}

#[test]
#[cfg(unix)]
fn bad_files_of_every_new_format_are_reported_where_they_are_and_left_untouched() {
    // client, file under the sandbox's home, text, what the error must say after "path:"
    let cases: [(&str, &str, &str, &str); 11] = [
        (
            "goose",
            ".config/goose/config.yaml",
            "GOOSE_MODEL: x\nextensions:\n  dev: [1, 2\n",
            "4:1: ",
        ),
        (
            "goose",
            ".config/goose/config.yaml",
            "GOOSE_MODEL: x\nextensions:\n  - name: dev\n",
            "2:1: `extensions` must be a mapping of entries by name, not a list",
        ),
        (
            "goose",
            ".config/goose/config.yaml",
            "extensions:\n  3minapi: true\n",
            "2:3: our entry `3minapi` in `extensions` must be a mapping, not a boolean",
        ),
        (
            "goose",
            ".config/goose/config.yaml",
            "extensions:\n  a: 1\n  a: 2\n",
            "2:3: ",
        ),
        (
            "continue",
            ".continue/config.yaml",
            "name: x\nmcpServers:\n  other:\n    command: npx\n",
            "2:1: `mcpServers` must be a list",
        ),
        (
            "qwen",
            ".qwen/settings.json",
            "{\n  // comments are fine\n  \"mcpServers\": {},\n}\n",
            "3:19: Trailing commas are not allowed",
        ),
        (
            "amp",
            ".config/amp/settings.json",
            "{\n  \"amp\": {\n    \"mcpServers\": {}\n  }\n}\n",
            "3:19: servers under \"amp\": {\"mcpServers\": …} are never read",
        ),
        (
            "copilot",
            ".copilot/mcp-config.json",
            "{\n  // Copilot skips a file with a comment\n  \"mcpServers\": {}\n}\n",
            "2:3: ",
        ),
        (
            "zed",
            ".config/zed/settings.json",
            "{\n  \"context_servers\": [],\n}\n",
            "2:22: \"context_servers\" must be an object",
        ),
        (
            "opencode",
            ".config/opencode/opencode.json",
            "{\"mcp\": {\"servers\": {\"x\": {\"type\": \"local\", \"command\": [\"x\"]}}}}\n",
            " its servers are in OpenCode's newer `mcp.servers` layout",
        ),
        (
            "crush",
            ".config/crush/crush.json",
            "{\"mcp\": {\"3minapi\": []}}",
            "1:21: \"mcp\".\"3minapi\" must be an object",
        ),
    ];
    for (client, rel, text, says) in cases {
        let sb = Sandbox::new();
        let path = sb.home().join(rel);
        write(&path, text);
        let before = sb.snapshot();
        for verb in ["install", "uninstall"] {
            let out = run(&sb, &["config", verb, client, "--scope", "user"]);
            out.expect_code(1)
                .expect_says(&format!("error: {}:{says}", path.display()))
                .expect_says("left untouched");
            assert_eq!(
                sb.snapshot(),
                before,
                "{client} {verb}: something was written"
            );
        }
    }
}

#[test]
#[cfg(unix)]
fn comments_are_kept_where_the_client_reads_them() {
    let sb = Sandbox::new();
    for (client, rel, text) in [
        (
            "qwen",
            ".qwen/settings.json",
            "{\n  // mine\n  \"theme\": \"dark\"\n}\n",
        ),
        (
            "amp",
            ".config/amp/settings.json",
            "{\n  // mine\n  \"amp.tools.disable\": []\n}\n",
        ),
        (
            "zed",
            ".config/zed/settings.json",
            "{\n  // mine\n  \"theme\": \"One Dark\",\n}\n",
        ),
    ] {
        let path = sb.home().join(rel);
        write(&path, text);
        run(&sb, &["config", "install", client, "--scope", "user"]).expect_code(0);
        let installed = read(&path);
        assert!(installed.contains("// mine"), "{client}: {installed}");
        run(&sb, &["config", "uninstall", client, "--scope", "user"]).expect_code(0);
        let back = jsonc(&path);
        assert!(back.as_object().unwrap().len() <= 2, "{client}: {back}");
        assert!(read(&path).contains("// mine"));
    }
}

#[test]
#[cfg(unix)]
fn a_read_only_file_is_refused_and_left_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    for (client, rel) in [
        ("goose", ".config/goose/config.yaml"),
        ("copilot", ".copilot/mcp-config.json"),
        ("cline", ".cline/data/settings/cline_mcp_settings.json"),
    ] {
        let sb = Sandbox::new();
        let path = sb.home().join(rel);
        write(&path, "");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let before = sb.snapshot();
        run(&sb, &["config", "install", client, "--scope", "user"])
            .expect_code(1)
            .expect_says("is read-only (mode 444); nothing was written")
            .expect_says("chmod u+w");
        assert_eq!(sb.snapshot(), before, "{client}");
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o444
        );
    }
}

#[test]
#[cfg(unix)]
fn empty_and_symlinked_yaml_files_take_the_entry() {
    let sb = Sandbox::new();
    let real = sb.home().join("dotfiles/goose.yaml");
    write(&real, "");
    std::fs::create_dir_all(goose(&sb).parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&real, goose(&sb)).unwrap();
    run(&sb, &["config", "install", "goose"]).expect_code(0);
    assert!(
        std::fs::symlink_metadata(goose(&sb))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let entry = &yaml(&real)["extensions"]["3minapi"];
    assert_eq!(entry["name"], json!("3minapi"));
    assert_eq!(entry["type"], json!("stdio"));
    assert_eq!(entry["args"], json!(["mcp", "serve"]));
    run(&sb, &["config", "uninstall", "goose"]).expect_code(0);
    assert_eq!(read(&real), "extensions: {}\n");
}

#[test]
#[cfg(unix)]
fn files_install_created_from_nothing_go_when_uninstall_empties_them() {
    let sb = Sandbox::new();
    // Continue's project scope is a block file of its own.
    let block = sb.project().join(".continue/mcpServers/3minapi.yaml");
    run(&sb, &["config", "install", "continue"]).expect_code(0);
    let v = yaml(&block);
    assert_eq!(
        (v["name"].clone(), v["schema"].clone()),
        (json!("3minapi"), json!("v1"))
    );
    assert_eq!(v["mcpServers"][0]["name"], json!("3minapi"));
    run(&sb, &["config", "uninstall", "continue"])
        .expect_code(0)
        .expect_says("the file is gone");
    assert!(!block.exists());
    // OpenCode: a new file starts with its $schema; OpenCode would add it otherwise.
    let oc = sb.config_home().join("opencode/opencode.json");
    run(&sb, &["config", "install", "opencode", "--scope", "user"]).expect_code(0);
    assert_eq!(
        jsonc(&oc)["$schema"],
        json!("https://opencode.ai/config.json")
    );
    run(&sb, &["config", "uninstall", "opencode", "--scope", "user"]).expect_code(0);
    assert!(!oc.exists());
    // A file with more in it stays.
    let user = sb.home().join(".continue/config.yaml");
    write(
        &user,
        "name: Mine\nversion: 1.0.0\nschema: v1\nmodels: []\n",
    );
    run(&sb, &["config", "install", "continue", "--scope", "user"]).expect_code(0);
    run(&sb, &["config", "uninstall", "continue", "--scope", "user"]).expect_code(0);
    assert_eq!(
        read(&user),
        "name: Mine\nversion: 1.0.0\nschema: v1\nmodels: []\nmcpServers: []\n"
    );
}

#[test]
#[cfg(unix)]
fn opencode_edits_its_jsonc_file_when_that_is_the_one_there() {
    let sb = Sandbox::new();
    let jsonc_file = sb.config_home().join("opencode/opencode.jsonc");
    write(
        &jsonc_file,
        "{\n  // mine\n  \"theme\": \"tokyonight\",\n}\n",
    );
    run(&sb, &["config", "install", "opencode", "--scope", "user"])
        .expect_code(0)
        .expect_says("opencode.jsonc");
    assert!(!sb.config_home().join("opencode/opencode.json").exists());
    let v = jsonc(&jsonc_file);
    assert_eq!(v["mcp"]["3minapi"]["type"], json!("local"));
    assert_eq!(v["mcp"]["3minapi"]["command"][1], json!("mcp"));
    assert!(read(&jsonc_file).contains("// mine"));
}

/// A fake program on the sandbox's PATH.
#[cfg(unix)]
fn on_path(sb: &Sandbox, name: &str) {
    use std::os::unix::fs::PermissionsExt;
    let bin = sb.root().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join(name), "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(bin.join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The `--all` line of a client: `<status> <client>  <what>`.
fn status_of<'a>(out: &'a Output, client: &str) -> &'a str {
    out.stderr
        .lines()
        .find(|l| l.contains(&format!(" {client} ")))
        .unwrap_or_else(|| panic!("no line for {client}: {}", out.context()))
}

#[test]
#[cfg(unix)]
fn install_all_covers_the_clients_found_here_and_creates_nothing_for_the_others() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.home().join(".cursor")).unwrap();
    std::fs::create_dir_all(sb.config_home().join("goose")).unwrap();
    on_path(&sb, "opencode");
    let out = run(&sb, &["config", "install", "--all"]);
    out.expect_code(0);
    for client in ["cursor", "goose", "opencode"] {
        assert!(
            status_of(&out, client).starts_with("installed"),
            "{}",
            out.context()
        );
    }
    assert!(status_of(&out, "zed").starts_with("skipped"));
    assert!(
        status_of(&out, "zed").contains("no `zed` on PATH"),
        "{}",
        out.context()
    );
    assert!(status_of(&out, "claude-desktop").starts_with("skipped"));
    out.expect_says("next (Cursor): ")
        .expect_says("next (Goose): ");
    let mut files: Vec<String> = sb
        .regular_files()
        .iter()
        .filter_map(|p| Some(p.strip_prefix(sb.home()).ok()?.display().to_string()))
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            ".config/goose/config.yaml",
            ".config/opencode/opencode.json",
            ".cursor/mcp.json"
        ]
    );
    // Again: nothing to do.
    let again = run(&sb, &["config", "install", "--all"]);
    again.expect_code(0);
    assert!(status_of(&again, "cursor").starts_with("up to date"));
    assert!(!again.stderr.contains("next ("), "{}", again.context());
    // One client failing does not stop the others, and the exit code says so.
    write(&sb.home().join(".cursor/mcp.json"), "{\"mcpServers\": ");
    std::fs::create_dir_all(sb.home().join(".factory")).unwrap();
    let out = run(&sb, &["config", "install", "--all"]);
    out.expect_code(1).expect_says("1 client failed");
    assert!(status_of(&out, "cursor").starts_with("failed"));
    assert!(status_of(&out, "cursor").contains("left untouched"));
    assert!(status_of(&out, "factory").starts_with("installed"));
    // A form a client cannot take is a skip with the reason.
    let out = sb
        .cmd(&["config", "install", "--all", "--direct", "--from-env"])
        .url(URL)
        .env("PATH", sb.root().join("bin"))
        .run();
    out.expect_code(1);
    assert!(
        status_of(&out, "goose").starts_with("updated"),
        "{}",
        out.context()
    );

    // Uninstall --all takes ours out of every file and leaves the rest.
    write(&sb.home().join(".cursor/mcp.json"), "{\"mcpServers\": {}}");
    let out = run(&sb, &["config", "uninstall", "--all"]);
    out.expect_code(0);
    assert!(status_of(&out, "goose").starts_with("removed"));
    assert!(status_of(&out, "cursor").starts_with("not there"));
    assert!(status_of(&out, "zed").starts_with("no file"));
    assert_eq!(yaml(&goose(&sb))["extensions"], json!({}));
}

#[test]
fn all_and_a_client_name_exclude_each_other_and_one_of_them_is_needed() {
    let sb = Sandbox::new();
    run(&sb, &["config", "install", "cursor", "--all"]).expect_code(2);
    run(&sb, &["config", "install"])
        .expect_code(2)
        .expect_says("or pass --all");
    run(&sb, &["config", "uninstall", "--all", "--file", "x.json"]).expect_code(2);
    assert!(sb.regular_files().is_empty());
}

/// The variables the README's table names are the ones that move each client's user file.
#[test]
fn the_variables_the_table_names_move_the_files() {
    use threeminapi::clients::{ClientId, Places, Scope};
    let base = Places {
        home: "/home/u".into(),
        config_dir: "/home/u/.config".into(),
        local_data_dir: "/home/u/.local/share".into(),
        cwd: "/work/p".into(),
        xdg_config: "/home/u/.config".into(),
        vars: Default::default(),
    };
    let all_vars: Vec<&str> = ClientId::ALL
        .iter()
        .flat_map(|c| c.place_vars().iter().copied())
        .collect();
    for client in ClientId::ALL {
        let before = client.path(Scope::User, &base).unwrap();
        for var in &all_vars {
            let mut moved = base.clone();
            moved.vars.insert(var, "/elsewhere".into());
            if *var == "XDG_CONFIG_HOME" {
                moved.xdg_config = "/elsewhere".into();
            }
            let after = client.path(Scope::User, &moved).unwrap();
            assert_eq!(
                after != before,
                client.place_vars().contains(var),
                "{} with ${var}: {after:?}",
                client.id()
            );
        }
    }
}
