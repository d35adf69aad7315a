//! Logging for a process whose stdout may belong to a protocol: every line goes to stderr and/or
//! a log file ([`file`]), never to stdout. Text that came from a file or a server is stripped of
//! control characters before it is written, so it cannot move the cursor or forge lines.

pub mod file;

use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

impl Level {
    /// `-q` keeps errors only; the default shows warnings; each `-v` adds a level.
    pub fn from_flags(verbose: u8, quiet: bool) -> Level {
        match (quiet, verbose) {
            (true, _) => Level::Error,
            (false, 0) => Level::Warn,
            (false, 1) => Level::Info,
            _ => Level::Debug,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warning",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

struct Logger {
    /// What reaches stderr; `None`: nothing does (`--log-file`).
    stderr: Option<Level>,
    /// The log file and what reaches it.
    file: Option<(Level, Mutex<file::LogFile>)>,
}

static LOGGER: OnceLock<Logger> = OnceLock::new();

/// Sets the level and, optionally, a file to append to instead of stderr. Call once, early.
pub fn init(level: Level, file: Option<&Path>) -> std::io::Result<()> {
    let file = match file {
        Some(path) => Some((
            level.max(Level::Info),
            Mutex::new(file::LogFile::open(path)?),
        )),
        None => None,
    };
    let stderr = if file.is_some() { None } else { Some(level) };
    let _ = LOGGER.set(Logger { stderr, file });
    Ok(())
}

/// The bridge's logging: `level` on stderr, and every event from `info` up (more with `-vv`)
/// in the log file at `path` too. A file that cannot be opened costs one warning on stderr;
/// the bridge serves without it.
pub fn init_with_trail(level: Level, path: Option<&Path>) {
    let file = path.and_then(|p| match file::LogFile::open(p) {
        Ok(f) => Some((level.max(Level::Info), Mutex::new(f))),
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "3minapi: warning: cannot write the log {}: {e}; logging to stderr only",
                p.display()
            );
            None
        }
    });
    let _ = LOGGER.set(Logger {
        stderr: Some(level),
        file,
    });
}

pub fn enabled(level: Level) -> bool {
    match LOGGER.get() {
        None => level <= Level::Warn,
        Some(l) => {
            l.stderr.is_some_and(|s| level <= s)
                || l.file.as_ref().is_some_and(|(f, _)| level <= *f)
        }
    }
}

/// Writes one log line: `3minapi: <level>: <message>` on stderr, `<time> [<pid>] <level>:
/// <message>` in the log file.
pub fn write(level: Level, message: std::fmt::Arguments<'_>) {
    if !enabled(level) {
        return;
    }
    let message = sanitize(&message.to_string());
    let logger = LOGGER.get();
    if logger
        .map_or(Some(Level::Warn), |l| l.stderr)
        .is_some_and(|s| level <= s)
    {
        let line = format!("3minapi: {}: {message}\n", level.label());
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
    if let Some((max, file)) = logger.and_then(|l| l.file.as_ref())
        && level <= *max
    {
        let line = file::Entry::line(
            std::time::SystemTime::now(),
            std::process::id(),
            level.label(),
            &message,
        );
        if let Ok(mut f) = file.lock() {
            f.append(&line);
        }
    }
}

/// Replaces control characters (other than tab) with `?`, so echoed text stays on its line.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\t' { '?' } else { c })
        .collect()
}

#[macro_export]
macro_rules! log_error { ($($t:tt)*) => { $crate::log::write($crate::log::Level::Error, format_args!($($t)*)) } }
#[macro_export]
macro_rules! log_warn { ($($t:tt)*) => { $crate::log::write($crate::log::Level::Warn, format_args!($($t)*)) } }
#[macro_export]
macro_rules! log_info { ($($t:tt)*) => { $crate::log::write($crate::log::Level::Info, format_args!($($t)*)) } }
#[macro_export]
macro_rules! log_debug { ($($t:tt)*) => { $crate::log::write($crate::log::Level::Debug, format_args!($($t)*)) } }

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_neutralised() {
        assert_eq!(super::sanitize("a\x1b[2Jb\nc\td"), "a?[2Jb?c\td");
    }
}
