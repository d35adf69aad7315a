//! The upstream's answers arrive as Server-Sent Events cut into chunks wherever the network cut
//! them. These properties check that the reader gives the events the WHATWG parsing rules give
//! (a reference reader below, written straight from them), for any chunking, with every field,
//! comment and line end the rules allow, and that a big event streamed in parts carries the
//! same data.
//!
//! `cargo test` runs a few hundred cases; for a longer search:
//! `PROPTEST_CASES=100000 cargo test --release --test prop_sse`.

mod prop_common;

use bytes::Bytes;
use prop_common::{cuts, parts};
use proptest::prelude::*;
use proptest::sample::select;
use std::fmt;
use threeminapi::upstream::sse::{Item, Reader};

/// How a line ends. The rules accept all three, mixed in one stream.
#[derive(Clone, Copy, Debug, PartialEq)]
enum End {
    Lf,
    CrLf,
    Cr,
}

const LF_AND_CRLF: &[End] = &[End::Lf, End::CrLf];
const ALL_ENDS: &[End] = &[End::Lf, End::CrLf, End::Cr];

/// One line of a stream: a field name (or a comment, or nothing for the blank line that ends
/// an event), the spaces after its colon, and the value.
#[derive(Clone, Debug)]
enum Line {
    Field {
        name: &'static str,
        spaces: usize,
        value: Vec<u8>,
    },
    /// `data`, `id`, … alone on the line: the field with an empty value.
    Bare(&'static str),
    Comment(Vec<u8>),
    Blank,
}

#[derive(Clone)]
struct Stream {
    lines: Vec<(Line, End)>,
    /// The start of a line whose end has not arrived: the rules drop it.
    tail: Vec<u8>,
}

impl Stream {
    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (line, end) in &self.lines {
            match line {
                Line::Field {
                    name,
                    spaces,
                    value,
                } => {
                    out.extend_from_slice(name.as_bytes());
                    out.push(b':');
                    out.extend(std::iter::repeat_n(b' ', *spaces));
                    out.extend_from_slice(value);
                }
                Line::Bare(name) => out.extend_from_slice(name.as_bytes()),
                Line::Comment(text) => {
                    out.push(b':');
                    out.extend_from_slice(text);
                }
                Line::Blank => {}
            }
            out.extend_from_slice(match end {
                End::Lf => b"\n",
                End::CrLf => b"\r\n",
                End::Cr => b"\r",
            });
        }
        out.extend_from_slice(&self.tail);
        out
    }
}

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.bytes()))
    }
}

/// A field value: text with colons and spaces in it, JSON, other scripts, and bytes that are
/// not UTF-8 (a character cut short, a stray byte); never a line end.
fn value() -> BoxedStrategy<Vec<u8>> {
    let piece = prop_oneof![
        4 => "[a-z0-9 :,\"]{0,8}".prop_map(String::into_bytes),
        2 => r#"\{"[a-z]{1,4}": \[?[0-9]{1,3},?"#.prop_map(String::into_bytes),
        1 => select(vec!["é", "€😀", "\t", " ", "}", "data: x"]).prop_map(|s| s.as_bytes().to_vec()),
        1 => select(vec![&b"\xff"[..], b"\xe2\x82", b"\xf0\x9f", b"\x80"]).prop_map(<[u8]>::to_vec),
    ];
    prop::collection::vec(piece, 0..4)
        .prop_map(|p| p.concat())
        .boxed()
}

/// What a `retry:` may carry: digits, or something the rules ignore. A `+` sign, which the
/// reader takes today, is left to `a_retry_with_a_plus_sign_is_ignored`, so that the properties
/// go on finding other things.
fn retry() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        3 => any::<u32>().prop_map(|n| n.to_string().into_bytes()),
        1 => select(vec!["", "12a", "-1", "1.5", " 7", "٣", "0x10", "7 "])
            .prop_map(|s| s.as_bytes().to_vec()),
    ]
    .boxed()
}

fn line() -> BoxedStrategy<Line> {
    let field = |name: &'static str, value: BoxedStrategy<Vec<u8>>| {
        (0usize..3, value).prop_map(move |(spaces, value)| Line::Field {
            name,
            spaces,
            value,
        })
    };
    let id = prop_oneof![
        4 => value(),
        1 => value().prop_map(|mut v| {
            v.insert(v.len() / 2, 0);
            v
        }),
    ]
    .boxed();
    prop_oneof![
        8 => field("data", value()),
        2 => field("event", value()),
        2 => field("id", id),
        1 => field("retry", retry()),
        // Field names are case-sensitive: near misses are fields the rules ignore.
        1 => field("Data", value()),
        1 => field("dat", value()),
        1 => select(vec!["data", "event", "id", "retry", "x"]).prop_map(Line::Bare),
        1 => value().prop_map(Line::Comment),
        4 => Just(Line::Blank),
    ]
    .boxed()
}

/// Events (lines ended by blank lines) with line ends drawn from `ends`, and maybe the start of
/// one more line.
fn stream(ends: &'static [End]) -> BoxedStrategy<Stream> {
    (
        prop::collection::vec((line(), select(ends)), 0..40),
        prop_oneof![
            3 => Just(Vec::new()),
            1 => value().prop_map(|v| [b"data: ".to_vec(), v].concat()),
        ],
    )
        .prop_map(|(lines, tail)| Stream { lines, tail })
        .boxed()
}

/// An event as the rules define it: its data and its type (`message` when none is given).
#[derive(Debug, Clone, PartialEq)]
struct Event {
    data: String,
    kind: String,
}

/// Everything a stream leaves: its events, and the id and retry a reconnection would use.
#[derive(Debug, PartialEq)]
struct Read<T> {
    events: Vec<T>,
    last_event_id: Option<String>,
    retry_ms: Option<u64>,
}

/// The WHATWG "interpret an event stream" rules, step by step: decode UTF-8 (replacing what is
/// not), drop one leading BOM, split lines at CRLF, LF or CR, and act on each field.
fn reference(stream: &[u8]) -> Read<Event> {
    let decoded = String::from_utf8_lossy(stream);
    let mut rest: &str = decoded.strip_prefix('\u{feff}').unwrap_or(&decoded);
    let mut read = Read {
        events: Vec::new(),
        last_event_id: None,
        retry_ms: None,
    };
    let (mut data, mut kind, mut id_buffer) = (String::new(), String::new(), None::<String>);
    // A line without its end is not a line yet: at the end of the stream it is dropped.
    while let Some(end) = rest.find(['\r', '\n']) {
        let line = &rest[..end];
        let line_end = if rest[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + line_end..];
        if line.is_empty() {
            // Dispatch: the id counts whether or not there is data.
            read.last_event_id.clone_from(&id_buffer);
            if !data.is_empty() {
                data.pop(); // the LF after the last data line
                read.events.push(Event {
                    data: std::mem::take(&mut data),
                    kind: if kind.is_empty() {
                        "message".into()
                    } else {
                        kind.clone()
                    },
                });
            }
            kind.clear();
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => kind = value.to_owned(),
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "id" if !value.contains('\0') => id_buffer = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                read.retry_ms = value.parse().ok();
            }
            _ => {}
        }
    }
    read
}

/// Feeds `stream` cut into parts of the sizes in `cuts`, taken in turn.
fn feed_in_parts(reader: &mut Reader, stream: &[u8], cuts: &[usize]) -> Vec<Item> {
    parts(stream, cuts)
        .flat_map(|part| reader.feed(&Bytes::copy_from_slice(part)))
        .collect()
}

fn read_in_parts(stream: &[u8], cuts: &[usize]) -> Read<Event> {
    let mut reader = Reader::new();
    let events = feed_in_parts(&mut reader, stream, cuts)
        .into_iter()
        .map(|item| match item {
            Item::Event(e) => Event {
                data: e.data,
                kind: e
                    .event
                    .filter(|k| !k.is_empty())
                    .unwrap_or_else(|| "message".into()),
            },
            other => panic!("a reader not told to stream gave {other:?}"),
        })
        .collect();
    Read {
        events,
        last_event_id: reader.last_event_id,
        retry_ms: reader.retry_ms,
    }
}

/// An event out of a reader told to stream big ones: whole, or its parts joined.
#[derive(Debug, PartialEq)]
enum Got {
    Whole(Event),
    Streamed(String),
}

fn read_streaming(stream: &[u8], cuts: &[usize], limit: usize) -> Read<Got> {
    let mut reader = Reader::stream_above(limit);
    let mut events = Vec::new();
    let mut parts: Option<Vec<u8>> = None;
    for item in feed_in_parts(&mut reader, stream, cuts) {
        match item {
            Item::Event(e) => {
                assert!(parts.is_none(), "an event inside a streamed one");
                events.push(Got::Whole(Event {
                    data: e.data,
                    kind: e
                        .event
                        .filter(|k| !k.is_empty())
                        .unwrap_or_else(|| "message".into()),
                }));
            }
            Item::Part(p) => parts.get_or_insert_with(Vec::new).extend_from_slice(&p),
            Item::Streamed => {
                let joined = parts.take().expect("`Streamed` after parts");
                events.push(Got::Streamed(String::from_utf8_lossy(&joined).into_owned()));
            }
            Item::TooBig => panic!("an event of a few bytes reported as too big"),
        }
    }
    Read {
        events,
        last_event_id: reader.last_event_id,
        retry_ms: reader.retry_ms,
    }
}

fn check_events(stream: &Stream, cuts: &[usize]) -> Result<(), TestCaseError> {
    let bytes = stream.bytes();
    let want = reference(&bytes);
    prop_assert_eq!(&read_in_parts(&bytes, &[usize::MAX]), &want, "fed whole");
    prop_assert_eq!(&read_in_parts(&bytes, cuts), &want, "fed in parts");
    Ok(())
}

/// A big event that is a JSON object may come out in parts; joined, they are its data with line
/// breaks as spaces (`Item::Part`). Whole events, the last id and retry are as without streaming.
fn check_streaming(stream: &Stream, cuts: &[usize], limit: usize) -> Result<(), TestCaseError> {
    let bytes = stream.bytes();
    let want = reference(&bytes);
    let got = read_streaming(&bytes, cuts, limit);
    prop_assert_eq!(&got.last_event_id, &want.last_event_id);
    prop_assert_eq!(got.retry_ms, want.retry_ms);
    prop_assert_eq!(got.events.len(), want.events.len(), "{:?}", got.events);
    for (got, want) in got.events.iter().zip(&want.events) {
        match got {
            Got::Whole(event) => prop_assert_eq!(event, want),
            Got::Streamed(joined) => {
                let object = want
                    .data
                    .trim_start_matches(|c: char| c.is_ascii_whitespace());
                prop_assert!(
                    object.starts_with('{') && want.data.len() > limit,
                    "streamed {:?}, which is not a big JSON object",
                    want.data
                );
                prop_assert_eq!(joined, &want.data.replace('\n', " "));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(prop_common::config(256))]

    /// Whatever the chunks, the events, the id to resume from and the retry delay are the ones
    /// the rules give, for streams with LF and CRLF line ends.
    #[test]
    fn events_do_not_depend_on_where_the_chunks_are_cut(
        stream in stream(LF_AND_CRLF),
        cuts in cuts(),
    ) {
        check_events(&stream, &cuts)?;
    }

    /// The same with CR alone as a line end too, which the rules (and DESIGN §14) accept.
    #[test]
    fn cr_lf_and_crlf_all_end_lines(stream in stream(ALL_ENDS), cuts in cuts()) {
        check_events(&stream, &cuts)?;
    }

    /// A reader told to stream big events hands each one on whole or in parts that join to its
    /// data, wherever the chunks are cut (LF and CRLF line ends).
    #[test]
    fn big_events_streamed_in_parts_carry_their_data(
        stream in stream(LF_AND_CRLF),
        cuts in cuts(),
        limit in 0usize..48,
    ) {
        check_streaming(&stream, &cuts, limit)?;
    }

    /// The same with CR alone as a line end too.
    #[test]
    fn big_events_streamed_with_any_line_ends_carry_their_data(
        stream in stream(ALL_ENDS),
        cuts in cuts(),
        limit in 0usize..48,
    ) {
        check_streaming(&stream, &cuts, limit)?;
    }
}

/// Found by `cr_lf_and_crlf_all_end_lines` (DESIGN §14: SSE accepts CR, LF and CRLF line ends):
/// a CR alone did not end a line, so two data lines read as one, and a stream with CR line ends
/// only gave no event at all.
#[test]
fn a_cr_alone_ends_a_line() {
    let two_lines = b"data:\rdata:\n\n";
    let want = reference(two_lines);
    assert_eq!(
        want.events,
        [Event {
            data: "\n".into(),
            kind: "message".into()
        }]
    );
    assert_eq!(read_in_parts(two_lines, &[usize::MAX]), want);

    let crs_only = b"retry: 5\rid: 7\rdata: {}\r\r:";
    let want = reference(crs_only);
    assert_eq!(
        (
            want.events.len(),
            want.last_event_id.as_deref(),
            want.retry_ms
        ),
        (1, Some("7"), Some(5))
    );
    assert_eq!(read_in_parts(crs_only, &[usize::MAX]), want);
    assert_eq!(read_in_parts(crs_only, &[1]), want);
}

/// Found by `big_events_streamed_with_any_line_ends_carry_their_data`: the `retry` after a
/// CR-ended line was read as part of that line.
#[test]
fn a_field_after_a_cr_is_a_field_of_its_own() {
    let stream = b"data:\rretry:0\n";
    assert_eq!(reference(stream).retry_ms, Some(0));
    assert_eq!(
        read_streaming(stream, &[1], 0).retry_ms,
        Some(0),
        "streamed in 1-byte chunks"
    );
}

/// Found by reading the rules: `retry` takes ASCII digits only, and `u64::from_str` also takes
/// a leading `+`.
#[test]
fn a_retry_with_a_plus_sign_is_ignored() {
    let stream = b"retry: +5\n\n";
    assert_eq!(reference(stream).retry_ms, None);
    assert_eq!(read_in_parts(stream, &[usize::MAX]).retry_ms, None);
}
