//! The bridge's log file, `serve.log`: the trail a user reads when a tool stopped working while
//! no terminal was open. One line per event, `<UTC time> [<pid>] <level>: <message>`, appended by
//! every bridge at once (one `write` per line, `O_APPEND`), rotated at [`ROTATE_AT`] keeping one
//! older file (`serve.log.1`).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A log longer than this is renamed to `serve.log.1` (replacing the older one) before the next
/// line goes into a new file.
pub const ROTATE_AT: u64 = 1 << 20;

/// Where `mcp serve` appends unless `--log-file` says otherwise: `$XDG_STATE_HOME/3minapi/`
/// (default `~/.local/state/3minapi/`), `~/Library/Logs/3minapi/` on macOS,
/// `%LOCALAPPDATA%\3minapi\logs\` on Windows.
pub fn default_path() -> Option<PathBuf> {
    let dir = if cfg!(target_os = "macos") {
        directories::BaseDirs::new()?
            .home_dir()
            .join("Library/Logs/3minapi")
    } else if cfg!(windows) {
        directories::BaseDirs::new()?
            .data_local_dir()
            .join("3minapi")
            .join("logs")
    } else {
        match std::env::var_os("XDG_STATE_HOME").filter(|v| Path::new(v).is_absolute()) {
            Some(state) => PathBuf::from(state).join("3minapi"),
            None => directories::BaseDirs::new()?
                .home_dir()
                .join(".local/state/3minapi"),
        }
    };
    Some(dir.join("serve.log"))
}

/// The older file kept by rotation: `<path>.1`.
pub fn rotated(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".1");
    PathBuf::from(name)
}

/// An open log file, reopened when another bridge rotated it.
pub struct LogFile {
    path: PathBuf,
    file: File,
}

impl LogFile {
    /// Opens `path` for appending, creating it (and its directory) private to the user.
    pub fn open(path: &Path) -> std::io::Result<LogFile> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir)?;
        }
        Ok(LogFile {
            path: path.to_owned(),
            file: open_append(path)?,
        })
    }

    /// Appends `line` (ending in `\n`) in one write, rotating first when the file is full.
    pub fn append(&mut self, line: &str) {
        if self.moved() {
            // Another bridge rotated it: write where the log is now.
            if let Ok(f) = open_append(&self.path) {
                self.file = f;
            }
        }
        let full = self
            .file
            .metadata()
            .is_ok_and(|m| m.len() + line.len() as u64 > ROTATE_AT);
        if full {
            self.rotate();
        }
        let _ = self.file.write_all(line.as_bytes());
    }

    /// True when the path no longer names the file this holds open.
    fn moved(&self) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            match (std::fs::metadata(&self.path), self.file.metadata()) {
                (Ok(a), Ok(b)) => a.ino() != b.ino() || a.dev() != b.dev(),
                _ => true,
            }
        }
        #[cfg(not(unix))]
        {
            !self.path.exists()
        }
    }

    /// Renames the full log to `<path>.1`, under an exclusive lock on it so that of several
    /// bridges finding it full, one renames it and the others reopen the new one.
    fn rotate(&mut self) {
        if self.file.lock().is_err() {
            return;
        }
        if !self.moved() {
            let _ = std::fs::rename(&self.path, rotated(&self.path));
        }
        let _ = self.file.unlock();
        if let Ok(f) = open_append(&self.path) {
            self.file = f;
        }
    }
}

fn open_append(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// One line of the log, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `2026-12-06T23:20:01.123Z`
    pub time: String,
    pub pid: u32,
    /// `error`, `warning`, `info` or `debug`.
    pub level: String,
    pub message: String,
}

impl Entry {
    /// The line as written: `<time> [<pid>] <level>: <message>`.
    pub fn line(time: SystemTime, pid: u32, level: &str, message: &str) -> String {
        format!("{} [{pid}] {level}: {message}\n", utc(time))
    }

    /// Reads a line back; `None` for anything else (a line cut by a crash, another format).
    pub fn parse(line: &str) -> Option<Entry> {
        let (time, rest) = line.split_once(' ')?;
        parse_utc(time)?;
        let rest = rest.strip_prefix('[')?;
        let (pid, rest) = rest.split_once("] ")?;
        let (level, message) = rest.split_once(": ")?;
        Some(Entry {
            time: time.to_owned(),
            pid: pid.parse().ok()?,
            level: level.to_owned(),
            message: message.trim_end_matches(['\n', '\r']).to_owned(),
        })
    }

    /// When it was written.
    pub fn at(&self) -> Option<SystemTime> {
        parse_utc(&self.time)
    }
}

/// `2026-12-06T23:20:01.123Z`, from the days-from-civil algorithm (no date crate for one format).
pub fn utc(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// The inverse of [`utc`].
pub fn parse_utc(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 24 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[23] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<u64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, min, s, ms) = (num(11..13)?, num(14..16)?, num(17..19)?, num(20..23)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || h > 23 || min > 59 || s > 60 {
        return None;
    }
    let days = u64::try_from(days_from_civil(y as i64, m as i64, d as i64)).ok()?;
    let secs = days * 86_400 + h * 3600 + min * 60 + s;
    Some(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(ms))
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The last `n` entries of the log at `path` (its rotated file first when the live one holds
/// fewer), oldest first. Lines that are not entries are skipped.
pub fn tail(path: &Path, n: usize) -> std::io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for p in [rotated(path), path.to_owned()] {
        match std::fs::read(&p) {
            Ok(bytes) => entries.extend(
                String::from_utf8_lossy(&bytes)
                    .lines()
                    .filter_map(Entry::parse),
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    let skip = entries.len().saturating_sub(n);
    Ok(entries.split_off(skip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_through_the_text_form() {
        for (secs, text) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (951_782_400, "2000-02-29T00:00:00.000Z"),
            (1_796_598_001, "2026-12-06T23:00:01.000Z"),
            (4_107_542_399, "2100-02-28T23:59:59.000Z"),
        ] {
            let t = UNIX_EPOCH + Duration::from_secs(secs);
            assert_eq!(utc(t), text);
            assert_eq!(parse_utc(text), Some(t), "{text}");
        }
        let t = UNIX_EPOCH + Duration::from_millis(1_796_598_001_042);
        assert_eq!(parse_utc(&utc(t)), Some(t));
        for bad in [
            "",
            "2026-13-01T00:00:00.000Z",
            "2026-12-06 23:40:01.000Z",
            "x",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn lines_parse_back_and_other_text_does_not() {
        let t = UNIX_EPOCH + Duration::from_secs(1_796_598_001);
        let line = Entry::line(t, 4242, "warning", "a: b [c]");
        let e = Entry::parse(&line).unwrap();
        assert_eq!(
            (e.pid, e.level.as_str(), e.message.as_str()),
            (4242, "warning", "a: b [c]")
        );
        assert_eq!(e.at(), Some(t));
        assert_eq!(Entry::parse("3minapi: warning: x"), None);
        assert_eq!(Entry::parse("2026-12-06T23:40:01.000Z [x] info: y"), None);
    }

    #[test]
    fn a_full_log_is_rotated_once_by_two_writers_and_nothing_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/3minapi/serve.log");
        let mut a = LogFile::open(&path).unwrap();
        let mut b = LogFile::open(&path).unwrap();
        let line = format!("{}\n", "x".repeat(99));
        let per_file = (ROTATE_AT / 100) as usize;
        // Both write until the live file has rotated once and half refilled.
        for i in 0..per_file + per_file / 2 {
            if i % 2 == 0 {
                a.append(&line)
            } else {
                b.append(&line)
            }
        }
        let old = std::fs::metadata(rotated(&path)).unwrap().len();
        let live = std::fs::metadata(&path).unwrap().len();
        assert!(old <= ROTATE_AT && old > ROTATE_AT - 200, "{old}");
        assert_eq!(old + live, (per_file + per_file / 2) as u64 * 100);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
