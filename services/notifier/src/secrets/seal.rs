//! Sealing a webhook secret before its rule is appended, and opening it to sign a delivery:
//! XChaCha20-Poly1305 under a key of the [`KeyRing`], a random 24-byte nonce per secret, the
//! key id, rule id and URL as associated data (the wire form and its associated data are the
//! contract's, [`SealedSecret`]).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::XNonce;
use chacha20poly1305::aead::{Aead, Payload};
use liaison_proto::events::{SEAL_NONCE_BYTES, SealAlgorithm, SealedSecret};
use rand::TryRngCore;
use zeroize::Zeroizing;

use super::keyring::KeyRing;

/// Why a secret could not be sealed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The operating system gave no random bytes for the nonce.
    #[error("no random bytes from the operating system for a nonce")]
    NoRandom,
    /// The AEAD refused (a secret longer than it can take; never for the contract's sizes).
    #[error("the secret cannot be encrypted")]
    Encrypt,
}

/// Why a sealed secret could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The ring has no key of the secret's key id (removed, or never given to this notifier).
    #[error("no secrets key '{0}'")]
    KeyMissing(String),
    /// The ring has the key but the secret does not open with it: not sealed for this rule and
    /// URL, altered, or the key under that id is another one.
    #[error("the secret does not open with key '{0}' for this rule and URL")]
    Damaged(String),
}

/// `secret` sealed with the ring's newest key for rule `rule_id` delivering to `url`.
pub fn seal(
    ring: &KeyRing,
    rule_id: &str,
    url: &str,
    secret: &str,
) -> Result<SealedSecret, SealError> {
    let key = ring.newest();
    let mut nonce = [0u8; SEAL_NONCE_BYTES];
    rand::rngs::OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|_| SealError::NoRandom)?;
    let aad = SealedSecret::associated_data(&key.id, rule_id, url);
    let ciphertext = key
        .cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: secret.as_bytes(),
                aad: &aad,
            },
        )
        .map_err(|_| SealError::Encrypt)?;
    Ok(SealedSecret {
        alg: SealAlgorithm::XChaCha20Poly1305,
        key_id: key.id.clone(),
        nonce: STANDARD.encode(nonce),
        ciphertext: STANDARD.encode(ciphertext),
    })
}

/// The secret `sealed` holds, for rule `rule_id` delivering to `url`; wiped from memory when
/// dropped.
pub fn open(
    ring: &KeyRing,
    rule_id: &str,
    url: &str,
    sealed: &SealedSecret,
) -> Result<Zeroizing<String>, OpenError> {
    let key = ring
        .get(&sealed.key_id)
        .ok_or_else(|| OpenError::KeyMissing(sealed.key_id.clone()))?;
    let damaged = || OpenError::Damaged(sealed.key_id.clone());
    let nonce: [u8; SEAL_NONCE_BYTES] = STANDARD
        .decode(&sealed.nonce)
        .ok()
        .and_then(|n| n.try_into().ok())
        .ok_or_else(damaged)?;
    let ciphertext = STANDARD.decode(&sealed.ciphertext).map_err(|_| damaged())?;
    let aad = SealedSecret::associated_data(&sealed.key_id, rule_id, url);
    let clear = key
        .cipher
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &ciphertext,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| damaged())?;
    String::from_utf8(clear.to_vec())
        .map(Zeroizing::new)
        .map_err(|_| damaged())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    const KEY_B: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    const URL: &str = "https://hooks.example.com/liaison";

    fn ring(text: &str) -> KeyRing {
        KeyRing::parse(text, "test").unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_for_its_rule_and_url_only() {
        let keys = ring(&format!("a:{KEY_A}"));
        let sealed = seal(&keys, "lg-deals", URL, "whsec_c2VjcmV0").unwrap();
        assert_eq!(sealed.key_id, "a");
        assert!(!sealed.ciphertext.contains("c2VjcmV0"));
        assert_eq!(
            open(&keys, "lg-deals", URL, &sealed).unwrap().as_str(),
            "whsec_c2VjcmV0"
        );
        let damaged = Err(OpenError::Damaged("a".into()));
        assert_eq!(open(&keys, "meta-deals", URL, &sealed), damaged);
        assert_eq!(
            open(&keys, "lg-deals", "https://attacker.example/", &sealed),
            damaged
        );
        let mut altered = sealed.clone();
        altered.ciphertext = STANDARD.encode([0u8; 30]);
        assert_eq!(open(&keys, "lg-deals", URL, &altered), damaged);
    }

    #[test]
    fn every_seal_draws_a_new_nonce() {
        let keys = ring(&format!("a:{KEY_A}"));
        let one = seal(&keys, "r", URL, "same").unwrap();
        let two = seal(&keys, "r", URL, "same").unwrap();
        assert_ne!(one.nonce, two.nonce);
        assert_ne!(one.ciphertext, two.ciphertext);
    }

    #[test]
    fn rotation_seals_with_the_newest_and_opens_with_any_listed() {
        let old = seal(&ring(&format!("a:{KEY_A}")), "r", URL, "old").unwrap();
        let rotated = ring(&format!("b:{KEY_B}\na:{KEY_A}"));
        let new = seal(&rotated, "r", URL, "new").unwrap();
        assert_eq!(new.key_id, "b");
        assert_eq!(open(&rotated, "r", URL, &old).unwrap().as_str(), "old");
        assert_eq!(open(&rotated, "r", URL, &new).unwrap().as_str(), "new");
        let retired = ring(&format!("b:{KEY_B}"));
        assert_eq!(
            open(&retired, "r", URL, &old),
            Err(OpenError::KeyMissing("a".into()))
        );
        // Another key under the old id does not open it either.
        let swapped = ring(&format!("a:{KEY_B}"));
        assert_eq!(
            open(&swapped, "r", URL, &old),
            Err(OpenError::Damaged("a".into()))
        );
    }
}
