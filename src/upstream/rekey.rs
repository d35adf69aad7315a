//! The key a bridge sends, and how it heals when the server refuses it: regenerating the key on
//! the dashboard invalidates the old one at once, and `3minapi auth login` stores the new one.
//! On a 401/403 the key is looked up again (environment, keychain, file; at most once per
//! [`LOOK_AGAIN_AFTER`]); a different usable key replaces the refused one and the refused request
//! is sent again once — the server did not run it. So every open IDE session keeps working
//! after a login, with no restart.

use super::{RelayError, Upstream};
use crate::key::{KeyLookup, KeySource, McpKey};
use crate::log_warn;
use reqwest::header::HeaderValue;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A refused key is looked up again at most this often: a client retrying in a loop must not
/// make the bridge ask the keychain for every request.
pub const LOOK_AGAIN_AFTER: Duration = Duration::from_secs(2);

/// The key being sent, with what finds and masks it in what the server sends back.
pub(super) struct SentKey {
    pub header: HeaderValue,
    /// Finds the key in what the server sends, so a server that echoes it (an error page
    /// showing the request's headers) cannot put it on the client's screen or in a log.
    pub finder: memchr::memmem::Finder<'static>,
    pub masked: String,
}

impl SentKey {
    pub fn new(key: &McpKey) -> anyhow::Result<SentKey> {
        let mut header = HeaderValue::from_str(key.expose())?;
        header.set_sensitive(true);
        Ok(SentKey {
            header,
            finder: memchr::memmem::Finder::new(key.expose().as_bytes()).into_owned(),
            masked: key.masked(),
        })
    }
}

/// Looks the key up again, the way the bridge found it at start (blocking: the keychain).
pub type Lookup = Arc<dyn Fn() -> KeyLookup + Send + Sync>;

/// How a bridge finds its key again, and when it last did.
pub struct Rekey {
    lookup: Lookup,
    /// When the key was last looked up, and what the refusal then said; held while looking, so
    /// that requests refused together cause one lookup.
    last: tokio::sync::Mutex<Option<(Instant, Option<String>)>>,
}

impl Rekey {
    pub fn new(lookup: Lookup) -> Rekey {
        Rekey {
            lookup,
            last: tokio::sync::Mutex::new(None),
        }
    }
}

/// What to do with a request the server refused for its key.
pub(super) enum Heal {
    /// Another key is in use now: send it again.
    Retry,
    /// Give up: the refusal, with what the lookup found (when it explains more).
    Refused(RelayError),
}

impl Upstream {
    /// The key requests carry now.
    pub(super) fn sent_key(&self) -> Arc<SentKey> {
        self.key.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The server refused a request that carried `refused` with `status`.
    pub(super) async fn heal(&self, refused: &HeaderValue, status: u16) -> Heal {
        let give_up = |note: Option<String>| Heal::Refused(RelayError::KeyRefused { status, note });
        let Some(rekey) = &self.rekey else {
            return give_up(None);
        };
        let mut last = rekey.last.lock().await;
        if *refused != self.sent_key().header {
            // Switched while this request was out: it goes again with the new key.
            return Heal::Retry;
        }
        if let Some((at, note)) = last.as_ref()
            && at.elapsed() < LOOK_AGAIN_AFTER
        {
            return give_up(note.clone());
        }
        let lookup = rekey.lookup.clone();
        let found = tokio::task::spawn_blocking(move || lookup())
            .await
            .unwrap_or(KeyLookup::Missing { keychain: None });
        let current = self.sent_key();
        let note = match found {
            KeyLookup::Found { key, source }
                if key.expose().as_bytes() != current.header.as_bytes() =>
            {
                match SentKey::new(&key) {
                    Ok(fresh) => {
                        // A warning: the trail a user reads when a tool stopped and started again.
                        log_warn!(
                            "3Min API refused MCP key {} (HTTP {status}); switching to {} from {source}",
                            current.masked,
                            fresh.masked
                        );
                        *self.key.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
                        *last = Some((Instant::now(), None));
                        return Heal::Retry;
                    }
                    Err(e) => Some(format!("the key from {source} cannot be sent: {e}")),
                }
            }
            KeyLookup::Found {
                source: KeySource::Env,
                ..
            } => Some(format!(
                "the key comes from {}, which wins over a stored key: change it where the tool sets it, then restart the tool",
                KeySource::Env
            )),
            KeyLookup::Found { .. } => None,
            KeyLookup::Refused { error, source } => Some(format!(
                "the key stored now cannot be used either: {error} (from {source})"
            )),
            KeyLookup::Missing { .. } => None,
        };
        if let Some(n) = &note {
            log_warn!("3Min API refused MCP key {}: {n}", current.masked);
        }
        *last = Some((Instant::now(), note.clone()));
        give_up(note)
    }
}
