//! One POST and what comes back: a JSON body, an SSE stream (resumed with `Last-Event-ID` when it
//! breaks before the answer), or an HTTP status turned into a [`RelayError`].

use super::deliver::{Delivery, Routing};
use super::{LAST_EVENT_ID, RelayError, Upstream, describe, net, sse};
use crate::jsonrpc::MAX_MESSAGE;
use crate::{log_debug, log_info};
use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Response, StatusCode};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const POST_ACCEPT: &str = "application/json, text/event-stream";
/// After the answer has arrived, how long to wait for the server to end the stream, so the
/// connection goes back to the pool instead of being dropped.
const DRAIN_AFTER_ANSWER: Duration = Duration::from_secs(5);
/// How long the answer waits for the end of its stream before it is handed to the client.
const END_AFTER_ANSWER: Duration = Duration::from_millis(1);
/// Resumes in a row that bring no new event before a call is failed.
const MAX_IDLE_RESUMES: u32 = 3;
/// Longest wait before resuming a stream the server closed on purpose, whatever `retry:` says.
const MAX_RESUME_WAIT_MS: u64 = 30_000;

/// An SSE event bigger than this is held as the buffers it arrived in rather than copied whole.
const STREAM_ABOVE: usize = 256 * 1024;
/// How much of an error status's body is read: enough for a JSON-RPC error and its data.
const ERROR_BODY_LIMIT: usize = 1024 * 1024;

impl Upstream {
    pub(super) fn unreachable(&self, e: &reqwest::Error) -> RelayError {
        if net::is_lost(e) {
            return RelayError::Lost {
                url: self.url.to_string(),
                cause: describe(e),
            };
        }
        if let Some(refusal) = self.trust.refusal(e) {
            return RelayError::Untrusted {
                url: self.url.to_string(),
                refusal,
            };
        }
        if let Some(proxy) = self.proxy.as_ref().filter(|_| e.is_connect()) {
            return RelayError::ProxyFailed {
                url: self.url.to_string(),
                proxy: proxy.clone(),
                cause: describe(e),
            };
        }
        RelayError::Unreachable {
            url: self.url.to_string(),
            cause: describe(e),
        }
    }

    /// POSTs one message with the `headers` it makes (called again for a retry). A request that
    /// provably never reached the server is sent again, on a new connection, while
    /// [`net::RETRY_WINDOW`] lasts, at most twice: one whose connection could not be made, or one
    /// the kernel gave up on before the server acknowledged anything ([`net::never_delivered`])
    /// — the latter only if no other POST was waiting when it was sent and none was sent until
    /// it failed. Over h2 requests share a connection: when it dies, a request acknowledged
    /// moments before fails with the same error as the one that was not, and only a request
    /// alone on the wire is known to be the unacknowledged one.
    pub(super) async fn post(
        &self,
        body: &Bytes,
        headers: impl Fn() -> HeaderMap,
    ) -> Result<Response, RelayError> {
        let first = Instant::now();
        let mut retries = 0;
        let mut rekeyed = false;
        loop {
            let mut request = reqwest::Request::new(reqwest::Method::POST, self.url.clone());
            let h = request.headers_mut();
            *h = headers();
            // The key in use now, whatever `headers` was built with: a retry after a switch
            // carries the new one.
            let key = self.sent_key().header.clone();
            h.insert(super::KEY_HEADER, key.clone());
            h.insert(ACCEPT, HeaderValue::from_static(POST_ACCEPT));
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            *request.body_mut() = Some(body.clone().into());
            let http = self.http();
            let alone = self.posts_waiting.fetch_add(1, Ordering::SeqCst) == 0;
            let mark = self.posts_sent.fetch_add(1, Ordering::SeqCst) + 1;
            let sent_at = Instant::now();
            let sent = http.execute(request).await;
            self.posts_waiting.fetch_sub(1, Ordering::SeqCst);
            let undisturbed = alone && self.posts_sent.load(Ordering::SeqCst) == mark;
            match sent {
                // A 401/403 means the server did not run it: with another key, it goes again.
                Ok(resp)
                    if !rekeyed
                        && matches!(
                            resp.status(),
                            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                        ) =>
                {
                    match self.heal(&key, resp.status().as_u16()).await {
                        super::rekey::Heal::Retry => rekeyed = true,
                        super::rekey::Heal::Refused(e) => return Err(e),
                    }
                }
                Ok(resp) => return Ok(resp),
                Err(e)
                    if retries < 2
                        && first.elapsed() < net::RETRY_WINDOW
                        && (e.is_connect() || undisturbed)
                        && net::never_delivered(&e, sent_at.elapsed()) =>
                {
                    // A reconnect: part of the trail serve.log keeps.
                    log_info!(
                        "{} did not get the request ({}); sending it again on a new connection",
                        self.url,
                        describe(&e)
                    );
                    retries += 1;
                }
                Err(e) => return Err(self.unreachable(&e)),
            }
        }
    }

    /// Forwards the answer to request `id`; a `tools/list` answer also teaches the
    /// `x-mcp-header` annotations.
    pub(super) async fn relay_answer(
        &self,
        resp: Response,
        id: &str,
        method: &str,
        resumable: bool,
    ) -> Result<(), RelayError> {
        let delivery = match (method, &self.filter) {
            ("tools/list", None) => Delivery::ForwardAndKeep,
            // The listing reaches the client without the tools the filter excludes.
            ("tools/list", Some(_)) => Delivery::ForwardOthers,
            _ => Delivery::Forward,
        };
        if let Some(line) = self
            .read_answer(resp, Some(id), delivery, resumable)
            .await?
            && let Some(filtered) = self.learn_tools(&line)
        {
            let _ = self.to_client.send(filtered);
        }
        Ok(())
    }

    /// Reads what the server answered to one POST. With `want` set, returns once that request's
    /// answer has been delivered (resuming a broken SSE stream with `Last-Event-ID`).
    /// `resumable`: a legacy stream, which may be resumed with `Last-Event-ID`.
    pub(super) async fn read_answer(
        &self,
        resp: Response,
        want: Option<&str>,
        delivery: Delivery,
        resumable: bool,
    ) -> Result<Option<String>, RelayError> {
        let status = resp.status();
        let url = self.url.to_string();
        if status.is_redirection() {
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("?")
                .to_owned();
            return Err(RelayError::CrossOriginRedirect { url, location });
        }
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(RelayError::KeyRefused {
                status: status.as_u16(),
                note: None,
            });
        }
        let is_sse = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/event-stream"));
        let mut routing = Routing::new(want, delivery);
        if status.is_success() && is_sse {
            return self.read_sse(resp, &mut routing, resumable).await;
        }
        if !status.is_success() {
            let text = self.error_body(resp).await?;
            // An error status with a JSON-RPC error body is the server's answer: relay it,
            // addressed to the request when the server could not read the id.
            if let Some(id) = want
                && let Some(line) = error_body_for(&text, id)
            {
                return Ok(self
                    .route_text(line, &mut routing)
                    .and_then(|a| self.hand_over(a.ok()?, delivery)));
            }
            return Err(self.status_error(status, &text));
        }
        let text = self.read_body(resp, MAX_MESSAGE).await?;
        if text.trim().is_empty() {
            return match want {
                // 202 to a request: the answer is not coming on this stream, and nothing says it will.
                Some(_) => Err(RelayError::Status {
                    url,
                    status: status.as_u16(),
                    body: "accepted the request without answering it".into(),
                }),
                None => Ok(None),
            };
        }
        match self.route_text(text, &mut routing) {
            Some(answer) => Ok(self.hand_over(answer?, delivery)),
            None if want.is_some() => Err(RelayError::StreamEnded { url }),
            None => Ok(None),
        }
    }

    /// A body read whole, up to `limit` bytes: a longer one is refused, by its `Content-Length`
    /// before any of it is read, or as soon as it passes the limit. Invalid UTF-8 is replaced.
    pub(super) async fn read_body(
        &self,
        mut resp: Response,
        limit: usize,
    ) -> Result<String, RelayError> {
        let too_big = |size| RelayError::TooBig {
            url: self.url.to_string(),
            size,
        };
        let declared = resp.content_length();
        if let Some(len) = declared.filter(|&len| len > limit as u64) {
            return Err(too_big(Some(len)));
        }
        let mut body = Vec::with_capacity(declared.unwrap_or(0) as usize);
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.unreachable(&e))? {
            if body.len() + chunk.len() > limit {
                return Err(too_big(None));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(String::from_utf8(body)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }

    /// The body of an error status, enough of it to show and to find a JSON-RPC error in.
    pub(super) async fn error_body(&self, resp: Response) -> Result<String, RelayError> {
        match self.read_body(resp, ERROR_BODY_LIMIT).await {
            Err(RelayError::TooBig { .. }) => Ok(String::new()),
            other => other,
        }
    }

    /// An HTTP status that is no answer, with the start of its body (control characters removed).
    pub(super) fn status_error(&self, status: StatusCode, body: &str) -> RelayError {
        RelayError::Status {
            url: self.url.to_string(),
            status: status.as_u16(),
            body: crate::log::sanitize(&self.redact(body.trim()))
                .chars()
                .take(200)
                .collect(),
        }
    }

    pub(super) async fn read_sse(
        &self,
        mut resp: Response,
        routing: &mut Routing<'_>,
        resumable: bool,
    ) -> Result<Option<String>, RelayError> {
        // Big messages come in parts, held as the buffers they arrived in until they end.
        let mut reader = sse::Reader::stream_above(STREAM_ABOVE);
        let delivery = routing.delivery;
        let mut kept = None;
        // Resumes in a row that brought no new event: a server that lost the stream answers a
        // resume with an empty stream forever.
        let mut idle_resumes = 0;
        let mut resumed_from: Option<String> = None;
        loop {
            // Why the connection broke, if it did.
            let mut broken: Option<String> = None;
            loop {
                let chunk = if routing.answered {
                    match tokio::time::timeout(DRAIN_AFTER_ANSWER, resp.chunk()).await {
                        Ok(c) => c,
                        Err(_) => break,
                    }
                } else {
                    resp.chunk().await
                };
                match chunk {
                    Ok(Some(bytes)) => {
                        let Some(answer) = self.take_items(reader.feed(&bytes), routing) else {
                            continue;
                        };
                        // Read the stream's end first (it follows the answer at once): the
                        // connection then goes back to the pool before the client can send its
                        // next request, and sequential calls keep one connection.
                        let end = tokio::time::timeout(END_AFTER_ANSWER, resp.chunk()).await;
                        kept = self.hand_over(answer?, delivery);
                        match end {
                            Ok(Ok(None)) | Ok(Err(_)) => break,
                            Ok(Ok(Some(more))) => {
                                self.take_items(reader.feed(&more), routing);
                            }
                            Err(_) => {}
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let cause = describe(&e);
                        log_debug!("stream from {} broke: {cause}", self.url);
                        broken = Some(cause);
                        break;
                    }
                }
            }
            if routing.answered || routing.want.is_none() {
                return Ok(kept);
            }
            reader.interrupted();
            routing.interrupted();
            let url = self.url.to_string();
            let ended = || match &broken {
                Some(cause) => RelayError::Lost {
                    url: url.clone(),
                    cause: cause.clone(),
                },
                None => RelayError::StreamEnded { url: url.clone() },
            };
            // The stream ended after an event id but without the answer: resume it with
            // Last-Event-ID (MCP 2025-11-25). A server that closed it on purpose asked for a wait
            // (`retry:`); a broken connection is retried at once, and only once: if the server is
            // gone the call must fail now, not after a backoff.
            let Some(last) = reader.last_event_id.clone().filter(|_| resumable) else {
                return Err(ended());
            };
            if resumed_from.as_deref() == Some(last.as_str()) {
                idle_resumes += 1;
                if idle_resumes >= MAX_IDLE_RESUMES {
                    log_debug!("resumed {idle_resumes} times without a new event; giving up");
                    return Err(ended());
                }
            } else {
                idle_resumes = 0;
            }
            resumed_from = Some(last.clone());
            if broken.is_none() {
                let wait = reader.retry_ms.unwrap_or(0).min(MAX_RESUME_WAIT_MS);
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
            let snap = self.session.read().await.snapshot();
            let resumed = self
                .http()
                .get(self.url.clone())
                .headers(self.headers(&snap))
                .header(ACCEPT, "text/event-stream")
                .header(LAST_EVENT_ID, last.as_str())
                .send()
                .await;
            resp = match resumed {
                Ok(r) if r.status().is_success() => r,
                Ok(r) if matches!(r.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
                    return Err(RelayError::KeyRefused {
                        status: r.status().as_u16(),
                        note: None,
                    });
                }
                Ok(r) => {
                    log_debug!("resuming the stream got HTTP {}", r.status());
                    return Err(ended());
                }
                Err(e) => {
                    log_debug!("resuming the stream failed: {}", describe(&e));
                    return Err(ended());
                }
            };
        }
    }
}

/// An error status's body, when it is a JSON-RPC error: returned as a line addressed to `id` if
/// the server left the id null or out.
pub(super) fn error_body_for(text: &str, id: &str) -> Option<String> {
    let mut value: serde_json::Value = serde_json::from_str(text.trim()).ok()?;
    let obj = value.as_object_mut()?;
    obj.get("error")?.as_object()?;
    if obj.get("id").is_none_or(|v| v.is_null()) {
        obj.insert("id".into(), serde_json::from_str(id).ok()?);
    }
    obj.entry("jsonrpc").or_insert_with(|| "2.0".into());
    Some(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_addressed_to_the_request() {
        let line = error_body_for(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Bad Request: Missing session ID","data":{"x":1}}}"#, "\"r1\"").unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["id"], "r1");
        assert_eq!(v["error"]["data"]["x"], 1);
        assert!(error_body_for("Not Found", "1").is_none());
        assert!(error_body_for(r#"{"result":{}}"#, "1").is_none());
    }
}
