//! `config install --all` and `config uninstall --all`: every client at once, one line each.
//! A client counts as present when one of its programs is on PATH or one of its folders exists
//! (`ClientId::detect`); nothing is created for a client that is absent.

use super::{Done, install_one, uninstall_one};
use crate::cli::{EntryArgs, InstallArgs, UninstallArgs};
use crate::clients::{ClientId, Ctx, Form, Scope};
use crate::commands::Exit;
use std::path::Path;

fn width() -> usize {
    ClientId::ALL
        .iter()
        .map(|c| c.id().len())
        .max()
        .unwrap_or(0)
}

fn line(status: &str, client: ClientId, what: &str) {
    eprintln!("{status:<12} {:<w$}  {what}", client.id(), w = width());
}

/// `path` with the home directory shown as `~`.
fn short(path: &Path, home: &Path) -> String {
    match path.strip_prefix(home) {
        Ok(rest) => format!("~/{}", rest.display()),
        Err(_) => path.display().to_string(),
    }
}

fn no_project_file(client: ClientId) -> String {
    format!("{} has no project file", client.title())
}

/// Why a client counts as absent: what was looked for.
fn absent(client: ClientId, ctx: &Ctx) -> String {
    let mut looked: Vec<String> = client
        .executables()
        .iter()
        .map(|e| format!("`{e}` on PATH"))
        .collect();
    looked.extend(
        client
            .folders(&ctx.places)
            .iter()
            .map(|d| short(d, &ctx.places.home)),
    );
    format!("not found here (no {})", looked.join(", no "))
}

/// Why the entry's form cannot go into this client's file, if it cannot.
fn refusal(client: ClientId, entry: &EntryArgs) -> Option<String> {
    if !entry.direct {
        return None;
    }
    let url = String::new();
    let form = if entry.key_helper {
        Form::DirectHelper {
            url,
            helper: String::new(),
        }
    } else if entry.from_env {
        Form::DirectFromEnv { url }
    } else {
        Form::Direct {
            url,
            key: String::new(),
        }
    };
    client.fields(&form).err()
}

/// The first line of an error and its hint, for a one-line report.
fn brief(e: &anyhow::Error) -> String {
    let text = format!("{e:#}");
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default().to_owned();
    match lines.find_map(|l| l.strip_prefix("hint: ")) {
        Some(hint) => format!("{first} (hint: {hint})"),
        None => first,
    }
}

pub fn install(ctx: &Ctx, args: &InstallArgs) -> Exit {
    let scope = args.target.entry.scope.unwrap_or(Scope::User);
    let mut failed = 0;
    let mut changed = Vec::new();
    for client in ClientId::ALL {
        let Some(_found) = client.detect(&ctx.places) else {
            line("skipped", client, &absent(client, ctx));
            continue;
        };
        let Some(path) = client.path(scope, &ctx.places) else {
            line("skipped", client, &no_project_file(client));
            continue;
        };
        if let Some(why) = refusal(client, &args.entry) {
            line("skipped", client, &why);
            continue;
        }
        let shown = short(&path, &ctx.places.home);
        let done = match install_one(ctx, client, scope, &path, args, false) {
            Ok(done) => done,
            Err(e) => {
                failed += 1;
                line("failed", client, &brief(&e));
                continue;
            }
        };
        let status = match done {
            Done::Added => "installed",
            Done::Updated => "updated",
            Done::UpToDate => "up to date",
            _ => "dry run",
        };
        line(status, client, &shown);
        if done.changed() {
            changed.push(client);
        }
    }
    finish(&changed, scope, failed, args.dry_run)
}

pub fn uninstall(ctx: &Ctx, args: &UninstallArgs) -> Exit {
    let scope = args.target.entry.scope.unwrap_or(Scope::User);
    let mut failed = 0;
    let mut changed = Vec::new();
    for client in ClientId::ALL {
        let Some(path) = client.path(scope, &ctx.places) else {
            line("skipped", client, &no_project_file(client));
            continue;
        };
        let shown = short(&path, &ctx.places.home);
        let status = match uninstall_one(client, scope, &path, args, false) {
            Ok(Done::Removed | Done::Deleted) => {
                changed.push(client);
                "removed"
            }
            Ok(Done::NotThere) => "not there",
            Ok(Done::NoFile) => "no file",
            Ok(_) => "dry run",
            Err(e) => {
                failed += 1;
                line("failed", client, &brief(&e));
                continue;
            }
        };
        line(status, client, &shown);
    }
    finish(&changed, scope, failed, args.dry_run)
}

/// The next steps of every client whose file changed, and the exit code.
fn finish(changed: &[ClientId], scope: Scope, failed: usize, dry_run: bool) -> Exit {
    if dry_run {
        eprintln!("dry run: nothing was written");
    } else {
        for client in changed {
            for step in client.next_steps(scope) {
                eprintln!("next ({}): {step}", client.title());
            }
        }
    }
    if failed > 0 {
        eprintln!(
            "error: {failed} client{} failed; the others are done",
            if failed == 1 { "" } else { "s" }
        );
        Exit::Failure
    } else {
        Exit::Success
    }
}
