//! The npm packages, from the templates in `npm/`: the launcher `3minapi` (a Node script that
//! runs the native binary) and one `@3minapi/<os>-<cpu>` package per built target, each packed
//! with `npm pack` into the dist directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::targets::{self, Target};
use crate::{Result, ctx, write_file};

/// Replaces each `{{key}}` of `template`; a placeholder left over (a typo in a template) is an
/// error rather than a broken package.
pub fn render(template: &str, vars: &[(&str, &str)]) -> Result<String> {
    let mut out = template.to_owned();
    for (k, v) in vars {
        out = out.replace(&format!("{{{{{k}}}}}"), v);
    }
    if let Some(at) = out.find("{{") {
        let rest: String = out[at..].chars().take(30).collect();
        return Err(format!("unknown placeholder in an npm template: {rest}"));
    }
    Ok(out)
}

/// Stages the launcher package in `staging/3minapi`.
pub fn stage_launcher(root: &Path, staging: &Path, version: &str) -> Result<PathBuf> {
    let src = root.join("npm/3minapi");
    let dir = staging.join("3minapi");
    fs::create_dir_all(dir.join("bin")).map_err(ctx(&dir))?;
    let template = read(&src.join("package.json"))?;
    // The launcher depends on every platform package the script knows.
    for p in targets::npm_platforms() {
        if !template.contains(&format!("\"@3minapi/{p}\"")) {
            return Err(format!(
                "npm/3minapi/package.json lacks the optional dependency @3minapi/{p}"
            ));
        }
    }
    write_file(
        &dir.join("package.json"),
        render(&template, &[("version", version)])?.as_bytes(),
    )?;
    let script = read(&src.join("bin/3minapi.js"))?;
    write_file(&dir.join("bin/3minapi.js"), script.as_bytes())?;
    set_mode(&dir.join("bin/3minapi.js"), 0o755)?;
    copy_docs(root, &dir)?;
    Ok(dir)
}

/// Stages `@3minapi/<platform>` with `binary` in `staging/<platform>`.
pub fn stage_platform(
    root: &Path,
    staging: &Path,
    version: &str,
    target: &Target,
    binary: &Path,
) -> Result<PathBuf> {
    let platform = target.npm_platform();
    let dir = staging.join(&platform);
    fs::create_dir_all(dir.join("bin")).map_err(ctx(&dir))?;
    let vars = platform_vars(version, target, &platform);
    for file in ["package.json", "README.md"] {
        let template = read(&root.join("npm/platform").join(file))?;
        write_file(&dir.join(file), render(&template, &vars)?.as_bytes())?;
    }
    let bin = dir.join("bin").join(target.exe_name());
    fs::copy(binary, &bin).map_err(ctx(binary))?;
    set_mode(&bin, 0o755)?;
    let license = root.join("LICENSE");
    fs::copy(&license, dir.join("LICENSE")).map_err(ctx(&license))?;
    Ok(dir)
}

/// The placeholders of the `npm/platform` templates for `target`'s package `platform`.
fn platform_vars<'a>(
    version: &'a str,
    target: &'a Target,
    platform: &'a str,
) -> [(&'static str, &'a str); 6] {
    [
        ("version", version),
        ("platform", platform),
        ("os", target.npm_os()),
        ("cpu", target.npm_cpu()),
        ("triple", target.triple),
        ("exe", target.exe_name()),
    ]
}

/// `npm pack` of a staged package into `out`; returns the tarball's name.
pub fn pack(package: &Path, out: &Path) -> Result<String> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let output = Command::new(npm)
        .args(["pack", "--ignore-scripts", "--loglevel=error", "--pack-destination"])
        .arg(out)
        .current_dir(package)
        .output()
        .map_err(|e| {
            format!("npm pack could not start ({e}): npm packs the npm packages; install it: apt-get install npm")
        })?;
    if !output.status.success() {
        return Err(format!(
            "npm pack in {} failed: {}",
            package.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let name = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .rfind(|l| l.ends_with(".tgz"))
        .map(str::to_owned)
        .ok_or_else(|| format!("npm pack in {} named no tarball", package.display()))?;
    Ok(name)
}

fn copy_docs(root: &Path, dir: &Path) -> Result<()> {
    for doc in ["README.md", "LICENSE"] {
        let from = root.join(doc);
        fs::copy(&from, dir.join(doc)).map_err(ctx(&from))?;
    }
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(ctx(path))
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(ctx(path))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::root;

    #[test]
    fn templates_render_without_leftover_placeholders() {
        let t = targets::find("x86_64-pc-windows-gnu").unwrap();
        let platform = t.npm_platform();
        let vars = platform_vars("1.2.3", t, &platform);
        let pkg = render(
            &read(&root().join("npm/platform/package.json")).unwrap(),
            &vars,
        )
        .unwrap();
        assert!(pkg.contains(r#""name": "@3minapi/win32-x64""#), "{pkg}");
        assert!(pkg.contains(r#""os": ["win32"]"#), "{pkg}");
        assert!(pkg.contains(r#""cpu": ["x64"]"#), "{pkg}");
        assert!(pkg.contains(r#""files": ["bin/3minapi.exe"]"#), "{pkg}");
        let launcher = render(
            &read(&root().join("npm/3minapi/package.json")).unwrap(),
            &[("version", "1.2.3")],
        )
        .unwrap();
        assert_eq!(launcher.matches(r#": "1.2.3""#).count(), 6, "{launcher}");
        assert!(!launcher.contains("\"scripts\""), "no install scripts");
        assert!(render("{{nope}}", &vars).is_err());
    }
}
