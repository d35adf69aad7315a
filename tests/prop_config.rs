//! `config install` edits a file the user owns: it may change our entry and nothing else, and
//! `config uninstall` must give the user's bytes back. These properties check the editors on
//! generated files of every format we write — strict JSON, JSONC (comments, trailing commas) and
//! TOML (comments, tables in any order, inline and dotted entries, odd spacing) — each maybe with
//! a UTF-8 BOM and CRLF line ends, other servers and unrelated keys around our entry.
//! (YAML: the editors do not write it yet, so there is nothing here to check.)
//!
//! `cargo test` runs a few hundred cases; for a longer search:
//! `PROPTEST_CASES=100000 cargo test --release --test prop_config`.

mod prop_common;

use prop_common::shuffle;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use serde_json::Value;
use std::fmt;
use threeminapi::clients::{ClientId, Doc, Fields, Form, Format};

/// Names we may be installed under (`--name`), some that TOML must quote.
const OUR_NAMES: [&str; 5] = ["3minapi", "3minapi-dev", "a.b", "x y", "q\"uote"];
/// Names of the user's other servers: look-alikes of ours too.
const OTHER_NAMES: [&str; 10] = [
    "github",
    "docs",
    "a.b",
    "x y",
    "é",
    "3minapi-old",
    "3MINAPI",
    "3minapi ",
    "",
    "q\"uote",
];

/// One generated file and what to install in it.
#[derive(Clone)]
struct Case {
    client: ClientId,
    name: &'static str,
    form: Form,
    text: String,
    /// The file has a servers table already.
    servers_table: bool,
    /// The file has our entry already.
    ours: bool,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("client", &self.client)
            .field("name", &self.name)
            .field("form", &self.form)
            .field("servers_table", &self.servers_table)
            .field("ours", &self.ours)
            .finish()?;
        write!(f, "\ntext:\n{:?}", self.text)
    }
}

impl Case {
    fn fields(&self) -> Fields {
        self.client.fields(&self.form).unwrap_or_else(|_| {
            // Claude Desktop takes the bridge form only.
            self.client
                .fields(&Form::Bridge {
                    command: "3minapi".into(),
                    args: vec!["mcp".into(), "serve".into()],
                })
                .expect("every client takes the bridge form")
        })
    }

    fn parse(&self, text: &str) -> Doc {
        Doc::parse(
            text,
            self.client.format(),
            self.client.servers_key(),
            self.name,
        )
        .unwrap_or_else(|m| panic!("{m} in\n{text}"))
    }

    /// What `config install` writes.
    fn install(&self, text: &str) -> String {
        let mut doc = self.parse(text);
        doc.upsert(self.name, &self.fields(), &self.client.owned_fields())
            .expect("install");
        doc.render()
    }

    /// What `config uninstall` writes (the text itself when there is nothing to remove).
    fn uninstall(&self, text: &str) -> String {
        let mut doc = self.parse(text);
        doc.remove(self.name).expect("uninstall");
        doc.render()
    }
}

// ---------------------------------------------------------------------------------------------
// JSON and JSONC

/// A JSON value as written: scalars and keys keep the exact text generated.
#[derive(Clone, Debug)]
enum Node {
    Text(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

fn json_key(name: &str) -> String {
    serde_json::to_string(name).expect("a string")
}

fn json_scalar() -> BoxedStrategy<Node> {
    select(vec![
        "null",
        "true",
        "false",
        "0",
        "-1",
        "1.50",
        "2e10",
        "\"\"",
        "\"dark\"",
        r#""a\"b\\c\u00e9\/""#,
        "\"é😀 ${env:HOME}\"",
        "\"// not a comment /* nor this */\"",
        "\"C:\\\\Program Files\\\\x.exe\"",
    ])
    .prop_map(|t| Node::Text(t.to_owned()))
    .boxed()
}

fn json_value() -> BoxedStrategy<Node> {
    json_scalar()
        .prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Node::Array),
                prop::collection::vec(("[a-z]{1,5}".prop_map(|k| json_key(&k)), inner), 0..4)
                    .prop_map(Node::Object),
            ]
        })
        .boxed()
}

/// `keys` paired with the first values of `values`, in the order `seed` gives.
fn members<K>(
    keys: Vec<K>,
    values: Vec<Node>,
    seed: u64,
    key: impl Fn(K) -> String,
) -> Vec<(String, Node)> {
    let mut members: Vec<(String, Node)> = keys.into_iter().map(key).zip(values).collect();
    shuffle(&mut members, seed);
    members
}

/// The members of a server's entry: fields we own (with other values than ours) and fields a
/// user added, in any order.
fn json_entry() -> BoxedStrategy<Node> {
    let fields = vec![
        "command",
        "args",
        "type",
        "url",
        "headers",
        "env",
        "disabled",
        "autoApprove",
        "serverUrl",
        "timeout",
    ];
    (
        subsequence(fields, 0..=6),
        prop::collection::vec(json_value(), 6),
        any::<u64>(),
    )
        .prop_map(|(keys, values, order)| Node::Object(members(keys, values, order, json_key)))
        .boxed()
}

/// Which layouts a file may have.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Layouts {
    /// Every layout its format allows.
    All,
    /// The plain ones: in TOML no `{  }`; in JSON no object on one line and no blank space
    /// before a closing brace. The properties run over these too, so that a failure in a plain
    /// file is told apart from one in an odd layout.
    Plain,
}

/// How a JSON file is laid out.
#[derive(Clone, Debug)]
struct Layout {
    /// `None`: everything on one line.
    indent: Option<&'static str>,
    colon: &'static str,
    crlf: bool,
    final_newline: bool,
    bom: bool,
    /// JSONC only: where comments and trailing commas go, picked in turn by these bytes.
    jsonc: Option<Vec<u8>>,
    layouts: Layouts,
}

struct JsonWriter<'a> {
    layout: &'a Layout,
    out: String,
    next: usize,
}

impl JsonWriter<'_> {
    fn pick(&mut self) -> u8 {
        let Some(seed) = &self.layout.jsonc else {
            return 0;
        };
        let b = seed
            .get(self.next % seed.len().max(1))
            .copied()
            .unwrap_or(0);
        self.next += 1;
        b
    }

    fn newline(&mut self, depth: usize) {
        if let Some(indent) = self.layout.indent {
            // After a line comment the line is begun already (unless blank lines are wanted).
            if self.layout.layouts == Layouts::All || !self.out.ends_with('\n') {
                self.out.push('\n');
            }
            self.out.push_str(&indent.repeat(depth));
        }
    }

    /// Maybe a comment (JSONC): braces, quotes and commas inside, to mislead a sloppy editor.
    fn comment(&mut self, depth: usize) {
        let all = self.layout.layouts == Layouts::All;
        match self.pick() % 8 {
            1 if all => self.out.push_str(" /* a \"b\": {c}, */ "),
            1 => self.out.push_str(" /* a \"b\": {c}, */"),
            2 => {
                self.out.push_str(" // d \"e\": [f],\n");
                if all {
                    self.out
                        .push_str(&self.layout.indent.unwrap_or("").repeat(depth));
                }
            }
            3 => self.out.push_str("/*\n multi-line\n*/"),
            _ => {}
        }
    }

    fn value(&mut self, node: &Node, depth: usize) {
        match node {
            Node::Text(t) => self.out.push_str(t),
            Node::Array(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                        if self.layout.indent.is_none() {
                            self.out.push(' ');
                        }
                    }
                    self.comment(depth + 1);
                    self.value(item, depth + 1);
                }
                self.close(']', !items.is_empty(), depth, false);
            }
            Node::Object(members) => {
                self.out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                        if self.layout.indent.is_none() {
                            self.out.push(' ');
                        }
                    }
                    self.comment(depth + 1);
                    self.newline(depth + 1);
                    self.out.push_str(key);
                    self.out.push_str(self.layout.colon);
                    self.value(value, depth + 1);
                }
                self.close('}', !members.is_empty(), depth, true);
            }
        }
    }

    fn close(&mut self, bracket: char, any: bool, depth: usize, on_its_line: bool) {
        if any && self.pick() % 3 == 1 {
            self.out.push(','); // a trailing comma (JSONC)
        }
        if any || self.layout.layouts == Layouts::All {
            self.comment(depth + 1);
        }
        if any && on_its_line {
            self.newline(depth);
        }
        self.out.push(bracket);
    }

    fn document(layout: &Layout, root: &Node) -> String {
        let mut w = JsonWriter {
            layout,
            out: String::new(),
            next: 0,
        };
        if layout.jsonc.is_some() && w.pick() % 2 == 1 {
            w.out.push_str("// settings\n");
        }
        w.value(root, 0);
        if layout.final_newline {
            w.out.push('\n');
        }
        let mut text = w.out;
        if layout.crlf {
            text = text.replace('\n', "\r\n");
        }
        if layout.bom {
            text.insert(0, '\u{feff}');
        }
        text
    }
}

fn layout(jsonc: bool, layouts: Layouts) -> BoxedStrategy<Layout> {
    let mut indents = vec![Some("  "), Some("    "), Some("\t")];
    if layouts == Layouts::All {
        indents.push(None);
    }
    (
        select(indents),
        select(vec![": ", ":", " : "]),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.2),
        prop::collection::vec(any::<u8>(), 1..16),
    )
        .prop_map(
            move |(indent, colon, crlf, final_newline, bom, seed)| Layout {
                indent,
                colon,
                crlf,
                final_newline,
                bom,
                jsonc: jsonc.then_some(seed),
                layouts,
            },
        )
        .boxed()
}

/// A JSON(C) file before our name is known.
#[derive(Clone, Debug)]
struct JsonFile {
    unrelated: Vec<(String, Node)>,
    /// Other servers (one may turn out to have our name: it is left out), `None` without a
    /// servers table.
    servers: Option<Vec<(&'static str, Node)>>,
    ours: Option<Node>,
    order: u64,
    layout: Layout,
    /// A blank file (when there is nothing else), which counts as an empty document.
    blank: bool,
}

impl JsonFile {
    /// The text, and whether it has a servers table and our entry.
    fn render(&self, servers_key: &str, name: &str) -> (String, bool, bool) {
        let mut root = self.unrelated.clone();
        let mut ours = false;
        if let Some(others) = &self.servers {
            let mut servers: Vec<(String, Node)> = others
                .iter()
                .filter(|(n, _)| *n != name)
                .map(|(n, entry)| (json_key(n), entry.clone()))
                .collect();
            if let Some(entry) = &self.ours {
                servers.push((json_key(name), entry.clone()));
                ours = true;
            }
            shuffle(&mut servers, self.order);
            root.push((json_key(servers_key), Node::Object(servers)));
        }
        shuffle(&mut root, self.order.rotate_left(32));
        if self.blank && root.is_empty() {
            return (" \n".to_owned(), false, false);
        }
        let text = JsonWriter::document(&self.layout, &Node::Object(root));
        (text, self.servers.is_some(), ours)
    }
}

/// A JSON(C) file: unrelated members, maybe the servers table with other servers (and maybe
/// ours), in any order, laid out in any style.
fn json_file(
    format: Format,
    servers_key: &'static str,
    layouts: Layouts,
) -> BoxedStrategy<JsonFile> {
    let unrelated: Vec<&str> = [
        "theme",
        "numStartups",
        "inputs",
        "projects",
        "x y",
        "é",
        "mcpServers",
        "servers",
        "mcp_servers",
        "Servers",
    ]
    .into_iter()
    .filter(|k| *k != servers_key)
    .collect();
    let entry = prop_oneof![5 => json_entry(), 1 => json_value()];
    let servers = (
        subsequence(OTHER_NAMES.to_vec(), 0..=3),
        prop::collection::vec(entry, 3),
    )
        .prop_map(|(names, entries)| names.into_iter().zip(entries).collect());
    (
        (
            subsequence(unrelated, 0..=4),
            prop::collection::vec(json_value(), 4),
        ),
        prop::option::weighted(0.85, servers),
        prop::option::weighted(0.4, json_entry()),
        any::<u64>(),
        layout(format == Format::Jsonc, layouts),
        prop::bool::weighted(0.03),
    )
        .prop_map(
            |((keys, values), servers, ours, order, layout, blank)| JsonFile {
                unrelated: keys.into_iter().map(json_key).zip(values).collect(),
                ours: ours.filter(|_| servers.is_some()),
                servers,
                order,
                layout,
                blank,
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// TOML

/// A key as TOML writes it: bare when it can be, quoted otherwise.
fn toml_key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        name.to_owned()
    } else {
        json_key(name) // a JSON string is a TOML basic string for these names
    }
}

fn toml_value() -> BoxedStrategy<String> {
    let scalar = select(vec![
        "\"gpt-5\"",
        "\"\"",
        r#""a\"b\\c\u00e9\t""#,
        "'C:\\Program Files\\x.exe'",
        "\"\"\"\nfirst\nsecond\"\"\"",
        "'''\nraw # not a comment\n'''",
        "1",
        "-5",
        "1_000",
        "0x1F",
        "1.5",
        "6e-3",
        "true",
        "1979-05-27T07:32:00Z",
        "\"# not a comment\"",
    ])
    .prop_map(str::to_owned);
    scalar
        .prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3)
                    .prop_map(|v| format!("[{}]", v.join(", "))),
                prop::collection::vec(inner.clone(), 1..3)
                    .prop_map(|v| format!("[\n  {}, # why\n]", v.join(",\n  "))),
                prop::collection::vec(("[a-z]{1,4}", inner), 0..3).prop_map(|kv| {
                    // An inline table takes distinct keys and no line breaks.
                    let mut seen = std::collections::HashSet::new();
                    let pairs: Vec<String> = kv
                        .into_iter()
                        .filter(|(k, v)| !v.contains('\n') && seen.insert(k.clone()))
                        .map(|(k, v)| format!("{k} = {v}"))
                        .collect();
                    format!("{{ {} }}", pairs.join(", "))
                }),
            ]
        })
        .boxed()
}

/// One `key = value` line of a TOML file, as laid out.
#[derive(Clone, Debug)]
struct Kv {
    /// A comment or blank line before it.
    before: Option<&'static str>,
    indent: &'static str,
    key: String,
    eq: &'static str,
    value: String,
    comment: &'static str,
}

impl Kv {
    /// The line, its key under `parent` when given (`docs.command = …`).
    fn line(&self, parent: Option<&str>) -> String {
        let before = self.before.map_or(String::new(), |b| format!("{b}\n"));
        let key = match parent {
            Some(p) => format!("{p}.{}", self.key),
            None => self.key.clone(),
        };
        let Kv {
            indent,
            eq,
            value,
            comment,
            ..
        } = self;
        format!("{before}{indent}{key}{eq}{value}{comment}")
    }

    /// `key = value` inside an inline table, which takes no comments and no line breaks.
    fn pair(&self) -> Option<String> {
        (!self.value.contains('\n')).then(|| format!("{} = {}", self.key, self.value))
    }
}

/// A line for a key given later.
fn toml_kv() -> BoxedStrategy<Kv> {
    (
        select(vec![
            None,
            None,
            Some("# note"),
            Some(""),
            Some("   # indented"),
        ]),
        select(vec!["", "  ", "\t"]),
        select(vec![" = ", "=", "\t=  "]),
        toml_value(),
        select(vec!["", "  # the default", " #"]),
    )
        .prop_map(|(before, indent, eq, value, comment)| Kv {
            before,
            indent,
            key: String::new(),
            eq,
            value,
            comment,
        })
        .boxed()
}

/// Lines for some of `keys` (each at most once), in their order.
fn toml_kvs(keys: Vec<&'static str>, most: usize) -> BoxedStrategy<Vec<Kv>> {
    (
        subsequence(keys, 0..=most),
        prop::collection::vec(toml_kv(), most),
    )
        .prop_map(|(keys, kvs)| {
            keys.into_iter()
                .zip(kvs)
                .map(|(key, kv)| Kv {
                    key: key.to_owned(),
                    ..kv
                })
                .collect()
        })
        .boxed()
}

fn lines(kvs: &[Kv], parent: Option<&str>) -> String {
    kvs.iter()
        .map(|kv| kv.line(parent))
        .collect::<Vec<_>>()
        .join("\n")
}

fn inline_table(kvs: &[Kv]) -> String {
    let pairs: Vec<String> = kvs.iter().filter_map(Kv::pair).collect();
    format!("{{ {} }}", pairs.join(", "))
}

/// How a TOML file holds its servers.
#[derive(Clone, Copy, Debug)]
enum Servers {
    /// `[mcp_servers.docs]` sections.
    Sections,
    /// One `[mcp_servers]` section with `docs = { … }` or `docs.command = …` lines.
    Parent,
    /// `mcp_servers = { docs = { … } }` at the top.
    Inline,
    Absent,
}

/// The lines of a server's entry.
fn toml_entry() -> BoxedStrategy<Vec<Kv>> {
    let keys = vec![
        "command",
        "args",
        "env",
        "env_vars",
        "startup_timeout_sec",
        "url",
        "enabled",
        "cwd",
    ];
    toml_kvs(keys, 4)
}

/// A Codex `config.toml` before our name is known.
#[derive(Clone, Debug)]
struct TomlFile {
    top: Vec<Kv>,
    servers: Servers,
    /// Other servers (one may turn out to have our name: it is left out), each written inline
    /// (`docs = { … }`) or not, where the shape leaves the choice.
    others: Vec<(&'static str, Vec<Kv>, bool)>,
    ours: Option<(Vec<Kv>, bool)>,
    tables: Vec<String>,
    header: &'static str,
    order: u64,
    crlf: bool,
    final_newline: bool,
    bom: bool,
    layouts: Layouts,
}

impl TomlFile {
    /// The text, and whether it has a servers table and our entry.
    fn render(&self, servers_key: &str, name: &str) -> (String, bool, bool) {
        let mut entries: Vec<(String, &Vec<Kv>, bool)> = self
            .others
            .iter()
            .filter(|(n, _, _)| *n != name)
            .map(|(n, body, inline)| (toml_key(n), body, *inline))
            .collect();
        let ours = self.ours.is_some() && !matches!(self.servers, Servers::Absent);
        if let Some((body, inline)) = self.ours.as_ref().filter(|_| ours) {
            entries.push((toml_key(name), body, *inline));
        }
        shuffle(&mut entries, self.order);
        let mut top: Vec<String> = self.top.iter().map(|kv| kv.line(None)).collect();
        let mut blocks = self.tables.clone();
        match self.servers {
            Servers::Sections => {
                for (n, body, _) in &entries {
                    let head = self.header.replace("{}", n);
                    blocks.push(format!("{head}\n{}", lines(body, None)));
                }
            }
            Servers::Parent => {
                let mut block = format!("[{servers_key}]");
                for (n, body, inline) in &entries {
                    block.push('\n');
                    if *inline || body.is_empty() {
                        block.push_str(&format!("{n} = {}", inline_table(body)));
                    } else {
                        block.push_str(&lines(body, Some(n)));
                    }
                }
                blocks.push(block);
            }
            Servers::Inline => {
                let inline: Vec<String> = entries
                    .iter()
                    .map(|(n, body, _)| format!("{n} = {}", inline_table(body)))
                    .collect();
                top.push(if inline.is_empty() && self.layouts == Layouts::Plain {
                    format!("{servers_key} = {{}}")
                } else {
                    format!("{servers_key} = {{ {} }}", inline.join(", "))
                });
            }
            Servers::Absent => {}
        }
        shuffle(&mut blocks, self.order.rotate_left(32));
        // Sections hold the servers table only when there is one.
        let servers_table = match self.servers {
            Servers::Sections => !entries.is_empty(),
            Servers::Absent => false,
            Servers::Parent | Servers::Inline => true,
        };
        let mut parts = Vec::new();
        if !top.is_empty() {
            parts.push(top.join("\n"));
        }
        parts.extend(blocks);
        let mut text = parts.join("\n\n");
        if self.final_newline && !text.is_empty() {
            text.push('\n');
        }
        if self.crlf {
            text = text.replace('\n', "\r\n");
        }
        if self.bom {
            text.insert(0, '\u{feff}');
        }
        (text, servers_table, ours)
    }
}

/// A Codex `config.toml`: top-level settings, the servers in one of the shapes TOML allows,
/// other tables, all in any order with comments and odd spacing.
fn toml_file(layouts: Layouts) -> BoxedStrategy<TomlFile> {
    let tables = (
        subsequence(
            vec!["[profiles.fast]", "[tui]", "[[hooks]]", "[ history ]"],
            0..=3,
        ),
        prop::collection::vec(toml_kvs(vec!["a", "b-c"], 2), 3),
    )
        .prop_map(|(headers, bodies)| {
            headers
                .into_iter()
                .zip(bodies)
                .map(|(h, kvs)| format!("{h}\n{}", lines(&kvs, None)))
                .collect()
        });
    let others = (
        subsequence(OTHER_NAMES.to_vec(), 0..=3),
        prop::collection::vec((toml_entry(), any::<bool>()), 3),
    )
        .prop_map(|(names, bodies)| {
            names
                .into_iter()
                .zip(bodies)
                .map(|(n, (body, inline))| (n, body, inline))
                .collect()
        });
    (
        toml_kvs(vec!["model", "approval_policy", "x", "\"quoted key\""], 3),
        select(vec![
            Servers::Sections,
            Servers::Sections,
            Servers::Parent,
            Servers::Inline,
            Servers::Absent,
        ]),
        others,
        prop::option::weighted(0.4, (toml_entry(), any::<bool>())),
        tables,
        select(vec![
            "[mcp_servers.{}]",
            "[ mcp_servers . {} ]",
            "[mcp_servers.{}]  # mine",
        ]),
        any::<u64>(),
        (any::<bool>(), any::<bool>(), prop::bool::weighted(0.2)),
    )
        .prop_map(
            move |(top, servers, others, ours, tables, header, order, (crlf, last, bom))| {
                TomlFile {
                    top,
                    servers,
                    others,
                    ours,
                    tables,
                    header,
                    order,
                    crlf,
                    final_newline: last,
                    bom,
                    layouts,
                }
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Cases

fn form() -> BoxedStrategy<Form> {
    let text = prop_oneof![
        select(vec![
            "3minapi",
            "/opt/bin/3minapi",
            "C:\\Program Files\\3minapi\\3minapi.exe"
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z0-9/ ._\\\\\"'é#{}-]{1,16}",
    ];
    let url = select(vec![
        "https://3minapi.example/api/mcp",
        "http://127.0.0.1:9/api/mcp?a=b#c",
    ])
    .prop_map(str::to_owned);
    prop_oneof![
        3 => (text.clone(), prop::collection::vec(text.clone(), 0..4))
            .prop_map(|(command, args)| Form::Bridge { command, args }),
        1 => (url.clone(), text).prop_map(|(url, key)| Form::Direct { url, key }),
        1 => url.prop_map(|url| Form::DirectFromEnv { url }),
    ]
    .boxed()
}

/// A file of one of a client's, before our name is known.
#[derive(Clone, Debug)]
enum File {
    Json(JsonFile),
    Toml(TomlFile),
}

fn case(layouts: Layouts) -> BoxedStrategy<Case> {
    // YAML files have their own editor and tests (tests/yaml_edit.rs).
    let files: Vec<BoxedStrategy<(ClientId, File)>> = ClientId::ALL
        .into_iter()
        .filter(|c| !matches!(c.format(), Format::Yaml | Format::YamlList))
        .map(|client| match client.format() {
            Format::Toml => toml_file(layouts)
                .prop_map(move |f| (client, File::Toml(f)))
                .boxed(),
            format => json_file(format, client.servers_key(), layouts)
                .prop_map(move |f| (client, File::Json(f)))
                .boxed(),
        })
        .collect();
    (
        proptest::strategy::Union::new(files),
        select(OUR_NAMES.to_vec()),
        form(),
    )
        .prop_map(|((client, file), name, form)| {
            let (text, servers_table, ours) = match &file {
                File::Json(f) => f.render(client.servers_key(), name),
                File::Toml(f) => f.render(client.servers_key(), name),
            };
            Case {
                client,
                name,
                form,
                text,
                servers_table,
                ours,
            }
        })
        .boxed()
}

/// A file's value, comments and layout aside (a BOM too).
fn value_of(case: &Case, text: &str) -> Value {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match case.client.format() {
        Format::Toml => {
            let doc: toml_edit::DocumentMut = text.parse().expect("TOML");
            toml_table(doc.as_table())
        }
        _ => jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
            .expect("JSONC")
            .value
            .map_or(Value::Object(Default::default()), Value::from),
    }
}

fn toml_table(t: &dyn toml_edit::TableLike) -> Value {
    Value::Object(
        t.iter()
            .map(|(k, v)| (k.to_owned(), toml_item(v)))
            .collect(),
    )
}

fn toml_item(item: &toml_edit::Item) -> Value {
    match item {
        toml_edit::Item::Value(v) => toml_plain(v),
        toml_edit::Item::Table(t) => toml_table(t),
        toml_edit::Item::ArrayOfTables(a) => {
            Value::Array(a.iter().map(|t| toml_table(t)).collect())
        }
        toml_edit::Item::None => Value::Null,
    }
}

fn toml_plain(v: &toml_edit::Value) -> Value {
    match v {
        toml_edit::Value::String(s) => Value::from(s.value().as_str()),
        toml_edit::Value::Integer(i) => Value::from(*i.value()),
        toml_edit::Value::Float(f) => Value::from(*f.value()),
        toml_edit::Value::Boolean(b) => Value::from(*b.value()),
        toml_edit::Value::Datetime(d) => Value::from(d.value().to_string()),
        toml_edit::Value::Array(a) => Value::Array(a.iter().map(toml_plain).collect()),
        toml_edit::Value::InlineTable(t) => toml_table(t),
    }
}

/// Installing into the file without our entry, then uninstalling, gives those bytes back;
/// when install had to add the servers table, an empty one may stay behind.
fn check_install_then_uninstall(case: &Case) -> Result<(), TestCaseError> {
    let without = case.uninstall(&case.text);
    let back = case.uninstall(&case.install(&without));
    if case.servers_table {
        prop_assert_eq!(&back, &without);
    } else if back != without {
        let before = value_of(case, &without);
        let mut with_table = before.clone();
        with_table[case.client.servers_key()] = Value::Object(Default::default());
        let back = value_of(case, &back);
        prop_assert!(back == before || back == with_table, "{:?}", back);
    }
    Ok(())
}

/// Install changes our entry and nothing else: other servers keep their entries, fields a user
/// added to ours stay, and with our entry taken out again the bytes are those of the file
/// with our entry taken out.
fn check_nothing_but_our_entry(case: &Case) -> Result<(), TestCaseError> {
    let before = case.parse(&case.text);
    prop_assert_eq!(before.entry(case.name).is_some(), case.ours);
    let installed = case.install(&case.text);
    let after = case.parse(&installed);

    let fields = case.fields();
    let entry = after.entry(case.name).expect("our entry");
    for (k, v) in &fields {
        prop_assert_eq!(&entry[*k], v, "{}", k);
    }
    let owned = case.client.owned_fields();
    let old = before.entry(case.name).unwrap_or(Value::Null);
    for (k, v) in entry.as_object().expect("an object") {
        if owned.contains(&k.as_str()) {
            prop_assert!(fields.iter().any(|(f, _)| f == k), "stale {} kept", k);
        } else {
            prop_assert_eq!(Some(v), old.get(k), "{} is the user's", k);
        }
    }

    let others = |doc: &Doc| -> Vec<String> {
        let names = doc.server_names().into_iter();
        names.filter(|n| n != case.name).collect()
    };
    prop_assert_eq!(others(&after), others(&before));
    for other in others(&before) {
        prop_assert_eq!(after.entry(&other), before.entry(&other), "{}", other);
    }
    if case.servers_table {
        prop_assert_eq!(case.uninstall(&installed), case.uninstall(&case.text));
    }
    Ok(())
}

proptest! {
    #![proptest_config(prop_common::config(192))]

    /// Every file generated here is one its client reads, so the editors must take it.
    #[test]
    fn every_generated_file_parses(case in case(Layouts::All)) {
        let format = case.client.format();
        let parsed = Doc::parse(&case.text, format, case.client.servers_key(), case.name);
        prop_assert!(parsed.is_ok(), "{}", parsed.err().unwrap());
    }

    #[test]
    fn install_then_uninstall_gives_the_file_back(case in case(Layouts::All)) {
        check_install_then_uninstall(&case)?;
    }

    #[test]
    fn install_changes_nothing_but_our_entry(case in case(Layouts::All)) {
        check_nothing_but_our_entry(&case)?;
    }

    #[test]
    fn install_then_uninstall_gives_the_file_back_in_plain_layouts(
        case in case(Layouts::Plain),
    ) {
        check_install_then_uninstall(&case)?;
    }

    #[test]
    fn install_changes_nothing_but_our_entry_in_plain_layouts(
        case in case(Layouts::Plain),
    ) {
        check_nothing_but_our_entry(&case)?;
    }

    /// A second install finds nothing to change (`already up to date`).
    #[test]
    fn installing_twice_is_installing_once(case in case(Layouts::All)) {
        let once = case.install(&case.text);
        prop_assert_eq!(&case.install(&once), &once, "installed again");
        let mut doc = case.parse(&case.text);
        doc.upsert(case.name, &case.fields(), &case.client.owned_fields())
            .expect("install");
        doc.upsert(case.name, &case.fields(), &case.client.owned_fields())
            .expect("install");
        prop_assert_eq!(&doc.render(), &once, "twice in one go");
    }
}

/// Our bridge entry, to go into `text`, a file of `client`'s with a servers table and without it.
fn bridge_into(client: ClientId, text: &str) -> Case {
    Case {
        client,
        name: "3minapi",
        form: Form::Bridge {
            command: "3minapi".into(),
            args: vec!["mcp".into(), "serve".into()],
        },
        text: text.to_owned(),
        servers_table: true,
        ours: false,
    }
}

fn assert_round_trip(client: ClientId, text: &str) {
    let case = bridge_into(client, text);
    let installed = case.install(text);
    assert_eq!(case.uninstall(&installed), text, "installed:\n{installed}");
}

/// Found by `install_then_uninstall_gives_the_file_back` (all layouts): `toml_edit` writes LF line ends, so any
/// change to a CRLF `config.toml` turns every line end in it into LF.
#[test]
fn a_codex_file_with_crlf_line_ends_keeps_them() {
    assert_round_trip(
        ClientId::Codex,
        "[mcp_servers.docs]\r\ncommand = \"docs-mcp\"\r\n",
    );
}

/// Found by `install_then_uninstall_gives_the_file_back` (all layouts): the BOM a JSON file keeps is dropped
/// from a `config.toml`.
#[test]
fn a_codex_file_with_a_byte_order_mark_keeps_it() {
    assert_round_trip(
        ClientId::Codex,
        "\u{feff}[mcp_servers.docs]\ncommand = \"docs-mcp\"\n",
    );
}

/// Found by `install_then_uninstall_gives_the_file_back` (all layouts): a `config.toml` that ended without a
/// newline ends with one after our table came and went.
#[test]
fn a_codex_file_without_a_last_newline_stays_without() {
    assert_round_trip(
        ClientId::Codex,
        "[mcp_servers.docs]\ncommand = \"docs-mcp\"",
    );
}

/// Found by `install_changes_nothing_but_our_entry`: an empty inline servers table loses its
/// inner spaces.
#[test]
fn an_empty_inline_servers_table_keeps_its_spacing() {
    assert_round_trip(ClientId::Codex, "mcp_servers = {  }\n");
}

/// Found by `install_changes_nothing_but_our_entry`: appending our entry spreads a servers
/// object written on one line over several, and it stays spread after uninstall.
#[test]
fn a_servers_object_on_one_line_stays_on_one_line() {
    assert_round_trip(ClientId::Cursor, "{\"mcpServers\": {\"docs\": {}}}\n");
    assert_round_trip(ClientId::Vscode, "{\"servers\": { /* none yet */ }}\n");
}

/// Found by `install_then_uninstall_gives_the_file_back`: blank space between the last server
/// and the closing brace (a blank line, spaces after the last entry) is dropped by install.
#[test]
fn blank_space_before_the_closing_brace_is_kept() {
    assert_round_trip(
        ClientId::Cursor,
        "{\n  \"mcpServers\": {\n    \"docs\": {}\n\n  }\n}\n",
    );
    assert_round_trip(
        ClientId::Vscode,
        "{\n  \"servers\": {\n    \"docs\": {} /* why */ \n  }\n}\n",
    );
}

/// Found by the `config_edit` fuzz target: a `config.toml` whose line ends are mixed lost its one
/// CRLF (toml_edit writes LF everywhere); the lines an edit leaves alone keep their own ends.
#[test]
fn a_codex_file_with_mixed_line_ends_keeps_each() {
    assert_round_trip(
        ClientId::Codex,
        "# Codex\n\r\ncommand = \"npx\"\nargs = [\"-y\", \"x\"]\n\n[mcp_servers]\n",
    );
    assert_round_trip(
        ClientId::Codex,
        "a = 1\r\nb = 2\n[mcp_servers.docs]\r\ncommand = \"d\"",
    );
}

/// Found by the `config_edit` fuzz target: a .json file holding only `\v` (whitespace to Rust's
/// `trim`, not to JSON) passed as empty and was then written into invalid JSON; and a config.toml
/// starting with two byte order marks was taken (toml_edit skipped the second).
#[test]
fn files_a_client_would_refuse_are_refused() {
    for text in ["\u{b}", "\u{c}\n\n"] {
        let parsed = Doc::parse(text, Format::Json, "mcpServers", "3minapi");
        assert!(parsed.is_err(), "{text:?}");
    }
    let twice = "\u{feff}\u{feff}[mcp_servers]";
    assert!(Doc::parse(twice, Format::Toml, "mcp_servers", "3minapi").is_err());
}
