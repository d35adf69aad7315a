//! Reading and writing a user's config file without ever losing it: symlinks followed (the link
//! stays a link), one backup before our first change, the new text written to a temp file in the
//! same directory and renamed over the old one, the mode kept (0600 when the file holds a key).

use anyhow::{Context, anyhow};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A config file as found on disk.
#[derive(Debug)]
pub struct Found {
    /// The path as the user or the client table names it (used in messages).
    pub path: PathBuf,
    /// Where the bytes really are: `path` with its symlinks followed.
    pub real: PathBuf,
    /// The text and mode of the file, `None` when it does not exist yet.
    pub existing: Option<Existing>,
}

#[derive(Debug)]
pub struct Existing {
    pub text: String,
    #[cfg_attr(not(unix), allow(dead_code))]
    pub mode: u32,
}

/// Follows symlinks at the end of `path` (also dangling ones, whose target will be created).
fn follow_links(path: &Path) -> anyhow::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)
                    .with_context(|| format!("cannot read the symlink {}", current.display()))?;
                current = if target.is_absolute() {
                    target
                } else {
                    current
                        .parent()
                        .unwrap_or_else(|| Path::new("."))
                        .join(target)
                };
            }
            _ => return Ok(current),
        }
    }
    Err(anyhow!(
        "{}: too many levels of symbolic links\nhint: point the link at a real file",
        path.display()
    ))
}

pub fn read(path: &Path) -> anyhow::Result<Found> {
    let real = follow_links(path)?;
    let existing = match std::fs::read(&real) {
        Ok(bytes) => {
            let meta = std::fs::metadata(&real)?;
            if !meta.is_file() {
                return Err(anyhow!(
                    "{} is not a regular file\nhint: pass the config file itself with --file",
                    path.display()
                ));
            }
            let text = String::from_utf8(bytes).map_err(|e| {
                anyhow!(
                    "{}: the file is not UTF-8 text (invalid byte at offset {}); it was left untouched\nhint: fix or remove that byte, then run this again",
                    path.display(),
                    e.utf8_error().valid_up_to()
                )
            })?;
            Some(Existing {
                text,
                mode: mode_of(&meta),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(anyhow!(
                "cannot read {}: {e}\nhint: check the file's permissions",
                path.display()
            ));
        }
    };
    Ok(Found {
        path: path.to_path_buf(),
        real,
        existing,
    })
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_meta: &std::fs::Metadata) -> u32 {
    0o644
}

/// The backup next to a file: `<file>.3minapi.bak`.
pub fn backup_path(real: &Path) -> PathBuf {
    let mut name = real.file_name().unwrap_or_default().to_os_string();
    name.push(".3minapi.bak");
    real.with_file_name(name)
}

/// What [`write`] did besides writing.
#[derive(Debug, Default)]
pub struct Written {
    pub backup: Option<PathBuf>,
    pub created_dirs: bool,
}

/// Writes `text` over the file atomically.
///
/// - `secret`: the text holds a key: the file (and a new backup) get 0600, whatever they had.
/// - `private_dirs`: missing parent directories are created 0700 (user-scope directories).
pub fn write(
    found: &Found,
    text: &str,
    secret: bool,
    private_dirs: bool,
) -> anyhow::Result<Written> {
    let mut written = Written::default();
    writable(found)?;
    let dir = found
        .real
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    if !dir.exists() {
        create_dirs(dir, private_dirs)
            .with_context(|| format!("cannot create the directory {}", dir.display()))?;
        written.created_dirs = true;
    }
    let mode = match &found.existing {
        Some(e) if secret => e.mode & 0o600,
        Some(e) => e.mode,
        None if secret => 0o600,
        None => 0o666 & !umask(),
    };
    if let Some(existing) = &found.existing {
        let backup = backup_path(&found.real);
        if !backup.exists() {
            write_new(&backup, existing.text.as_bytes(), existing.mode)
                .with_context(|| format!("cannot write the backup {}", backup.display()))?;
            written.backup = Some(backup);
        }
    }
    let name = found.real.file_name().unwrap_or_default().to_string_lossy();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".3minapi.tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    set_mode(tmp.path(), mode)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(&found.real).map_err(|e| {
        anyhow!(
            "cannot replace {}: {}\nhint: check the directory's permissions",
            found.path.display(),
            e.error
        )
    })?;
    Ok(written)
}

/// Refuses a file its owner made read-only: they want it left alone, and the atomic rename
/// (or a removal) would replace it all the same.
pub fn writable(found: &Found) -> anyhow::Result<()> {
    #[cfg(unix)]
    if let Some(e) = &found.existing
        && e.mode & 0o200 == 0
    {
        return Err(anyhow!(
            "{} is read-only (mode {:o}); nothing was written\nhint: make it writable (chmod u+w {}) and run this again, or add the entry by hand (3minapi config print shows it)",
            found.path.display(),
            e.mode & 0o7777,
            found.path.display()
        ));
    }
    #[cfg(not(unix))]
    let _ = found;
    Ok(())
}

/// Makes sure a file holding a key is 0600 even when its text did not change.
pub fn restrict(found: &Found) -> anyhow::Result<bool> {
    match &found.existing {
        Some(e) if e.mode & 0o077 != 0 => {
            set_mode(&found.real, e.mode & 0o600)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    let mut f = options.open(path)?;
    // The creation mode passes through the umask; the backup gets exactly the original's mode.
    set_mode(path, mode)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn create_dirs(dir: &Path, private: bool) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(if private { 0o700 } else { 0o777 })
        .create(dir)
}

#[cfg(not(unix))]
fn create_dirs(dir: &Path, _private: bool) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// The process umask, read without changing it: Linux shows it in /proc; elsewhere assume the
/// usual 022.
fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// A unified diff of two texts, for `--dry-run`.
pub fn diff(old: &str, new: &str, label: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(label, label)
        .to_string()
}

/// The first `name` on PATH, symlinks resolved.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    // Windows finds `3minapi` as `3minapi.exe` (and scripts by their extensions).
    let names: Vec<String> = if cfg!(windows) && Path::new(name).extension().is_none() {
        [".exe", ".cmd", ".bat", ".com", ""]
            .iter()
            .map(|ext| format!("{name}{ext}"))
            .collect()
    } else {
        vec![name.to_owned()]
    };
    std::env::split_paths(&path).find_map(|dir| {
        names.iter().find_map(|n| {
            let candidate = dir.join(n);
            let meta = std::fs::metadata(&candidate).ok()?;
            (meta.is_file() && is_executable(&meta))
                .then(|| dunce::canonicalize(&candidate).ok())?
        })
    })
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    true
}

/// Whether git ignores `path` (so a key written there is not committed). `None` when git cannot
/// say (not installed, not a repository).
pub fn git_ignored(path: &Path) -> Option<bool> {
    // Ask from the nearest directory that exists: the file's own may not be created yet.
    let path = std::path::absolute(path).ok()?;
    let base = path.ancestors().skip(1).find(|d| d.is_dir())?;
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(base)
        .args(["check-ignore", "-q", "--"])
        .arg(path.strip_prefix(base).ok()?)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    match status.code() {
        Some(0) => Some(true),
        Some(1) => Some(false),
        _ => None,
    }
}
