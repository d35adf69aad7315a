//! The architecture rules of `src/`: which room (top-level folder or file) may use which, plus
//! size and documentation limits. Read from the source text, so no compiler plugin is needed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::{env, fs};

const LOWER: [&str; 4] = ["upstream", "jsonrpc", "key", "clients"];
const ABOVE_LOWER: [&str; 4] = ["commands", "cli", "bridge", "lib"];
const ABOVE_BRIDGE: [&str; 3] = ["clients", "commands", "lib"];
const CLAP_ROOMS: [&str; 4] = ["cli", "lib", "main", "commands"];
const MAX_FILE_LINES: usize = 700;
const MAX_IMPL_LINES: usize = 400;
const MODIFIERS: [&str; 3] = ["pub", "unsafe", "default"];

/// One broken rule: path, line, rule and why, sorted in that order.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Violation(String, usize, &'static str, String);

impl Violation {
    fn show(&self) -> String {
        format!("{}:{}: {}: {}", self.0, self.1, self.2, self.3)
    }
}

/// A use of another module: `crate::NAME`, a `use crate::{..}` member, or a bare `NAME!`.
struct Ref {
    line: usize,
    name: String,
    shown: String,
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

// The char helpers tolerate indices past the end so callers need no bounds checks.
fn ident_end(c: &[char], i: usize) -> usize {
    i + c.iter().skip(i).take_while(|&&x| is_ident(x)).count()
}

fn skip_ws(c: &[char], i: usize) -> usize {
    i + c.iter().skip(i).take_while(|x| x.is_whitespace()).count()
}

fn find(c: &[char], i: usize, ch: char) -> usize {
    i + c.iter().skip(i).take_while(|&&x| x != ch).count()
}

fn word(c: &[char], i: usize) -> String {
    c.iter().skip(i).take_while(|&&x| is_ident(x)).collect()
}

fn word_start(c: &[char], i: usize) -> bool {
    c.get(i).is_some_and(|&x| is_ident(x)) && (i == 0 || !is_ident(c[i - 1]))
}

fn word_at(c: &[char], i: usize, w: &str) -> bool {
    word_start(c, i) && word(c, i) == w
}

fn line_of(c: &[char], i: usize) -> usize {
    1 + c[..i].iter().filter(|&&x| x == '\n').count()
}

/// Index just past the closing `q`, honouring backslash escapes.
fn quoted(c: &[char], mut j: usize, q: char) -> usize {
    while j < c.len() && c[j] != q {
        j += if c[j] == '\\' { 2 } else { 1 };
    }
    (j + 1).min(c.len())
}

/// Blanks comments, strings and char literals, keeping every newline so line numbers survive.
fn strip(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = c.clone();
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(i + k).copied();
        let end = if (at(0), at(1)) == (Some('/'), Some('/')) {
            find(&c, i, '\n')
        } else if (at(0), at(1)) == (Some('/'), Some('*')) {
            let (mut depth, mut j) = (0, i);
            while j < c.len() && !(depth == 0 && j > i) {
                let pair = (c[j], c.get(j + 1).copied().unwrap_or(' '));
                let (opens, closes) = (pair == ('/', '*'), pair == ('*', '/'));
                depth += i32::from(opens) - i32::from(closes);
                j += if opens || closes { 2 } else { 1 };
            }
            j.min(c.len())
        } else if c[i] == '"' {
            quoted(&c, i + 1, '"')
        } else if c[i] == '\'' && (at(1) == Some('\\') || at(2) == Some('\'')) {
            // `'x'` or an escape; a `'a` not closed two chars on is a lifetime or a label.
            quoted(&c, i + 1, '\'')
        } else if word_start(&c, i) {
            // Whole words are skipped, so `r#ident` and words ending in r or b are no strings.
            let w = ident_end(&c, i);
            let hashes = c[w..].iter().take_while(|&&x| x == '#').count();
            let raw = matches!(word(&c, i).as_str(), "r" | "br" | "cr");
            if !raw || c.get(w + hashes) != Some(&'"') {
                i = w;
                continue;
            }
            let closes = |j: usize| c[j..].iter().skip(1).take_while(|&&x| x == '#').count();
            let mut j = w + hashes + 1;
            while j < c.len() && !(c[j] == '"' && closes(j) >= hashes) {
                j += 1;
            }
            (j + 1 + hashes).min(c.len())
        } else {
            i += 1;
            continue;
        };
        for ch in out[i..end].iter_mut().filter(|ch| **ch != '\n') {
            *ch = ' ';
        }
        i = end;
    }
    out.into_iter().collect()
}

/// Every `crate::NAME`, `use crate::{a, b::c}` member and bare call of a macro in `macros`.
fn references(text: &str, macros: &HashMap<String, String>) -> Vec<Ref> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut push = |i: usize, shown: String| {
        let (line, name) = (line_of(&c, i), word(&c, i));
        out.push(Ref { line, name, shown });
    };
    let mut i = 0;
    while i < c.len() {
        if !word_start(&c, i) {
            i += 1;
            continue;
        }
        let (w, end) = (word(&c, i), ident_end(&c, i));
        let after = skip_ws(&c, end);
        let j = skip_ws(&c, after + 2);
        if w == "crate" && c[after..].starts_with(&[':', ':']) && c.get(j) == Some(&'{') {
            // Only the first name of each top-level member leaves the crate root.
            let (mut depth, mut fresh) = (0, true);
            for (k, &ch) in c.iter().enumerate().skip(j) {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 1 => break,
                    '}' => depth -= 1,
                    ',' if depth == 1 => fresh = true,
                    _ if depth == 1 && fresh && word_start(&c, k) => {
                        push(k, format!("crate::{{{}}}", word(&c, k)));
                        fresh = false;
                    }
                    _ => {}
                }
            }
        } else if w == "crate" && c[after..].starts_with(&[':', ':']) && word_start(&c, j) {
            let shown = format!("crate::{}", word(&c, j));
            let bang = c.get(skip_ws(&c, ident_end(&c, j))) == Some(&'!');
            push(j, if bang { shown + "!" } else { shown });
        } else if macros.contains_key(&w)
            && !c[..i].ends_with(&[':', ':'])
            && c.get(after) == Some(&'!')
            && c.get(after + 1) != Some(&'=')
        {
            push(i, format!("{w}!"));
        }
        i = end;
    }
    out
}

/// Names of `#[macro_export] macro_rules! NAME` definitions, other attributes allowed between.
fn exported_macros(text: &str) -> Vec<String> {
    let (mut out, mut exported) = (Vec::new(), false);
    for line in text.lines() {
        let mut rest = line.trim();
        while let Some(attr) = rest.strip_prefix("#[") {
            exported |= attr.starts_with("macro_export");
            rest = attr.split_once(']').map_or("", |(_, r)| r.trim());
        }
        if let Some(def) = rest.strip_prefix("macro_rules!")
            && exported
        {
            out.push(def.trim().chars().take_while(|&x| is_ident(x)).collect());
        }
        // Blank lines (stripped doc comments) and attributes keep the pending export.
        exported &= rest.is_empty();
    }
    out
}

/// (first line, last line) of each impl block: `impl` as the first token of an item on its line.
fn impl_blocks(text: &str) -> Vec<(usize, usize)> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for s in (0..c.len()).filter(|&s| s == 0 || c[s - 1] == '\n') {
        // Items follow `;`, `{`, `}` or an attribute's `]`; `impl Trait` follows `(`, `,`, `>`.
        let prev = c[..s].iter().rev().find(|x| !x.is_whitespace());
        let mut k = s + c[s..]
            .iter()
            .take_while(|x| matches!(x, ' ' | '\t'))
            .count();
        while MODIFIERS.iter().any(|w| word_at(&c, k, w)) {
            k = skip_ws(&c, ident_end(&c, k));
            if c.get(k) == Some(&'(') {
                k = skip_ws(&c, find(&c, k, ')') + 1);
            }
        }
        if !matches!(prev, None | Some(';' | '{' | '}' | ']')) || !word_at(&c, k, "impl") {
            continue;
        }
        let mut depth = 0;
        let open = find(&c, k, '{');
        let close = (open..c.len()).find(|&j| {
            depth += i32::from(c[j] == '{') - i32::from(c[j] == '}');
            depth == 0
        });
        if let Some(close) = close {
            out.push((line_of(&c, s), line_of(&c, close)));
        }
    }
    out
}

/// `src/X/...` and `src/X.rs` are both room X.
fn raw_room(rel: &str) -> String {
    let first = rel.split('/').next().unwrap_or(rel);
    first.strip_suffix(".rs").unwrap_or(first).to_string()
}

/// Relative paths of the `.rs` files and of the folders under `dir`, sorted.
fn walk(dir: &Path, rel: &str, files: &mut Vec<String>, dirs: &mut Vec<String>) {
    let read = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut entries: Vec<_> = read.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = format!("{rel}{}", e.file_name().to_string_lossy());
        if e.path().is_dir() {
            dirs.push(name.clone());
            walk(&e.path(), &format!("{name}/"), files, dirs);
        } else if name.ends_with(".rs") {
            files.push(name);
        }
    }
}

fn parse_aliases(spec: &str) -> HashMap<String, String> {
    let pairs = spec.split(',').filter_map(|p| p.split_once('='));
    let trim = |s: &str| s.trim().to_string();
    pairs.map(|(m, r)| (trim(m), trim(r))).collect()
}

/// Every rule over the tree at `src`; paths are shown as `src/…` whatever the folder is called.
fn check(src: &Path, aliases: &HashMap<String, String>) -> Vec<Violation> {
    let (mut paths, mut dirs) = (Vec::new(), Vec::new());
    walk(src, "", &mut paths, &mut dirs);
    let read = |rel: &str| fs::read_to_string(src.join(rel)).unwrap_or_default();
    let (mut files, mut rooms, mut macros) = (Vec::new(), HashSet::new(), HashMap::new());
    for rel in &paths {
        let (text, raw) = (read(rel), raw_room(rel));
        let room = aliases.get(&raw).cloned().unwrap_or(raw.clone());
        let stripped = strip(&text);
        for m in exported_macros(&stripped) {
            macros.insert(m, room.clone());
        }
        rooms.insert(raw);
        files.push((format!("src/{rel}"), room, stripped, text.lines().count()));
    }
    // An alias, then a room of the tree, then an exported macro's room, else the crate root.
    let target = |name: &String| {
        let known = rooms.contains(name).then_some(name);
        let room = aliases.get(name).or(known).or(macros.get(name));
        room.map_or("lib".into(), String::clone)
    };
    let mut v = Vec::new();
    let mut add = |path: &str, line, rule, why| v.push(Violation(path.into(), line, rule, why));
    let mut edges = BTreeMap::new();
    for (path, from, stripped, lines) in &files {
        if *lines > MAX_FILE_LINES {
            let why = format!("{lines} lines, over {MAX_FILE_LINES}");
            add(path, 1, "file-too-long", why);
        }
        for (a, b) in impl_blocks(stripped) {
            let why = format!("impl block of {} lines, over {MAX_IMPL_LINES}", b - a + 1);
            if b - a + 1 > MAX_IMPL_LINES {
                add(path, a, "impl-too-long", why);
            }
        }
        let clap_allowed = CLAP_ROOMS.contains(&from.as_str());
        for (n, line) in stripped.lines().enumerate() {
            let c: Vec<char> = line.chars().collect();
            if !clap_allowed && (0..c.len()).any(|i| word_at(&c, i, "clap")) {
                let why = format!("`{from}` names clap; only {CLAP_ROOMS:?} may");
                add(path, n + 1, "clap-outside-cli", why);
            }
            let squeezed: String = line.split_whitespace().collect();
            if squeezed.contains("super::super") {
                let why = "leave a room through crate:: instead".to_string();
                add(path, n + 1, "super-super", why);
            }
        }
        for r in references(stripped, &macros) {
            let to = target(&r.name);
            if to == *from {
                continue;
            }
            let why = format!("`{from}` uses `{to}` through `{}`", r.shown);
            if from != "main" && to != "main" {
                let edge = edges.entry((from.clone(), to.clone()));
                edge.or_insert((path.clone(), r.line, r.shown));
            }
            if LOWER.contains(&from.as_str()) && ABOVE_LOWER.contains(&to.as_str()) {
                add(path, r.line, "lower-uses-higher", why);
            } else if from == "bridge" && ABOVE_BRIDGE.contains(&to.as_str()) {
                add(path, r.line, "bridge-uses-clients-or-commands", why);
            }
        }
    }
    for dir in &dirs {
        // The folder's own module file: `X/mod.rs`, or `X.rs` beside the folder.
        let module = [format!("{dir}/mod.rs"), format!("{dir}.rs")];
        let Some(module) = module.into_iter().find(|f| src.join(f).is_file()) else {
            continue;
        };
        let text = read(&module);
        let docs = text.lines().take(2).filter(|l| l.starts_with("//!"));
        if docs.count() < 2 {
            let why = "start with two //! lines: the room's purpose, what it must not use";
            add(&format!("src/{module}"), 1, "room-doc", why.into());
        }
    }
    // a -> b lies on a cycle when b reaches a; the cycle's rooms are those a reaches that reach a.
    let mut reach: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (a, _) in edges.keys() {
        let (mut seen, mut todo) = (BTreeSet::new(), vec![a.as_str()]);
        while let Some(n) = todo.pop() {
            for (_, to) in edges.keys().filter(|(f, _)| f == n) {
                if seen.insert(to.as_str()) {
                    todo.push(to);
                }
            }
        }
        reach.insert(a, seen);
    }
    let reaches = |a: &str, b: &str| reach.get(a).is_some_and(|s| s.contains(b));
    for ((a, b), (path, line, shown)) in &edges {
        if reaches(b, a) {
            let ring = reach[a.as_str()].iter().filter(|n| reaches(n, a));
            let ring = ring.copied().collect::<Vec<_>>().join(", ");
            let why = format!("`{a}` -> `{b}` through `{shown}`; the cycle: {ring}");
            add(path, *line, "cycle", why);
        }
    }
    v.sort();
    v.dedup();
    v
}

#[test]
fn src_follows_the_rooms() {
    let src = env::var_os("LAYOUT_SRC").map(PathBuf::from);
    let src = src.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let aliases = parse_aliases(&env::var("LAYOUT_ALIASES").unwrap_or_default());
    let list: Vec<String> = check(&src, &aliases).iter().map(Violation::show).collect();
    if !list.is_empty() {
        let (n, all) = (list.len(), list.join("\n"));
        panic!("\n{all}\n{n} violation(s) in {}", src.display());
    }
}

const DOC: &str = "//! What this room is for.\n//! What it must not use.\n";
const NONE: [&str; 0] = [];

/// The check over a synthetic tree, each violation shown as `path:line: rule: why`.
fn aliased(files: &[(&str, &str)], aliases: &str) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let file = tmp.path().join("src").join(path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, text).unwrap();
    }
    let v = check(&tmp.path().join("src"), &parse_aliases(aliases));
    v.iter().map(Violation::show).collect()
}

fn run(files: &[(&str, &str)]) -> Vec<String> {
    aliased(files, "")
}

/// Just `path:line: rule` of each violation.
fn cut(shown: Vec<String>) -> Vec<String> {
    let cut = |v: &String| v.splitn(3, ": ").take(2).collect::<Vec<_>>().join(": ");
    shown.iter().map(cut).collect()
}

/// Just `path:line: rule` of each violation in a tree of one file.
fn one(path: &str, text: &str) -> Vec<String> {
    cut(run(&[(path, text)]))
}

fn doc(body: &str) -> String {
    format!("{DOC}{body}")
}

fn names(text: &str) -> Vec<(usize, String)> {
    let refs = references(&strip(text), &HashMap::new());
    refs.into_iter().map(|r| (r.line, r.name)).collect()
}

#[test]
fn lower_rooms_do_not_use_higher_ones() {
    let key = doc("use crate::cli::Args;\nfn f() -> crate::Exit {}\n");
    let want = [
        "src/key/mod.rs:3: lower-uses-higher: `key` uses `cli` through `crate::cli`",
        "src/key/mod.rs:4: lower-uses-higher: `key` uses `lib` through `crate::Exit`",
    ];
    assert_eq!(run(&[("key/mod.rs", &key), ("cli.rs", "")]), want);
    let key = doc("use crate::log::warn;\n");
    assert_eq!(run(&[("key/mod.rs", &key), ("log.rs", "")]), NONE);
}

#[test]
fn bridge_does_not_use_clients_or_commands() {
    let bridge = doc("fn f() { crate::clients::x(); }\n");
    let want = ["src/bridge/mod.rs:3: bridge-uses-clients-or-commands: \
        `bridge` uses `clients` through `crate::clients`"];
    assert_eq!(run(&[("bridge/mod.rs", &bridge), ("clients.rs", "")]), want);
    let bridge = doc("fn f() { crate::upstream::x(); }\n");
    let tree = [("bridge/mod.rs", &*bridge), ("upstream.rs", "")];
    assert_eq!(run(&tree), NONE);
}

#[test]
fn cycles_are_reported_per_edge() {
    let tree = [("a.rs", "use crate::b;\n"), ("b.rs", "\nuse crate::a;\n")];
    let want = [
        "src/a.rs:1: cycle: `a` -> `b` through `crate::b`; the cycle: a, b",
        "src/b.rs:2: cycle: `b` -> `a` through `crate::a`; the cycle: a, b",
    ];
    assert_eq!(run(&tree), want);
    assert_eq!(run(&[("a.rs", "use crate::b;\n"), ("b.rs", "")]), NONE);
    // `main` is outside the graph: it may use anything, and nothing uses it.
    let tree = [("main.rs", "use crate::b;"), ("b.rs", "use crate::main;")];
    assert_eq!(run(&tree), NONE);
}

#[test]
fn files_stay_under_the_line_limit() {
    let want = ["src/log.rs:1: file-too-long"];
    assert_eq!(one("log.rs", &"x\n".repeat(701)), want);
    assert_eq!(one("log.rs", &"x\n".repeat(700)), NONE);
}

#[test]
fn impl_blocks_stay_under_the_line_limit() {
    let block = |n: usize| format!("struct S;\nimpl S {{\n{}}}\n", "    fn f() {}\n".repeat(n));
    assert_eq!(one("log.rs", &block(399)), ["src/log.rs:2: impl-too-long"]);
    assert_eq!(one("log.rs", &block(398)), NONE);
    // `impl Trait` in argument or return position opens no impl block.
    let body = "    x();\n".repeat(500);
    let long_fn = format!("fn h(x: impl Fn()) -> impl Iterator<Item = u8> {{\n{body}}}\n");
    assert_eq!(one("log.rs", &long_fn), NONE);
}

#[test]
fn impl_blocks_are_found_in_every_shape() {
    let text = "impl<T> X for Y<T>\nwhere\n    T: Copy,\n{\n    fn f() {}\n}\n\
        unsafe impl Send for S {}\nmod tests {\n    impl S {\n        \
        fn g(x: impl Fn()) -> impl Iterator<Item = u8> {\n            x()\n        }\n    }\n}\n\
        fn h() -> (\n    impl Fn(),\n    impl Fn(),\n) {\n}\n\
        \n/// A.\npub(crate) default impl A for B {}\n";
    let want = [(1, 6), (7, 7), (9, 13), (22, 22)];
    assert_eq!(impl_blocks(&strip(text)), want);
}

#[test]
fn brace_literals_do_not_break_impl_measuring() {
    let text = "impl S {\n    fn f() -> char { '{' }\n    fn g() -> &'static str { \"}\" }\n    \
        fn h() -> &'static str { r#\"}\"# }\n}\nfn after() {}\n";
    assert_eq!(impl_blocks(&strip(text)), [(1, 5)]);
}

#[test]
fn clap_stays_in_cli_lib_main_and_commands() {
    let upstream = doc("#[derive(clap::ValueEnum)]\nenum E {}\n");
    let want = ["src/upstream/mod.rs:3: clap-outside-cli"];
    assert_eq!(one("upstream/mod.rs", &upstream), want);
    let commands = doc("use clap::Args;\n");
    let upstream = doc("use clap_complete::Shell; // clap\nconst C: &str = \"clap\";\n");
    let good = [
        ("cli.rs", "use clap::Parser;\n"),
        ("lib.rs", "use clap::Parser;\n"),
        ("commands/mod.rs", &commands),
        ("upstream/mod.rs", &upstream),
    ];
    assert_eq!(run(&good), NONE);
}

#[test]
fn super_super_is_forbidden() {
    let want = ["src/key/store.rs:1: super-super"];
    assert_eq!(one("key/store.rs", "use super::super::log;\n"), want);
    assert_eq!(one("key/store.rs", "use super::x; // super::super\n"), NONE);
}

#[test]
fn folders_document_their_room() {
    let want = ["src/key/mod.rs:1: room-doc"];
    assert_eq!(one("key/mod.rs", "//! One.\nuse std::fs;\n"), want);
    let want = ["src/key.rs:1: room-doc"];
    let tree = [("key.rs", "//! One.\n"), ("key/a.rs", "")];
    assert_eq!(cut(run(&tree)), want);
    assert_eq!(one("key/mod.rs", DOC), NONE);
}

#[test]
fn literals_and_comments_are_not_references() {
    let text = "const A: &str = \"crate::bridge\";\nconst B: &[u8] = br#\"crate::bridge \"x\"\"#;\n\
        // crate::bridge\n/* crate::bridge /* nested */ crate::bridge */\nconst C: char = '\"';\n\
        fn f() { crate::log::x(); }\n";
    assert_eq!(names(text), [(6, "log".to_string())]);
    // Were `crate::bridge` seen, `key` would use the crate root or `bridge` and break a rule.
    assert_eq!(run(&[("key/mod.rs", &doc(text)), ("log.rs", "")]), NONE);
}

#[test]
fn lifetimes_are_not_char_literals() {
    let want = "x: &'a u8, c:    , d: b    ";
    assert_eq!(strip("x: &'a u8, c: 'b', d: b'\\n'"), want);
    let text = "fn f<'a>(x: &'a str) -> &'a str {\n    crate::bridge::g(x)\n}\n\
        const C: char = '\\u{7b}';";
    assert_eq!(names(text), [(2, "bridge".to_string())]);
}

#[test]
fn use_groups_spanning_lines_name_their_top_level_members() {
    let text = "pub use crate::{\n    x,\n    y::{z, w::{q}},\n};\n";
    assert_eq!(names(text), [(2, "x".to_string()), (3, "y".to_string())]);
}

#[test]
fn bare_exported_macros_belong_to_their_defining_room() {
    let export = "/// Prints.\n#[macro_export]\nmacro_rules! outln {\n    () => {};\n}\n";
    let user = doc("fn f() {\n    outln!(\"hi\");\n    let b = outln != 2;\n}\n");
    let want = ["src/key/mod.rs:4: lower-uses-higher: `key` uses `cli` through `outln!`"];
    assert_eq!(run(&[("cli.rs", export), ("key/mod.rs", &user)]), want);
    assert_eq!(run(&[("output.rs", export), ("key/mod.rs", &user)]), NONE);
}

#[test]
fn aliases_map_old_modules_to_rooms() {
    let tree = [("stdio.rs", "use crate::config;"), ("config/mod.rs", DOC)];
    let want = ["src/stdio.rs:1: bridge-uses-clients-or-commands: \
        `bridge` uses `clients` through `crate::config`"];
    assert_eq!(aliased(&tree, "stdio=bridge, config=clients"), want);
    assert_eq!(run(&tree), NONE);
}
