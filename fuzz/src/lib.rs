//! What the fuzz targets share: cutting one fuzz input into a chunk plan and a body, so that the
//! fuzzer itself chooses where a stream is split and can shrink a failure to the boundary that
//! matters.
//!
//! Input layout: byte 0 says how many size bytes follow (its low 3 bits, 0 to 7); those bytes are
//! the chunk sizes, used in turn until the body runs out (0 is an empty chunk, a read that
//! returned nothing); everything after them is the body. No size bytes (or only zeros) means the
//! body in one piece. The bits of byte 0 above the low 3 are free for a target's own choices.

/// The header byte's spare bits (byte 0 >> 3, 0 to 31), the chunk sizes and the body.
pub struct Plan<'a> {
    pub spare: u8,
    pub sizes: Vec<usize>,
    pub body: &'a [u8],
}

pub fn plan(data: &[u8]) -> Plan<'_> {
    let Some((&head, rest)) = data.split_first() else {
        return Plan {
            spare: 0,
            sizes: Vec::new(),
            body: data,
        };
    };
    let n = usize::from(head & 7).min(rest.len());
    Plan {
        spare: head >> 3,
        sizes: rest[..n].iter().map(|&b| usize::from(b)).collect(),
        body: &rest[n..],
    }
}

impl Plan<'_> {
    /// The body cut as the plan says; the pieces joined are the body.
    pub fn chunks(&self) -> Vec<&[u8]> {
        if self.sizes.iter().all(|&s| s == 0) {
            return vec![self.body];
        }
        let mut out = Vec::new();
        let mut rest = self.body;
        for &size in self.sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (chunk, tail) = rest.split_at(size.min(rest.len()));
            out.push(chunk);
            rest = tail;
        }
        debug_assert_eq!(out.concat(), self.body);
        out
    }
}
