//! Logging for a process whose stdout may belong to a protocol: every line goes to stderr or to a
//! log file, never to stdout. Text that came from a file or a server is stripped of control
//! characters before it is written, so it cannot move the cursor or forge lines.

use std::fs::File;
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
    level: Level,
    file: Option<Mutex<File>>,
}

static LOGGER: OnceLock<Logger> = OnceLock::new();

/// Sets the level and, optionally, a file to append to instead of stderr. Call once, early.
pub fn init(level: Level, file: Option<&Path>) -> std::io::Result<()> {
    let file = match file {
        Some(path) => Some(Mutex::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?,
        )),
        None => None,
    };
    let _ = LOGGER.set(Logger { level, file });
    Ok(())
}

pub fn enabled(level: Level) -> bool {
    level <= LOGGER.get().map_or(Level::Warn, |l| l.level)
}

/// Writes one log line: `3minapi: <level>: <message>`.
pub fn write(level: Level, message: std::fmt::Arguments<'_>) {
    if !enabled(level) {
        return;
    }
    let line = format!(
        "3minapi: {}: {}\n",
        level.label(),
        sanitize(&message.to_string())
    );
    match LOGGER.get().and_then(|l| l.file.as_ref()) {
        Some(file) => {
            if let Ok(mut f) = file.lock() {
                let _ = f.write_all(line.as_bytes());
            }
        }
        None => {
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
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
