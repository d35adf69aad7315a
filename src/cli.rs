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
