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
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
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

/// The proxy reqwest uses for `url`, if any (the usual variables, minus `NO_PROXY`), with a
/// password in it masked: it goes into messages.
pub fn proxy_for(url: &reqwest::Url) -> Option<String> {
    proxy_in(url, |n| std::env::var(n).ok())
}

fn proxy_in(url: &reqwest::Url, env: impl Fn(&str) -> Option<String>) -> Option<String> {
    let var = |n: &str| env(n).filter(|v| !v.trim().is_empty());
    let either = |upper: &str| var(upper).or_else(|| var(&upper.to_ascii_lowercase()));
    let proxy = if url.scheme() == "https" {
        either("HTTPS_PROXY")
    } else {
        either("HTTP_PROXY")
    }
    .or_else(|| either("ALL_PROXY"))?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let no_proxy = either("NO_PROXY").unwrap_or_default();
    let bypass = no_proxy.split(',').map(str::trim).any(|n| {
        let n = n.trim_start_matches('.').to_ascii_lowercase();
        n == "*" || (!n.is_empty() && (host == n || host.ends_with(&format!(".{n}"))))
    });
    if bypass {
        return None;
    }
    Some(match reqwest::Url::parse(proxy.trim()) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => proxy.trim().to_owned(),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_proxy_in_use_is_found_and_its_password_masked() {
        let url = reqwest::Url::parse("https://3minapi.com/api/mcp").unwrap();
        let found = |vars| proxy_in(&url, env(vars));
        assert_eq!(
            found(&[("https_proxy", "http://u:secret@proxy.corp:3128")]).as_deref(),
            Some("http://u:***@proxy.corp:3128/")
        );
        assert_eq!(
            found(&[("ALL_PROXY", "socks5://10.0.0.1:1080")]).as_deref(),
            Some("socks5://10.0.0.1:1080")
        );
        assert_eq!(found(&[("HTTP_PROXY", "http://p:1")]), None, "http only");
        assert_eq!(
            found(&[
                ("HTTPS_PROXY", "http://p:1"),
                ("NO_PROXY", "example.org, .3minapi.com")
            ]),
            None
        );
        assert_eq!(
            found(&[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "*")]),
            None
        );
    }

    #[test]
    fn a_wall_clock_ahead_of_the_monotonic_one_is_a_sleep() {
        let wake = Wake::default();
        assert_eq!(wake.slept(), None);
        // As after a suspend: the last look was an hour earlier on the wall clock only.
        *wake.last.lock().unwrap() = (
            Instant::now(),
            SystemTime::now() - Duration::from_secs(3600),
        );
        let slept = wake.slept().expect("a sleep");
        assert!(slept >= Duration::from_secs(3599), "{slept:?}");
        assert_eq!(wake.slept(), None, "noticed once");
        // A wall clock set back is no sleep.
        *wake.last.lock().unwrap() = (
            Instant::now(),
            SystemTime::now() + Duration::from_secs(3600),
        );
        assert_eq!(wake.slept(), None);
    }
}
