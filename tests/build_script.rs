//! `build.rs`, the compiled build script run in temp git repositories: it records the commit
//! `--version` shows, and tells Cargo to watch only files that exist — Cargo counts a missing
//! watched file as changed, so watching a ref that `git pack-refs` (or `git gc`) packed away made
//! every `cargo build` rebuild the crate with fat LTO.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The build script Cargo compiled for this package (the newest, if there are several).
fn build_script() -> PathBuf {
    // OUT_DIR is `<target>/<profile>/build/threeminapi-<hash>/out`; the script sits in a sibling.
    let build = Path::new(env!("OUT_DIR"))
        .parent()
        .unwrap()
        .parent()
        .unwrap();
    std::fs::read_dir(build)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("threeminapi-"))
        .map(|e| e.path().join("build-script-build"))
        .filter(|p| p.is_file())
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .expect("the compiled build script")
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Runs the build script in `dir`: the commit it records and the paths it watches.
fn run(dir: &Path) -> (String, Vec<PathBuf>) {
    let out = Command::new(build_script())
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let commit = stdout
        .lines()
        .find_map(|l| l.strip_prefix("cargo:rustc-env=THREEMINAPI_GIT_COMMIT="))
        .expect("the commit")
        .to_owned();
    let watched = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("cargo:rerun-if-changed="))
        .map(|p| dir.join(p))
        .collect();
    (commit, watched)
}

fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("build.rs"), "fn main() {}\n").unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "one"]);
    tmp
}

#[test]
fn every_watched_file_exists_and_the_commit_is_head_with_loose_or_packed_refs() {
    let tmp = repo();
    let dir = tmp.path();
    let head = || git(dir, &["rev-parse", "--short=12", "HEAD"]);

    // Loose refs: HEAD and the branch's ref are watched.
    let (commit, watched) = run(dir);
    assert_eq!(commit, head());
    for p in &watched {
        assert!(p.exists(), "watches {p:?}, which does not exist");
    }
    assert!(
        watched.iter().any(|p| p.ends_with(".git/refs/heads/main")),
        "{watched:?}"
    );

    // Packed: the loose ref is gone; nothing missing is watched, packed-refs is.
    git(dir, &["pack-refs", "--all"]);
    assert!(!dir.join(".git/refs/heads/main").exists());
    let (commit, watched) = run(dir);
    assert_eq!(commit, head());
    for p in &watched {
        assert!(
            p.exists(),
            "watches {p:?}, which does not exist after pack-refs"
        );
    }
    assert!(
        watched.iter().any(|p| p.ends_with(".git/packed-refs")),
        "{watched:?}"
    );
    // The next commit writes the ref loose again: the directory that will hold it is watched.
    assert!(
        watched.iter().any(|p| p.ends_with(".git/refs/heads")),
        "{watched:?}"
    );

    // A new commit: the recorded commit follows.
    std::fs::write(dir.join("b"), "b").unwrap();
    git(dir, &["add", "b"]);
    git(dir, &["commit", "-q", "-m", "two"]);
    let (commit, _) = run(dir);
    assert_eq!(commit, head());

    // Detached HEAD: still HEAD's commit, still only existing files.
    git(dir, &["checkout", "-q", "--detach", "HEAD~1"]);
    let (commit, watched) = run(dir);
    assert_eq!(commit, head());
    for p in &watched {
        assert!(p.exists(), "watches {p:?} on a detached HEAD");
    }
}

#[test]
fn outside_a_checkout_the_commit_is_unknown_and_only_build_rs_is_watched() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("build.rs"), "fn main() {}\n").unwrap();
    let out = Command::new(build_script())
        .current_dir(tmp.path())
        .env("GIT_CEILING_DIRECTORIES", tmp.path().parent().unwrap())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("THREEMINAPI_GIT_COMMIT=unknown"),
        "{stdout}"
    );
    let watched: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("cargo:rerun-if-changed="))
        .collect();
    assert_eq!(watched, ["build.rs"]);
}
