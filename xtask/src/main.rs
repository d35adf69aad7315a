//! `cargo xtask`: the release packaging of 3minapi (the alias is in `.cargo/config.toml`).
//!
//! ```text
//! cargo xtask dist [--target TRIPLE]… [--all] [--out DIR] [--release-url URL]
//! cargo xtask formula [--out DIR] [--release-url URL]
//! ```
//!
//! `dist` builds `3minapi` in release mode for each target and writes to DIR (default
//! `target/dist`): `3minapi-<os>-<arch>.tar.gz` (`.zip` for Windows) with one top-level folder
//! `3minapi-<os>-<arch>/` holding the binary, README.md, LICENSE and `completions/`; `<archive>.sha256`
//! beside each; `SHA256SUMS` over every archive in DIR; `install.sh` (the one-line installer, served
//! from the release like the archives it downloads); the npm tarballs (the launcher `3minapi`
//! and `@3minapi/<os>-<cpu>` for each target built); and the Homebrew formula `threeminapi.rb`
//! (see formula.rs for the name) for the Linux and macOS archives in DIR. The archives are
//! reproducible: their bytes depend only on the files and the commit time (`SOURCE_DATE_EPOCH`
//! when set), see archive.rs. `formula` rewrites SHA256SUMS and the formula from the archives
//! already in DIR, for a release that gathers them from several machines.

mod archive;
mod formula;
mod npm;
mod targets;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use archive::{Entry, sha256_hex};
use targets::Target;

pub type Result<T> = std::result::Result<T, String>;

/// Where a release's archives are downloaded from: the formula's default `url` base.
const RELEASE_URL: &str = "https://github.com/3minapi/3minapi/releases/latest/download";
const HOMEPAGE: &str = "https://github.com/3minapi/3minapi";

const USAGE: &str = "\
usage:
  cargo xtask dist [--target TRIPLE]... [--all] [--out DIR] [--release-url URL]
      build the release binaries and write the archives, sums, npm tarballs and Homebrew formula
      to DIR (default: target/dist). No --target: this machine's own platform. --all: every
      target this host builds (Linux: x86_64-unknown-linux-musl, aarch64-unknown-linux-musl,
      x86_64-pc-windows-gnu; macOS: x86_64-apple-darwin, aarch64-apple-darwin).
  cargo xtask formula [--out DIR] [--release-url URL]
      rewrite SHA256SUMS and the Homebrew formula from the archives already in DIR
--release-url: the download base of the archives in the formula
      (default: https://github.com/3minapi/3minapi/releases/latest/download)";

/// Maps an I/O error to a message naming the file.
pub fn ctx(path: &Path) -> impl FnOnce(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

struct Args {
    command: String,
    targets: Vec<String>,
    all: bool,
    out: Option<PathBuf>,
    release_url: String,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args> {
    let command = args.next().ok_or("no command")?;
    let mut parsed = Args {
        command,
        targets: Vec::new(),
        all: false,
        out: None,
        release_url: RELEASE_URL.to_owned(),
    };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--target" if parsed.command == "dist" => parsed.targets.push(value()?),
            "--all" if parsed.command == "dist" => parsed.all = true,
            "--out" => parsed.out = Some(PathBuf::from(value()?)),
            "--release-url" => parsed.release_url = value()?,
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty()
        || args
            .iter()
            .any(|a| a == "-h" || a == "--help" || a == "help")
    {
        println!("{USAGE}");
        return if args.is_empty() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    let result = parse_args(args.into_iter()).and_then(|args| match args.command.as_str() {
        "dist" => dist(&args),
        "formula" => formula_only(&args),
        other => Err(format!("unknown command {other:?}")),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}\n\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (xtask's parent directory).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_path_buf()
}

fn out_dir(args: &Args) -> PathBuf {
    match &args.out {
        Some(dir) => dir.clone(),
        None => std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join("target"))
            .join("dist"),
    }
}

/// `[package]`'s `version` in the root Cargo.toml.
fn crate_version(root: &Path) -> Result<String> {
    let manifest = root.join("Cargo.toml");
    let text = fs::read_to_string(&manifest).map_err(ctx(&manifest))?;
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package
            && let Some(v) = line.strip_prefix("version")
            && let Some(v) = v.trim_start().strip_prefix('=')
        {
            return Ok(v.trim().trim_matches('"').to_owned());
        }
    }
    Err(format!("no [package] version in {}", manifest.display()))
}

/// The archives' mtime: `SOURCE_DATE_EPOCH`, else the commit time of HEAD.
fn source_epoch(root: &Path) -> Result<u64> {
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
        return v
            .trim()
            .parse()
            .map_err(|_| format!("SOURCE_DATE_EPOCH={v:?} is not a number of seconds"));
    }
    let out = Command::new("git")
        .args(["log", "-1", "--format=%ct"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .ok_or("the archives' timestamp is the commit time, and `git log -1 --format=%ct` failed here: set SOURCE_DATE_EPOCH")?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| "git log -1 --format=%ct printed no time".to_owned())
}

/// The shell completions the archives carry: the files committed in `completions/`, but not the
/// script that regenerates them.
fn completion_files(root: &Path) -> Result<Vec<String>> {
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--", "completions"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split('\0')
                .filter_map(|p| p.strip_prefix("completions/"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|l| !l.is_empty());
    let mut names = match listed {
        Some(names) => names,
        // Not a git checkout (a source tarball): what the folder holds.
        None => {
            let dir = root.join("completions");
            fs::read_dir(&dir)
                .map_err(ctx(&dir))?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        }
    };
    names.retain(|n| !n.ends_with(".sh") && !n.contains('/'));
    names.sort();
    if names.is_empty() {
        return Err("no shell completions in completions/".into());
    }
    Ok(names)
}

/// The archive's entries for `target`: `<stem>/` with the binary, README.md, LICENSE and
/// `completions/`.
fn archive_entries(root: &Path, target: &Target, binary: &Path) -> Result<Vec<Entry>> {
    let stem = target.stem();
    let read = |p: &Path| fs::read(p).map_err(ctx(p));
    let mut entries = vec![
        Entry::dir(&stem),
        Entry::file(
            format!("{stem}/{}", target.exe_name()),
            read(binary)?,
            0o755,
        ),
        Entry::file(
            format!("{stem}/README.md"),
            read(&root.join("README.md"))?,
            0o644,
        ),
        Entry::file(
            format!("{stem}/LICENSE"),
            read(&root.join("LICENSE"))?,
            0o644,
        ),
        Entry::dir(format!("{stem}/completions")),
    ];
    for name in completion_files(root)? {
        entries.push(Entry::file(
            format!("{stem}/completions/{name}"),
            read(&root.join("completions").join(&name))?,
            0o644,
        ));
    }
    Ok(entries)
}

/// Builds the release binary for `target`; returns its path.
fn build(target: &Target) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--release",
        "--locked",
        "--bin",
        "3minapi",
        "--package",
        "threeminapi",
        "--message-format=json-render-diagnostics",
        "--target",
        target.triple,
    ])
    .current_dir(root())
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit());
    for (k, v) in target.build_env() {
        eprintln!("xtask: {k}={v}");
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cargo could not start: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo build --release --target {} failed",
            target.triple
        ));
    }
    // The path cargo reports: right whatever the target directory is.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(r#""reason":"compiler-artifact""#))
        .find_map(|l| json_string(l, "executable"))
        .map(PathBuf::from)
        .ok_or_else(|| format!("cargo build for {} reported no executable", target.triple))
}

/// The string value of `"key":"…"` in one line of cargo's JSON messages.
fn json_string(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let mut out = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

fn write_file(path: &Path, data: &[u8]) -> Result<()> {
    fs::write(path, data).map_err(ctx(path))
}

/// Rewrites `SHA256SUMS` over every release archive in `dir`, sorted by name; returns how many.
fn write_sums(dir: &Path) -> Result<usize> {
    let mut names: Vec<String> = targets::TARGETS
        .iter()
        .map(Target::archive_name)
        .filter(|n| dir.join(n).is_file())
        .collect();
    names.sort();
    names.dedup();
    let mut sums = String::new();
    for name in &names {
        let path = dir.join(name);
        let hex = sha256_hex(&fs::read(&path).map_err(ctx(&path))?);
        sums.push_str(&format!("{hex}  {name}\n"));
    }
    write_file(&dir.join("SHA256SUMS"), sums.as_bytes())?;
    Ok(names.len())
}

/// Writes the formula from the archives in `dir`, printing a note for each platform left out.
fn write_formula(dir: &Path, version: &str, release_url: &str) -> Result<()> {
    let (platforms, notes) = formula::scan(dir)?;
    for note in notes {
        eprintln!("xtask: {note}");
    }
    let path = dir.join(formula::FILE_NAME);
    if platforms.is_empty() {
        eprintln!(
            "xtask: no Linux or macOS archive in {}: no Homebrew formula written",
            dir.display()
        );
        return Ok(());
    }
    let text = formula::render(version, HOMEPAGE, release_url, &platforms);
    write_file(&path, text.as_bytes())?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

fn formula_only(args: &Args) -> Result<()> {
    let root = root();
    let dir = out_dir(args);
    let n = write_sums(&dir)?;
    if n == 0 {
        return Err(format!("no release archive in {}", dir.display()));
    }
    eprintln!(
        "xtask: wrote {} ({n} archives)",
        dir.join("SHA256SUMS").display()
    );
    write_formula(&dir, &crate_version(&root)?, &args.release_url)
}

fn dist(args: &Args) -> Result<()> {
    let root = root();
    let mut chosen: Vec<&'static Target> = Vec::new();
    if args.all {
        chosen.extend(targets::all_for_host());
    }
    for t in &args.targets {
        let known: Vec<&str> = targets::TARGETS.iter().map(|t| t.triple).collect();
        chosen.push(targets::find(t).ok_or_else(|| {
            format!(
                "unknown target {t:?}: the release targets are {}",
                known.join(", ")
            )
        })?);
    }
    if chosen.is_empty() {
        chosen.push(
            targets::native()
                .ok_or("this machine's platform is no release target: name one with --target")?,
        );
    }
    let mut seen = Vec::new();
    chosen.retain(|t| {
        let new = !seen.contains(&t.triple);
        seen.push(t.triple);
        new
    });
    // Everything that can be checked is checked before the first (long) build.
    let installed = targets::rustup_installed_targets();
    let mut missing: Vec<String> = Vec::new();
    for t in &chosen {
        for fix in targets::missing_toolchain(t, installed.as_deref()) {
            missing.push(format!("  {fix}    # for {}", t.triple));
        }
    }
    if !targets::on_path(if cfg!(windows) { "npm.cmd" } else { "npm" }) {
        missing.push("  apt-get install npm    # npm pack of the npm packages".into());
    }
    for (file, why) in [
        ("README.md", "every archive carries it"),
        ("LICENSE", "every archive carries it"),
        ("install.sh", "the release's installer"),
    ] {
        if !root.join(file).is_file() {
            missing.push(format!("  {file} at the repository root    # {why}"));
        }
    }
    if !missing.is_empty() {
        missing.dedup();
        return Err(format!(
            "missing to build {}:\n{}",
            chosen
                .iter()
                .map(|t| t.triple)
                .collect::<Vec<_>>()
                .join(", "),
            missing.join("\n")
        ));
    }
    let version = crate_version(&root)?;
    let epoch = source_epoch(&root)?;
    let dir = out_dir(args);
    fs::create_dir_all(&dir).map_err(ctx(&dir))?;
    let dir = dir.canonicalize().map_err(ctx(&dir))?;

    struct Built {
        target: &'static Target,
        binary: PathBuf,
        seconds: f64,
        archive: String,
        size: usize,
    }
    let mut built = Vec::new();
    for target in chosen {
        eprintln!("xtask: building {} (release)", target.triple);
        let started = Instant::now();
        let binary = build(target)?;
        let seconds = started.elapsed().as_secs_f64();
        eprintln!("xtask: built {} in {seconds:.0} s", target.triple);
        let entries = archive_entries(&root, target, &binary)?;
        let name = target.archive_name();
        let bytes = if target.os == "windows" {
            archive::zip(&entries, epoch)
        } else {
            archive::tar_gz(&entries, epoch)
        }
        .map_err(|e| format!("{name}: {e}"))?;
        write_file(&dir.join(&name), &bytes)?;
        write_file(
            &dir.join(format!("{name}.sha256")),
            format!("{}  {name}\n", sha256_hex(&bytes)).as_bytes(),
        )?;
        built.push(Built {
            target,
            binary,
            seconds,
            archive: name,
            size: bytes.len(),
        });
    }
    write_sums(&dir)?;
    // The one-line installer is a release file too (`…/releases/latest/download/install.sh`): the
    // script that comes with the archives is the one that knows their names.
    let installer = root.join("install.sh");
    let script = fs::read(&installer).map_err(ctx(&installer))?;
    write_file(&dir.join("install.sh"), &script)?;

    // npm: the launcher and a platform package per target built, staged and packed.
    let staging = dir.join(".npm-staging");
    let _ = fs::remove_dir_all(&staging);
    let mut tarballs = vec![npm::pack(
        &npm::stage_launcher(&root, &staging, &version)?,
        &dir,
    )?];
    for b in &built {
        let pkg = npm::stage_platform(&root, &staging, &version, b.target, &b.binary)?;
        tarballs.push(npm::pack(&pkg, &dir)?);
    }
    fs::remove_dir_all(&staging).map_err(ctx(&staging))?;

    write_formula(&dir, &version, &args.release_url)?;

    eprintln!("\nxtask: {} (version {version})", dir.display());
    for b in &built {
        eprintln!(
            "  {:<32} {:>7.1} MiB   build {:>5.0} s   {}",
            b.archive,
            b.size as f64 / (1024.0 * 1024.0),
            b.seconds,
            b.target.triple
        );
    }
    for t in &tarballs {
        eprintln!("  {t}");
    }
    eprintln!("  install.sh, SHA256SUMS, {}", formula::FILE_NAME);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_repeated_targets_and_inline_values() {
        let a = args(&[
            "dist",
            "--target",
            "x86_64-unknown-linux-musl",
            "--target=x86_64-pc-windows-gnu",
            "--all",
            "--out",
            "d",
        ])
        .unwrap();
        assert_eq!(
            a.targets,
            ["x86_64-unknown-linux-musl", "x86_64-pc-windows-gnu"]
        );
        assert!(a.all);
        assert_eq!(a.out, Some(PathBuf::from("d")));
        assert_eq!(a.release_url, RELEASE_URL);
        assert!(args(&["formula", "--all"]).is_err());
        assert!(args(&["dist", "--out"]).is_err());
    }

    #[test]
    fn reads_the_crate_version_and_the_completions() {
        let v = crate_version(&root()).unwrap();
        assert!(v.split('.').count() >= 3, "{v}");
        let c = completion_files(&root()).unwrap();
        assert!(c.contains(&"3minapi.bash".to_owned()), "{c:?}");
        assert!(!c.iter().any(|n| n.ends_with(".sh")), "{c:?}");
    }

    #[test]
    fn json_string_unescapes() {
        let line = r#"{"reason":"compiler-artifact","executable":"C:\\t\\3minapi.exe","x":1}"#;
        assert_eq!(
            json_string(line, "executable").unwrap(),
            r"C:\t\3minapi.exe"
        );
        assert_eq!(json_string(r#"{"executable":null}"#, "executable"), None);
    }
}
