//! 3minapi: the local side of 3Min API. `main.rs` only hands the arguments to [`run`].
//!
//! The rooms (DESIGN §13), highest first; each uses only the rooms below it:
//! `cli` (the command line) → `commands` (one file per command group) → `bridge` (`mcp serve`'s
//! stdio side) → `upstream` (the Streamable HTTP client) → `jsonrpc`; beside them `key` and
//! `clients`, and the leaves `output` and `log`. `tests/layout.rs` checks the rules.

pub mod bridge;
pub mod cli;
pub mod clients;
pub mod commands;
pub mod jsonrpc;
pub mod key;
pub mod log;
pub mod output;
pub mod upstream;

use clap::Parser;
use commands::Exit;
use std::ffi::OsString;
use std::process::ExitCode;

/// Parses the arguments and runs the command; errors become `error:`/`hint:` lines and exit codes.
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
    match commands::run(cli) {
        Ok(exit) => exit.into(),
        Err(e) if e.is::<commands::Interrupted>() => Exit::Interrupted.into(),
        Err(e) => {
            output::print_error(&e);
            Exit::Failure.into()
        }
    }
}
