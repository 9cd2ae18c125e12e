//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>): what the notifier sends
//! with every webhook call, and how a receiver checks it.
//!
//! - `webhook-id`: the alert id (the same on every retry, so a receiver can drop duplicates);
//! - `webhook-timestamp`: seconds since the epoch when the attempt was made;
//! - `webhook-signature`: `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")).
//!
//! The key is the rule's secret: a secret written `whsec_<base64>` (the Standard Webhooks form)
//! is the base64-decoded bytes after the prefix; any other secret is used as its raw UTF-8 bytes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of a base64 secret in the Standard Webhooks form.
pub const SECRET_PREFIX: &str = "whsec_";

/// A secret that starts with [`SECRET_PREFIX`] but is not base64 after it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a secret starting with 'whsec_' must be base64 after the prefix")]
pub struct BadSecret;

/// The HMAC key of `secret` (see the module docs).
pub fn secret_key(secret: &str) -> Result<Vec<u8>, BadSecret> {
    match secret.strip_prefix(SECRET_PREFIX) {
        Some(encoded) => STANDARD.decode(encoded).map_err(|_| BadSecret),
        None => Ok(secret.as_bytes().to_vec()),
    }
}

/// The `webhook-signature` value for `body` sent as message `id` at `timestamp`.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Whether `header` (a space-separated list of `v1,<sig>`, as Standard Webhooks allows)
/// holds a valid signature of `body` for `id` and `timestamp` under `key`.
pub fn verify(key: &[u8], id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    header.split(' ').any(|candidate| {
        candidate
            .strip_prefix("v1,")
            .and_then(|sig| STANDARD.decode(sig).ok())
            .is_some_and(|sig| mac.clone().verify_slice(&sig).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_webhooks_reference_vector() {
        // From the Standard Webhooks reference libraries' tests.
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        let sig = sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(verify(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            body,
            &sig
        ));
        assert!(!verify(&key, "msg_other", 1614265330, body, &sig));
    }

    #[test]
    fn raw_secrets_are_their_bytes() {
        assert_eq!(secret_key("s3cret").unwrap(), b"s3cret");
        assert_eq!(secret_key("whsec_!!"), Err(BadSecret));
    }
}
