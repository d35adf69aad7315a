//! A private Secret Service for one test: its own `dbus-daemon` session bus listening at
//! `<runtime dir>/bus` and an unlocked `gnome-keyring-daemon --components=secrets`, both in a temp
//! directory that is also the HOME of every `3minapi` run, so the keyring's own files sit under the
//! scanned HOME. Never the developer's real keyring. Both daemons are killed on drop.
//!
//! If the daemons cannot be started the test PANICS (keychain tests fail, they never skip):
//! `bash .ci/run` installs `gnome-keyring dbus libsecret-tools`.
//!
//! Everything is bounded: daemon start-up, every helper tool, every run of the binary.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_3minapi");
/// How long the daemons may take to come up.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest any run of the binary may take (its own keychain wait is 30 s at most).
pub const RUN_TIMEOUT: Duration = Duration::from_secs(45);
/// How long a helper tool (`secret-tool`, `dbus-send`) may take.
const TOOL_TIMEOUT: Duration = Duration::from_secs(10);
const KEYRING_PASSWORD: &str = "3minapi-test-keyring-password";
const TOOLS: &[(&str, &str)] = &[
    ("dbus-daemon", "dbus"),
    ("dbus-send", "dbus"),
    ("gnome-keyring-daemon", "gnome-keyring"),
    ("secret-tool", "libsecret-tools"),
];

/// The masked form the binary prints: `tm_mcp_…` and the last 4 characters.
pub fn masked(key: &str) -> String {
    format!("tm_mcp_…{}", &key[key.len() - 4..])
}

/// `http://127.0.0.1:PORT/api/mcp` on a loopback port nothing listens on.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/api/mcp")
}

// ---------------------------------------------------------------------------------------------
// Sandbox: the temp HOME and friends
// ---------------------------------------------------------------------------------------------

/// A temp directory holding HOME (`home/`, with `.config` and `.local/share`) and an
/// XDG_RUNTIME_DIR (`run/`, mode 0700). Without a keyring, runs get a session bus address that
/// points at a socket that does not exist.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("3minapi-kr-")
            .tempdir()
            .expect("temp dir");
        let sandbox = Sandbox { dir };
        for d in [
            sandbox.home(),
            sandbox.config_home(),
            sandbox.data_home(),
            sandbox.runtime_dir(),
            sandbox.logs(),
            sandbox.project(),
        ] {
            std::fs::create_dir_all(&d).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                sandbox.runtime_dir(),
                std::fs::Permissions::from_mode(0o700),
            )
            .unwrap();
        }
        sandbox
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }
    pub fn home(&self) -> PathBuf {
        self.root().join("home")
    }
    pub fn config_home(&self) -> PathBuf {
        self.home().join(".config")
    }
    pub fn data_home(&self) -> PathBuf {
        self.home().join(".local/share")
    }
    pub fn runtime_dir(&self) -> PathBuf {
        self.root().join("run")
    }
    /// The current directory of every run: where project-scope config files go.
    pub fn project(&self) -> PathBuf {
        self.root().join("project")
    }
    fn logs(&self) -> PathBuf {
        self.root().join("logs")
    }
    /// `<XDG_CONFIG_HOME>/3minapi/credentials`, the `--insecure-storage` file.
    pub fn credentials_path(&self) -> PathBuf {
        self.config_home().join("3minapi").join("credentials")
    }
    /// A session bus address whose socket does not exist.
    pub fn no_bus_address(&self) -> String {
        format!("unix:path={}/no-session-bus", self.root().display())
    }

    /// `3minapi ARGS` with a cleared environment: PATH, HOME and XDG_CONFIG_HOME in the sandbox,
    /// no session bus, `NO_PROXY=*`, and `THREEMINAPI_URL` on a closed loopback port (so a test
    /// that forgets to point it somewhere never reaches the real server).
    pub fn cmd(&self, args: &[&str]) -> Cmd {
        let mut env = BTreeMap::new();
        env.insert("PATH".into(), std::env::var("PATH").unwrap_or_default());
        env.insert("HOME".into(), self.home().display().to_string());
        env.insert(
            "XDG_CONFIG_HOME".into(),
            self.config_home().display().to_string(),
        );
        env.insert("DBUS_SESSION_BUS_ADDRESS".into(), self.no_bus_address());
        env.insert("NO_PROXY".into(), "*".into());
        env.insert("THREEMINAPI_URL".into(), closed_port_url());
        Cmd {
            program: None,
            args: args.iter().map(|s| s.to_string()).collect(),
            env,
            stdin: None,
            timeout: RUN_TIMEOUT,
            cwd: self.project(),
        }
    }

    /// Every regular file under the sandbox (HOME, the runtime dir, the daemons' logs).
    pub fn regular_files(&self) -> Vec<PathBuf> {
        let mut out = vec![];
        let mut todo = vec![self.root().to_path_buf()];
        while let Some(dir) = todo.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
                let entry = entry.unwrap();
                let kind = entry.file_type().unwrap();
                if kind.is_dir() {
                    todo.push(entry.path());
                } else if kind.is_file() {
                    out.push(entry.path());
                }
            }
        }
        out.sort();
        out
    }

    /// Every regular file under the sandbox with its bytes, sorted by path: compare two to prove
    /// a command changed nothing.
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        self.regular_files()
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap();
                (p, bytes)
            })
            .collect()
    }

    /// The regular files under the sandbox whose bytes contain `needle`.
    pub fn files_containing(&self, needle: &str) -> Vec<PathBuf> {
        self.regular_files()
            .into_iter()
            .filter(|p| {
                let bytes = std::fs::read(p).unwrap_or_default();
                bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Running the binary (and helper tools), bounded
// ---------------------------------------------------------------------------------------------

/// One run of `3minapi`, built by [`Sandbox::cmd`] / [`PrivateKeyring::cmd`].
pub struct Cmd {
    /// `None`: the binary under test.
    program: Option<String>,
    args: Vec<String>,
    env: BTreeMap<String, String>,
    stdin: Option<String>,
    timeout: Duration,
    cwd: PathBuf,
}

impl Cmd {
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Self {
        self.env
            .insert(k.to_owned(), v.as_ref().to_string_lossy().into_owned());
        self
    }
    pub fn env_remove(mut self, k: &str) -> Self {
        self.env.remove(k);
        self
    }
    pub fn url(self, url: &str) -> Self {
        self.env("THREEMINAPI_URL", url)
    }
    /// What the process reads on stdin (then EOF). Without it stdin is /dev/null.
    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.to_owned());
        self
    }
    /// Runs in `dir` instead of the sandbox's project directory.
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = dir.into();
        self
    }
    /// Runs `program ARGS` instead of the binary, in the same environment (a shell running a
    /// helper command, `script` giving it a terminal).
    pub fn program(mut self, program: &str, args: &[&str]) -> Self {
        self.program = Some(program.to_owned());
        self.args = args.iter().map(|s| s.to_string()).collect();
        self
    }

    pub fn run(self) -> Output {
        let mut cmd = Command::new(self.program.as_deref().unwrap_or(BIN));
        cmd.env_clear()
            .envs(&self.env)
            .args(&self.args)
            .current_dir(&self.cwd);
        let what = format!(
            "{} {}",
            self.program.as_deref().unwrap_or("3minapi"),
            self.args.join(" ")
        );
        run_bounded(cmd, self.stdin.as_deref(), self.timeout, &what)
    }
}

/// What a run printed, how it ended and how long it took.
#[derive(Debug)]
pub struct Output {
    pub what: String,
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Output {
    /// stdout and stderr together, for "never prints X" checks.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
    /// Everything, for assertion messages.
    pub fn context(&self) -> String {
        format!(
            "`{}` exited {:?} after {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.what, self.code, self.elapsed, self.stdout, self.stderr
        )
    }
    /// Fails the test unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "{}", self.context());
        self
    }
    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{}", self.context()))
    }
    /// Fails the test unless stdout or stderr contains `needle`.
    #[track_caller]
    pub fn expect_says(&self, needle: &str) -> &Self {
        assert!(
            self.all().contains(needle),
            "expected output to contain {needle:?}\n{}",
            self.context()
        );
        self
    }
}

fn reader(stream: Option<impl Read + Send + 'static>) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut s) = stream {
        std::thread::spawn(move || {
            let mut bytes = vec![];
            let _ = s.read_to_end(&mut bytes);
            let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
        });
    } else {
        let _ = tx.send(String::new());
    }
    rx
}

/// Spawns `cmd`, feeds it `stdin` (then EOF), and waits at most `timeout` for it to exit: a
/// process still running then is killed and the test fails.
fn run_bounded(mut cmd: Command, stdin: Option<&str>, timeout: Duration, what: &str) -> Output {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{what}`: {e}"));
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // The process may exit without reading: a broken pipe is its business.
        let _ = pipe.write_all(text.as_bytes());
    }
    let out = reader(child.stdout.take());
    let err = reader(child.stderr.take());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = err.recv_timeout(Duration::from_secs(2)).unwrap_or_default();
            panic!("`{what}` did not exit within {timeout:?}; killed. stderr:\n{stderr}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    // A grandchild holding the pipes open must not hang the test either.
    let stdout = out.recv_timeout(Duration::from_secs(5)).unwrap_or_default();
    let stderr = err.recv_timeout(Duration::from_secs(5)).unwrap_or_default();
    Output {
        what: what.to_owned(),
        code: status.code(),
        stdout,
        stderr,
        elapsed,
    }
}

// ---------------------------------------------------------------------------------------------
// The private keyring
// ---------------------------------------------------------------------------------------------

/// A private session bus (at `<runtime dir>/bus`) and, unless [`PrivateKeyring::bus_only`], an
/// unlocked gnome-keyring Secret Service on it.
pub struct PrivateKeyring {
    sandbox: Sandbox,
    address: String,
    bus: Option<Child>,
    secrets: Option<Child>,
}

impl PrivateKeyring {
    /// A session bus with an unlocked Secret Service (gnome-keyring) on it.
    pub fn start() -> PrivateKeyring {
        let mut kr = Self::bus_only();
        kr.start_secrets();
        kr
    }

    /// A session bus and nothing on it: no Secret Service (a headless machine with D-Bus).
    pub fn bus_only() -> PrivateKeyring {
        for (tool, package) in TOOLS {
            assert!(
                super::on_path(tool).is_some(),
                "keychain tests need `{tool}` (Debian package {package}); install them with \
                 `apt-get install gnome-keyring dbus libsecret-tools` (`bash .ci/run` does)"
            );
        }
        let sandbox = Sandbox::new();
        let socket = sandbox.runtime_dir().join("bus");
        assert!(
            socket.as_os_str().len() < 100,
            "the bus socket path {socket:?} is too long for a unix socket: set TMPDIR to a shorter directory"
        );
        // No service directories: nothing gets auto-activated (least of all a locked keyring).
        let config = sandbox.root().join("session.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                socket.display()
            ),
        )
        .unwrap();
        let log = sandbox.logs().join("dbus-daemon.log");
        let mut bus = Command::new("dbus-daemon")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", sandbox.home())
            .arg(format!("--config-file={}", config.display()))
            .arg("--nofork")
            .arg("--print-address")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start dbus-daemon: {e}"));
        let stdout = bus.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut kr = PrivateKeyring {
            sandbox,
            address: String::new(),
            bus: Some(bus),
            secrets: None,
        };
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(line) if line.trim().starts_with("unix:") => kr.address = line.trim().to_owned(),
            other => panic!(
                "dbus-daemon did not print its address within {START_TIMEOUT:?} ({other:?}); its log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            ),
        }
        assert!(socket.exists(), "dbus-daemon does not listen at {socket:?}");
        kr
    }

    fn start_secrets(&mut self) {
        let log = self.sandbox.logs().join("gnome-keyring-daemon.log");
        let mut child = Command::new("gnome-keyring-daemon")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.sandbox.home())
            .env("XDG_RUNTIME_DIR", self.sandbox.runtime_dir())
            .env("XDG_DATA_HOME", self.sandbox.data_home())
            .env("XDG_CONFIG_HOME", self.sandbox.config_home())
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(append(&log))
            .stderr(append(&log))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start gnome-keyring-daemon: {e}"));
        {
            // --unlock reads the login keyring's password from stdin, up to EOF.
            let mut stdin = child.stdin.take().unwrap();
            // An early exit shows below, with its log.
            let _ = stdin.write_all(KEYRING_PASSWORD.as_bytes());
        }
        self.secrets = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if self.has_secret_service() {
                return;
            }
            if let Some(status) = self.secrets.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "gnome-keyring-daemon exited ({status}) before providing org.freedesktop.secrets; its log:\n{}",
                    self.logs()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "gnome-keyring-daemon did not provide org.freedesktop.secrets on the private bus within {START_TIMEOUT:?}; its log:\n{}",
                    self.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Kills the keyring daemon and starts a new one on the same files (as after a reboot):
    /// whatever was stored in a persistent collection is there again.
    pub fn restart_secrets(&mut self) {
        if let Some(mut child) = self.secrets.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let deadline = Instant::now() + START_TIMEOUT;
        while self.has_secret_service() {
            assert!(
                Instant::now() < deadline,
                "org.freedesktop.secrets is still on the bus after its daemon was killed"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
        self.start_secrets();
    }

    fn has_secret_service(&self) -> bool {
        self.dbus_send(&[
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        ])
        .stdout
        .contains("boolean true")
    }

    /// The daemons' logs, for failure messages.
    pub fn logs(&self) -> String {
        let mut text = String::new();
        for f in std::fs::read_dir(self.sandbox.logs()).unwrap().flatten() {
            text += &format!(
                "== {}\n{}\n",
                f.file_name().to_string_lossy(),
                std::fs::read_to_string(f.path()).unwrap_or_default()
            );
        }
        text
    }

    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }
    /// `unix:path=<runtime dir>/bus,guid=…`
    pub fn bus_address(&self) -> &str {
        &self.address
    }
    /// The directory whose `bus` socket is this private bus.
    pub fn runtime_dir(&self) -> PathBuf {
        self.sandbox.runtime_dir()
    }

    /// Like [`Sandbox::cmd`], with `DBUS_SESSION_BUS_ADDRESS` on this private bus.
    pub fn cmd(&self, args: &[&str]) -> Cmd {
        self.sandbox
            .cmd(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
    }

    fn tool(&self, program: &str, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.sandbox.home())
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .args(args);
        let what = format!("{program} {}", args.join(" "));
        run_bounded(cmd, stdin, TOOL_TIMEOUT, &what)
    }

    fn dbus_send(&self, args: &[&str]) -> Output {
        let mut all = vec!["--session", "--print-reply", "--reply-timeout=3000"];
        all.extend_from_slice(args);
        self.tool("dbus-send", &all, None)
    }

    /// What `secret-tool lookup service 3minapi username mcp-key` finds, exactly as stored.
    pub fn lookup(&self) -> Option<String> {
        self.lookup_account("mcp-key")
    }

    /// What the keychain holds for `account` (`mcp-key:work` for profile work).
    pub fn lookup_account(&self, account: &str) -> Option<String> {
        let out = self.tool(
            "secret-tool",
            &["lookup", "service", "3minapi", "username", account],
            None,
        );
        match out.code {
            Some(0) => Some(out.stdout),
            // secret-tool exits 1, silently, when nothing matches.
            Some(1) if out.stdout.is_empty() && out.stderr.trim().is_empty() => None,
            _ => panic!("secret-tool lookup failed\n{}", out.context()),
        }
    }

    /// How many Secret Service items carry `service=3minapi` (any account).
    pub fn count_items(&self) -> usize {
        let out = self.tool(
            "secret-tool",
            &["search", "--all", "service", "3minapi"],
            None,
        );
        assert_eq!(
            out.code,
            Some(0),
            "secret-tool search failed\n{}",
            out.context()
        );
        // One `[/object/path]` header line per item on stdout.
        out.stdout.lines().filter(|l| l.starts_with('[')).count()
    }

    /// Stores `secret` under service 3minapi / username mcp-key with secret-tool, as another
    /// program would.
    pub fn store(&self, secret: &str) {
        let out = self.tool(
            "secret-tool",
            &[
                "store",
                "--label=stored by the test",
                "service",
                "3minapi",
                "username",
                "mcp-key",
            ],
            Some(secret),
        );
        assert_eq!(
            out.code,
            Some(0),
            "secret-tool store failed\n{}",
            out.context()
        );
    }

    /// Locks the default collection, as a screen lock would: reading it then needs an unlock
    /// prompt, which cannot be shown here.
    pub fn lock(&self) {
        let alias = self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.ReadAlias",
            "string:default",
        ]);
        let path = alias
            .stdout
            .split('"')
            .nth(1)
            .filter(|p| p.starts_with("/org/freedesktop/secrets/collection/"))
            .unwrap_or_else(|| panic!("no default collection\n{}", alias.context()))
            .to_owned();
        let locked = self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            &format!("array:objpath:{path}"),
        ]);
        assert!(
            locked.code == Some(0) && locked.stdout.contains(&path),
            "locking {path} failed\n{}",
            locked.context()
        );
    }
}

fn append(path: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

impl Drop for PrivateKeyring {
    fn drop(&mut self) {
        for child in [self.secrets.take(), self.bus.take()].into_iter().flatten() {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
