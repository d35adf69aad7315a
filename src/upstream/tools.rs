//! What the upstream learns from `tools/list` answers: the `x-mcp-header` annotations that
//! 2026-07-28 requests turn into `Mcp-Param-*` headers, and the listing a caller's filter rewrites.

use super::deliver::Delivery;
use super::{Route, Upstream, modern};
use crate::log_warn;
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::Arc;

/// A caller's say over which tools exist (the bridge's `--read-only`, `--allow-tool`, `--deny-tool`):
/// it sees every `tools/list` answer before the caller gets it.
pub trait ToolsFilter: Send + Sync {
    /// The answer without the tools it excludes, and warnings for the log.
    fn filter_tools_list(&self, answer: &str) -> (String, Vec<String>);
    /// Whether `tool` has been in a listing it saw (so a call of it can be judged).
    fn has_seen(&self, tool: &str) -> bool;
}

#[derive(Default)]
pub(super) struct ToolHeaders {
    pub(super) fetched: bool,
    by_tool: HashMap<String, modern::ParamHeaders>,
}

impl Upstream {
    /// Remembers the `x-mcp-header` annotations of a `tools/list` answer, and lets the filter
    /// learn the tools' schemas; returns the answer without the excluded tools when filtering.
    pub(super) fn learn_tools(&self, answer: &str) -> Option<String> {
        let found = modern::param_headers_of_tools_list(answer);
        if let Ok(mut cache) = self.tool_headers.lock() {
            cache.by_tool.extend(found);
        }
        let (filtered, warnings) = self.filter.as_ref()?.filter_tools_list(answer);
        for w in warnings {
            log_warn!("{w}");
        }
        Some(filtered)
    }

    /// The annotations of one tool; fetches `tools/list` (every page) once when the tool has not
    /// been seen in any relayed listing.
    pub(super) async fn param_headers(
        self: &Arc<Self>,
        tool: &str,
        version: &str,
    ) -> modern::ParamHeaders {
        {
            let cache = self.tool_headers.lock().expect("tool cache");
            if let Some(found) = cache.by_tool.get(tool) {
                return found.clone();
            }
            if cache.fetched {
                return Vec::new();
            }
        }
        self.fetch_tools_once(Some(version)).await;
        let cache = self.tool_headers.lock().expect("tool cache");
        cache.by_tool.get(tool).cloned().unwrap_or_default()
    }

    /// Makes sure the filter has seen `tool` in a listing before it judges a call of it: a
    /// client may call before it lists (or list on another connection). Fetches `tools/list`
    /// once, in the era `route` travels in.
    pub async fn learn_tool_for_filter(self: &Arc<Self>, tool: &str, route: &Route) {
        let Some(filter) = &self.filter else { return };
        if filter.has_seen(tool) {
            return;
        }
        let version = match &route.modern_version {
            Some(v) => Some(v.clone()),
            None => self
                .session
                .read()
                .await
                .translate
                .as_ref()
                .map(|t| t.version.clone()),
        };
        self.fetch_tools_once(version.as_deref()).await;
    }

    /// Fetches every page of `tools/list` for the bridge itself (nothing reaches the client), at
    /// most once per bridge: stateless with `version`, else in the session.
    pub(super) async fn fetch_tools_once(self: &Arc<Self>, version: Option<&str>) {
        let _one_fetch = self.tool_fetch.lock().await;
        if self.tool_headers.lock().expect("tool cache").fetched {
            return;
        }
        let mut cursor: Option<String> = None;
        for page in 0..50 {
            let mut params = match version {
                Some(v) => serde_json::json!({"_meta": {
                    modern::META_VERSION: v,
                    modern::META_CAPABILITIES: {},
                }}),
                None => serde_json::json!({}),
            };
            if let Some(c) = &cursor {
                params["cursor"] = c.clone().into();
            }
            let id = format!("\"3minapi-tools-{page}\"");
            let body = Bytes::from(serde_json::json!({"jsonrpc": "2.0", "id": format!("3minapi-tools-{page}"), "method": "tools/list", "params": params}).to_string());
            let resp = match version {
                Some(v) => {
                    let route = Route {
                        method: "tools/list".into(),
                        ..Route::default()
                    };
                    self.post(&body, || self.stateless_headers(&route, v)).await
                }
                None => self.post_in_session(&body).await,
            };
            let answer = match resp {
                Ok(resp) => {
                    self.read_answer(resp, Some(&id), Delivery::Keep, version.is_none())
                        .await
                }
                Err(e) => Err(e),
            };
            let Ok(Some(line)) = answer else {
                log_warn!(
                    "fetching tools/list for the bridge itself failed: no Mcp-Param headers, and filter flags refuse tools they have not seen"
                );
                break;
            };
            let _ = self.learn_tools(&line);
            cursor = serde_json::from_str::<serde_json::Value>(&line)
                .ok()
                .and_then(|v| v["result"]["nextCursor"].as_str().map(str::to_owned));
            if cursor.is_none() {
                break;
            }
        }
        self.tool_headers.lock().expect("tool cache").fetched = true;
    }
}
