//! Editing one entry inside a client's config file and keeping every other byte: a concrete syntax
//! tree for JSON/JSONC (`jsonc-parser`'s CST keeps comments, whitespace and trailing commas) and
//! `toml_edit` for TOML. Files are parsed strictly before anything is changed.

use super::catalogue::{Fields, Format};
use super::splice;
use super::textform::{BOM, TextForm};
use super::yaml::YamlDoc;
use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstObject, CstRootNode};
use serde_json::Value;
use std::fmt;

/// Why a file cannot be edited: where, and what is wrong there. Displayed as `line:col: what`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub line: usize,
    pub col: usize,
    pub what: String,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.what)
    }
}

/// A parsed config file.
pub enum Doc {
    Json {
        root: CstRootNode,
        servers_key: &'static str,
        /// The file started with a UTF-8 byte order mark, written back as it was.
        bom: bool,
        /// How the file is read again after a text edit.
        options: ParseOptions,
    },
    Toml {
        doc: toml_edit::DocumentMut,
        servers_key: &'static str,
        /// How the file was written, which `toml_edit` does not keep: given back on render.
        text_form: Box<TextForm>,
    },
    Yaml(YamlDoc),
}

fn strict_json() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// JSONC as VS Code reads it: comments and trailing commas, nothing else beyond JSON.
fn jsonc() -> ParseOptions {
    ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        ..strict_json()
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

fn malformed_at(text: &str, offset: usize, what: impl Into<String>) -> Malformed {
    let (line, col) = line_col(text, offset);
    Malformed {
        line,
        col,
        what: what.into(),
    }
}

impl Doc {
    /// Parses `text` (a missing or blank file is an empty document) and checks that the servers
    /// table and our entry, where present, are tables.
    pub fn parse(
        text: &str,
        format: Format,
        servers_key: &'static str,
        name: &str,
    ) -> Result<Doc, Malformed> {
        match format {
            Format::Json | Format::Jsonc | Format::JsonComments => {
                Self::parse_json(text, format, servers_key, name)
            }
            Format::Toml => Self::parse_toml(text, servers_key, name),
            Format::Yaml | Format::YamlList => {
                YamlDoc::parse(text, servers_key, format == Format::YamlList, name).map(Doc::Yaml)
            }
        }
    }

    fn parse_json(
        text: &str,
        format: Format,
        servers_key: &'static str,
        name: &str,
    ) -> Result<Doc, Malformed> {
        let body = text.strip_prefix(BOM).unwrap_or(text);
        let shift = text.len() - body.len();
        // JSON's own whitespace only: `str::trim` also takes \v or NBSP for "blank".
        if format == Format::Json && !body.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
            // serde_json is the strict reference: exactly what JSON.parse-style readers accept.
            if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(body) {
                let full = e.to_string();
                let what = full
                    .rsplit_once(" at line ")
                    .map_or(full.as_str(), |(w, _)| w);
                return Err(Malformed {
                    line: e.line().max(1),
                    col: e.column().max(1),
                    what: what.to_owned(),
                });
            }
        }
        let options = match format {
            Format::Json => strict_json(),
            Format::JsonComments => ParseOptions {
                allow_comments: true,
                ..strict_json()
            },
            _ => jsonc(),
        };
        let located = |e: jsonc_parser::errors::ParseError| Malformed {
            line: e.line_display(),
            col: e.column_display(),
            what: e.kind().to_string(),
        };
        // The AST has positions, for saying where a table has the wrong type; the CST is edited.
        let ast =
            jsonc_parser::parse_to_ast(body, &Default::default(), &options).map_err(located)?;
        if let Some(value) = &ast.value {
            use jsonc_parser::ast::Value as V;
            use jsonc_parser::common::Ranged;
            let V::Object(obj) = value else {
                return Err(malformed_at(
                    text,
                    shift + value.start(),
                    "the file must hold a JSON object",
                ));
            };
            // Amp reads the one key "amp.mcpServers"; nested under "amp", servers are ignored.
            if let Some((outer, inner)) = servers_key.split_once('.')
                && let Some(V::Object(o)) = obj.get(outer).map(|p| &p.value)
                && let Some(nested) = o.get(inner)
            {
                return Err(malformed_at(
                    text,
                    shift + nested.value.start(),
                    format!(
                        "servers under \"{outer}\": {{\"{inner}\": …}} are never read: they belong under the top-level key \"{servers_key}\"; move them there"
                    ),
                ));
            }
            if let Some(prop) = obj.get(servers_key) {
                let V::Object(servers) = &prop.value else {
                    return Err(malformed_at(
                        text,
                        shift + prop.value.start(),
                        format!("\"{servers_key}\" must be an object"),
                    ));
                };
                if let Some(entry) = servers.get(name)
                    && !matches!(entry.value, V::Object(_))
                {
                    return Err(malformed_at(
                        text,
                        shift + entry.value.start(),
                        format!("\"{servers_key}\".\"{name}\" must be an object"),
                    ));
                }
            }
        }
        let root = CstRootNode::parse(body, &options).map_err(located)?;
        Ok(Doc::Json {
            root,
            servers_key,
            bom: shift > 0,
            options,
        })
    }

    fn parse_toml(text: &str, servers_key: &'static str, name: &str) -> Result<Doc, Malformed> {
        let text_form = Box::new(TextForm::of(text));
        let body = text.strip_prefix(BOM).unwrap_or(text);
        let shift = text.len() - body.len();
        if shift > 0 && body.starts_with(BOM) {
            return Err(malformed_at(text, shift, "a second byte order mark"));
        }
        // The immutable document keeps the positions that the checks below report.
        let doc = toml_edit::Document::parse(body).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            malformed_at(text, shift + offset, e.message().trim_end().to_owned())
        })?;
        if let Some(item) = doc.get(servers_key) {
            let Some(servers) = item.as_table_like() else {
                return Err(malformed_at(
                    text,
                    shift + item.span().map_or(0, |s| s.start),
                    format!("`{servers_key}` must be a table"),
                ));
            };
            if let Some(entry) = servers.get(name)
                && entry.as_table_like().is_none()
            {
                return Err(malformed_at(
                    text,
                    shift + entry.span().map_or(0, |s| s.start),
                    format!("`{servers_key}.{name}` must be a table"),
                ));
            }
        }
        Ok(Doc::Toml {
            doc: doc.into_mut(),
            servers_key,
            text_form,
        })
    }

    /// Our entry as JSON (TOML converted), if present.
    pub fn entry(&self, name: &str) -> Option<Value> {
        match self {
            Doc::Json {
                root, servers_key, ..
            } => root
                .object_value()?
                .object_value(servers_key)?
                .get(name)?
                .value()?
                .to_serde_value(),
            Doc::Toml {
                doc, servers_key, ..
            } => {
                let entry = doc.get(servers_key)?.as_table_like()?.get(name)?;
                Some(toml_to_json(entry))
            }
            Doc::Yaml(doc) => doc.entry(name),
        }
    }

    /// Names of every server in the file.
    pub fn server_names(&self) -> Vec<String> {
        match self {
            Doc::Json {
                root, servers_key, ..
            } => root
                .object_value()
                .and_then(|o| o.object_value(servers_key))
                .map(|s| {
                    s.properties()
                        .iter()
                        .filter_map(|p| p.name()?.decoded_value().ok())
                        .collect()
                })
                .unwrap_or_default(),
            Doc::Toml {
                doc, servers_key, ..
            } => doc
                .get(servers_key)
                .and_then(|s| s.as_table_like())
                .map(|s| s.iter().map(|(k, _)| k.to_owned()).collect())
                .unwrap_or_default(),
            Doc::Yaml(doc) => doc.server_names(),
        }
    }

    /// Sets the fields we own on our entry (creating it at the end of the servers table), removes
    /// owned fields the new form does not use, and leaves every other field where it is. `Err`
    /// (the document unchanged) when that cannot be done without touching anything else.
    pub fn upsert(&mut self, name: &str, fields: &Fields, owned: &[&str]) -> Result<(), String> {
        match self {
            Doc::Json {
                root,
                servers_key,
                options,
                ..
            } => {
                let absent = root
                    .object_value()
                    .and_then(|o| o.object_value(servers_key))
                    .is_some_and(|s| s.get(name).is_none());
                // A new entry at the end of an existing servers table: a text edit, which keeps
                // the table's layout (see `splice`).
                if absent
                    && let Some(text) =
                        splice::append(&root.to_string(), options, servers_key, name, fields)
                    && let Ok(edited) = CstRootNode::parse(&text, options)
                {
                    *root = edited;
                    return Ok(());
                }
                let servers = root.object_value_or_set().object_value_or_set(servers_key);
                match servers.get(name).and_then(|p| p.value()?.as_object()) {
                    Some(entry) => update_json_entry(&entry, fields, owned),
                    None => {
                        let value = CstInputValue::Object(
                            fields
                                .iter()
                                .map(|(k, v)| ((*k).to_owned(), cst_value(v)))
                                .collect(),
                        );
                        servers.append(name, value);
                    }
                }
            }
            Doc::Toml {
                doc, servers_key, ..
            } => {
                if !doc.contains_key(servers_key) {
                    let mut table = toml_edit::Table::new();
                    table.set_implicit(true);
                    doc.insert(servers_key, toml_edit::Item::Table(table));
                }
                let servers = doc[*servers_key]
                    .as_table_like_mut()
                    .expect("checked when parsed");
                match servers.get_mut(name).and_then(|e| e.as_table_like_mut()) {
                    Some(entry) => {
                        for key in owned {
                            if !fields.iter().any(|(k, _)| k == key) {
                                entry.remove(key);
                            }
                        }
                        for (k, v) in fields {
                            let same = entry.get(k).is_some_and(|cur| toml_to_json(cur) == *v);
                            if !same {
                                entry.insert(k, toml_edit::Item::Value(toml_value(v)));
                            }
                        }
                    }
                    None => {
                        let mut table = toml_edit::Table::new();
                        for (k, v) in fields {
                            table.insert(k, toml_edit::Item::Value(toml_value(v)));
                        }
                        servers.insert(name, toml_edit::Item::Table(table));
                    }
                }
            }
            Doc::Yaml(doc) => return doc.upsert(name, fields, owned),
        }
        Ok(())
    }

    /// Removes our entry; `Ok(false)` when it was not there.
    pub fn remove(&mut self, name: &str) -> Result<bool, String> {
        Ok(match self {
            Doc::Json {
                root,
                servers_key,
                options,
                ..
            } => {
                if let Some(text) =
                    splice::remove_last(&root.to_string(), options, servers_key, name)
                    && let Ok(edited) = CstRootNode::parse(&text, options)
                {
                    *root = edited;
                    return Ok(true);
                }
                let Some(prop) = root
                    .object_value()
                    .and_then(|o| o.object_value(servers_key))
                    .and_then(|s| s.get(name))
                else {
                    return Ok(false);
                };
                prop.remove();
                true
            }
            Doc::Toml {
                doc, servers_key, ..
            } => {
                let Some(servers) = doc.get_mut(servers_key) else {
                    return Ok(false);
                };
                if let Some(inline) = servers.as_inline_table_mut() {
                    let Some((_, value)) = inline.remove_entry(name) else {
                        return Ok(false);
                    };
                    // The space inside `{  }` went to our value when it was added (after the
                    // one space written before `}`): it is the empty table's again.
                    if inline.is_empty() {
                        let after = value.decor().suffix().and_then(|s| s.as_str());
                        let after = after.unwrap_or_default();
                        inline.set_trailing(after.strip_prefix(' ').unwrap_or(after).to_owned());
                    }
                    return Ok(true);
                }
                servers
                    .as_table_like_mut()
                    .is_some_and(|s| s.remove(name).is_some())
            }
            Doc::Yaml(doc) => return doc.remove(name),
        })
    }

    pub fn render(&self) -> String {
        match self {
            Doc::Json { root, bom, .. } => {
                let text = root.to_string();
                if *bom { format!("{BOM}{text}") } else { text }
            }
            Doc::Toml { doc, text_form, .. } => text_form.apply(doc.to_string()),
            Doc::Yaml(doc) => doc.render_text(),
        }
    }
}

fn update_json_entry(entry: &CstObject, fields: &Fields, owned: &[&str]) {
    for key in owned {
        if !fields.iter().any(|(k, _)| k == key) {
            for prop in props_named(entry, key) {
                prop.remove();
            }
        }
    }
    for (k, v) in fields {
        // JSONC lets a name repeat and the last one counts: ours is the first, the rest go.
        let mut props = props_named(entry, k).into_iter();
        match props.next() {
            Some(prop) => {
                if prop.value().and_then(|cur| cur.to_serde_value()).as_ref() != Some(v) {
                    prop.set_value(cst_value(v));
                }
            }
            None => {
                entry.append(k, cst_value(v));
            }
        }
        for repeated in props {
            repeated.remove();
        }
    }
}

/// The members of `entry` named `key`, in order.
fn props_named(entry: &CstObject, key: &str) -> Vec<jsonc_parser::cst::CstObjectProp> {
    entry
        .properties()
        .into_iter()
        .filter(|p| {
            p.name()
                .and_then(|n| n.decoded_value().ok())
                .is_some_and(|n| n == key)
        })
        .collect()
}

fn cst_value(v: &Value) -> CstInputValue {
    match v {
        Value::Null => CstInputValue::Null,
        Value::Bool(b) => CstInputValue::Bool(*b),
        Value::Number(n) => CstInputValue::Number(n.to_string()),
        Value::String(s) => CstInputValue::String(s.clone()),
        Value::Array(a) => CstInputValue::Array(a.iter().map(cst_value).collect()),
        Value::Object(o) => {
            CstInputValue::Object(o.iter().map(|(k, v)| (k.clone(), cst_value(v))).collect())
        }
    }
}

fn toml_value(v: &Value) -> toml_edit::Value {
    match v {
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into(),
            None => n.as_f64().unwrap_or_default().into(),
        },
        Value::String(s) => s.as_str().into(),
        Value::Array(a) => {
            let mut arr = toml_edit::Array::new();
            for item in a {
                arr.push(toml_value(item));
            }
            toml_edit::Value::Array(arr)
        }
        Value::Object(o) => {
            let mut t = toml_edit::InlineTable::new();
            for (k, v) in o {
                t.insert(k, toml_value(v));
            }
            toml_edit::Value::InlineTable(t)
        }
        // TOML has no null; we never write one.
        Value::Null => "".into(),
    }
}

fn toml_to_json(item: &toml_edit::Item) -> Value {
    match item {
        toml_edit::Item::Value(v) => toml_value_to_json(v),
        toml_edit::Item::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_owned(), toml_to_json(v)))
                .collect(),
        ),
        toml_edit::Item::ArrayOfTables(a) => Value::Array(
            a.iter()
                .map(|t| toml_to_json(&toml_edit::Item::Table(t.clone())))
                .collect(),
        ),
        toml_edit::Item::None => Value::Null,
    }
}

fn toml_value_to_json(v: &toml_edit::Value) -> Value {
    match v {
        toml_edit::Value::String(s) => Value::String(s.value().clone()),
        toml_edit::Value::Integer(i) => Value::from(*i.value()),
        toml_edit::Value::Float(f) => Value::from(*f.value()),
        toml_edit::Value::Boolean(b) => Value::Bool(*b.value()),
        toml_edit::Value::Datetime(d) => Value::String(d.value().to_string()),
        toml_edit::Value::Array(a) => Value::Array(a.iter().map(toml_value_to_json).collect()),
        toml_edit::Value::InlineTable(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_owned(), toml_value_to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields() -> Fields {
        vec![
            ("command", json!("/opt/bin/3minapi")),
            ("args", json!(["mcp", "serve"])),
        ]
    }

    #[test]
    fn malformed_json_points_at_line_and_column() {
        let err = Doc::parse(
            "{\n  \"a\": 1\n  \"b\": 2\n}\n",
            Format::Json,
            "mcpServers",
            "x",
        )
        .err()
        .unwrap();
        assert_eq!((err.line, err.col), (3, 3), "{err}");
    }

    #[test]
    fn comments_are_refused_in_strict_json_and_kept_in_jsonc() {
        let text = "{\n  // mine\n  \"servers\": {},\n}\n";
        assert!(Doc::parse(text, Format::Json, "servers", "x").is_err());
        let mut doc = Doc::parse(text, Format::Jsonc, "servers", "x").unwrap();
        doc.upsert("x", &fields(), &["command", "args"]).unwrap();
        let out = doc.render();
        assert!(out.contains("// mine"), "{out}");
        // A servers table written on one line keeps our entry on that line.
        assert!(
            out.starts_with("{\n  // mine\n  \"servers\": {\"x\": {\"command\": "),
            "{out}"
        );
    }

    #[test]
    fn servers_that_are_not_an_object_are_reported_where_they_are() {
        let err = Doc::parse(
            "{\n  \"mcpServers\": [1]\n}",
            Format::Json,
            "mcpServers",
            "x",
        )
        .err()
        .unwrap();
        assert_eq!((err.line, err.col), (2, 17), "{err}");
        assert!(err.what.contains("must be an object"), "{err}");
    }

    #[test]
    fn toml_errors_have_positions_too() {
        let err = Doc::parse("a = 1\nb = [1,\n", Format::Toml, "mcp_servers", "x")
            .err()
            .unwrap();
        assert_eq!((err.line, err.col), (2, 8), "{err}");
        let err = Doc::parse("mcp_servers = 3\n", Format::Toml, "mcp_servers", "x")
            .err()
            .unwrap();
        assert_eq!((err.line, err.col), (1, 15), "{err}");
    }

    #[test]
    fn a_byte_order_mark_stays_where_it_was() {
        let mut doc = Doc::parse("\u{feff}{\"a\": 1}\n", Format::Json, "mcpServers", "x").unwrap();
        doc.upsert("x", &fields(), &[]).unwrap();
        let out = doc.render();
        assert!(out.starts_with("\u{feff}{"), "{out:?}");
        assert_eq!(out.matches('\u{feff}').count(), 1);
        assert!(doc.entry("x").is_some());
    }

    #[test]
    fn members_indented_like_the_closing_brace_keep_every_byte() {
        // Found by the config_edit fuzz target: members at the closing brace's indentation
        // left the append to the CST editor, which dropped the blank CRLF line before them.
        let text = "{\n  \"mcpServers\": {\n  \r\n  \"other\": {\n      \"command\": \"x\"\n    }\n  }\n}\n";
        let mut doc = Doc::parse(text, Format::Json, "mcpServers", "x").unwrap();
        doc.upsert("x", &fields(), &["command", "args"]).unwrap();
        let installed = doc.render();
        assert!(
            installed.starts_with("{\n  \"mcpServers\": {\n  \r\n  \"other\""),
            "{installed:?}"
        );
        let mut doc = Doc::parse(&installed, Format::Json, "mcpServers", "x").unwrap();
        assert_eq!(doc.entry("x").unwrap()["command"], "/opt/bin/3minapi");
        assert!(doc.remove("x").unwrap());
        assert_eq!(doc.render(), text);
    }

    #[test]
    fn a_field_our_entry_repeats_ends_up_with_our_value() {
        // Found by the config_edit fuzz target: JSONC lets a name repeat and the last one
        // counts, so setting only the first left the old value in force.
        let text = "{\n  \"servers\": {\n    \"x\": {\"type\": \"sse\", \"command\": \"old\", \"type\": \"sse\", \"url\": \"u\", \"url\": \"v\"},\n  },\n}\n";
        let mut doc = Doc::parse(text, Format::Jsonc, "servers", "x").unwrap();
        let mut ours = fields();
        ours.insert(0, ("type", json!("stdio")));
        doc.upsert("x", &ours, &["type", "command", "args", "url"])
            .unwrap();
        let out = doc.render();
        let read = Doc::parse(&out, Format::Jsonc, "servers", "x").unwrap();
        assert_eq!(
            read.entry("x").unwrap(),
            json!({"type": "stdio", "command": "/opt/bin/3minapi", "args": ["mcp", "serve"]}),
            "{out}"
        );
        assert_eq!(out.matches("\"type\"").count(), 1, "{out}");
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncdé f", 8), (2, 5));
    }
}
