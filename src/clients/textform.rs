//! What a file looks like beyond its content — a byte order mark, line ends per line, a last
//! newline — kept across an edit by a writer (toml_edit) that knows only one form.

pub const BOM: &str = "\u{feff}";

/// What a TOML file looks like beyond its content: a byte order mark, its line ends, a last
/// newline. `toml_edit` writes LF, no BOM, and a last newline; render puts the file's own back.
#[derive(Debug, Clone)]
pub struct TextForm {
    bom: bool,
    /// The file as read (without its BOM): the lines an edit left alone keep their own ends.
    original: String,
    /// New lines end as most of the file's lines do.
    crlf: bool,
    last_newline: bool,
}

impl TextForm {
    pub fn of(text: &str) -> TextForm {
        let body = text.strip_prefix(BOM).unwrap_or(text);
        let crlf = body.matches("\r\n").count();
        TextForm {
            bom: body.len() < text.len(),
            original: body.to_owned(),
            crlf: crlf > body.matches('\n').count() - crlf,
            last_newline: body.is_empty() || body.ends_with('\n'),
        }
    }

    pub fn apply(&self, rendered: String) -> String {
        let newline = if self.crlf { "\r\n" } else { "\n" };
        let mut text = restore_line_ends(&self.original, &rendered, newline);
        if !self.last_newline
            && let Some(kept) = text
                .strip_suffix("\r\n")
                .or_else(|| text.strip_suffix('\n'))
        {
            text.truncate(kept.len());
        }
        if self.bom {
            format!("{BOM}{text}")
        } else {
            text
        }
    }
}

/// `rendered` with each line the edit left alone ending as it did in `original`, and every other
/// line ending in `newline`.
fn restore_line_ends(original: &str, rendered: &str, newline: &str) -> String {
    let content = |l: &str| l.trim_end_matches('\n').trim_end_matches('\r').to_owned();
    let old: Vec<&str> = original.split_inclusive('\n').collect();
    let new: Vec<&str> = rendered.split_inclusive('\n').collect();
    let old_keys: Vec<String> = old.iter().map(|l| content(l)).collect();
    let new_keys: Vec<String> = new.iter().map(|l| content(l)).collect();
    let mut out = String::with_capacity(rendered.len() + rendered.len() / 16);
    let mut put = |line: &str, end: Option<&str>| {
        out.push_str(&content(line));
        if line.ends_with('\n') {
            out.push_str(end.unwrap_or(newline));
        }
    };
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old_keys, &new_keys) {
        match op {
            similar::DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for i in 0..len {
                    let before = old[old_index + i];
                    let end = &before[content(before).len()..];
                    put(new[new_index + i], Some(end).filter(|e| !e.is_empty()));
                }
            }
            similar::DiffOp::Insert {
                new_index, new_len, ..
            }
            | similar::DiffOp::Replace {
                new_index, new_len, ..
            } => {
                for line in &new[new_index..new_index + new_len] {
                    put(line, None);
                }
            }
            similar::DiffOp::Delete { .. } => {}
        }
    }
    out
}
