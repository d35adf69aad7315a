//! A client writes messages to `mcp serve`'s stdin one per line, and the pipe hands them over
//! in chunks cut anywhere. These properties check that the line splitter gives the lines a
//! plain split on `\n` gives, whatever the chunks and whatever the bytes (garbage, invalid
//! UTF-8, empty lines, a last line without its newline), and that a line over the limit is
//! dropped without taking the next one with it.
//!
//! `cargo test` runs a few hundred cases; for a longer search:
//! `PROPTEST_CASES=100000 cargo test --release --test prop_stdio`.

mod prop_common;

use prop_common::{cuts, parts};
use proptest::prelude::*;
use proptest::sample::select;
use threeminapi::bridge::MAX_MESSAGE;
use threeminapi::bridge::stdio::{Input, Lines};

/// What a client (or something pretending to be one) writes: messages, lines of garbage,
/// invalid UTF-8, empty lines and CRLFs, in any mix; the last piece may lack its newline.
fn stdin_bytes() -> BoxedStrategy<Vec<u8>> {
    let piece = prop_oneof![
        4 => "[a-z0-9]{1,12}".prop_map(|m| {
            format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{m}","params":{{"q":"a\nb"}}}}"#)
                .into_bytes()
        }),
        2 => prop::collection::vec(any::<u8>(), 0..40),
        2 => select(vec![&b"\n"[..], b"\r\n", b"\n\n", b"\r", b"\xff\xfe", b"\xe2\x82", b"\0"])
            .prop_map(<[u8]>::to_vec),
    ];
    prop::collection::vec(piece, 0..30)
        .prop_map(|p| p.concat())
        .boxed()
}

/// Feeds `bytes` in parts of the sizes in `cuts`, taken in turn, then ends the input.
fn split(bytes: &[u8], cuts: &[usize]) -> Vec<Input> {
    let mut lines = Lines::default();
    let mut inputs = Vec::new();
    for part in parts(bytes, cuts) {
        lines.feed(part, &mut |input| inputs.push(input));
    }
    inputs.extend(lines.finish());
    inputs
}

/// The lines as `split(b'\n')` gives them; an empty rest after the last newline is no line.
fn reference(bytes: &[u8]) -> Vec<Input> {
    let mut lines: Vec<Input> = bytes
        .split(|&b| b == b'\n')
        .map(|line| Input::Line(line.to_vec()))
        .collect();
    if lines.last() == Some(&Input::Line(Vec::new())) {
        lines.pop();
    }
    lines
}

proptest! {
    #![proptest_config(prop_common::config(512))]

    /// Whatever a client writes and however the pipe cuts it, the lines are the same.
    #[test]
    fn lines_do_not_depend_on_where_the_chunks_are_cut(bytes in stdin_bytes(), cuts in cuts()) {
        let want = reference(&bytes);
        prop_assert_eq!(&split(&bytes, &[usize::MAX]), &want, "fed whole");
        prop_assert_eq!(&split(&bytes, &cuts), &want, "fed in parts");
    }
}

/// Lines as short descriptions: a 64 MiB line in an assertion message helps no one.
fn described(inputs: &[Input]) -> Vec<String> {
    inputs
        .iter()
        .map(|input| match input {
            Input::TooLong => "too long".to_owned(),
            Input::Line(l) if l.len() > 100 => format!("a line of {} bytes", l.len()),
            Input::Line(l) => format!("{:?}", String::from_utf8_lossy(l)),
        })
        .collect()
}

/// Feeds `len` bytes of one line in 1 MiB parts (never holding them here), then `after`.
fn long_line_then(len: usize, after: &[u8]) -> Vec<Input> {
    let mib = vec![b'a'; 1 << 20];
    let mut lines = Lines::default();
    let mut inputs = Vec::new();
    let mut left = len;
    while left > 0 {
        let n = left.min(mib.len());
        lines.feed(&mib[..n], &mut |input| inputs.push(input));
        left -= n;
    }
    lines.feed(after, &mut |input| inputs.push(input));
    inputs.extend(lines.finish());
    inputs
}

#[test]
fn a_line_far_over_the_limit_is_dropped_and_the_next_comes_through_whole() {
    let next = br#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#;
    let got = long_line_then(
        MAX_MESSAGE + (3 << 20),
        &[b"}\n", &next[..], b"\n"].concat(),
    );
    assert_eq!(
        described(&got),
        [
            "too long".to_owned(),
            described(&[Input::Line(next.to_vec())])[0].clone()
        ]
    );
    // Also when the input ends inside it.
    assert_eq!(
        described(&long_line_then(MAX_MESSAGE + 1, b"")),
        ["too long"]
    );
}

#[test]
fn a_line_of_exactly_the_limit_passes() {
    assert_eq!(
        described(&long_line_then(MAX_MESSAGE, b"\n")),
        [format!("a line of {MAX_MESSAGE} bytes")]
    );
}

/// Found by writing the limit's edge down: the limit is checked on the bytes a chunk leaves
/// without a newline, so a line whose last bytes arrive with its newline passes however long.
#[test]
fn a_line_one_byte_over_the_limit_is_too_long_however_it_arrives() {
    assert_eq!(
        described(&long_line_then(MAX_MESSAGE, b"a\n")),
        ["too long"],
        "its last byte with the newline"
    );
    let mut whole = vec![b'a'; MAX_MESSAGE + 1];
    whole.push(b'\n');
    assert_eq!(
        described(&split(&whole, &[usize::MAX])),
        ["too long"],
        "in one chunk"
    );
}
