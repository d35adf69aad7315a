pub mod bridge;
pub mod delay_proxy;
pub mod hostile;
pub mod keyring;
pub mod netns;
pub mod npm;
pub mod static_files;
pub mod tls;
pub mod upstream;

use std::time::{Duration, Instant};

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
