//! The YAML editor (Goose's `extensions` mapping, Continue's `mcpServers` list): our entry goes in
//! and out, and every other byte of the file stays as the user wrote it.

use serde_json::json;
use threeminapi::clients::{Doc, Fields, Format};

fn goose_fields() -> Fields {
    vec![
        ("type", json!("stdio")),
        ("enabled", json!(true)),
        ("cmd", json!("/opt/bin/3minapi")),
        ("args", json!(["mcp", "serve"])),
    ]
}

fn continue_fields() -> Fields {
    vec![
        ("name", json!("3minapi")),
        ("type", json!("stdio")),
        ("command", json!("/opt/bin/3minapi")),
        ("args", json!(["mcp", "serve"])),
    ]
}

const OWNED: [&str; 6] = ["type", "name", "enabled", "cmd", "args", "uri"];

/// Installs, and checks that what was written reads back with our entry, named inside too.
fn install(text: &str, format: Format, key: &'static str, fields: &Fields) -> String {
    let mut doc = Doc::parse(text, format, key, "3minapi").expect("parses");
    doc.upsert("3minapi", fields, &OWNED).expect("installs");
    let out = doc.render();
    // What was written reads back with our entry.
    let again = Doc::parse(&out, format, key, "3minapi").expect("reads back");
    let entry = again.entry("3minapi").expect("our entry");
    for (k, v) in fields {
        assert_eq!(&entry[*k], v, "{k} in\n{out}");
    }
    assert_eq!(entry["name"], json!("3minapi"), "{out}");
    out
}

fn uninstall(text: &str, format: Format, key: &'static str) -> String {
    let mut doc = Doc::parse(text, format, key, "3minapi").expect("parses");
    assert!(
        doc.remove("3minapi").expect("uninstalls"),
        "entry was there"
    );
    doc.render()
}

const GOOSE: &str = "\
# Goose's own file, with comments
GOOSE_PROVIDER: openai   # the provider
extensions:
  developer:
    enabled: true   # keep me
    name: developer
    type: builtin
  # memory is off for now
  memory:
    enabled: false
    name: memory
    type: builtin
# the model
GOOSE_MODEL: gpt-4o
";

#[test]
fn a_goose_entry_goes_in_after_the_others_and_out_again_leaving_every_byte() {
    let out = install(GOOSE, Format::Yaml, "extensions", &goose_fields());
    let expected = GOOSE.replace(
        "    type: builtin\n# the model",
        "    type: builtin\n  3minapi:\n    name: 3minapi\n    type: stdio\n    enabled: true\n    cmd: /opt/bin/3minapi\n    args:\n    - mcp\n    - serve\n# the model",
    );
    assert_eq!(out, expected);
    assert_eq!(uninstall(&out, Format::Yaml, "extensions"), GOOSE);
}

#[test]
fn the_members_of_a_new_entry_are_indented_like_its_neighbours() {
    let text = "extensions:\n    dev:\n        type: builtin\n";
    let out = install(text, Format::Yaml, "extensions", &goose_fields());
    assert!(
        out.starts_with(
            "extensions:\n    dev:\n        type: builtin\n    3minapi:\n        name: 3minapi\n        type: stdio\n"
        ),
        "{out}"
    );
    assert_eq!(uninstall(&out, Format::Yaml, "extensions"), text);
}

#[test]
fn a_file_without_the_table_gets_one_and_an_empty_one_stays_behind() {
    for text in [
        "",
        "GOOSE_MODEL: x\n",
        "GOOSE_MODEL: x",
        "# only a comment\n",
    ] {
        let out = install(text, Format::Yaml, "extensions", &goose_fields());
        assert!(
            out.contains("extensions:\n  3minapi:\n    name: 3minapi\n    type: stdio\n"),
            "{out:?}"
        );
        let back = uninstall(&out, Format::Yaml, "extensions");
        let body = if text.is_empty() || text.ends_with('\n') {
            text.to_owned()
        } else {
            format!("{text}\n")
        };
        assert_eq!(back, format!("{body}extensions: {{}}\n"), "from {text:?}");
    }
}

#[test]
fn an_empty_table_written_inline_or_left_blank_takes_the_entry_and_gets_it_back() {
    for text in [
        "extensions: {}\nGOOSE_MODEL: x\n",
        "extensions: {}  # none yet\n",
        "extensions: {}",
    ] {
        let out = install(text, Format::Yaml, "extensions", &goose_fields());
        assert_eq!(uninstall(&out, Format::Yaml, "extensions"), text, "{out}");
    }
    let out = install(
        "extensions:\nx: 1\n",
        Format::Yaml,
        "extensions",
        &goose_fields(),
    );
    assert!(out.starts_with("extensions:\n  3minapi:\n"), "{out}");
}

#[test]
fn windows_line_ends_a_byte_order_mark_and_a_missing_last_newline_are_kept() {
    let text = "\u{feff}extensions:\r\n  dev:\r\n    type: builtin\r\n";
    let out = install(text, Format::Yaml, "extensions", &goose_fields());
    assert!(out.starts_with('\u{feff}'));
    assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
    assert_eq!(uninstall(&out, Format::Yaml, "extensions"), text);

    let text = "extensions:\n  dev:\n    type: builtin";
    let out = install(text, Format::Yaml, "extensions", &goose_fields());
    assert!(!out.ends_with('\n'), "{out:?}");
    assert_eq!(uninstall(&out, Format::Yaml, "extensions"), text);
}

#[test]
fn an_existing_entry_is_updated_and_keeps_what_the_user_added() {
    let text = "extensions:\n  3minapi:\n    type: streamable_http\n    name: 3minapi\n    uri: https://old\n    timeout: 600\n  other:\n    type: builtin\n";
    let out = install(text, Format::Yaml, "extensions", &goose_fields());
    let doc = Doc::parse(&out, Format::Yaml, "extensions", "3minapi").unwrap();
    let entry = doc.entry("3minapi").unwrap();
    assert_eq!(entry["timeout"], json!(600), "the user's field stays");
    assert!(
        entry.get("uri").is_none(),
        "the old form's field goes: {out}"
    );
    assert_eq!(doc.server_names(), ["3minapi", "other"]);
    assert!(out.ends_with("  other:\n    type: builtin\n"), "{out}");
    // Installing the same again changes nothing.
    assert_eq!(
        install(&out, Format::Yaml, "extensions", &goose_fields()),
        out
    );
}

#[test]
fn a_continue_entry_joins_the_list_whatever_its_indentation() {
    for text in [
        "name: My Assistant\nversion: 0.0.1\nschema: v1\nmcpServers:\n  - name: other\n    command: npx\n# tail comment\n",
        "mcpServers:\n- name: other\n  command: npx\nmodels: []\n",
    ] {
        let out = install(text, Format::YamlList, "mcpServers", &continue_fields());
        let doc = Doc::parse(&out, Format::YamlList, "mcpServers", "3minapi").unwrap();
        assert_eq!(doc.server_names(), ["other", "3minapi"], "{out}");
        assert!(out.contains("command: npx\n"));
        assert_eq!(uninstall(&out, Format::YamlList, "mcpServers"), text);
    }
    let out = install("", Format::YamlList, "mcpServers", &continue_fields());
    assert!(
        out.starts_with("mcpServers:\n  - name: 3minapi\n    type: stdio\n"),
        "{out}"
    );
    assert_eq!(
        uninstall(&out, Format::YamlList, "mcpServers"),
        "mcpServers: []\n"
    );
}

fn refused(text: &str, format: Format, key: &'static str) -> String {
    match Doc::parse(text, format, key, "3minapi") {
        Ok(_) => panic!("accepted {text:?}"),
        Err(m) => m.to_string(),
    }
}

#[test]
fn malformed_files_and_tables_of_the_wrong_kind_are_reported_where_they_are() {
    let m = refused(
        "a: 1\nextensions:\n  dev: [1, 2\n",
        Format::Yaml,
        "extensions",
    );
    assert!(m.starts_with("4:1:") || m.starts_with("3:"), "{m}");
    let m = refused(
        "a: 1\nextensions:\n  - name: dev\n",
        Format::Yaml,
        "extensions",
    );
    assert!(m.starts_with("2:1: `extensions` must be a mapping"), "{m}");
    assert!(m.contains("not a list"), "{m}");
    let m = refused(
        "mcpServers:\n  other:\n    command: x\n",
        Format::YamlList,
        "mcpServers",
    );
    assert!(m.starts_with("1:1: `mcpServers` must be a list"), "{m}");
    let m = refused("- a\n- b\n", Format::Yaml, "extensions");
    assert!(m.contains("must hold a YAML mapping"), "{m}");
    let m = refused("extensions:\n  3minapi: [x]\n", Format::Yaml, "extensions");
    assert!(m.contains("must be a mapping, not a list"), "{m}");
    let m = refused(
        "extensions: {dev: {type: builtin}}\n",
        Format::Yaml,
        "extensions",
    );
    assert!(m.contains("written inline"), "{m}");
    let m = refused("a: 1\na: 2\n", Format::Yaml, "extensions");
    assert!(m.contains("duplicate"), "{m}");
}
