//! The twenty clients we write entries for and where their files live (DESIGN §4, §11). The
//! entry shapes are in `shapes`, detection and next steps in `presence`; each client's own
//! documentation is cited in `tests/fixtures/config/`, which pins them.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientId {
    ClaudeCode,
    Cursor,
    Vscode,
    Windsurf,
    ClaudeDesktop,
    Codex,
    Gemini,
    OpenCode,
    Copilot,
    Zed,
    Goose,
    Cline,
    Roo,
    Continue,
    Kiro,
    Qwen,
    Amp,
    Crush,
    LmStudio,
    Factory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A file in the current directory, usually committed and shared with a team
    Project,
    /// A file in your home or config directory, for every project
    User,
}

impl Scope {
    pub fn id(self) -> &'static str {
        match self {
            Scope::Project => "project",
            Scope::User => "user",
        }
    }
}

/// How a file is parsed and edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Strict JSON: what the client's own `JSON.parse` accepts, nothing more.
    Json,
    /// JSON with comments and trailing commas (VS Code).
    Jsonc,
    /// JSON with comments but no trailing commas (Qwen Code strips comments, then `JSON.parse`).
    JsonComments,
    Toml,
    /// YAML whose servers are a mapping by name (Goose).
    Yaml,
    /// YAML whose servers are a list of entries with a `name` (Continue).
    YamlList,
}

/// Where the per-user files live. Taken from the environment once, so tests can point it anywhere.
#[derive(Debug, Clone)]
pub struct Places {
    pub home: PathBuf,
    /// `~/.config` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on Windows.
    pub config_dir: PathBuf,
    /// `%LOCALAPPDATA%` on Windows (Claude Desktop's MSIX install lives below it).
    pub local_data_dir: PathBuf,
    pub cwd: PathBuf,
    /// `$XDG_CONFIG_HOME`, else `~/.config`, on every OS: where the Node and Go CLIs look.
    pub xdg_config: PathBuf,
    /// Variables that move a client's files (`CODEX_HOME`, `COPILOT_HOME`, …), when set.
    pub vars: BTreeMap<&'static str, PathBuf>,
}

/// The variables `Places::vars` reads.
const PLACE_VARS: [&str; 12] = [
    "CODEX_HOME",
    "CLAUDE_CONFIG_DIR",
    "COPILOT_HOME",
    "GOOSE_PATH_ROOT",
    "CLINE_MCP_SETTINGS_PATH",
    "CLINE_DATA_DIR",
    "CLINE_DIR",
    "CONTINUE_GLOBAL_DIR",
    "QWEN_HOME",
    "AMP_SETTINGS_FILE",
    "CRUSH_GLOBAL_CONFIG",
    "XDG_CONFIG_HOME",
];

impl Places {
    pub fn from_env() -> anyhow::Result<Places> {
        let dirs = directories::BaseDirs::new().ok_or_else(|| {
            anyhow::anyhow!("cannot find your home directory\nhint: set HOME and run this again")
        })?;
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let vars: BTreeMap<&'static str, PathBuf> = PLACE_VARS
            .iter()
            .filter_map(|name| Some((*name, var(name)?)))
            .filter(|(_, p)| p.is_absolute())
            .collect();
        let home = dirs.home_dir().to_owned();
        Ok(Places {
            xdg_config: vars
                .get("XDG_CONFIG_HOME")
                .cloned()
                .unwrap_or_else(|| home.join(".config")),
            vars,
            home,
            config_dir: dirs.config_dir().to_owned(),
            local_data_dir: dirs.data_local_dir().to_owned(),
            cwd: std::env::current_dir().map_err(|e| {
                anyhow::anyhow!("cannot read the current directory: {e}\nhint: cd into your project and run this again")
            })?,
        })
    }

    /// A variable's directory, else `default`.
    pub fn var_or(&self, name: &str, default: PathBuf) -> PathBuf {
        self.vars.get(name).cloned().unwrap_or(default)
    }
}

/// What the entry launches or points at.
#[derive(Debug, Clone)]
pub enum Form {
    /// `command` + `args`: the stdio bridge, no key.
    Bridge { command: String, args: Vec<String> },
    /// The hosted server with the key in the file.
    Direct { url: String, key: String },
    /// The hosted server with the key read from `THREEMINAPI_MCP_KEY` by the client itself.
    DirectFromEnv { url: String },
    /// The hosted server with the headers printed by `helper` (`<3minapi> auth header`) before
    /// each connection: Claude Code's `headersHelper`. No key in the file, no bridge process.
    DirectHelper { url: String, helper: String },
}

/// An entry as an ordered list of the fields we own, in the order they are written.
pub type Fields = Vec<(&'static str, Value)>;

/// Variables Codex must pass to the bridge (it passes only HOME, LANG, PATH and these): names only.
/// The key and URL, the session bus for the keychain, and what a corporate network needs: the
/// proxies (as reqwest reads them, both cases) and the extra CA certificates.
pub const CODEX_ENV_VARS: [&str; 13] = [
    "THREEMINAPI_MCP_KEY",
    "THREEMINAPI_URL",
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_RUNTIME_DIR",
    "THREEMINAPI_CA_FILE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];
/// Codex's own defaults are 10 s to start and 60 s per call: too short for a keychain unlock
/// prompt, and for archive downloads and log searches.
pub const CODEX_STARTUP_TIMEOUT_SEC: u64 = 40;
pub const CODEX_TOOL_TIMEOUT_SEC: u64 = 600;

impl ClientId {
    pub const ALL: [ClientId; 20] = [
        ClientId::ClaudeCode,
        ClientId::Cursor,
        ClientId::Vscode,
        ClientId::Windsurf,
        ClientId::ClaudeDesktop,
        ClientId::Codex,
        ClientId::Gemini,
        ClientId::OpenCode,
        ClientId::Copilot,
        ClientId::Zed,
        ClientId::Goose,
        ClientId::Cline,
        ClientId::Roo,
        ClientId::Continue,
        ClientId::Kiro,
        ClientId::Qwen,
        ClientId::Amp,
        ClientId::Crush,
        ClientId::LmStudio,
        ClientId::Factory,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ClientId::ClaudeCode => "claude-code",
            ClientId::Cursor => "cursor",
            ClientId::Vscode => "vscode",
            ClientId::Windsurf => "windsurf",
            ClientId::ClaudeDesktop => "claude-desktop",
            ClientId::Codex => "codex",
            ClientId::Gemini => "gemini",
            ClientId::OpenCode => "opencode",
            ClientId::Copilot => "copilot",
            ClientId::Zed => "zed",
            ClientId::Goose => "goose",
            ClientId::Cline => "cline",
            ClientId::Roo => "roo",
            ClientId::Continue => "continue",
            ClientId::Kiro => "kiro",
            ClientId::Qwen => "qwen",
            ClientId::Amp => "amp",
            ClientId::Crush => "crush",
            ClientId::LmStudio => "lmstudio",
            ClientId::Factory => "factory",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ClientId::ClaudeCode => "Claude Code",
            ClientId::Cursor => "Cursor",
            ClientId::Vscode => "VS Code",
            ClientId::Windsurf => "Windsurf",
            ClientId::ClaudeDesktop => "Claude Desktop",
            ClientId::Codex => "Codex",
            ClientId::Gemini => "Gemini CLI",
            ClientId::OpenCode => "OpenCode",
            ClientId::Copilot => "GitHub Copilot CLI",
            ClientId::Zed => "Zed",
            ClientId::Goose => "Goose",
            ClientId::Cline => "Cline",
            ClientId::Roo => "Roo Code",
            ClientId::Continue => "Continue",
            ClientId::Kiro => "Kiro",
            ClientId::Qwen => "Qwen Code",
            ClientId::Amp => "Amp",
            ClientId::Crush => "Crush",
            ClientId::LmStudio => "LM Studio",
            ClientId::Factory => "Factory droid",
        }
    }

    pub fn has_project_scope(self) -> bool {
        !matches!(
            self,
            ClientId::Windsurf
                | ClientId::ClaudeDesktop
                | ClientId::Codex
                | ClientId::Goose
                | ClientId::Cline
                | ClientId::LmStudio
        )
    }

    /// Project where the client has one, else user.
    pub fn default_scope(self) -> Scope {
        if self.has_project_scope() {
            Scope::Project
        } else {
            Scope::User
        }
    }

    pub fn scopes(self) -> &'static [Scope] {
        if self.has_project_scope() {
            &[Scope::Project, Scope::User]
        } else {
            &[Scope::User]
        }
    }

    pub fn format(self) -> Format {
        match self {
            ClientId::Vscode | ClientId::Zed | ClientId::OpenCode => Format::Jsonc,
            ClientId::Qwen | ClientId::Amp => Format::JsonComments,
            ClientId::Codex => Format::Toml,
            ClientId::Goose => Format::Yaml,
            ClientId::Continue => Format::YamlList,
            _ => Format::Json,
        }
    }

    /// The top-level key that holds the servers (Amp's is one key with a dot in it).
    pub fn servers_key(self) -> &'static str {
        match self {
            ClientId::Vscode => "servers",
            ClientId::Codex => "mcp_servers",
            ClientId::OpenCode | ClientId::Crush => "mcp",
            ClientId::Zed => "context_servers",
            ClientId::Goose => "extensions",
            ClientId::Amp => "amp.mcpServers",
            _ => "mcpServers",
        }
    }

    /// What a new file starts as, where the client wants more than our entry in it.
    pub fn seed(self, scope: Scope) -> &'static str {
        match (self, scope) {
            // OpenCode adds its `$schema` to a file without one: written first, it stays put.
            (ClientId::OpenCode, _) => "{\n  \"$schema\": \"https://opencode.ai/config.json\"\n}\n",
            // A block file, or a new config.yaml: Continue wants a name, version and schema.
            (ClientId::Continue, Scope::Project) => "name: 3minapi\nversion: 0.0.1\nschema: v1\n",
            (ClientId::Continue, Scope::User) => "name: Local Config\nversion: 1.0.0\nschema: v1\n",
            _ => "",
        }
    }

    /// The file of a scope. `None` when the client has no such scope.
    pub fn path(self, scope: Scope, p: &Places) -> Option<PathBuf> {
        if scope == Scope::Project {
            return self.project_file().map(|rel| match self {
                ClientId::OpenCode => jsonc_twin(p.cwd.join(rel)),
                _ => p.cwd.join(rel),
            });
        }
        let home = |parts: &[&str]| parts.iter().fold(p.home.clone(), |d, s| d.join(s));
        Some(match self {
            ClientId::ClaudeCode => p
                .var_or("CLAUDE_CONFIG_DIR", p.home.clone())
                .join(".claude.json"),
            ClientId::Cursor => home(&[".cursor", "mcp.json"]),
            ClientId::Vscode => p.config_dir.join("Code").join("User").join("mcp.json"),
            ClientId::Windsurf => home(&[".codeium", "windsurf", "mcp_config.json"]),
            ClientId::ClaudeDesktop => claude_desktop_dir(p).join("claude_desktop_config.json"),
            ClientId::Codex => p
                .var_or("CODEX_HOME", home(&[".codex"]))
                .join("config.toml"),
            ClientId::Gemini => home(&[".gemini", "settings.json"]),
            ClientId::OpenCode => jsonc_twin(p.xdg_config.join("opencode").join("opencode.json")),
            ClientId::Copilot => p
                .var_or("COPILOT_HOME", home(&[".copilot"]))
                .join("mcp-config.json"),
            ClientId::Zed if cfg!(windows) => p.config_dir.join("Zed").join("settings.json"),
            ClientId::Zed => p.xdg_config.join("zed").join("settings.json"),
            ClientId::Goose => goose_dir(p).join("config.yaml"),
            ClientId::Cline => cline_file(p),
            ClientId::Roo => vscode_storage(p)
                .join("rooveterinaryinc.roo-cline")
                .join("settings")
                .join("mcp_settings.json"),
            ClientId::Continue => p
                .var_or("CONTINUE_GLOBAL_DIR", home(&[".continue"]))
                .join("config.yaml"),
            ClientId::Kiro => home(&[".kiro", "settings", "mcp.json"]),
            ClientId::Qwen => p
                .var_or("QWEN_HOME", home(&[".qwen"]))
                .join("settings.json"),
            ClientId::Amp => match p.vars.get("AMP_SETTINGS_FILE") {
                Some(file) => file.clone(),
                None => jsonc_twin(p.xdg_config.join("amp").join("settings.json")),
            },
            ClientId::Crush => p
                .var_or("CRUSH_GLOBAL_CONFIG", p.xdg_config.join("crush"))
                .join("crush.json"),
            ClientId::LmStudio => lmstudio_home(p).join("mcp.json"),
            ClientId::Factory => home(&[".factory", "mcp.json"]),
        })
    }

    /// The project file, relative to the current directory.
    fn project_file(self) -> Option<&'static str> {
        Some(match self {
            ClientId::ClaudeCode => ".mcp.json",
            ClientId::Cursor => ".cursor/mcp.json",
            ClientId::Vscode => ".vscode/mcp.json",
            ClientId::Gemini => ".gemini/settings.json",
            ClientId::OpenCode => "opencode.json",
            // `./.mcp.json` is read too, but it is Claude Code's: this one is Copilot's own.
            ClientId::Copilot => ".github/mcp.json",
            ClientId::Zed => ".zed/settings.json",
            ClientId::Roo => ".roo/mcp.json",
            ClientId::Continue => ".continue/mcpServers/3minapi.yaml",
            ClientId::Kiro => ".kiro/settings/mcp.json",
            ClientId::Qwen => ".qwen/settings.json",
            ClientId::Amp => ".amp/settings.json",
            ClientId::Crush => ".crush.json",
            ClientId::Factory => ".factory/mcp.json",
            _ => return None,
        })
    }
}

/// `name.json`, or `name.jsonc` when only that one exists (OpenCode and Amp read either).
fn jsonc_twin(json: PathBuf) -> PathBuf {
    let jsonc = json.with_extension("jsonc");
    if !json.exists() && jsonc.exists() {
        jsonc
    } else {
        json
    }
}

/// `<VS Code user dir>/globalStorage`, where VS Code extensions keep their files.
pub fn vscode_storage(p: &Places) -> PathBuf {
    p.config_dir.join("Code").join("User").join("globalStorage")
}

/// Goose's config folder: `$GOOSE_PATH_ROOT/config`, `%APPDATA%\Block\goose\config` on Windows,
/// else `~/.config/goose` (on macOS too).
pub fn goose_dir(p: &Places) -> PathBuf {
    if let Some(root) = p.vars.get("GOOSE_PATH_ROOT") {
        return root.join("config");
    }
    if cfg!(windows) {
        return p.config_dir.join("Block").join("goose").join("config");
    }
    p.xdg_config.join("goose")
}

/// Cline 4's one file for the extension, the CLI and JetBrains, and the variables that move it.
fn cline_file(p: &Places) -> PathBuf {
    if let Some(file) = p.vars.get("CLINE_MCP_SETTINGS_PATH") {
        return file.clone();
    }
    let data = match (p.vars.get("CLINE_DATA_DIR"), p.vars.get("CLINE_DIR")) {
        (Some(data), _) => data.clone(),
        (None, Some(dir)) => dir.join("data"),
        (None, None) => p.home.join(".cline").join("data"),
    };
    data.join("settings").join("cline_mcp_settings.json")
}

/// LM Studio's home: the folder `~/.lmstudio-home-pointer` names, else `~/.lmstudio`.
pub fn lmstudio_home(p: &Places) -> PathBuf {
    std::fs::read_to_string(p.home.join(".lmstudio-home-pointer"))
        .ok()
        .map(|s| PathBuf::from(s.trim()))
        .filter(|d| d.is_absolute())
        .unwrap_or_else(|| p.home.join(".lmstudio"))
}

/// Claude Desktop's folder: the documented one per OS; on Windows the MSIX install's folder when
/// that install exists.
fn claude_desktop_dir(p: &Places) -> PathBuf {
    if cfg!(windows) {
        let msix = p
            .local_data_dir
            .join("Packages")
            .join("Claude_pzs8sxrjxfjjc")
            .join("LocalCache")
            .join("Roaming")
            .join("Claude");
        if msix.is_dir() {
            return msix;
        }
    }
    p.config_dir.join("Claude")
}
