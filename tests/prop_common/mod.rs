//! What the property tests share: how many cases a property runs (few enough for `cargo test` on
//! two cores, as many as `PROPTEST_CASES` asks for a longer search), and the ways they cut a
//! stream into parts and put members in an order. Failures found are kept as plain `#[test]`s in
//! the file that found them, so proptest writes no regression files into the repo.

#![allow(dead_code)] // each test file uses some of it

use proptest::prelude::*;
use proptest::test_runner::Config;

/// `cases` unless `PROPTEST_CASES` says otherwise (`with_cases` would ignore the variable).
pub fn config(cases: u32) -> Config {
    Config {
        cases: from_env("PROPTEST_CASES").unwrap_or(cases),
        // A failing property stops shrinking after 2 s (while a known defect is open, it fails
        // on every run); `PROPTEST_MAX_SHRINK_TIME` (ms) gives a longer search its time.
        max_shrink_time: from_env("PROPTEST_MAX_SHRINK_TIME").unwrap_or(2_000),
        failure_persistence: None,
        ..Config::default()
    }
}

fn from_env(name: &str) -> Option<u32> {
    std::env::var(name).ok()?.parse().ok()
}

/// Sizes to cut a stream into, taken in turn: from one byte to more than any stream here.
pub fn cuts() -> BoxedStrategy<Vec<usize>> {
    prop_oneof![
        prop::collection::vec(1usize..4, 1..6),
        prop::collection::vec(1usize..200, 1..6),
        prop::collection::vec(1usize..100_000, 1..3),
        Just(vec![usize::MAX]),
    ]
    .boxed()
}

/// `bytes` cut into parts of the sizes in `cuts`, taken in turn.
pub fn parts<'a>(mut bytes: &'a [u8], cuts: &'a [usize]) -> impl Iterator<Item = &'a [u8]> {
    let mut sizes = cuts.iter().cycle();
    std::iter::from_fn(move || {
        if bytes.is_empty() {
            return None;
        }
        let (part, rest) = bytes.split_at((*sizes.next()?).min(bytes.len()));
        bytes = rest;
        Some(part)
    })
}

/// Puts `items` in the order `seed` gives (Fisher-Yates on xorshift64): an order that shrinks
/// like a number, where `prop_shuffle` inside `prop_flat_map` makes shrinking regenerate values
/// for seconds.
pub fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut x = seed | 1;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        items.swap(i, (x % (i as u64 + 1)) as usize);
    }
}
