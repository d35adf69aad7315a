//! The legacy (session-based) revisions: `initialize` opens a session, a 404 on it means the server
//! forgot it and the client's own handshake is replayed, the standalone GET stream carries what the
//! server sends unasked, and DELETE ends it.

use super::deliver::{Delivery, Routing};
use super::{LAST_EVENT_ID, RelayError, Route, SESSION_HEADER, Upstream, describe, modern, sse};
use crate::{log_debug, log_info, log_warn};
use bytes::Bytes;
use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Response, StatusCode};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

const DELETE_TIMEOUT: Duration = Duration::from_secs(2);

/// The parts of the session a request is sent with.
#[derive(Clone, Default)]
pub(super) struct Snapshot {
    pub(super) session: Option<HeaderValue>,
    pub(super) version: Option<HeaderValue>,
    pub(super) generation: u64,
}

#[derive(Default)]
pub(super) struct Session {
    /// Kept as header values, made once per session: every request clones them (a reference
    /// count) instead of building them again.
    pub(super) id: Option<HeaderValue>,
    pub(super) version: Option<HeaderValue>,
    /// Bumped every time a session is (re)established, so concurrent requests that all hit a 404
    /// re-initialize once.
    pub(super) generation: u64,
    /// The client's own handshake, replayed when the server forgets the session.
    pub(super) initialize: Option<(String, Bytes)>,
    pub(super) initialized: Option<Bytes>,
    /// Set when a legacy client talks to a modern-only server through us.
    pub(super) translate: Option<modern::Translation>,
}

impl Session {
    pub(super) fn snapshot(&self) -> Snapshot {
        Snapshot {
            session: self.id.clone(),
            version: self.version.clone(),
            generation: self.generation,
        }
    }
}

impl Upstream {
    /// POSTs on the current session. A 404 there means the server forgot the session: it is
    /// restored (once) and the message sent again; it never reached the server the first time.
    pub(super) async fn post_in_session(
        self: &Arc<Self>,
        body: &Bytes,
    ) -> Result<Response, RelayError> {
        let mut restored = false;
        loop {
            let snap = self.session.read().await.snapshot();
            let resp = self.post(body, || self.headers(&snap)).await?;
            if resp.status() == StatusCode::NOT_FOUND && snap.session.is_some() && !restored {
                restored = true;
                self.restore_session(snap.generation).await?;
                continue;
            }
            return Ok(resp);
        }
    }

    /// The client's `initialize`: a new session. Held under the write lock so nothing else is sent
    /// before the session id is known.
    pub(super) async fn initialize(
        self: &Arc<Self>,
        id: &str,
        route: &Route,
        body: Bytes,
    ) -> Result<(), RelayError> {
        let mut session = self.session.write().await;
        self.stop_get_stream();
        if let Some(old) = session.id.take() {
            let this = Arc::clone(self);
            let snap = session.snapshot();
            tokio::spawn(async move {
                this.delete_session(Snapshot {
                    session: Some(old),
                    ..snap
                })
                .await
            });
        }
        let (sid, answer) = self.handshake(id, &body, Delivery::ForwardOthers).await?;
        let answer = answer.unwrap_or_default();
        if let Some((line, translation)) =
            self.translate_initialize(id, route, &body, &answer).await?
        {
            log_info!(
                "the upstream speaks only MCP {}; translating for this client",
                translation.version
            );
            session.id = None;
            session.version = None;
            session.generation += 1;
            session.translate = Some(translation);
            self.translating.store(true, Ordering::Release);
            let _ = self.to_client.send(line);
            return Ok(());
        }
        self.translating.store(false, Ordering::Release);
        session.translate = None;
        session.id = sid;
        session.version = negotiated_version(&answer).and_then(version_value);
        session.generation += 1;
        session.initialize = Some((id.to_owned(), body));
        session.initialized = None;
        let _ = self.to_client.send(answer);
        Ok(())
    }

    /// POSTs an `initialize` without a session; returns the new session id and the answer line.
    pub(super) async fn handshake(
        &self,
        id: &str,
        body: &Bytes,
        delivery: Delivery,
    ) -> Result<(Option<HeaderValue>, Option<String>), RelayError> {
        let resp = self
            .post(body, || self.headers(&Snapshot::default()))
            .await?;
        // Visible ASCII only, in a value of its own (not a slice of the connection's buffer).
        let given = resp.headers().get(SESSION_HEADER);
        let sid = given
            .and_then(|v| v.to_str().ok())
            .and_then(|v| HeaderValue::from_str(v).ok());
        if given.is_some() && sid.is_none() {
            log_warn!(
                "the upstream's Mcp-Session-Id holds characters a session id may not have; going on without a session"
            );
        }
        let answer = self.read_answer(resp, Some(id), delivery, true).await?;
        Ok((sid, answer))
    }

    pub(super) async fn initialized(self: &Arc<Self>, body: Bytes) -> Result<(), RelayError> {
        let mut session = self.session.write().await;
        session.initialized = Some(body.clone());
        let snap = session.snapshot();
        let resp = self.post(&body, || self.headers(&snap)).await?;
        self.read_answer(resp, None, Delivery::Forward, true)
            .await?;
        self.start_get_stream(snap);
        Ok(())
    }

    /// The server answered 404 to a request on session `generation`: it forgot the session (expiry,
    /// restart). Replay the client's own handshake on a new session; the client never sees it.
    pub(super) async fn restore_session(
        self: &Arc<Self>,
        generation: u64,
    ) -> Result<(), RelayError> {
        let mut session = self.session.write().await;
        if session.generation != generation {
            return Ok(()); // another request restored it meanwhile
        }
        let Some((id, init)) = session.initialize.clone() else {
            return Err(RelayError::SessionLost {
                url: self.url.to_string(),
            });
        };
        log_info!("the upstream forgot the session; starting a new one");
        self.stop_get_stream();
        let (sid, answer) = self.handshake(&id, &init, Delivery::Keep).await?;
        if let Some(line) = answer.as_deref().filter(|l| is_error(l)) {
            log_warn!(
                "replaying initialize failed: {}",
                crate::log::sanitize(line)
            );
            return Err(RelayError::SessionLost {
                url: self.url.to_string(),
            });
        }
        session.id = sid;
        session.version = answer
            .as_deref()
            .and_then(negotiated_version)
            .and_then(version_value);
        session.generation += 1;
        let initialized = session.initialized.clone().unwrap_or_else(|| {
            Bytes::from_static(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        });
        let snap = session.snapshot();
        let resp = self.post(&initialized, || self.headers(&snap)).await?;
        self.read_answer(resp, None, Delivery::Forward, true)
            .await?;
        self.start_get_stream(snap);
        Ok(())
    }

    pub(super) fn stop_get_stream(&self) {
        if let Some(task) = self.get_stream.lock().ok().and_then(|mut g| g.take()) {
            task.abort();
        }
    }

    /// Opens the standalone GET stream of a session and forwards what comes on it, reconnecting
    /// with `Last-Event-ID` until the session ends. 405 means the server does not offer one.
    pub(super) fn start_get_stream(self: &Arc<Self>, snap: Snapshot) {
        if snap.session.is_none() {
            return;
        }
        let this = Arc::clone(self);
        let task = tokio::spawn(async move {
            let mut reader = sse::Reader::new();
            let mut failures: u32 = 0;
            loop {
                let mut req = this
                    .http()
                    .get(this.url.clone())
                    .headers(this.headers(&snap))
                    .header(ACCEPT, "text/event-stream");
                if let Some(last) = reader.last_event_id.as_deref() {
                    req = req.header(LAST_EVENT_ID, last);
                }
                match req.send().await {
                    Ok(resp) if resp.status() == StatusCode::METHOD_NOT_ALLOWED => {
                        log_debug!("the upstream offers no standalone stream (405)");
                        return;
                    }
                    Ok(resp) if resp.status() == StatusCode::NOT_FOUND => {
                        log_debug!("standalone stream: the session is gone");
                        return;
                    }
                    Ok(resp) if resp.status().is_success() => {
                        failures = 0;
                        let mut resp = resp;
                        // The server's own requests and notifications; never an answer.
                        let mut routing = Routing::new(None, Delivery::Forward);
                        loop {
                            match resp.chunk().await {
                                Ok(Some(bytes)) => {
                                    this.take_items(reader.feed(&bytes), &mut routing);
                                }
                                Ok(None) => break,
                                Err(e) => {
                                    log_debug!("standalone stream broke: {}", describe(&e));
                                    break;
                                }
                            }
                        }
                    }
                    Ok(resp) => {
                        failures += 1;
                        log_debug!("standalone stream: HTTP {}", resp.status());
                    }
                    Err(e) => {
                        failures += 1;
                        log_debug!("standalone stream: {}", describe(&e));
                    }
                }
                let backoff = if failures == 0 {
                    reader.retry_ms.unwrap_or(500)
                } else {
                    (500u64 << failures.min(6)).min(30_000)
                };
                tokio::time::sleep(Duration::from_millis(backoff)).await;
            }
        });
        if let Ok(mut slot) = self.get_stream.lock()
            && let Some(old) = slot.replace(task)
        {
            old.abort();
        }
    }

    /// Ends the session politely: DELETE, bounded so shutdown never hangs on it.
    pub async fn close(&self) {
        self.stop_get_stream();
        let snap = self.session.read().await.snapshot();
        self.delete_session(snap).await;
    }

    pub(super) async fn delete_session(&self, snap: Snapshot) {
        if snap.session.is_none() {
            return;
        }
        let sent = self
            .http()
            .delete(self.url.clone())
            .headers(self.headers(&snap))
            .timeout(DELETE_TIMEOUT)
            .send()
            .await;
        match sent {
            Ok(resp) => log_debug!("session closed (HTTP {})", resp.status()),
            Err(e) => log_debug!("closing the session failed: {}", describe(&e)),
        }
    }
}

fn is_error(line: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        error: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_str::<Probe>(line).is_ok_and(|p| p.error.is_some())
}

fn version_value(version: String) -> Option<HeaderValue> {
    HeaderValue::try_from(version).ok()
}

/// `result.protocolVersion` of an `initialize` answer.
fn negotiated_version(line: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Answer {
        result: Option<InitResult>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct InitResult {
        protocol_version: Option<String>,
    }
    serde_json::from_str::<Answer>(line)
        .ok()?
        .result?
        .protocol_version
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_read_from_the_initialize_answer() {
        assert_eq!(
            negotiated_version(r#"{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18","capabilities":{}}}"#).as_deref(),
            Some("2025-06-18")
        );
        assert_eq!(
            negotiated_version(r#"{"jsonrpc":"2.0","id":0,"error":{"code":1,"message":"x"}}"#),
            None
        );
    }
}
