//! What the binary says about itself: `--version` (with the commit it was built from) and the
//! committed shell completions, which must match what the CLI generates.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_3minapi");

fn run(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(out.status.success(), "3minapi {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn version_names_the_release_and_the_commit() {
    let version = run(&["--version"]);
    let expected_start = format!("3minapi {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(&expected_start), "{version}");
    let commit = version
        .trim()
        .strip_prefix(&expected_start)
        .and_then(|r| r.strip_suffix(')'))
        .unwrap();
    // Built from a git checkout (CI clones one): the commit is HEAD's.
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git is needed to check the commit in --version");
    if head.status.success() {
        assert_eq!(commit, String::from_utf8_lossy(&head.stdout).trim());
    } else {
        assert_eq!(commit, "unknown");
    }
}

#[test]
fn committed_completions_match_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "3minapi.bash"),
        ("zsh", "_3minapi"),
        ("fish", "3minapi.fish"),
        ("powershell", "_3minapi.ps1"),
        ("elvish", "3minapi.elv"),
    ] {
        let committed = std::fs::read_to_string(dir.join(file)).unwrap();
        let generated = run(&["completions", shell]);
        assert!(
            committed == generated,
            "completions/{file} is out of date with the CLI: run `sh completions/generate.sh`"
        );
        for word in ["config", "doctor", "tools", "read-only", "allow-tool"] {
            assert!(generated.contains(word), "{shell} completion lacks {word}");
        }
    }
}

#[test]
fn the_bash_completion_loads_and_completes_subcommands() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/3minapi.bash");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && COMP_WORDS=(3minapi con) && COMP_CWORD=1 && COMP_LINE='3minapi con' && COMP_POINT=11 && _3minapi 3minapi con 3minapi && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .expect("bash");
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(
        words.lines().any(|w| w == "config"),
        "{words}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
