//! Profiles, for people with more than one 3Min API account: each keeps its own key, under
//! keychain account `mcp-key:<name>` (service `3minapi`) and plain file `credentials-<name>`; the
//! default profile keeps `mcp-key` and `credentials`. Chosen once per process (`--profile` /
//! `THREEMINAPI_PROFILE`), before any key is looked up.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Environment variable naming the profile.
pub const PROFILE_ENV: &str = "THREEMINAPI_PROFILE";

/// A profile: the default one, or a named one.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Profile(Option<String>);

impl Profile {
    /// A profile name: `[a-z0-9][a-z0-9-]{0,31}`. `default` (or an empty value) is the default
    /// profile.
    pub fn parse(name: &str) -> Result<Profile, String> {
        if name.is_empty() || name == "default" {
            return Ok(Profile(None));
        }
        let ok = name.len() <= 32
            && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Profile(Some(name.to_owned())))
        } else {
            Err(format!(
                "{name:?} is not a profile name: use 1 to 32 lowercase letters, digits and '-', starting with a letter or digit (e.g. work)"
            ))
        }
    }

    /// `None` for the default profile.
    pub fn name(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// For messages: `work`, or `default`.
    pub fn label(&self) -> &str {
        self.name().unwrap_or("default")
    }

    /// The keychain account its key is stored under.
    pub fn account(&self) -> String {
        match self.name() {
            None => "mcp-key".to_owned(),
            Some(n) => format!("mcp-key:{n}"),
        }
    }

    /// The `--insecure-storage` file in `dir` (the config directory's `3minapi`).
    pub fn credentials_in(&self, dir: &Path) -> PathBuf {
        match self.name() {
            None => dir.join("credentials"),
            Some(n) => dir.join(format!("credentials-{n}")),
        }
    }

    /// Its entry's name in a client's config: `3minapi`, or `3minapi-work`.
    pub fn entry_name(&self) -> String {
        match self.name() {
            None => "3minapi".to_owned(),
            Some(n) => format!("3minapi-{n}"),
        }
    }

    /// The arguments that select it, before the command: none, or `--profile work`.
    pub fn args(&self) -> Vec<String> {
        match self.name() {
            None => Vec::new(),
            Some(n) => vec!["--profile".to_owned(), n.to_owned()],
        }
    }

    /// The profile a plain file's name belongs to (`credentials`, `credentials-work`).
    pub fn of_credentials_file(file_name: &str) -> Option<Profile> {
        match file_name {
            "credentials" => Some(Profile(None)),
            _ => Profile::parse(file_name.strip_prefix("credentials-")?)
                .ok()
                .filter(|p| p.name().is_some()),
        }
    }
}

/// `THREEMINAPI_PROFILE`'s profile (the default one when unset), or why its value is not one.
pub fn from_env() -> Result<Profile, String> {
    match std::env::var(PROFILE_ENV) {
        Ok(v) => Profile::parse(v.trim()).map_err(|e| format!("{PROFILE_ENV}: {e}")),
        Err(_) => Ok(Profile::default()),
    }
}

static CURRENT: OnceLock<Profile> = OnceLock::new();

/// Chooses the profile of this process; the first call wins.
pub fn select(profile: Profile) {
    let _ = CURRENT.set(profile);
}

/// The profile of this process (the default one unless [`select`]ed).
pub fn current() -> &'static Profile {
    static DEFAULT: Profile = Profile(None);
    CURRENT.get().unwrap_or(&DEFAULT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_map_to_accounts_files_and_entries() {
        let work = Profile::parse("work").unwrap();
        assert_eq!(work.account(), "mcp-key:work");
        assert_eq!(work.entry_name(), "3minapi-work");
        assert_eq!(work.args(), ["--profile", "work"]);
        assert_eq!(
            work.credentials_in(Path::new("/c")),
            Path::new("/c/credentials-work")
        );
        let default = Profile::parse("default").unwrap();
        assert_eq!(
            (default.account(), default.entry_name()),
            ("mcp-key".into(), "3minapi".into())
        );
        assert!(default.args().is_empty());
        assert!(Profile::parse("a-2").is_ok());
        assert!(Profile::parse(&"a".repeat(32)).is_ok());
        for bad in [
            "Work",
            "a/b",
            "..",
            "-a",
            "a_b",
            "a b",
            "é",
            &"a".repeat(33),
            &"a".repeat(40),
        ] {
            let e = Profile::parse(bad).unwrap_err();
            assert!(e.contains("not a profile name"), "{bad}: {e}");
        }
        assert_eq!(Profile::of_credentials_file("credentials-work"), Some(work));
        assert_eq!(Profile::of_credentials_file("credentials"), Some(default));
        for other in [
            "credentials-",
            "credentials-Bad",
            "credentials.tmp",
            ".credentials.1.tmp",
        ] {
            assert_eq!(Profile::of_credentials_file(other), None, "{other}");
        }
    }
}
