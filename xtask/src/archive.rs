//! Reproducible archives: the same entries and epoch give the same bytes, on any machine, in any
//! directory, at any time. Entries are sorted by path; every entry has the epoch as its mtime,
//! uid/gid 0 with empty user and group names, and the mode it is given (the caller uses 0755 for
//! directories and the binary, 0644 for the rest). The gzip header has no timestamp and no file
//! name; zip entries carry the epoch as a DOS time and nothing else (no extra fields).
//!
//! The zip writer is hand-written (local headers, central directory, end record: the subset every
//! unzip reads): the `zip` crate, even without default features, brings getrandom, indexmap and a
//! proc-macro (zeroize_derive, so syn) to compile, for what is 100 lines here.

use std::io::Write;

use flate2::Compression;

/// One archive member. `data: None` is a directory (its path without a trailing slash).
#[derive(Clone, Debug)]
pub struct Entry {
    pub path: String,
    pub data: Option<Vec<u8>>,
    pub mode: u32,
}

impl Entry {
    pub fn dir(path: impl Into<String>) -> Entry {
        Entry {
            path: path.into(),
            data: None,
            mode: 0o755,
        }
    }

    pub fn file(path: impl Into<String>, data: Vec<u8>, mode: u32) -> Entry {
        Entry {
            path: path.into(),
            data: Some(data),
            mode,
        }
    }

    /// The member name: directories end with `/`, as tar and zip tools write them.
    fn name(&self) -> String {
        if self.data.is_none() {
            format!("{}/", self.path.trim_end_matches('/'))
        } else {
            self.path.clone()
        }
    }
}

fn sorted(entries: &[Entry]) -> Vec<&Entry> {
    let mut v: Vec<&Entry> = entries.iter().collect();
    v.sort_by_key(|e| e.name());
    v
}

/// A `.tar.gz`: ustar headers, gzip at the best compression with mtime 0, no name, OS "unknown".
pub fn tar_gz(entries: &[Entry], epoch: u64) -> std::io::Result<Vec<u8>> {
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::best());
    let mut tar = tar::Builder::new(gz);
    for e in sorted(entries) {
        let mut h = tar::Header::new_ustar();
        h.set_mode(e.mode);
        h.set_uid(0);
        h.set_gid(0);
        h.set_username("")?;
        h.set_groupname("")?;
        h.set_mtime(epoch);
        let data: &[u8] = e.data.as_deref().unwrap_or_default();
        h.set_entry_type(if e.data.is_some() {
            tar::EntryType::Regular
        } else {
            tar::EntryType::Directory
        });
        h.set_size(data.len() as u64);
        tar.append_data(&mut h, e.name(), data)?;
    }
    tar.into_inner()?.finish()
}

/// A `.zip`: deflated files (stored when deflate does not make them smaller), stored
/// directories, Unix modes in the external attributes ("made by" Unix), the epoch as DOS time.
pub fn zip(entries: &[Entry], epoch: u64) -> std::io::Result<Vec<u8>> {
    let too_big = || std::io::Error::other("zip member over 4 GiB: zip64 is not written");
    let (time, date) = dos_time(epoch);
    let mut out = Vec::new();
    let mut central = Vec::new();
    let entries = sorted(entries);
    for e in &entries {
        let name = e.name();
        let (method, crc, size, body): (u16, u32, u32, Vec<u8>) = match &e.data {
            None => (0, 0, 0, Vec::new()),
            Some(data) => {
                let crc = crc32(data);
                let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), Compression::best());
                enc.write_all(data)?;
                let deflated = enc.finish()?;
                let size = u32::try_from(data.len()).map_err(|_| too_big())?;
                if deflated.len() < data.len() {
                    (8, crc, size, deflated)
                } else {
                    (0, crc, size, data.clone())
                }
            }
        };
        let csize = u32::try_from(body.len()).map_err(|_| too_big())?;
        let needed: u16 = if method == 8 || e.data.is_none() {
            20
        } else {
            10
        };
        let offset = u32::try_from(out.len()).map_err(|_| too_big())?;
        let name_len = u16::try_from(name.len()).map_err(|_| too_big())?;
        // Local file header.
        put32(&mut out, 0x0403_4b50);
        put16(&mut out, needed);
        put16(&mut out, 0); // flags: sizes known up front, ASCII names
        put16(&mut out, method);
        put16(&mut out, time);
        put16(&mut out, date);
        put32(&mut out, crc);
        put32(&mut out, csize);
        put32(&mut out, size);
        put16(&mut out, name_len);
        put16(&mut out, 0); // no extra field
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&body);
        // Its central directory record.
        let (unix_type, dos_attr) = if e.data.is_some() {
            (0o100_000, 0)
        } else {
            (0o040_000, 0x10)
        };
        put32(&mut central, 0x0201_4b50);
        put16(&mut central, (3 << 8) | 20); // made by: Unix, spec 2.0
        put16(&mut central, needed);
        put16(&mut central, 0);
        put16(&mut central, method);
        put16(&mut central, time);
        put16(&mut central, date);
        put32(&mut central, crc);
        put32(&mut central, csize);
        put32(&mut central, size);
        put16(&mut central, name_len);
        put16(&mut central, 0); // extra
        put16(&mut central, 0); // comment
        put16(&mut central, 0); // disk
        put16(&mut central, 0); // internal attributes
        put32(&mut central, ((unix_type | e.mode) << 16) | dos_attr);
        put32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = u32::try_from(out.len()).map_err(|_| too_big())?;
    let cd_size = u32::try_from(central.len()).map_err(|_| too_big())?;
    let count = u16::try_from(entries.len()).map_err(|_| too_big())?;
    out.extend_from_slice(&central);
    put32(&mut out, 0x0605_4b50);
    put16(&mut out, 0);
    put16(&mut out, 0);
    put16(&mut out, count);
    put16(&mut out, count);
    put32(&mut out, cd_size);
    put32(&mut out, cd_offset);
    put16(&mut out, 0); // comment
    Ok(out)
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn crc32(data: &[u8]) -> u32 {
    let mut h = flate2::Crc::new();
    h.update(data);
    h.sum()
}

/// Seconds since the Unix epoch (UTC) as MS-DOS (time, date), clamped to what DOS time holds
/// (1980-01-01 to 2107-12-31); seconds are rounded down to even.
pub fn dos_time(epoch: u64) -> (u16, u16) {
    const MIN: u64 = 315_532_800; // 1980-01-01T00:00:00Z
    const MAX: u64 = 4_354_819_198; // 2107-12-31T23:59:58Z
    let t = epoch.clamp(MIN, MAX);
    let (days, secs) = (t / 86_400, t % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    let time = ((secs / 3600) << 11) | (((secs % 3600) / 60) << 5) | ((secs % 60) / 2);
    let date = ((y - 1980) << 9) | (m << 5) | d;
    (time as u16, date as u16)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (u64, u64, u64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as u64, m as u64, d as u64)
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    const EPOCH: u64 = 1_767_225_600 + 3_723; // 2026-01-01T01:02:03Z

    /// The names of [`sample`] as both writers must store them: sorted, directories with `/`.
    const SORTED_NAMES: [&str; 5] = [
        "p/",
        "p/3minapi",
        "p/README.md",
        "p/completions/",
        "p/completions/_3minapi",
    ];

    fn sample() -> Vec<Entry> {
        vec![
            Entry::file(
                "p/completions/_3minapi",
                b"#compdef 3minapi\n".to_vec(),
                0o644,
            ),
            Entry::file("p/3minapi", vec![0x7f, b'E', b'L', b'F', 1, 2, 3], 0o755),
            Entry::dir("p/completions"),
            Entry::file("p/README.md", b"# readme\n".repeat(50), 0o644),
            Entry::dir("p"),
        ]
    }

    #[test]
    fn tar_gz_is_deterministic_and_order_independent() {
        let a = tar_gz(&sample(), EPOCH).unwrap();
        let mut reversed = sample();
        reversed.reverse();
        let b = tar_gz(&reversed, EPOCH).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, tar_gz(&sample(), EPOCH + 1).unwrap());
        // gzip header: magic, deflate, no flags (no name), mtime 0, best (2), OS unknown.
        assert_eq!(&a[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
    }

    #[test]
    fn tar_members_are_sorted_with_fixed_owner_mode_and_mtime() {
        let gz = tar_gz(&sample(), EPOCH).unwrap();
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut raw)
            .unwrap();
        let mut archive = tar::Archive::new(&raw[..]);
        let got: Vec<(String, u32, u64, u64, u64, String, String)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    h.path().unwrap().to_string_lossy().into_owned(),
                    h.mode().unwrap(),
                    h.uid().unwrap(),
                    h.gid().unwrap(),
                    h.mtime().unwrap(),
                    h.username().unwrap().unwrap_or("?").to_owned(),
                    h.groupname().unwrap().unwrap_or("?").to_owned(),
                )
            })
            .collect();
        let names: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(names, SORTED_NAMES);
        let modes: Vec<u32> = got.iter().map(|g| g.1).collect();
        assert_eq!(modes, [0o755, 0o755, 0o644, 0o755, 0o644]);
        for g in &got {
            assert_eq!((g.2, g.3, g.4), (0, 0, EPOCH), "{g:?}");
            assert_eq!((g.5.as_str(), g.6.as_str()), ("", ""), "{g:?}");
        }
    }

    #[test]
    fn zip_is_deterministic_and_readable() {
        let a = zip(&sample(), EPOCH).unwrap();
        let mut reversed = sample();
        reversed.reverse();
        assert_eq!(a, zip(&reversed, EPOCH).unwrap());
        assert_ne!(a, zip(&sample(), EPOCH + 2).unwrap());
        // Walk the central directory: sorted names, Unix modes, the DOS time, valid data.
        let eocd = a.len() - 22;
        assert_eq!(&a[eocd..eocd + 4], &0x0605_4b50u32.to_le_bytes());
        let le16 = |i: usize| u16::from_le_bytes([a[i], a[i + 1]]);
        let le32 = |i: usize| u32::from_le_bytes(a[i..i + 4].try_into().unwrap());
        let count = le16(eocd + 10) as usize;
        let mut at = le32(eocd + 16) as usize;
        let mut names = Vec::new();
        for _ in 0..count {
            assert_eq!(le32(at), 0x0201_4b50);
            assert_eq!(le16(at + 4) >> 8, 3, "made by Unix");
            assert_eq!((le16(at + 12), le16(at + 14)), dos_time(EPOCH));
            let (crc, csize, size) = (le32(at + 16), le32(at + 20) as usize, le32(at + 24));
            let name_len = le16(at + 28) as usize;
            let mode = le32(at + 38) >> 16;
            let name = String::from_utf8(a[at + 46..at + 46 + name_len].to_vec()).unwrap();
            let local = le32(at + 42) as usize;
            let body_at = local + 30 + name_len;
            let body = &a[body_at..body_at + csize];
            let data = match le16(at + 10) {
                0 => body.to_vec(),
                8 => {
                    let mut d = Vec::new();
                    flate2::read::DeflateDecoder::new(body)
                        .read_to_end(&mut d)
                        .unwrap();
                    d
                }
                m => panic!("method {m}"),
            };
            assert_eq!(data.len() as u32, size);
            assert_eq!(crc32(&data), crc);
            let want = sample().into_iter().find(|e| e.name() == name).unwrap();
            assert_eq!(data, want.data.clone().unwrap_or_default());
            let kind = if want.data.is_some() {
                0o100_000
            } else {
                0o040_000
            };
            assert_eq!(mode, kind | want.mode, "{name}");
            names.push(name);
            at += 46 + name_len;
        }
        assert_eq!(names, SORTED_NAMES);
    }

    #[test]
    fn dos_time_of_known_instants() {
        // 2026-01-01 01:02:03 UTC: seconds round down to 02.
        assert_eq!(
            dos_time(EPOCH),
            ((1 << 11) | (2 << 5) | 1, (46 << 9) | (1 << 5) | 1)
        );
        // 2000-02-29 23:59:59 UTC (a leap day).
        assert_eq!(
            dos_time(951_868_799),
            ((23 << 11) | (59 << 5) | 29, (20 << 9) | (2 << 5) | 29)
        );
        // Before 1980: clamped to DOS time's start.
        assert_eq!(dos_time(0), (0, (1 << 5) | 1));
    }

    #[test]
    fn sha256_hex_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
