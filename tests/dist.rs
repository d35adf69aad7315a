//! The release artifacts of `cargo xtask dist` (DESIGN.md §12), read from the directory that
//! `THREEMINAPI_DIST` names (CI: `cargo xtask dist --all --out target/dist` first). Without it each
//! test says it skipped, on stderr (and fails when `THREEMINAPI_NO_SKIP` is set, as in `.ci/run`). The archives are parsed here byte by byte (tar headers, the zip
//! central directory), independently of the writer in xtask, and the shipped binaries are run:
//! the static musl one natively, the aarch64 one under qemu-aarch64, the npm launcher through a
//! real `npm install -g --offline` into a temporary prefix, the release's own install.sh piped into
//! `sh` with DIR served on 127.0.0.1 as the release URL.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The archives `cargo xtask dist --all` writes on Linux, and the binary in each.
const LINUX_BUILT: [(&str, &str); 3] = [
    ("3minapi-linux-x86_64.tar.gz", "3minapi"),
    ("3minapi-linux-aarch64.tar.gz", "3minapi"),
    ("3minapi-windows-x86_64.zip", "3minapi.exe"),
];
/// Built on macOS only; checked when present.
const MACOS_BUILT: [(&str, &str); 2] = [
    ("3minapi-macos-x86_64.tar.gz", "3minapi"),
    ("3minapi-macos-aarch64.tar.gz", "3minapi"),
];

fn dist() -> Option<PathBuf> {
    match std::env::var_os("THREEMINAPI_DIST").filter(|d| !d.is_empty()) {
        Some(d) => {
            let d = Path::new(REPO).join(d);
            assert!(
                d.is_dir(),
                "THREEMINAPI_DIST={} is not a directory",
                d.display()
            );
            Some(d)
        }
        None => {
            common::skip("THREEMINAPI_DIST is not set (cargo xtask dist --all, then set it)");
            None
        }
    }
}

/// The archives in `dir`: the three Linux builds (required), the macOS ones when present.
fn archives(dir: &Path) -> Vec<(&'static str, &'static str)> {
    let mut all = Vec::new();
    for (name, exe) in LINUX_BUILT {
        assert!(
            dir.join(name).is_file(),
            "{name} is missing in {}: run cargo xtask dist --all",
            dir.display()
        );
        all.push((name, exe));
    }
    all.extend(
        MACOS_BUILT
            .into_iter()
            .filter(|(name, _)| dir.join(name).is_file()),
    );
    all
}

fn stem(archive: &str) -> &str {
    archive
        .strip_suffix(".tar.gz")
        .or_else(|| archive.strip_suffix(".zip"))
        .unwrap()
}

fn have(program: &str) -> bool {
    common::on_path(program).is_some()
}

/// What the archives' mtime must be: SOURCE_DATE_EPOCH, else the commit time.
fn expected_epoch() -> u64 {
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
        return v.trim().parse().unwrap();
    }
    let out = Command::new("git")
        .args(["log", "-1", "--format=%ct"])
        .current_dir(REPO)
        .output()
        .expect("git: the archives' time is the commit's");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// The completion files the archives carry: those committed in completions/, without the script.
fn completion_files() -> Vec<String> {
    let out = Command::new("git")
        .args(["ls-files", "completions"])
        .current_dir(REPO)
        .output()
        .unwrap();
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("completions/"))
        .filter(|n| !n.ends_with(".sh"))
        .map(str::to_owned)
        .collect();
    names.sort();
    assert!(names.len() >= 4, "{names:?}");
    names
}

/// Every member an archive must have, with its mode and (for files) its content; the binary's
/// content is `None` (checked by running it).
fn expected_members(archive: &str, exe: &str) -> BTreeMap<String, (u32, Option<Vec<u8>>)> {
    let s = stem(archive);
    let read = |p: &str| Some(std::fs::read(Path::new(REPO).join(p)).unwrap());
    let mut m = BTreeMap::new();
    m.insert(format!("{s}/"), (0o755, None));
    m.insert(format!("{s}/{exe}"), (0o755, None));
    m.insert(format!("{s}/README.md"), (0o644, read("README.md")));
    let license = Path::new(REPO).join("LICENSE");
    assert!(
        license.is_file(),
        "LICENSE is missing at the repository root"
    );
    m.insert(format!("{s}/LICENSE"), (0o644, read("LICENSE")));
    m.insert(format!("{s}/completions/"), (0o755, None));
    for c in completion_files() {
        m.insert(
            format!("{s}/completions/{c}"),
            (0o644, read(&format!("completions/{c}"))),
        );
    }
    m
}

struct Member {
    name: String,
    mode: u32,
    /// tar: uid, gid, mtime, user and group name; zip: made-by OS, DOS time and date.
    meta: Vec<String>,
    data: Option<Vec<u8>>,
}

fn gunzip(path: &Path) -> Vec<u8> {
    let out = Command::new("gzip").arg("-dc").arg(path).output().unwrap();
    assert!(out.status.success(), "gzip -dc {}: {out:?}", path.display());
    out.stdout
}

fn octal(field: &[u8]) -> u64 {
    let text: String = field
        .iter()
        .take_while(|b| **b != 0)
        .map(|b| *b as char)
        .collect();
    u64::from_str_radix(text.trim(), 8).unwrap_or_else(|_| panic!("octal field {text:?}"))
}

fn cstr(field: &[u8]) -> String {
    String::from_utf8(field.iter().take_while(|b| **b != 0).copied().collect()).unwrap()
}

/// The members of a tar.gz, from its ustar headers.
fn read_tar_gz(path: &Path) -> Vec<Member> {
    let gz = std::fs::read(path).unwrap();
    // gzip: deflate, no flags (so no file name), mtime 0.
    assert_eq!(
        &gz[..8],
        &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0],
        "{}",
        path.display()
    );
    let raw = gunzip(path);
    let mut members = Vec::new();
    let mut at = 0;
    while at + 512 <= raw.len() {
        let h = &raw[at..at + 512];
        if h.iter().all(|b| *b == 0) {
            break;
        }
        assert_eq!(&h[257..263], b"ustar\0", "ustar header");
        let checksum: u64 = h
            .iter()
            .enumerate()
            .map(|(i, b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    *b as u64
                }
            })
            .sum();
        assert_eq!(octal(&h[148..156]), checksum, "header checksum");
        let (prefix, name) = (cstr(&h[345..500]), cstr(&h[..100]));
        let name = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let size = octal(&h[124..136]) as usize;
        let kind = h[156];
        let data = raw[at + 512..at + 512 + size].to_vec();
        members.push(Member {
            mode: octal(&h[100..108]) as u32,
            meta: vec![
                format!("uid {}", octal(&h[108..116])),
                format!("gid {}", octal(&h[116..124])),
                format!("mtime {}", octal(&h[136..148])),
                format!("user {:?}", cstr(&h[265..297])),
                format!("group {:?}", cstr(&h[297..329])),
            ],
            data: match kind {
                b'0' => Some(data),
                b'5' => None,
                k => panic!("{name}: entry type {:?}", k as char),
            },
            name,
        });
        at += 512 + size.div_ceil(512) * 512;
    }
    members
}

/// The members of a zip, from its central directory; the data through `unzip -p` (deflated).
fn read_zip(path: &Path) -> Vec<Member> {
    let z = std::fs::read(path).unwrap();
    let le16 = |i: usize| u16::from_le_bytes([z[i], z[i + 1]]) as usize;
    let le32 = |i: usize| u32::from_le_bytes(z[i..i + 4].try_into().unwrap()) as usize;
    let eocd = z.len() - 22;
    assert_eq!(le32(eocd), 0x0605_4b50, "end record without a comment");
    let mut at = le32(eocd + 16);
    let mut members = Vec::new();
    for _ in 0..le16(eocd + 10) {
        assert_eq!(le32(at), 0x0201_4b50);
        let name_len = le16(at + 28);
        let name = String::from_utf8(z[at + 46..at + 46 + name_len].to_vec()).unwrap();
        let extra = le16(at + 30) + le16(at + 32);
        let external = le32(at + 38);
        let local = le32(at + 42);
        assert_eq!(le32(local), 0x0403_4b50);
        let (method, csize) = (le16(at + 10), le32(at + 20));
        let body_at = local + 30 + le16(local + 26) + le16(local + 28);
        let data = if name.ends_with('/') {
            assert_eq!(external & 0x10, 0x10, "{name}: DOS directory bit");
            None
        } else if method == 0 {
            Some(z[body_at..body_at + csize].to_vec())
        } else {
            None // deflated: compared through unzip below when it is installed
        };
        members.push(Member {
            mode: (external >> 16) as u32 & 0o7777,
            meta: vec![
                format!("made by {}", le16(at + 4) >> 8),
                format!("dos time {:#x} {:#x}", le16(at + 12), le16(at + 14)),
                format!("extra+comment {extra}"),
                format!("file type {:o}", (external >> 16) & 0o170_000),
            ],
            data,
            name,
        });
        at += 46 + name_len + extra;
    }
    members
}

fn dos_time(epoch: u64) -> (u64, u64) {
    let (days, secs) = ((epoch / 86_400) as i64, epoch % 86_400);
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as u64;
    (
        ((secs / 3600) << 11) | (((secs % 3600) / 60) << 5) | ((secs % 60) / 2),
        ((y - 1980) << 9) | (m << 5) | d,
    )
}

/// The shipped binary of a tar.gz archive, written to `dir` (executable).
fn extract_binary(archive: &Path, exe: &str, dir: &Path) -> PathBuf {
    let name = format!(
        "{}/{exe}",
        stem(archive.file_name().unwrap().to_str().unwrap())
    );
    let m = read_tar_gz(archive)
        .into_iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no {name} in {}", archive.display()));
    let path = dir.join(exe);
    std::fs::write(&path, m.data.unwrap()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

/// ELF64 little-endian: the machine and whether a program header asks for an interpreter.
fn elf_machine_and_interp(bin: &[u8]) -> (u16, bool) {
    assert_eq!(&bin[..6], b"\x7fELF\x02\x01", "a 64-bit little-endian ELF");
    let le16 = |i: usize| u16::from_le_bytes([bin[i], bin[i + 1]]);
    let phoff = u64::from_le_bytes(bin[0x20..0x28].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (le16(0x36) as usize, le16(0x38) as usize);
    let interp = (0..phnum).any(|i| {
        let at = phoff + i * phentsize;
        u32::from_le_bytes(bin[at..at + 4].try_into().unwrap()) == 3 // PT_INTERP
    });
    (le16(0x12), interp)
}

#[test]
fn archives_hold_one_folder_with_the_binary_docs_and_completions() {
    let Some(dir) = dist() else { return };
    let epoch = expected_epoch();
    let unzip = have("unzip");
    for (archive, exe) in archives(&dir) {
        let path = dir.join(archive);
        let zip = archive.ends_with(".zip");
        let members = if zip {
            read_zip(&path)
        } else {
            read_tar_gz(&path)
        };
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "{archive}: members in sorted order");
        let expected = expected_members(archive, exe);
        assert_eq!(
            names,
            expected.keys().map(String::as_str).collect::<Vec<_>>(),
            "{archive}: one top-level folder with the binary, README.md, LICENSE, completions/"
        );
        let (time, date) = dos_time(epoch);
        for m in &members {
            let (mode, content) = &expected[&m.name];
            assert_eq!(m.mode, *mode, "{archive}: mode of {}", m.name);
            let meta = if zip {
                let kind = if m.name.ends_with('/') {
                    "40000"
                } else {
                    "100000"
                };
                vec![
                    "made by 3".to_owned(),
                    format!("dos time {time:#x} {date:#x}"),
                    "extra+comment 0".to_owned(),
                    format!("file type {kind}"),
                ]
            } else {
                vec![
                    "uid 0".to_owned(),
                    "gid 0".to_owned(),
                    format!("mtime {epoch}"),
                    "user \"\"".to_owned(),
                    "group \"\"".to_owned(),
                ]
            };
            assert_eq!(
                m.meta, meta,
                "{archive}: {} (a different mtime: THREEMINAPI_DIST was built at another commit, \
                 or with another SOURCE_DATE_EPOCH; rebuild it)",
                m.name
            );
            if let (Some(want), Some(got)) = (content, &m.data) {
                assert!(got == want, "{archive}: {} differs from the repo's", m.name);
            }
            if zip && unzip && content.is_some() {
                let out = Command::new("unzip")
                    .args(["-p"])
                    .arg(&path)
                    .arg(&m.name)
                    .output()
                    .unwrap();
                assert!(
                    out.stdout == *content.as_ref().unwrap(),
                    "{archive}: {}",
                    m.name
                );
            }
        }
        let binary = members
            .iter()
            .find(|m| m.name.ends_with(&format!("/{exe}")))
            .unwrap();
        if zip {
            if unzip {
                let out = Command::new("unzip")
                    .arg("-tq")
                    .arg(&path)
                    .output()
                    .unwrap();
                assert!(out.status.success(), "unzip -t {archive}: {out:?}");
                let exe_bytes = Command::new("unzip")
                    .arg("-p")
                    .arg(&path)
                    .arg(&binary.name)
                    .output()
                    .unwrap()
                    .stdout;
                assert_eq!(&exe_bytes[..2], b"MZ", "{archive}: a Windows executable");
            } else {
                common::skip(&format!(
                    "unzip is not installed: {archive}'s deflated data unchecked (apt-get install unzip)"
                ));
            }
        } else {
            // Standard tar reads it too.
            let out = Command::new("tar").arg("-tzf").arg(&path).output().unwrap();
            assert!(out.status.success(), "tar -tzf {archive}: {out:?}");
            assert_eq!(
                String::from_utf8_lossy(&out.stdout).lines().count(),
                names.len()
            );
        }
    }
}

#[test]
fn sums_name_every_archive_with_its_sha256() {
    let Some(dir) = dist() else { return };
    let list = archives(&dir);
    let mut lines = Vec::new();
    for (archive, _) in &list {
        let out = Command::new("sha256sum")
            .arg(archive)
            .current_dir(&dir)
            .output()
            .expect("sha256sum (coreutils)");
        let line = String::from_utf8(out.stdout).unwrap();
        let hex = line.split_whitespace().next().unwrap();
        assert_eq!(hex.len(), 64);
        let beside = std::fs::read_to_string(dir.join(format!("{archive}.sha256"))).unwrap();
        assert_eq!(beside, format!("{hex}  {archive}\n"), "{archive}.sha256");
        lines.push(beside);
    }
    lines.sort_by_key(|l| l.split_whitespace().nth(1).unwrap().to_owned());
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert_eq!(sums, lines.concat(), "SHA256SUMS: every archive, by name");
    let check = Command::new("sha256sum")
        .args(["--check", "--strict", "SHA256SUMS"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(check.status.success(), "sha256sum --check: {check:?}");
}

#[test]
fn a_second_run_writes_the_same_bytes() {
    let Some(dir) = dist() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // A later run, into another directory: the build is cached, only the packaging runs again.
    let started = Instant::now();
    let out = Command::new(cargo)
        .args([
            "xtask",
            "dist",
            "--target",
            "x86_64-unknown-linux-musl",
            "--out",
        ])
        .arg(tmp.path())
        .current_dir(REPO)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo xtask dist --target x86_64-unknown-linux-musl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "second run (cached build) took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for name in [
        "3minapi-linux-x86_64.tar.gz",
        "3minapi-linux-x86_64.tar.gz.sha256",
    ] {
        let (a, b) = (
            std::fs::read(dir.join(name)).unwrap(),
            std::fs::read(tmp.path().join(name)).unwrap(),
        );
        if a != b {
            // Say what differs: a stale THREEMINAPI_DIST (another commit or tree) or the writer.
            let old = read_tar_gz(&dir.join("3minapi-linux-x86_64.tar.gz"));
            let new = read_tar_gz(&tmp.path().join("3minapi-linux-x86_64.tar.gz"));
            let names = |o: &[Member]| o.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
            let pick = |f: &dyn Fn(&Member, &Member) -> bool| {
                old.iter()
                    .zip(&new)
                    .filter(|(o, n)| f(o, n))
                    .map(|(o, _)| o.name.as_str())
                    .collect::<Vec<_>>()
            };
            panic!(
                "{name} differs between {} and a second run: members {:?} vs {:?}; content \
                 differs in {:?}, metadata in {:?}. Only the binary, or every mtime: \
                 THREEMINAPI_DIST was built from another tree or commit (rebuild it); \
                 anything else: the archive writer is not reproducible",
                dir.display(),
                names(&old),
                names(&new),
                pick(&|o, n| o.data != n.data),
                pick(&|o, n| o.meta != n.meta || o.mode != n.mode),
            );
        }
    }
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("SHA256SUMS")).unwrap(),
        std::fs::read_to_string(dir.join("3minapi-linux-x86_64.tar.gz.sha256")).unwrap()
    );
}

#[test]
fn linux_binaries_are_static_and_run() {
    let Some(dir) = dist() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for (archive, machine, runner) in [
        ("3minapi-linux-x86_64.tar.gz", 62, None),
        ("3minapi-linux-aarch64.tar.gz", 183, Some("qemu-aarch64")),
    ] {
        let sub = tmp.path().join(stem(archive));
        std::fs::create_dir(&sub).unwrap();
        let bin = extract_binary(&dir.join(archive), "3minapi", &sub);
        let (m, interp) = elf_machine_and_interp(&std::fs::read(&bin).unwrap());
        assert_eq!(m, machine, "{archive}: ELF machine");
        assert!(
            !interp,
            "{archive}: has a PT_INTERP (dynamically linked), must be static"
        );
        if have("file") {
            let out = Command::new("file").arg(&bin).output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains("statically linked") || text.contains("static-pie linked"),
                "{archive}: {text}"
            );
        }
        let mut cmd = match runner {
            None => Command::new(&bin),
            Some(runner) if have(runner) => {
                let mut c = Command::new(runner);
                c.arg(&bin);
                c
            }
            Some(runner) => {
                common::skip(&format!(
                    "{runner} is not installed: {archive} not run (apt-get install qemu-user)"
                ));
                continue;
            }
        };
        let out = cmd.arg("--version").output().unwrap();
        assert!(out.status.success(), "{archive} --version: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.starts_with(&format!("3minapi {VERSION} (commit ")),
            "{archive}: {text}"
        );
    }
}

/// The one-line installer as a user runs it, `curl -fsSL <release>/install.sh | sh`: the release's
/// own install.sh, piped into `sh` with a release URL on 127.0.0.1 serving DIR, downloads this
/// machine's archive, checks it against SHA256SUMS and installs the shipped binary.
#[test]
fn the_one_line_installer_installs_the_release_s_binary() {
    let Some(dir) = dist() else { return };
    let script = std::fs::read(dir.join("install.sh")).expect("install.sh in the release");
    assert_eq!(
        script,
        std::fs::read(Path::new(REPO).join("install.sh")).unwrap(),
        "the release's install.sh is the repository's"
    );
    let archive = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "3minapi-linux-x86_64.tar.gz",
        ("linux", "aarch64") => "3minapi-linux-aarch64.tar.gz",
        ("macos", "x86_64") => "3minapi-macos-x86_64.tar.gz",
        ("macos", "aarch64") => "3minapi-macos-aarch64.tar.gz",
        (os, arch) => {
            common::skip(&format!(
                "install.sh has no release archive for {os}/{arch}"
            ));
            return;
        }
    };
    if !dir.join(archive).is_file() {
        common::skip(&format!(
            "{archive} was not built here (cargo xtask dist on that platform)"
        ));
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (home, bin_dir) = (tmp.path().join("home"), tmp.path().join("bin"));
    std::fs::create_dir_all(&home).unwrap();
    let url = common::static_files::serve(dir.clone());
    // `curl -fsSL $url/install.sh | sh -s -- ARGS`
    let pipe = |args: &[&str]| {
        let out = common::install_sh::run(
            &home,
            args,
            Some(&script),
            &[("THREEMINAPI_RELEASE_URL", &url)],
        );
        let said = common::install_sh::text(&out);
        assert!(out.status.success(), "install.sh {args:?}: {said}");
        said
    };
    let said = pipe(&["--bin-dir", bin_dir.to_str().unwrap()]);
    let installed = bin_dir.join("3minapi");
    let shipped = extract_binary(&dir.join(archive), "3minapi", tmp.path());
    assert!(
        std::fs::read(&installed).unwrap() == std::fs::read(&shipped).unwrap(),
        "the installed binary is not the one in {archive}: {said}"
    );
    let version = Command::new(&installed).arg("--version").output().unwrap();
    assert!(
        String::from_utf8_lossy(&version.stdout).starts_with(&format!("3minapi {VERSION} ")),
        "{version:?}"
    );
    pipe(&["--uninstall"]);
    assert!(
        !installed.exists(),
        "--uninstall left {}",
        installed.display()
    );
}

/// The npm tarball named like `prefix-<version>.tgz` in `dir`.
fn npm_tarball(dir: &Path, prefix: &str) -> PathBuf {
    let path = dir.join(format!("{prefix}-{VERSION}.tgz"));
    assert!(path.is_file(), "{} is missing", path.display());
    path
}

#[test]
fn npm_launcher_runs_the_native_binary_and_config_install_names_it() {
    let Some(dir) = dist() else { return };
    if !have("npm") || !have("node") {
        common::skip("node and npm are needed (apt-get install nodejs npm)");
        return;
    }
    let launcher = npm_tarball(&dir, "3minapi");
    let platform = npm_tarball(&dir, "3minapi-linux-x64");
    for p in ["linux-arm64", "win32-x64"] {
        npm_tarball(&dir, &format!("3minapi-{p}"));
    }
    // The platform package keeps the binary executable; the launcher has no install scripts.
    let listing = Command::new("tar")
        .arg("-tvzf")
        .arg(&platform)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("-rwxr-xr-x") && l.ends_with(" package/bin/3minapi")),
        "{listing}"
    );
    let manifest = Command::new("tar")
        .args(["-xzOf"])
        .arg(&launcher)
        .arg("package/package.json")
        .output()
        .unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&manifest.stdout).unwrap();
    assert_eq!(manifest["bin"]["3minapi"], "bin/3minapi.js");
    assert!(manifest.get("scripts").is_none(), "{manifest}");
    let optional = manifest["optionalDependencies"].as_object().unwrap();
    for p in [
        "linux-x64",
        "linux-arm64",
        "win32-x64",
        "darwin-x64",
        "darwin-arm64",
    ] {
        assert_eq!(optional[&format!("@3minapi/{p}")], VERSION, "{manifest}");
    }

    let tmp = tempfile::tempdir().unwrap();
    let (prefix, home) = (tmp.path().join("prefix"), tmp.path().join("home"));
    std::fs::create_dir_all(&home).unwrap();
    let env = |c: &mut Command| {
        c.env("HOME", &home)
            .env("npm_config_cache", tmp.path().join("npm-cache"))
            .env("npm_config_update_notifier", "false")
            .env_remove("THREEMINAPI_URL")
            .env_remove("THREEMINAPI_PROFILE")
            .env_remove("XDG_CONFIG_HOME");
    };
    let mut install = Command::new("npm");
    install
        .args([
            "install",
            "-g",
            "--offline",
            "--no-audit",
            "--no-fund",
            "--prefix",
        ])
        .arg(&prefix)
        .arg(&launcher)
        .arg(&platform);
    env(&mut install);
    let out = install.output().unwrap();
    assert!(out.status.success(), "npm install -g --offline: {out:?}");
    let cmd = prefix.join("bin/3minapi");
    let run = |args: &[&str]| {
        let mut c = Command::new(&cmd);
        c.args(args);
        env(&mut c);
        c.output().unwrap()
    };
    let out = run(&["--version"]);
    assert!(out.status.success(), "3minapi --version via npm: {out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with(&format!("3minapi {VERSION} ")),
        "{out:?}"
    );
    // The exit status comes through (clap's 2 for a usage error).
    let out = run(&["no-such-command"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");

    let out = run(&["config", "install", "cursor", "--scope", "user"]);
    assert!(out.status.success(), "config install via npm: {out:?}");
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.join(".cursor/mcp.json")).unwrap()).unwrap();
    let command = config["mcpServers"]["3minapi"]["command"]
        .as_str()
        .unwrap_or_else(|| panic!("{config}"));
    let native = prefix
        .join("lib/node_modules/@3minapi/linux-x64/bin/3minapi")
        .canonicalize()
        .unwrap();
    assert_eq!(
        Path::new(command),
        native,
        "the client config must name the native binary, not node or the launcher"
    );
    let head = std::fs::read(command).unwrap();
    assert_eq!(&head[..4], b"\x7fELF");

    // A signal to the launcher reaches the binary: `mcp serve` ends on SIGTERM, with its status.
    let mut serve = Command::new(&cmd);
    serve
        .args(["mcp", "serve"])
        .env("THREEMINAPI_MCP_KEY", "tm_mcp_dist_test_key")
        .env("THREEMINAPI_URL", "http://127.0.0.1:9/mcp")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    env(&mut serve);
    let mut child = serve.spawn().unwrap();
    let stdin = child.stdin.take().unwrap(); // held open: serve waits for messages
    std::thread::sleep(Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "mcp serve ended early");
    common::signal(child.id(), "TERM");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "the launcher did not end after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(stdin);
    assert_eq!(
        status.code(),
        Some(0),
        "mcp serve ends cleanly on SIGTERM: {status:?}"
    );
}

#[test]
fn formula_parses_and_carries_the_archives_sums() {
    let Some(dir) = dist() else { return };
    let path = dir.join("threeminapi.rb");
    let formula = std::fs::read_to_string(&path).unwrap();
    assert!(
        formula.contains("class Threeminapi < Formula\n"),
        "{formula}"
    );
    assert!(
        formula.contains(&format!("  version \"{VERSION}\"\n")),
        "{formula}"
    );
    for (os, arch) in [
        ("macos", "aarch64"),
        ("macos", "x86_64"),
        ("linux", "aarch64"),
        ("linux", "x86_64"),
    ] {
        let archive = format!("3minapi-{os}-{arch}.tar.gz");
        if !dir.join(&archive).is_file() {
            assert!(
                !formula.contains(&archive),
                "{archive} is absent: {formula}"
            );
            continue;
        }
        let sum = std::fs::read_to_string(dir.join(format!("{archive}.sha256"))).unwrap();
        let hex = sum.split_whitespace().next().unwrap();
        let cpu = if arch == "aarch64" { "arm" } else { "intel" };
        let block = format!("    on_{cpu} do\n      url \"");
        let at = formula
            .find(&format!("/{archive}\"\n"))
            .unwrap_or_else(|| panic!("no url for {archive}: {formula}"));
        let before = &formula[..at];
        assert!(
            before.rfind(&block).is_some() && before.rfind(&format!("  on_{os} do\n")).is_some(),
            "{archive} under on_{os}/on_{cpu}: {formula}"
        );
        let after = &formula[at..];
        let sha_line = after.lines().nth(1).unwrap();
        assert_eq!(sha_line.trim(), format!("sha256 \"{hex}\""), "{archive}");
    }
    if have("ruby") {
        let out = Command::new("ruby").arg("-c").arg(&path).output().unwrap();
        assert!(out.status.success(), "ruby -c threeminapi.rb: {out:?}");
    } else {
        common::skip(
            "ruby is not installed: threeminapi.rb's syntax unchecked (apt-get install ruby)",
        );
    }
}
