//! The command line, in one place (DESIGN §2). Commands arrive with the issues that build them.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "3minapi",
    version,
    about = "Connect AI coding tools to 3Min API without putting the MCP key in their config files",
    propagate_version = true
)]
pub struct Cli {
    /// MCP server URL [env: THREEMINAPI_URL] [default: https://3minapi.com/api/mcp]
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,

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
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Store the tm_mcp_ key in the OS keychain (prompted, hidden)
    Login(LoginArgs),
    /// Show the key in use (masked), where it comes from, and whether the server accepts it
    Status(StatusArgs),
    /// Remove the stored key (keychain and plain file)
    Logout,
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
