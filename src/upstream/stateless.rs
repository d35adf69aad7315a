//! The stateless revision (2026-07-28) over HTTP: one POST per request with the headers derived
//! from the message, `server/discover` sorted by era, and a legacy client's session translated for a
//! modern-only server.

use super::deliver::Delivery;
use super::request::error_body_for;
use super::session::Snapshot;
use super::{METHOD_HEADER, NAME_HEADER, RelayError, Route, Upstream, modern};
use crate::jsonrpc;
use crate::log_debug;
use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::sync::Arc;

impl Upstream {
    /// The headers of a 2026-07-28 request: version, method, name, and `Mcp-Param-*` for the
    /// tool arguments its input schema marks with `x-mcp-header` (SEP-2243).
    pub(super) async fn modern_headers(
        self: &Arc<Self>,
        route: &Route,
        version: &str,
        body: &Bytes,
    ) -> HeaderMap {
        let mut h = self.stateless_headers(route, version);
        if route.method == "tools/call"
            && let Some(tool) = route.name.as_deref()
        {
            let annotations = self.param_headers(tool, version).await;
            let args = route
                .arguments
                .clone()
                .and_then(|r| std::str::from_utf8(&body[r]).ok());
            for (name, value) in modern::param_header_values(&annotations, args) {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(&value),
                ) {
                    h.insert(n, v);
                }
            }
        }
        h
    }

    /// The headers every 2026-07-28 request carries: version, method, name.
    pub(super) fn stateless_headers(&self, route: &Route, version: &str) -> HeaderMap {
        let mut h = self.headers(&Snapshot {
            version: HeaderValue::from_str(version).ok(),
            ..Snapshot::default()
        });
        if let Ok(v) = HeaderValue::from_str(&route.method) {
            h.insert(METHOD_HEADER, v);
        }
        if let Some(Ok(v)) = route
            .name
            .as_deref()
            .map(|n| HeaderValue::from_str(&modern::encode_header_value(n)))
        {
            h.insert(NAME_HEADER, v);
        }
        h
    }

    /// A 2026-07-28 request: its own POST, no session; no resume if its stream breaks.
    pub(super) async fn modern_request(
        self: &Arc<Self>,
        id: &str,
        route: &Route,
        version: &str,
        body: Bytes,
    ) -> Result<(), RelayError> {
        let headers = self.modern_headers(route, version, &body).await;
        let resp = self.post(&body, || headers.clone()).await?;
        drop(body);
        self.relay_answer(resp, id, &route.method, false).await
    }

    /// `server/discover`, sorted (DESIGN §3): a modern answer is relayed; a server without the
    /// stateless revision gets the client a -32601 at once, so it falls back to `initialize`.
    pub(super) async fn discover(
        &self,
        id: &str,
        route: &Route,
        body: Bytes,
    ) -> Result<(), RelayError> {
        let version = route
            .modern_version
            .as_deref()
            .unwrap_or(modern::MODERN_VERSION);
        let resp = self
            .post(&body, || self.stateless_headers(route, version))
            .await?;
        let status = resp.status();
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(RelayError::KeyRefused {
                status: status.as_u16(),
                note: None,
            });
        }
        if status.is_server_error() {
            let body = self.error_body(resp).await.unwrap_or_default();
            return Err(self.status_error(status, &body));
        }
        let answer = if status.is_success() {
            self.read_answer(resp, Some(id), Delivery::Keep, false)
                .await?
                .unwrap_or_default()
        } else {
            let text = self.error_body(resp).await?;
            error_body_for(&text, id).unwrap_or(text)
        };
        match modern::sort_discover(status.as_u16(), &answer) {
            modern::Discovered::Modern => {
                let _ = self
                    .to_client
                    .send(self.redact(&jsonrpc::one_line(&answer)));
            }
            modern::Discovered::LegacyOnly => {
                log_debug!(
                    "the upstream does not speak MCP {} (discover: HTTP {status})",
                    modern::MODERN_VERSION
                );
                let _ = self.to_client.send(jsonrpc::error_line(
                    id,
                    jsonrpc::code::METHOD_NOT_FOUND,
                    "Method not found: server/discover (the server speaks the session-based MCP revisions; use initialize)",
                    None,
                ));
            }
        }
        Ok(())
    }

    /// A legacy client's request to a modern-only server: answered here when the revision removed
    /// it, otherwise relayed with the modern `_meta` added.
    pub(super) async fn translated_request(
        self: &Arc<Self>,
        id: &str,
        route: &Route,
        body: Bytes,
    ) -> Result<(), RelayError> {
        let translation = self.session.read().await.translate.clone();
        let Some(mut translation) = translation else {
            return Err(RelayError::SessionLost {
                url: self.url.to_string(),
            });
        };
        match route.method.as_str() {
            "ping" => {
                let _ = self
                    .to_client
                    .send(format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{}}}}"#));
                return Ok(());
            }
            "logging/setLevel" => {
                // 2026-07-28 carries the level in each request's _meta instead.
                let level = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .map(|v| v["params"]["level"].clone());
                let mut session = self.session.write().await;
                if let Some(t) = session.translate.as_mut() {
                    t.log_level = level;
                }
                let _ = self
                    .to_client
                    .send(format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{}}}}"#));
                return Ok(());
            }
            _ => {}
        }
        let text = std::str::from_utf8(&body).unwrap_or_default();
        let Some(line) = translation.apply(text) else {
            return Err(RelayError::SessionLost {
                url: self.url.to_string(),
            });
        };
        let body = Bytes::from(line);
        // Re-read the routing fields of the rewritten message (argument offsets moved).
        let route = match jsonrpc::parse(std::str::from_utf8(&body).unwrap_or_default()) {
            Ok(msg) => Route::of(&route.method, &body, &msg.params),
            Err(_) => route.clone(),
        };
        let version = std::mem::take(&mut translation.version);
        self.modern_request(id, &route, &version, body).await
    }

    /// A modern-only server refuses `initialize` with -32022 and the versions it speaks. Then the
    /// client's `initialize` is answered here from the server's `server/discover` result, and the
    /// client's later requests are translated. `None`: relay the server's answer as it is.
    pub(super) async fn translate_initialize(
        &self,
        id: &str,
        route: &Route,
        body: &Bytes,
        answer: &str,
    ) -> Result<Option<(String, modern::Translation)>, RelayError> {
        let Ok(refusal) = serde_json::from_str::<serde_json::Value>(answer) else {
            return Ok(None);
        };
        if refusal["error"]["code"].as_i64() != Some(modern::UNSUPPORTED_VERSION) {
            return Ok(None);
        }
        let Some(version) = modern::pick_modern_version(&refusal) else {
            return Ok(None);
        };
        let params = serde_json::from_slice::<serde_json::Value>(body)
            .map(|v| v["params"].clone())
            .unwrap_or_default();
        let translation = modern::Translation::new(&params, &version);
        let discover_id = "\"3minapi-discover\"";
        let discover = Bytes::from(translation.discover_request("3minapi-discover"));
        let discover_route = Route {
            method: "server/discover".into(),
            ..Route::default()
        };
        let resp = self
            .post(&discover, || {
                self.stateless_headers(&discover_route, &version)
            })
            .await?;
        let found = self
            .read_answer(resp, Some(discover_id), Delivery::Keep, false)
            .await?;
        let Some(found) = found.and_then(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
        else {
            return Ok(None);
        };
        if found.get("result").is_none() {
            return Ok(None);
        }
        let result =
            modern::initialize_result_from_discover(&found, route.initialize_version.as_deref());
        let line = format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{result}}}"#);
        Ok(Some((line, translation)))
    }
}
