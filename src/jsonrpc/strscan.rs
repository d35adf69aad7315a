//! Finding where a JSON string ends, 64 bytes at a time.
//!
//! Big MCP messages are mostly one long string (a file, a log, JSON inside JSON), and such text
//! is dense with escapes: JSON twice encoded has a backslash every two or three bytes. Looking
//! for the next `"` or `\` and stepping over each escape costs a call per escape; here every
//! 64-byte block yields two bit masks (quotes, backslashes), the escaped bytes are derived from
//! the backslash runs with a few integer operations, and the first unescaped quote is the end.

const EVEN: u64 = 0x5555_5555_5555_5555;
const ODD: u64 = !EVEN;

/// Where string content starting at `b[i]` (inside the quotes) ends: `Ok(index of the closing
/// quote)`, or `Err(escaped)` when `b` runs out first, `escaped` telling whether the byte after
/// `b` is escaped (the input ended on an unpaired backslash). `escaped` on entry says the same
/// of `b[i]`, for a string read in parts.
pub fn string_end(b: &[u8], mut i: usize, mut escaped: bool) -> Result<usize, bool> {
    while let Some(block) = b.get(i..i + 64) {
        let block: &[u8; 64] = block.try_into().expect("64 bytes");
        let (quotes, backslashes) = masks(block);
        let escaped_bytes = escaped_mask(backslashes, &mut escaped);
        let ends = quotes & !escaped_bytes;
        if ends != 0 {
            return Ok(i + ends.trailing_zeros() as usize);
        }
        i += 64;
    }
    while let Some(&c) = b.get(i) {
        if escaped {
            escaped = false;
        } else if c == b'\\' {
            escaped = true;
        } else if c == b'"' {
            return Ok(i);
        }
        i += 1;
    }
    Err(escaped)
}

/// Bit j set where `block[j]` is `"` (first mask) or `\` (second): SSE2 (part of every x86-64)
/// compares 16 bytes at once and moves one bit per byte out.
#[cfg(target_arch = "x86_64")]
fn masks(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let mut quotes = 0u64;
    let mut backslashes = 0u64;
    for (k, lane) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86-64 baseline, so the intrinsics run on every x86-64
        // CPU; `lane` is 16 readable bytes and `loadu` has no alignment requirement.
        let (q, b) = unsafe {
            let v = _mm_loadu_si128(lane.as_ptr().cast::<__m128i>());
            (
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8))),
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8))),
            )
        };
        quotes |= u64::from(q as u16) << (16 * k);
        backslashes |= u64::from(b as u16) << (16 * k);
    }
    (quotes, backslashes)
}

#[cfg(not(target_arch = "x86_64"))]
use masks_bytewise as masks;

/// [`masks`] one byte at a time, for other CPUs (and to check the SSE2 version against).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn masks_bytewise(block: &[u8; 64]) -> (u64, u64) {
    let mut quotes = 0u64;
    let mut backslashes = 0u64;
    for (j, &c) in block.iter().enumerate() {
        quotes |= u64::from(c == b'"') << j;
        backslashes |= u64::from(c == b'\\') << j;
    }
    (quotes, backslashes)
}

/// The bytes of a block that an escape makes literal, given where its backslashes are.
/// `carry` says on entry whether byte 0 is escaped (the previous block ended on an unpaired
/// backslash) and on return the same of the next block's byte 0.
///
/// In a run of backslashes starting at `s` (not itself escaped), the bytes at odd distance from
/// `s` are escaped — every second backslash, and the byte after the run when its length is
/// odd. Adding the run's start bit to the mask carries through the run and lands on the byte
/// after it, which gives that end; the parity of `s` picks the odd distances.
fn escaped_mask(backslashes: u64, carry: &mut bool) -> u64 {
    let carried = u64::from(*carry);
    let runs = backslashes & !carried;
    let starts = runs & !(runs << 1);
    let mut escaped = carried;
    for (starts, distance_odd) in [(starts & EVEN, ODD), (starts & ODD, EVEN)] {
        let sum = runs.wrapping_add(starts);
        let in_runs = runs & !sum;
        let after_runs = sum & !runs;
        escaped |= ((in_runs & !starts) | after_runs) & distance_odd;
    }
    *carry = (runs >> 63) & 1 == 1 && (escaped >> 63) & 1 == 0;
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The obvious reading, written differently from the one in `string_end`: a backslash
    /// and the byte after it are stepped over as a pair.
    fn reference(b: &[u8], mut i: usize, escaped: bool) -> Result<usize, bool> {
        if escaped {
            if i >= b.len() {
                return Err(true);
            }
            i += 1;
        }
        while i < b.len() {
            match b[i] {
                b'"' => return Ok(i),
                b'\\' if i + 1 == b.len() => return Err(true),
                b'\\' => i += 2,
                _ => i += 1,
            }
        }
        Err(false)
    }

    /// xorshift64: reproducible inputs without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn agrees_with_the_byte_by_byte_reading() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..20_000 {
            let len = (rng.next() % 300) as usize;
            // Mostly backslashes, some quotes: long runs of both parities across block edges.
            let quote_every = 2 + (round % 40) as u64;
            let b: Vec<u8> = (0..len)
                .map(|_| match rng.next() % quote_every {
                    0 => b'"',
                    1..=3 => b'a',
                    _ => b'\\',
                })
                .collect();
            let start = if len == 0 {
                0
            } else {
                (rng.next() as usize) % len
            };
            let escaped = rng.next() & 1 == 1;
            assert_eq!(
                string_end(&b, start, escaped),
                reference(&b, start, escaped),
                "input {:?} from {start}, escaped {escaped}",
                String::from_utf8_lossy(&b)
            );
        }
    }

    #[test]
    fn the_masks_agree_with_a_byte_by_byte_reading() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..2_000 {
            let mut block = [0u8; 64];
            for byte in &mut block {
                *byte = match rng.next() % 4 {
                    0 => b'"',
                    1 => b'\\',
                    _ => rng.next() as u8,
                };
            }
            assert_eq!(masks(&block), masks_bytewise(&block));
        }
    }

    #[test]
    fn a_string_read_in_parts_ends_where_it_does_whole() {
        // JSON inside JSON inside JSON: runs of 1, 3 and 7 backslashes, cut at every offset.
        let text = br#"{\\\"a\\\":\"b\\\\\\\"c\"}\\"x"#;
        let whole = string_end(text, 0, false).unwrap();
        assert_eq!(&text[whole - 2..=whole], br#"\\""#);
        for cut in 0..whole {
            let escaped = string_end(&text[..cut], 0, false).unwrap_err();
            assert_eq!(string_end(text, cut, escaped), Ok(whole), "cut at {cut}");
        }
    }

    #[test]
    fn a_backslash_at_a_block_edge_escapes_the_next_block() {
        let mut text = vec![b'a'; 63];
        text.extend_from_slice(b"\\\"");
        text.extend_from_slice(&[b'b'; 70]);
        text.push(b'"');
        assert_eq!(string_end(&text, 0, false), Ok(text.len() - 1));
        // The same quote, escaped by a carry into the first byte.
        assert_eq!(string_end(b"\"x\"", 0, true), Ok(2));
    }
}
