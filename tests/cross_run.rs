//! Runs what we ship for other machines (DESIGN §12) the way a user there would: the release
//! archives `cargo xtask dist` writes into `$THREEMINAPI_DIST` are unpacked, the static aarch64
//! Linux binary is run under `qemu-aarch64`, the Windows one under `wine64` (Debian's loader at
//! `/usr/lib/wine/wine64`), and each must print its version, write a client entry naming itself,
//! and relay MCP to the fake upstream of tests/common; under wine also keep the key in the
//! credential store wine provides.
//!
//! ```sh
//! cargo xtask dist --all
//! THREEMINAPI_DIST=target/dist cargo test --test cross_run -- --nocapture
//! ```
//!
//! Without `THREEMINAPI_DIST`, or without qemu-aarch64, wine64, x86_64-w64-mingw32-gcc, tar or
//! python3, each test prints `skipped: <reason>` to stderr and passes (fails when
//! `THREEMINAPI_NO_SKIP` is set, as `.ci/run` does). With it set, a missing archive fails. Each test prints its wall time (`--nocapture` shows it).
//!
//! Wine 8 has no `bcryptprimitives.dll`, whose `ProcessPrng` Rust's std imports: no Rust exe
//! starts there until a shim sits beside it. The tests build that shim from
//! tests/fixtures/wine/bcryptprimitives.c next to the unpacked exe; it is never part of a release.
//!
//! Everything goes into `target/tmp/cross_run/run-<pid>/` (one wine prefix for every wine test:
//! creating one takes 10-20 s and 700 MB), removed by a watcher process once this one has exited,
//! and by the next run should the watcher have been killed.

mod common;

use common::bridge::init_params;
use common::on_path;
use common::upstream::{FAKE_KEY, TOOL_NAMES, Upstream, UpstreamOptions};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{ChildStdin, ChildStdout};

/// Where Debian's `wine64` package puts the 64-bit loader (there is no `wine` on PATH).
const WINE_LOADER: &str = "/usr/lib/wine/wine64";
const WINESERVER: &str = "wineserver";
/// How long one command, or one line from the bridge, may take under emulation before the test
/// fails (a cold wine session alone takes a few seconds).
const PATIENCE: Duration = Duration::from_secs(90);

/// A skip: prints why on stderr and leaves the test.
macro_rules! need {
    ($what:expr) => {
        match $what {
            Ok(v) => v,
            Err(reason) => {
                common::skip(&reason);
                return;
            }
        }
    };
}

/// Prints a test's wall time when it ends, passed or not.
struct Timed(&'static str, Instant);

fn timed(name: &'static str) -> Timed {
    Timed(name, Instant::now())
}

impl Drop for Timed {
    fn drop(&mut self) {
        eprintln!("cross_run: {} took {:.1?}", self.0, self.1.elapsed());
    }
}

// ---------------------------------------------------------------------------------------------
// The aarch64 Linux binary under qemu-aarch64
// ---------------------------------------------------------------------------------------------

#[test]
fn aarch64_version_names_the_release() {
    let _t = timed("aarch64_version_names_the_release");
    let target = need!(aarch64());
    let elf = std::fs::read(&target.exe).unwrap();
    // e_machine 183: EM_AARCH64 (what would an x86-64 binary prove under qemu?)
    assert_eq!(
        elf.get(18..20),
        Some(&[183u8, 0][..]),
        "{} is not an aarch64 ELF executable",
        target.exe.display()
    );
    let ran = target.run(&Sandbox::new(), &["--version"], None);
    assert_version(&ran);
}

#[test]
fn aarch64_config_print_names_the_binary() {
    let _t = timed("aarch64_config_print_names_the_binary");
    let target = need!(aarch64());
    let ran = target.run(&Sandbox::new(), &["config", "print", "cursor"], None);
    ran.assert_ok();
    let exe = target.exe.canonicalize().unwrap();
    assert_entry(&ran.json(), exe.to_str().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aarch64_mcp_serve_relays_to_the_upstream() {
    let _t = timed("aarch64_mcp_serve_relays_to_the_upstream");
    let target = need!(aarch64());
    relay_session(&target, &Sandbox::new(), KeyFrom::Env).await;
}

// ---------------------------------------------------------------------------------------------
// The Windows binary under wine64
// ---------------------------------------------------------------------------------------------

#[test]
fn windows_version_names_the_release() {
    let _t = timed("windows_version_names_the_release");
    let target = need!(windows());
    let ran = target.run(&Sandbox::new(), &["--version"], None);
    assert_version(&ran);
}

#[test]
fn windows_config_print_names_the_exe_by_its_windows_path() {
    let _t = timed("windows_config_print_names_the_exe_by_its_windows_path");
    let target = need!(windows());
    let ran = target.run(&Sandbox::new(), &["config", "print", "cursor"], None);
    ran.assert_ok();
    assert_entry(&ran.json(), &windows_path(&target.exe));
}

#[test]
fn windows_config_print_names_3minapi_when_it_is_on_path() {
    let _t = timed("windows_config_print_names_3minapi_when_it_is_on_path");
    let target = need!(windows());
    let sandbox = Sandbox::new();
    let mut cmd = target.command(&sandbox, &["config", "print", "cursor"]);
    // What a Windows user gets from adding the unpacked folder to PATH (wine puts WINEPATH first
    // in the Windows PATH; it does not take the Unix one).
    cmd.env("WINEPATH", windows_path(target.exe.parent().unwrap()));
    let ran = run(
        cmd,
        &sandbox,
        "config print cursor (3minapi.exe on PATH)",
        None,
    );
    ran.assert_ok();
    assert_entry(&ran.json(), "3minapi");
    assert!(
        !ran.stderr.contains("not the 3minapi on PATH"),
        "{}",
        ran.stderr
    );
}

#[test]
fn windows_config_install_writes_into_the_windows_user_profile() {
    let _t = timed("windows_config_install_writes_into_the_windows_user_profile");
    let target = need!(windows());
    let wine = target.wine.as_ref().unwrap();
    let sandbox = Sandbox::new();
    let file = wine.profile.join(".cursor").join("mcp.json");
    let windows_file = format!(r"C:\users\{}\.cursor\mcp.json", wine.user);
    let ran = target.run(
        &sandbox,
        &["config", "install", "cursor", "--scope", "user"],
        None,
    );
    ran.assert_ok();
    let said = format!("{}{}", ran.stdout, ran.stderr);
    assert!(
        said.to_lowercase().contains(&windows_file.to_lowercase()),
        "install does not name {windows_file}:\n{said}"
    );
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{} not written ({e}); it said:\n{said}", file.display()));
    let written: Value = serde_json::from_str(&text).unwrap();
    assert_entry(&written, &windows_path(&target.exe));
    // The Windows profile, not the Unix $HOME wine was started with.
    assert!(!sandbox.home().join(".cursor").exists());

    // Run again: the entry is current, the file stays as it is.
    let again = target.run(
        &sandbox,
        &["config", "install", "cursor", "--scope", "user"],
        None,
    );
    again.assert_ok();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_auth_login_keeps_the_key_in_the_credential_store() {
    let _t = timed("windows_auth_login_keeps_the_key_in_the_credential_store");
    let target = need!(windows());
    let sandbox = Sandbox::new();
    let login = target.run(
        &sandbox,
        &["auth", "login", "--with-key", "--no-verify"],
        Some(&format!("{FAKE_KEY}\n")),
    );
    login.assert_ok();
    assert!(
        !format!("{}{}", login.stdout, login.stderr).contains(FAKE_KEY),
        "login printed the key:\n{}{}",
        login.stdout,
        login.stderr
    );

    let status = target.run(&sandbox, &["auth", "status", "--offline", "--json"], None);
    status.assert_ok();
    let report = status.json();
    let tail = &FAKE_KEY[FAKE_KEY.len() - 4..];
    assert_eq!(report["ok"], true, "{report:#}");
    assert_eq!(report["key"]["source"], "keychain", "{report:#}");
    assert_eq!(report["key"]["problem"], Value::Null, "{report:#}");
    let masked = report["key"]["masked"].as_str().unwrap_or_default();
    assert!(
        masked.starts_with("tm_mcp_") && masked.ends_with(tail) && !masked.contains(FAKE_KEY),
        "{report:#}"
    );
    assert_eq!(report["keychain"]["reachable"], true, "{report:#}");
    assert_eq!(report["keychain"]["holds_key"], true, "{report:#}");
    assert_eq!(report["upstream"]["checked"], false, "{report:#}");
    // Not in a plain file: nothing under the Windows profile's AppData holds the key.
    let wine = target.wine.as_ref().unwrap();
    let plain = files_containing(&wine.profile, FAKE_KEY.as_bytes());
    assert!(plain.is_empty(), "the key is in plain files: {plain:?}");

    // Wine's own view of its credential store (it keeps it in the user's registry hive).
    let reg = wine.run_builtin(
        &sandbox,
        &[
            "reg",
            "query",
            r"HKCU\Software\Wine\Credential Manager",
            "/s",
        ],
    );
    // A generic credential whose target is the keyring crate's `<account>.<service>`: pinned,
    // since a keyring upgrade that named it otherwise would lose every stored key.
    assert!(
        reg.stdout
            .contains(r"Credential Manager\Generic: mcp-key.3minapi")
            && reg.stdout.contains("Password"),
        "wine's credential store holds no generic credential mcp-key.3minapi:\n{}{}",
        reg.stdout,
        reg.stderr
    );

    // The bridge started without THREEMINAPI_MCP_KEY uses the stored key.
    relay_session(&target, &sandbox, KeyFrom::Store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_mcp_serve_relays_to_the_upstream() {
    let _t = timed("windows_mcp_serve_relays_to_the_upstream");
    let target = need!(windows());
    relay_session(&target, &Sandbox::new(), KeyFrom::Env).await;
}

// ---------------------------------------------------------------------------------------------
// What a user sees
// ---------------------------------------------------------------------------------------------

/// `3minapi <version> (commit <12 hex>)`, the version being this crate's.
fn assert_version(ran: &Ran) {
    ran.assert_ok();
    let line = ran.stdout.trim_end();
    let expected = format!("3minapi {} (commit ", env!("CARGO_PKG_VERSION"));
    let commit = line
        .strip_prefix(&expected)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("--version printed {line:?}, expected {expected}…)"));
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "--version printed {line:?}"
    );
    assert!(!line.contains('\n'), "{line:?}");
}

/// Cursor's `{"mcpServers": {"3minapi": {"command": <command>, "args": ["mcp", "serve"]}}}`.
fn assert_entry(doc: &Value, command: &str) {
    let entry = &doc["mcpServers"]["3minapi"];
    assert_eq!(entry["command"], command, "{doc:#}");
    assert_eq!(entry["args"], json!(["mcp", "serve"]), "{doc:#}");
}

/// Where the bridge takes its key from.
#[derive(Clone, Copy, PartialEq)]
enum KeyFrom {
    /// `THREEMINAPI_MCP_KEY`
    Env,
    /// What `auth login` stored.
    Store,
}

/// An MCP client's session through `mcp serve`: initialize, tools/list, a tools/call of `help`,
/// then stdin closed. Checks what the client sees and what the upstream received.
async fn relay_session(target: &Target, sandbox: &Sandbox, key: KeyFrom) {
    let upstream = Upstream::start(UpstreamOptions::default()).await;
    let mut cmd = target.command(sandbox, &["mcp", "serve"]);
    cmd.env("THREEMINAPI_URL", upstream.url());
    if key == KeyFrom::Env {
        cmd.env("THREEMINAPI_MCP_KEY", FAKE_KEY);
    }
    let stderr_path = sandbox.next_file("serve-stderr");
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).unwrap());
    let mut child = tokio::process::Command::from(cmd)
        .kill_on_drop(true)
        .spawn()
        .expect("start the bridge");
    let mut rpc = Rpc {
        stdin: child.stdin.take(),
        stdout: BufReader::new(child.stdout.take().unwrap()).lines(),
        stderr_path,
        seen: vec![],
    };

    let init = rpc
        .request(1, "initialize", init_params("2025-06-18"))
        .await;
    assert_eq!(
        init["result"]["serverInfo"]["name"],
        common::upstream::SERVER_NAME,
        "{init}"
    );
    rpc.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;

    let list = rpc.request(2, "tools/list", json!({})).await;
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("tools/list failed: {list}"))
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, TOOL_NAMES, "{list}");

    let call = rpc
        .request(
            3,
            "tools/call",
            json!({"name": "help", "arguments": {"topic": "keys"}}),
        )
        .await;
    assert_eq!(call["result"]["isError"], false, "{call}");
    let text = call["result"]["content"][0]["text"].as_str().unwrap_or("");
    assert!(
        text.contains("tm_mcp_ keys are for AI tools"),
        "tools/call help gave {call}"
    );

    // The client goes away: the bridge ends the session and exits 0, writing nothing but
    // JSON-RPC to stdout on the way.
    rpc.stdin.take();
    let rest = rpc.rest().await;
    let status = tokio::time::timeout(PATIENCE, child.wait())
        .await
        .unwrap_or_else(|_| panic!("the bridge did not exit; stderr:\n{}", rpc.stderr()))
        .unwrap();
    assert!(status.success(), "{status}; stderr:\n{}", rpc.stderr());
    for m in rpc.seen.iter().chain(&rest) {
        assert!(m.get("method").is_some(), "an answer nobody asked for: {m}");
    }

    let requests = upstream.requests();
    for method in ["initialize", "tools/list", "tools/call"] {
        assert!(
            !upstream.requests_for(method).is_empty(),
            "the upstream never saw {method}"
        );
    }
    for r in &requests {
        assert_eq!(
            r.header("x-api-key"),
            Some(FAKE_KEY),
            "{} {}",
            r.http_method,
            r.path
        );
        assert!(
            r.header("user-agent")
                .is_some_and(|ua| ua.starts_with(concat!("3minapi/", env!("CARGO_PKG_VERSION")))),
            "user-agent {:?}",
            r.header("user-agent")
        );
    }
    let stderr = rpc.stderr();
    assert!(!stderr.contains(FAKE_KEY), "the key on stderr:\n{stderr}");
}

/// The client's end of the bridge's stdio.
struct Rpc {
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr_path: PathBuf,
    /// Messages that were not the answer waited for.
    seen: Vec<Value>,
}

impl Rpc {
    async fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .expect("write to the bridge");
        stdin.flush().await.unwrap();
    }

    async fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let m = self.recv().await.unwrap_or_else(|| {
                panic!(
                    "the bridge closed stdout before answering {method}; stderr:\n{}",
                    self.stderr()
                )
            });
            if m["id"] == id && m.get("method").is_none() {
                return m;
            }
            self.seen.push(m);
        }
    }

    /// The next stdout line, which must be one JSON-RPC 2.0 message; `None` at the end.
    async fn recv(&mut self) -> Option<Value> {
        let line = match tokio::time::timeout(PATIENCE, self.stdout.next_line()).await {
            Ok(Ok(line)) => line?,
            Ok(Err(e)) => panic!("reading the bridge's stdout: {e}"),
            Err(_) => panic!(
                "nothing from the bridge within {PATIENCE:?}; stderr:\n{}",
                self.stderr()
            ),
        };
        let m: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line:.300}"));
        assert_eq!(
            m["jsonrpc"], "2.0",
            "stdout line is not JSON-RPC: {line:.300}"
        );
        Some(m)
    }

    /// Everything stdout still carries until it closes.
    async fn rest(&mut self) -> Vec<Value> {
        let mut rest = vec![];
        while let Some(m) = self.recv().await {
            rest.push(m);
        }
        rest
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// Running a foreign binary
// ---------------------------------------------------------------------------------------------

/// One unpacked binary and how to run it here.
struct Target {
    /// `qemu-aarch64` or wine's loader.
    runner: PathBuf,
    exe: PathBuf,
    wine: Option<&'static Wine>,
}

/// One command's outcome.
struct Ran {
    what: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn assert_ok(&self) {
        assert_eq!(
            self.code,
            Some(0),
            "{} failed\nstdout:\n{}\nstderr:\n{}",
            self.what,
            self.stdout,
            self.stderr
        );
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
                self.what, self.stdout, self.stderr
            )
        })
    }
}

impl Target {
    /// The binary with `args`, in `sandbox`'s directory, with its HOME and XDG directories, no
    /// Secret Service, no proxy, and nothing else from this process's environment but PATH.
    fn command(&self, sandbox: &Sandbox, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.runner);
        cmd.arg(&self.exe).args(args);
        sandbox.environment(&mut cmd);
        if let Some(wine) = self.wine {
            wine.environment(&mut cmd);
        }
        cmd
    }

    fn run(&self, sandbox: &Sandbox, args: &[&str], stdin: Option<&str>) -> Ran {
        run(self.command(sandbox, args), sandbox, &args.join(" "), stdin)
    }
}

/// Runs `cmd` to its end with stdout and stderr in files (wine's helper processes inherit the
/// stderr they are started with and outlive the command: a pipe would not close).
fn run(mut cmd: Command, sandbox: &Sandbox, what: &str, stdin: Option<&str>) -> Ran {
    let out = sandbox.next_file("stdout");
    let err = sandbox.next_file("stderr");
    cmd.stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap());
    match stdin {
        Some(text) => {
            let path = sandbox.next_file("stdin");
            std::fs::write(&path, text).unwrap();
            cmd.stdin(std::fs::File::open(&path).unwrap());
        }
        None => {
            cmd.stdin(Stdio::null());
        }
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{what} did not end within {PATIENCE:?}; stderr:\n{}",
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ran {
        what: what.to_owned(),
        code: status.code(),
        stdout: std::fs::read_to_string(&out).unwrap(),
        stderr: std::fs::read_to_string(&err).unwrap(),
    }
}

/// A directory of its own per test: HOME, XDG directories, the working directory, outputs.
struct Sandbox {
    dir: tempfile::TempDir,
    files: AtomicUsize,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("sandbox-")
            .tempdir_in(scratch())
            .unwrap();
        for sub in ["home", "work", "out"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        Sandbox {
            dir,
            files: AtomicUsize::new(0),
        }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn next_file(&self, what: &str) -> PathBuf {
        let n = self.files.fetch_add(1, Ordering::Relaxed);
        self.dir.path().join("out").join(format!("{n}-{what}"))
    }

    fn environment(&self, cmd: &mut Command) {
        let home = self.home();
        cmd.current_dir(self.dir.path().join("work"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_RUNTIME_DIR", home.join("run"))
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}/no-session-bus", home.display()),
            )
            .env("NO_PROXY", "*");
    }
}

/// The files under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut found = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if kind.is_file()
            && std::fs::read(&path).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle))
        {
            found.push(path);
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Getting the binaries and the tools
// ---------------------------------------------------------------------------------------------

fn tool(name: &str, package: &str, why: &str) -> Result<PathBuf, String> {
    on_path(name).ok_or_else(|| {
        format!("{name} not found on PATH ({why}); install it with `apt-get install {package}`")
    })
}

/// `$THREEMINAPI_DIST`, the directory `cargo xtask dist` wrote.
fn dist() -> Result<PathBuf, String> {
    match std::env::var_os("THREEMINAPI_DIST") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => Err(
            "THREEMINAPI_DIST is not set: build the release archives with `cargo xtask dist \
                  --all` and run `THREEMINAPI_DIST=target/dist cargo test --test cross_run`"
                .into(),
        ),
    }
}

/// Unpacks `3minapi-<os>-<arch>.<ext>` from the dist directory (once per run) and returns the
/// binary at `3minapi-<os>-<arch>/<bin>`. A missing archive fails the test: the variable says
/// the archives are there.
fn unpack(
    cell: &'static OnceLock<Result<PathBuf, String>>,
    stem: &str,
    ext: &str,
    bin: &str,
) -> Result<PathBuf, String> {
    cell.get_or_init(|| {
        let archive = dist()?.join(format!("{stem}.{ext}"));
        assert!(
            archive.is_file(),
            "{} is missing although THREEMINAPI_DIST is set: run `cargo xtask dist --all`",
            archive.display()
        );
        let into = scratch().join(stem);
        std::fs::create_dir_all(&into).unwrap();
        let mut cmd = if ext == "zip" {
            let python = tool("python3", "python3", "to unpack the .zip")?;
            let mut cmd = Command::new(python);
            cmd.args(["-m", "zipfile", "-e"]).arg(&archive).arg(&into);
            cmd
        } else {
            let tar = tool("tar", "tar", "to unpack the .tar.gz")?;
            let mut cmd = Command::new(tar);
            cmd.arg("-xzf").arg(&archive).arg("-C").arg(&into);
            cmd
        };
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "unpacking {}: {}",
            archive.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let exe = into.join(stem).join(bin);
        assert!(exe.is_file(), "{} holds no {stem}/{bin}", archive.display());
        Ok(exe)
    })
    .clone()
}

fn aarch64() -> Result<Target, String> {
    static EXE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let runner = tool("qemu-aarch64", "qemu-user", "to run the aarch64 binary")?;
    dist()?;
    let exe = unpack(&EXE, "3minapi-linux-aarch64", "tar.gz", "3minapi")?;
    Ok(Target {
        runner,
        exe,
        wine: None,
    })
}

fn windows() -> Result<Target, String> {
    static EXE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    static SHIM: OnceLock<Result<(), String>> = OnceLock::new();
    let loader = wine_loader()?;
    let gcc = tool(
        "x86_64-w64-mingw32-gcc",
        "gcc-mingw-w64-x86-64",
        "to build the test-only bcryptprimitives.dll wine 8 lacks",
    )?;
    dist()?;
    let exe = unpack(&EXE, "3minapi-windows-x86_64", "zip", "3minapi.exe")?;
    SHIM.get_or_init(|| {
        let source =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wine/bcryptprimitives.c");
        let out = Command::new(gcc)
            .arg("-shared")
            .arg("-o")
            .arg(exe.with_file_name("bcryptprimitives.dll"))
            .arg(source)
            .arg("-ladvapi32")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "building the ProcessPrng shim: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(())
    })
    .clone()?;
    let wine = wine(&loader)?;
    Ok(Target {
        runner: loader,
        exe,
        wine: Some(wine),
    })
}

/// The wineserver beside the loader the tests use, for stopping it when they are done.
fn wineserver() -> Option<PathBuf> {
    wine_loader()
        .ok()
        .map(|loader| loader.with_file_name(WINESERVER))
}

fn wine_loader() -> Result<PathBuf, String> {
    let debian = PathBuf::from(WINE_LOADER);
    if debian.is_file() {
        return Ok(debian);
    }
    on_path("wine64").ok_or_else(|| {
        format!(
            "{WINE_LOADER} not found (nor wine64 on PATH): install wine with `apt-get install \
             wine64` to run the Windows binary"
        )
    })
}

/// The wine prefix every wine test of this run shares, and whose user it boots as.
struct Wine {
    prefix: PathBuf,
    loader: PathBuf,
    /// The Windows user's name (wine takes the Unix one).
    user: String,
    /// `drive_c/users/<user>` in the prefix: `C:\users\<user>`, the user profile.
    profile: PathBuf,
}

impl Wine {
    fn environment(&self, cmd: &mut Command) {
        cmd.env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            // No desktop menu entries, no offer to install Mono or Gecko.
            .env(
                "WINEDLLOVERRIDES",
                "winemenubuilder.exe=d;mscoree=d;mshtml=d",
            );
    }

    /// One of wine's own programs (`reg`, `hostname`, …).
    fn run_builtin(&self, sandbox: &Sandbox, args: &[&str]) -> Ran {
        let mut cmd = Command::new(&self.loader);
        cmd.args(args);
        sandbox.environment(&mut cmd);
        self.environment(&mut cmd);
        run(cmd, sandbox, &args.join(" "), None)
    }
}

/// Boots the shared prefix once. A wineserver kept alive for 30 s after its last client spares
/// each command a cold session start (3 s instead of 0.3 s).
fn wine(loader: &Path) -> Result<&'static Wine, String> {
    static WINE: OnceLock<Wine> = OnceLock::new();
    Ok(WINE.get_or_init(|| {
        let started = Instant::now();
        let prefix = scratch().join("wineprefix");
        std::fs::create_dir_all(&prefix).unwrap();
        let mut wine = Wine {
            prefix,
            loader: loader.to_owned(),
            user: String::new(),
            profile: PathBuf::new(),
        };
        let sandbox = Sandbox::new();
        let mut server = Command::new(loader.with_file_name(WINESERVER));
        server.arg("-p30");
        sandbox.environment(&mut server);
        wine.environment(&mut server);
        let ran = run(server, &sandbox, "wineserver -p30", None);
        ran.assert_ok();
        let ran = wine.run_builtin(&sandbox, &["wineboot", "--init"]);
        ran.assert_ok();
        let users = wine.prefix.join("drive_c/users");
        let mut names: Vec<String> = std::fs::read_dir(&users)
            .unwrap_or_else(|e| panic!("{}: {e}", users.display()))
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n != "Public")
            .collect();
        assert_eq!(names.len(), 1, "users in the prefix: {names:?}");
        wine.user = names.remove(0);
        wine.profile = users.join(&wine.user);
        eprintln!(
            "cross_run: booting the wine prefix took {:.1?}",
            started.elapsed()
        );
        wine
    }))
}

/// The Windows path wine gives a Unix path: drive Z: is the Unix root.
fn windows_path(unix: &Path) -> String {
    format!("Z:{}", unix.to_str().unwrap().replace('/', "\\"))
}

/// `target/tmp/cross_run/run-<pid>`: this run's unpacked archives, wine prefix and sandboxes.
/// Left-overs of runs whose process is gone are removed first; a watcher process removes this
/// one (stopping its wineserver first) once this process has exited.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cross_run");
        let gone = |pid: &str| !Path::new("/proc").join(pid).exists();
        if Path::new("/proc/self").exists()
            && let Ok(entries) = std::fs::read_dir(&base)
        {
            for entry in entries.flatten() {
                let name = entry.file_name();
                if let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("run-"))
                    && gone(pid)
                {
                    stop_wineserver(&entry.path().join("wineprefix"));
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = base.join(format!("run-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if Path::new("/proc/self").exists() {
            // The watcher: stdio detached, ends by itself.
            let _ = Command::new("/bin/sh")
                .arg("-c")
                .arg(
                    r#"while [ -e "/proc/$1" ]; do sleep 1; done
                       if [ -d "$2/wineprefix" ] && [ -x "$3" ]; then WINEPREFIX="$2/wineprefix" "$3" -k; fi
                       rm -rf "$2""#,
                )
                .arg("sh")
                .arg(std::process::id().to_string())
                .arg(&dir)
                .arg(wineserver().unwrap_or_default())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
        }
        dir
    })
}

fn stop_wineserver(prefix: &Path) {
    if let Some(server) = wineserver().filter(|s| prefix.is_dir() && s.is_file()) {
        let _ = Command::new(server)
            .arg("-k")
            .env("WINEPREFIX", prefix)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
