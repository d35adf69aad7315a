//! Adding our server as the last member of a JSON(C) servers object, and taking it out again, as
//! text edits that touch nothing else: the CST editor spreads an object written on one line over
//! several when it appends to it, and drops blank space before its closing brace, so install then
//! uninstall would not give the user's bytes back. Used where the layout is plain (a file on one
//! line, or a servers object over several lines); anything else is left to the CST editor.

use super::Fields;
use jsonc_parser::ParseOptions;
use jsonc_parser::ast::Value as Ast;
use serde_json::Value;

/// Where the servers object and its members sit in the text.
struct Servers {
    open: usize,
    close: usize,
    /// Each member's name and where it starts and ends (name to the end of its value).
    members: Vec<(String, usize, usize)>,
    /// The servers object is on one line.
    one_line: bool,
}

fn servers(text: &str, options: &ParseOptions, key: &str) -> Option<Servers> {
    let ast = jsonc_parser::parse_to_ast(text, &Default::default(), options).ok()?;
    let Some(Ast::Object(root)) = &ast.value else {
        return None;
    };
    let Ast::Object(obj) = &root.get(key)?.value else {
        return None;
    };
    Some(Servers {
        open: obj.range.start,
        close: obj.range.end - 1,
        members: obj
            .properties
            .iter()
            .map(|p| (p.name.as_str().to_owned(), p.range.start, p.range.end))
            .collect(),
        one_line: !breaks_line(text, obj.range.start, obj.range.end),
    })
}

/// `text` with `"name": value` appended to the servers object in its own layout, or `None` when
/// the layout is one this does not handle.
pub fn append(
    text: &str,
    options: &ParseOptions,
    key: &str,
    name: &str,
    fields: &Fields,
) -> Option<String> {
    let members: Vec<(&str, &Value)> = fields.iter().map(|(k, v)| (*k, v)).collect();
    let s = servers(text, options, key)?;
    let name_json = serde_json::to_string(name).ok()?;
    // A member that does not start its own line: ours goes on the same line after it.
    let inline_after = s
        .members
        .last()
        .is_some_and(|&(_, start, _)| indent_before(text, start).is_none());
    if s.one_line || inline_after {
        let member = format!("{name_json}: {}", inline_object(&members));
        return Some(match s.members.last() {
            None => splice(text, &[(s.open + 1, member)]),
            Some(&(_, _, end)) => match trailing_comma(text, end, s.close) {
                Some(comma) => splice(text, &[(comma + 1, format!(" {member},"))]),
                None => splice(text, &[(end, format!(", {member}"))]),
            },
        });
    }
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let closing_indent = indent_of_line(text, s.close);
    let Some(&(_, start, end)) = s.members.last() else {
        let unit = unit_from(text, s.open).unwrap_or("  ");
        let indent = format!("{closing_indent}{unit}");
        let value = pretty_object(&members, &indent, unit, nl);
        return Some(splice(
            text,
            &[(s.open + 1, format!("{nl}{indent}{name_json}: {value}"))],
        ));
    };
    let indent = indent_before(text, start)?;
    // Members indented deeper than the closing brace give the unit; members at its level (a
    // layout some tools write) leave it to the enclosing object, or two spaces.
    let unit = indent
        .strip_prefix(closing_indent)
        .filter(|u| !u.is_empty())
        .or_else(|| unit_from(text, s.open))
        .unwrap_or("  ");
    let member = format!(
        "{nl}{indent}{name_json}: {}",
        pretty_object(&members, indent, unit, nl)
    );
    let comma = trailing_comma(text, end, s.close);
    // The member goes on a line of its own after the last one's line (its comments stay with it).
    let line_end = end_of_line(text, comma.map_or(end, |c| c + 1), s.close);
    Some(match comma {
        Some(_) => splice(text, &[(line_end, format!("{member},"))]),
        None => splice(text, &[(end, ",".into()), (line_end, member)]),
    })
}

/// `text` without the member `name` when it is the servers object's last member laid out as
/// [`append`] writes it; `None` otherwise (the caller removes it another way).
pub fn remove_last(text: &str, options: &ParseOptions, key: &str, name: &str) -> Option<String> {
    let s = servers(text, options, key)?;
    let (last, rest) = s.members.split_last()?;
    if last.0 != name {
        return None;
    }
    let (start, end) = (last.1, last.2);
    let comma = trailing_comma(text, end, s.close);
    let through = comma.map_or(end, |c| c + 1);
    let from = line_break_before(text, start);
    if s.one_line || from.is_none() {
        return Some(match rest.last() {
            None => splice_out(text, start, through),
            Some(&(_, _, prev_end)) => {
                let prev_comma = trailing_comma(text, prev_end, s.close)?;
                match comma {
                    Some(_) => splice_out(text, prev_comma + 1, through),
                    None => splice_out(text, prev_end, through),
                }
            }
        });
    }
    let from = from?;
    let without = splice_out(text, from, through);
    match (comma, rest.last()) {
        (None, Some(&(_, _, prev_end))) => {
            let prev_comma = trailing_comma(&without, prev_end, from)?;
            Some(splice_out(&without, prev_comma, prev_comma + 1))
        }
        _ => Some(without),
    }
}

/// An object on one line: `{"command": "x", "args": ["mcp", "serve"]}`.
fn inline_object(members: &[(&str, &Value)]) -> String {
    let members: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("{}: {}", Value::from(*k), inline(v)))
        .collect();
    format!("{{{}}}", members.join(", "))
}

/// An object as the CST editor lays one out: a member a line; arrays on one line.
fn pretty_object(members: &[(&str, &Value)], indent: &str, unit: &str, nl: &str) -> String {
    let inner = format!("{indent}{unit}");
    let members: Vec<String> = members
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Object(map) if !map.is_empty() => {
                    pretty_object(&entries(map), &inner, unit, nl)
                }
                other => inline(other),
            };
            format!("{nl}{inner}{}: {v}", Value::from(*k))
        })
        .collect();
    if members.is_empty() {
        return "{}".into();
    }
    format!("{{{}{nl}{indent}}}", members.join(","))
}

fn entries(map: &serde_json::Map<String, Value>) -> Vec<(&str, &Value)> {
    map.iter().map(|(k, v)| (k.as_str(), v)).collect()
}

/// A value on one line.
fn inline(value: &Value) -> String {
    match value {
        Value::Object(map) if !map.is_empty() => inline_object(&entries(map)),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// Whether a line break comes between `from` and `to` outside comments and strings (a block
/// comment over several lines leaves an object on one line).
fn breaks_line(text: &str, from: usize, to: usize) -> bool {
    let b = text.as_bytes();
    let mut i = from;
    while i < to {
        match b[i] {
            b'\n' => return true,
            b'"' => {
                i += 1;
                while i < to && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => return true,
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..to].find("*/").map_or(to, |n| i + 2 + n + 2);
            }
            _ => i += 1,
        }
    }
    false
}

/// Where the line from `i` ends, comments on it included; a comment that goes on over more lines
/// is not part of it (the point is before that comment).
fn end_of_line(text: &str, mut i: usize, limit: usize) -> usize {
    let b = text.as_bytes();
    while i < limit {
        match b[i] {
            b' ' | b'\t' => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                return text[i..limit].find(['\r', '\n']).map_or(limit, |n| i + n);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let close = text[i + 2..limit]
                    .find("*/")
                    .map_or(limit, |n| i + 2 + n + 2);
                if text[i..close].contains('\n') {
                    return i;
                }
                i = close;
            }
            _ => return i,
        }
    }
    limit
}

/// Where the comma after the value ending at `end` is, if one comes before `limit`.
fn trailing_comma(text: &str, end: usize, limit: usize) -> Option<usize> {
    let i = skip_trivia(text, end, limit);
    (text.as_bytes().get(i) == Some(&b',')).then_some(i)
}

/// Skips whitespace and comments from `i`, up to `limit`.
fn skip_trivia(text: &str, mut i: usize, limit: usize) -> usize {
    let b = text.as_bytes();
    while i < limit {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = text[i..limit].find('\n').map_or(limit, |n| i + n);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..limit]
                    .find("*/")
                    .map_or(limit, |n| i + 2 + n + 2);
            }
            _ => break,
        }
    }
    i
}

/// The whitespace that starts the line holding `pos`.
fn indent_of_line(text: &str, pos: usize) -> &str {
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// The whitespace before `pos` when only whitespace precedes it on its line.
fn indent_before(text: &str, pos: usize) -> Option<&str> {
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[start..pos];
    indent
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
        .then_some(indent)
}

/// The indentation one level adds, read off the member holding the object at `open`.
fn unit_from(text: &str, open: usize) -> Option<&str> {
    let outer = indent_of_line(text, open);
    let root_line = text[..open].find('{').map(|i| indent_of_line(text, i))?;
    outer.strip_prefix(root_line).filter(|u| !u.is_empty())
}

/// Where the line break before `pos` starts (its CR included), when only whitespace lies between.
fn line_break_before(text: &str, pos: usize) -> Option<usize> {
    let lf = text[..pos].rfind('\n')?;
    if !text[lf + 1..pos].bytes().all(|b| b == b' ' || b == b'\t') {
        return None;
    }
    Some(if lf > 0 && text.as_bytes()[lf - 1] == b'\r' {
        lf - 1
    } else {
        lf
    })
}

/// `text` with each `(at, insert)` put in; positions are in the original text.
fn splice(text: &str, edits: &[(usize, String)]) -> String {
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|e| e.1.len()).sum::<usize>());
    let mut from = 0;
    let mut sorted: Vec<&(usize, String)> = edits.iter().collect();
    sorted.sort_by_key(|e| e.0);
    for (at, insert) in sorted {
        out.push_str(&text[from..*at]);
        out.push_str(insert);
        from = *at;
    }
    out.push_str(&text[from..]);
    out
}

fn splice_out(text: &str, from: usize, to: usize) -> String {
    format!("{}{}", &text[..from], &text[to..])
}
