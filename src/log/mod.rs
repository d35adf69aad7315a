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

impl Logger {
    fn to_stderr(&self, level: Level) -> bool {
        self.stderr.is_some_and(|max| level <= max)
    }

    fn to_file(&self, level: Level) -> Option<&Mutex<file::LogFile>> {
        self.file
            .as_ref()
            .filter(|(max, _)| level <= *max)
            .map(|(_, f)| f)
    }
}

static LOGGER: OnceLock<Logger> = OnceLock::new();

fn logger() -> &'static Logger {
    /// Before `init`: warnings and errors on stderr.
    static EARLY: Logger = Logger {
        stderr: Some(Level::Warn),
        file: None,
    };
    LOGGER.get().unwrap_or(&EARLY)
}

/// A log file gets every event from `info` up (more with `-vv`), whatever stderr gets.
fn file_part(level: Level, f: file::LogFile) -> (Level, Mutex<file::LogFile>) {
    (level.max(Level::Info), Mutex::new(f))
}

/// Sets the level and, optionally, a file to append to instead of stderr. Call once, early.
pub fn init(level: Level, file: Option<&Path>) -> std::io::Result<()> {
    let file = match file {
        Some(path) => Some(file_part(level, file::LogFile::open(path)?)),
        None => None,
    };
    let stderr = if file.is_some() { None } else { Some(level) };
    let _ = LOGGER.set(Logger { stderr, file });
    Ok(())
}

/// The bridge's logging: `level` on stderr, and the log file at `path` too. A file that cannot
/// be opened costs one warning on stderr; the bridge serves without it.
pub fn init_with_trail(level: Level, path: Option<&Path>) {
    let file = path.and_then(|p| match file::LogFile::open(p) {
        Ok(f) => Some(file_part(level, f)),
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
    let l = logger();
    l.to_stderr(level) || l.to_file(level).is_some()
}

/// Writes one log line: `3minapi: <level>: <message>` on stderr, `<time> [<pid>] <level>:
/// <message>` in the log file.
pub fn write(level: Level, message: std::fmt::Arguments<'_>) {
    if !enabled(level) {
        return;
    }
    let message = sanitize(&message.to_string());
    let l = logger();
    if l.to_stderr(level) {
        let line = format!("3minapi: {}: {message}\n", level.label());
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
    if let Some(file) = l.to_file(level) {
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
