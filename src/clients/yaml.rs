//! YAML config files (Goose's `config.yaml`, Continue's `config.yaml` and block files): our entry
//! edited as lines of text, every other byte kept — comments, blank lines, quoting, indentation,
//! line ends. `yaml_serde` (the YAML organisation's serde_yaml) is the strict reader: it says
//! where a file is malformed, and reads every edit back, which must change our entry and nothing
//! else or is not made.
//!
//! Why not `yamlpatch`: its last release that builds with our toolchain (1.24) merges a comment
//! that follows an appended list item into the item's last scalar (`- serve# note`), drops a
//! comment that follows a removed key, and `MergeInto` writes a new mapping mis-indented. The
//! edits we need are few and block-shaped, so they are made here and checked by reading back.

use super::catalogue::Fields;
use super::doc::Malformed;
use super::textform::BOM;
use serde_json::{Map, Value};

/// A parsed YAML file whose top-level `key` holds the servers: a mapping by name (Goose's
/// `extensions`) or a list of entries that carry a `name` (Continue's `mcpServers`).
pub struct YamlDoc {
    body: String,
    bom: bool,
    key: &'static str,
    list: bool,
}

/// One line of the file: byte offsets, its indentation, and whether it holds content (not
/// blank, not only a comment).
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    /// End of the content, before `\r\n` / `\n`.
    end: usize,
    /// Start of the next line (`end` when the file ends without a newline).
    next: usize,
    indent: usize,
    content: bool,
}

fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let next = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        let mut end = next;
        if text[..end].ends_with('\n') {
            end -= 1;
        }
        if text[..end].ends_with('\r') {
            end -= 1;
        }
        let raw = &text[start..end];
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        let rest = raw[indent..].trim_start();
        out.push(Line {
            start,
            end,
            next,
            indent,
            content: !rest.is_empty() && !rest.starts_with('#'),
        });
        start = next;
    }
    out
}

/// The key a block mapping line starts with, unquoted, and the byte offset just past its colon.
fn key_of(line: &str) -> Option<(String, usize)> {
    let first = line.chars().next()?;
    if first == '"' || first == '\'' {
        let mut i = 1;
        let bytes = line.as_bytes();
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if first == '"' => i += 2,
                b'\'' if first == '\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
                b if b == first as u8 => break,
                _ => i += 1,
            }
        }
        let quoted = line.get(..=i)?;
        let key: String = yaml_serde::from_str(quoted).ok()?;
        let after = line[i + 1..].trim_start_matches([' ', '\t']);
        return after
            .starts_with(':')
            .then(|| (key, line.len() - after.len() + 1));
    }
    if matches!(
        first,
        '-' | '?' | '#' | '{' | '[' | '&' | '*' | '!' | '|' | '>'
    ) {
        return None;
    }
    let bytes = line.as_bytes();
    let colon = (0..bytes.len()).find(|&i| {
        bytes[i] == b':' && matches!(bytes.get(i + 1), None | Some(b' ' | b'\t' | b'\r'))
    })?;
    Some((line[..colon].trim_end().to_owned(), colon + 1))
}

/// The text after a colon without its comment, trimmed.
fn value_text(rest: &str) -> &str {
    let bytes = rest.as_bytes();
    let cut = (0..bytes.len())
        .find(|&i| bytes[i] == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')))
        .unwrap_or(rest.len());
    rest[..cut].trim()
}

/// Where the servers live in the text.
struct Table {
    /// The line of the top-level key.
    key_line: usize,
    /// Offset just past the key's colon.
    colon_end: usize,
    /// What follows the colon on the key's line, without comment: empty for a block.
    inline: String,
    /// Each child: its first line and its last content line (indices into the lines).
    children: Vec<(usize, usize)>,
    /// The children's indentation, when there are any.
    indent: Option<usize>,
    /// How much deeper a child's own members sit than the child (2 when unknown).
    unit: usize,
}

fn to_json(v: &yaml_serde::Value) -> Option<Value> {
    serde_json::to_value(v).ok()
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

impl YamlDoc {
    pub fn parse(
        text: &str,
        key: &'static str,
        list: bool,
        name: &str,
    ) -> Result<YamlDoc, Malformed> {
        let body = text.strip_prefix(BOM).unwrap_or(text);
        let doc = YamlDoc {
            body: body.to_owned(),
            bom: body.len() < text.len(),
            key,
            list,
        };
        let shift = usize::from(doc.bom);
        let value = doc.value().map_err(|e| {
            let (line, col) = e.location().map_or((1, 1), |l| {
                (l.line(), l.column() + shift * usize::from(l.line() == 1))
            });
            let full = e.to_string();
            let what = full.split(" at line ").next().unwrap_or(&full).to_owned();
            Malformed { line, col, what }
        })?;
        let lines = lines(body);
        let first_content = lines.iter().position(|l| l.content).unwrap_or(0);
        let at = |line: usize, what: String| Malformed {
            line: line + 1,
            col: lines.get(line).map_or(1, |l| l.indent + 1),
            what,
        };
        let root = match &value {
            Value::Null => return Ok(doc),
            Value::Object(root) => root,
            other => {
                return Err(at(
                    first_content,
                    format!("the file must hold a YAML mapping, not {}", describe(other)),
                ));
            }
        };
        let Some(servers) = root.get(key) else {
            return Ok(doc);
        };
        let table = doc.table(&lines);
        let key_line = table.as_ref().map_or(first_content, |t| t.key_line);
        let (want, entry) = match (list, servers) {
            (_, Value::Null) => return Ok(doc),
            (false, Value::Object(map)) => ("a mapping", map.get(name).cloned()),
            (true, Value::Array(items)) => (
                "a list",
                items
                    .iter()
                    .find(|i| i.get("name") == Some(&json_name(name)))
                    .cloned(),
            ),
            (false, other) => {
                return Err(at(
                    key_line,
                    format!(
                        "`{key}` must be a mapping of entries by name, not {}",
                        describe(other)
                    ),
                ));
            }
            (true, other) => {
                return Err(at(
                    key_line,
                    format!("`{key}` must be a list of entries, not {}", describe(other)),
                ));
            }
        };
        if let Some(entry) = entry
            && !entry.is_object()
        {
            let line = doc
                .position(name)
                .and_then(|i| table.as_ref()?.children.get(i).map(|c| c.0))
                .unwrap_or(key_line);
            return Err(at(
                line,
                format!(
                    "our entry `{name}` in `{key}` must be a mapping, not {}",
                    describe(&entry)
                ),
            ));
        }
        let Some(table) = table else {
            return Err(at(
                key_line,
                format!("`{key}` is not a plain top-level key that 3minapi can find"),
            ));
        };
        if !matches!(table.inline.as_str(), "" | "{}" | "[]") {
            return Err(at(
                key_line,
                format!(
                    "`{key}` is written inline ({}); 3minapi edits block-style YAML only: put each entry of {want} on lines of its own",
                    table.inline
                ),
            ));
        }
        let count = match servers {
            Value::Object(m) => m.len(),
            Value::Array(a) => a.len(),
            _ => 0,
        };
        if table.children.len() != count {
            return Err(at(
                key_line,
                format!(
                    "cannot tell the entries of `{key}` apart line by line (anchors, flow style or one-line entries)"
                ),
            ));
        }
        Ok(doc)
    }

    fn value(&self) -> Result<Value, yaml_serde::Error> {
        if self.body.trim().is_empty() {
            return Ok(Value::Null);
        }
        let v: yaml_serde::Value = yaml_serde::from_str(&self.body)?;
        // Tags and non-string keys have no JSON form: such a file is read as what JSON can hold.
        Ok(to_json(&v).unwrap_or(Value::Null))
    }

    fn table(&self, lines: &[Line]) -> Option<Table> {
        let text = &self.body;
        let key_line = lines.iter().position(|l| {
            l.content
                && l.indent == 0
                && key_of(&text[l.start..l.end]).is_some_and(|(k, _)| k == self.key)
        })?;
        let kl = lines[key_line];
        let (_, colon) = key_of(&text[kl.start..kl.end])?;
        let colon_end = kl.start + colon;
        let inline = value_text(&text[colon_end..kl.end]).to_owned();
        let mut children = Vec::new();
        let mut indent = None;
        let mut unit = None;
        for (i, l) in lines.iter().enumerate().skip(key_line + 1) {
            if !l.content {
                continue;
            }
            let raw = &text[l.start..l.end];
            let item = raw[l.indent..].starts_with('-');
            let doc_marker = raw.starts_with("---") || raw.starts_with("...");
            if l.indent == 0 && (!(self.list && item) || doc_marker) {
                break;
            }
            let ci = *indent.get_or_insert(l.indent);
            if l.indent == ci && (!self.list || item) {
                children.push((i, i));
            } else if let Some(last) = children.last_mut() {
                if unit.is_none() && !self.list && l.indent > ci {
                    unit = Some(l.indent - ci);
                }
                last.1 = i;
            }
        }
        Some(Table {
            key_line,
            colon_end,
            inline,
            children,
            indent,
            unit: unit.unwrap_or(2),
        })
    }

    /// The index of our entry among the children, in the file's order.
    fn position(&self, name: &str) -> Option<usize> {
        let v: yaml_serde::Value = yaml_serde::from_str(&self.body).ok()?;
        let ours = yaml_serde::Value::String(name.to_owned());
        match v.get(self.key)? {
            yaml_serde::Value::Mapping(m) => m.keys().position(|k| *k == ours),
            yaml_serde::Value::Sequence(items) => {
                items.iter().position(|i| i.get("name") == Some(&ours))
            }
            _ => None,
        }
    }

    /// The `i`-th child of the servers table as the file orders its members.
    fn yaml_entry(&self, i: usize) -> Option<yaml_serde::Mapping> {
        let v: yaml_serde::Value = yaml_serde::from_str(&self.body).ok()?;
        let child = match v.get(self.key)? {
            yaml_serde::Value::Mapping(m) => m.values().nth(i)?.clone(),
            yaml_serde::Value::Sequence(s) => s.get(i)?.clone(),
            _ => return None,
        };
        match child {
            yaml_serde::Value::Mapping(m) => Some(m),
            _ => None,
        }
    }

    pub fn entry(&self, name: &str) -> Option<Value> {
        let i = self.position(name)?;
        to_json(&yaml_serde::Value::Mapping(self.yaml_entry(i)?))
    }

    pub fn server_names(&self) -> Vec<String> {
        let Ok(value) = self.value() else {
            return Vec::new();
        };
        match value.get(self.key) {
            Some(Value::Object(map)) => map.keys().cloned().collect(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.get("name")?.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The edits: each one made as text, then read back and taken only when it changed our entry
/// and nothing else.
impl YamlDoc {
    /// Sets our fields (owned ones the form does not use go; the user's stay). `Err` when the
    /// edit could not be made without touching anything else; the document is then unchanged.
    pub fn upsert(&mut self, name: &str, fields: &Fields, owned: &[&str]) -> Result<(), String> {
        let before = self.value().map_err(|e| e.to_string())?;
        let lines = lines(&self.body);
        let table = self.table(&lines);
        let at = self.position(name);
        // In the order the file has them (JSON objects here are sorted), ours after.
        let mut members: Vec<(String, Value)> = at
            .and_then(|i| self.yaml_entry(i))
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), to_json(v)?)))
                    .collect()
            })
            .unwrap_or_default();
        members.retain(|(k, _)| !owned.contains(&k.as_str()) || fields.iter().any(|(f, _)| f == k));
        // Both YAML clients want the name inside the entry too.
        if !members.iter().any(|(k, _)| k == "name") {
            members.insert(0, ("name".into(), json_name(name)));
        }
        for (k, v) in fields {
            match members.iter_mut().find(|(m, _)| m == k) {
                Some(slot) => slot.1 = v.clone(),
                None => members.push(((*k).to_owned(), v.clone())),
            }
        }
        let entry = Value::Object(members.iter().cloned().collect());
        if at.is_some() && self.entry(name).as_ref() == Some(&entry) {
            return Ok(());
        }
        let nl = self.newline();
        let mut text = self.body.clone();
        match (table, at) {
            (Some(t), Some(i)) => {
                let (first, last) = t.children[i];
                let block = self.render(name, &members, t.indent.unwrap_or(2), t.unit, nl);
                let end = lines[last].next;
                let block = if lines[last].next == lines[last].end {
                    block.trim_end_matches(['\r', '\n']).to_owned()
                } else {
                    block
                };
                text.replace_range(lines[first].start..end, &block);
            }
            (Some(t), None) => match t.children.last() {
                Some(&(_, last)) => {
                    let l = lines[last];
                    let block = self.render(name, &members, t.indent.unwrap_or(2), t.unit, nl);
                    text.insert_str(l.next, &at_end(l, block, nl));
                }
                None => {
                    let l = lines[t.key_line];
                    let block = self.render(name, &members, 2, 2, nl);
                    text.insert_str(l.next, &at_end(l, block, nl));
                    if let Some(i) = text[t.colon_end..l.end].find(t.inline.as_str())
                        && !t.inline.is_empty()
                    {
                        // `key: {}` gives its `{}`, and the space before it, to the block.
                        text.replace_range(t.colon_end..t.colon_end + i + t.inline.len(), "");
                    }
                }
            },
            (None, _) => {
                if !text.is_empty() && !text.ends_with('\n') {
                    text.push_str(nl);
                }
                text.push_str(&format!("{}:{nl}", self.key_text()));
                text.push_str(&self.render(name, &members, 2, 2, nl));
            }
        }
        self.accept(text, &before, name, Some(entry))
    }

    /// Removes our entry; `Ok(false)` when it was not there.
    pub fn remove(&mut self, name: &str) -> Result<bool, String> {
        let before = self.value().map_err(|e| e.to_string())?;
        let Some(i) = self.position(name) else {
            return Ok(false);
        };
        let lines = lines(&self.body);
        let Some(t) = self.table(&lines) else {
            return Err(format!("cannot find `{}` in the file's lines", self.key));
        };
        let Some(&(first, last)) = t.children.get(i) else {
            return Err(format!(
                "cannot find our entry among the lines of `{}`",
                self.key
            ));
        };
        let mut text = self.body.clone();
        let (mut from, to) = (lines[first].start, lines[last].next);
        if lines[last].next == lines[last].end && first > 0 {
            // The entry ended the file without a newline: the one before it goes too.
            from = lines[first - 1].end;
        }
        text.replace_range(from..to, "");
        if t.children.len() == 1 {
            let empty = if self.list { " []" } else { " {}" };
            text.insert_str(t.colon_end, empty);
        }
        self.accept(text, &before, name, None).map(|()| true)
    }

    /// Takes `text` when it reads as `before` with our entry set to `entry` (or gone).
    fn accept(
        &mut self,
        text: String,
        before: &Value,
        name: &str,
        entry: Option<Value>,
    ) -> Result<(), String> {
        let mut expected = before.clone();
        if !expected.is_object() {
            expected = Value::Object(Map::new());
        }
        let servers = &mut expected[self.key];
        match (servers, &entry) {
            (Value::Array(items), _) => {
                let at = items
                    .iter()
                    .position(|i| i.get("name") == Some(&json_name(name)));
                match (at, entry) {
                    (Some(i), Some(e)) => items[i] = e,
                    (Some(i), None) => {
                        items.remove(i);
                    }
                    (None, Some(e)) => items.push(e),
                    (None, None) => {}
                }
            }
            (servers, Some(e)) => {
                if !servers.is_object() {
                    *servers = if self.list {
                        Value::Array(vec![])
                    } else {
                        Value::Object(Map::new())
                    };
                }
                match servers {
                    Value::Object(map) => {
                        map.insert(name.to_owned(), e.clone());
                    }
                    Value::Array(items) => items.push(e.clone()),
                    _ => {}
                }
            }
            (Value::Object(map), None) => {
                map.remove(name);
            }
            (_, None) => {}
        }
        let edited = YamlDoc {
            body: text,
            bom: self.bom,
            key: self.key,
            list: self.list,
        };
        match edited.value() {
            Ok(v) if v == expected => {
                *self = edited;
                Ok(())
            }
            _ => Err(format!(
                "3minapi could not change only its entry in this file's layout of `{}`",
                self.key
            )),
        }
    }

    fn newline(&self) -> &'static str {
        let crlf = self.body.matches("\r\n").count();
        if crlf > 0 && crlf >= self.body.matches('\n').count() - crlf {
            "\r\n"
        } else {
            "\n"
        }
    }

    fn key_text(&self) -> String {
        plain_or_quoted(self.key)
    }

    /// Our entry as block YAML at `indent`, members `unit` deeper; each line ends with `nl`.
    fn render(
        &self,
        name: &str,
        members: &[(String, Value)],
        indent: usize,
        unit: usize,
        nl: &str,
    ) -> String {
        let mut mapping = yaml_serde::Mapping::new();
        for (k, v) in members {
            let v = yaml_serde::to_value(v).unwrap_or(yaml_serde::Value::Null);
            mapping.insert(yaml_serde::Value::String(k.clone()), v);
        }
        let members = yaml_serde::to_string(&mapping).unwrap_or_default();
        let pad = " ".repeat(indent);
        let mut out = String::new();
        if self.list {
            for (i, line) in members.lines().enumerate() {
                let lead = if i == 0 {
                    format!("{pad}- ")
                } else {
                    format!("{pad}  ")
                };
                out.push_str(&format!("{lead}{line}{nl}"));
            }
        } else {
            out.push_str(&format!("{pad}{}:{nl}", plain_or_quoted(name)));
            let inner = " ".repeat(indent + unit);
            for line in members.lines() {
                out.push_str(&format!("{inner}{line}{nl}"));
            }
        }
        out
    }

    pub fn render_text(&self) -> String {
        if self.bom {
            format!("{BOM}{}", self.body)
        } else {
            self.body.clone()
        }
    }
}

/// A block to insert after line `l`: when `l` ends the file without a newline, the block goes
/// on a new line and the file still ends without one.
fn at_end(l: Line, block: String, nl: &str) -> String {
    if l.next == l.end {
        format!("{nl}{}", block.trim_end_matches(['\r', '\n']))
    } else {
        block
    }
}

fn json_name(name: &str) -> Value {
    Value::String(name.to_owned())
}

/// A key as YAML writes it: plain when it reads back as the same string, quoted otherwise.
fn plain_or_quoted(key: &str) -> String {
    yaml_serde::to_string(&key).map_or_else(|_| format!("{key:?}"), |s| s.trim_end().to_owned())
}
