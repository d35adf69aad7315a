//! An incremental Server-Sent Events reader: bytes in, events out, linear in the input size even
//! for multi-megabyte events split over many chunks. Lines end in CR, LF or CRLF, as the SSE
//! format allows. A reader told to ([`Reader::stream_above`]) hands out the data of a big event
//! in parts as they arrive instead of holding it whole, without copying them: a part is a slice of
//! the chunk it arrived in. What the reader holds itself is bounded by its limit
//! ([`Reader::limit`]): an event or a line past it is skipped to its end and reported as
//! [`Item::TooBig`].

use bytes::{Buf, Bytes};

/// One dispatched event. Events without data are not dispatched, but their `id`/`retry` still count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub data: String,
    pub event: Option<String>,
}

/// What [`Reader::feed`] produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A whole event.
    Event(Event),
    /// The next part of the data of the event being streamed. Line breaks in the data come out
    /// as spaces: JSON whitespace, so a JSON message keeps its value and fits on one line.
    Part(Bytes),
    /// The event being streamed has ended.
    Streamed,
    /// An event whose data went past the reader's limit ended; what was read of it is dropped.
    TooBig,
}

/// The most an event may hold by default: the bridge's limit for one message.
pub const DEFAULT_LIMIT: usize = crate::jsonrpc::MAX_MESSAGE;

#[derive(Debug)]
pub struct Reader {
    /// The start of a line whose end has not arrived yet.
    buf: Vec<u8>,
    /// The last line ended in CR: an LF first thing in the next chunk belongs to that line end.
    after_cr: bool,
    /// The line being read went past the limit: its bytes are dropped until it ends.
    skipping: bool,
    /// The event being read went past the limit: its data is dropped until it ends.
    too_big: bool,
    /// The most data (or one line) the reader holds for one event.
    limit: usize,
    data: Vec<u8>,
    has_data: bool,
    event: Option<String>,
    /// The `id` field of the event being read; it becomes `last_event_id` when the event ends.
    pending_id: Option<String>,
    /// The id of the last event that ended, for `Last-Event-ID` on reconnect.
    pub last_event_id: Option<String>,
    /// The reconnection delay the server asked for, in milliseconds.
    pub retry_ms: Option<u64>,
    /// Data longer than this is streamed (a JSON object only).
    stream_above: Option<usize>,
    /// The current event's data is going out in parts.
    streaming: bool,
    /// Streaming, and the current line is a data line whose value goes out as it arrives.
    in_data_line: bool,
    /// The start of a UTF-8 character that the next chunk completes: parts end on character
    /// boundaries, so each one can be checked and written on its own.
    held: Vec<u8>,
}

impl Default for Reader {
    fn default() -> Reader {
        Reader {
            buf: Vec::new(),
            after_cr: false,
            skipping: false,
            too_big: false,
            limit: DEFAULT_LIMIT,
            data: Vec::new(),
            has_data: false,
            event: None,
            pending_id: None,
            last_event_id: None,
            retry_ms: None,
            stream_above: None,
            streaming: false,
            in_data_line: false,
            held: Vec::new(),
        }
    }
}

impl Reader {
    pub fn new() -> Reader {
        Reader::default()
    }

    /// A reader that streams the data of an event once it holds more than `limit` bytes of it
    /// and the data is a JSON object.
    pub fn stream_above(limit: usize) -> Reader {
        Reader {
            stream_above: Some(limit),
            ..Reader::default()
        }
    }

    /// Sets the most the reader holds for one event (default [`DEFAULT_LIMIT`]). Streamed data
    /// is not held, so it does not count: whoever takes the parts bounds them.
    pub fn limit(mut self, limit: usize) -> Reader {
        self.limit = limit;
        self
    }

    /// Feeds a chunk; returns the events (and parts) it completed. Data is copied once, from
    /// the chunk into the event; an event's text is handed over, not copied again. A streamed
    /// part is not copied at all.
    pub fn feed(&mut self, chunk: &Bytes) -> Vec<Item> {
        let mut items = Vec::new();
        let mut rest = &chunk[..];
        loop {
            if self.after_cr {
                let Some(&first) = rest.first() else {
                    return items;
                };
                self.after_cr = false;
                if first == b'\n' {
                    rest = &rest[1..];
                }
            }
            let end = memchr::memchr2(b'\n', b'\r', rest);
            if self.skipping {
                let Some(pos) = end else {
                    return items;
                };
                self.skipping = false;
                rest = self.past_line_end(rest, pos);
                continue;
            }
            if self.in_data_line {
                let start = rest.as_ptr() as usize - chunk.as_ptr() as usize;
                let part = chunk.slice(start..start + end.unwrap_or(rest.len()));
                self.part(part, end.is_none(), &mut items);
                match end {
                    Some(pos) => {
                        self.in_data_line = false;
                        rest = self.past_line_end(rest, pos);
                        continue;
                    }
                    None => return items,
                }
            }
            match end {
                Some(pos) if self.buf.is_empty() => self.line(&rest[..pos], &mut items),
                Some(pos) => {
                    let mut line = std::mem::take(&mut self.buf);
                    line.extend_from_slice(&rest[..pos]);
                    self.line(&line, &mut items);
                }
                None => {
                    self.buf.extend_from_slice(rest);
                    self.start_streaming(&mut items);
                    self.bound_line();
                    return items;
                }
            }
            rest = self.past_line_end(rest, end.unwrap_or(rest.len()));
        }
    }

    /// What follows the line end at `rest[pos]`, noting a CR (its LF may come in the next chunk).
    fn past_line_end<'a>(&mut self, rest: &'a [u8], pos: usize) -> &'a [u8] {
        match rest.get(pos) {
            Some(b'\r') if rest.get(pos + 1) == Some(&b'\n') => &rest[pos + 2..],
            Some(b'\r') => {
                self.after_cr = pos + 1 == rest.len();
                &rest[pos + 1..]
            }
            Some(_) => &rest[pos + 1..],
            None => &[],
        }
    }

    /// A line still without its end that went past the limit is dropped as it goes on; if it
    /// was a data line, the whole event is.
    fn bound_line(&mut self) {
        if self.in_data_line {
            return;
        }
        let is_data = self.buf.starts_with(b"data");
        let held = if is_data { self.data.len() } else { 0 } + self.buf.len();
        if held <= self.limit {
            return;
        }
        if is_data {
            self.drop_event_data();
        }
        self.buf = Vec::new();
        self.skipping = true;
    }

    /// The event went past the limit: its data so far is freed, the rest is skipped.
    fn drop_event_data(&mut self) {
        self.too_big = true;
        self.has_data = true;
        self.data = Vec::new();
    }

    /// The stream broke: whatever part of an event was read is dropped (a resumed stream sends
    /// the event again, from the last one that ended).
    pub fn interrupted(&mut self) {
        *self = Reader {
            last_event_id: self.last_event_id.take(),
            retry_ms: self.retry_ms,
            stream_above: self.stream_above,
            limit: self.limit,
            ..Reader::default()
        };
    }

    /// With a data line half read: starts (or goes on) streaming the event's data when it is big.
    fn start_streaming(&mut self, items: &mut Vec<Item>) {
        let Some(limit) = self.stream_above.filter(|_| !self.too_big) else {
            return;
        };
        // The field name and the optional space after it must be complete to know the value.
        let Some(value) = self
            .buf
            .strip_prefix(b"data:")
            .filter(|v| !v.is_empty())
            .map(|v| v.strip_prefix(b" ").unwrap_or(v))
        else {
            return;
        };
        let value_at = self.buf.len() - value.len();
        if !self.streaming {
            if self.data.len() + value.len() <= limit {
                return;
            }
            let first = self
                .data
                .iter()
                .chain(value)
                .find(|b| !b.is_ascii_whitespace());
            if first != Some(&b'{') {
                return;
            }
            self.streaming = true;
            if self.has_data {
                let mut earlier = spaced(&std::mem::take(&mut self.data));
                earlier.push(b' ');
                items.push(Item::Part(earlier.into()));
            }
        } else if self.has_data {
            items.push(Item::Part(Bytes::from_static(b" ")));
        }
        self.part(Bytes::copy_from_slice(&self.buf[value_at..]), true, items);
        self.buf.clear();
        self.has_data = true;
        self.in_data_line = true;
    }

    /// Hands on the next bytes of the data line being streamed. While the line goes on
    /// (`continues`), a character cut at the end waits for the rest of it: the few bytes held
    /// and the ones that complete them go out as a part of their own, so the rest of `bytes`
    /// goes on as it is.
    fn part(&mut self, mut bytes: Bytes, continues: bool, items: &mut Vec<Item>) {
        if !self.held.is_empty() {
            let rest = bytes
                .iter()
                .take(3)
                .take_while(|&&b| b & 0xC0 == 0x80)
                .count();
            self.held.extend_from_slice(&bytes[..rest]);
            bytes.advance(rest);
            if !(continues && bytes.is_empty() && cut_character(&self.held) > 0) {
                items.push(Item::Part(std::mem::take(&mut self.held).into()));
            }
        }
        if continues {
            let whole = bytes.len() - cut_character(&bytes);
            self.held.extend_from_slice(&bytes.split_off(whole));
        }
        if !bytes.is_empty() {
            items.push(Item::Part(bytes));
        }
    }

    fn line(&mut self, line: &[u8], items: &mut Vec<Item>) {
        if line.is_empty() {
            self.dispatch(items);
            return;
        }
        if line[0] == b':' {
            return;
        }
        let (field, value) = match memchr::memchr(b':', line) {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" if self.streaming => {
                if self.has_data {
                    items.push(Item::Part(Bytes::from_static(b" ")));
                }
                items.push(Item::Part(spaced(value).into()));
                self.has_data = true;
            }
            b"data" if self.too_big => {}
            b"data" if self.data.len() + 1 + value.len() > self.limit => self.drop_event_data(),
            b"data" => {
                if self.has_data {
                    self.data.push(b'\n');
                }
                self.data.extend_from_slice(value);
                self.has_data = true;
            }
            b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
            b"id" if !value.contains(&0) => {
                self.pending_id = Some(String::from_utf8_lossy(value).into_owned())
            }
            // ASCII digits only, as the SSE format says (a Rust parse would also take `+5`).
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Some(ms) = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok()) {
                    self.retry_ms = Some(ms);
                }
            }
            _ => {}
        }
    }

    /// The end of an event (a blank line). Its id counts from now on, data or not: a stream
    /// broken inside an event is resumed from the event before, so the server sends it again.
    fn dispatch(&mut self, items: &mut Vec<Item>) {
        if let Some(id) = self.pending_id.take() {
            self.last_event_id = Some(id);
        }
        let event = self.event.take();
        if !self.has_data {
            return;
        }
        self.has_data = false;
        if std::mem::take(&mut self.too_big) {
            items.push(Item::TooBig);
            return;
        }
        if self.streaming {
            self.streaming = false;
            items.push(Item::Streamed);
            return;
        }
        let bytes = std::mem::take(&mut self.data);
        let data = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        items.push(Item::Event(Event { data, event }));
    }
}

/// How many bytes at the end of `b` are a UTF-8 character cut short (0 to 3).
fn cut_character(b: &[u8]) -> usize {
    for back in 1..=b.len().min(3) {
        let c = b[b.len() - back];
        if c & 0xC0 == 0x80 {
            continue; // a continuation byte: the lead is further back
        }
        let width = match c {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if width > back { back } else { 0 };
    }
    0
}

/// A copy of `bytes` with the line breaks between data lines turned into spaces (JSON whitespace
/// all the same).
fn spaced(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|&b| if b == b'\n' { b' ' } else { b })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Reader {
        fn feed_slice(&mut self, chunk: &[u8]) -> Vec<Item> {
            self.feed(&Bytes::copy_from_slice(chunk))
        }
    }

    fn events(items: Vec<Item>) -> Vec<Event> {
        items
            .into_iter()
            .map(|i| match i {
                Item::Event(e) => e,
                other => panic!("not streaming, yet got {other:?}"),
            })
            .collect()
    }

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let text = "id: 1\nretry: 500\ndata: \n\n: comment\nevent: message\nid: 2\ndata: {\"a\":\ndata: 1}\r\n\r\n";
        for split in 0..text.len() {
            let mut r = Reader::new();
            let mut evs = events(r.feed_slice(&text.as_bytes()[..split]));
            evs.extend(events(r.feed_slice(&text.as_bytes()[split..])));
            assert_eq!(evs.len(), 2, "split at {split}");
            assert_eq!(evs[0].data, "", "the priming event carries no data");
            assert_eq!(evs[1].data, "{\"a\":\n1}");
            assert_eq!(evs[1].event.as_deref(), Some("message"));
            assert_eq!(r.last_event_id.as_deref(), Some("2"));
            assert_eq!(r.retry_ms, Some(500));
        }
    }

    #[test]
    fn priming_event_sets_id_without_dispatch() {
        let mut r = Reader::new();
        let evs = events(r.feed_slice(b"id: 0/abc\ndata:\n\n"));
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0].data, "");
        assert_eq!(r.last_event_id.as_deref(), Some("0/abc"));
        let mut r = Reader::new();
        assert!(r.feed_slice(b"id: 7\n\n").is_empty());
        assert_eq!(r.last_event_id.as_deref(), Some("7"));
    }

    #[test]
    fn an_event_cut_off_does_not_move_the_resume_point() {
        let mut r = Reader::new();
        r.feed_slice(b"id: 1\ndata: {}\n\nid: 2\ndata: {\"half");
        assert_eq!(
            r.last_event_id.as_deref(),
            Some("1"),
            "resuming must replay event 2"
        );
    }

    #[test]
    fn big_event_in_small_chunks() {
        let payload = "x".repeat(3_000_000);
        let text = format!("data: {payload}\n\n");
        let mut r = Reader::new();
        let mut evs = vec![];
        for chunk in text.as_bytes().chunks(8192) {
            evs.extend(events(r.feed_slice(chunk)));
        }
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0].data.len(), payload.len());
    }

    /// Feeds `text` in chunks of `size`; returns the streamed parts joined (`None` if nothing was
    /// streamed) and the whole events.
    fn stream(text: &str, limit: usize, size: usize) -> (Option<String>, Vec<Event>) {
        let mut r = Reader::stream_above(limit);
        let (mut parts, mut whole, mut streamed) = (Vec::new(), Vec::new(), false);
        for chunk in text.as_bytes().chunks(size) {
            for item in r.feed_slice(chunk) {
                match item {
                    Item::Part(p) => parts.extend(p),
                    Item::Streamed => streamed = true,
                    Item::Event(e) => whole.push(e),
                    Item::TooBig => panic!("chunks of {size}: too big"),
                }
            }
        }
        (streamed.then(|| String::from_utf8(parts).unwrap()), whole)
    }

    #[test]
    fn a_big_json_event_is_streamed_with_the_same_value_on_one_line() {
        let value = "v".repeat(5000);
        let json = format!("{{\"a\": [1,\r\n2],\n \"big\": \"{value}\"\n}}");
        let text = format!(
            "id: 9\nevent: message\n{}\n\ndata: {{\"small\":1}}\n\n",
            json.lines()
                .map(|l| format!("data: {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        // (An event that arrives whole in one chunk is handed on whole: nothing to save.)
        for size in [1, 7, 100, 4096] {
            let (streamed, whole) = stream(&text, 1000, size);
            let streamed = streamed.unwrap_or_else(|| panic!("chunks of {size}: not streamed"));
            assert!(!streamed.contains(['\n', '\r']), "one line");
            let got: serde_json::Value = serde_json::from_str(&streamed).unwrap();
            let want: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(got, want, "chunks of {size}");
            assert_eq!(whole.len(), 1, "the small event after it comes whole");
            assert_eq!(whole[0].data, "{\"small\":1}");
        }
    }

    #[test]
    fn streamed_parts_end_on_character_boundaries() {
        // Two-, three- and four-byte characters, cut by chunks of every small size.
        let value = "é€😀a".repeat(800);
        let text = format!("data: {{\"big\": \"{value}\"}}\n\n");
        for size in 1..=9 {
            let mut r = Reader::stream_above(1000);
            let mut joined = String::new();
            for chunk in text.as_bytes().chunks(size) {
                for item in r.feed_slice(chunk) {
                    if let Item::Part(p) = item {
                        let part = String::from_utf8(p.to_vec());
                        joined.push_str(&part.unwrap_or_else(|e| panic!("chunks of {size}: {e}")));
                    }
                }
            }
            assert_eq!(
                joined,
                format!("{{\"big\": \"{value}\"}}"),
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn invalid_utf8_in_a_streamed_event_reads_as_it_would_whole() {
        // Cut characters, a lead byte without its continuation, stray continuation bytes.
        let mut data = b"{\"big\": \"".to_vec();
        for _ in 0..300 {
            data.extend_from_slice(b"\xE2\x82x\xF0\x9F\x98\x80\x80\xC3\xA9\xF0\x9F!");
        }
        data.extend_from_slice(b"\"}");
        let mut text = b"data: ".to_vec();
        text.extend_from_slice(&data);
        text.extend_from_slice(b"\n\n");
        let want = String::from_utf8_lossy(&data).into_owned();
        for size in 1..=9 {
            let mut r = Reader::stream_above(1000);
            let mut joined = String::new();
            for chunk in text.chunks(size) {
                for item in r.feed_slice(chunk) {
                    if let Item::Part(p) = item {
                        joined.push_str(&String::from_utf8_lossy(&p));
                    }
                }
            }
            assert_eq!(joined, want, "chunks of {size}");
        }
    }

    #[test]
    fn small_events_and_non_objects_are_not_streamed() {
        let (streamed, whole) = stream("data: {\"a\":1}\n\n", 1000, 3);
        assert!(streamed.is_none());
        assert_eq!(whole.len(), 1);
        let long = format!("data: \"{}\"\n\n", "x".repeat(5000));
        let (streamed, whole) = stream(&long, 1000, 100);
        assert!(streamed.is_none(), "only JSON objects are streamed");
        assert_eq!(whole[0].data.len(), 5002);
    }

    #[test]
    fn lines_end_in_cr_lf_or_crlf_wherever_the_chunks_split() {
        let text =
            "id: 1\rdata: {\"a\":\rdata: 1}\r\rid: 2\r\ndata: {}\r\n\r\nretry: 9\ndata: []\n\n";
        for split in 0..=text.len() {
            let mut r = Reader::new();
            let mut evs = events(r.feed_slice(&text.as_bytes()[..split]));
            evs.extend(events(r.feed_slice(&text.as_bytes()[split..])));
            let data: Vec<&str> = evs.iter().map(|e| e.data.as_str()).collect();
            assert_eq!(data, ["{\"a\":\n1}", "{}", "[]"], "split at {split}");
            assert_eq!(r.last_event_id.as_deref(), Some("2"));
            assert_eq!(r.retry_ms, Some(9));
        }
        // A CR at the end of a chunk, its LF at the start of the next: one line end, not two.
        let mut r = Reader::new();
        assert!(r.feed_slice(b"data: x\r").is_empty());
        let evs = events(r.feed_slice(b"\ndata: y\r\n\r\n"));
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0].data, "x\ny");
    }

    #[test]
    fn an_event_over_the_limit_is_dropped_whole_and_the_next_one_is_read() {
        for size in [1, 5, 64, 4096] {
            let text = format!(
                "data: {}\ndata: more\n\ndata: {{\"next\":1}}\n\n",
                "x".repeat(300)
            );
            let mut r = Reader::new().limit(100);
            let mut items = Vec::new();
            for chunk in text.as_bytes().chunks(size) {
                items.extend(r.feed_slice(chunk));
                assert!(r.buf.len() <= 100 && r.data.len() <= 100, "held too much");
            }
            assert_eq!(
                items,
                [
                    Item::TooBig,
                    Item::Event(Event {
                        data: "{\"next\":1}".into(),
                        event: None
                    })
                ],
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn a_line_that_never_ends_is_not_held() {
        let mut r = Reader::new().limit(1000);
        for _ in 0..1000 {
            assert!(r.feed_slice(&[b'a'; 997]).is_empty());
            assert!(r.buf.len() <= 1000);
        }
        let mut r = Reader::new().limit(1000);
        r.feed_slice(b"data: ");
        for _ in 0..1000 {
            assert!(r.feed_slice(&[b'a'; 997]).is_empty());
            assert!(r.buf.len() <= 1000);
        }
        assert_eq!(r.feed_slice(b"\n\n"), [Item::TooBig]);
    }
}
