//! The config writers, on any text as the file of each client (strict JSON, VS Code's JSONC,
//! Codex's TOML, each with its servers table): parsing never panics, and on a file that parses,
//! - installing our entry gives a file that parses again, holding our fields, every other field
//!   of an entry already there, and every other server;
//! - installing twice gives the same text as once, in one go and after writing and reading back;
//! - JSON and JSONC: every value outside our entry is unchanged;
//! - installing and then uninstalling gives the file back byte for byte, when our entry was not
//!   there and the servers table was (without one, install has to add the table, and uninstall
//!   removes only the entry).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use threeminapi::clients::{ClientId, Doc, Form, Format};

const NAME: &str = "3minapi";

/// The file's value, read leniently (the strict parse has already accepted it); `Null` when blank.
fn json_value(text: &str) -> Value {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root = jsonc_parser::cst::CstRootNode::parse(body, &Default::default())
        .unwrap_or_else(|e| panic!("accepted by Doc::parse, refused when read: {e}"));
    root.value().map_or(Value::Null, |v| {
        v.to_serde_value().expect("a JSON value converts")
    })
}

fn has_servers_table(text: &str, format: Format, key: &str) -> bool {
    match format {
        Format::Json | Format::Jsonc | Format::JsonComments => json_value(text).get(key).is_some(),
        // Doc::parse takes a BOM off first, as Codex's TOML parser does.
        Format::Toml => text
            .strip_prefix('\u{feff}')
            .unwrap_or(text)
            .parse::<toml_edit::DocumentMut>()
            .expect("accepted by Doc::parse")
            .contains_key(key),
        // YAML files have their own property test (tests/prop_yaml.rs); check skips them.
        Format::Yaml | Format::YamlList => false,
    }
}

fn reparse(text: &str, format: Format, key: &'static str, what: &str) -> Doc {
    Doc::parse(text, format, key, NAME)
        .unwrap_or_else(|e| panic!("{what} does not parse again: {e}\n{text}"))
}

fn check(client: ClientId, text: &str) {
    let (format, key) = (client.format(), client.servers_key());
    if matches!(format, Format::Yaml | Format::YamlList) {
        return;
    }
    let Ok(mut doc) = Doc::parse(text, format, key, NAME) else {
        return;
    };
    let fields = client
        .fields(&Form::Bridge {
            command: "/usr/bin/3minapi".into(),
            args: vec!["mcp".into(), "serve".into()],
        })
        .expect("every client takes the bridge form");
    let owned = client.owned_fields();
    let before = doc.entry(NAME);
    let names = doc.server_names();
    let had_table = has_servers_table(text, format, key);

    doc.upsert(NAME, &fields, &owned).expect("install");
    let once = doc.render();
    let mut read = reparse(&once, format, key, "the file with our entry");

    // Our entry: our fields as we set them, owned fields of other forms gone, the rest kept.
    let mut want = match &before {
        Some(Value::Object(entry)) => entry.clone(),
        Some(other) => panic!("an entry that is not a table parsed: {other}"),
        None => Map::new(),
    };
    want.retain(|k, _| !owned.contains(&k.as_str()));
    for (k, v) in &fields {
        want.insert((*k).to_owned(), v.clone());
    }
    assert_eq!(
        read.entry(NAME),
        Some(Value::Object(want)),
        "{client:?}: our entry\n{once}"
    );
    let mut names_after = read.server_names();
    names_after.retain(|n| n != NAME);
    let mut names_before = names;
    names_before.retain(|n| n != NAME);
    assert_eq!(
        names_after, names_before,
        "{client:?}: the other servers\n{once}"
    );

    if format != Format::Toml {
        // Everything but our entry is as it was.
        let mut want = match json_value(text) {
            Value::Null => Value::Object(Map::new()),
            v => v,
        };
        let mut got = json_value(&once);
        for v in [&mut want, &mut got] {
            let servers = v
                .as_object_mut()
                .expect("the root is an object")
                .entry(key)
                .or_insert_with(|| Value::Object(Map::new()));
            servers
                .as_object_mut()
                .expect("the servers table is an object")
                .remove(NAME);
        }
        assert_eq!(
            got, want,
            "{client:?}: values outside our entry changed\n{once}"
        );
    }

    doc.upsert(NAME, &fields, &owned).expect("install");
    assert_eq!(doc.render(), once, "{client:?}: installing twice");
    read.upsert(NAME, &fields, &owned).expect("install");
    assert_eq!(
        read.render(),
        once,
        "{client:?}: installing again after reading back"
    );

    assert!(
        doc.remove(NAME).expect("uninstall"),
        "{client:?}: our entry is not there to remove"
    );
    let back = doc.render();
    reparse(&back, format, key, "the file without our entry");
    if before.is_none() && had_table {
        assert_eq!(back, text, "{client:?}: install then uninstall");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for client in ClientId::ALL {
        check(client, text);
    }
});
