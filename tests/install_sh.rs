//! `install.sh`: shellcheck-clean; from a checkout it builds the release binary and installs it into
//! a temp prefix (with the completion and the PATH advice), upgrades in place, uninstalls; piped
//! like `curl … | sh` it downloads a release from a local HTTP server on 127.0.0.1 and installs it
//! only when the SHA-256 matches the release's SHA256SUMS; from a checkout with a release URL that
//! has nothing, it builds instead. The Rust version check is exercised with stand-in tools.

mod common;

use common::install_sh::text;
use common::static_files::serve;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_3minapi");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `sh install.sh ARGS` (from the checkout, or piped on stdin when `piped`) with a clean HOME.
fn install(home: &Path, args: &[&str], piped: bool, env: &[(&str, &str)]) -> Output {
    let script = piped.then(|| std::fs::read(repo().join("install.sh")).unwrap());
    common::install_sh::run(home, args, script.as_deref(), env)
}

fn version_of(bin: &Path) -> String {
    let out = Command::new(bin).arg("--version").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn install_sh_is_shellcheck_clean() {
    let out = Command::new("shellcheck")
        .args(["-s", "sh", "install.sh", "completions/generate.sh"])
        .current_dir(repo())
        .output()
        .expect("shellcheck is needed (Debian package shellcheck; `bash .ci/run` installs it)");
    assert!(out.status.success(), "{}", text(&out));
}

/// The real toolchain's homes: HOME is a temp dir in these runs.
fn rust_env() -> Vec<(&'static str, String)> {
    let real_home = std::env::var("HOME").unwrap_or_default();
    let cargo_home = std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{real_home}/.cargo"));
    let rustup_home =
        std::env::var("RUSTUP_HOME").unwrap_or_else(|_| format!("{real_home}/.rustup"));
    // A persistent target directory outside the repository: the first run builds everything.
    // One per checkout: two checkouts testing at once would otherwise install each other's build.
    let cache = std::env::var("XDG_CACHE_HOME").unwrap_or_else(|_| format!("{real_home}/.cache"));
    let checkout = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        repo().hash(&mut h);
        h.finish()
    };
    vec![
        ("CARGO_HOME", cargo_home),
        ("RUSTUP_HOME", rustup_home),
        (
            "CARGO_TARGET_DIR",
            format!("{cache}/3minapi-tests/install-target-{checkout:016x}"),
        ),
    ]
}

#[test]
fn from_a_checkout_it_builds_installs_upgrades_and_uninstalls() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let prefix = tmp.path().join("prefix");
    let prefix_s = prefix.display().to_string();
    let mut env: Vec<(&str, String)> = rust_env();
    env.push(("PREFIX", prefix_s.clone()));
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let out = install(&home, &[], false, &env_ref);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let installed = prefix.join("bin/3minapi");
    assert!(installed.is_file(), "{}", text(&out));
    // Built from this checkout: the same version and commit as the binary under test.
    assert_eq!(version_of(&installed), version_of(Path::new(BIN)));
    assert!(
        stdout.contains(&format!("installed {}", installed.display())),
        "{stdout}"
    );
    let completion = home.join(".local/share/bash-completion/completions/3minapi");
    assert_eq!(
        std::fs::read_to_string(&completion).unwrap(),
        std::fs::read_to_string(repo().join("completions/3minapi.bash")).unwrap()
    );
    assert!(stdout.contains("is not on PATH"), "{stdout}");
    assert!(
        stdout.contains(&format!("export PATH=\"{prefix_s}/bin:$PATH\"")),
        "{stdout}"
    );
    assert!(stdout.contains("next: 3minapi auth login"), "{stdout}");

    // The installed binary works: with no key, doctor fails first on the key, naming auth login.
    let doctor = Command::new(&installed)
        .args(["doctor", "--json", "--offline"])
        .env_clear()
        .env("HOME", &home)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert_eq!(doctor.status.code(), Some(1), "{}", text(&doctor));
    let report: serde_json::Value = serde_json::from_slice(&doctor.stdout).unwrap();
    let first_fail = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "fail")
        .unwrap()
        .clone();
    assert!(
        first_fail["hint"]
            .as_str()
            .unwrap()
            .contains("3minapi auth login"),
        "{first_fail}"
    );

    // Again: in place.
    let out = install(&home, &[], false, &env_ref);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("reinstalled"),
        "{}",
        text(&out)
    );

    // With a release URL that has nothing for this machine, a checkout builds instead.
    let empty = tmp.path().join("empty-release");
    std::fs::create_dir_all(&empty).unwrap();
    let url = serve(empty);
    let mut with_url = env_ref.clone();
    with_url.push(("THREEMINAPI_RELEASE_URL", &url));
    let out = install(&home, &[], false, &with_url);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("cannot download")
            && stdout.contains("building from this checkout instead"),
        "{stdout}"
    );
    assert_eq!(version_of(&installed), version_of(Path::new(BIN)));

    let out = install(&home, &["--uninstall"], false, &env_ref);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!installed.exists() && !completion.exists(), "{stdout}");
    assert!(
        stdout.contains("secret-tool clear service 3minapi username mcp-key"),
        "{stdout}"
    );
    let out = install(&home, &["--uninstall"], false, &env_ref);
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to remove"));
}

#[test]
fn a_missing_or_old_rust_is_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    // No cargo on PATH.
    let out = install(home, &[], false, &[("PATH", "/usr/bin:/bin")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cargo is not on PATH") && err.contains("rustup.rs"),
        "{err}"
    );
    // A rustc older than rust-version.
    let fake = home.join("old-rust");
    std::fs::create_dir_all(&fake).unwrap();
    for (tool, line) in [
        ("rustc", "rustc 1.70.0 (90c541806 2023-05-31)"),
        ("cargo", "cargo 1.70.0"),
    ] {
        std::fs::write(fake.join(tool), format!("#!/bin/sh\necho '{line}'\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(fake.join(tool), std::fs::Permissions::from_mode(0o755))
                .unwrap();
        }
    }
    let path = format!("{}:/usr/bin:/bin", fake.display());
    let out = install(home, &[], false, &[("PATH", &path)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Rust 1.70 is too old") && err.contains("rustup update stable"),
        "{err}"
    );
    assert!(!home.join(".local/bin/3minapi").exists());
}

fn archive_name() -> String {
    let os = if cfg!(target_os = "macos") {
        "macos"
    } else {
        "linux"
    };
    let arch = if cfg!(target_arch = "aarch64") {
        "aarch64"
    } else {
        "x86_64"
    };
    format!("3minapi-{os}-{arch}.tar.gz")
}

/// A release directory as `cargo xtask dist` makes one: the binary under test in
/// `3minapi-<os>-<arch>/` inside the archive, and `SHA256SUMS` (with `checksum` instead of the
/// real sum when given; no line for the archive when `Some("")`; no file at all when `None` and
/// `sums` is false).
fn release(dir: &Path, checksum: Option<&str>, sums: bool) {
    let folder = archive_name().trim_end_matches(".tar.gz").to_owned();
    let stage = dir.join("stage").join(&folder);
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::copy(BIN, stage.join("3minapi")).unwrap();
    std::fs::copy(repo().join("README.md"), stage.join("README.md")).unwrap();
    let archive = dir.join(archive_name());
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(dir.join("stage"))
        .arg(&folder)
        .status()
        .unwrap();
    assert!(status.success());
    if !sums {
        return;
    }
    let sum = match checksum {
        Some(s) => s.to_owned(),
        None => {
            let out = Command::new("sha256sum").arg(&archive).output().unwrap();
            String::from_utf8(out.stdout)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .to_owned()
        }
    };
    let mut lines = format!("{}  3minapi-windows-x86_64.zip\n", "1".repeat(64));
    if !sum.is_empty() {
        lines.push_str(&format!("{sum}  {}\n", archive_name()));
    }
    std::fs::write(dir.join("SHA256SUMS"), lines).unwrap();
}

/// The default download URL is one constant, the latest release of the crate's repository.
#[test]
fn the_default_release_url_is_the_repository_s_latest_release() {
    let script = std::fs::read_to_string(repo().join("install.sh")).unwrap();
    let defaults: Vec<&str> = script
        .lines()
        .filter_map(|l| l.strip_prefix("DEFAULT_RELEASE_URL="))
        .collect();
    let cargo = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let repository = cargo
        .lines()
        .find_map(|l| l.strip_prefix("repository = \""))
        .map(|r| r.trim_end_matches('"'))
        .expect("Cargo.toml names the repository");
    assert_eq!(
        defaults,
        [format!("{repository}/releases/latest/download").as_str()]
    );
    assert_eq!(
        script.matches("github.com").count(),
        1,
        "one place names the host"
    );
}

#[test]
fn piped_it_downloads_the_release_and_checks_its_checksum() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let bin_dir = tmp.path().join("bin");
    let bin_arg = bin_dir.display().to_string();

    // Nothing for this machine at the URL: what to do instead, and nothing installed.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let url = serve(empty);
    let out = install(
        &home,
        &["--bin-dir", &bin_arg],
        true,
        &[("THREEMINAPI_RELEASE_URL", &url)],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot download") && err.contains("build from source"),
        "{err}"
    );
    assert!(!bin_dir.join("3minapi").exists());

    // A good release installs.
    let good = tmp.path().join("good");
    release(&good, None, true);
    let url = serve(good);
    let out = install(
        &home,
        &["--bin-dir", &bin_arg],
        true,
        &[
            ("THREEMINAPI_RELEASE_URL", &url),
            (
                "PATH",
                &format!("{bin_arg}:{}", std::env::var("PATH").unwrap_or_default()),
            ),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        version_of(&bin_dir.join("3minapi")),
        version_of(Path::new(BIN))
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("is not on PATH"));

    // A bad checksum, a SHA256SUMS without our archive, or none at all: refused, nothing installed.
    for (i, (checksum, sums, says)) in [
        (Some("0".repeat(64)), true, "SHA-256"),
        (Some(String::new()), true, "has no line for"),
        (None, false, "cannot download"),
    ]
    .into_iter()
    .enumerate()
    {
        let home2 = tmp.path().join(format!("home{i}"));
        std::fs::create_dir_all(&home2).unwrap();
        let bin2 = tmp.path().join(format!("bin{i}"));
        let bad = tmp.path().join(format!("bad{i}"));
        release(&bad, checksum.as_deref(), sums);
        let url = serve(bad);
        let out = install(
            &home2,
            &["--bin-dir", &bin2.display().to_string()],
            true,
            &[("THREEMINAPI_RELEASE_URL", &url)],
        );
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(says) && err.contains("nothing was installed"),
            "{err}"
        );
        assert!(!bin2.join("3minapi").exists());
        assert!(!home2.join(".local/share/3minapi/installed-files").exists());
    }
}

/// Every install is recorded; `--uninstall --bin-dir DIR` removes DIR's binary and nothing else,
/// and a plain `--uninstall` then removes the rest.
#[test]
fn uninstall_with_a_bin_dir_removes_that_install_only() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let env: Vec<(&str, String)> = rust_env();
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let other = tmp.path().join("other-bin");
    let other_s = other.display().to_string();
    let default_bin = home.join(".local/bin/3minapi");

    for args in [&["--bin-dir", other_s.as_str()][..], &[]] {
        let out = install(&home, args, false, &env_ref);
        assert!(out.status.success(), "{}", text(&out));
    }
    assert!(other.join("3minapi").is_file() && default_bin.is_file());
    let completion = home.join(".local/share/bash-completion/completions/3minapi");
    assert!(completion.is_file());

    let out = install(
        &home,
        &["--uninstall", "--bin-dir", &other_s],
        false,
        &env_ref,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(!other.join("3minapi").exists(), "{}", text(&out));
    assert!(
        default_bin.is_file(),
        "the other install stays: {}",
        text(&out)
    );
    assert!(completion.is_file(), "its completion too: {}", text(&out));

    let out = install(&home, &["--uninstall"], false, &env_ref);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !default_bin.exists() && !completion.exists(),
        "{}",
        text(&out)
    );
}
