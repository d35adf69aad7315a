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
    buf: Vec<u8>,
    /// Bytes of `buf` already searched for a line end.
    scanned: usize,
    data: String,
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

    /// Feeds a chunk; returns the events it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<Event> {
        self.buf.extend_from_slice(chunk);
        let mut events = Vec::new();
        let mut start = 0;
        while let Some(pos) = self.buf[self.scanned..].iter().position(|&b| b == b'\n') {
            let end = self.scanned + pos;
            let mut line_end = end;
            if line_end > start && self.buf[line_end - 1] == b'\r' {
                line_end -= 1;
            }
            let line = String::from_utf8_lossy(&self.buf[start..line_end]).into_owned();
            if let Some(ev) = self.line(&line) {
                events.push(ev);
            }
            start = end + 1;
            self.scanned = start;
        }
        if start > 0 {
            self.buf.drain(..start);
        }
        self.scanned = self.buf.len();
        events
    }

    fn line(&mut self, line: &str) -> Option<Event> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_owned()),
            "id" if !value.contains('\0') => self.last_event_id = Some(value.to_owned()),
            "retry" => {
                if let Ok(ms) = value.parse() {
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
        Some(Event {
            data: std::mem::take(&mut self.data),
            event,
        })
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
