//! The SSE reader: however the stream is cut (the chunks are the fuzzer's choice), the same events
//! come out, with the same `last_event_id` and `retry_ms`; and a reader that streams big events
//! (`stream_above`, a small limit the fuzzer picks) hands out, for each event it streams, parts
//! that joined are the event's data with each line break between data lines turned into one
//! space (`Item::Part`), and every other event whole, as the plain reader does.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use threeminapi::upstream::sse::{Event, Item, Reader};
use threeminapi_fuzz::plan;

fn feed(mut reader: Reader, chunks: &[&[u8]]) -> (Vec<Item>, Reader) {
    let mut items = Vec::new();
    for chunk in chunks {
        items.extend(reader.feed(&Bytes::copy_from_slice(chunk)));
    }
    (items, reader)
}

/// What the streaming reader gave for one event.
#[derive(Debug)]
enum Got {
    Whole(Event),
    /// The parts joined, each read on its own (a part must end on a character boundary).
    Streamed(String),
}

fuzz_target!(|data: &[u8]| {
    let plan = plan(data);
    let chunks = plan.chunks();
    let (whole, r_whole) = feed(Reader::new(), &[plan.body]);
    let (parts, r_parts) = feed(Reader::new(), &chunks);
    assert_eq!(parts, whole, "chunks {:?}", plan.sizes);
    assert_eq!(r_parts.last_event_id, r_whole.last_event_id);
    assert_eq!(r_parts.retry_ms, r_whole.retry_ms);
    let want: Vec<Event> = whole
        .into_iter()
        .map(|item| match item {
            Item::Event(e) => e,
            other => panic!("a reader that does not stream gave {other:?}"),
        })
        .collect();

    let limit = usize::from(plan.spare);
    let (items, r_stream) = feed(Reader::stream_above(limit), &chunks);
    assert_eq!(r_stream.last_event_id, r_whole.last_event_id);
    assert_eq!(r_stream.retry_ms, r_whole.retry_ms);
    let utf8 = std::str::from_utf8(plan.body).is_ok();
    let mut got = Vec::new();
    let mut joined: Option<String> = None;
    for item in items {
        match item {
            Item::Event(e) => {
                assert!(joined.is_none(), "a whole event inside a streamed one");
                got.push(Got::Whole(e));
            }
            Item::Part(p) => {
                if utf8 {
                    assert!(
                        std::str::from_utf8(&p).is_ok(),
                        "part {p:?} cuts a character"
                    );
                }
                joined
                    .get_or_insert_with(String::new)
                    .push_str(&String::from_utf8_lossy(&p));
            }
            Item::Streamed => {
                got.push(Got::Streamed(
                    joined.take().expect("Streamed without parts"),
                ));
            }
            #[allow(unreachable_patterns)]
            other => panic!("unexpected {other:?}"),
        }
    }
    // An event still open at the end has no counterpart: the plain reader has not ended it either.
    assert_eq!(got.len(), want.len(), "events: {got:?} against {want:?}");
    for (got, want) in got.iter().zip(&want) {
        match got {
            Got::Whole(e) => assert_eq!(e, want),
            Got::Streamed(s) => {
                assert!(want.data.len() > limit, "streamed at or under the limit");
                assert!(
                    !s.contains(['\n', '\r']),
                    "streamed data on more than one line"
                );
                assert_eq!(*s, want.data.replace('\n', " "), "streamed above {limit}");
            }
        }
    }
});
