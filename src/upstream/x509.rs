//! Just enough DER to read who issued a certificate, for an error message: the issuer's common
//! name, organisation and organisational unit, in the order the certificate lists them.

/// The issuer of the DER certificate `cert` as `CN=…, O=…`, or `None` when it cannot be read.
pub fn issuer(cert: &[u8]) -> Option<String> {
    // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
    //   serialNumber INTEGER, signature AlgorithmIdentifier, issuer Name, … } … }
    let (_, cert, _) = element(cert, 0x30)?;
    let (_, mut tbs, _) = element(cert, 0x30)?;
    if tbs.first() == Some(&0xa0) {
        tbs = element(tbs, 0xa0)?.2;
    }
    let (_, _, rest) = element(tbs, 0x02)?; // serial
    let (_, _, rest) = element(rest, 0x30)?; // signature algorithm
    let (_, mut name, _) = element(rest, 0x30)?;
    // Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }
    let mut parts = Vec::new();
    while !name.is_empty() {
        let (_, mut set, rest) = element(name, 0x31)?;
        name = rest;
        while !set.is_empty() {
            let (_, pair, rest) = element(set, 0x30)?;
            set = rest;
            let (_, oid, value) = element(pair, 0x06)?;
            let label = match oid {
                [0x55, 0x04, 0x03] => "CN",
                [0x55, 0x04, 0x0a] => "O",
                [0x55, 0x04, 0x0b] => "OU",
                _ => continue,
            };
            let (tag, text, _) = any(value)?;
            if let Some(text) = string(tag, text) {
                parts.push(format!("{label}={text}"));
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The next element if its tag is `tag`: (tag, contents, what follows).
fn element(der: &[u8], tag: u8) -> Option<(u8, &[u8], &[u8])> {
    any(der).filter(|(t, _, _)| *t == tag)
}

/// The next element, whatever its tag (single-byte tags only, definite lengths only).
fn any(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The text of a directory string: UTF8String, PrintableString, IA5String, T61String (read as
/// Latin-1) or BMPString (UTF-16BE). Control characters are dropped: this goes into a message.
fn string(tag: u8, bytes: &[u8]) -> Option<String> {
    let text = match tag {
        0x0c | 0x13 | 0x16 => String::from_utf8(bytes.to_vec()).ok()?,
        0x14 => bytes.iter().map(|&b| char::from(b)).collect(),
        0x1e => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect();
            String::from_utf16(&units).ok()?
        }
        _ => return None,
    };
    Some(text.chars().filter(|c| !c.is_control()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DER element with a definite length.
    fn der(tag: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        if contents.len() < 0x80 {
            out.push(contents.len() as u8);
        } else {
            out.push(0x82);
            out.extend_from_slice(&(contents.len() as u16).to_be_bytes());
        }
        out.extend_from_slice(contents);
        out
    }

    fn attribute(oid: &[u8], tag: u8, value: &[u8]) -> Vec<u8> {
        der(
            0x31,
            &der(0x30, &[der(0x06, oid), der(tag, value)].concat()),
        )
    }

    fn certificate(issuer: &[u8], with_version: bool) -> Vec<u8> {
        let mut tbs = Vec::new();
        if with_version {
            tbs.extend(der(0xa0, &der(0x02, &[2])));
        }
        tbs.extend(der(0x02, &[0x01, 0x02]));
        tbs.extend(der(0x30, &der(0x06, &[0x2a, 0x86, 0x48])));
        tbs.extend(der(0x30, issuer));
        tbs.extend(der(0x30, &[0u8; 200])); // validity and the rest: long-form lengths
        der(0x30, &[der(0x30, &tbs), der(0x30, &[])].concat())
    }

    #[test]
    fn names_the_common_name_and_organisation_in_order() {
        let name = [
            attribute(&[0x55, 0x04, 0x06], 0x13, b"DE"), // country: not shown
            attribute(&[0x55, 0x04, 0x0a], 0x0c, "Zscaler Inc.".as_bytes()),
            attribute(&[0x55, 0x04, 0x03], 0x13, b"Zscaler Root CA"),
        ]
        .concat();
        for with_version in [true, false] {
            assert_eq!(
                issuer(&certificate(&name, with_version)).as_deref(),
                Some("O=Zscaler Inc., CN=Zscaler Root CA")
            );
        }
    }

    #[test]
    fn bmp_and_latin1_strings_are_read_and_control_characters_dropped() {
        let bmp: Vec<u8> = "Préfecture CA"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        let name = [
            attribute(&[0x55, 0x04, 0x03], 0x1e, &bmp),
            attribute(&[0x55, 0x04, 0x0b], 0x14, b"Ops\x1b[31m\xe9"),
        ]
        .concat();
        assert_eq!(
            issuer(&certificate(&name, true)).as_deref(),
            Some("CN=Préfecture CA, OU=Ops[31mé")
        );
    }

    #[test]
    fn garbage_gives_none_and_never_panics() {
        assert_eq!(issuer(&[]), None);
        assert_eq!(issuer(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), None);
        let cert = certificate(&attribute(&[0x55, 0x04, 0x03], 0x0c, b"X"), true);
        for cut in 0..cert.len() {
            let _ = issuer(&cert[..cut]);
        }
        // No name attribute this reads: nothing to say.
        let other = certificate(&attribute(&[0x55, 0x04, 0x07], 0x0c, b"Berlin"), true);
        assert_eq!(issuer(&other), None);
    }
}
