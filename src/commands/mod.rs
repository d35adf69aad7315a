//! The commands of DESIGN §2, one file per command group: each turns the parsed command line into
//! work done by the rooms below (`bridge`, `upstream`, `key`, `clients`) and decides the exit status.
//! The only room besides `cli` that knows clap's types; nothing below may use it.

pub mod auth;
pub mod config;
pub mod doctor;
pub mod logs;
pub mod serve;
pub mod tools;

pub use tools::Interrupted;

use crate::cli::{AuthCommand, Cli, Command, McpCommand, ToolsCommand};
use crate::upstream::{DEFAULT_URL, Trust, TrustError, URL_ENV};
use crate::{key, log, log_warn};
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

/// Where the server is and how to reach it: `--url` / `THREEMINAPI_URL`, and the CA bundles
/// trusted beyond the OS store (an unusable bundle is kept as the error each command reports).
pub struct Server {
    pub url: String,
    pub trust: Result<Trust, TrustError>,
}

impl Server {
    fn resolve(url_flag: Option<String>, ca_file: Option<&std::path::Path>) -> Server {
        Server {
            url: resolve_url(url_flag),
            trust: Trust::load(ca_file),
        }
    }

    /// The trust, or the error a command that reaches the server stops with.
    pub fn trust(&self) -> anyhow::Result<&Trust> {
        self.trust
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}\nhint: {}", e.hint()))
    }
}

/// Runs the command `cli` names.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    // The profile first: every key lookup and store below is that profile's.
    let profile = match cli.profile.clone().map_or_else(key::profile::from_env, Ok) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(Exit::Usage);
        }
    };
    key::profile::select(profile);
    let level = log::Level::from_flags(cli.verbose, cli.quiet);
    let url_flag = cli.url;
    let ca_file = cli.ca_file;
    // The one-shot commands log to stderr, and the URL is resolved after, so its warning shows.
    let start = || {
        let _ = log::init(level, None);
        Server::resolve(url_flag.clone(), ca_file.as_deref())
    };
    match cli.command {
        Command::Auth { command } => {
            let url = start();
            match command {
                AuthCommand::Login(args) => auth::login(&args, &url),
                AuthCommand::Status(args) => auth::status(&args, &url),
                AuthCommand::Logout => auth::logout(),
                AuthCommand::List(args) => auth::list(&args),
                AuthCommand::Header => auth::header(),
            }
        }
        Command::Logs(args) => {
            let _ = log::init(level, None);
            logs::run(&args)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "3minapi",
                &mut buf,
            );
            crate::out!("{}", String::from_utf8_lossy(&buf));
            Ok(Exit::Success)
        }
        Command::Doctor(args) => {
            let server = start();
            let opts = doctor::Options {
                json: args.json,
                offline: args.offline,
                no_color: cli.no_color,
            };
            doctor::run(&opts, &server)
        }
        Command::Tools { command } => {
            let url = start();
            match command {
                ToolsCommand::List(args) => tools::list(&args, &url),
                ToolsCommand::Call(args) => tools::call(&args, &url),
            }
        }
        Command::Config { command } => {
            let server = start();
            config::run(
                command,
                &server.url,
                url_flag.as_deref(),
                ca_file.as_deref(),
            )
        }
        Command::Mcp {
            command: McpCommand::Serve(args),
        } => {
            // First of all: it runs alongside the log, trust and key set-up (see `warm_up`).
            crate::upstream::warm_up();
            match &args.log_file {
                Some(path) => log::init(level, Some(path)).map_err(|e| {
                    anyhow::anyhow!(
                        "cannot open the log file {}: {e}\nhint: pass a writable path to --log-file",
                        path.display()
                    )
                })?,
                // The trail `3minapi logs` and doctor read; stderr as before.
                None => log::init_with_trail(level, log::file::default_path().as_deref()),
            }
            serve::run(Server::resolve(url_flag, ca_file.as_deref()), &args.filter)
        }
    }
}

/// `--url`, else `THREEMINAPI_URL` (unless empty or an unexpanded placeholder), else the hosted server.
fn resolve_url(flag: Option<String>) -> String {
    if let Some(url) = flag {
        return url;
    }
    match std::env::var(URL_ENV) {
        Ok(v) if key::is_unexpanded_or_empty(&v) => {
            if !v.is_empty() {
                log_warn!("{URL_ENV} holds an unexpanded placeholder; using {DEFAULT_URL}");
            }
            DEFAULT_URL.to_owned()
        }
        Ok(v) => v.trim().to_owned(),
        Err(_) => DEFAULT_URL.to_owned(),
    }
}
