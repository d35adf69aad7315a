//! Where our entry stands in each client file (`config list`, `doctor`), and the keys an entry may
//! hold, found and masked for the screen.

use super::fsx;
use super::shapes::canonical;
use super::{ClientId, Ctx, Doc, Fields, Form, Scope};
use crate::key::{self, KeyLookup, McpKey};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Text for the screen: the key, wherever it appears, in its masked form.
pub fn masked(text: &str, key: Option<&McpKey>) -> String {
    match key {
        Some(k) => text.replace(k.expose(), &k.masked()),
        None => text.to_owned(),
    }
}

/// Whether an entry carries a key in plain text anywhere (a `--direct` header, an `env` block…).
pub fn holds_secret(entry: &Value) -> bool {
    match entry {
        Value::String(s) => {
            s.starts_with("tm_mcp_") || s.starts_with("tm_live_") || s.starts_with("tm_test_")
        }
        Value::Array(a) => a.iter().any(holds_secret),
        Value::Object(o) => o.values().any(holds_secret),
        _ => false,
    }
}

/// The `x-api-key` header value of a direct entry, whatever the client calls its headers.
fn entry_key(entry: &Value) -> Option<&str> {
    let headers = ["headers", "http_headers"]
        .iter()
        .filter_map(|h| entry.get(h));
    let nested = entry.get("requestOptions").and_then(|r| r.get("headers"));
    headers.chain(nested).find_map(|h| {
        h.as_object()?.iter().find_map(|(name, v)| {
            name.eq_ignore_ascii_case("x-api-key")
                .then(|| v.as_str())
                .flatten()
        })
    })
}

pub fn current_key() -> Option<McpKey> {
    match key::resolve(
        |name| std::env::var(name).ok(),
        Some(key::store::SHORT_WAIT),
        |_| {},
    ) {
        KeyLookup::Found { key, .. } => Some(key),
        _ => None,
    }
}

/// Masks every `tm_…` key in a text shown on screen, also ones that differ from the current key.
pub fn mask_entry_keys(text: &str, current: Option<&McpKey>) -> String {
    let text = masked(text, current);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find("tm_") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(tail.len());
        let word = &tail[..len];
        match McpKey::parse(word) {
            Ok(k) => out.push_str(&k.masked()),
            Err(_) if len > 12 => out.push_str(&format!("{}…", &word[..7.min(len)])),
            Err(_) => out.push_str(word),
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

/// Where our entry stands in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    NoFile,
    Malformed(String),
    Missing,
    Current,
    Stale(String),
}

impl State {
    pub fn id(&self) -> &'static str {
        match self {
            State::NoFile => "no-file",
            State::Malformed(_) => "malformed",
            State::Missing => "missing",
            State::Current => "current",
            State::Stale(_) => "stale",
        }
    }

    pub fn detail(&self) -> Option<&str> {
        match self {
            State::Malformed(d) | State::Stale(d) => Some(d),
            _ => None,
        }
    }
}

/// How an entry gets its key (`auth status`, `config refresh`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// Runs the bridge: follows the key in use, whatever it becomes.
    Bridge,
    /// Holds the key in use.
    DirectCurrent,
    /// Holds another key than the one in use (`config refresh` rewrites it).
    DirectStale,
    /// Names a variable the client fills in (`${THREEMINAPI_MCP_KEY}`, `{env:…}`,
    /// `env_http_headers`).
    DirectReference,
    /// Asks `3minapi auth header` for the key (Claude Code's `headersHelper`): follows the key.
    DirectHelper,
}

impl EntryKind {
    pub fn id(self) -> &'static str {
        match self {
            EntryKind::Bridge => "bridge",
            EntryKind::DirectCurrent => "direct-current",
            EntryKind::DirectStale => "direct-stale",
            EntryKind::DirectReference => "direct-reference",
            EntryKind::DirectHelper => "direct-helper",
        }
    }

    /// Of an entry, against the key in use (`None`: there is none).
    pub fn of(entry: &Value, current: Option<&McpKey>) -> Option<EntryKind> {
        if canonical(entry).get("command").is_some() {
            return Some(EntryKind::Bridge);
        }
        if entry.get("headersHelper").is_some() && entry_key(entry).is_none() {
            return Some(EntryKind::DirectHelper);
        }
        if entry.get("env_http_headers").is_some() && entry_key(entry).is_none() {
            return Some(EntryKind::DirectReference);
        }
        let text = entry_key(entry)?;
        Some(if !text.starts_with("tm_") {
            EntryKind::DirectReference
        } else if current.is_some_and(|k| k.expose() == text) {
            EntryKind::DirectCurrent
        } else {
            EntryKind::DirectStale
        })
    }
}

/// The literal key a direct entry holds, if it holds one.
pub fn literal_key(entry: &Value) -> Option<&str> {
    entry_key(entry).filter(|k| k.starts_with("tm_"))
}

/// One client file as `config list` and `doctor` see it.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub client: ClientId,
    pub scope: Scope,
    pub path: PathBuf,
    pub state: State,
    /// Other servers in the file: a file with servers but not ours is a client set up otherwise.
    pub other_servers: usize,
    /// The entry carries the key in plain text.
    pub holds_key: bool,
    /// How our entry gets its key, when there is one.
    pub kind: Option<EntryKind>,
}

/// Looks at every known client file.
pub fn survey(ctx: &Ctx, name: &str) -> Vec<FileReport> {
    let key = std::cell::OnceCell::new();
    let mut out = Vec::new();
    for client in ClientId::ALL {
        for &scope in client.scopes() {
            let Some(path) = client.path(scope, &ctx.places) else {
                continue;
            };
            out.push(inspect(ctx, client, scope, &path, name, &key));
        }
    }
    out
}

fn inspect(
    ctx: &Ctx,
    client: ClientId,
    scope: Scope,
    path: &Path,
    name: &str,
    key: &std::cell::OnceCell<Option<McpKey>>,
) -> FileReport {
    let mut report = FileReport {
        client,
        scope,
        path: path.to_path_buf(),
        state: State::NoFile,
        other_servers: 0,
        holds_key: false,
        kind: None,
    };
    let found = match fsx::read(path) {
        Ok(f) => f,
        Err(e) => {
            report.state =
                State::Malformed(format!("{e:#}").lines().next().unwrap_or("").to_owned());
            return report;
        }
    };
    let Some(existing) = &found.existing else {
        return report;
    };
    let doc = match Doc::parse(&existing.text, client.format(), client.servers_key(), name) {
        Ok(d) => d,
        Err(m) => {
            report.state = State::Malformed(format!("{}:{m}", path.display()));
            return report;
        }
    };
    report.other_servers = doc.server_names().iter().filter(|n| *n != name).count();
    let Some(entry) = doc.entry(name) else {
        report.state = State::Missing;
        return report;
    };
    report.holds_key = holds_secret(&entry);
    // (The key is looked up only for a direct entry: a bridge entry follows whatever it is.)
    report.kind = match canonical(&entry).get("command") {
        Some(_) => Some(EntryKind::Bridge),
        None => EntryKind::of(&entry, key.get_or_init(current_key).as_ref()),
    };
    report.state = assess(ctx, client, &entry, || key.get_or_init(current_key).clone());
    report
}

/// Whether an existing entry is what install would write now (DESIGN §4 "stale").
pub fn assess(
    ctx: &Ctx,
    client: ClientId,
    entry: &Value,
    current_key: impl FnOnce() -> Option<McpKey>,
) -> State {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let common = canonical(entry);
    if let Some(command) = s(&common, "command") {
        let args: Vec<String> = common
            .get("args")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        // A profile's entry selects it first: `--profile work mcp serve …`.
        let mut want = crate::key::profile::current().args();
        want.extend(["mcp".to_owned(), "serve".to_owned()]);
        if !args.starts_with(&want) {
            return State::Stale(format!(
                "its args are {args:?}, not {want:?} followed by flags"
            ));
        }
        if let Some(problem) = command_problem(&command) {
            return State::Stale(problem);
        }
        // The other fields we own (type, env_vars, timeouts) as install writes them now.
        let want = client
            .fields(&Form::Bridge {
                command: command.clone(),
                args: args.clone(),
            })
            .unwrap_or_default();
        return differing(entry, &want).map_or(State::Current, State::Stale);
    }
    if let Some(helper) = s(entry, "headersHelper") {
        // `<3minapi> [--profile P] auth header`, the program quoted when its path has spaces.
        let program = match helper.strip_prefix('\'') {
            Some(rest) => rest.split('\'').next().unwrap_or_default().to_owned(),
            None => helper.split(' ').next().unwrap_or_default().to_owned(),
        };
        let mut want_args = crate::key::profile::current().args();
        want_args.extend(["auth".to_owned(), "header".to_owned()]);
        if !helper.ends_with(&want_args.join(" ")) {
            return State::Stale(format!(
                "its headersHelper does not end in `{}`",
                want_args.join(" ")
            ));
        }
        if let Some(problem) = command_problem(&program) {
            return State::Stale(problem.replace("its command", "its headersHelper"));
        }
        let want = client.fields(&Form::DirectHelper {
            url: ctx.url.clone(),
            helper,
        });
        return match want {
            Ok(want) => differing(entry, &want).map_or(State::Current, State::Stale),
            Err(e) => State::Stale(e),
        };
    }
    let Some(key_text) = entry_key(entry).map(str::to_owned).or_else(|| {
        entry
            .get("env_http_headers")
            .and_then(|h| h.get("x-api-key"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    }) else {
        return State::Stale("it has neither a command nor an x-api-key header".into());
    };
    let from_env = !key_text.starts_with("tm_");
    let want = if from_env {
        client.fields(&Form::DirectFromEnv {
            url: ctx.url.clone(),
        })
    } else {
        match current_key() {
            Some(k) if k.expose() != key_text => {
                return State::Stale(format!(
                    "it holds a different key than the one in use ({k})"
                ));
            }
            _ => client.fields(&Form::Direct {
                url: ctx.url.clone(),
                key: key_text.clone(),
            }),
        }
    };
    match want {
        Ok(want) => differing(entry, &want).map_or(State::Current, State::Stale),
        Err(e) => State::Stale(e),
    }
}

/// The first owned field whose value differs, said without printing header values.
fn differing(entry: &Value, want: &Fields) -> Option<String> {
    want.iter().find_map(|(k, v)| {
        (entry.get(k) != Some(v)).then(|| match entry.get(k) {
            None => format!("it lacks `{k}`"),
            Some(_) if k.contains("headers") => format!("its `{k}` differ"),
            Some(cur) => format!("its `{k}` is {cur}, not {v}"),
        })
    })
}

/// Why the command of a bridge entry would not start this binary, if it would not.
fn command_problem(command: &str) -> Option<String> {
    let ours = std::env::current_exe().and_then(dunce::canonicalize).ok();
    let target = if Path::new(command).components().count() > 1 {
        match dunce::canonicalize(command) {
            Ok(p) => p,
            Err(_) => return Some(format!("its command {command} does not exist")),
        }
    } else {
        match fsx::on_path(command) {
            Some(p) => p,
            None => return Some(format!("its command `{command}` is not on PATH")),
        }
    };
    match ours {
        Some(ours) if ours != target => Some(format!(
            "its command runs {}, not this binary ({})",
            target.display(),
            ours.display()
        )),
        _ => None,
    }
}
