//! `3minapi tools list | call`: a one-shot MCP client for scripts and for checking a setup. It
//! talks through the bridge's own upstream client ([`crate::upstream::client`]), so key resolution, both
//! protocol eras, sessions and error messages are those of `mcp serve`.

use super::{Exit, Server};
use crate::cli::{ToolsCallArgs, ToolsListArgs};
use crate::key::{self, KEY_ORIGIN};
use crate::upstream::client::{CallError, Client};
use crate::upstream::{self, RelayError};
use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use std::io::Read;
use std::time::Duration;

/// How long listing may take; a call gets its own, longer bound (archives and log searches are slow).
const LIST_TIMEOUT: Duration = Duration::from_secs(60);
/// At most this many `tools/list` pages are fetched.
const MAX_PAGES: usize = 100;

/// Runs `work` with a connected client, bounded by `timeout`, and closes the session after it.
fn with_client<T>(
    server: &Server,
    timeout: Duration,
    work: impl AsyncFnOnce(&mut Client) -> Result<T, CallError>,
) -> anyhow::Result<T> {
    let key = key::require("", "nothing was sent")?;
    let url = upstream::check_url(&server.url)
        .map_err(|e| anyhow!("{e}\nhint: fix --url or THREEMINAPI_URL"))?;
    let trust = server.trust()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut client = Client::new(url.clone(), &key, trust)?;
        let outcome = tokio::select! {
            r = tokio::time::timeout(timeout, async {
                client.connect().await?;
                work(&mut client).await
            }) => r,
            _ = tokio::signal::ctrl_c() => return Err(anyhow!(Interrupted)),
        };
        let _ = tokio::time::timeout(Duration::from_secs(3), client.close()).await;
        match outcome {
            Err(_) => bail!(
                "no answer from {url} within {} s\nhint: try again later, or check the network",
                timeout.as_secs()
            ),
            Ok(Err(e)) => Err(explain(e)),
            Ok(Ok(v)) => Ok(v),
        }
    })
}

/// Ctrl-C: exit 130 without a message.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

fn explain(e: CallError) -> anyhow::Error {
    match e {
        CallError::Relay(RelayError::KeyRefused { status, .. }) => anyhow!(
            "the server does not accept the MCP key (HTTP {status}): regenerated or deleted?\nhint: generate a new key under {KEY_ORIGIN} and run `3minapi auth login`"
        ),
        CallError::Relay(r) => {
            anyhow!("{r}\nhint: {}", r.hint())
        }
        CallError::Rpc { code, message } => anyhow!("the server answered {code}: {message}"),
    }
}

/// Every page of `tools/list`, merged into one result.
async fn all_tools(client: &mut Client) -> Result<Value, CallError> {
    let mut tools = Vec::new();
    let mut cursor: Option<String> = None;
    let mut first: Option<Value> = None;
    for _ in 0..MAX_PAGES {
        let params = match &cursor {
            Some(c) => json!({ "cursor": c }),
            None => json!({}),
        };
        let answer = client.request("tools/list", params).await?;
        let mut result = answer["result"].clone();
        if let Some(page) = result.get_mut("tools").and_then(Value::as_array_mut) {
            tools.append(page);
        }
        cursor = result["nextCursor"].as_str().map(str::to_owned);
        first.get_or_insert(result);
        if cursor.is_none() {
            break;
        }
    }
    let mut merged = first.unwrap_or_else(|| json!({}));
    if let Some(obj) = merged.as_object_mut() {
        obj.remove("nextCursor");
        obj.insert("tools".into(), Value::Array(tools));
    }
    Ok(merged)
}

pub fn list(args: &ToolsListArgs, server: &Server) -> anyhow::Result<Exit> {
    let result = with_client(server, LIST_TIMEOUT, async |c| all_tools(c).await)?;
    if args.json {
        crate::outln!("{}", serde_json::to_string_pretty(&result)?);
        return Ok(Exit::Success);
    }
    let tools = result["tools"].as_array().cloned().unwrap_or_default();
    let width = tools
        .iter()
        .filter_map(|t| t["name"].as_str())
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0);
    for t in &tools {
        let name = crate::log::sanitize(t["name"].as_str().unwrap_or("?"));
        let description = t["description"]
            .as_str()
            .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or("");
        crate::outln!("{name:width$}  {}", crate::log::sanitize(description));
    }
    eprintln!(
        "{} tool{}",
        tools.len(),
        if tools.len() == 1 { "" } else { "s" }
    );
    Ok(Exit::Success)
}

/// `--args`: JSON text, `@FILE`, or `-` for stdin. Checked before anything is sent.
fn read_args(spec: Option<&str>) -> anyhow::Result<Value> {
    let (text, origin) = match spec {
        None => return Ok(json!({})),
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the arguments from stdin")?;
            (text, "stdin".to_owned())
        }
        Some(s) if s.starts_with('@') => {
            let path = &s[1..];
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow!("cannot read {path}: {e}; nothing was sent\nhint: pass --args @FILE with a readable JSON file")
            })?;
            (text, path.to_owned())
        }
        Some(s) => (s.to_owned(), "--args".to_owned()),
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        let full = e.to_string();
        let what = full.rsplit_once(" at line ").map_or(full.as_str(), |(w, _)| w);
        anyhow!(
            "{origin}:{}:{}: {what}; nothing was sent\nhint: pass the tool's arguments as one JSON object, e.g. --args '{{\"action\": \"list\"}}'",
            e.line(),
            e.column()
        )
    })?;
    if !value.is_object() {
        bail!(
            "{origin}: the arguments must be a JSON object, not {}; nothing was sent\nhint: e.g. --args '{{\"action\": \"list\"}}'",
            match value {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        );
    }
    Ok(value)
}

pub fn call(args: &ToolsCallArgs, server: &Server) -> anyhow::Result<Exit> {
    let arguments = read_args(args.args.as_deref())?;
    let timeout = Duration::from_secs(args.timeout);
    let name = args.tool.clone();
    let answer = with_client(server, timeout, async move |c| {
        c.request(
            "tools/call",
            json!({ "name": name, "arguments": arguments }),
        )
        .await
    })?;
    let result = &answer["result"];
    let is_error = result["isError"] == true;
    let text: Vec<&str> = result["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["type"] == "text")
        .filter_map(|c| c["text"].as_str())
        .collect();
    if is_error {
        let message = if text.is_empty() {
            "the tool reported an error without a message".to_owned()
        } else {
            text.join("\n")
        };
        eprintln!(
            "error: {} failed: {}",
            args.tool,
            crate::log::sanitize(&message)
        );
        return Ok(Exit::Failure);
    }
    if args.json {
        let shown = result
            .get("structuredContent")
            .cloned()
            .unwrap_or_else(|| result.clone());
        crate::outln!("{}", serde_json::to_string_pretty(&shown)?);
    } else {
        for t in &text {
            crate::outln!("{t}");
        }
        let others = result["content"]
            .as_array()
            .map_or(0, |a| a.len() - text.len());
        if others > 0 {
            eprintln!("({others} non-text content item(s) not shown; use --json)");
        }
    }
    Ok(Exit::Success)
}
