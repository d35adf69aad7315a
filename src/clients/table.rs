//! The README's client table, made from the catalogue itself (files, variables that move them,
//! format, the `--from-env` reference, the next step), so the two cannot drift: `tests/readme.rs`
//! compares them.

use super::catalogue::{ClientId, Form, Format, Places, Scope};
use std::collections::BTreeMap;
use std::path::PathBuf;

impl ClientId {
    /// The variables that move this client's user file, as `path` reads them.
    pub fn place_vars(self) -> &'static [&'static str] {
        match self {
            ClientId::ClaudeCode => &["CLAUDE_CONFIG_DIR"],
            ClientId::Codex => &["CODEX_HOME"],
            ClientId::OpenCode | ClientId::Zed => &["XDG_CONFIG_HOME"],
            ClientId::Copilot => &["COPILOT_HOME"],
            ClientId::Goose => &["GOOSE_PATH_ROOT", "XDG_CONFIG_HOME"],
            ClientId::Cline => &["CLINE_MCP_SETTINGS_PATH", "CLINE_DATA_DIR", "CLINE_DIR"],
            ClientId::Continue => &["CONTINUE_GLOBAL_DIR"],
            ClientId::Qwen => &["QWEN_HOME"],
            ClientId::Amp => &["AMP_SETTINGS_FILE", "XDG_CONFIG_HOME"],
            ClientId::Crush => &["CRUSH_GLOBAL_CONFIG", "XDG_CONFIG_HOME"],
            _ => &[],
        }
    }
}

/// Places written the way the README names them: `~`, `<config>`, `.`.
fn shown_places() -> Places {
    Places {
        home: PathBuf::from("~"),
        config_dir: PathBuf::from("<config>"),
        local_data_dir: PathBuf::from("<local>"),
        cwd: PathBuf::from("."),
        xdg_config: PathBuf::from("~/.config"),
        vars: BTreeMap::new(),
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Json => "JSON",
        Format::Jsonc => "JSONC",
        Format::JsonComments => "JSON + comments",
        Format::Toml => "TOML",
        Format::Yaml | Format::YamlList => "YAML",
    }
}

/// The Markdown table of every client, one row each.
pub fn readme_table() -> String {
    let p = shown_places();
    let mut out = String::from(
        "| client | `--scope project` | `--scope user` | format | `--direct --from-env` | after a change |\n|---|---|---|---|---|---|\n",
    );
    for client in ClientId::ALL {
        let file = |scope| {
            client
                .path(scope, &p)
                .map_or("–".to_owned(), |f| format!("`{}`", f.display()))
        };
        let mut user = file(Scope::User);
        let vars = client.place_vars();
        if !vars.is_empty() {
            let vars: Vec<String> = vars.iter().map(|v| format!("`${v}`")).collect();
            user.push_str(&format!(" (moved by {})", vars.join(", ")));
        }
        let reference = client
            .fields(&Form::DirectFromEnv { url: String::new() })
            .ok()
            .and_then(|f| {
                f.iter().find_map(|(k, v)| {
                    let h = if *k == "requestOptions" {
                        &v["headers"]
                    } else {
                        v
                    };
                    k.contains("headers")
                        .then(|| h["x-api-key"].as_str().map(str::to_owned))
                        .flatten()
                })
            })
            .map_or("–".to_owned(), |r| format!("`{r}`"));
        out.push_str(&format!(
            "| `{}` ({}) | {} | {} | {} | {} | {} |\n",
            client.id(),
            client.title(),
            file(Scope::Project),
            user,
            format_name(client.format()),
            reference,
            client
                .next_steps(Scope::User)
                .join("; ")
                .replace('|', "\\|"),
        ));
    }
    out
}
