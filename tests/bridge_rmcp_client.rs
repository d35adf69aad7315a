//! A real MCP client (rmcp, child-process transport) launches the bridge as its stdio server, the
//! way Claude Code or Cursor does, in both of its startup modes.

mod common;

use common::bridge::BIN;
use common::upstream::{FAKE_KEY, TOOL_NAMES, Upstream, UpstreamOptions};
use common::wait_until;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, ProtocolVersion};
use rmcp::service::{ClientLifecycleMode, serve_client_with_lifecycle};
use rmcp::transport::TokioChildProcess;
use serde_json::json;

fn bridge_command(url: &str, home: &std::path::Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("THREEMINAPI_URL", url)
        .env("THREEMINAPI_MCP_KEY", FAKE_KEY)
        .args(["mcp", "serve"]);
    cmd
}

fn echo(value: serde_json::Value) -> CallToolRequestParams {
    CallToolRequestParams::new("echo")
        .with_arguments(json!({ "value": value }).as_object().unwrap().clone())
}

#[tokio::test]
async fn rmcp_client_lists_and_calls_through_the_bridge() {
    let up = Upstream::start(UpstreamOptions::default()).await;
    let home = tempfile::tempdir().unwrap();
    let transport = TokioChildProcess::new(bridge_command(&up.url(), home.path())).unwrap();
    let client = ().serve(transport).await.expect("handshake through the bridge");
    let info = client.peer_info().expect("server info");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("fake-3minapi")
    );

    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, TOOL_NAMES);

    let value = json!({"unicode": "✓", "n": [1, 2, 3]});
    let result = client.call_tool(echo(value.clone())).await.unwrap();
    assert_eq!(result.structured_content, Some(json!({ "value": value })));

    let help = client
        .call_tool(CallToolRequestParams::new("help"))
        .await
        .unwrap();
    assert_ne!(help.is_error, Some(true));

    client.cancel().await.unwrap();
    // Closing the client closes the bridge's stdin: the bridge ends the session upstream.
    wait_until("a DELETE after the client closed", || {
        up.requests().iter().any(|r| r.http_method == "DELETE")
    })
    .await;
}

/// Like Claude Code 2.1: probe with server/discover, fall back to initialize on -32601.
#[tokio::test]
async fn a_dual_era_client_falls_back_to_initialize_through_the_same_process() {
    let up = Upstream::start(UpstreamOptions::default()).await;
    let home = tempfile::tempdir().unwrap();
    let transport = TokioChildProcess::new(bridge_command(&up.url(), home.path())).unwrap();
    let lifecycle = ClientLifecycleMode::Auto {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        legacy_version: None,
    };
    let started = std::time::Instant::now();
    let client = serve_client_with_lifecycle((), transport, lifecycle)
        .await
        .expect("fallback handshake");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "fell back by timeout, not by the answer"
    );
    let result = client.call_tool(echo(json!(42))).await.unwrap();
    assert_eq!(result.structured_content, Some(json!({ "value": 42 })));
    assert_eq!(up.requests_for("initialize").len(), 1);
    client.cancel().await.unwrap();
}
