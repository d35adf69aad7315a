//! The AI clients we write entries for: the catalogue (where each client keeps its MCP servers and
//! in which shape), the JSON/JSONC/TOML editors that change one entry and nothing else, and safe
//! file I/O (atomic writes, backups, modes). Must not use `commands`, `cli` or `bridge`: printing,
//! prompting and exit codes belong to the commands that call it.

mod catalogue;
mod doc;
pub mod fsx;
mod presence;
mod refresh;
mod shapes;
mod splice;
mod survey;
mod table;
mod textform;
mod yaml;

pub use catalogue::{ClientId, Fields, Form, Format, Places, Scope};
pub use doc::{Doc, Malformed};
pub use fsx::on_path as first_on_path;
pub use refresh::{Refresh, refresh};
pub use shapes::canonical;
pub use survey::{
    EntryKind, FileReport, State, assess, current_key, holds_secret, literal_key, mask_entry_keys,
    masked, survey,
};
pub use table::readme_table;

/// What every subcommand needs to know about this machine and invocation.
pub struct Ctx {
    pub places: Places,
    /// The upstream URL in use (for `--direct` entries).
    pub url: String,
    /// `--url` as given on the command line: written into bridge entries so they reach the same server.
    pub url_flag: Option<String>,
    /// `--ca-file` as given on the command line (made absolute): written into bridge entries too.
    pub ca_file_flag: Option<std::path::PathBuf>,
}

impl Ctx {
    /// This machine's files, for reading entries or refreshing keys (no flags to write).
    pub fn reading(url: &str) -> anyhow::Result<Ctx> {
        Ok(Ctx {
            places: Places::from_env()?,
            url: url.to_owned(),
            url_flag: None,
            ca_file_flag: None,
        })
    }
}
