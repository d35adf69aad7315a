//! `3minapi config install | uninstall | print | list` (DESIGN §4): our entry in each client's
//! config file, written without damaging anything else in it.

mod clients;
mod doc;
mod fsx;

pub use clients::{ClientId, Fields, Form, Format, Places, Scope};
pub use doc::{Doc, Malformed};
pub use fsx::on_path as first_on_path;

use crate::Exit;
use crate::cli::{ConfigCommand, EntryArgs, InstallArgs, ListArgs, PrintArgs, UninstallArgs};
use crate::key::{self, KeyLookup, McpKey};
use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub fn run(command: ConfigCommand, url: &str, url_flag: Option<&str>) -> anyhow::Result<Exit> {
    let places = Places::from_env()?;
    let ctx = Ctx {
        places,
        url: url.to_owned(),
        url_flag: url_flag.map(str::to_owned),
    };
    match command {
        ConfigCommand::Install(args) => install(&ctx, &args),
        ConfigCommand::Uninstall(args) => uninstall(&ctx, &args),
        ConfigCommand::Print(args) => print(&ctx, &args),
        ConfigCommand::List(args) => list(&ctx, &args),
    }
}

/// What every subcommand needs to know about this machine and invocation.
pub struct Ctx {
    pub places: Places,
    /// The upstream URL in use (for `--direct` entries).
    pub url: String,
    /// `--url` as given on the command line: written into bridge entries so they reach the same server.
    pub url_flag: Option<String>,
}

/// A scope the client does not have is a usage error, reported the way clap reports them.
fn usage(message: String) -> anyhow::Result<Exit> {
    eprintln!("error: {message}");
    Ok(Exit::Usage)
}

fn check_scope(client: ClientId, scope: Option<Scope>, direct: bool) -> Result<Scope, String> {
    match scope {
        Some(Scope::Project) if !client.has_project_scope() => Err(format!(
            "{} has no project config file; drop --scope project (its file is per user)",
            client.title()
        )),
        Some(s) => Ok(s),
        // A key in a file belongs in the user's own file, not in one a team commits.
        None if direct => Ok(Scope::User),
        None => Ok(client.default_scope()),
    }
}

/// The binary as a client should launch it, and a warning when that ties the file to this machine.
fn command_for(scope: Scope, absolute: bool) -> anyhow::Result<(String, Option<String>)> {
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .context("cannot find the path of this binary")?;
    let exe_text = exe
        .to_str()
        .ok_or_else(|| {
            anyhow!(
                "the path of this binary is not UTF-8: {}\nhint: install 3minapi under a UTF-8 path",
                exe.display()
            )
        })?
        .to_owned();
    if scope == Scope::User || absolute {
        return Ok((exe_text, None));
    }
    if fsx::on_path("3minapi").as_deref() == Some(exe.as_path()) {
        return Ok(("3minapi".to_owned(), None));
    }
    Ok((
        exe_text.clone(),
        Some(format!(
            "this binary is not the 3minapi on PATH, so the project file names it by its path on this machine ({exe_text}), which teammates will not have; install it on PATH (see the README) and run this again for a portable entry"
        )),
    ))
}

/// The form of the entry and the key it carries (for masking), from the flags.
fn form_for(
    ctx: &Ctx,
    client: ClientId,
    scope: Scope,
    entry: &EntryArgs,
    warnings: &mut Vec<String>,
) -> anyhow::Result<(Form, Option<McpKey>)> {
    if !entry.direct {
        let (command, warning) = command_for(scope, entry.absolute_path)?;
        warnings.extend(warning);
        let mut args = vec!["mcp".to_owned(), "serve".to_owned()];
        args.extend(entry.filter.to_args());
        if let Some(url) = &ctx.url_flag {
            args.extend(["--url".to_owned(), url.clone()]);
        }
        return Ok((Form::Bridge { command, args }, None));
    }
    let filter_args = entry.filter.to_args();
    if !filter_args.is_empty() {
        bail!(
            "{} filter tool calls in the bridge, and a --direct entry connects without it; nothing was written\nhint: drop --direct to keep the filter",
            filter_args
                .iter()
                .filter(|a| a.starts_with("--"))
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // Refuse what the client cannot use before looking for a key.
    client
        .fields(&Form::DirectFromEnv {
            url: ctx.url.clone(),
        })
        .or_else(|e| {
            if entry.from_env {
                Err(e)
            } else {
                client.fields(&Form::Direct {
                    url: String::new(),
                    key: String::new(),
                })
            }
        })
        .map_err(|e| anyhow!("{e}; nothing was written"))?;
    if entry.from_env {
        return Ok((
            Form::DirectFromEnv {
                url: ctx.url.clone(),
            },
            None,
        ));
    }
    let key = key::require(
        "--direct writes the key into the file, and ",
        "nothing was written",
    )?;
    Ok((
        Form::Direct {
            url: ctx.url.clone(),
            key: key.expose().to_owned(),
        },
        Some(key),
    ))
}

/// Text for the screen: the key, wherever it appears, in its masked form.
fn masked(text: &str, key: Option<&McpKey>) -> String {
    match key {
        Some(k) => text.replace(k.expose(), &k.masked()),
        None => text.to_owned(),
    }
}

fn target_path(
    ctx: &Ctx,
    client: ClientId,
    scope: Scope,
    file: &Option<PathBuf>,
) -> anyhow::Result<PathBuf> {
    match file {
        Some(f) => Ok(f.clone()),
        None => client.path(scope, &ctx.places).ok_or_else(|| {
            anyhow!(
                "{} has no {} config file\nhint: pass --file PATH",
                client.title(),
                scope.id()
            )
        }),
    }
}

fn parse(found: &fsx::Found, client: ClientId, name: &str) -> anyhow::Result<Doc> {
    let text = found.existing.as_ref().map_or("", |e| e.text.as_str());
    Doc::parse(text, client.format(), client.servers_key(), name).map_err(|m| {
        anyhow!(
            "{}:{m}; the file was left untouched\nhint: fix the file (or move it aside) and run this again",
            found.path.display()
        )
    })
}

fn install(ctx: &Ctx, args: &InstallArgs) -> anyhow::Result<Exit> {
    let t = &args.target.entry;
    let file = &args.target.file;
    let client = t.client;
    let scope = match check_scope(client, t.scope, args.entry.direct) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let path = target_path(ctx, client, scope, file)?;
    let found = fsx::read(&path)?;
    let mut doc = parse(&found, client, &t.name)?;
    let mut warnings = Vec::new();
    let (form, key) = form_for(ctx, client, scope, &args.entry, &mut warnings)?;
    let fields = client.fields(&form).map_err(|e| anyhow!("{e}"))?;
    let secret = key.is_some();
    if secret && scope == Scope::Project && t.scope == Some(Scope::Project) {
        eprintln!(
            "warning: project files are usually committed; --direct puts the MCP key into {}",
            path.display()
        );
        if !args.force && fsx::git_ignored(&path) != Some(true) {
            bail!(
                "refusing to write the key into {}, which git does not ignore; nothing was written\nhint: add it to .gitignore, pass --force, or drop --direct so the key stays in the keychain",
                path.display()
            );
        }
    }
    if client == ClientId::Gemini && t.name.contains('_') {
        warnings.push(format!(
            "Gemini CLI mis-reads tool names of servers whose name has an underscore; prefer --name {}",
            t.name.replace('_', "-")
        ));
    }
    let old = found.existing.as_ref().map_or("", |e| e.text.as_str());
    let existed = doc.entry(&t.name).is_some();
    doc.upsert(&t.name, &fields, &client.owned_fields());
    let new = doc.render();
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if args.dry_run {
        crate::out!(
            "{}",
            fsx::diff(
                &masked(old, key.as_ref()),
                &masked(&new, key.as_ref()),
                &path.display().to_string()
            )
        );
        eprintln!("dry run: nothing was written");
        return Ok(Exit::Success);
    }
    if found.existing.is_some() && new == old {
        if secret && fsx::restrict(&found)? {
            eprintln!("{} holds the MCP key: its mode is now 0600", path.display());
        }
        eprintln!("{} in {} is already up to date", t.name, path.display());
        return Ok(Exit::Success);
    }
    let written = fsx::write(&found, &new, secret, scope == Scope::User)?;
    eprintln!(
        "{} {} in {}",
        if existed { "updated" } else { "added" },
        t.name,
        path.display()
    );
    if let Some(b) = written.backup {
        eprintln!("the previous version is saved as {}", b.display());
    }
    if let Some(k) = &key {
        eprintln!(
            "warning: the MCP key ({k}) now sits in plain text in {} (mode 0600); without --direct the entry runs the bridge and the key stays in the OS keychain",
            path.display()
        );
    }
    after_change(client, scope);
    suggest_claude_cli(client, scope, &t.name, &fields, key.as_ref());
    Ok(Exit::Success)
}

fn after_change(client: ClientId, scope: Scope) {
    for step in client.next_steps(scope) {
        eprintln!("next: {step}");
    }
    if client == ClientId::ClaudeCode && scope == Scope::User {
        eprintln!(
            "note: a running Claude Code rewrites ~/.claude.json and can drop this change: quit Claude Code first, then run this again if it was running"
        );
    }
}

/// With the `claude` CLI at hand, Claude Code can write its own file (safe while it runs).
fn suggest_claude_cli(
    client: ClientId,
    scope: Scope,
    name: &str,
    fields: &Fields,
    key: Option<&McpKey>,
) {
    if client != ClientId::ClaudeCode || scope != Scope::User || fsx::on_path("claude").is_none() {
        return;
    }
    let entry: serde_json::Map<String, Value> = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    eprintln!(
        "note: or let Claude Code write it itself: claude mcp add-json --scope user {name} '{}'",
        masked(&Value::Object(entry).to_string(), key)
    );
}

fn uninstall(ctx: &Ctx, args: &UninstallArgs) -> anyhow::Result<Exit> {
    let t = &args.target.entry;
    let file = &args.target.file;
    let client = t.client;
    let scope = match check_scope(client, t.scope, false) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let path = target_path(ctx, client, scope, file)?;
    let found = fsx::read(&path)?;
    let Some(existing) = &found.existing else {
        eprintln!("{} does not exist; nothing to remove", path.display());
        return Ok(Exit::Success);
    };
    let mut doc = parse(&found, client, &t.name)?;
    let secret = doc.entry(&t.name).is_some_and(|e| holds_secret(&e));
    if !doc.remove(&t.name) {
        eprintln!(
            "no entry named {} in {}; nothing to remove",
            t.name,
            path.display()
        );
        return Ok(Exit::Success);
    }
    let new = doc.render();
    if args.dry_run {
        let key = secret.then(current_key).flatten();
        crate::out!(
            "{}",
            fsx::diff(
                &mask_entry_keys(&existing.text, key.as_ref()),
                &mask_entry_keys(&new, key.as_ref()),
                &path.display().to_string()
            )
        );
        eprintln!("dry run: nothing was written");
        return Ok(Exit::Success);
    }
    let written = fsx::write(&found, &new, false, scope == Scope::User)?;
    eprintln!("removed {} from {}", t.name, path.display());
    if let Some(b) = written.backup {
        eprintln!("the previous version is saved as {}", b.display());
    }
    after_change(client, scope);
    Ok(Exit::Success)
}

/// Whether an entry carries a key in plain text anywhere (a `--direct` header, an `env` block…).
fn holds_secret(entry: &Value) -> bool {
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
    ["headers", "http_headers"].iter().find_map(|h| {
        entry.get(h)?.as_object()?.iter().find_map(|(name, v)| {
            name.eq_ignore_ascii_case("x-api-key")
                .then(|| v.as_str())
                .flatten()
        })
    })
}

fn current_key() -> Option<McpKey> {
    match key::resolve(
        |name| std::env::var(name).ok(),
        Some(crate::store::SHORT_WAIT),
        |_| {},
    ) {
        KeyLookup::Found { key, .. } => Some(key),
        _ => None,
    }
}

/// Masks every `tm_…` key in a text shown on screen, also ones that differ from the current key.
fn mask_entry_keys(text: &str, current: Option<&McpKey>) -> String {
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

fn print(ctx: &Ctx, args: &PrintArgs) -> anyhow::Result<Exit> {
    let client = args.target.client;
    let scope = match check_scope(client, args.target.scope, args.entry.direct) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let mut warnings = Vec::new();
    let (form, key) = form_for(ctx, client, scope, &args.entry, &mut warnings)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let fields = client.fields(&form).map_err(|e| anyhow!("{e}"))?;
    let name = &args.target.name;
    let mut doc =
        Doc::parse("", client.format(), client.servers_key(), name).map_err(|m| anyhow!("{m}"))?;
    doc.upsert(name, &fields, &[]);
    crate::out!("{}", masked(&doc.render(), key.as_ref()));
    Ok(Exit::Success)
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
    if let Some(command) = s(entry, "command") {
        let args: Vec<String> = entry
            .get("args")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if args.get(..2) != Some(&["mcp".to_owned(), "serve".to_owned()][..]) {
            return State::Stale(format!(
                "its args are {args:?}, not [\"mcp\", \"serve\", …]"
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
    let ours = std::env::current_exe().and_then(|p| p.canonicalize()).ok();
    let target = if Path::new(command).components().count() > 1 {
        match Path::new(command).canonicalize() {
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

fn list(ctx: &Ctx, args: &ListArgs) -> anyhow::Result<Exit> {
    let reports = survey(ctx, &args.name);
    if args.json {
        let files: Vec<Value> = reports
            .iter()
            .map(|r| {
                json!({
                    "client": r.client.id(),
                    "scope": r.scope.id(),
                    "path": r.path,
                    "exists": r.state != State::NoFile,
                    "state": r.state.id(),
                    "detail": r.state.detail(),
                    "other_servers": r.other_servers,
                    "holds_key": r.holds_key,
                })
            })
            .collect();
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&json!({ "files": files }))?
        );
        return Ok(Exit::Success);
    }
    let width = reports
        .iter()
        .map(|r| r.client.id().len() + r.scope.id().len() + 1)
        .max()
        .unwrap_or(0);
    for r in &reports {
        let label = format!("{}/{}", r.client.id(), r.scope.id());
        let mut notes = Vec::new();
        if r.state == State::Missing && r.other_servers > 0 {
            notes.push(format!(
                "{} other server{} configured",
                r.other_servers,
                if r.other_servers == 1 { "" } else { "s" }
            ));
        }
        if r.holds_key {
            notes.push("the MCP key sits in this file".into());
        }
        notes.extend(r.state.detail().map(str::to_owned));
        crate::outln!("{label:width$}  {:9}  {}", r.state.id(), r.path.display());
        for note in notes {
            crate::outln!("{:width$}  {:9}  {note}", "", "");
        }
    }
    Ok(Exit::Success)
}
