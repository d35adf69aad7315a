//! Running install.sh the way users do: `sh install.sh ARGS` in a checkout, or a script piped
//! into `sh -s -- ARGS` as `curl … | sh` does, with a clean environment and its own HOME.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs install.sh with only HOME, PATH, SHELL and `env` set, from `home`: the checkout's file
/// when `piped` is `None`, else those bytes on stdin.
pub fn run(home: &Path, args: &[&str], piped: Option<&[u8]>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("sh");
    match piped {
        Some(_) => cmd.arg("-s").arg("--"),
        None => cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh")),
    };
    cmd.args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SHELL", "/bin/bash")
        .current_dir(home)
        .stdin(if piped.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("sh");
    if let Some(script) = piped {
        child.stdin.take().unwrap().write_all(script).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Exit code, stdout and stderr of a run, for assertion messages.
pub fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
