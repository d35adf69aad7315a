//! Why a message could not be relayed, said so the user knows what to do next.

use crate::jsonrpc;

/// Why a message could not be relayed. The bridge answers requests with [`RelayError::answer`].
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(
        "3Min API refused the MCP key (HTTP {status}): was it regenerated or deleted?{}",
        note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
    )]
    KeyRefused { status: u16, note: Option<String> },
    #[error("cannot reach {url}: {cause}")]
    Unreachable { url: String, cause: String },
    #[error("cannot reach {url} through the proxy {proxy}: {cause}")]
    ProxyFailed {
        url: String,
        proxy: String,
        cause: String,
    },
    #[error("cannot reach {url}: {refusal}")]
    Untrusted {
        url: String,
        refusal: super::Refusal,
    },
    #[error("{url} answered HTTP {status}{}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error(
        "{url} sent an answer{} larger than the {} MiB the bridge relays; none of it was relayed",
        size.map(|s| format!(" of {s} bytes")).unwrap_or_default(),
        crate::jsonrpc::MAX_MESSAGE >> 20
    )]
    TooBig { url: String, size: Option<u64> },
    #[error("{url} closed the stream of this request before answering it")]
    StreamEnded { url: String },
    #[error("the connection to {url} broke before the answer came ({cause})")]
    Lost { url: String, cause: String },
    #[error(
        "{url} redirected to another origin ({location}); not following, the MCP key would go with it"
    )]
    CrossOriginRedirect { url: String, location: String },
    #[error(
        "{url} no longer knows the session and it could not be restored: the client never sent initialize"
    )]
    SessionLost { url: String },
}

impl RelayError {
    pub fn hint(&self) -> &'static str {
        match self {
            RelayError::KeyRefused { .. } => {
                "generate a new key under Settings → AI Integration → CLI / IDE, then run `3minapi auth login`"
            }
            RelayError::Unreachable { .. }
            | RelayError::StreamEnded { .. }
            | RelayError::Lost { .. } => {
                "check the network and the proxy settings (HTTPS_PROXY, NO_PROXY), then retry"
            }
            RelayError::Untrusted { .. } => super::TRUST_HINT,
            RelayError::ProxyFailed { .. } => {
                "check the proxy and its settings (HTTPS_PROXY, ALL_PROXY, NO_PROXY), then retry"
            }
            RelayError::Status { .. } => {
                "retry later; if it persists, check --url / THREEMINAPI_URL"
            }
            RelayError::CrossOriginRedirect { .. } => "check --url / THREEMINAPI_URL",
            RelayError::SessionLost { .. } => "restart the MCP client",
            RelayError::TooBig { .. } => {
                "ask for less at a time (a narrower search, a smaller page, an archive by its download URL)"
            }
        }
    }

    fn code(&self) -> i64 {
        match self {
            RelayError::KeyRefused { .. } => jsonrpc::code::KEY_PROBLEM,
            _ => jsonrpc::code::UPSTREAM_UNAVAILABLE,
        }
    }

    /// The JSON-RPC error answering request `id` (raw JSON). The message carries the hint too:
    /// clients show the message, rarely `data`.
    pub fn answer(&self, id: &str) -> String {
        let message = format!("{self}; {}", self.hint());
        let data = serde_json::json!({ "hint": self.hint() });
        jsonrpc::error_line(id, self.code(), &message, Some(&data))
    }
}

/// The cause of a transport error in plain words: the innermost messages of the error chain
/// (reqwest's own outer text repeats the URL).
pub fn describe(e: &reqwest::Error) -> String {
    if super::net::is_lost(e) {
        return "the connection was lost: the other end stopped answering the keep-alive checks"
            .into();
    }
    let mut causes: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        // Outer errors often repeat their source's text; keep each piece once.
        if !causes.iter().any(|c| c.contains(&text)) {
            causes.push(text);
        }
        source = s.source();
    }
    // The outer layers are generic ("client error (Connect)"); the last two say what happened.
    let causes = causes.split_off(causes.len().saturating_sub(2));
    let kind = if e.is_timeout() && e.is_connect() {
        format!(
            "connecting timed out after {} s",
            super::net::CONNECT_TIMEOUT.as_secs()
        )
    } else if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else {
        "transport error".to_owned()
    };
    if causes.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {}", causes.join(": "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Claude Code blanks out every value of a server's entry (4+ characters) wherever it appears
    /// in that server's error text, even inside a word: with `args: ["mcp", "serve"]` the words
    /// "server" and "observe" would reach the user as "[redacted]r". No relay error may say them.
    #[test]
    fn no_answer_contains_an_argument_of_the_bridge_entry() {
        let url = || "https://h.example/api/mcp".to_owned();
        let all = [
            RelayError::KeyRefused {
                status: 401,
                note: None,
            },
            RelayError::Unreachable {
                url: url(),
                cause: "connection failed".into(),
            },
            RelayError::ProxyFailed {
                url: url(),
                proxy: "http://p.example:3128/".into(),
                cause: "refused".into(),
            },
            RelayError::Untrusted {
                url: url(),
                refusal: crate::upstream::Refusal {
                    issuer: Some("CN=Corp CA".into()),
                    reason: rustls::CertificateError::UnknownIssuer,
                },
            },
            RelayError::Untrusted {
                url: url(),
                refusal: crate::upstream::Refusal {
                    issuer: None,
                    reason: rustls::CertificateError::Expired,
                },
            },
            RelayError::Status {
                url: url(),
                status: 502,
                body: String::new(),
            },
            RelayError::TooBig {
                url: url(),
                size: Some(1 << 30),
            },
            RelayError::StreamEnded { url: url() },
            RelayError::Lost {
                url: url(),
                cause: "reset".into(),
            },
            RelayError::CrossOriginRedirect {
                url: url(),
                location: "https://elsewhere.example/".into(),
            },
            RelayError::SessionLost { url: url() },
        ];
        for e in all {
            let answer = e.answer("1");
            assert!(!answer.to_lowercase().contains("serve"), "{answer}");
        }
    }
}
