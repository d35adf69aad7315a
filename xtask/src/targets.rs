//! The release targets: their archive and npm names, and the C toolchain each one needs here.
//!
//! The crate links aws-lc-rs, whose `aws-lc-sys` compiles C with the `cc` crate, so every cross
//! target needs a C compiler for that target besides `rustup target add`. What works on Debian
//! (checked on bookworm with Rust 1.95):
//!
//! - `x86_64-unknown-linux-musl`: `musl-gcc` (musl-tools) compiles aws-lc against musl's headers;
//!   Rust links with its self-contained musl crt and libc.
//! - `aarch64-unknown-linux-musl`: Debian has no aarch64 musl gcc. `aarch64-linux-gnu-gcc` compiles
//!   aws-lc (against glibc's headers: aws-lc uses only the plain C/POSIX subset that musl
//!   provides too) and links, with `-nodefaultlibs` and Rust's self-contained musl crt and libc.a,
//!   so the binary is static and runs under `qemu-aarch64` without any sysroot.
//! - `x86_64-pc-windows-gnu`: the mingw-w64 gcc and ar.
//!
//! macOS targets build only on macOS (Apple's clang); Windows' MSVC target only on Windows.

/// One release target.
pub struct Target {
    pub triple: &'static str,
    /// `linux`, `macos` or `windows`: the archive's name.
    pub os: &'static str,
    /// `x86_64` or `aarch64`: the archive's name.
    pub arch: &'static str,
    /// The host OS that can build it (`cfg!(target_os)` of xtask itself).
    pub host_os: &'static str,
    /// The C compiler and archiver given to the `cc` crate (`CC_<triple>`, `AR_<triple>`), and the
    /// linker given to rustc (`CARGO_TARGET_<TRIPLE>_LINKER`); `None`: the defaults work.
    pub cc: Option<&'static str>,
    pub ar: Option<&'static str>,
    pub linker: Option<&'static str>,
    /// The Debian package that brings `cc` (and `ar`, `linker`).
    pub apt: Option<&'static str>,
}

impl Target {
    /// `3minapi-linux-x86_64`: the archive's stem and its one top-level folder.
    pub fn stem(&self) -> String {
        format!("3minapi-{}-{}", self.os, self.arch)
    }

    pub fn archive_name(&self) -> String {
        if self.os == "windows" {
            format!("{}.zip", self.stem())
        } else {
            format!("{}.tar.gz", self.stem())
        }
    }

    pub fn exe_name(&self) -> &'static str {
        if self.os == "windows" {
            "3minapi.exe"
        } else {
            "3minapi"
        }
    }

    /// npm's `process.platform` for it (the platform package's `os`).
    pub fn npm_os(&self) -> &'static str {
        match self.os {
            "macos" => "darwin",
            "windows" => "win32",
            other => other,
        }
    }

    /// npm's `process.arch` for it (the platform package's `cpu`).
    pub fn npm_cpu(&self) -> &'static str {
        match self.arch {
            "x86_64" => "x64",
            "aarch64" => "arm64",
            other => other,
        }
    }

    /// `linux-x64`: the npm platform package is `@3minapi/<this>`.
    pub fn npm_platform(&self) -> String {
        format!("{}-{}", self.npm_os(), self.npm_cpu())
    }

    /// Each C tool of the build as (variable, program): `CC_<triple>` and `AR_<triple>` for the
    /// `cc` crate, `CARGO_TARGET_<TRIPLE>_LINKER` for rustc.
    fn tool_vars(&self) -> [(String, Option<&'static str>); 3] {
        let key = self.triple.replace('-', "_");
        [
            (format!("CC_{key}"), self.cc),
            (format!("AR_{key}"), self.ar),
            (
                format!("CARGO_TARGET_{}_LINKER", key.to_uppercase()),
                self.linker,
            ),
        ]
    }

    /// The environment the cargo build of this target gets. A variable the user has set already
    /// is kept: these are defaults, not overrides.
    pub fn build_env(&self) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = self
            .tool_vars()
            .into_iter()
            .filter_map(|(var, tool)| Some((var, tool?.to_owned())))
            .collect();
        env.retain(|(k, _)| std::env::var_os(k).is_none());
        env
    }
}

pub const TARGETS: &[Target] = &[
    Target {
        triple: "x86_64-unknown-linux-musl",
        os: "linux",
        arch: "x86_64",
        host_os: "linux",
        cc: Some("musl-gcc"),
        ar: None,
        linker: None,
        apt: Some("musl-tools"),
    },
    Target {
        triple: "aarch64-unknown-linux-musl",
        os: "linux",
        arch: "aarch64",
        host_os: "linux",
        cc: Some("aarch64-linux-gnu-gcc"),
        ar: Some("aarch64-linux-gnu-ar"),
        linker: Some("aarch64-linux-gnu-gcc"),
        apt: Some("gcc-aarch64-linux-gnu"),
    },
    Target {
        triple: "x86_64-pc-windows-gnu",
        os: "windows",
        arch: "x86_64",
        host_os: "linux",
        cc: Some("x86_64-w64-mingw32-gcc"),
        ar: Some("x86_64-w64-mingw32-ar"),
        linker: Some("x86_64-w64-mingw32-gcc"),
        apt: Some("gcc-mingw-w64-x86-64"),
    },
    Target {
        triple: "x86_64-apple-darwin",
        os: "macos",
        arch: "x86_64",
        host_os: "macos",
        cc: None,
        ar: None,
        linker: None,
        apt: None,
    },
    Target {
        triple: "aarch64-apple-darwin",
        os: "macos",
        arch: "aarch64",
        host_os: "macos",
        cc: None,
        ar: None,
        linker: None,
        apt: None,
    },
    // The same archive and npm package as windows-gnu, for a build on a Windows host.
    Target {
        triple: "x86_64-pc-windows-msvc",
        os: "windows",
        arch: "x86_64",
        host_os: "windows",
        cc: None,
        ar: None,
        linker: None,
        apt: None,
    },
];

/// The five npm platform packages the launcher knows, whichever triple builds them.
pub fn npm_platforms() -> Vec<String> {
    let mut all: Vec<String> = TARGETS.iter().map(Target::npm_platform).collect();
    all.sort();
    all.dedup();
    all
}

pub fn find(triple: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.triple == triple)
}

pub fn host_os() -> &'static str {
    std::env::consts::OS
}

/// `--all`: every target this host builds. Linux: the two static musl binaries and Windows (mingw);
/// macOS: both macOS architectures; Windows: MSVC.
pub fn all_for_host() -> Vec<&'static Target> {
    TARGETS.iter().filter(|t| t.host_os == host_os()).collect()
}

/// No `--target`: the target of this machine's own platform.
pub fn native() -> Option<&'static Target> {
    let arch = std::env::consts::ARCH;
    all_for_host().into_iter().find(|t| t.arch == arch)
}

/// What is missing to build `t` here, as the exact commands that install it. Empty: ready.
pub fn missing_toolchain(t: &Target, installed_targets: Option<&[String]>) -> Vec<String> {
    let mut fixes = Vec::new();
    if t.host_os != host_os() {
        fixes.push(format!(
            "{} builds only on {} (this is {}): build it there and gather the archives, then \
             `cargo xtask formula`",
            t.triple,
            t.host_os,
            host_os()
        ));
        return fixes;
    }
    if let Some(installed) = installed_targets
        && !installed.iter().any(|i| i == t.triple)
    {
        fixes.push(format!("rustup target add {}", t.triple));
    }
    // A tool the user named through its variable is theirs to provide.
    let absent = t.tool_vars().into_iter().any(|(var, tool)| {
        std::env::var_os(var).is_none() && tool.is_some_and(|tool| !on_path(tool))
    });
    if absent && let Some(apt) = t.apt {
        fixes.push(format!("apt-get install {apt}"));
    }
    fixes
}

/// The targets rustup has installed, or `None` without rustup (a toolchain from elsewhere: cargo
/// itself reports a missing standard library then).
pub fn rustup_installed_targets() -> Option<Vec<String>> {
    let out = std::process::Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().to_owned())
            .collect(),
    )
}

pub fn on_path(program: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        let p = dir.join(program);
        p.is_file() || (cfg!(windows) && p.with_extension("exe").is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_release_layout() {
        let t = find("aarch64-unknown-linux-musl").unwrap();
        assert_eq!(t.archive_name(), "3minapi-linux-aarch64.tar.gz");
        assert_eq!(t.npm_platform(), "linux-arm64");
        let w = find("x86_64-pc-windows-gnu").unwrap();
        assert_eq!(w.archive_name(), "3minapi-windows-x86_64.zip");
        assert_eq!(w.exe_name(), "3minapi.exe");
        assert_eq!(
            npm_platforms(),
            [
                "darwin-arm64",
                "darwin-x64",
                "linux-arm64",
                "linux-x64",
                "win32-x64"
            ]
        );
    }

    #[test]
    fn build_env_names_the_cc_crate_and_cargo_variables() {
        let t = find("aarch64-unknown-linux-musl").unwrap();
        let env = t.build_env();
        let keys: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
        for k in [
            "CC_aarch64_unknown_linux_musl",
            "AR_aarch64_unknown_linux_musl",
            "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER",
        ] {
            assert!(keys.contains(&k) || std::env::var_os(k).is_some(), "{k}");
        }
    }
}
