//! Dead peers, made real: each test runs in a network namespace of its own (`unshare --net`),
//! where nftables drops the packets of chosen connections — no FIN, no RST, nothing acknowledged,
//! as when a NAT forgets a connection or a laptop changes networks — without touching the
//! machine's own network. Needs root (or user namespaces), `unshare`, `ip` and `nft`: `.ci/run`
//! installs them.
#![allow(dead_code)]

use std::process::Command;

const INSIDE: &str = "THREEMINAPI_TEST_IN_NETNS";
const TABLE: &str = "threeminapi_test";

/// Call first in a test. Outside a namespace it runs this test again inside a fresh one, checks
/// it ran and passed there, and returns `false` (the caller returns at once). Inside, it brings
/// loopback up and returns `true`.
pub fn enter(test: &str) -> bool {
    if std::env::var_os(INSIDE).is_some() {
        run("ip", &["link", "set", "lo", "up"]);
        run("nft", &["add", "table", "inet", TABLE]);
        for hook in ["input", "output"] {
            let chain = format!(
                "add chain inet {TABLE} {hook} {{ type filter hook {hook} priority 0; policy accept; }}"
            );
            run("nft", &[&chain]);
        }
        return true;
    }
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("unshare")
        .arg("--net")
        .arg("--")
        .arg(&exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run unshare (util-linux): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    print!("{stdout}");
    eprint!("{stderr}");
    assert!(
        out.status.success(),
        "{test} failed inside its network namespace (unshare --net needs root or user namespaces)"
    );
    assert!(
        stdout.contains("test result: ok. 1 passed"),
        "{test} did not run inside its network namespace"
    );
    false
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The local ports of the TCP connections now established to 127.0.0.1:`port` (from
/// `/proc/net/tcp`, which shows this namespace's sockets).
pub fn connections_to(port: u16) -> Vec<u16> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let mut ports = Vec::new();
    for line in table.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(local), Some(remote), Some(state)) =
            (fields.get(1), fields.get(2), fields.get(3))
        else {
            continue;
        };
        let port_of = |addr: &str| {
            addr.split_once(':')
                .and_then(|(_, p)| u16::from_str_radix(p, 16).ok())
        };
        // 01: ESTABLISHED.
        if *state == "01" && port_of(remote) == Some(port) {
            ports.extend(port_of(local));
        }
    }
    ports
}

/// Drops every packet of the connections now open to `port`, both ways: they go silent, their
/// sockets stay open. New connections are not affected. Returns how many were silenced.
pub fn silence_connections_to(port: u16) -> usize {
    let ports = connections_to(port);
    for p in &ports {
        for hook in ["input", "output"] {
            for dir in ["sport", "dport"] {
                let rule = format!("add rule inet {TABLE} {hook} tcp {dir} {p} drop");
                run("nft", &[&rule]);
            }
        }
    }
    ports.len()
}

/// Drops every packet to and from `port`: open connections go silent and new ones time out
/// (their SYN is never answered), as when the network is gone.
pub fn cut_network_to(port: u16) {
    for hook in ["input", "output"] {
        for dir in ["sport", "dport"] {
            let rule = format!("add rule inet {TABLE} {hook} tcp {dir} {port} drop");
            run("nft", &[&rule]);
        }
    }
}

/// Removes every rule: the network is back (connections silenced before stay dead only if
/// their peers gave up on them meanwhile).
pub fn restore_network() {
    for hook in ["input", "output"] {
        run("nft", &["flush", "chain", "inet", TABLE, hook]);
    }
}
