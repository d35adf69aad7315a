pub mod bridge;
pub mod delay_proxy;
pub mod hostile;
pub mod keyring;
pub mod netns;
pub mod npm;
pub mod tls;
pub mod upstream;

use std::time::{Duration, Instant};

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
