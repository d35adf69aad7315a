//! The command line, in one place (DESIGN §2). Commands arrive with the issues that build them.

use crate::bridge::filter::Rule;
use crate::clients::{ClientId, Scope};
use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `--version`: the release and the commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("THREEMINAPI_GIT_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "3minapi",
    version = VERSION,
    about = "Connect AI coding tools to 3Min API without putting the MCP key in their config files",
    propagate_version = true
)]
pub struct Cli {
    /// MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,

    /// Also trust the CA certificates in this PEM file (for networks that inspect TLS) [env: THREEMINAPI_CA_FILE]
    #[arg(long, global = true, value_name = "PATH")]
    pub ca_file: Option<PathBuf>,

    /// Use the key of this profile (one per 3Min API account; see `auth list`) [env: THREEMINAPI_PROFILE]
    #[arg(long, global = true, value_name = "NAME", value_parser = profile_name)]
    pub profile: Option<crate::key::Profile>,

    /// More log output (-v info, -vv debug); logs never go to stdout
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// No colours (also when NO_COLOR is set)
    #[arg(long, global = true)]
    pub no_color: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// `--profile` / `THREEMINAPI_PROFILE`: a usage error (exit 2, nothing touched) when malformed.
fn profile_name(text: &str) -> Result<crate::key::Profile, String> {
    crate::key::Profile::parse(text)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Store, check or remove the MCP key (kept in the OS keychain)
    Auth {
        #[command(subcommand)]
        command: AuthCommand,
    },
    /// The MCP server side: what MCP clients launch
    Mcp {
        #[command(subcommand)]
        command: McpCommand,
    },
    /// Add, remove or inspect our entry in an AI client's MCP config file
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Find what is wrong with this setup (key, keychain, network, server, client configs) and say how to fix it
    Doctor(DoctorArgs),
    /// List the server's tools or call one, through the bridge's own client
    Tools {
        #[command(subcommand)]
        command: ToolsCommand,
    },
    /// Show what the bridges logged (serve.log): sessions, refused keys, lost connections, exits
    Logs(LogsArgs),
    /// Print the shell completion script (also committed in completions/)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// How many of the last entries to show
    #[arg(short = 'n', long = "lines", value_name = "N", default_value_t = 20)]
    pub lines: usize,
    /// Then keep printing new entries as bridges write them, until interrupted
    #[arg(short, long)]
    pub follow: bool,
    /// One JSON object per line: {"time", "pid", "level", "message"}
    #[arg(long)]
    pub json: bool,
    /// Read this log instead of serve.log (a file `mcp serve --log-file` wrote)
    #[arg(long, value_name = "PATH")]
    pub file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Machine-readable output (documented in the README)
    #[arg(long)]
    pub json: bool,
    /// Skip the network and the server
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Subcommand)]
pub enum ToolsCommand {
    /// The server's tools with their one-line descriptions
    List(ToolsListArgs),
    /// Call one tool and print its result
    Call(ToolsCallArgs),
}

#[derive(Debug, Args)]
pub struct ToolsListArgs {
    /// The raw tools/list result (every page merged) as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ToolsCallArgs {
    /// The tool's name (see `3minapi tools list`)
    pub tool: String,
    /// The arguments: a JSON object, @FILE to read it from a file, or - to read it from stdin
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub args: Option<String>,
    /// Print structured content (or the whole result) as JSON
    #[arg(long)]
    pub json: bool,
    /// Give up after this many seconds
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Add our entry to a client's config file, or bring it up to date (the rest of the file is kept as it is)
    Install(InstallArgs),
    /// Remove our entry from a client's config file, and nothing else
    Uninstall(UninstallArgs),
    /// Print the entry `install` would write (the key masked), touching nothing
    Print(PrintArgs),
    /// Every client's config files and whether our entry is there and current
    List(ListArgs),
    /// Put the key in use into every --direct entry that holds an older one (after a new key)
    Refresh(RefreshArgs),
}

#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// Say which files would change, and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Which client, which of its files, and our entry's name in it.
#[derive(Debug, Args)]
pub struct EntryRef {
    /// The client whose config file to change
    #[arg(value_enum)]
    pub client: Option<ClientId>,
    /// Which of the client's files: project (in the current directory, the default where the client has one) or user
    #[arg(long, value_enum)]
    pub scope: Option<Scope>,
    /// The server's name in the file [default: 3minapi, or 3minapi-<profile>]
    #[arg(long, value_parser = server_name)]
    pub name: Option<String>,
}

impl EntryRef {
    /// `--name`, else the profile's entry name.
    pub fn entry_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| crate::key::profile::current().entry_name())
    }
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    #[command(flatten)]
    pub entry: EntryRef,
    /// Write to this file instead of the client's own (same shape)
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Every client found on this machine (its program on PATH or its folder present), user scope unless --scope says otherwise
    #[arg(long, conflicts_with_all = ["client", "file"])]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct EntryArgs {
    /// Name this binary by its absolute path, also in project files
    #[arg(long)]
    pub absolute_path: bool,
    /// Connect the client to the hosted server directly, with the key written into the file (0600)
    #[arg(long)]
    pub direct: bool,
    /// With --direct: the client reads the key from THREEMINAPI_MCP_KEY instead of the file holding it
    #[arg(long, requires = "direct")]
    pub from_env: bool,
    /// With --direct, for Claude Code: it asks `3minapi auth header` for the key before connecting (headersHelper); no key in the file, no bridge
    #[arg(long, requires = "direct", conflicts_with = "from_env")]
    pub key_helper: bool,
    /// Bridge flags written into the entry's args
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub entry: EntryArgs,
    /// Print the change as a unified diff and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// With --direct --scope project: write the key into a file git does not ignore
    #[arg(long, requires = "direct")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Print the change as a unified diff and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct PrintArgs {
    #[command(flatten)]
    pub target: EntryRef,
    #[command(flatten)]
    pub entry: EntryArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The server's name to look for [default: 3minapi, or 3minapi-<profile>]
    #[arg(long, value_parser = server_name)]
    pub name: Option<String>,
    /// Machine-readable output (documented in the README)
    #[arg(long)]
    pub json: bool,
}

/// The catalogue's clients as the command line names them (`claude-code`, `cursor`, …).
impl ValueEnum for ClientId {
    fn value_variants<'a>() -> &'a [Self] {
        &ClientId::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.id()))
    }
}

impl ValueEnum for Scope {
    fn value_variants<'a>() -> &'a [Self] {
        &[Scope::Project, Scope::User]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Scope::Project => {
                "A file in the current directory, usually committed and shared with a team"
            }
            Scope::User => "A file in your home or config directory, for every project",
        };
        Some(PossibleValue::new(self.id()).help(help))
    }
}

fn server_name(s: &str) -> Result<String, String> {
    if s.trim().is_empty() || s.chars().any(char::is_control) {
        return Err("a server name must be non-empty text without control characters".into());
    }
    Ok(s.to_owned())
}

#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// Run the stdio bridge to the hosted MCP server (launched by Claude Code, Cursor, Codex…)
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Append logs to this file instead of stderr
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// Which tools the bridge lets through (DESIGN §3 "Tool filtering").
#[derive(Debug, Args, Default, Clone)]
pub struct FilterArgs {
    /// Refuse every write action (endpoints create/update/deploy, collaborators create_key/update_permissions/invite, api_call other than GET) and unknown tools not marked read-only
    #[arg(long)]
    pub read_only: bool,
    /// Let only these through: a tool (endpoints) or one action (endpoints.list); repeatable
    #[arg(long = "allow-tool", value_name = "TOOL[.ACTION]", value_parser = Rule::parse)]
    pub allow_tool: Vec<Rule>,
    /// Refuse this tool or tool.action (endpoints.deploy); repeatable; wins over --allow-tool
    #[arg(long = "deny-tool", value_name = "TOOL[.ACTION]", value_parser = Rule::parse)]
    pub deny_tool: Vec<Rule>,
}

impl FilterArgs {
    /// The flags as `mcp serve` arguments, for config entries.
    pub fn to_args(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.read_only {
            out.push("--read-only".to_owned());
        }
        for (flag, rules) in [
            ("--allow-tool", &self.allow_tool),
            ("--deny-tool", &self.deny_tool),
        ] {
            for r in rules {
                out.push(flag.to_owned());
                out.push(match &r.action {
                    Some(a) => format!("{}.{a}", r.tool),
                    None => r.tool.clone(),
                });
            }
        }
        out
    }
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Store the tm_mcp_ key in the OS keychain (prompted, hidden)
    Login(LoginArgs),
    /// Show the key in use (masked), where it comes from, and whether the server accepts it
    Status(StatusArgs),
    /// Remove the stored key of this profile (keychain and plain file)
    Logout,
    /// List the profiles and their stored keys (masked)
    List(AuthListArgs),
    /// Print {"x-api-key": KEY} for a client's headers helper (never on a terminal)
    Header,
}

#[derive(Debug, Args)]
pub struct AuthListArgs {
    /// Machine-readable output (documented in the README)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Read the key from one line of stdin instead of prompting (for scripts; never pass it in argv)
    #[arg(long)]
    pub with_key: bool,
    /// Store without asking the server whether it accepts the key
    #[arg(long)]
    pub no_verify: bool,
    /// No keychain here: store the key in a plain file (mode 0600) under the config directory
    #[arg(long)]
    pub insecure_storage: bool,
    /// Then put the new key into every --direct entry holding an older one (`config refresh`)
    #[arg(long)]
    pub update_configs: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Machine-readable output (documented in the README)
    #[arg(long)]
    pub json: bool,
    /// Do not ask the server
    #[arg(long)]
    pub offline: bool,
}

impl ListArgs {
    /// `--name`, else the profile's entry name.
    pub fn entry_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| crate::key::profile::current().entry_name())
    }
}
