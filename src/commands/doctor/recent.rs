//! `bridge.recent`: the last problem a bridge logged in `serve.log` in the last 24 hours — when,
//! which client, what, and the fix — since a bridge runs where no one sees its stderr.

use super::Status;
use crate::log::file::{self, Entry};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// How far back a logged problem still counts.
pub const WINDOW: Duration = Duration::from_secs(24 * 3600);

/// The check's status, message and hint for the log at `path` (`None`: no home to find it in).
pub fn check(path: Option<&Path>, now: SystemTime) -> (Status, String, Option<String>) {
    let Some(path) = path else {
        return (
            Status::Skip,
            "no bridge log: no home directory".into(),
            None,
        );
    };
    let entries = match file::tail(path, usize::MAX) {
        Ok(e) => e,
        Err(e) => {
            return (
                Status::Warn,
                format!("cannot read the bridge log {}: {e}", path.display()),
                Some(format!("check the permissions of {}", path.display())),
            );
        }
    };
    if entries.is_empty() && !path.exists() {
        return (
            Status::Skip,
            format!("no bridge has logged yet ({})", path.display()),
            None,
        );
    }
    let recent = |e: &&Entry| {
        e.at()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age <= WINDOW)
    };
    let problems: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.level == "error" || e.level == "warning")
        .filter(recent)
        .collect();
    let Some(last) = problems.last() else {
        return (
            Status::Ok,
            format!(
                "no problem logged by a bridge in the last 24 h ({})",
                path.display()
            ),
            None,
        );
    };
    let ago = last
        .at()
        .and_then(|t| now.duration_since(t).ok())
        .map_or_else(|| "recently".to_owned(), ago);
    let more = match problems.len() {
        1 => String::new(),
        n => format!(" ({n} problems in the last 24 h)"),
    };
    // The bridge logs a problem with the fix it gave the client; older lines have none.
    let (what, hint) = split_hint(&last.message);
    (
        Status::Warn,
        format!(
            "{ago}, {}: {}{more}",
            client_of(&entries, last),
            clip(what, 300)
        ),
        Some(hint.map_or_else(|| fix(what), str::to_owned)),
    )
}

/// A logged problem and the hint logged with it (`…; hint: …` or `…. hint: …`), if any.
fn split_hint(message: &str) -> (&str, Option<&str>) {
    ["; hint: ", ". hint: "]
        .iter()
        .find_map(|sep| message.split_once(sep))
        .map_or((message, None), |(what, hint)| (what, Some(hint)))
}

/// The client whose session the process that logged `e` served, from its `session start` line.
fn client_of(entries: &[Entry], e: &Entry) -> String {
    entries
        .iter()
        .filter(|s| s.pid == e.pid)
        .filter_map(|s| s.message.strip_prefix("session start: "))
        .next_back()
        .and_then(|s| s.split(", protocol").next())
        .map_or_else(
            || format!("a bridge (pid {})", e.pid),
            |c| format!("the bridge of {c} (pid {})", e.pid),
        )
}

/// What to do about a logged problem that came without its hint, from what it says.
fn fix(message: &str) -> String {
    let has = |s: &str| message.contains(s);
    if has("refused the MCP key") || has("no MCP key") || has("collaboration key") {
        "run `3minapi auth login` with the tm_mcp_ key from Settings → AI Integration → CLI / IDE (running bridges pick it up)".into()
    } else if has("certificate") {
        "give the TLS-inspecting proxy's CA: `3minapi config install <tool> --ca-file PATH` (see the README's troubleshooting)".into()
    } else if has("proxy") {
        "check HTTPS_PROXY / NO_PROXY in the environment the tool starts the bridge with".into()
    } else if has("cannot reach") || has("connection") || has("timed out") {
        "check the network, then run `3minapi doctor` (online) again; `3minapi logs` shows what happened around it".into()
    } else {
        "run `3minapi logs` to see what happened around it".into()
    }
}

fn ago(age: Duration) -> String {
    let s = age.as_secs();
    match s {
        0..60 => format!("{s} s ago"),
        60..3600 => format!("{} min ago", s / 60),
        _ => format!("{} h ago", s / 3600),
    }
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, lines: &[(u64, u32, &str, &str)], now: SystemTime) -> std::path::PathBuf {
        let path = dir.join("serve.log");
        let text: String = lines
            .iter()
            .map(|(ago, pid, level, msg)| {
                Entry::line(now - Duration::from_secs(*ago), *pid, level, msg)
            })
            .collect();
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_last_recent_problem_is_named_with_its_client_and_fix() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let path = write(
            dir.path(),
            &[
                (30 * 3600, 7, "error", "an old problem"),
                (
                    7300,
                    42,
                    "info",
                    "session start: claude-code 2.1.3, protocol 2025-06-18",
                ),
                (
                    7200,
                    42,
                    "warning",
                    "tools/call failed: 3Min API refused the MCP key (HTTP 401): was it regenerated or deleted?",
                ),
                (
                    3700,
                    43,
                    "warning",
                    "tools/list failed: cannot reach https://h/api/mcp: connection failed",
                ),
                (60, 42, "info", "exit: the client closed stdin"),
            ],
            now,
        );
        let (status, message, hint) = check(Some(&path), now);
        assert_eq!(status, Status::Warn);
        assert!(
            message.starts_with("1 h ago, a bridge (pid 43): tools/list failed: cannot reach"),
            "{message}"
        );
        assert!(
            message.ends_with("(2 problems in the last 24 h)"),
            "{message}"
        );
        assert!(hint.unwrap().contains("network"));

        let path = write(
            dir.path(),
            &[
                (
                    7300,
                    42,
                    "info",
                    "session start: claude-code 2.1.3, protocol 2025-06-18",
                ),
                (
                    7200,
                    42,
                    "warning",
                    "tools/call failed: 3Min API refused the MCP key (HTTP 401)",
                ),
            ],
            now,
        );
        let (status, message, hint) = check(Some(&path), now);
        assert_eq!(status, Status::Warn);
        assert!(
            message.starts_with("2 h ago, the bridge of claude-code 2.1.3 (pid 42): "),
            "{message}"
        );
        assert!(hint.unwrap().contains("auth login"));
    }

    #[test]
    fn the_hint_the_bridge_logged_is_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let path = write(
            dir.path(),
            &[(
                60,
                9,
                "warning",
                "tools/call failed: its certificate was issued by \"CN=X\"; hint: give its CA with --ca-file PATH",
            )],
            now,
        );
        let (status, message, hint) = check(Some(&path), now);
        assert_eq!(status, Status::Warn);
        assert!(message.ends_with("issued by \"CN=X\""), "{message}");
        assert_eq!(hint.as_deref(), Some("give its CA with --ca-file PATH"));
    }

    #[test]
    fn old_problems_are_ok_and_no_log_is_a_skip() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let path = write(
            dir.path(),
            &[(25 * 3600, 7, "error", "old"), (10, 8, "info", "exit: x")],
            now,
        );
        assert_eq!(check(Some(&path), now).0, Status::Ok);
        let missing = dir.path().join("nothing/serve.log");
        assert_eq!(check(Some(&missing), now).0, Status::Skip);
    }
}
