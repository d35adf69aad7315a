//! stdin's line splitter: however the bytes arrive (the chunks are the fuzzer's choice), the lines
//! that come out are the ones the whole input holds, and those are what `split(b'\n')` reads.
//! (The 64 MiB `TooLong` path is out of a fuzz input's reach; the property tests cover it.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use threeminapi::bridge::stdio::{Input, Lines};
use threeminapi_fuzz::plan;

fn lines(chunks: &[&[u8]]) -> Vec<Input> {
    let mut splitter = Lines::default();
    let mut out = Vec::new();
    for chunk in chunks {
        splitter.feed(chunk, &mut |input| out.push(input));
    }
    out.extend(splitter.finish());
    out
}

fuzz_target!(|data: &[u8]| {
    let plan = plan(data);
    let whole = lines(&[plan.body]);
    let parts = lines(&plan.chunks());
    assert_eq!(parts, whole, "chunks {:?}", plan.sizes);

    // The reference: every piece between newlines is a line, empty ones included, except the
    // empty piece after a final newline (or of an empty input): no line was started there.
    let mut want: Vec<Input> = plan
        .body
        .split(|&b| b == b'\n')
        .map(|line| Input::Line(line.to_vec()))
        .collect();
    if want.last() == Some(&Input::Line(Vec::new())) {
        want.pop();
    }
    assert_eq!(whole, want);
});
