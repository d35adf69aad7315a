//! `3minapi config install | uninstall | print | list` (DESIGN §4): our entry in each client's
//! config file, written without damaging anything else in it.

mod all;

use super::Exit;
use crate::cli::{ConfigCommand, EntryArgs, InstallArgs, ListArgs, PrintArgs, UninstallArgs};
use crate::clients::{
    ClientId, Ctx, Doc, Fields, Form, Places, Scope, State, fsx, mask_entry_keys, masked, survey,
};
use crate::clients::{current_key, holds_secret, refresh};
use crate::key::{self, McpKey};
use crate::upstream;
use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use std::path::PathBuf;

pub fn run(
    command: ConfigCommand,
    url: &str,
    url_flag: Option<&str>,
    ca_file: Option<&std::path::Path>,
) -> anyhow::Result<Exit> {
    let places = Places::from_env()?;
    // A bundle the bridge could not use is refused now, not when the client launches it.
    let ca_file_flag = match ca_file {
        Some(path) => {
            upstream::Trust::load_with(Some(path), |_| None)
                .map_err(|e| anyhow!("{e}; nothing was written\nhint: {}", e.hint()))?;
            Some(std::path::absolute(path)?)
        }
        None => None,
    };
    let ctx = Ctx {
        places,
        url: url.to_owned(),
        url_flag: url_flag.map(str::to_owned),
        ca_file_flag,
    };
    match command {
        ConfigCommand::Install(args) => install(&ctx, &args),
        ConfigCommand::Uninstall(args) => uninstall(&ctx, &args),
        ConfigCommand::Print(args) => print(&ctx, &args),
        ConfigCommand::List(args) => list(&ctx, &args),
        ConfigCommand::Refresh(args) => {
            let key = key::require(
                "cannot refresh the --direct entries: ",
                "there is no key to put into them",
            )?;
            Ok(report_refresh(&ctx, &key, args.dry_run))
        }
    }
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
        .and_then(dunce::canonicalize)
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
        let mut args = crate::key::profile::current().args();
        args.extend(["mcp".to_owned(), "serve".to_owned()]);
        args.extend(entry.filter.to_args());
        if let Some(url) = &ctx.url_flag {
            args.extend(["--url".to_owned(), url.clone()]);
        }
        if let Some(path) = &ctx.ca_file_flag {
            args.extend(["--ca-file".to_owned(), path.display().to_string()]);
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
    if entry.key_helper {
        let form = Form::DirectHelper {
            url: ctx.url.clone(),
            helper: helper_command()?,
        };
        client
            .fields(&form)
            .map_err(|e| anyhow!("{e}; nothing was written"))?;
        return Ok((form, None));
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

/// `<absolute 3minapi> [--profile P] auth header`, as Claude Code's shell runs it.
fn helper_command() -> anyhow::Result<String> {
    let (exe, _) = command_for(Scope::User, true)?;
    // Claude Code accepts printable ASCII only; a path with spaces is quoted for its shell.
    if !exe.chars().all(|c| c.is_ascii_graphic() || c == ' ') || exe.contains('\'') {
        bail!(
            "Claude Code's headersHelper must be printable ASCII, and the path of this binary is not: {exe}; nothing was written\nhint: install 3minapi under a plain path, or drop --key-helper"
        );
    }
    let mut words = vec![if exe.contains(' ') {
        format!("'{exe}'")
    } else {
        exe
    }];
    words.extend(key::profile::current().args());
    words.extend(["auth".to_owned(), "header".to_owned()]);
    Ok(words.join(" "))
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

fn parse(found: &fsx::Found, client: ClientId, scope: Scope, name: &str) -> anyhow::Result<Doc> {
    let text = found
        .existing
        .as_ref()
        .map_or(client.seed(scope), |e| e.text.as_str());
    let doc = Doc::parse(text, client.format(), client.servers_key(), name).map_err(|m| {
        anyhow!(
            "{}:{m}; the file was left untouched\nhint: fix the file (or move it aside) and run this again",
            found.path.display()
        )
    })?;
    // OpenCode's V2 layout keeps servers in `mcp.servers`: a second place for ours, never used.
    if client == ClientId::OpenCode
        && doc
            .entry("servers")
            .is_some_and(|e| e.is_object() && e.get("type").is_none())
    {
        bail!(
            "{}: its servers are in OpenCode's newer `mcp.servers` layout, which 3minapi does not write yet; the file was left untouched\nhint: add the entry `3minapi config print opencode` shows under \"mcp\".\"servers\" by hand",
            found.path.display()
        );
    }
    Ok(doc)
}

/// An edit the editor would not make, because it would have touched more than our entry.
fn edit_refused(path: &std::path::Path, why: &str) -> anyhow::Error {
    anyhow!(
        "{}: {why}; the file was left untouched\nhint: add the entry by hand (3minapi config print shows it), or report the file's layout as a bug",
        path.display()
    )
}

/// What install or uninstall did to one client's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Added,
    Updated,
    UpToDate,
    Removed,
    /// Uninstall: the file held nothing but what install had put there, and is gone.
    Deleted,
    NotThere,
    NoFile,
    DryRun,
}

impl Done {
    pub(super) fn changed(self) -> bool {
        matches!(
            self,
            Done::Added | Done::Updated | Done::Removed | Done::Deleted
        )
    }
}

fn install(ctx: &Ctx, args: &InstallArgs) -> anyhow::Result<Exit> {
    if args.target.all {
        return Ok(all::install(ctx, args));
    }
    let t = &args.target.entry;
    let Some(client) = t.client else {
        return usage(no_client("install"));
    };
    let scope = match check_scope(client, t.scope, args.entry.direct) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let path = target_path(ctx, client, scope, &args.target.file)?;
    install_one(ctx, client, scope, &path, args, true)?;
    Ok(Exit::Success)
}

fn no_client(verb: &str) -> String {
    format!(
        "name the client to {verb} (3minapi config {verb} <CLIENT>), or pass --all for every client on this machine"
    )
}

/// Installs our entry into one file. `loud`: say everything (one client); otherwise only
/// warnings, and the caller sums up.
pub(super) fn install_one(
    ctx: &Ctx,
    client: ClientId,
    scope: Scope,
    path: &std::path::Path,
    args: &InstallArgs,
    loud: bool,
) -> anyhow::Result<Done> {
    let t = &args.target.entry;
    let name = t.entry_name();
    let found = fsx::read(path)?;
    let mut doc = parse(&found, client, scope, &name)?;
    let mut warnings = Vec::new();
    let (form, key) = form_for(ctx, client, scope, &args.entry, &mut warnings)?;
    let fields = client.fields(&form).map_err(|e| anyhow!("{e}"))?;
    let secret = key.is_some();
    if secret && scope == Scope::Project && t.scope == Some(Scope::Project) {
        eprintln!(
            "warning: project files are usually committed; --direct puts the MCP key into {}",
            path.display()
        );
        if !args.force && fsx::git_ignored(path) != Some(true) {
            bail!(
                "refusing to write the key into {}, which git does not ignore; nothing was written\nhint: add it to .gitignore, pass --force, or drop --direct so the key stays in the keychain",
                path.display()
            );
        }
    }
    if client == ClientId::Gemini && name.contains('_') {
        warnings.push(format!(
            "Gemini CLI mis-reads tool names of servers whose name has an underscore; prefer --name {}",
            name.replace('_', "-")
        ));
    }
    if client == ClientId::Kiro && matches!(form, Form::DirectFromEnv { .. }) {
        warnings.push("Kiro expands only the variables you approve: approve THREEMINAPI_MCP_KEY when it asks (kiro-cli: list it in kiroAgent.mcpApprovedEnvVars)".into());
    }
    let old = found.existing.as_ref().map_or("", |e| e.text.as_str());
    let existed = doc.entry(&name).is_some();
    doc.upsert(&name, &fields, &client.owned_fields())
        .map_err(|e| edit_refused(path, &e))?;
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
        if loud {
            eprintln!("dry run: nothing was written");
        }
        return Ok(Done::DryRun);
    }
    if found.existing.is_some() && new == old {
        if secret && fsx::restrict(&found)? {
            eprintln!("{} holds the MCP key: its mode is now 0600", path.display());
        }
        if loud {
            eprintln!("{} in {} is already up to date", name, path.display());
        }
        return Ok(Done::UpToDate);
    }
    let written = fsx::write(&found, &new, secret, scope == Scope::User)?;
    let done = if existed { Done::Updated } else { Done::Added };
    if loud {
        eprintln!(
            "{} {} in {}",
            if existed { "updated" } else { "added" },
            name,
            path.display()
        );
    }
    if let Some(b) = written.backup {
        eprintln!(
            "the previous version of {} is saved as {}",
            path.display(),
            b.display()
        );
    }
    if let Some(k) = &key {
        eprintln!(
            "warning: the MCP key ({k}) now sits in plain text in {} (mode 0600); without --direct the entry runs the bridge and the key stays in the OS keychain",
            path.display()
        );
    }
    if loud {
        after_change(client, scope);
        suggest_claude_cli(client, scope, &name, &fields, key.as_ref());
    }
    Ok(done)
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
    if args.target.all {
        return Ok(all::uninstall(ctx, args));
    }
    let t = &args.target.entry;
    let Some(client) = t.client else {
        return usage(no_client("uninstall"));
    };
    let scope = match check_scope(client, t.scope, false) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let path = target_path(ctx, client, scope, &args.target.file)?;
    uninstall_one(client, scope, &path, args, true)?;
    Ok(Exit::Success)
}

/// Removes our entry from one file; `loud` as for [`install_one`].
pub(super) fn uninstall_one(
    client: ClientId,
    scope: Scope,
    path: &std::path::Path,
    args: &UninstallArgs,
    loud: bool,
) -> anyhow::Result<Done> {
    let name = args.target.entry.entry_name();
    let found = fsx::read(path)?;
    let Some(existing) = &found.existing else {
        if loud {
            eprintln!("{} does not exist; nothing to remove", path.display());
        }
        return Ok(Done::NoFile);
    };
    let mut doc = parse(&found, client, scope, &name)?;
    let secret = doc.entry(&name).is_some_and(|e| holds_secret(&e));
    if !doc.remove(&name).map_err(|e| edit_refused(path, &e))? {
        if loud {
            eprintln!(
                "no entry named {} in {}; nothing to remove",
                name,
                path.display()
            );
        }
        return Ok(Done::NotThere);
    }
    let new = doc.render();
    // A file install created from nothing (a Continue block file, OpenCode's seeded file) goes
    // when it holds nothing else.
    let ours_only = !client.seed(scope).is_empty() && new == leftover(client, scope, &name);
    if args.dry_run {
        let key = secret.then(current_key).flatten();
        let after = if ours_only { "" } else { new.as_str() };
        crate::out!(
            "{}",
            fsx::diff(
                &mask_entry_keys(&existing.text, key.as_ref()),
                &mask_entry_keys(after, key.as_ref()),
                &path.display().to_string()
            )
        );
        if loud {
            eprintln!("dry run: nothing was written");
        }
        return Ok(Done::DryRun);
    }
    if ours_only {
        fsx::writable(&found)?;
        std::fs::remove_file(&found.real)
            .with_context(|| format!("cannot remove {}", path.display()))?;
        if loud {
            eprintln!(
                "removed {} from {}, which held nothing else: the file is gone",
                name,
                path.display()
            );
            after_change(client, scope);
        }
        return Ok(Done::Deleted);
    }
    let written = fsx::write(&found, &new, false, scope == Scope::User)?;
    if loud {
        eprintln!("removed {} from {}", name, path.display());
    }
    if let Some(b) = written.backup {
        eprintln!(
            "the previous version of {} is saved as {}",
            path.display(),
            b.display()
        );
    }
    if loud {
        after_change(client, scope);
    }
    Ok(Done::Removed)
}

/// What a file install created from nothing holds once our entry is out again.
fn leftover(client: ClientId, scope: Scope, name: &str) -> String {
    let seed = client.seed(scope);
    let Ok(mut doc) = Doc::parse(seed, client.format(), client.servers_key(), name) else {
        return String::new();
    };
    let form = Form::Bridge {
        command: "3minapi".into(),
        args: Vec::new(),
    };
    let fields = client.fields(&form).unwrap_or_default();
    if doc.upsert(name, &fields, &[]).is_err() || doc.remove(name).is_err() {
        return String::new();
    }
    doc.render()
}

fn print(ctx: &Ctx, args: &PrintArgs) -> anyhow::Result<Exit> {
    let Some(client) = args.target.client else {
        return usage(
            "name the client whose entry to print (3minapi config print <CLIENT>)".into(),
        );
    };
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
    let name = &args.target.entry_name();
    let mut doc = Doc::parse(
        client.seed(scope),
        client.format(),
        client.servers_key(),
        name,
    )
    .map_err(|m| anyhow!("{m}"))?;
    doc.upsert(name, &fields, &[]).map_err(|e| anyhow!("{e}"))?;
    crate::out!("{}", masked(&doc.render(), key.as_ref()));
    Ok(Exit::Success)
}

fn list(ctx: &Ctx, args: &ListArgs) -> anyhow::Result<Exit> {
    let reports = survey(ctx, &args.entry_name());
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

/// `config refresh`: one line per file changed (or that would be), failed files named again at
/// the end; exit 1 when any failed. The others are refreshed all the same.
pub fn report_refresh(ctx: &Ctx, key: &McpKey, dry_run: bool) -> Exit {
    let name = key::profile::current().entry_name();
    let results = refresh(ctx, &name, key, dry_run);
    let mut failed = Vec::new();
    for r in &results {
        let what = format!("{} ({}, {})", r.path.display(), r.client.id(), r.scope.id());
        match &r.outcome {
            Ok(_) if dry_run => eprintln!("would put {key} into {what}"),
            Ok(backup) => {
                eprintln!("put {key} into {what}");
                if let Some(b) = backup {
                    eprintln!("  the previous version is saved as {}", b.display());
                }
            }
            Err(e) => {
                eprintln!("failed: {what}: {e}");
                failed.push(r.path.display().to_string());
            }
        }
    }
    if results.is_empty() {
        eprintln!("every --direct entry already holds the key in use ({key}); nothing to change");
    } else if dry_run {
        eprintln!("dry run: nothing was written");
    } else if failed.len() < results.len() {
        let mut restart: Vec<ClientId> = Vec::new();
        for r in results.iter().filter(|r| r.outcome.is_ok()) {
            if !restart.contains(&r.client) {
                restart.push(r.client);
            }
        }
        for client in restart {
            eprintln!(
                "next: fully restart {} so it reads the new key",
                client.title()
            );
        }
    }
    if failed.is_empty() {
        Exit::Success
    } else {
        eprintln!("error: not refreshed: {}", failed.join(", "));
        Exit::Failure
    }
}
