//! `3minapi auth login | status | logout`: the key manager.

use super::{Exit, Server};
use crate::cli::{LoginArgs, StatusArgs};
use crate::clients;
use crate::key::store::{self, KeychainError};
use crate::key::{self, KEY_ENV, KEY_ORIGIN, KeyLookup, KeySource, McpKey};
use crate::upstream::client::{CallError, Client, Connected};
use crate::upstream::{self, RelayError, Trust};
use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use std::io::{BufRead, IsTerminal};
use std::time::{Duration, Instant};

/// How long `auth login` and `auth status` wait for the server.
const VERIFY_TIMEOUT: Duration = Duration::from_secs(15);

/// What a user pasted, cleaned: whitespace, a copied `x-api-key:` header name, quotes.
pub fn normalize(raw: &str) -> String {
    let mut text = raw.trim();
    if text.len() >= 10 && text[..10].eq_ignore_ascii_case("x-api-key:") {
        text = text[10..].trim();
    }
    for q in ['"', '\''] {
        if text.len() >= 2 && text.starts_with(q) && text.ends_with(q) {
            text = text[1..text.len() - 1].trim();
        }
    }
    text.to_owned()
}

fn read_key(with_key: bool) -> anyhow::Result<String> {
    if with_key {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the key from stdin")?;
        return Ok(line);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "no terminal to ask for the key on\nhint: pipe it in with `3minapi auth login --with-key`"
        );
    }
    eprintln!(
        "Paste your MCP key. It starts with tm_mcp_ and is generated under {KEY_ORIGIN} (shown once)."
    );
    dialoguer::Password::new()
        .with_prompt("MCP key")
        .allow_empty_password(true)
        .interact()
        .context("cannot read the key from the terminal")
}

pub fn login(args: &LoginArgs, server: &Server) -> anyhow::Result<Exit> {
    let text = normalize(&read_key(args.with_key)?);
    if text.is_empty() {
        bail!("no key was given; nothing was stored\nhint: generate one under {KEY_ORIGIN}");
    }
    let key =
        McpKey::parse(&text).map_err(|e| anyhow!("{e}; nothing was stored\nhint: {}", e.hint()))?;
    if args.no_verify {
        eprintln!("not verified with the server (--no-verify)");
    } else {
        let connected = verify(server, &key)?;
        eprintln!(
            "the server accepts {key} (MCP {}{})",
            connected.era.version(),
            connected
                .server_name
                .map(|n| format!(", {n}"))
                .unwrap_or_default()
        );
    }
    if args.insecure_storage {
        let path = store::file_set(&key)
            .context("cannot write the credentials file; nothing was stored")?;
        eprintln!(
            "warning: stored {key} in plain text in {} (mode 0600): anyone who can read that file can use your account",
            path.display()
        );
        // The keychain comes first when keys are looked up: an older key there would win.
        match store::keychain_delete(store::SHORT_WAIT) {
            Ok(true) => eprintln!("removed the older key from {}", KeySource::Keychain),
            Ok(false) | Err(KeychainError::Unavailable(_)) => {}
            Err(e) => eprintln!(
                "warning: an older key may remain in the OS keychain and would be used first: {e}"
            ),
        }
    } else {
        store::keychain_set(&key, store::LONG_WAIT).map_err(|e| {
            let hint = match e {
                KeychainError::Unavailable(_) => e.hint().to_owned(),
                _ => format!("{}; on a machine without a keychain, use `3minapi auth login --insecure-storage`", e.hint()),
            };
            anyhow!("cannot store the key: {e}; nothing was stored\nhint: {hint}")
        })?;
        eprintln!("stored {key} in {}", KeySource::Keychain);
        // A key left in plain text by an earlier --insecure-storage login is stale now.
        if let Ok(Some(path)) = store::file_delete() {
            eprintln!("removed the older plain-text key file {}", path.display());
        }
    }
    if let Err(e) = store::note_profile(true) {
        eprintln!("warning: cannot add the profile to the list `auth list` reads: {e}");
    }
    if std::env::var(KEY_ENV).is_ok_and(|v| !key::is_unexpanded_or_empty(&v)) {
        eprintln!(
            "note: {KEY_ENV} is set in this environment and takes precedence over the stored key"
        );
    }
    update_configs(args, server, &key)
}

/// After a login: the `--direct` entries holding an older key get the new one with
/// `--update-configs`, or when the person at the terminal says yes; elsewhere they are named,
/// with the command, and nothing changes.
fn update_configs(args: &LoginArgs, server: &Server, key: &McpKey) -> anyhow::Result<Exit> {
    let ctx = clients::Ctx::reading(&server.url)?;
    let name = key::profile::current().entry_name();
    let stale = clients::refresh(&ctx, &name, key, true);
    if stale.is_empty() {
        return Ok(Exit::Success);
    }
    let files: Vec<String> = stale.iter().map(|r| r.path.display().to_string()).collect();
    let ask =
        !args.update_configs && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let go = args.update_configs
        || (ask
            && dialoguer::Confirm::new()
                .with_prompt(format!(
                    "{} --direct entr{} still hold{} an older key ({}). Put {key} there?",
                    files.len(),
                    if files.len() == 1 { "y" } else { "ies" },
                    if files.len() == 1 { "s" } else { "" },
                    files.join(", ")
                ))
                .default(true)
                .interact()
                .unwrap_or(false));
    if go {
        return Ok(super::config::report_refresh(&ctx, key, false));
    }
    eprintln!(
        "note: these --direct entries still hold an older key: {}\nhint: run `3minapi config refresh` (or `auth login --update-configs` next time)",
        files.join(", ")
    );
    Ok(Exit::Success)
}

/// Asks the server whether it accepts the key (in whichever era it speaks).
fn verify(server: &Server, key: &McpKey) -> anyhow::Result<Connected> {
    let url = upstream::check_url(&server.url)
        .map_err(|e| anyhow!("{e}\nhint: fix --url or THREEMINAPI_URL"))?;
    let trust = server.trust()?;
    let outcome = runtime()?.block_on(probe(url.clone(), key, trust));
    match outcome {
        Ok(c) => Ok(c),
        Err(Probe::Refused(status)) => bail!(
            "the server does not accept this key (HTTP {status}): regenerated or deleted?; nothing was stored\nhint: generate a new key under {KEY_ORIGIN} and run `3minapi auth login` again"
        ),
        Err(Probe::Untrusted(r)) => bail!(
            "cannot verify the key with {url}: {r}; nothing was stored\nhint: {}",
            r.hint()
        ),
        Err(other) => bail!(
            "cannot verify the key with {url}: {other}; nothing was stored\nhint: check the network, or store it without asking the server: `3minapi auth login --no-verify`"
        ),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Why a probe did not get the key accepted.
#[derive(Debug, thiserror::Error)]
pub enum Probe {
    #[error("the server refused the key (HTTP {0})")]
    Refused(u16),
    #[error("{0}")]
    Failed(String),
    /// The server's certificate is not trusted here.
    #[error("{0}")]
    Untrusted(RelayError),
    #[error("no answer within {} s", VERIFY_TIMEOUT.as_secs())]
    Timeout,
}

/// One connection attempt, bounded, closed afterwards.
pub async fn probe(url: reqwest::Url, key: &McpKey, trust: &Trust) -> Result<Connected, Probe> {
    let mut client = Client::new(url, key, trust).map_err(|e| Probe::Failed(e.to_string()))?;
    let outcome = tokio::time::timeout(VERIFY_TIMEOUT, client.connect()).await;
    let result = match outcome {
        Err(_) => Err(Probe::Timeout),
        Ok(Ok(c)) => Ok(c),
        Ok(Err(CallError::Relay(RelayError::KeyRefused { status, .. }))) => {
            Err(Probe::Refused(status))
        }
        Ok(Err(CallError::Relay(r @ RelayError::Untrusted { .. }))) => Err(Probe::Untrusted(r)),
        Ok(Err(e)) => Err(Probe::Failed(e.to_string())),
    };
    let _ = tokio::time::timeout(Duration::from_secs(3), client.close()).await;
    result
}

pub fn status(args: &StatusArgs, server: &Server) -> anyhow::Result<Exit> {
    let url = server.url.as_str();
    let mut warnings = Vec::new();
    let lookup = key::resolve(
        |n| std::env::var(n).ok(),
        Some(store::SHORT_WAIT),
        |w| warnings.push(w),
    );
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    // Whether the keychain answers, whichever source won.
    let keychain: Result<bool, KeychainError> = match &lookup {
        KeyLookup::Found {
            source: KeySource::Keychain,
            ..
        }
        | KeyLookup::Refused {
            source: KeySource::Keychain,
            ..
        } => Ok(true),
        KeyLookup::Missing { keychain: Some(e) } => Err(e.clone()),
        _ => store::keychain_get(store::SHORT_WAIT).map(|k| k.is_some()),
    };
    let key = match &lookup {
        KeyLookup::Found { key, .. } => Some(key.clone()),
        _ => None,
    };
    let checked_url = upstream::check_url(url);
    let mut upstream_report = json!({"url": url, "checked": false, "accepted": null, "era": null, "version": null, "versions": [], "error": null, "ms": null});
    let mut accepted = None;
    if let (Some(key), false) = (&key, args.offline) {
        upstream_report["checked"] = true.into();
        match (&checked_url, &server.trust) {
            (Err(e), _) => upstream_report["error"] = e.clone().into(),
            (Ok(_), Err(e)) => upstream_report["error"] = format!("{e}; {}", e.hint()).into(),
            (Ok(u), Ok(trust)) => {
                let started = Instant::now();
                let outcome = runtime()?.block_on(probe(u.clone(), key, trust));
                upstream_report["ms"] = (started.elapsed().as_millis() as u64).into();
                match outcome {
                    Ok(c) => {
                        accepted = Some(true);
                        upstream_report["accepted"] = true.into();
                        upstream_report["era"] = c.era.id().into();
                        upstream_report["version"] = c.era.version().into();
                        upstream_report["versions"] = c.versions.clone().into();
                    }
                    Err(Probe::Refused(status)) => {
                        accepted = Some(false);
                        upstream_report["accepted"] = false.into();
                        upstream_report["error"] = format!(
                            "the server refused the key (HTTP {status}): regenerated or deleted?"
                        )
                        .into();
                    }
                    Err(e) => upstream_report["error"] = e.to_string().into(),
                }
            }
        }
    }
    let ok = key.is_some() && (args.offline || accepted == Some(true));
    // The environment's key wins for every profile, over what the profile has stored.
    let overrides_stored = matches!(lookup.source(), Some(KeySource::Env))
        && keychain.as_ref().is_ok_and(|held| *held);
    let entries = entries(server)?;
    let report = json!({
        "ok": ok,
        "profile": key::profile::current().name(),
        "entries": entries,
        "key": {
            "masked": key.as_ref().map(|k| k.masked()),
            "source": lookup.source().map(|s| s.id()),
            "problem": lookup.problem(),
            "overrides_stored": overrides_stored,
        },
        "keychain": {
            "reachable": keychain.is_ok(),
            "holds_key": keychain.as_ref().ok().copied(),
            "error": keychain.as_ref().err().map(|e| e.to_string()),
        },
        "upstream": upstream_report,
    });
    if args.json {
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_status(&lookup, &keychain, &report);
    }
    if !ok {
        if let Some(problem) = lookup.problem() {
            eprintln!("error: {problem}\nhint: {}", lookup.hint());
        } else if accepted == Some(false) {
            eprintln!(
                "error: the server refused the key\nhint: generate a new key under {KEY_ORIGIN}, then run `3minapi auth login`"
            );
        } else if let Some(e) = report["upstream"]["error"].as_str() {
            eprintln!(
                "error: cannot check the key with the server: {e}\nhint: check the network, or run `3minapi auth status --offline`"
            );
        }
    }
    Ok(if ok { Exit::Success } else { Exit::Failure })
}

/// Every client entry of this profile found on this machine, with how it gets its key.
fn entries(server: &Server) -> anyhow::Result<Vec<Value>> {
    let ctx = clients::Ctx::reading(&server.url)?;
    let name = key::profile::current().entry_name();
    Ok(clients::survey(&ctx, &name)
        .into_iter()
        .filter_map(|r| {
            Some(json!({
                "client": r.client.id(),
                "scope": r.scope.id(),
                "path": r.path.display().to_string(),
                "state": r.kind?.id(),
            }))
        })
        .collect())
}

fn print_status(
    lookup: &KeyLookup,
    keychain: &Result<bool, KeychainError>,
    report: &serde_json::Value,
) {
    let key_line = match lookup {
        KeyLookup::Found { key, source } => format!("{key} from {source}"),
        KeyLookup::Refused { source, .. } => format!("unusable key from {source}"),
        KeyLookup::Missing { .. } => "none".to_owned(),
    };
    if let Some(name) = key::profile::current().name() {
        crate::outln!("profile:  {name}");
    }
    crate::outln!("key:      {key_line}");
    if report["key"]["overrides_stored"] == true {
        crate::outln!(
            "          ({KEY_ENV} overrides the key stored for profile {})",
            key::profile::current().label()
        );
    }
    match keychain {
        Ok(true) => crate::outln!("keychain: reachable, holds a key"),
        Ok(false) => crate::outln!("keychain: reachable, no key stored"),
        Err(e) => crate::outln!("keychain: {e}"),
    }
    let up = &report["upstream"];
    let url = up["url"].as_str().unwrap_or_default();
    let line = if up["checked"] != true {
        "not checked".to_owned()
    } else if up["accepted"] == true {
        format!(
            "{url} accepts the key (MCP {}, {} ms)",
            up["version"].as_str().unwrap_or("?"),
            up["ms"]
        )
    } else {
        format!("{url}: {}", up["error"].as_str().unwrap_or("not accepted"))
    };
    crate::outln!("server:   {line}");
    for e in report["entries"].as_array().into_iter().flatten() {
        let state = match e["state"].as_str().unwrap_or_default() {
            "bridge" => "runs the bridge (follows the key)",
            "direct-current" => "holds the key in use",
            "direct-stale" => "holds an older key: run `3minapi config refresh`",
            "direct-helper" => "asks `3minapi auth header` for the key (follows the key)",
            _ => "reads the key from a variable the client fills in",
        };
        crate::outln!(
            "entry:    {} ({}) {}: {state}",
            e["client"].as_str().unwrap_or_default(),
            e["scope"].as_str().unwrap_or_default(),
            e["path"].as_str().unwrap_or_default()
        );
    }
}

pub fn logout() -> anyhow::Result<Exit> {
    let mut removed = Vec::new();
    let keychain = store::keychain_delete(store::LONG_WAIT);
    if let Ok(true) = keychain {
        removed.push(KeySource::Keychain.to_string());
    }
    match store::file_delete() {
        Ok(Some(path)) => removed.push(KeySource::File(path).to_string()),
        Ok(None) => {}
        Err(e) => bail!("cannot remove the credentials file: {e}\nhint: delete it by hand"),
    }
    if removed.is_empty() {
        eprintln!(
            "no stored key to remove (profile {})",
            key::profile::current().label()
        );
    } else {
        for place in &removed {
            eprintln!("removed the key from {place}");
        }
        eprintln!(
            "the key itself stays valid on the server until you regenerate or delete it under {KEY_ORIGIN}"
        );
    }
    if std::env::var(KEY_ENV).is_ok_and(|v| !key::is_unexpanded_or_empty(&v)) {
        eprintln!("note: {KEY_ENV} is still set in this environment");
    }
    if keychain.is_ok()
        && let Err(e) = store::note_profile(false)
    {
        eprintln!("warning: cannot remove the profile from the list `auth list` reads: {e}");
    }
    match keychain {
        // No keychain on this machine: it holds no key either.
        Err(KeychainError::Unavailable(_)) | Ok(_) => Ok(Exit::Success),
        Err(e) => bail!(
            "could not reach the OS keychain to remove a key from it: {e}\nhint: {}",
            e.hint()
        ),
    }
}

/// `auth header`: the key as the one HTTP header a client's headers helper must print
/// (Claude Code's `headersHelper`). Only into a pipe: on a terminal — a shared screen, a
/// recording — it refuses, and nothing goes to stdout but the header.
pub fn header() -> anyhow::Result<Exit> {
    if std::io::stdout().is_terminal() {
        bail!(
            "not printing the key on a terminal: `auth header` is for a client's headers helper, which reads it from a pipe\nhint: `3minapi auth status` shows the key masked"
        );
    }
    let key = key::require("no header to print: ", "nothing was printed")?;
    crate::outln!("{}", json!({ "x-api-key": key.expose() }));
    Ok(Exit::Success)
}

/// `auth list`: every profile known here, its stored key masked and where it is.
pub fn list(args: &crate::cli::AuthListArgs) -> anyhow::Result<Exit> {
    let current = key::profile::current();
    let env_key = std::env::var(KEY_ENV).is_ok_and(|v| !key::is_unexpanded_or_empty(&v));
    let mut rows = Vec::new();
    for profile in store::known_profiles() {
        let (masked, source, error) = match store::keychain_get_for(&profile, store::SHORT_WAIT) {
            Ok(Some(text)) => (Some(mask_text(&text)), Some("keychain"), None),
            Ok(None) | Err(KeychainError::Unavailable(_)) => match store::file_get_for(&profile) {
                Ok(Some((_, text))) => (Some(mask_text(&text)), Some("file"), None),
                _ => (None, None, None),
            },
            Err(e) => (None, None, Some(e.to_string())),
        };
        rows.push(json!({
            "name": profile.label(),
            "current": &profile == current,
            "masked": masked,
            "source": source,
            "error": error,
        }));
    }
    if args.json {
        let report = json!({"profiles": rows, "env_overrides": env_key});
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for r in &rows {
            let state = match (&r["masked"], &r["error"]) {
                (Value::String(m), _) => format!("{m} ({})", r["source"].as_str().unwrap_or("?")),
                (_, Value::String(e)) => e.clone(),
                _ => "no key stored".to_owned(),
            };
            let mark = if r["current"] == true { "*" } else { " " };
            crate::outln!(
                "{mark} {:<12} {state}",
                r["name"].as_str().unwrap_or_default()
            );
        }
        if env_key {
            crate::outln!("{KEY_ENV} is set: it overrides the stored key of every profile");
        }
    }
    Ok(Exit::Success)
}

/// A stored text shown masked: the key's form when it is a key, else its kind.
fn mask_text(text: &str) -> String {
    match McpKey::parse(text) {
        Ok(k) => k.masked(),
        Err(e) => format!("unusable: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn pasted_keys_are_cleaned() {
        let k = "tm_mcp_test0000000000000000abcd";
        for raw in [
            format!("  {k}\n"),
            format!("x-api-key: {k}"),
            format!("X-API-KEY:{k}"),
            format!("\"{k}\""),
            format!("'{k}'\r\n"),
            format!("x-api-key: \"{k}\""),
        ] {
            assert_eq!(normalize(&raw), k, "{raw:?}");
        }
    }
}
