//! Where a key is kept: the OS keychain (service `3minapi`, account `mcp-key`, `mcp-key:<profile>`
//! for a named profile) and, only when the user asks for it, a plain file. Every keychain call runs on its own thread under a timeout: a
//! locked keychain may be waiting for a person, and a hung one must not wedge the caller.

use super::{McpKey, Profile};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

pub const SERVICE: &str = "3minapi";

/// For `auth status` and `doctor`: a short answer or none.
pub const SHORT_WAIT: Duration = Duration::from_secs(3);
/// For `mcp serve` and `auth login`: a desktop unlock dialog may be waiting for the person.
pub const LONG_WAIT: Duration = Duration::from_secs(30);

/// Why the keychain could not be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum KeychainError {
    #[error("the OS keychain did not answer within {} s (locked, or waiting for an unlock dialog?)", .0.as_secs())]
    Timeout(Duration),
    #[error("no OS keychain is reachable: {0}")]
    Unavailable(String),
    #[error("the OS keychain refused access: {0}")]
    Locked(String),
    #[error("the OS keychain failed: {0}")]
    Failed(String),
}

impl KeychainError {
    pub fn hint(&self) -> &'static str {
        match self {
            KeychainError::Timeout(_) | KeychainError::Locked(_) => {
                "unlock the keychain (log in to the desktop session) and retry"
            }
            KeychainError::Unavailable(_) => {
                "start a Secret Service (e.g. gnome-keyring) in this session, set THREEMINAPI_MCP_KEY, or use `3minapi auth login --insecure-storage`"
            }
            KeychainError::Failed(_) => "retry; if it persists, set THREEMINAPI_MCP_KEY instead",
        }
    }
}

fn describe(e: &keyring::Error) -> KeychainError {
    use keyring::Error as E;
    match e {
        E::NoDefaultStore => {
            let cause = match keyring::Entry::store_status() {
                Err(inner) => inner.to_string(),
                Ok(()) => "no default credential store".to_owned(),
            };
            KeychainError::Unavailable(cause)
        }
        E::NoStorageAccess(inner) => KeychainError::Locked(inner.to_string()),
        E::PlatformFailure(inner) => {
            let text = inner.to_string();
            // zbus reports a bus without a Secret Service, or no bus at all, as platform failures.
            if text.contains("ServiceUnknown")
                || text.contains("org.freedesktop.secrets")
                || text.contains("session bus")
                || text.contains("DBUS")
            {
                KeychainError::Unavailable(text)
            } else {
                KeychainError::Failed(text)
            }
        }
        other => KeychainError::Failed(other.to_string()),
    }
}

/// Runs a keychain operation on a thread of its own; gives up after `wait`, leaving the thread
/// behind (it holds no lock of ours).
fn bounded<T: Send + 'static>(
    wait: Duration,
    op: impl FnOnce(&keyring::Entry) -> Result<T, keyring::Error> + Send + 'static,
) -> Result<T, KeychainError> {
    bounded_for(super::profile::current(), wait, op)
}

/// [`bounded`] on the entry of `profile`.
fn bounded_for<T: Send + 'static>(
    profile: &Profile,
    wait: Duration,
    op: impl FnOnce(&keyring::Entry) -> Result<T, keyring::Error> + Send + 'static,
) -> Result<T, KeychainError> {
    let account = profile.account();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("keychain".into())
        .spawn(move || {
            let result = keyring::Entry::new(SERVICE, &account).and_then(|entry| op(&entry));
            let _ = tx.send(result.map_err(|e| describe(&e)));
        })
        .map_err(|e| KeychainError::Failed(e.to_string()))?;
    match rx.recv_timeout(wait) {
        Ok(result) => result,
        Err(_) => Err(KeychainError::Timeout(wait)),
    }
}

/// The stored key text of this process's profile, if any.
pub fn keychain_get(wait: Duration) -> Result<Option<String>, KeychainError> {
    keychain_get_for(super::profile::current(), wait)
}

/// The stored key text of `profile`, if any.
pub fn keychain_get_for(
    profile: &Profile,
    wait: Duration,
) -> Result<Option<String>, KeychainError> {
    bounded_for(profile, wait, |entry| match entry.get_password() {
        Ok(text) => Ok(Some(text)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(e),
    })
}

/// Stores the key, replacing any previous one.
pub fn keychain_set(key: &McpKey, wait: Duration) -> Result<(), KeychainError> {
    let secret = key.expose().to_owned();
    bounded(wait, move |entry| entry.set_password(&secret))
}

/// Removes the stored key; `true` when there was one.
pub fn keychain_delete(wait: Duration) -> Result<bool, KeychainError> {
    bounded(wait, |entry| match entry.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(e),
    })
}

/// `<config dir>/3minapi`: where the plain files and the list of profiles are.
pub fn config_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.config_dir().join("3minapi"))
}

/// `<config dir>/3minapi/credentials` (`credentials-<profile>`): the plain-file fallback of
/// `--insecure-storage`.
pub fn credentials_path() -> Option<PathBuf> {
    config_dir().map(|d| super::profile::current().credentials_in(&d))
}

/// The key text of the plain file, if it exists.
pub fn file_get() -> std::io::Result<Option<(PathBuf, String)>> {
    file_get_for(super::profile::current())
}

/// The key text of `profile`'s plain file, if it exists.
pub fn file_get_for(profile: &Profile) -> std::io::Result<Option<(PathBuf, String)>> {
    let Some(path) = config_dir().map(|d| profile.credentials_in(&d)) else {
        return Ok(None);
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some((path, text.trim().to_owned()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes the plain file atomically: directory 0700, file 0600 from its creation on.
pub fn file_set(key: &McpKey) -> std::io::Result<PathBuf> {
    let path = credentials_path().ok_or_else(|| {
        std::io::Error::other("no home directory to write the credentials file in")
    })?;
    let dir = path.parent().expect("credentials path has a parent");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".credentials.{}.tmp", std::process::id()));
    // (A name no profile's file can have: see `Profile::of_credentials_file`.)
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            options.mode(0o600);
        }
        let _ = std::fs::remove_file(&tmp);
        let mut f = options.open(&tmp)?;
        use std::io::Write;
        f.write_all(key.expose().as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// Removes the plain file; `true` when there was one.
pub fn file_delete() -> std::io::Result<Option<PathBuf>> {
    let Some(path) = credentials_path() else {
        return Ok(None);
    };
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(Some(path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// `<config dir>/3minapi/profiles`: the named profiles `auth login` stored a key for, one per
/// line (names only: a keychain cannot be listed on every OS).
fn profiles_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join("profiles"))
}

/// Every profile known here: the default one, those in the list `auth login` keeps, and those
/// with a plain file; sorted, the default first.
pub fn known_profiles() -> Vec<Profile> {
    let mut all = vec![Profile::default()];
    if let Some(path) = profiles_path()
        && let Ok(text) = std::fs::read_to_string(path)
    {
        all.extend(text.lines().filter_map(|l| Profile::parse(l.trim()).ok()));
    }
    if let Some(dir) = config_dir()
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        all.extend(
            entries.filter_map(|e| Profile::of_credentials_file(e.ok()?.file_name().to_str()?)),
        );
    }
    all.sort();
    all.dedup();
    all
}

/// Adds (`keep`) or removes the current profile in the list `auth list` reads; the default
/// profile is never listed there.
pub fn note_profile(keep: bool) -> std::io::Result<()> {
    let profile = super::profile::current();
    let (Some(name), Some(path)) = (profile.name(), profiles_path()) else {
        return Ok(());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let mut names: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != name)
        .collect();
    if keep {
        names.push(name);
    }
    names.sort_unstable();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(
        &tmp,
        names.iter().map(|n| format!("{n}\n")).collect::<String>(),
    )?;
    std::fs::rename(&tmp, &path)
}
