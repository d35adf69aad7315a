//! Doctor's network checks: `network` (DNS, TCP, TLS to the URL's host, the proxy in use) and the
//! `upstream.*` checks (era, key accepted, tools listed) from one connection, every step bounded.

use super::{Checks, STEP_TIMEOUT, Status};
use crate::commands::Server;
use crate::key::{KEY_ORIGIN, McpKey};
use crate::upstream::client::{CallError, Client};
use crate::upstream::{self, RelayError, Trust};
use serde_json::json;
use std::time::Duration;

/// The network, then the server in whichever era it speaks.
pub(super) fn online(
    checks: &mut Checks,
    server: &Server,
    key: Option<&McpKey>,
) -> anyhow::Result<()> {
    checks.start();
    let trust = match &server.trust {
        Ok(trust) => trust,
        Err(e) => {
            checks.add("network", Status::Fail, e.to_string(), Some(e.hint()));
            for id in ["upstream.era", "upstream.auth", "upstream.tools"] {
                checks.add(id, Status::Skip, "no usable CA bundle (see network)", None);
            }
            return Ok(());
        }
    };
    let parsed = match upstream::check_url(&server.url) {
        Ok(u) => u,
        Err(e) => {
            checks.add(
                "network",
                Status::Fail,
                e,
                Some("fix --url or THREEMINAPI_URL".into()),
            );
            for id in ["upstream.era", "upstream.auth", "upstream.tools"] {
                checks.add(id, Status::Skip, "no valid URL", None);
            }
            return Ok(());
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let reached = runtime.block_on(network(checks, &parsed, trust));
    if !reached {
        for id in ["upstream.era", "upstream.auth", "upstream.tools"] {
            checks.add(
                id,
                Status::Skip,
                "the server is not reachable (see network)",
                None,
            );
        }
        return Ok(());
    }
    let Some(key) = key else {
        for id in ["upstream.era", "upstream.auth", "upstream.tools"] {
            checks.add(
                id,
                Status::Skip,
                "no usable MCP key to ask the server with",
                None,
            );
        }
        return Ok(());
    };
    runtime.block_on(upstream_checks(checks, parsed, key, trust));
    Ok(())
}

/// DNS, TCP and (for https) TLS to the URL's host; `true` when the server answered HTTP.
async fn network(checks: &mut Checks, url: &reqwest::Url, trust: &Trust) -> bool {
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let target = format!("{host}:{port}");
    let proxy = upstream::proxy_for(url);
    let mut steps = Vec::new();
    if proxy.is_none() {
        let addrs = match tokio::time::timeout(STEP_TIMEOUT, tokio::net::lookup_host(&target)).await
        {
            Err(_) => return net_fail(checks, &target, "DNS lookup timed out", None),
            Ok(Err(e)) => {
                return net_fail(
                    checks,
                    &target,
                    &format!("DNS cannot resolve {host}: {e}"),
                    None,
                );
            }
            Ok(Ok(a)) => a.collect::<Vec<_>>(),
        };
        let Some(addr) = addrs.first() else {
            return net_fail(
                checks,
                &target,
                &format!("DNS has no address for {host}"),
                None,
            );
        };
        steps.push(format!("DNS {}", addr.ip()));
        match tokio::time::timeout(STEP_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
            Err(_) => {
                return net_fail(
                    checks,
                    &target,
                    &format!("TCP connect timed out after {} s", STEP_TIMEOUT.as_secs()),
                    None,
                );
            }
            Ok(Err(e)) => {
                return net_fail(checks, &target, &format!("TCP connect failed: {e}"), None);
            }
            Ok(Ok(_)) => steps.push("TCP ok".into()),
        }
    } else {
        steps.push(format!(
            "through the proxy {}",
            proxy.clone().unwrap_or_default()
        ));
    }
    if !trust.sources.is_empty() {
        steps.push(format!(
            "{} more CA certificate(s) trusted from {}",
            trust.extra_roots(),
            trust.sources.join(", ")
        ));
    }
    let client = trust.apply(reqwest::Client::builder()).and_then(|b| {
        Ok(b.user_agent(upstream::USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(STEP_TIMEOUT)
            .build()?)
    });
    let Ok(client) = client else {
        return net_fail(
            checks,
            &target,
            "cannot set up the HTTP client",
            proxy.as_deref(),
        );
    };
    match client.get(url.clone()).send().await {
        Ok(resp) => {
            if url.scheme() == "https" {
                steps.push("TLS ok".into());
            }
            steps.push(format!("HTTP {}", resp.status().as_u16()));
            checks.add(
                "network",
                Status::Ok,
                format!("{target}: {}", steps.join(", ")),
                None,
            );
            true
        }
        Err(e) => {
            if let Some(refusal) = trust.refusal(&e) {
                checks.add(
                    "network",
                    Status::Fail,
                    format!(
                        "cannot reach {target}: {}, then TLS failed: {refusal}",
                        steps.join(", ")
                    ),
                    Some(upstream::TRUST_HINT.into()),
                );
                return false;
            }
            // TCP worked (or a proxy is in the way): a connect error on https is the TLS handshake.
            let cause = describe(&e, url.scheme() == "https" && proxy.is_none());
            net_fail(
                checks,
                &target,
                &format!(
                    "{}{cause}",
                    if steps.is_empty() {
                        String::new()
                    } else {
                        format!("{}, then ", steps.join(", "))
                    }
                ),
                proxy.as_deref(),
            )
        }
    }
}

fn net_fail(checks: &mut Checks, target: &str, cause: &str, proxy: Option<&str>) -> bool {
    let hint = match proxy {
        Some(p) => format!("check the proxy {p} (HTTPS_PROXY, NO_PROXY) and the network"),
        None => format!(
            "check the network and that {target} is the right server (--url / THREEMINAPI_URL)"
        ),
    };
    checks.add(
        "network",
        Status::Fail,
        format!("cannot reach {target}: {cause}"),
        Some(hint),
    );
    false
}

/// The cause of a reqwest error in a few words: timeout, TLS, refused, DNS, proxy.
fn describe(e: &reqwest::Error, tls_after_tcp: bool) -> String {
    let mut chain = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let all = chain.join(": ").to_ascii_lowercase();
    let kind = if e.is_timeout() {
        format!("no HTTP answer within {} s", STEP_TIMEOUT.as_secs())
    } else if all.contains("certificate")
        || all.contains("tls")
        || all.contains("handshake")
        || (tls_after_tcp && e.is_connect())
    {
        "TLS failed".to_owned()
    } else if all.contains("refused") {
        "connection refused".to_owned()
    } else if all.contains("dns") || all.contains("resolve") {
        "DNS failed".to_owned()
    } else if all.contains("proxy") {
        "the proxy failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    format!("{kind} ({})", chain.last().cloned().unwrap_or_default())
}

/// `upstream.era`, `upstream.auth`, `upstream.tools`, from one connection.
async fn upstream_checks(checks: &mut Checks, url: reqwest::Url, key: &McpKey, trust: &Trust) {
    checks.start();
    let mut client = match Client::new(url.clone(), key, trust) {
        Ok(c) => c,
        Err(e) => {
            checks.add(
                "upstream.era",
                Status::Fail,
                format!("cannot set up the HTTP client: {e}"),
                None,
            );
            return;
        }
    };
    let connected = tokio::time::timeout(STEP_TIMEOUT, client.connect()).await;
    match connected {
        Err(_) => {
            let msg = format!("{url} did not answer within {} s", STEP_TIMEOUT.as_secs());
            checks.add(
                "upstream.era",
                Status::Fail,
                msg,
                Some("retry later; if it persists, check --url / THREEMINAPI_URL".into()),
            );
            checks.add(
                "upstream.auth",
                Status::Skip,
                "no answer from the server",
                None,
            );
            checks.add(
                "upstream.tools",
                Status::Skip,
                "no answer from the server",
                None,
            );
        }
        Ok(Err(CallError::Relay(RelayError::KeyRefused { status, .. }))) => {
            checks.add(
                "upstream.era",
                Status::Skip,
                "the server refused the key before saying which revision it speaks",
                None,
            );
            checks.add(
                "upstream.auth",
                Status::Fail,
                format!("the server refused {key} (HTTP {status}): regenerated or deleted?"),
                Some(format!(
                    "generate a new key under {KEY_ORIGIN}, then run `3minapi auth login`"
                )),
            );
            checks.add("upstream.tools", Status::Skip, "the key was refused", None);
        }
        Ok(Err(e)) => {
            let hint = match &e {
                CallError::Relay(r) => r.hint().to_owned(),
                CallError::Rpc { .. } => {
                    "retry later; if it persists, check --url / THREEMINAPI_URL".into()
                }
            };
            checks.add("upstream.era", Status::Fail, format!("{e}"), Some(hint));
            checks.add(
                "upstream.auth",
                Status::Skip,
                "no MCP answer from the server",
                None,
            );
            checks.add(
                "upstream.tools",
                Status::Skip,
                "no MCP answer from the server",
                None,
            );
        }
        Ok(Ok(c)) => {
            let era = match c.era.id() {
                "modern" => "stateless",
                _ => "session-based",
            };
            checks.add(
                "upstream.era",
                Status::Ok,
                format!(
                    "MCP {} ({era}); the server offers {}",
                    c.era.version(),
                    if c.versions.is_empty() {
                        "?".to_owned()
                    } else {
                        c.versions.join(", ")
                    }
                ),
                None,
            );
            checks.add(
                "upstream.auth",
                Status::Ok,
                format!("the server accepts {key}"),
                None,
            );
            match tokio::time::timeout(STEP_TIMEOUT, client.request("tools/list", json!({}))).await
            {
                Err(_) => checks.add(
                    "upstream.tools",
                    Status::Fail,
                    format!(
                        "tools/list got no answer within {} s",
                        STEP_TIMEOUT.as_secs()
                    ),
                    None,
                ),
                Ok(Err(e)) => checks.add(
                    "upstream.tools",
                    Status::Fail,
                    format!("tools/list failed: {e}"),
                    None,
                ),
                Ok(Ok(answer)) => {
                    let n = answer["result"]["tools"].as_array().map_or(0, Vec::len);
                    let more = answer["result"]["nextCursor"].is_string();
                    let status = if n == 0 { Status::Warn } else { Status::Ok };
                    checks.add(
                        "upstream.tools",
                        status,
                        format!("{n}{} tools", if more { "+" } else { "" }),
                        None,
                    );
                }
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), client.close()).await;
}
