//! 3minapi: the local side of 3Min API. `main.rs` only hands the arguments to [`run`].

pub mod auth;
pub mod bridge;
pub mod cli;
pub mod client;
pub mod config;
pub mod doctor;
pub mod filter;
pub mod jsonrpc;
pub mod key;
pub mod log;
pub mod modern;
pub mod sse;
pub mod stdio;
pub mod store;
mod strscan;
pub mod tools;
pub mod upstream;

use clap::Parser;
use std::ffi::OsString;
use std::process::ExitCode;

/// The exit statuses of every command, decided here and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Failure = 1,
    Usage = 2,
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Environment variable for the upstream URL.
pub const URL_ENV: &str = "THREEMINAPI_URL";

/// Parses the arguments and runs the command.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            }
            .into();
        }
    };
    match dispatch(cli) {
        Ok(exit) => exit.into(),
        Err(e) if e.is::<tools::Interrupted>() => Exit::Interrupted.into(),
        Err(e) => {
            print_error(&e);
            Exit::Failure.into()
        }
    }
}

fn dispatch(cli: cli::Cli) -> anyhow::Result<Exit> {
    let level = log::Level::from_flags(cli.verbose, cli.quiet);
    match cli.command {
        cli::Command::Auth { command } => {
            let _ = log::init(level, None);
            let url = resolve_url(cli.url);
            match command {
                cli::AuthCommand::Login(args) => auth::login(&args, &url),
                cli::AuthCommand::Status(args) => auth::status(&args, &url),
                cli::AuthCommand::Logout => auth::logout(),
            }
        }
        cli::Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(
                shell,
                &mut <cli::Cli as clap::CommandFactory>::command(),
                "3minapi",
                &mut buf,
            );
            out!("{}", String::from_utf8_lossy(&buf));
            Ok(Exit::Success)
        }
        cli::Command::Doctor(args) => {
            let _ = log::init(level, None);
            let url = resolve_url(cli.url);
            let opts = doctor::Options {
                json: args.json,
                offline: args.offline,
                no_color: cli.no_color,
            };
            doctor::run(&opts, &url)
        }
        cli::Command::Tools { command } => {
            let _ = log::init(level, None);
            let url = resolve_url(cli.url);
            match command {
                cli::ToolsCommand::List(args) => tools::list(&args, &url),
                cli::ToolsCommand::Call(args) => tools::call(&args, &url),
            }
        }
        cli::Command::Config { command } => {
            let _ = log::init(level, None);
            let url_flag = cli.url.clone();
            let url = resolve_url(cli.url);
            config::run(command, &url, url_flag.as_deref())
        }
        cli::Command::Mcp {
            command: cli::McpCommand::Serve(args),
        } => {
            log::init(level, args.log_file.as_deref()).map_err(|e| {
                anyhow::anyhow!(
                    "cannot open the log file {}: {e}\nhint: pass a writable path to --log-file",
                    args.log_file
                        .as_deref()
                        .unwrap_or_else(|| std::path::Path::new(""))
                        .display()
                )
            })?;
            let url = resolve_url(cli.url);
            serve(url, &args.filter)
        }
    }
}

/// Writes command output (not `mcp serve`'s) to stdout. A reader that went away (`3minapi config
/// list | head`) ends the command quietly: the default SIGPIPE action cannot be used instead, since
/// it would also kill the process when a server closes a socket it is writing to.
pub fn stdout_write(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if out.write_fmt(args).and_then(|()| out.flush()).is_err() {
        std::process::exit(0);
    }
}

/// `println!` for command output, through [`stdout_write`].
#[macro_export]
macro_rules! outln {
    () => {
        $crate::stdout_write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::stdout_write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for command output, through [`stdout_write`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::stdout_write(format_args!($($arg)*))
    };
}

/// `--url`, else `THREEMINAPI_URL` (unless empty or an unexpanded placeholder), else the hosted server.
fn resolve_url(flag: Option<String>) -> String {
    if let Some(url) = flag {
        return url;
    }
    match std::env::var(URL_ENV) {
        Ok(v) if key::is_unexpanded_or_empty(&v) => {
            if !v.is_empty() {
                log_warn!(
                    "{URL_ENV} holds an unexpanded placeholder; using {}",
                    upstream::DEFAULT_URL
                );
            }
            upstream::DEFAULT_URL.to_owned()
        }
        Ok(v) => v.trim().to_owned(),
        Err(_) => upstream::DEFAULT_URL.to_owned(),
    }
}

fn serve(url: String, flags: &cli::FilterArgs) -> anyhow::Result<Exit> {
    big_buffers_mapped();
    let filter = filter::Filter::new(
        flags.read_only,
        flags.allow_tool.clone(),
        flags.deny_tool.clone(),
    )
    .map(std::sync::Arc::new);
    if let Some(f) = &filter {
        for w in f.startup_warnings() {
            log_warn!("{w}");
        }
    }
    let lookup = key::resolve(
        |name| std::env::var(name).ok(),
        Some(store::LONG_WAIT),
        |w| log_warn!("{w}"),
    );
    // One thread relays everything (stdin and stdout too, when they are pipes or sockets: see
    // `stdio`): the work is waiting on descriptors, and one thread saves the cross-thread
    // wake-ups and per-thread heaps.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let for_upstream = filter.clone();
    runtime.block_on(bridge::serve(filter, move |outbox| {
        target(&url, lookup, outbox, for_upstream)
    }));
    // Shutting down is a server's normal end, whatever ended it.
    Ok(Exit::Success)
}

/// A bridge buffers big messages (megabytes of tool arguments or results) while it relays them.
/// glibc serves such buffers from its heap once one has been freed (its mmap threshold rises to
/// the biggest block freed), and the heap's high-water mark then stays resident for the life of
/// the process. A fixed threshold keeps every buffer over 128 KiB in its own mapping: grown in
/// place by mremap, and given back to the OS as soon as the message has gone through.
/// Peak RSS of the 2 MB benchmark calls: 12.2 MB -> 10.0 MB.
fn big_buffers_mapped() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator, under the allocator's own lock.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

fn target(
    url: &str,
    lookup: key::KeyLookup,
    outbox: upstream::Outbox,
    filter: Option<std::sync::Arc<filter::Filter>>,
) -> bridge::Target {
    use bridge::{SetupProblem, Target};
    let url = match upstream::check_url(url) {
        Ok(url) => url,
        Err(message) => {
            return Target::Broken(SetupProblem {
                message,
                hint: format!("fix --url or {URL_ENV}"),
                code: jsonrpc::code::UPSTREAM_UNAVAILABLE,
            });
        }
    };
    let key = match lookup {
        key::KeyLookup::Found { key, source } => {
            log_info!("using MCP key {key} from {source}");
            key
        }
        other => {
            return Target::Broken(SetupProblem {
                message: other.problem().unwrap_or_default(),
                hint: other.hint(),
                code: jsonrpc::code::KEY_PROBLEM,
            });
        }
    };
    match upstream::Upstream::new(url, &key, outbox, filter) {
        Ok(up) => Target::Ready(up),
        Err(e) => Target::Broken(SetupProblem {
            message: format!("cannot set up the HTTP client: {e}"),
            hint: "report this as a bug".into(),
            code: jsonrpc::code::UPSTREAM_UNAVAILABLE,
        }),
    }
}

/// `error: …` then `hint: …`, lowercase, control characters stripped.
pub fn print_error(e: &anyhow::Error) {
    let text = format!("{e:#}");
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        eprintln!("error: {}", log::sanitize(first));
    }
    for line in lines {
        eprintln!("{}", log::sanitize(line));
    }
}
