//! The YAML editor against generated files: Goose-style mappings and Continue-style lists, with
//! comments (own line, end of line, between entries, after the last one), blank lines, two or
//! four spaces, lists indented or not, quoted keys, CRLF or LF, with or without a last newline,
//! other top-level keys before and after. Install then uninstall gives the same bytes back (when
//! the table was there), and install changes our entry and nothing else.
//!
//! `PROPTEST_CASES=20000 cargo test --release --test prop_yaml` for a longer search.

#[path = "prop_common/mod.rs"]
mod prop_common;

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};
use threeminapi::clients::{Doc, Fields, Format};

#[derive(Debug, Clone)]
struct File {
    list: bool,
    text: String,
    /// The servers table is there (possibly empty).
    table: bool,
    /// Uninstall must give these very bytes back: the table was there, not bare (`key:` alone
    /// reads as null and comes back as an empty table).
    exact: bool,
}

fn scalar() -> impl Strategy<Value = String> {
    select(vec![
        "x",
        "\"quoted: yes\"",
        "'single'",
        "42",
        "true",
        "null",
        "/usr/bin/npx",
        "a b c",
    ])
    .prop_map(str::to_owned)
}

fn comment() -> impl Strategy<Value = String> {
    select(vec!["# note", "#", "# extensions: {}", "# - name: 3minapi"]).prop_map(str::to_owned)
}

/// One entry's member lines at `indent` (relative lines, without line ends).
fn members(indent: usize) -> impl Strategy<Value = Vec<String>> {
    let pad = " ".repeat(indent);
    prop::collection::vec(
        (
            select(vec!["type", "cmd", "timeout", "enabled", "\"odd key\""]),
            scalar(),
            prop::option::weighted(0.3, comment()),
            prop::bool::weighted(0.2),
        ),
        1..4,
    )
    .prop_map(move |ms| {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for (k, v, c, nested) in ms {
            if seen.contains(&k) {
                continue;
            }
            seen.push(k);
            if nested {
                out.push(format!("{pad}{k}:"));
                out.push(format!("{pad}  - {v}"));
            } else {
                let tail = c.map(|c| format!("  {c}")).unwrap_or_default();
                out.push(format!("{pad}{k}: {v}{tail}"));
            }
        }
        out
    })
}

fn file() -> impl Strategy<Value = File> {
    (
        any::<bool>(),           // list (Continue) or map (Goose)
        select(vec![2usize, 4]), // indent unit
        any::<bool>(),           // list items at column 0
        prop::collection::vec(
            (select(vec!["dev", "memory", "\"a b\"", "other"]), 0usize..1),
            0..4,
        ),
        prop::collection::vec(members(0), 4),
        prop::collection::vec(prop::option::weighted(0.3, comment()), 8),
        prop::collection::vec(prop::bool::weighted(0.2), 8), // blank lines
        0u8..4,                                              // table: absent, empty {}, block, bare
        any::<bool>(),                                       // crlf
        any::<bool>(),                                       // final newline
        (any::<bool>(), any::<bool>()),                      // keys before / after
    )
        .prop_map(
            |(
                list,
                unit,
                flush,
                names,
                bodies,
                comments,
                blanks,
                table,
                crlf,
                last_nl,
                (pre, post),
            )| {
                let mut lines: Vec<String> = Vec::new();
                let key = if list { "mcpServers" } else { "extensions" };
                let extra = |lines: &mut Vec<String>, i: usize| {
                    if let Some(c) = &comments[i % comments.len()] {
                        lines.push(c.clone());
                    }
                    if blanks[i % blanks.len()] {
                        lines.push(String::new());
                    }
                };
                if pre {
                    lines.push("GOOSE_PROVIDER: openai  # provider".into());
                    extra(&mut lines, 0);
                }
                let mut names_seen = Vec::new();
                match table {
                    0 => {}
                    1 if list => lines.push(format!("{key}: []")),
                    1 => lines.push(format!("{key}: {{}}")),
                    3 => lines.push(format!("{key}:")),
                    _ => {
                        lines.push(format!("{key}:"));
                        for (i, (name, _)) in names.iter().enumerate() {
                            if names_seen.contains(name) {
                                continue;
                            }
                            names_seen.push(*name);
                            extra(&mut lines, i + 1);
                            let body = &bodies[i % bodies.len()];
                            if list {
                                let col = if flush { 0 } else { unit };
                                let pad = " ".repeat(col);
                                lines.push(format!("{pad}- name: {name}"));
                                for m in body {
                                    lines.push(format!("{pad}  {m}"));
                                }
                            } else {
                                lines.push(format!("{}{name}:", " ".repeat(unit)));
                                for m in body {
                                    lines.push(format!("{}{m}", " ".repeat(2 * unit)));
                                }
                            }
                        }
                        extra(&mut lines, 7);
                    }
                }
                if post {
                    lines.push("GOOSE_MODEL: gpt-4o".into());
                }
                let nl = if crlf { "\r\n" } else { "\n" };
                let mut text = lines.join(nl);
                if last_nl && !text.is_empty() {
                    text.push_str(nl);
                }
                File {
                    list,
                    text,
                    table: table != 0,
                    exact: table == 1 || (table == 2 && !names_seen.is_empty()),
                }
            },
        )
}

fn fields() -> Fields {
    vec![
        ("type", json!("stdio")),
        ("cmd", json!("/opt/3minapi")),
        ("args", json!(["mcp", "serve", "--url", "http://x/#frag"])),
        ("envs", json!({})),
    ]
}

const OWNED: [&str; 4] = ["type", "cmd", "args", "envs"];

fn format(f: &File) -> (Format, &'static str) {
    if f.list {
        (Format::YamlList, "mcpServers")
    } else {
        (Format::Yaml, "extensions")
    }
}

fn value(text: &str) -> Value {
    if text.trim().is_empty() {
        return Value::Null;
    }
    let v: yaml_serde::Value = yaml_serde::from_str(text).expect("valid YAML");
    serde_json::to_value(v).unwrap()
}

proptest! {
    #![proptest_config(prop_common::config(300))]

    #[test]
    fn install_then_uninstall_gives_the_bytes_back(f in file()) {
        let (fmt, key) = format(&f);
        let mut doc = Doc::parse(&f.text, fmt, key, "3minapi").expect("parses");
        doc.upsert("3minapi", &fields(), &OWNED).expect("installs");
        let installed = doc.render();
        let mut doc = Doc::parse(&installed, fmt, key, "3minapi").expect("reads back");
        let entry = doc.entry("3minapi").expect("our entry");
        prop_assert_eq!(&entry["cmd"], &json!("/opt/3minapi"));
        prop_assert_eq!(&entry["name"], &json!("3minapi"));
        // Everything else is as it was.
        let mut before = value(&f.text);
        let mut after = value(&installed);
        let strip = |v: &mut Value| match v.get_mut(key) {
            Some(Value::Object(m)) => { m.remove("3minapi"); }
            Some(Value::Array(a)) => a.retain(|i| i["name"] != "3minapi"),
            _ => {}
        };
        strip(&mut after);
        if !f.table {
            if let Some(o) = after.as_object_mut() {
                o.remove(key);
            }
            if before.is_null() {
                before = json!({});
            }
        }
        if before.get(key) == Some(&Value::Null) {
            before[key] = if f.list { json!([]) } else { json!({}) };
        }
        prop_assert_eq!(before, after);
        prop_assert!(doc.remove("3minapi").expect("uninstalls"));
        let back = doc.render();
        if f.exact {
            prop_assert_eq!(back, f.text);
        } else {
            // An absent or bare table comes back as an empty one.
            let mut want = value(&f.text);
            if want.is_null() { want = json!({}); }
            want[key] = if f.list { json!([]) } else { json!({}) };
            prop_assert_eq!(value(&back), want);
        }
    }

    #[test]
    fn installing_twice_is_installing_once(f in file()) {
        let (fmt, key) = format(&f);
        let mut doc = Doc::parse(&f.text, fmt, key, "3minapi").expect("parses");
        doc.upsert("3minapi", &fields(), &OWNED).expect("installs");
        let once = doc.render();
        let mut doc = Doc::parse(&once, fmt, key, "3minapi").expect("reads back");
        doc.upsert("3minapi", &fields(), &OWNED).expect("installs again");
        prop_assert_eq!(doc.render(), once);
    }
}
