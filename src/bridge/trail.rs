//! The events of a bridge's life that `serve.log` keeps for the user (`3minapi logs`, doctor's
//! `bridge.recent`): which client started a session, in which protocol era, and why it ended.
//! The rest of the trail (refused key, lost connection, reconnect, key switch) is logged where it
//! happens.

use crate::jsonrpc::Params;
use crate::log_info;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a 2026-07-28 client was named: its requests all carry `clientInfo`.
static MODERN_NAMED: AtomicBool = AtomicBool::new(false);

/// Logs the start of a session: a legacy `initialize`, or the first request of the stateless
/// revision. `text` is the whole message (parsed again here for `clientInfo`: once per session).
pub fn session_start(method: &str, params: &Params<'_>, text: &str) {
    let modern = params
        .meta
        .as_ref()
        .and_then(|m| m.protocol_version.as_deref())
        .filter(|v| crate::upstream::modern::is_modern(v));
    let (era, info) = match (method, modern) {
        (_, Some(version))
            if !MODERN_NAMED.load(Ordering::Relaxed)
                && !MODERN_NAMED.swap(true, Ordering::Relaxed) =>
        {
            (
                format!("{version} (stateless)"),
                "/params/_meta/io.modelcontextprotocol~1clientInfo",
            )
        }
        ("initialize", None) => (
            params
                .protocol_version
                .as_deref()
                .unwrap_or("unknown")
                .to_owned(),
            "/params/clientInfo",
        ),
        _ => return,
    };
    let client = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| {
            let info = v.pointer(info)?;
            Some(format!(
                "{} {}",
                info["name"].as_str().unwrap_or("?"),
                info["version"].as_str().unwrap_or("?")
            ))
        })
        .unwrap_or_else(|| "a client that did not give its name".into());
    log_info!("session start: {client}, protocol {era}");
}
