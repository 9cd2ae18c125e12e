//! The wire form of a webhook's signing secret: sealed by the notifier before it enters the log
//! (CONTRACT.md, "Access (v2)": a webhook secret never appears in clear in the log).
//!
//! A [`SealedSecret`] is the secret encrypted with XChaCha20-Poly1305 under one of the
//! notifier's keys, named by `key_id` so that the keys can rotate: new secrets are sealed with
//! the newest key, older keys stay to open older secrets. Its associated data
//! ([`SealedSecret::associated_data`]) binds it to its rule and URL, so a sealed secret copied
//! into another rule, or under another URL, does not open. The crypto itself lives in the
//! notifier (the only process that holds keys); this is the form every process reads, checks
//! and masks.

use serde::{Deserialize, Serialize};

use crate::limits::MAX_STRING_BYTES;

/// The AEAD of every sealed secret (its `alg`).
pub const SEAL_ALGORITHM: &str = "xchacha20poly1305";
/// Bytes of a nonce (XChaCha20's extended nonce: random per secret without fear of repeats).
pub const SEAL_NONCE_BYTES: usize = 24;
/// Bytes of a key.
pub const SEAL_KEY_BYTES: usize = 32;
/// Bytes the authentication tag adds to the ciphertext.
pub const SEAL_TAG_BYTES: usize = 16;
/// Longest secret in clear, in bytes (the contract's longest string).
pub const MAX_SECRET_BYTES: usize = MAX_STRING_BYTES;
/// Longest ciphertext, in bytes: the longest secret and its tag.
pub const MAX_CIPHERTEXT_BYTES: usize = MAX_SECRET_BYTES + SEAL_TAG_BYTES;
/// Longest key id, in bytes.
pub const MAX_KEY_ID_BYTES: usize = 64;
/// Characters of the base64 form (with padding) of `n` bytes.
pub const fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}
/// How a sealed secret is shown wherever a secret would be (API answers, `liaison tail`, logs):
/// this prefix and its key id, `sealed:2025-06`.
pub const SEALED_MASK_PREFIX: &str = "sealed:";
/// How a secret that is not sealed (a rule from before sealing) is shown.
pub const CLEAR_MASK: &str = "***";

/// The algorithm of a [`SealedSecret`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum SealAlgorithm {
    /// XChaCha20-Poly1305 (RFC 8439's AEAD with XChaCha20's 24-byte nonce).
    #[default]
    #[serde(rename = "xchacha20poly1305")]
    XChaCha20Poly1305,
}

/// A webhook secret encrypted by the notifier: what `rule.created` carries in the log.
///
/// `ciphertext` = XChaCha20-Poly1305 (key `key_id`, `nonce`, the secret's UTF-8 bytes,
/// associated data `liaison webhook secret v1` NUL `key_id` NUL the rule's id NUL the webhook
/// URL) with its 16-byte tag appended; `nonce` (24 random bytes) and `ciphertext` in standard
/// base64 with padding. The associated data binds it to its rule and URL: moved into another
/// rule or under another URL, it does not open.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SealedSecret {
    /// The AEAD: `xchacha20poly1305`.
    pub alg: SealAlgorithm,
    /// Which of the notifier's keys sealed it (letters, digits, `.`, `_`, `-`).
    #[schemars(length(min = 1, max = MAX_KEY_ID_BYTES), regex(pattern = r"^[A-Za-z0-9._-]+$"))]
    pub key_id: String,
    /// 24 random bytes, base64.
    #[schemars(length(min = base64_len(SEAL_NONCE_BYTES), max = base64_len(SEAL_NONCE_BYTES)))]
    pub nonce: String,
    /// The encrypted secret and its tag, base64.
    #[schemars(length(
        min = base64_len(1 + SEAL_TAG_BYTES),
        max = base64_len(MAX_CIPHERTEXT_BYTES)
    ))]
    pub ciphertext: String,
}

impl SealedSecret {
    /// The associated data of a secret sealed with key `key_id` for rule `rule_id` delivering
    /// to `url`: `liaison webhook secret v1`, NUL, the key id, NUL, the rule id, NUL, the URL.
    /// None of them can hold a NUL (a slug, a key id and a URL without control characters), so
    /// no two triples give the same bytes.
    pub fn associated_data(key_id: &str, rule_id: &str, url: &str) -> Vec<u8> {
        let mut ad = Vec::with_capacity(32 + key_id.len() + rule_id.len() + url.len());
        for (i, part) in ["liaison webhook secret v1", key_id, rule_id, url]
            .iter()
            .enumerate()
        {
            if i > 0 {
                ad.push(0);
            }
            ad.extend_from_slice(part.as_bytes());
        }
        ad
    }

    /// How it is shown: `sealed:<key id>`.
    pub fn mask(&self) -> String {
        format!("{SEALED_MASK_PREFIX}{}", self.key_id)
    }
}

impl std::fmt::Debug for SealedSecret {
    /// The key id only: the ciphertext tells a reader of logs nothing, and is long.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedSecret")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// What is wrong with `s` as a key id, if anything: 1 to [`MAX_KEY_ID_BYTES`] ASCII letters,
/// digits, `.`, `_` or `-` (so it fits in a key file line, a log line and an associated data
/// without quoting).
pub fn key_id_problem(s: &str) -> Option<String> {
    if s.is_empty() || s.len() > MAX_KEY_ID_BYTES {
        return Some(format!("a key id is 1 to {MAX_KEY_ID_BYTES} bytes"));
    }
    (!s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')))
    .then(|| "a key id holds only ASCII letters, digits, '.', '_' and '-'".to_owned())
}

/// A webhook secret as a `rule.created` holds it.
///
/// Only [`WebhookSecret::Sealed`] passes validation, so every rule that enters the log, or is
/// applied from it, after sealing came in has a sealed secret. [`WebhookSecret::Clear`] reads
/// what was written before: a notifier's own database of rules applied back then (see the
/// notifier's README on existing data). Its `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum WebhookSecret {
    /// Sealed by the notifier.
    Sealed(SealedSecret),
    /// In clear, from before sealing; refused by validation.
    Clear(String),
}

impl WebhookSecret {
    /// How it is shown: `sealed:<key id>`, or [`CLEAR_MASK`].
    pub fn mask(&self) -> String {
        match self {
            Self::Sealed(s) => s.mask(),
            Self::Clear(_) => CLEAR_MASK.to_owned(),
        }
    }

    /// The sealed secret, unless it is in clear.
    pub fn sealed(&self) -> Option<&SealedSecret> {
        match self {
            Self::Sealed(s) => Some(s),
            Self::Clear(_) => None,
        }
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sealed(s) => s.fmt(f),
            Self::Clear(_) => f.write_str("Clear(<redacted>)"),
        }
    }
}

impl From<SealedSecret> for WebhookSecret {
    fn from(s: SealedSecret) -> Self {
        Self::Sealed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed() -> SealedSecret {
        SealedSecret {
            alg: SealAlgorithm::XChaCha20Poly1305,
            key_id: "2025-06".into(),
            nonce: "A".repeat(32),
            ciphertext: "B".repeat(24),
        }
    }

    #[test]
    fn a_sealed_secret_is_an_object_with_its_algorithm() {
        let v = serde_json::to_value(WebhookSecret::from(sealed())).unwrap();
        assert_eq!(v["alg"], SEAL_ALGORITHM);
        assert_eq!(v["key_id"], "2025-06");
        let back: WebhookSecret = serde_json::from_value(v).unwrap();
        assert_eq!(back, WebhookSecret::Sealed(sealed()));
        let clear: WebhookSecret = serde_json::from_value(serde_json::json!("s3cret")).unwrap();
        assert_eq!(clear, WebhookSecret::Clear("s3cret".into()));
    }

    #[test]
    fn masks_and_debug_never_show_the_secret() {
        assert_eq!(WebhookSecret::from(sealed()).mask(), "sealed:2025-06");
        let clear = WebhookSecret::Clear("s3cret".into());
        assert_eq!(clear.mask(), CLEAR_MASK);
        assert!(!format!("{clear:?}").contains("s3cret"));
        assert!(!format!("{:?}", sealed()).contains("BBBB"));
    }

    #[test]
    fn associated_data_separates_its_parts() {
        assert_ne!(
            SealedSecret::associated_data("k", "ab", "https://h/"),
            SealedSecret::associated_data("k", "a", "bhttps://h/")
        );
        assert_ne!(
            SealedSecret::associated_data("k1", "r", "https://h/"),
            SealedSecret::associated_data("k", "1r", "https://h/")
        );
    }

    #[test]
    fn key_ids_are_short_plain_tokens() {
        for ok in ["k1", "2025-06", "prod.v2_a"] {
            assert_eq!(key_id_problem(ok), None, "{ok}");
        }
        for bad in ["", "a:b", "a b", "é", &"k".repeat(65)] {
            assert!(key_id_problem(bad).is_some(), "{bad}");
        }
    }
}
