//! `3minapi mcp serve`'s engine: the stdio side. Newline-delimited JSON-RPC in on stdin, out on
//! stdout (nothing else ever goes to stdout), each request routed to the upstream on its own task
//! and answered as it completes; tool calls judged by the filter first. Must not use `clients` or
//! `commands`: the bridge knows no config file and no command line.

pub mod filter;
pub mod stdio;
mod trail;

use crate::jsonrpc::{self, Invalid, Kind};
use crate::upstream::{Outbox, RelayError, Route, Upstream};
use crate::{log_debug, log_info, log_warn};
use bytes::Bytes;
use filter::Filter;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use stdio::Input;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

pub use stdio::MAX_MESSAGE;

/// Why the bridge cannot reach the upstream at all (no usable key, a refused URL). Every request
/// is answered with it, so the MCP client shows the user what to fix instead of "connection closed".
#[derive(Debug, Clone)]
pub struct SetupProblem {
    pub message: String,
    pub hint: String,
    pub code: i64,
}

impl SetupProblem {
    fn answer(&self, id: &str) -> String {
        let data = serde_json::json!({ "hint": self.hint });
        jsonrpc::error_line(
            id,
            self.code,
            &format!("{}; {}", self.message, self.hint),
            Some(&data),
        )
    }
}

/// What the bridge relays to: a ready upstream, or the problem that stops it from having one.
pub enum Target {
    Ready(Arc<Upstream>),
    Broken(SetupProblem),
}

/// Runs the bridge until stdin closes or a termination signal arrives. `make_target` receives the
/// outbox the upstream writes to.
pub async fn serve(filter: Option<Arc<Filter>>, make_target: impl FnOnce(Outbox) -> Target) {
    let (out_tx, out_rx) = Outbox::new(true);
    let writer = stdio::Writer::start(out_rx);
    let (in_tx, mut in_rx) = mpsc::channel::<Input>(64);
    stdio::read_stdin(in_tx);

    let target = Arc::new(make_target(out_tx.clone()));
    if let Target::Broken(p) = target.as_ref() {
        log_warn!(
            "{}; every request will be answered with this error. hint: {}",
            p.message,
            p.hint
        );
    }
    let cancelled: Arc<Mutex<HashSet<String>>> = Arc::default();
    let inflight: InFlightMap = Arc::default();
    let mut tasks = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown_signal());

    // While the handshake (initialize, notifications/initialized) is on its way upstream, later
    // messages wait: relayed on parallel connections they could overtake it.
    let mut handshake: Option<oneshot::Receiver<()>> = None;
    let interrupted = loop {
        if let Some(done) = handshake.as_mut() {
            tokio::select! {
                _ = done => handshake = None,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                _ = &mut shutdown => break true,
            }
            continue;
        }
        tokio::select! {
            input = in_rx.recv() => match input {
                Some(Input::Line(bytes)) => {
                    handshake = handle_line(bytes, &target, filter.as_ref(), &out_tx, &cancelled, &inflight, &mut tasks);
                }
                Some(Input::TooLong) => {
                    log_warn!("discarded a message longer than {} MiB", MAX_MESSAGE >> 20);
                    let _ = out_tx.send(jsonrpc::error_line(
                        "null",
                        jsonrpc::code::INVALID_REQUEST,
                        &format!("message longer than {} MiB discarded", MAX_MESSAGE >> 20),
                        None,
                    ));
                }
                None => break false,
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            _ = &mut shutdown => break true,
        }
    };

    if interrupted {
        log_info!("exit: a termination signal arrived");
        tasks.abort_all();
    } else {
        // stdin closed: answers still owed are delivered unless a signal cuts the wait short.
        log_debug!(
            "stdin closed; waiting for {} request(s) in flight",
            tasks.len()
        );
        loop {
            tokio::select! {
                next = tasks.join_next() => if next.is_none() { break },
                _ = &mut shutdown => { tasks.abort_all(); break }
            }
        }
    }
    if let Target::Ready(upstream) = target.as_ref() {
        upstream.close().await;
    }
    drop(target);
    drop(out_tx);
    writer.finish().await;
    if !interrupted {
        log_info!("exit: the client closed stdin");
    }
}

/// Answers or relays one line. Returns a receiver that completes when a handshake message has
/// been relayed, for the caller to wait on before reading on.
fn handle_line(
    bytes: Vec<u8>,
    target: &Arc<Target>,
    filter: Option<&Arc<Filter>>,
    out: &Outbox,
    cancelled: &Arc<Mutex<HashSet<String>>>,
    inflight: &InFlightMap,
    tasks: &mut JoinSet<()>,
) -> Option<oneshot::Receiver<()>> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            log_warn!("a line on stdin is not UTF-8; answered with a parse error");
            let _ = out.send(Invalid::Parse("the line is not valid UTF-8".into()).answer());
            return None;
        }
    };
    if text.trim().is_empty() {
        return None;
    }
    let parsed = jsonrpc::parse(&text);
    let (kind, cancels, params) = match parsed {
        Ok(msg) => {
            let cancels = match &msg.kind {
                Kind::Notification { method } if method == "notifications/cancelled" => {
                    msg.params.request_id.map(str::to_owned)
                }
                _ => None,
            };
            (msg.kind, cancels, msg.params)
        }
        Err(invalid) => {
            log_warn!(
                "a line on stdin is not a JSON-RPC message ({invalid:?}); answered with an error"
            );
            let _ = out.send(invalid.answer());
            return None;
        }
    };
    if let Kind::Request { method, .. } = &kind {
        trail::session_start(method, &params, &text);
    }
    let upstream = match (target.as_ref(), &kind) {
        (Target::Broken(problem), Kind::Request { id, .. }) => {
            let _ = out.send(problem.answer(id));
            return None;
        }
        (Target::Broken(_), _) => {
            log_debug!("not relaying a notification or response: no usable upstream");
            return None;
        }
        (Target::Ready(upstream), _) => Arc::clone(upstream),
    };
    if let Some(id) = cancels {
        // A stateless request is cancelled by closing its stream: nothing is sent upstream.
        let stateless = inflight.lock().ok().and_then(|mut m| m.remove(&id));
        if let Some(flight) = stateless {
            log_debug!("cancelling request {id}: closing its stream");
            flight.task.abort();
            return None;
        }
        if let Ok(mut set) = cancelled.lock() {
            set.insert(id);
        }
    }
    let route = match &kind {
        Kind::Request { method, .. } => Some(Route::of(method, text.as_bytes(), &params)),
        _ => None,
    };
    // A tools/call under filter flags is judged before it may go upstream.
    let judge = match &kind {
        Kind::Request { method, .. } if method == "tools/call" => filter.cloned(),
        _ => None,
    };
    let body = Bytes::from(text);
    let is_handshake = matches!(&kind,
        Kind::Request { method, .. } | Kind::Notification { method }
            if method == "initialize" || method == "notifications/initialized");
    let (done_tx, done_rx) = is_handshake.then(oneshot::channel::<()>).unzip();
    let out = out.clone();
    let cancelled = Arc::clone(cancelled);
    // A stateless request is registered to be cancelled by closing its stream (a session's
    // request is cancelled upstream, by relaying the notification).
    let stateless = match (&kind, &route) {
        (Kind::Request { id, .. }, Some(route)) if upstream.is_stateless(route) => Some(id.clone()),
        _ => None,
    };
    let flights = Arc::clone(inflight);
    // The task starts once it is registered, so its own removal cannot come before the insert.
    let (registered_tx, registered_rx) = stateless.is_some().then(oneshot::channel::<()>).unzip();
    let task = tasks.spawn(async move {
        let _done = done_tx; // dropped when the relay is over
        let registered = match registered_rx {
            Some(rx) => rx.await.is_ok(),
            None => false,
        };
        match (kind, route) {
            (Kind::Request { id, method }, Some(route)) => {
                let refused = match &judge {
                    Some(filter) => {
                        let tool = route.name.as_deref().unwrap_or_default();
                        upstream.learn_tool_for_filter(tool, &route).await;
                        let args = route
                            .arguments
                            .clone()
                            .and_then(|r| std::str::from_utf8(&body[r]).ok());
                        filter.check_call(tool, args).err()
                    }
                    None => None,
                };
                let result = match refused {
                    Some(refusal) => {
                        log_info!("{}", refusal.0);
                        let _ = out.send(refusal_line(&id, &refusal.0));
                        Ok(())
                    }
                    None => upstream.request(&id, &route, body).await,
                };
                if registered && let Ok(mut m) = flights.lock() {
                    m.remove(&id);
                }
                let was_cancelled = cancelled.lock().map(|mut s| s.remove(&id)).unwrap_or(false);
                if let Err(e) = result {
                    if was_cancelled {
                        log_debug!("request {id} was cancelled; not answering its failure ({e})");
                    } else {
                        // With the fix, as the client is told: doctor's `bridge.recent` shows it.
                        log_warn!("{method} failed: {e}; hint: {}", e.hint());
                        let _ = out.send(e.answer(&id));
                    }
                }
            }
            (Kind::Notification { method }, _) => {
                log_failure(&method, upstream.notify(Some(&method), body).await)
            }
            _ => log_failure("a response", upstream.notify(None, body).await),
        }
    });
    if let Some(id) = stateless
        && let Ok(mut m) = inflight.lock()
    {
        m.insert(id, InFlight { task });
    }
    if let Some(tx) = registered_tx {
        let _ = tx.send(());
    }
    done_rx
}

/// The answer to a refused `tools/call`: a tool result with `isError`, so the model reads why.
fn refusal_line(id: &str, text: &str) -> String {
    let result = serde_json::json!({
        "content": [{"type": "text", "text": text}],
        "isError": true,
    });
    format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{result}}}"#)
}

/// A stateless request being relayed: cancelled by closing its POST.
struct InFlight {
    task: tokio::task::AbortHandle,
}

type InFlightMap = Arc<Mutex<HashMap<String, InFlight>>>;

fn log_failure(what: &str, result: Result<(), RelayError>) {
    if let Err(e) = result {
        log_warn!("could not relay {what}: {e}; hint: {}", e.hint());
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
