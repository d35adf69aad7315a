//! Where the server's messages go: the [`Outbox`], the upstream's own way to hand messages to
//! whoever created it (the bridge writes them to stdout; the one-shot [`super::client`] reads them),
//! and the routing of each response stream: it may carry the answer to its own request, once, and
//! the server's requests and notifications; any other answer is dropped. A big message is held as
//! the read buffers it arrived in, without a copy, and handed on once it has ended within the limit.

use super::{RelayError, Upstream, sse};
use crate::jsonrpc::{self, Kind, MAX_MESSAGE};
use crate::log::sanitize;
use crate::log_warn;
use bytes::Bytes;
use tokio::sync::mpsc;

/// One message for the reader of an [`Outbox`].
pub enum Out {
    /// One message, without its newline.
    Line(String),
    /// One big message as the read buffers it arrived in, to be written one after the other:
    /// valid UTF-8 together, no line break inside.
    Parts(Vec<Bytes>),
}

/// Where the upstream puts what the server sends, for whoever made it (the bridge: stdout), shared
/// by every task that relays a request.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<Out>,
    parts: bool,
}

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

    /// Queues one message from the server, in parts when the reader takes them.
    pub(super) fn send_message(&self, message: Message) -> bool {
        match message {
            Message::Parts(parts) if self.parts => self.tx.send(Out::Parts(parts)).is_ok(),
            other => self.send(other.into_line()),
        }
    }
}

/// A message from the server: a line of text, or a big one as the buffers it arrived in.
pub(super) enum Message {
    Line(String),
    Parts(Vec<Bytes>),
}

impl Message {
    /// The message as one string (a big one is copied together: only for callers that need it
    /// whole, never on the bridge's way to stdout).
    pub(super) fn into_line(self) -> String {
        match self {
            Message::Line(line) => line,
            Message::Parts(parts) => {
                let mut line = String::with_capacity(parts.iter().map(Bytes::len).sum());
                for part in &parts {
                    // Each part was checked (or made) valid UTF-8 when it arrived.
                    line.push_str(&String::from_utf8_lossy(part));
                }
                line
            }
        }
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

/// The answer a stream brought, for [`Upstream::hand_over`]; an error when it was over the limit.
pub(super) type Answer = Result<Message, RelayError>;

/// How one response stream is routed.
pub(super) struct Routing<'a> {
    /// The request this stream answers (`None`: a notification's stream, or the GET stream).
    pub(super) want: Option<&'a str>,
    pub(super) delivery: Delivery,
    /// The answer to `want` came: another one is dropped.
    pub(super) answered: bool,
    /// A big message being received in parts.
    big: Option<BigMessage>,
}

impl<'a> Routing<'a> {
    pub(super) fn new(want: Option<&'a str>, delivery: Delivery) -> Routing<'a> {
        Routing {
            want,
            delivery,
            answered: false,
            big: None,
        }
    }

    /// A big message cut off by a broken stream is dropped (a resumed stream sends it again).
    pub(super) fn interrupted(&mut self) {
        self.big = None;
    }
}

impl Upstream {
    /// Routes what an SSE chunk completed; returns the answer to the stream's request if it came.
    pub(super) fn take_items(&self, items: Vec<sse::Item>, r: &mut Routing) -> Option<Answer> {
        let mut answer = None;
        for item in items {
            let found = match item {
                sse::Item::Event(ev) => self.route_text(ev.data, r),
                sse::Item::Part(part) => {
                    let big = r.big.get_or_insert_with(BigMessage::default);
                    big.push(part);
                    // The answer is over the limit: say so now rather than read the rest of it.
                    let over_id = big.over.then(|| big.top.answer_id().map(str::to_owned));
                    let refused = over_id.flatten().is_some_and(|id| r.takes(&id));
                    refused.then(|| {
                        r.answered = true;
                        r.big = None;
                        Err(self.too_big())
                    })
                }
                sse::Item::Streamed => r.big.take().and_then(|big| self.route_big(big, r)),
                sse::Item::TooBig => {
                    log_warn!(
                        "dropped an event from the upstream over the {} MiB limit that is not a JSON-RPC object",
                        MAX_MESSAGE >> 20
                    );
                    None
                }
            };
            answer = answer.or(found);
        }
        answer
    }

    /// Routes one whole message.
    pub(super) fn route_text(&self, data: String, r: &mut Routing) -> Option<Answer> {
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
        match kind {
            Ok(kind) => self.route(kind, Message::Line(line), r),
            Err(e) => {
                log_warn!("dropping a message from the upstream that is not JSON-RPC: {e:?}");
                None
            }
        }
    }

    /// Routes a big message that has ended; nothing of one over the limit reaches the client.
    fn route_big(&self, big: BigMessage, r: &mut Routing) -> Option<Answer> {
        let Some(kind) = big.top.finish() else {
            log_warn!("dropped a big message from the upstream that is not JSON-RPC");
            return None;
        };
        if !big.over {
            return self.route(kind, Message::Parts(big.parts), r);
        }
        if let Kind::Response { id } = &kind
            && r.takes(id)
        {
            r.answered = true;
            return Some(Err(self.too_big()));
        }
        log_warn!(
            "dropped a message from the upstream over the {} MiB limit",
            MAX_MESSAGE >> 20
        );
        None
    }

    /// The answer to the stream's request is returned (once); the server's own requests and
    /// notifications go to the client; any other answer is dropped: relayed, it would answer
    /// another request of the client's, or this one twice.
    fn route(&self, kind: Kind, message: Message, r: &mut Routing) -> Option<Answer> {
        let message = self.redacted(message);
        match kind {
            Kind::Response { id } if r.takes(&id) => {
                r.answered = true;
                Some(Ok(message))
            }
            Kind::Response { id } => {
                log_warn!(
                    "dropped an answer for id {} that this stream may not carry{}",
                    sanitize(&id),
                    if r.answered && r.want.is_some_and(|w| jsonrpc::same_id(&id, w)) {
                        " (it had been answered already)"
                    } else {
                        ""
                    }
                );
                None
            }
            _ => {
                if r.delivery != Delivery::Keep {
                    let _ = self.to_client.send_message(message);
                }
                None
            }
        }
    }

    /// The message with the key masked wherever the server echoed it (rare: then it is copied).
    fn redacted(&self, message: Message) -> Message {
        let key = self.sent_key();
        let found = match &message {
            Message::Line(line) => key.finder.find(line.as_bytes()).is_some(),
            // Whole parts, and the seams between them, where the key could be cut in two.
            Message::Parts(parts) => {
                let reach = key.finder.needle().len().saturating_sub(1);
                parts.iter().any(|p| key.finder.find(p).is_some())
                    || parts.windows(2).any(|w| {
                        let mut seam = w[0][w[0].len().saturating_sub(reach)..].to_vec();
                        seam.extend_from_slice(&w[1][..reach.min(w[1].len())]);
                        key.finder.find(&seam).is_some()
                    })
            }
        };
        if !found {
            return message;
        }
        log_warn!("the upstream sent the MCP key back in a message; relayed with the key masked");
        Message::Line(self.redact(&message.into_line()))
    }

    /// `text` with the key masked.
    pub(super) fn redact(&self, text: &str) -> String {
        let sent = self.sent_key();
        match sent.header.to_str() {
            Ok(key) if !key.is_empty() => text.replace(key, &sent.masked),
            _ => text.to_owned(),
        }
    }

    fn too_big(&self) -> RelayError {
        RelayError::TooBig {
            url: self.url.to_string(),
            size: None,
        }
    }

    /// Sends the answer to the client and/or keeps it, as `delivery` says.
    pub(super) fn hand_over(&self, answer: Message, delivery: Delivery) -> Option<String> {
        match delivery {
            Delivery::Forward => {
                let _ = self.to_client.send_message(answer);
                None
            }
            Delivery::ForwardAndKeep => {
                let line = answer.into_line();
                let _ = self.to_client.send(line.clone());
                Some(line)
            }
            Delivery::ForwardOthers | Delivery::Keep => Some(answer.into_line()),
        }
    }
}

impl Routing<'_> {
    /// Whether an answer with this id is the one this stream is waiting for.
    fn takes(&self, id: &str) -> bool {
        !self.answered && self.want.is_some_and(|w| jsonrpc::same_id(id, w))
    }
}

/// A big message received in parts, held until it ends and is known to fit. Its top level is read
/// as it arrives (a bounded state), so even one over the limit can be told apart.
#[derive(Default)]
struct BigMessage {
    parts: Vec<Bytes>,
    len: usize,
    /// Past the limit: the parts are dropped, only the top level is still read.
    over: bool,
    top: jsonrpc::TopLevel,
}

impl BigMessage {
    fn push(&mut self, part: Bytes) {
        // Invalid UTF-8 is replaced, as in whole messages (parts end on character boundaries:
        // see [`sse::Reader`]).
        let part = match std::str::from_utf8(&part) {
            Ok(_) => part,
            Err(_) => Bytes::from(String::from_utf8_lossy(&part).into_owned()),
        };
        self.top.feed(&part);
        if self.over {
            return;
        }
        self.len += part.len();
        if self.len > MAX_MESSAGE {
            self.over = true;
            self.parts = Vec::new();
        } else {
            self.parts.push(part);
        }
    }
}
