//! An incremental Server-Sent Events reader: bytes in, events out, linear in the input size even
//! for multi-megabyte events split over many chunks.

/// One dispatched event. Events without data are not dispatched, but their `id`/`retry` still count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub data: String,
    pub event: Option<String>,
}

#[derive(Debug, Default)]
pub struct Reader {
    /// The start of a line whose end has not arrived yet.
    buf: Vec<u8>,
    data: Vec<u8>,
    has_data: bool,
    event: Option<String>,
    /// The last event id seen, for `Last-Event-ID` on reconnect.
    pub last_event_id: Option<String>,
    /// The reconnection delay the server asked for, in milliseconds.
    pub retry_ms: Option<u64>,
}

impl Reader {
    pub fn new() -> Reader {
        Reader::default()
    }

    /// Feeds a chunk; returns the events it completed. Data is copied once, from the chunk into
    /// the event; an event's text is handed over, not copied again.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<Event> {
        let mut events = Vec::new();
        let mut rest = chunk;
        // Complete the line begun in an earlier chunk.
        if !self.buf.is_empty() {
            match memchr::memchr(b'\n', rest) {
                Some(pos) => {
                    let mut line = std::mem::take(&mut self.buf);
                    line.extend_from_slice(&rest[..pos]);
                    if let Some(ev) = self.line(&line) {
                        events.push(ev);
                    }
                    rest = &rest[pos + 1..];
                }
                None => {
                    self.buf.extend_from_slice(rest);
                    return events;
                }
            }
        }
        while let Some(pos) = memchr::memchr(b'\n', rest) {
            if let Some(ev) = self.line(&rest[..pos]) {
                events.push(ev);
            }
            rest = &rest[pos + 1..];
        }
        self.buf.extend_from_slice(rest);
        events
    }

    fn line(&mut self, line: &[u8]) -> Option<Event> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return None;
        }
        let (field, value) = match memchr::memchr(b':', line) {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                if self.has_data {
                    self.data.push(b'\n');
                }
                self.data.extend_from_slice(value);
                self.has_data = true;
            }
            b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
            b"id" if !value.contains(&0) => {
                self.last_event_id = Some(String::from_utf8_lossy(value).into_owned())
            }
            b"retry" => {
                if let Some(ms) = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok()) {
                    self.retry_ms = Some(ms);
                }
            }
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<Event> {
        let event = self.event.take();
        if !self.has_data {
            return None;
        }
        self.has_data = false;
        let bytes = std::mem::take(&mut self.data);
        let data = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Some(Event { data, event })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let text = "id: 1\nretry: 500\ndata: \n\n: comment\nevent: message\nid: 2\ndata: {\"a\":\ndata: 1}\r\n\r\n";
        for split in 0..text.len() {
            let mut r = Reader::new();
            let mut evs = r.feed(&text.as_bytes()[..split]);
            evs.extend(r.feed(&text.as_bytes()[split..]));
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
        let evs = r.feed(b"id: 0/abc\ndata:\n\n");
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0].data, "");
        assert_eq!(r.last_event_id.as_deref(), Some("0/abc"));
        let mut r = Reader::new();
        assert!(r.feed(b"id: 7\n\n").is_empty());
        assert_eq!(r.last_event_id.as_deref(), Some("7"));
    }

    #[test]
    fn big_event_in_small_chunks() {
        let payload = "x".repeat(3_000_000);
        let text = format!("data: {payload}\n\n");
        let mut r = Reader::new();
        let mut evs = vec![];
        for chunk in text.as_bytes().chunks(8192) {
            evs.extend(r.feed(chunk));
        }
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0].data.len(), payload.len());
    }
}
