//! Our entry in each client's own shape: the stdio bridge, the hosted server with the key in the
//! file, or with the key read from `THREEMINAPI_MCP_KEY` by the client. Each shape follows the
//! client's documentation, cited in `tests/fixtures/config/<client>.json`.

use super::catalogue::{
    CODEX_ENV_VARS, CODEX_STARTUP_TIMEOUT_SEC, CODEX_TOOL_TIMEOUT_SEC, ClientId, Fields, Form,
};
use serde_json::{Value, json};

/// Goose stops waiting for an extension after this many seconds (its own default).
const GOOSE_TIMEOUT_SEC: u64 = 300;

/// The variable `--from-env` entries name.
const KEY_VAR: &str = "THREEMINAPI_MCP_KEY";

impl ClientId {
    /// The fields of our entry, in the client's own shape. `Err` says why a form is not possible.
    pub fn fields(self, form: &Form) -> Result<Fields, String> {
        let mut f: Fields = Vec::new();
        match form {
            Form::Bridge { command, args } => self.bridge(&mut f, command, args),
            Form::Direct { url, key } => self.remote(&mut f, url, key)?,
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
                let reference = self.env_reference()?;
                self.remote(&mut f, url, &reference)?;
                match self {
                    // Codex names the variable instead of expanding a reference.
                    ClientId::Codex => {
                        f.retain(|(k, _)| *k != "http_headers");
                        f.insert(1, ("env_http_headers", json!({ "x-api-key": KEY_VAR })));
                    }
                    // Goose expands only the variables an extension lists.
                    ClientId::Goose => f.insert(3, ("env_keys", json!([KEY_VAR]))),
                    _ => {}
                }
            }
        }
        match self {
            ClientId::Codex => {
                f.push(("startup_timeout_sec", json!(CODEX_STARTUP_TIMEOUT_SEC)));
                f.push(("tool_timeout_sec", json!(CODEX_TOOL_TIMEOUT_SEC)));
            }
            ClientId::Goose => f.push(("timeout", json!(GOOSE_TIMEOUT_SEC))),
            // Copilot CLI lists the tools a server may offer; every one of ours.
            ClientId::Copilot => f.push(("tools", json!(["*"]))),
            _ => {}
        }
        Ok(f)
    }

    fn bridge(self, f: &mut Fields, command: &str, args: &[String]) {
        match self {
            ClientId::ClaudeCode | ClientId::Vscode | ClientId::Crush => {
                f.push(("type", json!("stdio")));
            }
            ClientId::Copilot => f.push(("type", json!("local"))),
            ClientId::Goose => {
                f.push(("type", json!("stdio")));
                f.push(("enabled", json!(true)));
                f.push(("cmd", json!(command)));
                f.push(("args", json!(args)));
                return;
            }
            ClientId::Continue => f.push(("type", json!("stdio"))),
            ClientId::OpenCode => {
                let mut line = vec![command.to_owned()];
                line.extend(args.iter().cloned());
                f.push(("type", json!("local")));
                f.push(("command", json!(line)));
                f.push(("enabled", json!(true)));
                return;
            }
            _ => {}
        }
        f.push(("command", json!(command)));
        f.push(("args", json!(args)));
        if self == ClientId::Codex {
            f.push(("env_vars", json!(CODEX_ENV_VARS)));
        }
    }

    /// How the client writes a reference to `THREEMINAPI_MCP_KEY` in a header value.
    fn env_reference(self) -> Result<String, String> {
        Ok(match self {
            ClientId::ClaudeCode
            | ClientId::Gemini
            | ClientId::Copilot
            | ClientId::Goose
            | ClientId::Kiro
            | ClientId::Qwen
            | ClientId::Amp
            | ClientId::Factory => format!("${{{KEY_VAR}}}"),
            ClientId::Cursor | ClientId::Windsurf | ClientId::Roo => format!("${{env:{KEY_VAR}}}"),
            ClientId::OpenCode => format!("{{env:{KEY_VAR}}}"),
            ClientId::Crush => format!("${KEY_VAR}"),
            ClientId::Codex => KEY_VAR.to_owned(),
            ClientId::Continue => {
                return Err(
                    "Continue fills ${{ secrets.… }} from .env files, not from your environment; use the bridge form (without --direct), or --direct without --from-env".into(),
                );
            }
            ClientId::Vscode
            | ClientId::ClaudeDesktop
            | ClientId::Zed
            | ClientId::Cline
            | ClientId::LmStudio => {
                return Err(format!(
                    "{} does not document reading an environment variable into a header; use the bridge form (without --direct), or --direct without --from-env",
                    self.title()
                ));
            }
        })
    }

    fn remote(self, f: &mut Fields, url: &str, key: &str) -> Result<(), String> {
        let headers = json!({ "x-api-key": key });
        let typed = |f: &mut Fields, kind: &str| {
            f.push(("type", json!(kind)));
            f.push(("url", json!(url)));
        };
        match self {
            ClientId::ClaudeCode
            | ClientId::Vscode
            | ClientId::Copilot
            | ClientId::Crush
            | ClientId::Factory => typed(f, "http"),
            ClientId::Cline => typed(f, "streamableHttp"),
            ClientId::Roo | ClientId::Continue => typed(f, "streamable-http"),
            ClientId::OpenCode => {
                typed(f, "remote");
                f.push(("enabled", json!(true)));
                // An API-key server: a 401 must not start OpenCode's OAuth flow.
                f.push(("oauth", json!(false)));
            }
            ClientId::Goose => {
                f.push(("type", json!("streamable_http")));
                f.push(("enabled", json!(true)));
                f.push(("uri", json!(url)));
            }
            ClientId::Cursor
            | ClientId::Zed
            | ClientId::Kiro
            | ClientId::Amp
            | ClientId::LmStudio => f.push(("url", json!(url))),
            ClientId::Windsurf => f.push(("serverUrl", json!(url))),
            ClientId::Gemini | ClientId::Qwen => f.push(("httpUrl", json!(url))),
            ClientId::Codex => {
                f.push(("url", json!(url)));
                f.push(("http_headers", headers));
                return Ok(());
            }
            ClientId::ClaudeDesktop => {
                return Err(
                    "Claude Desktop ignores url entries in claude_desktop_config.json (remote servers are added under Settings → Connectors); use the bridge form (without --direct)".into(),
                );
            }
        }
        if self == ClientId::Continue {
            f.push(("requestOptions", json!({ "headers": headers })));
        } else {
            f.push(("headers", headers));
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
}

/// An entry in one common shape, whatever the client calls its parts: `command` a string and
/// `args` a list (OpenCode's one `command` list, Goose's `cmd`), `headers` at the top (Continue's
/// `requestOptions.headers`). For reading entries (`config list`, `doctor`, `auth status`).
pub fn canonical(entry: &Value) -> Value {
    let mut e = entry.clone();
    let Some(obj) = e.as_object_mut() else {
        return e;
    };
    if let Some(Value::Array(line)) = obj.get("command").cloned() {
        let mut parts = line.into_iter();
        obj.insert("command".into(), parts.next().unwrap_or(Value::Null));
        obj.insert("args".into(), Value::Array(parts.collect()));
    }
    if !obj.contains_key("command")
        && let Some(cmd) = obj.get("cmd").cloned()
    {
        obj.insert("command".into(), cmd);
    }
    if !obj.contains_key("headers")
        && let Some(headers) = obj
            .get("requestOptions")
            .and_then(|r| r.get("headers"))
            .cloned()
    {
        obj.insert("headers".into(), headers);
    }
    e
}
