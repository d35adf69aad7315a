//! Records the git commit the binary is built from, for `--version` and the User-Agent. Outside a
//! git checkout (a source tarball) the commit reads "unknown".

use std::process::Command;

fn main() {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=THREEMINAPI_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves: a checkout changes HEAD, a commit changes the branch's ref. Only
    // what exists is watched: Cargo counts a missing watched file as changed, so watching a ref
    // that `git gc` packed away rebuilt the crate (with fat LTO) on every build. A packed ref is
    // covered by packed-refs, and a commit that writes it loose again by its directory.
    let watch = |name: &str, or_its_directory: bool| {
        let Some(path) = git(&["rev-parse", "--git-path", name]) else {
            return;
        };
        let path = std::path::PathBuf::from(path);
        let dir = path.parent().filter(|_| or_its_directory);
        if let Some(p) = Some(path.as_path())
            .filter(|p| p.exists())
            .or(dir.filter(|d| d.is_dir()))
        {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    };
    watch("HEAD", false);
    watch("packed-refs", false);
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch(&branch, true);
    }
    println!("cargo:rerun-if-changed=build.rs");
}
