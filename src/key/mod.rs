//! The MCP key: its type (never printed in full), the checks that catch key mixups before any request,
//! and where a key is looked up and kept (keychain, plain file). Must not use `commands`, `cli`
//! or `bridge`: the key room serves them all and knows none of them.

pub mod profile;
mod resolve;
pub mod store;

pub use profile::Profile;
pub use resolve::{
    KeyLookup, KeySource, from_env, is_unexpanded_or_empty, require, resolve, resolve_with,
};

use std::fmt;

/// Where the MCP key is generated, for every message that asks the user to get one.
pub const KEY_ORIGIN: &str = "Settings → AI Integration → CLI / IDE on https://3minapi.com";

/// Environment variable that supplies the key.
pub const KEY_ENV: &str = "THREEMINAPI_MCP_KEY";

const MCP_PREFIX: &str = "tm_mcp_";
const MIN_BODY_LEN: usize = 16;

/// A checked `tm_mcp_` key. `Debug` and `Display` print the masked form; the raw value is reachable
/// only through [`McpKey::expose`], used where the key must leave the process (HTTP header, keychain).
#[derive(Clone, PartialEq, Eq)]
pub struct McpKey(String);

impl McpKey {
    /// Checks the kind and shape of a key. Nothing is trimmed here: callers that read user input trim it.
    pub fn parse(raw: &str) -> Result<McpKey, KeyError> {
        for (prefix, kind) in [("tm_test_", "sandbox"), ("tm_live_", "production")] {
            if raw.starts_with(prefix) {
                return Err(KeyError::Collaboration { prefix, kind });
            }
        }
        let body_ok = raw.strip_prefix(MCP_PREFIX).is_some_and(|body| {
            body.len() >= MIN_BODY_LEN
                && body
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
        if body_ok {
            Ok(McpKey(raw.to_owned()))
        } else {
            Err(KeyError::NotMcp)
        }
    }

    /// The full key. Only for the `x-api-key` header and the key stores.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `tm_mcp_…abcd`: enough to tell two keys apart, useless to an attacker.
    pub fn masked(&self) -> String {
        let tail = &self.0[self.0.len() - 4..];
        format!("{MCP_PREFIX}…{tail}")
    }
}

impl fmt::Debug for McpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "McpKey({})", self.masked())
    }
}

impl fmt::Display for McpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Why a string is not a usable MCP key. The messages never echo the string itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the key is a {prefix} ({kind}) collaboration key: collaboration keys call your own endpoints and never work for MCP, which needs a tm_mcp_ key"
    )]
    Collaboration {
        prefix: &'static str,
        kind: &'static str,
    },
    #[error(
        "the key is not an MCP key: it should be tm_mcp_ followed by at least 16 letters, digits, '_' or '-'"
    )]
    NotMcp,
}

impl KeyError {
    pub fn hint(&self) -> String {
        format!("generate an MCP key under {KEY_ORIGIN}, then run `3minapi auth login`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "tm_mcp_test0000000000000000abcd";

    #[test]
    fn debug_and_display_mask_the_key() {
        let key = McpKey::parse(GOOD).unwrap();
        assert_eq!(key.to_string(), "tm_mcp_…abcd");
        assert_eq!(format!("{key:?}"), "McpKey(tm_mcp_…abcd)");
        assert!(!format!("{key:?}{key}").contains("test0000"));
        assert_eq!(key.expose(), GOOD);
    }

    #[test]
    fn collaboration_keys_are_refused_by_kind() {
        let e = McpKey::parse("tm_live_test00000000000000000000").unwrap_err();
        assert!(
            e.to_string()
                .contains("tm_live_ (production) collaboration key")
        );
        let e = McpKey::parse("tm_test_test00000000000000000000").unwrap_err();
        assert!(
            e.to_string()
                .contains("tm_test_ (sandbox) collaboration key")
        );
    }

    #[test]
    fn shape_is_checked() {
        assert_eq!(McpKey::parse("tm_mcp_short"), Err(KeyError::NotMcp));
        assert_eq!(
            McpKey::parse("tm_mcp_test0000 0000000000000"),
            Err(KeyError::NotMcp)
        );
        assert_eq!(
            McpKey::parse("sk-test00000000000000000000"),
            Err(KeyError::NotMcp)
        );
        assert!(McpKey::parse("tm_mcp_test000000000-_AZ").is_ok());
    }
}
