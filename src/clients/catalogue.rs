//! The seven clients we write entries for: where their files live, which shape each entry takes
//! (DESIGN §4), and what the user must do after a change. The shapes follow each client's own
//! documentation; `tests/fixtures/config/` pins them with the citations.

use serde_json::{Value, json};
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
    Toml,
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
    pub codex_home: Option<PathBuf>,
    pub claude_config_dir: Option<PathBuf>,
}

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
        Ok(Places {
            home: dirs.home_dir().to_owned(),
            config_dir: dirs.config_dir().to_owned(),
            local_data_dir: dirs.data_local_dir().to_owned(),
            cwd: std::env::current_dir().map_err(|e| {
                anyhow::anyhow!("cannot read the current directory: {e}\nhint: cd into your project and run this again")
            })?,
            codex_home: var("CODEX_HOME"),
            claude_config_dir: var("CLAUDE_CONFIG_DIR"),
        })
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
    pub const ALL: [ClientId; 7] = [
        ClientId::ClaudeCode,
        ClientId::Cursor,
        ClientId::Vscode,
        ClientId::Windsurf,
        ClientId::ClaudeDesktop,
        ClientId::Codex,
        ClientId::Gemini,
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
        }
    }

    pub fn has_project_scope(self) -> bool {
        matches!(
            self,
            ClientId::ClaudeCode | ClientId::Cursor | ClientId::Vscode | ClientId::Gemini
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
            ClientId::Vscode => Format::Jsonc,
            ClientId::Codex => Format::Toml,
            _ => Format::Json,
        }
    }

    /// The top-level table that holds the servers.
    pub fn servers_key(self) -> &'static str {
        match self {
            ClientId::Vscode => "servers",
            ClientId::Codex => "mcp_servers",
            _ => "mcpServers",
        }
    }

    /// The file of a scope. `None` when the client has no such scope.
    pub fn path(self, scope: Scope, p: &Places) -> Option<PathBuf> {
        let project = |rel: &str| Some(p.cwd.join(rel));
        match (self, scope) {
            (ClientId::ClaudeCode, Scope::Project) => project(".mcp.json"),
            (ClientId::ClaudeCode, Scope::User) => Some(
                p.claude_config_dir
                    .clone()
                    .unwrap_or_else(|| p.home.clone())
                    .join(".claude.json"),
            ),
            (ClientId::Cursor, Scope::Project) => project(".cursor/mcp.json"),
            (ClientId::Cursor, Scope::User) => Some(p.home.join(".cursor").join("mcp.json")),
            (ClientId::Vscode, Scope::Project) => project(".vscode/mcp.json"),
            (ClientId::Vscode, Scope::User) => {
                Some(p.config_dir.join("Code").join("User").join("mcp.json"))
            }
            (ClientId::Windsurf, Scope::User) => Some(
                p.home
                    .join(".codeium")
                    .join("windsurf")
                    .join("mcp_config.json"),
            ),
            (ClientId::ClaudeDesktop, Scope::User) => {
                Some(claude_desktop_dir(p).join("claude_desktop_config.json"))
            }
            (ClientId::Codex, Scope::User) => Some(
                p.codex_home
                    .clone()
                    .unwrap_or_else(|| p.home.join(".codex"))
                    .join("config.toml"),
            ),
            (ClientId::Gemini, Scope::Project) => project(".gemini/settings.json"),
            (ClientId::Gemini, Scope::User) => Some(p.home.join(".gemini").join("settings.json")),
            (_, Scope::Project) => None,
        }
    }

    /// The fields of our entry, in the client's own shape. `Err` says why a form is not possible.
    pub fn fields(self, form: &Form) -> Result<Fields, String> {
        let mut f: Fields = Vec::new();
        match form {
            Form::Bridge { command, args } => {
                if matches!(self, ClientId::ClaudeCode | ClientId::Vscode) {
                    f.push(("type", json!("stdio")));
                }
                f.push(("command", json!(command)));
                f.push(("args", json!(args)));
                if self == ClientId::Codex {
                    f.push(("env_vars", json!(CODEX_ENV_VARS)));
                }
            }
            Form::Direct { url, key } => {
                self.remote(&mut f, url, key)?;
            }
            Form::DirectHelper { url, helper } => {
                if self != ClientId::ClaudeCode {
                    return Err(format!(
                        "--key-helper writes Claude Code's headersHelper, which {} does not have; use the bridge form (without --direct)",
                        self.title()
                    ));
                }
                f.push(("type", json!("http")));
                f.push(("url", json!(url)));
                f.push(("headersHelper", json!(helper)));
            }
            Form::DirectFromEnv { url } => {
                let reference = match self {
                    ClientId::ClaudeCode | ClientId::Gemini => "${THREEMINAPI_MCP_KEY}",
                    ClientId::Cursor | ClientId::Windsurf => "${env:THREEMINAPI_MCP_KEY}",
                    ClientId::Codex => "THREEMINAPI_MCP_KEY",
                    ClientId::Vscode | ClientId::ClaudeDesktop => {
                        return Err(format!(
                            "{} does not document reading an environment variable into a header; use the bridge form (without --direct), or --direct without --from-env",
                            self.title()
                        ));
                    }
                };
                self.remote(&mut f, url, reference)?;
                if self == ClientId::Codex {
                    // Codex names the variable instead of expanding a reference.
                    f.retain(|(k, _)| *k != "http_headers");
                    f.insert(1, ("env_http_headers", json!({ "x-api-key": reference })));
                }
            }
        }
        if self == ClientId::Codex {
            f.push(("startup_timeout_sec", json!(CODEX_STARTUP_TIMEOUT_SEC)));
            f.push(("tool_timeout_sec", json!(CODEX_TOOL_TIMEOUT_SEC)));
        }
        Ok(f)
    }

    fn remote(self, f: &mut Fields, url: &str, key: &str) -> Result<(), String> {
        let headers = json!({ "x-api-key": key });
        match self {
            ClientId::ClaudeCode | ClientId::Vscode => {
                f.push(("type", json!("http")));
                f.push(("url", json!(url)));
                f.push(("headers", headers));
            }
            ClientId::Cursor => {
                f.push(("url", json!(url)));
                f.push(("headers", headers));
            }
            ClientId::Windsurf => {
                f.push(("serverUrl", json!(url)));
                f.push(("headers", headers));
            }
            ClientId::Gemini => {
                f.push(("httpUrl", json!(url)));
                f.push(("headers", headers));
            }
            ClientId::Codex => {
                f.push(("url", json!(url)));
                f.push(("http_headers", headers));
            }
            ClientId::ClaudeDesktop => {
                return Err(
                    "Claude Desktop ignores url entries in claude_desktop_config.json (remote servers are added under Settings → Connectors); use the bridge form (without --direct)".into(),
                );
            }
        }
        Ok(())
    }

    /// Every field any form of our entry writes: install removes those the new form does not use,
    /// and keeps everything else a user added (`env`, `disabled`, `autoApprove`, …).
    pub fn owned_fields(self) -> Vec<&'static str> {
        let forms = [
            Form::Bridge {
                command: String::new(),
                args: Vec::new(),
            },
            Form::Direct {
                url: String::new(),
                key: String::new(),
            },
            Form::DirectFromEnv { url: String::new() },
            Form::DirectHelper {
                url: String::new(),
                helper: String::new(),
            },
        ];
        let mut owned: Vec<&'static str> = Vec::new();
        for form in &forms {
            for (k, _) in self.fields(form).unwrap_or_default() {
                if !owned.contains(&k) {
                    owned.push(k);
                }
            }
        }
        owned
    }

    /// What to do after the file changed, so the client picks the change up.
    pub fn next_steps(self, scope: Scope) -> Vec<String> {
        let mut steps = Vec::new();
        match self {
            ClientId::ClaudeCode => {
                steps.push("restart Claude Code: quit every running `claude` session and start it again".into());
                if scope == Scope::Project {
                    steps.push("Claude Code asks you to approve this project's MCP servers the next time it starts here: accept 3minapi".into());
                }
            }
            ClientId::Cursor => steps.push("fully quit Cursor and start it again (or toggle the server under Settings → MCP)".into()),
            ClientId::Vscode => steps.push("restart VS Code, or run \"MCP: List Servers\" and start the server".into()),
            ClientId::Windsurf => steps.push("fully quit Windsurf and start it again (or press refresh in Cascade's MCP panel)".into()),
            ClientId::ClaudeDesktop => steps.push("fully quit Claude Desktop (from the menu bar or tray, not only its window) and start it again".into()),
            ClientId::Codex => steps.push("start a new Codex session: running ones keep the old configuration".into()),
            ClientId::Gemini => steps.push("restart Gemini CLI (or run /mcp refresh in a running session)".into()),
        }
        steps
    }
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
