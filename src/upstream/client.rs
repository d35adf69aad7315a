//! A small MCP client for the commands that talk to the server themselves (`auth login`
//! verification, `auth status`): it sends its requests through the bridge's own upstream client,
//! so key handling, sessions, both protocol eras and error reporting are the same code path.

use super::modern;
use super::{Out, Outbox};
use super::{RelayError, Route, Upstream};
use crate::jsonrpc;
use crate::key::McpKey;
use bytes::Bytes;
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Which revision a connection ended up speaking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Era {
    /// 2026-07-28 or later, stateless.
    Modern(String),
    /// A session-based revision (the version `initialize` negotiated).
    Legacy(String),
}

impl Era {
    pub fn version(&self) -> &str {
        match self {
            Era::Modern(v) | Era::Legacy(v) => v,
        }
    }
    pub fn id(&self) -> &'static str {
        match self {
            Era::Modern(_) => "modern",
            Era::Legacy(_) => "legacy",
        }
    }
}

/// What connecting learned about the server.
#[derive(Debug, Clone)]
pub struct Connected {
    pub era: Era,
    /// The versions the server offers (from `server/discover`; legacy servers only say theirs).
    pub versions: Vec<String>,
    pub server_name: Option<String>,
}

/// Why a call did not produce a result.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Relay(#[from] RelayError),
    /// The server answered with a JSON-RPC error.
    #[error("the server answered {code}: {message}")]
    Rpc { code: i64, message: String },
}

pub struct Client {
    upstream: Arc<Upstream>,
    answers: mpsc::UnboundedReceiver<Out>,
    next_id: u64,
    era: Option<Era>,
}

const CLIENT_INFO: &str = concat!(
    r#"{"name":"3minapi","version":""#,
    env!("CARGO_PKG_VERSION"),
    r#""}"#
);

impl Client {
    pub fn new(url: reqwest::Url, key: &McpKey, trust: &super::Trust) -> anyhow::Result<Client> {
        let (tx, answers) = Outbox::new(false);
        Ok(Client {
            upstream: Upstream::new(url, key, None, tx, None, trust)?,
            answers,
            next_id: 0,
            era: None,
        })
    }

    fn meta(version: &str) -> Value {
        json!({
            modern::META_VERSION: version,
            modern::META_CAPABILITIES: {},
            modern::META_CLIENT_INFO: serde_json::from_str::<Value>(CLIENT_INFO).unwrap_or_default(),
        })
    }

    /// Sends one request and waits for its answer (the whole response object).
    async fn send(&mut self, method: &str, params: Value) -> Result<Value, CallError> {
        self.next_id += 1;
        let id = self.next_id.to_string();
        let line =
            json!({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
                .to_string();
        let body = Bytes::from(line);
        let route = {
            let text = std::str::from_utf8(&body).unwrap_or_default();
            match jsonrpc::parse(text) {
                Ok(msg) => Route::of(method, &body, &msg.params),
                Err(_) => Route::default(),
            }
        };
        self.upstream.request(&id, &route, body).await?;
        while let Some(out) = self.answers.recv().await {
            let Out::Line(line) = out else {
                continue; // never sent: this outbox takes no parts
            };
            let Ok(v) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if v["id"] == json!(self.next_id) && v.get("method").is_none() {
                if let Some(e) = v.get("error") {
                    return Err(CallError::Rpc {
                        code: e["code"].as_i64().unwrap_or(0),
                        message: e["message"].as_str().unwrap_or_default().to_owned(),
                    });
                }
                return Ok(v);
            }
        }
        Err(CallError::Relay(RelayError::StreamEnded {
            url: self.upstream.url().to_string(),
        }))
    }

    /// Opens the conversation in whichever era the server speaks: `server/discover` first,
    /// `initialize` when the server does not know it.
    pub async fn connect(&mut self) -> Result<Connected, CallError> {
        let discover = self
            .send(
                "server/discover",
                json!({"_meta": Self::meta(modern::MODERN_VERSION)}),
            )
            .await;
        match discover {
            Ok(answer) => {
                let versions: Vec<String> = answer["result"]["supportedVersions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                let version = modern::pick_modern_version(&answer)
                    .unwrap_or_else(|| modern::MODERN_VERSION.to_owned());
                let server_name = answer["result"]["_meta"][modern::META_SERVER_INFO]["name"]
                    .as_str()
                    .map(str::to_owned);
                let era = Era::Modern(version);
                self.era = Some(era.clone());
                Ok(Connected {
                    era,
                    versions,
                    server_name,
                })
            }
            Err(CallError::Rpc { code, .. }) if code == jsonrpc::code::METHOD_NOT_FOUND => {
                let params = json!({
                    "protocolVersion": modern::LATEST_LEGACY,
                    "capabilities": {},
                    "clientInfo": serde_json::from_str::<Value>(CLIENT_INFO).unwrap_or_default(),
                });
                let answer = self.send("initialize", params).await?;
                let version = answer["result"]["protocolVersion"]
                    .as_str()
                    .unwrap_or(modern::LATEST_LEGACY)
                    .to_owned();
                let server_name = answer["result"]["serverInfo"]["name"]
                    .as_str()
                    .map(str::to_owned);
                let body = Bytes::from_static(
                    br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                );
                self.upstream
                    .notify(Some("notifications/initialized"), body)
                    .await?;
                let era = Era::Legacy(version.clone());
                self.era = Some(era.clone());
                Ok(Connected {
                    era,
                    versions: vec![version],
                    server_name,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// A request in the connected era (modern requests carry the per-request `_meta`).
    pub async fn request(&mut self, method: &str, mut params: Value) -> Result<Value, CallError> {
        if let Some(Era::Modern(version)) = &self.era {
            if !params.is_object() {
                params = json!({});
            }
            params["_meta"] = Self::meta(version);
        }
        self.send(method, params).await
    }

    /// Ends a legacy session (bounded).
    pub async fn close(self) {
        self.upstream.close().await;
    }
}
