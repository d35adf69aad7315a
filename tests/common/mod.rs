pub mod bridge;
pub mod delay_proxy;
pub mod hostile;
pub mod install_sh;
pub mod keyring;
pub mod netns;
pub mod npm;
pub mod static_files;
pub mod tls;
pub mod upstream;

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The first `name` on PATH that is a file.
#[allow(dead_code)]
pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Sends `kill -<sig>` to `pid` and asserts it was delivered.
#[allow(dead_code)]
#[track_caller]
pub fn signal(pid: u32, sig: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success(), "kill -{sig} {pid}");
}

/// A test that cannot run here says why on stderr (`skipped: <reason>`) and passes, unless
/// `THREEMINAPI_NO_SKIP` is set: `.ci/run` sets it because it installs every tool the tests use,
/// so a skip there would be a missing install step, and fails instead.
#[allow(dead_code)]
#[track_caller]
pub fn skip(reason: &str) {
    if std::env::var_os("THREEMINAPI_NO_SKIP").is_some_and(|v| !v.is_empty()) {
        panic!("{reason} (THREEMINAPI_NO_SKIP is set: this test may not be skipped)");
    }
    eprintln!("skipped: {reason}");
}

/// How long [`wait_until`] waits: far beyond what a loaded CI machine needs.
const WAIT: Duration = Duration::from_secs(10);

/// Polls `done` every 10 ms until it holds; fails the test with `what` after 10 s.
#[allow(dead_code)]
pub async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
