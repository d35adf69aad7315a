//! How the client reaches the server over real networks (DESIGN §9): a dead connection is told
//! from a slow answer at the TCP and HTTP/2 level — keep-alive probes, `TCP_USER_TIMEOUT`, h2
//! PING — never by a timer on the answer (a log search may stay silent for minutes); a wake from
//! sleep is noticed by the wall clock running ahead of the monotonic one.
//!
//! The figures, and what they give:
//! - a request written on a pooled connection that died while idle (NAT expiry, a new Wi-Fi):
//!   nothing acknowledges it, the kernel gives up after [`USER_TIMEOUT`], and the request, which
//!   provably never reached the server, is sent again on a new connection: its answer comes
//!   within ~8 s;
//! - a connection that goes silent during a call: probes after [`KEEPALIVE_IDLE`] of silence,
//!   unanswered → the kernel ends it ~15 s after the last sign of life (h2: a PING unanswered
//!   for [`H2_PING_TIMEOUT`] does the same), and the call gets an error naming the lost
//!   connection;
//! - a healthy connection carrying a call that is silent for minutes: the probes and PINGs are
//!   answered, nothing ends it;
//! - an unreachable server: [`CONNECT_TIMEOUT`] per attempt, and no new attempt once
//!   [`RETRY_WINDOW`] has passed: the error comes within ~13 s, naming the cause.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// TCP and TLS to the server, per attempt.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Silence on a connection before keep-alive probes start, and between them.
pub const KEEPALIVE_IDLE: Duration = Duration::from_secs(10);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(5);
const KEEPALIVE_RETRIES: u32 = 3;
/// Data the server has not acknowledged for this long ends the connection (Linux and Android;
/// elsewhere keep-alive probes and h2 PINGs tell, more slowly).
pub const USER_TIMEOUT: Duration = Duration::from_secs(7);
const H2_PING_INTERVAL: Duration = Duration::from_secs(10);
pub const H2_PING_TIMEOUT: Duration = Duration::from_secs(10);
/// A request that never reached the server is sent again only this long after its first attempt.
pub const RETRY_WINDOW: Duration = Duration::from_secs(8);
/// The wall clock running this far ahead of the monotonic one means the machine slept.
const SLEEP_NOTICED: Duration = Duration::from_secs(5);

/// The client's connection settings, on top of `builder`'s TLS and redirect policy.
pub fn configure(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    let builder = builder
        .connect_timeout(CONNECT_TIMEOUT)
        .tcp_nodelay(true)
        .tcp_keepalive(KEEPALIVE_IDLE)
        .tcp_keepalive_interval(KEEPALIVE_INTERVAL)
        .tcp_keepalive_retries(KEEPALIVE_RETRIES)
        .http2_keep_alive_interval(H2_PING_INTERVAL)
        .http2_keep_alive_timeout(H2_PING_TIMEOUT)
        .http2_keep_alive_while_idle(true);
    #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
    let builder = builder.tcp_user_timeout(USER_TIMEOUT);
    builder
}

/// Whether a request that failed with `e`, `waited` after it was handed to the connection,
/// provably never reached the server, so that sending it again cannot run anything twice:
/// the connection could not be made, or the kernel gave up on data the server never
/// acknowledged. The second is told from a connection that died after acknowledging the request
/// (a call in progress) by the time it took: keep-alive can end a connection only after
/// [`KEEPALIVE_IDLE`] of silence, while unacknowledged data ends it after [`USER_TIMEOUT`].
pub fn never_delivered(e: &reqwest::Error, waited: Duration) -> bool {
    if e.is_connect() {
        return true;
    }
    cfg!(any(
        target_os = "android",
        target_os = "fuchsia",
        target_os = "linux"
    )) && waited < KEEPALIVE_IDLE
        && io_kind(e) == Some(std::io::ErrorKind::TimedOut)
}

/// Whether `e` is a connection that died under a request (the kernel's keep-alive or
/// user-timeout verdict, or an unanswered h2 PING) rather than one that could not be made.
pub fn is_lost(e: &reqwest::Error) -> bool {
    if e.is_connect() {
        return false;
    }
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if err.to_string().contains("keep-alive timed out") {
            return true;
        }
        next = err.source();
    }
    io_kind(e) == Some(std::io::ErrorKind::TimedOut)
}

/// The kind of the innermost I/O error in `e`'s chain.
pub fn io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut kind = None;
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            kind = Some(io.kind());
        }
        next = err.source();
    }
    kind
}

/// Notices that the machine slept: the monotonic clock stops during a suspend, the wall clock
/// does not.
pub struct Wake {
    last: Mutex<(Instant, SystemTime)>,
}

impl Default for Wake {
    fn default() -> Wake {
        Wake {
            last: Mutex::new((Instant::now(), SystemTime::now())),
        }
    }
}

impl Wake {
    /// How long the machine slept since the last call, if it did.
    pub fn slept(&self) -> Option<Duration> {
        let (mono, wall) = (Instant::now(), SystemTime::now());
        let mut last = self.last.lock().ok()?;
        let mono_passed = mono.duration_since(last.0);
        // A wall clock set back gives no sleep (and no error).
        let wall_passed = wall.duration_since(last.1).unwrap_or_default();
        *last = (mono, wall);
        wall_passed
            .checked_sub(mono_passed)
            .filter(|ahead| *ahead >= SLEEP_NOTICED)
    }
}
