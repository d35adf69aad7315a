//! Whether a client is on this machine (`config install --all`), and what the user must do after
//! its file changed so that it reads our entry.

use super::catalogue::{ClientId, Places, Scope, goose_dir, lmstudio_home, vscode_storage};
use super::fsx;
use std::path::PathBuf;

impl ClientId {
    /// The executables that mean the client is installed (any one on PATH is enough).
    pub fn executables(self) -> &'static [&'static str] {
        match self {
            ClientId::ClaudeCode => &["claude"],
            ClientId::Cursor => &["cursor"],
            ClientId::Vscode => &["code"],
            ClientId::Windsurf => &["windsurf"],
            ClientId::ClaudeDesktop => &[],
            ClientId::Codex => &["codex"],
            ClientId::Gemini => &["gemini"],
            ClientId::OpenCode => &["opencode"],
            ClientId::Copilot => &["copilot"],
            ClientId::Zed => &["zed", "zeditor"],
            // `goose` on PATH is as often the database migration tool: its folder decides.
            ClientId::Goose => &[],
            ClientId::Cline => &["cline"],
            ClientId::Roo => &[],
            ClientId::Continue => &["cn"],
            ClientId::Kiro => &["kiro", "kiro-cli"],
            ClientId::Qwen => &["qwen"],
            ClientId::Amp => &["amp"],
            ClientId::Crush => &["crush"],
            ClientId::LmStudio => &["lms"],
            ClientId::Factory => &["droid"],
        }
    }

    /// The folders that mean the client has been used here (any one existing is enough).
    pub fn folders(self, p: &Places) -> Vec<PathBuf> {
        let user_dir = || {
            self.path(Scope::User, p)
                .and_then(|f| f.parent().map(PathBuf::from))
        };
        match self {
            ClientId::ClaudeCode => vec![p.home.join(".claude")],
            ClientId::Cursor => vec![p.home.join(".cursor")],
            ClientId::Vscode => vec![p.config_dir.join("Code")],
            ClientId::Windsurf => vec![p.home.join(".codeium").join("windsurf")],
            ClientId::Codex | ClientId::ClaudeDesktop | ClientId::Gemini | ClientId::Copilot => {
                user_dir().into_iter().collect()
            }
            ClientId::OpenCode => vec![p.xdg_config.join("opencode")],
            ClientId::Zed => user_dir().into_iter().collect(),
            ClientId::Goose => vec![goose_dir(p)],
            ClientId::Cline => vec![p.home.join(".cline")],
            ClientId::Roo => vec![vscode_storage(p).join("rooveterinaryinc.roo-cline")],
            ClientId::Continue => vec![p.var_or("CONTINUE_GLOBAL_DIR", p.home.join(".continue"))],
            ClientId::Kiro => vec![p.home.join(".kiro")],
            ClientId::Qwen => vec![p.var_or("QWEN_HOME", p.home.join(".qwen"))],
            ClientId::Amp => vec![p.xdg_config.join("amp")],
            ClientId::Crush => vec![p.xdg_config.join("crush")],
            ClientId::LmStudio => vec![lmstudio_home(p)],
            ClientId::Factory => vec![p.home.join(".factory")],
        }
    }

    /// Why we take the client to be installed here, or `None`: its executable on PATH, or one
    /// of its folders existing. Nothing else (a project file, a running process) counts.
    pub fn detect(self, p: &Places) -> Option<String> {
        for exe in self.executables() {
            if let Some(found) = fsx::on_path(exe) {
                return Some(format!("{} is on PATH", found.display()));
            }
        }
        self.folders(p)
            .into_iter()
            .find(|d| d.is_dir())
            .map(|d| format!("{} exists", d.display()))
    }

    /// What to do after the file changed, so the client picks the change up.
    pub fn next_steps(self, scope: Scope) -> Vec<String> {
        let mut steps = Vec::new();
        let step = match self {
            ClientId::ClaudeCode => {
                steps.push(
                    "restart Claude Code: quit every running `claude` session and start it again"
                        .into(),
                );
                if scope == Scope::Project {
                    steps.push("Claude Code asks you to approve this project's MCP servers the next time it starts here: accept 3minapi".into());
                }
                return steps;
            }
            ClientId::Cursor => {
                "fully quit Cursor and start it again (or toggle the server under Settings → MCP)"
            }
            ClientId::Vscode => {
                "restart VS Code, or run \"MCP: List Servers\" and start the server"
            }
            ClientId::Windsurf => {
                "fully quit Windsurf and start it again (or press refresh in Cascade's MCP panel)"
            }
            ClientId::ClaudeDesktop => {
                "fully quit Claude Desktop (from the menu bar or tray, not only its window) and start it again"
            }
            ClientId::Codex => "start a new Codex session: running ones keep the old configuration",
            ClientId::Gemini => "restart Gemini CLI (or run /mcp refresh in a running session)",
            ClientId::OpenCode => "restart OpenCode: it reads its config when it starts",
            ClientId::Copilot => {
                "run /mcp reload in a running Copilot CLI session, or start a new one"
            }
            ClientId::Zed => {
                "nothing: Zed picks the change up while it runs (check the Agent panel's server list)"
            }
            ClientId::Goose => "start a new Goose session: running ones keep their extensions",
            ClientId::Cline => "nothing: Cline watches its file (check the MCP Servers view)",
            ClientId::Roo => "nothing: Roo Code watches its files (check the MCP Servers view)",
            ClientId::Continue => {
                "reload the IDE window (Developer: Reload Window) so Continue reads it; MCP tools work in agent mode"
            }
            ClientId::Kiro => {
                "check Kiro's MCP Servers panel (the IDE reads the file when saved); in kiro-cli start a new chat"
            }
            ClientId::Qwen => "restart Qwen Code in this project",
            ClientId::Amp => "nothing: Amp watches its settings and reconnects",
            ClientId::Crush => "restart Crush",
            ClientId::LmStudio => "restart LM Studio (or open Program → Edit mcp.json and save)",
            ClientId::Factory => "nothing: droid reloads when its mcp.json changes",
        };
        steps.push(step.to_owned());
        if self == ClientId::Amp && scope == Scope::Project {
            steps.push(
                "Amp asks you to trust a project's servers the first time: approve 3minapi".into(),
            );
        }
        steps
    }
}
