//! `config refresh`: the key in every `--direct` entry that holds another key than the one in
//! use is replaced by it — that string and nothing else, under the rules of `config install`
//! (strict parse first, atomic write, a backup, the mode kept). Entries that name a variable
//! instead of holding a key, bridge entries and other servers' entries are left alone.

use super::survey::{EntryKind, literal_key};
use super::{ClientId, Ctx, Doc, Scope, State, fsx, survey};
use crate::key::McpKey;
use std::path::PathBuf;

/// What refreshing one file did, or would do.
#[derive(Debug)]
pub struct Refresh {
    pub client: ClientId,
    pub scope: Scope,
    pub path: PathBuf,
    /// `Ok(backup)`: rewritten (or, in a dry run, would be); `Err`: why not (the file untouched).
    pub outcome: Result<Option<PathBuf>, String>,
}

/// Replaces the stale key of entry `name` in every known client file by `key`; a dry run only
/// says which files would change. Files whose entry needs nothing are not reported; a file that
/// does not parse is, as a failure.
pub fn refresh(ctx: &Ctx, name: &str, key: &McpKey, dry_run: bool) -> Vec<Refresh> {
    let mut out = Vec::new();
    for report in survey(ctx, name) {
        let outcome = match (&report.state, report.kind) {
            (State::Malformed(detail), _) => Err(format!(
                "{detail}; fix it by hand (3minapi never writes to a file it cannot parse)"
            )),
            (_, Some(EntryKind::DirectStale)) => {
                rewrite(&report.path, report.client, name, key, dry_run)
            }
            _ => continue,
        };
        out.push(Refresh {
            client: report.client,
            scope: report.scope,
            path: report.path,
            outcome,
        });
    }
    out
}

fn rewrite(
    path: &std::path::Path,
    client: ClientId,
    name: &str,
    key: &McpKey,
    dry_run: bool,
) -> Result<Option<PathBuf>, String> {
    let found = fsx::read(path).map_err(|e| format!("{e:#}"))?;
    let old = found
        .existing
        .as_ref()
        .map(|e| e.text.clone())
        .ok_or("the file is gone")?;
    let parse = |text: &str| {
        Doc::parse(text, client.format(), client.servers_key(), name)
            .map_err(|m| format!("{}:{m}", path.display()))
    };
    let doc = parse(&old)?;
    let entry = doc.entry(name).ok_or("the entry is gone")?;
    let stale = literal_key(&entry)
        .ok_or("the entry holds no key")?
        .to_owned();
    // A key is letters, digits, '_' and '-': it appears in the text exactly as in the value, so
    // replacing its occurrences changes that string only — provided none is outside our entry.
    let entry_text = serde_json::to_string(&entry).unwrap_or_default();
    let in_entry = entry_text.matches(&stale).count();
    if old.matches(&stale).count() != in_entry {
        return Err(format!(
            "the old key also appears outside the {name} entry; nothing was changed\nhint: 3minapi config install {} --direct --scope …",
            client.id()
        ));
    }
    let new = old.replace(&stale, key.expose());
    // The result must read back as the same file with only that value changed.
    let after = parse(&new)?;
    let want = entry_text.replace(&stale, key.expose());
    let same_others = doc.server_names() == after.server_names()
        && doc
            .server_names()
            .iter()
            .filter(|n| *n != name)
            .all(|n| doc.entry(n) == after.entry(n));
    if after
        .entry(name)
        .map(|e| serde_json::to_string(&e).unwrap_or_default())
        != Some(want)
        || !same_others
    {
        return Err("replacing the key would change more than the key; nothing was changed".into());
    }
    if dry_run {
        return Ok(None);
    }
    let written = fsx::write(&found, &new, true, false).map_err(|e| format!("{e:#}"))?;
    Ok(written.backup)
}
