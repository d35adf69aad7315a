//! Where the key in use comes from: the environment, then the OS keychain, then the plain file of
//! `--insecure-storage`; the first that holds something wins, and what it holds is checked.

use super::{KEY_ENV, KEY_ORIGIN, KeyError, McpKey, store};
use std::fmt;

/// Where a key came from; every report of a key names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Env,
    Keychain,
    File(std::path::PathBuf),
}

impl KeySource {
    /// Stable name for `--json` output.
    pub fn id(&self) -> &'static str {
        match self {
            KeySource::Env => "env",
            KeySource::Keychain => "keychain",
            KeySource::File(_) => "file",
        }
    }
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Env => write!(f, "environment variable {KEY_ENV}"),
            KeySource::Keychain => write!(
                f,
                "the OS keychain (service {}, account {})",
                store::SERVICE,
                super::profile::current().account()
            ),
            KeySource::File(path) => write!(f, "the plain file {}", path.display()),
        }
    }
}

/// What key resolution found: a usable key, or the reason there is none (with the fix).
#[derive(Debug, Clone)]
pub enum KeyLookup {
    Found {
        key: McpKey,
        source: KeySource,
    },
    Refused {
        error: KeyError,
        source: KeySource,
    },
    /// No key anywhere; `keychain` says why the keychain could not be asked, if it could not.
    Missing {
        keychain: Option<store::KeychainError>,
    },
}

impl KeyLookup {
    /// One line for the user: what is wrong. `None` when a usable key was found.
    pub fn problem(&self) -> Option<String> {
        match self {
            KeyLookup::Found { .. } => None,
            KeyLookup::Refused { error, source } => Some(format!("{error} (from {source})")),
            KeyLookup::Missing { keychain: None } => Some(format!(
                "no MCP key found: {KEY_ENV} is unset and no key is stored"
            )),
            KeyLookup::Missing { keychain: Some(e) } => {
                Some(format!("no MCP key found: {KEY_ENV} is unset and {e}"))
            }
        }
    }

    pub fn hint(&self) -> String {
        match self {
            KeyLookup::Refused { error, .. } => error.hint(),
            KeyLookup::Missing { keychain: Some(e) } => format!(
                "{}; or set {KEY_ENV} to a tm_mcp_ key from {KEY_ORIGIN}",
                e.hint()
            ),
            _ => format!(
                "run `3minapi auth login` with a tm_mcp_ key from {KEY_ORIGIN}, or set {KEY_ENV}"
            ),
        }
    }

    pub fn source(&self) -> Option<&KeySource> {
        match self {
            KeyLookup::Found { source, .. } | KeyLookup::Refused { source, .. } => Some(source),
            KeyLookup::Missing { .. } => None,
        }
    }
}

/// True when an environment value is really "unset": empty, or a placeholder some clients pass
/// literally when the variable it names is unset (`${VAR}`, `$VAR`).
pub fn is_unexpanded_or_empty(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    if v.starts_with("${") && v.ends_with('}') {
        return true;
    }
    v.strip_prefix('$').is_some_and(|name| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// The environment's key, if it holds one (empty values and placeholders count as unset).
pub fn from_env(
    env: impl Fn(&str) -> Option<String>,
    mut warn: impl FnMut(String),
) -> Option<KeyLookup> {
    let value = env(KEY_ENV)?;
    if is_unexpanded_or_empty(&value) {
        let what = if value.trim().is_empty() {
            "empty"
        } else {
            "an unexpanded placeholder"
        };
        warn(format!("{KEY_ENV} is {what}; treating it as unset"));
        return None;
    }
    Some(checked(&value, KeySource::Env))
}

fn checked(text: &str, source: KeySource) -> KeyLookup {
    match McpKey::parse(text.trim()) {
        Ok(key) => KeyLookup::Found { key, source },
        Err(error) => KeyLookup::Refused { error, source },
    }
}

/// Resolves the key: the environment, then the OS keychain (asked for at most `keychain_wait`;
/// `None` skips it), then the plain file of `--insecure-storage`. The first source that holds
/// something wins, and what it holds is checked. `env` reads one variable, so tests and callers
/// can supply their own environment; warnings go to `warn`.
pub fn resolve(
    env: impl Fn(&str) -> Option<String>,
    keychain_wait: Option<std::time::Duration>,
    warn: impl FnMut(String),
) -> KeyLookup {
    resolve_with(
        env,
        || match keychain_wait {
            Some(wait) => store::keychain_get(wait),
            None => Ok(None),
        },
        warn,
    )
}

/// The key for a one-shot command (the keychain may wait for an unlock; warnings go to stderr), or
/// the error `{before}{problem}; {after}` with the fix as its hint.
pub fn require(before: &str, after: &str) -> anyhow::Result<McpKey> {
    match resolve(
        |name| std::env::var(name).ok(),
        Some(store::LONG_WAIT),
        |w| eprintln!("warning: {w}"),
    ) {
        KeyLookup::Found { key, .. } => Ok(key),
        other => Err(anyhow::anyhow!(
            "{before}{}; {after}\nhint: {}",
            other.problem().unwrap_or_default(),
            other.hint()
        )),
    }
}

/// [`resolve`] with the keychain's answer supplied by `keychain` (called only when the environment
/// holds no key): `doctor` passes the answer of the probe it already ran in parallel instead of
/// asking the keychain a second time.
pub fn resolve_with(
    env: impl Fn(&str) -> Option<String>,
    keychain: impl FnOnce() -> Result<Option<String>, store::KeychainError>,
    mut warn: impl FnMut(String),
) -> KeyLookup {
    if let Some(found) = from_env(env, &mut warn) {
        return found;
    }
    let mut keychain_problem = None;
    match keychain() {
        Ok(Some(text)) => return checked(&text, KeySource::Keychain),
        Ok(None) => {}
        Err(e) => keychain_problem = Some(e),
    }
    match store::file_get() {
        Ok(Some((path, text))) => {
            warn(format!(
                "using the key stored in plain text in {} (--insecure-storage): anyone who can read that file can use your account",
                path.display()
            ));
            return checked(&text, KeySource::File(path));
        }
        Ok(None) => {}
        Err(e) => warn(format!("cannot read the credentials file: {e}")),
    }
    KeyLookup::Missing {
        keychain: keychain_problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "tm_mcp_test0000000000000000abcd";

    #[test]
    fn placeholders_count_as_unset() {
        for v in [
            "",
            "  ",
            "${THREEMINAPI_MCP_KEY}",
            "$THREEMINAPI_MCP_KEY",
            "${env:X}",
        ] {
            assert!(is_unexpanded_or_empty(v), "{v:?}");
        }
        assert!(!is_unexpanded_or_empty(GOOD));
        let mut warnings = vec![];
        let lookup = from_env(
            |_| Some("${THREEMINAPI_MCP_KEY}".into()),
            |w| warnings.push(w),
        );
        assert!(lookup.is_none());
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains(KEY_ENV));
    }

    #[test]
    fn env_key_is_found_and_trimmed() {
        let lookup = from_env(|_| Some(format!(" {GOOD}\n")), |_| {}).unwrap();
        assert!(matches!(
            lookup,
            KeyLookup::Found {
                source: KeySource::Env,
                ..
            }
        ));
    }
}
