//! Tool filtering in the bridge (DESIGN §3 "Tool filtering"): `--read-only`, `--allow-tool`,
//! `--deny-tool`. Deny wins over allow; with any allow rule only what is allowed passes;
//! `--read-only` applies on top and is an allow-list of read actions. Whatever the bridge cannot
//! judge — an action property the server renamed or dropped, a call without it, a tool it does not
//! know that the server does not mark read-only — is refused: a filter that a renamed field lets
//! writes through is worse than none.

use crate::upstream::ToolsFilter;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

/// One `--allow-tool` / `--deny-tool` value: a tool, or one action of a tool (`endpoints.deploy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub tool: String,
    pub action: Option<String>,
}

impl Rule {
    pub fn parse(text: &str) -> Result<Rule, String> {
        let text = text.trim();
        let (tool, action) = match text.split_once('.') {
            Some((t, a)) => (t, Some(a)),
            None => (text, None),
        };
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '/')
        };
        if !ok(tool) || action.is_some_and(|a| !ok(a)) {
            return Err(format!(
                "`{text}` is not a tool name or tool.action (e.g. endpoints or endpoints.deploy)"
            ));
        }
        Ok(Rule {
            tool: tool.to_owned(),
            action: action.map(str::to_owned),
        })
    }

    fn flag(&self) -> String {
        match &self.action {
            Some(a) => format!("{}.{a}", self.tool),
            None => self.tool.clone(),
        }
    }
}

/// The service's tools, their action property and their read actions (DESIGN §1). A tool with no
/// action property here (stats, subscription, help) reads only — unless the server gives it one.
struct KnownTool {
    name: &'static str,
    property: Option<&'static str>,
    actions: &'static [&'static str],
    reads: &'static [&'static str],
}

const KNOWN: &[KnownTool] = &[
    KnownTool {
        name: "help",
        property: None,
        actions: &[],
        reads: &[],
    },
    KnownTool {
        name: "endpoints",
        property: Some("action"),
        actions: &["list", "get", "create", "update", "deploy"],
        reads: &["list", "get"],
    },
    KnownTool {
        name: "logs",
        property: Some("action"),
        actions: &["lookup", "search", "fetch_archived"],
        reads: &["lookup", "search", "fetch_archived"],
    },
    KnownTool {
        name: "stats",
        property: None,
        actions: &[],
        reads: &[],
    },
    KnownTool {
        name: "subscription",
        property: None,
        actions: &[],
        reads: &[],
    },
    KnownTool {
        name: "archives",
        property: Some("action"),
        actions: &["list", "download"],
        reads: &["list", "download"],
    },
    KnownTool {
        name: "collaborators",
        property: Some("action"),
        actions: &[
            "list_keys",
            "list_invitations",
            "create_key",
            "update_permissions",
            "invite",
        ],
        reads: &["list_keys", "list_invitations"],
    },
    KnownTool {
        name: "api_call",
        property: Some("method"),
        actions: &["GET", "POST", "PUT", "DELETE"],
        reads: &["GET"],
    },
];

fn known(tool: &str) -> Option<&'static KnownTool> {
    KNOWN.iter().find(|k| k.name == tool)
}

/// What the server's own `tools/list` says about a tool.
#[derive(Debug, Clone, Default)]
struct Learned {
    /// The input schema's property that holds the action, when it has one ("action"/"method").
    property: Option<String>,
    /// The schema lacks the action property we expect (renamed or dropped).
    property_missing: bool,
    read_only_hint: bool,
}

/// Why a call was refused: shown to the client (and the model) as the tool's error result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

pub struct Filter {
    read_only: bool,
    allow: Vec<Rule>,
    deny: Vec<Rule>,
    learned: Mutex<HashMap<String, Learned>>,
}

impl Filter {
    /// `None` when no flag is given: the bridge then relays everything untouched.
    pub fn new(read_only: bool, allow: Vec<Rule>, deny: Vec<Rule>) -> Option<Filter> {
        (read_only || !allow.is_empty() || !deny.is_empty()).then(|| Filter {
            read_only,
            allow,
            deny,
            learned: Mutex::default(),
        })
    }

    /// Warnings about the flags themselves: names of tools or actions the service does not have
    /// (yet: the server may add them, so these are not errors).
    pub fn startup_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (flag, rules) in [("--allow-tool", &self.allow), ("--deny-tool", &self.deny)] {
            for rule in rules {
                match (known(&rule.tool), &rule.action) {
                    (None, _) => out.push(format!(
                        "{flag} {}: no tool named `{}` is known (3Min API may add it later)",
                        rule.flag(),
                        rule.tool
                    )),
                    (Some(k), Some(a)) if !k.actions.iter().any(|x| x.eq_ignore_ascii_case(a)) => {
                        out.push(format!(
                            "{flag} {}: `{}` has no action `{a}` that is known{}",
                            rule.flag(),
                            rule.tool,
                            if k.actions.is_empty() {
                                String::new()
                            } else {
                                format!(" (known: {})", k.actions.join(", "))
                            }
                        ))
                    }
                    _ => {}
                }
            }
        }
        out
    }

    fn mentions(rules: &[Rule], tool: &str) -> bool {
        rules.iter().any(|r| r.tool == tool)
    }

    /// Whether a whole tool is excluded (it disappears from `tools/list`), and by which flag.
    fn excluded(&self, tool: &str, read_only_hint: bool) -> Option<String> {
        if self
            .deny
            .iter()
            .any(|r| r.tool == tool && r.action.is_none())
        {
            return Some(format!("--deny-tool {tool}"));
        }
        if !self.allow.is_empty() && !Self::mentions(&self.allow, tool) {
            return Some("--allow-tool (this tool is not among the allowed ones)".into());
        }
        if self.read_only && known(tool).is_none() && !read_only_hint {
            return Some(format!(
                "--read-only (`{tool}` is not a known tool and 3Min API does not mark it read-only)"
            ));
        }
        None
    }

    /// Decides one `tools/call`: `arguments` is the raw JSON text of `params.arguments`.
    pub fn check_call(&self, tool: &str, arguments: Option<&str>) -> Result<(), Refusal> {
        let learned = self
            .learned
            .lock()
            .ok()
            .and_then(|m| m.get(tool).cloned())
            .unwrap_or_default();
        if let Some(flag) = self.excluded(tool, learned.read_only_hint) {
            return Err(Refusal(format!(
                "3minapi refused to call `{tool}`: excluded by {flag}"
            )));
        }
        let names_action =
            |rules: &[Rule]| rules.iter().any(|r| r.tool == tool && r.action.is_some());
        let known_tool = known(tool);
        let needs_action = names_action(&self.allow)
            || names_action(&self.deny)
            || (self.read_only && known_tool.is_some_and(|k| k.property.is_some()))
            || (self.read_only && known_tool.is_some() && learned.property.is_some());
        if !needs_action {
            return Ok(());
        }
        let action = self.action_of(tool, known_tool, &learned, arguments)?;
        let same = |a: &str| {
            if known_tool.is_some_and(|k| k.property == Some("method")) {
                a.eq_ignore_ascii_case(&action)
            } else {
                a == action
            }
        };
        if let Some(rule) = self
            .deny
            .iter()
            .find(|r| r.tool == tool && r.action.as_deref().is_some_and(same))
        {
            return Err(Refusal(format!(
                "3minapi refused {tool}.{action}: excluded by --deny-tool {}",
                rule.flag()
            )));
        }
        if Self::mentions(&self.allow, tool) {
            let allowed = self
                .allow
                .iter()
                .any(|r| r.tool == tool && r.action.as_deref().is_none_or(same));
            if !allowed {
                return Err(Refusal(format!(
                    "3minapi refused {tool}.{action}: --allow-tool allows only {}",
                    self.allow
                        .iter()
                        .filter(|r| r.tool == tool)
                        .map(Rule::flag)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        if self.read_only
            && let Some(k) = known_tool
        {
            let read = k.property.is_none() && learned.property.is_none()
                || k.reads.iter().any(|r| same(r));
            if !read {
                return Err(Refusal(format!(
                    "3minapi refused {tool}.{action}: it is not a read action and the bridge runs with --read-only"
                )));
            }
        }
        Ok(())
    }

    /// The action a call asks for, or the refusal when the bridge cannot tell (fail closed).
    fn action_of(
        &self,
        tool: &str,
        known_tool: Option<&KnownTool>,
        learned: &Learned,
        arguments: Option<&str>,
    ) -> Result<String, Refusal> {
        if learned.property_missing {
            return Err(Refusal(format!(
                "3minapi refused to call `{tool}`: 3Min API's schema for it no longer has the `{}` property that {} rely on, so no call of it can be judged (fail closed); update 3minapi",
                known_tool.and_then(|k| k.property).unwrap_or("action"),
                self.flags_on(tool)
            )));
        }
        let Some(property) = learned
            .property
            .as_deref()
            .or(known_tool.and_then(|k| k.property))
        else {
            return Err(Refusal(format!(
                "3minapi refused to call `{tool}`: it has no action property, so {} cannot be applied (fail closed)",
                self.flags_on(tool)
            )));
        };
        let args: Value = arguments
            .and_then(|a| serde_json::from_str(a).ok())
            .unwrap_or(Value::Null);
        match args.get(property).and_then(Value::as_str) {
            Some(a) => Ok(a.to_owned()),
            None => Err(Refusal(format!(
                "3minapi refused to call `{tool}`: the call has no `{property}` argument, so {} cannot judge it (fail closed)",
                self.flags_on(tool)
            ))),
        }
    }

    /// Learns from one `tools/list` result and returns it without the excluded tools, plus
    /// warnings for schemas that no longer match what the filter relies on. `answer` is the whole
    /// response line; it is returned as it was when it is not a result with a tools array.
    pub fn filter_tools_list(&self, answer: &str) -> (String, Vec<String>) {
        let Ok(mut v) = serde_json::from_str::<Value>(answer) else {
            return (answer.to_owned(), Vec::new());
        };
        let Some(tools) = v
            .get_mut("result")
            .and_then(|r| r.get_mut("tools"))
            .and_then(Value::as_array_mut)
        else {
            return (answer.to_owned(), Vec::new());
        };
        let mut warnings = Vec::new();
        let mut learned = self.learned.lock().expect("filter state");
        tools.retain(|tool| {
            let Some(name) = tool.get("name").and_then(Value::as_str) else {
                return false;
            };
            let info = learn(tool, known(name));
            if info.property_missing {
                let was = learned.get(name).is_some_and(|l| l.property_missing);
                if !was && self.rules_on(name) {
                    warnings.push(format!(
                        "3Min API's `{name}` tool no longer has the `{}` property in its input schema; every call of it is refused while filter flags apply to it",
                        known(name).and_then(|k| k.property).unwrap_or("action")
                    ));
                }
            }
            let keep = self.excluded(name, info.read_only_hint).is_none();
            learned.insert(name.to_owned(), info);
            keep
        });
        (v.to_string(), warnings)
    }

    /// The flags that concern a tool, as the user typed them.
    fn flags_on(&self, tool: &str) -> String {
        let mut flags: Vec<String> = Vec::new();
        if self.read_only {
            flags.push("--read-only".into());
        }
        for (flag, rules) in [("--allow-tool", &self.allow), ("--deny-tool", &self.deny)] {
            for r in rules.iter().filter(|r| r.tool == tool) {
                flags.push(format!("{flag} {}", r.flag()));
            }
        }
        flags.join(", ")
    }

    /// Whether a listing has told the filter about this tool.
    pub fn has_seen(&self, tool: &str) -> bool {
        self.learned.lock().is_ok_and(|m| m.contains_key(tool))
    }

    /// Whether any flag concerns this tool's calls.
    fn rules_on(&self, tool: &str) -> bool {
        self.read_only || Self::mentions(&self.allow, tool) || Self::mentions(&self.deny, tool)
    }
}

/// The upstream hands every `tools/list` answer to the filter through its own interface.
impl ToolsFilter for Filter {
    fn filter_tools_list(&self, answer: &str) -> (String, Vec<String>) {
        Filter::filter_tools_list(self, answer)
    }

    fn has_seen(&self, tool: &str) -> bool {
        Filter::has_seen(self, tool)
    }
}

/// What a listed tool says about itself.
fn learn(tool: &Value, known_tool: Option<&KnownTool>) -> Learned {
    let props = tool
        .get("inputSchema")
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    let usable = |p: &str| {
        props.and_then(|m| m.get(p)).is_some_and(|s| {
            s.get("enum").is_some_and(Value::is_array)
                || s.get("type").and_then(Value::as_str) == Some("string")
        })
    };
    let read_only_hint = tool
        .get("annotations")
        .and_then(|a| a.get("readOnlyHint"))
        .and_then(Value::as_bool)
        == Some(true);
    match known_tool.and_then(|k| k.property) {
        Some(p) => Learned {
            property: usable(p).then(|| p.to_owned()),
            property_missing: !usable(p),
            read_only_hint,
        },
        // A tool without an action property that gains one ("stats" with an action): rules on
        // it now judge by it.
        None => Learned {
            property: usable("action").then(|| "action".to_owned()),
            property_missing: false,
            read_only_hint,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(list: &[&str]) -> Vec<Rule> {
        list.iter().map(|r| Rule::parse(r).unwrap()).collect()
    }

    fn call(f: &Filter, tool: &str, args: Value) -> Result<(), Refusal> {
        f.check_call(tool, Some(&args.to_string()))
    }

    #[test]
    fn read_only_passes_read_actions_only() {
        let f = Filter::new(true, vec![], vec![]).unwrap();
        for (tool, args) in [
            ("endpoints", json!({"action": "list"})),
            ("endpoints", json!({"action": "get", "id": "x"})),
            ("logs", json!({"action": "search"})),
            ("archives", json!({"action": "download"})),
            ("collaborators", json!({"action": "list_keys"})),
            ("api_call", json!({"method": "GET", "path": "/"})),
            ("api_call", json!({"method": "get", "path": "/"})),
            ("stats", json!({})),
            ("subscription", json!({})),
            ("help", json!({})),
        ] {
            assert_eq!(call(&f, tool, args.clone()), Ok(()), "{tool} {args}");
        }
        for (tool, args) in [
            ("endpoints", json!({"action": "deploy"})),
            ("endpoints", json!({"action": "create"})),
            ("endpoints", json!({"action": "delete"})),
            ("collaborators", json!({"action": "invite"})),
            ("api_call", json!({"method": "POST", "path": "/"})),
            ("endpoints", json!({})),
            ("endpoints", json!({"action": 3})),
            ("brand_new_tool", json!({})),
        ] {
            let e = call(&f, tool, args.clone()).unwrap_err();
            assert!(e.0.contains("3minapi refused"), "{tool} {args}: {e:?}");
        }
    }

    #[test]
    fn deny_wins_over_allow_and_allow_is_exclusive() {
        let f = Filter::new(
            false,
            rules(&["endpoints", "logs"]),
            rules(&["endpoints.deploy"]),
        )
        .unwrap();
        assert!(call(&f, "endpoints", json!({"action": "create"})).is_ok());
        let e = call(&f, "endpoints", json!({"action": "deploy"})).unwrap_err();
        assert!(e.0.contains("--deny-tool endpoints.deploy"), "{e:?}");
        assert!(call(&f, "logs", json!({"action": "search"})).is_ok());
        let e = call(&f, "stats", json!({})).unwrap_err();
        assert!(e.0.contains("--allow-tool"), "{e:?}");

        let f = Filter::new(false, rules(&["endpoints.list", "help"]), vec![]).unwrap();
        assert!(call(&f, "endpoints", json!({"action": "list"})).is_ok());
        assert!(call(&f, "help", json!({})).is_ok());
        assert!(call(&f, "endpoints", json!({"action": "get"})).is_err());
    }

    #[test]
    fn a_renamed_action_property_refuses_every_call_of_that_tool() {
        let f = Filter::new(false, vec![], rules(&["endpoints.deploy"])).unwrap();
        let list = json!({"jsonrpc": "2.0", "id": 1, "result": {"tools": [
            {"name": "endpoints", "inputSchema": {"type": "object", "properties": {"op": {"type": "string"}}}},
        ]}});
        let (out, warnings) = f.filter_tools_list(&list.to_string());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(out.contains("endpoints"));
        for args in [
            json!({"op": "deploy"}),
            json!({"action": "list", "op": "deploy"}),
        ] {
            let e = call(&f, "endpoints", args).unwrap_err();
            assert!(e.0.contains("fail closed"), "{e:?}");
        }
        // Other tools are not affected.
        assert!(call(&f, "logs", json!({"action": "search"})).is_ok());
    }

    #[test]
    fn unknown_tools_pass_read_only_only_when_marked_read_only() {
        let f = Filter::new(true, vec![], vec![]).unwrap();
        let list = json!({"jsonrpc": "2.0", "id": 1, "result": {"tools": [
            {"name": "reports", "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": true}},
            {"name": "purge", "inputSchema": {"type": "object"}},
            {"name": "help", "inputSchema": {"type": "object"}},
        ]}});
        let (out, _) = f.filter_tools_list(&list.to_string());
        let v: Value = serde_json::from_str(&out).unwrap();
        let names: Vec<&str> = v["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["reports", "help"]);
        assert!(call(&f, "reports", json!({})).is_ok());
        assert!(call(&f, "purge", json!({})).is_err());
    }

    #[test]
    fn flags_naming_unknown_tools_or_actions_warn() {
        let f = Filter::new(false, rules(&["endpoints.destroy"]), rules(&["reports"])).unwrap();
        let w = f.startup_warnings();
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(Rule::parse("a b").is_err());
        assert!(Rule::parse("").is_err());
        assert!(Filter::new(false, vec![], vec![]).is_none());
    }
}
