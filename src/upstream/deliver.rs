//! Where the server's messages go: the [`Outbox`], the upstream's own way to hand messages to
//! whoever created it (the bridge writes them to stdout; the one-shot [`super::client`] reads them),
//! whole or, for big ones, as parts sliced from the network's reads without a copy.

use super::{Upstream, sse};
use crate::jsonrpc::{self, Kind};
use crate::log_warn;
use bytes::Bytes;
use tokio::sync::mpsc;

/// One message for the reader of an [`Outbox`].
pub enum Out {
    /// One message, without its newline.
    Line(String),
    /// One message in parts, ended by [`Part::End`]; nothing else comes out until it ends.
    Parts(mpsc::Receiver<Part>),
}

/// A piece of a big message: a slice of one read from the server, valid UTF-8.
pub enum Part {
    Data(Bytes),
    /// The message is complete. A sender dropped without it cut the message off.
    End,
}

/// Where the upstream puts what the server sends, for whoever made it (the bridge: stdout), shared
/// by every task that relays a request.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<Out>,
    parts: bool,
}

/// Parts of one message waiting for the reader at most (backpressure on the upstream's stream). A
/// part is what one read from the upstream brought, up to ~0.7 MB; one queued while another is
/// written keeps stdout busy, and more would only hold memory (8 held 5 MB of a 5.7 MB answer).
const PARTS_QUEUED: usize = 1;

impl Outbox {
    /// `parts`: whether the reader takes a message in parts (stdout does; a caller that reads
    /// whole answers does not, and then every message comes as a [`Out::Line`]).
    pub fn new(parts: bool) -> (Outbox, mpsc::UnboundedReceiver<Out>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Outbox { tx, parts }, rx)
    }

    /// Queues one message; false when the reader is gone.
    pub fn send(&self, line: String) -> bool {
        self.tx.send(Out::Line(line)).is_ok()
    }

    /// Opens one message sent in parts, when the reader takes parts.
    pub fn parts(&self) -> Option<mpsc::Sender<Part>> {
        if !self.parts {
            return None;
        }
        let (tx, rx) = mpsc::channel(PARTS_QUEUED);
        self.tx.send(Out::Parts(rx)).ok()?;
        Some(tx)
    }

    pub fn takes_parts(&self) -> bool {
        self.parts
    }
}

/// What to do with the messages read from a response.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Delivery {
    /// Everything goes to the client.
    Forward,
    /// Everything goes to the client, and the answer is also returned.
    ForwardAndKeep,
    /// Everything but the answer goes to the client; the answer is returned, for the caller to
    /// decide.
    ForwardOthers,
    /// The answer is returned; nothing reaches the client (a replayed handshake).
    Keep,
}

impl Upstream {
    /// Hands on what an SSE chunk completed: whole messages through [`Upstream::deliver`] (the
    /// answer to `want` is returned), parts of a big message straight to the client. The flag
    /// says that the answer to `want` was streamed.
    pub(super) async fn take_items(
        &self,
        items: Vec<sse::Item>,
        want: Option<&str>,
        delivery: Delivery,
        streaming: &mut Option<Streaming>,
    ) -> (Option<String>, bool) {
        let (mut answer, mut streamed) = (None, false);
        for item in items {
            match item {
                sse::Item::Event(ev) => {
                    if let Some(a) = self.deliver(ev.data, want, delivery) {
                        answer = Some(a);
                    }
                }
                sse::Item::Part(part) => {
                    streaming
                        .get_or_insert_with(|| Streaming::start(&self.to_client))
                        .send(part)
                        .await;
                }
                sse::Item::Streamed => {
                    if let Some(s) = streaming.take() {
                        streamed |= s.finish(want).await;
                    }
                }
            }
        }
        (answer, streamed)
    }

    /// Hands one message from the server to the client. The answer to `want` is not sent but
    /// returned, for [`Upstream::hand_over`] once the caller has done what must come first.
    pub(super) fn deliver(
        &self,
        data: String,
        want: Option<&str>,
        delivery: Delivery,
    ) -> Option<String> {
        if data.trim().is_empty() {
            return None; // SSE priming events carry no message
        }
        // Most messages are one line already: then the text is handed on without a copy.
        let flat = match jsonrpc::one_line(&data) {
            std::borrow::Cow::Borrowed(b) if b.len() == data.len() => None,
            other => Some(other.into_owned()),
        };
        let line = flat.unwrap_or(data);
        // A big message is routed on its top level only: a full parse of multi-megabyte tool
        // results cost more than everything else the relay does to them.
        let kind = if line.len() >= jsonrpc::SCAN_THRESHOLD {
            jsonrpc::scan_top_level(&line)
                .ok_or_else(|| jsonrpc::Invalid::Parse("not a JSON-RPC object".into()))
        } else {
            jsonrpc::parse(&line).map(|msg| msg.kind)
        };
        let is_answer = match kind {
            Ok(kind) => {
                matches!((&kind, want), (Kind::Response { id }, Some(w)) if jsonrpc::same_id(id, w))
            }
            Err(e) => {
                log_warn!("dropping a message from the upstream that is not JSON-RPC: {e:?}");
                return None;
            }
        };
        if is_answer {
            return Some(line);
        }
        if delivery != Delivery::Keep {
            let _ = self.to_client.send(line);
        }
        None
    }

    /// Sends the answer to the client and/or keeps it, as `delivery` says.
    pub(super) fn hand_over(&self, answer: String, delivery: Delivery) -> Option<String> {
        match delivery {
            Delivery::Forward => {
                let _ = self.to_client.send(answer);
                None
            }
            Delivery::ForwardAndKeep => {
                let _ = self.to_client.send(answer.clone());
                Some(answer)
            }
            Delivery::ForwardOthers | Delivery::Keep => Some(answer),
        }
    }
}

/// One big message on its way to the client in parts. Its top level is read as it passes, to
/// know at the end whether it was the answer being waited for; invalid UTF-8 is replaced, as
/// for whole messages (parts end on character boundaries: see [`sse::Reader`]).
pub(super) struct Streaming {
    tx: Option<mpsc::Sender<Part>>,
    top: jsonrpc::TopLevel,
}

impl Streaming {
    fn start(out: &Outbox) -> Streaming {
        Streaming {
            tx: out.parts(),
            top: jsonrpc::TopLevel::default(),
        }
    }

    async fn send(&mut self, part: Bytes) {
        let part = match std::str::from_utf8(&part) {
            Ok(_) => part,
            Err(_) => Bytes::from(String::from_utf8_lossy(&part).into_owned()),
        };
        self.top.feed(&part);
        if let Some(tx) = &self.tx
            && tx.send(Part::Data(part)).await.is_err()
        {
            self.tx = None; // stdout is gone
        }
    }

    /// Ends the message; true when it was the answer to `want`.
    async fn finish(self, want: Option<&str>) -> bool {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Part::End).await;
        }
        match self.top.finish() {
            Some(Kind::Response { id }) => want.is_some_and(|w| jsonrpc::same_id(&id, w)),
            Some(_) => false,
            None => {
                log_warn!("relayed a big message from the upstream that is not JSON-RPC");
                false
            }
        }
    }
}
