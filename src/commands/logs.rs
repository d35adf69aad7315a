//! `3minapi logs [-n N] [--follow] [--json] [--file PATH]`: the bridges' trail in `serve.log`
//! (the rotated `serve.log.1` too when the live file holds fewer entries), oldest first.

use super::Exit;
use crate::cli::LogsArgs;
use crate::log::file::{self, Entry};
use crate::outln;
use anyhow::Context;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often `--follow` looks for new lines.
const POLL: Duration = Duration::from_millis(200);

pub fn run(args: &LogsArgs) -> anyhow::Result<Exit> {
    let path: PathBuf = match &args.file {
        Some(p) => p.clone(),
        None => file::default_path()
            .context("cannot tell where serve.log is: no home directory\nhint: pass --file PATH")?,
    };
    let entries =
        file::tail(&path, args.lines).with_context(|| format!("cannot read {}", path.display()))?;
    if entries.is_empty() && !args.follow && !path.exists() {
        eprintln!(
            "no log at {} yet: a bridge writes it when an MCP client starts `3minapi mcp serve`",
            path.display()
        );
    }
    for e in &entries {
        show(e, args.json);
    }
    if args.follow {
        follow(&path, args.json);
    }
    Ok(Exit::Success)
}

fn show(e: &Entry, json: bool) {
    if json {
        outln!(
            "{}",
            serde_json::json!({"time": e.time, "pid": e.pid, "level": e.level, "message": e.message})
        );
    } else {
        outln!("{} [{}] {}: {}", e.time, e.pid, e.level, e.message);
    }
}

/// Prints entries appended from now on; after a rotation, the new file from its start.
fn follow(path: &Path, json: bool) -> ! {
    let mut at = std::fs::metadata(path).map(|m| (id(&m), m.len())).ok();
    let mut partial = String::new();
    loop {
        std::thread::sleep(POLL);
        let Ok(meta) = std::fs::metadata(path) else {
            continue;
        };
        let from = match at {
            Some((file, offset)) if file == id(&meta) && offset <= meta.len() => offset,
            // New or rotated (or truncated): read it from the start.
            _ => {
                partial.clear();
                0
            }
        };
        let Ok(mut f) = std::fs::File::open(path) else {
            continue;
        };
        let mut fresh = Vec::new();
        if f.seek(SeekFrom::Start(from)).is_err() || f.read_to_end(&mut fresh).is_err() {
            continue;
        }
        at = Some((id(&meta), from + fresh.len() as u64));
        partial.push_str(&String::from_utf8_lossy(&fresh));
        while let Some(end) = partial.find('\n') {
            let line: String = partial.drain(..=end).collect();
            if let Some(e) = Entry::parse(&line) {
                show(&e, json);
            }
        }
    }
}

/// What tells one file from the next at the same path.
fn id(meta: &std::fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::ino(meta)
    }
    #[cfg(not(unix))]
    {
        meta.created()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64)
    }
}
