//! `3minapi doctor` (DESIGN §5): every check with a stable id, a status, one line saying what was
//! found, the command or step that fixes it, and how long it took. Network steps are bounded, so a
//! hanging server cannot make the run take more than about ten seconds.

mod online;
mod recent;

use super::Exit;
use crate::clients::{self, ClientId, FileReport, State};
use crate::key::store::{self, KeychainError};
use crate::key::{self, KEY_ENV, KEY_ORIGIN, KeyError, KeyLookup, KeySource, McpKey};
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::time::{Duration, Instant, SystemTime};

/// Per network step.
const STEP_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Skip,
    Warn,
    Fail,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Skip => "skip",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Status::Ok => "\x1b[32m",
            Status::Skip => "\x1b[2m",
            Status::Warn => "\x1b[33m",
            Status::Fail => "\x1b[31m",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub status: Status,
    pub message: String,
    pub hint: Option<String>,
    pub duration: Duration,
}

impl Check {
    fn json(&self) -> Value {
        json!({
            "id": self.id,
            "status": self.status.id(),
            "message": self.message,
            "hint": self.hint,
            "duration_ms": self.duration.as_millis() as u64,
        })
    }
}

/// Builds checks, timing each from the previous one.
struct Checks {
    list: Vec<Check>,
    since: Instant,
}

impl Checks {
    fn add(
        &mut self,
        id: impl Into<String>,
        status: Status,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let now = Instant::now();
        self.list.push(Check {
            id: id.into(),
            status,
            message: message.into(),
            hint,
            duration: now - self.since,
        });
        self.since = now;
    }

    /// Restarts the clock (for a check whose work happened elsewhere, e.g. on another thread).
    fn start(&mut self) {
        self.since = Instant::now();
    }
}

pub struct Options {
    pub json: bool,
    pub offline: bool,
    pub no_color: bool,
}

pub fn run(opts: &Options, server: &super::Server) -> anyhow::Result<Exit> {
    let url = server.url.as_str();
    // The keychain may hang for its whole timeout: ask it in parallel with the rest.
    let keychain_probe = std::thread::spawn(|| {
        let started = Instant::now();
        (store::keychain_get(store::SHORT_WAIT), started.elapsed())
    });
    let mut checks = Checks {
        list: Vec::new(),
        since: Instant::now(),
    };
    binary(&mut checks);
    let (keychain, keychain_took) = keychain_probe.join().unwrap_or((
        Err(KeychainError::Failed("the probe crashed".into())),
        Duration::ZERO,
    ));
    // Key resolution (env, keychain, file) with the probe's answer instead of asking twice.
    let lookup = key::resolve_with(|n| std::env::var(n).ok(), || keychain.clone(), |_| {});
    key_checks(&mut checks, &lookup, &keychain);
    checks.start();
    keychain_check(&mut checks, &lookup, &keychain, keychain_took);
    let key = match &lookup {
        KeyLookup::Found { key, .. } => Some(key.clone()),
        _ => None,
    };
    if opts.offline {
        for id in ["network", "upstream.era", "upstream.auth", "upstream.tools"] {
            checks.add(id, Status::Skip, "not checked (--offline)", None);
        }
    } else {
        online::online(&mut checks, server, key.as_ref())?;
    }
    let ctx = clients::Ctx::reading(url)?;
    checks.start();
    let reports = clients::survey(&ctx, &key::profile::current().entry_name());
    let reminders = config_checks(&mut checks, &reports);
    checks.start();
    let log = crate::log::file::default_path();
    let (status, message, hint) = recent::check(log.as_deref(), std::time::SystemTime::now());
    checks.add("bridge.recent", status, message, hint);

    let ok = checks.list.iter().all(|c| c.status != Status::Fail);
    if opts.json {
        let report = json!({
            "ok": ok,
            "checks": checks.list.iter().map(Check::json).collect::<Vec<_>>(),
            "reminders": reminders,
        });
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let colour = !opts.no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal();
        print_table(&checks.list, colour);
        for r in &reminders {
            crate::outln!("reminder: {r}");
        }
    }
    Ok(if ok { Exit::Success } else { Exit::Failure })
}

fn binary(checks: &mut Checks) {
    let version = env!("CARGO_PKG_VERSION");
    let exe = std::env::current_exe().and_then(dunce::canonicalize);
    let Ok(exe) = exe else {
        checks.add(
            "binary",
            Status::Warn,
            format!("3minapi {version}; cannot tell its own path"),
            None,
        );
        return;
    };
    match clients::first_on_path("3minapi") {
        Some(p) if p == exe => checks.add(
            "binary",
            Status::Ok,
            format!("3minapi {version} at {}, the one on PATH", exe.display()),
            None,
        ),
        Some(p) => checks.add(
            "binary",
            Status::Warn,
            format!(
                "3minapi {version} at {}, but the 3minapi on PATH is {}",
                exe.display(),
                p.display()
            ),
            Some("project config files name plain `3minapi`: install this one over the other (see the README), or remove the older one".into()),
        ),
        None => checks.add(
            "binary",
            Status::Warn,
            format!("3minapi {version} at {}, not on PATH", exe.display()),
            Some(format!(
                "add {} to PATH (user config entries name the binary by its full path and work anyway)",
                exe.parent().map_or_else(String::new, |d| d.display().to_string())
            )),
        ),
    }
}

fn key_checks(
    checks: &mut Checks,
    lookup: &KeyLookup,
    keychain: &Result<Option<String>, KeychainError>,
) {
    match lookup {
        KeyLookup::Found { source, .. } | KeyLookup::Refused { source, .. } => {
            let (status, hint) = match source {
                KeySource::File(_) => (
                    Status::Warn,
                    Some("the key sits in a plain file (--insecure-storage): on a machine with a keychain, run `3minapi auth login` to move it there".to_owned()),
                ),
                _ => (Status::Ok, None),
            };
            checks.add(
                "key.source",
                status,
                format!("the key comes from {source}"),
                hint,
            );
        }
        KeyLookup::Missing { .. } => {
            let why = match keychain {
                Err(e) => format!("{KEY_ENV} is unset and {e}"),
                Ok(_) => format!("{KEY_ENV} is unset and nothing is stored"),
            };
            checks.add(
                "key.source",
                Status::Fail,
                format!("no MCP key found: {why}"),
                Some(format!(
                    "run `3minapi auth login` with the tm_mcp_ key from {KEY_ORIGIN}"
                )),
            );
        }
    }
    match lookup {
        KeyLookup::Found { key, .. } => {
            checks.add("key.kind", Status::Ok, format!("{key} is an MCP key"), None)
        }
        KeyLookup::Refused { error, source } => {
            let what = match error {
                KeyError::Collaboration { prefix, kind } => format!(
                    "the key from {source} is a {prefix}… {kind} collaboration key, for callers of your endpoints: it never works for MCP"
                ),
                other => format!("the key from {source}: {other}"),
            };
            checks.add("key.kind", Status::Fail, what, Some(error.hint()));
        }
        KeyLookup::Missing { .. } => checks.add("key.kind", Status::Skip, "no key to check", None),
    }
}

fn keychain_check(
    checks: &mut Checks,
    lookup: &KeyLookup,
    keychain: &Result<Option<String>, KeychainError>,
    took: Duration,
) {
    let from_env = matches!(lookup.source(), Some(KeySource::Env));
    let (status, message, hint) = match keychain {
        Ok(Some(text)) => match McpKey::parse(text.trim()) {
            Ok(k) => (Status::Ok, format!("reachable, holds {k}"), None),
            Err(e) => (
                if from_env { Status::Warn } else { Status::Fail },
                format!(
                    "reachable, but what it holds is unusable: {e}{}",
                    if from_env {
                        format!(" ({KEY_ENV} is used instead)")
                    } else {
                        String::new()
                    }
                ),
                Some(e.hint()),
            ),
        },
        Ok(None) => (Status::Ok, "reachable, no key stored".to_owned(), None),
        Err(e) => {
            let status = if from_env || matches!(lookup.source(), Some(KeySource::File(_))) {
                Status::Warn
            } else {
                Status::Fail
            };
            (status, e.to_string(), Some(e.hint().to_owned()))
        }
    };
    checks.list.push(Check {
        id: "keychain".into(),
        status,
        message,
        hint,
        duration: took,
    });
}

/// One check per existing client file; returns the restart reminders.
fn config_checks(checks: &mut Checks, reports: &[FileReport]) -> Vec<String> {
    let mut restart: Vec<ClientId> = Vec::new();
    let recent = |r: &FileReport| {
        std::fs::metadata(&r.path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age < Duration::from_secs(24 * 3600))
    };
    for r in reports {
        if r.state == State::NoFile {
            continue;
        }
        let id = format!("config.{}.{}", r.client.id(), r.scope.id());
        let install = format!(
            "3minapi config install {} --scope {}",
            r.client.id(),
            r.scope.id()
        );
        let path = r.path.display();
        let (status, message, hint) = match &r.state {
            State::NoFile => unreachable!(),
            State::Malformed(detail) => (
                Status::Fail,
                format!("{detail} (the client may ignore this file silently)"),
                Some(format!(
                    "fix {path} by hand (3minapi never writes to a file it cannot parse), then `{install}`"
                )),
            ),
            State::Missing if r.other_servers > 0 => (
                Status::Warn,
                format!(
                    "{path}: {} other MCP server{}, but not 3minapi",
                    r.other_servers,
                    if r.other_servers == 1 { "" } else { "s" }
                ),
                Some(install.clone()),
            ),
            State::Missing => (
                Status::Skip,
                format!("{path}: no MCP servers"),
                Some(format!("to use 3minapi in {}: {install}", r.client.title())),
            ),
            State::Stale(why) => (
                Status::Warn,
                format!("{path}: the 3minapi entry is stale: {why}"),
                Some(install.clone()),
            ),
            State::Current if r.holds_key => (
                Status::Warn,
                format!("{path}: the MCP key sits in plain text in this file"),
                Some(format!(
                    "{install} (without --direct: the bridge reads the key from the keychain)"
                )),
            ),
            State::Current => (Status::Ok, format!("{path}: 3minapi is set up"), None),
        };
        let changed = r.state == State::Current && recent(r);
        if (status >= Status::Warn || changed) && !restart.contains(&r.client) {
            restart.push(r.client);
        }
        checks.add(id, status, message, hint);
    }
    restart
        .into_iter()
        .map(|c| format!("after a change to its config, fully quit and restart {} (a running client keeps the old one)", c.title()))
        .collect()
}

fn print_table(checks: &[Check], colour: bool) {
    let width = checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in checks {
        let status = format!("{:4}", c.status.id());
        let status = if colour {
            format!("{}{status}\x1b[0m", c.status.colour())
        } else {
            status
        };
        crate::outln!(
            "{status}  {:width$}  {}  ({} ms)",
            c.id,
            crate::log::sanitize(&c.message),
            c.duration.as_millis()
        );
        if let Some(h) = &c.hint {
            crate::outln!("{:4}  {:width$}  hint: {}", "", "", crate::log::sanitize(h));
        }
    }
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    crate::outln!(
        "{} ok, {} warning(s), {} failure(s), {} skipped",
        count(Status::Ok),
        count(Status::Warn),
        count(Status::Fail),
        count(Status::Skip)
    );
}
