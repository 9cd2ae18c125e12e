//! Webhook secrets in the notifier, the one process that holds them in clear, and only in memory
//! (CONTRACT.md, "Access (v2)"): `POST /v1/rules` takes a secret in clear and [`seal`]s it with
//! the newest key of the [`KeyRing`] before the rule is appended; a delivery opens it just to
//! sign, and drops (and wipes) it right after. The log, the database, alert records, answers
//! and log lines hold the sealed form or the mask (`sealed:<key id>`), never the secret.
//!
//! [`Secrets`] is what the service holds: the ring when one is configured
//! (`LIAISON_NOTIFIER_SECRETS_KEY_FILE` or `LIAISON_NOTIFIER_SECRETS_KEYS`), and which problems
//! it has told the log about already, so that a missing key is said once, not at every attempt.

pub mod keyring;
pub mod seal;

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

use liaison_proto::events::{SealedSecret, WebhookSecret};
use zeroize::Zeroizing;

pub use keyring::{KeyRing, KeyRingError};
pub use seal::{OpenError, SealError};

use crate::config::SecretsArgs;
use crate::delivery::signature::secret_key;
use crate::delivery::webhook::AttemptFailure;
use crate::store::StoredRule;

/// The setting of the key file.
pub const KEY_FILE_ENV: &str = "LIAISON_NOTIFIER_SECRETS_KEY_FILE";
/// The setting of the keys themselves.
pub const KEYS_ENV: &str = "LIAISON_NOTIFIER_SECRETS_KEYS";
/// The largest key file read: a few hundred keys (each entry is about 60 bytes).
pub const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// The keys of this notifier, if any, and what it has warned about.
#[derive(Debug, Default)]
pub struct Secrets {
    ring: Option<KeyRing>,
    warned: Mutex<HashSet<String>>,
}

/// Why a webhook secret could not be sealed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealFailure {
    /// This notifier has no secrets key.
    #[error(
        "this notifier has no secrets key to seal webhook secrets with: set {KEY_FILE_ENV} (a \
         file of `key_id:base64-key` lines, newest first) or {KEYS_ENV}"
    )]
    NoKey,
    /// Sealing failed.
    #[error(transparent)]
    Seal(#[from] SealError),
}

impl Secrets {
    /// Secrets sealed and opened with `ring` (none: webhook rules cannot be created, and
    /// deliveries of sealed secrets fail as `key_missing`).
    pub fn new(ring: Option<KeyRing>) -> Self {
        Self {
            ring,
            warned: Mutex::default(),
        }
    }

    /// The keys the settings name: the key file, or the variable; neither is no keys. An
    /// unreadable file, a malformed entry or both settings at once is an error that says which.
    pub fn load(args: &SecretsArgs) -> Result<Self, String> {
        let keys = args.keys.as_deref().filter(|k| !k.trim().is_empty());
        let file = args
            .key_file
            .as_deref()
            .filter(|f| !f.as_os_str().is_empty());
        let ring = match (file, keys) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "both {KEY_FILE_ENV} and {KEYS_ENV} are set; set one (the file is safer: \
                     the environment of a process is visible to more than its files)"
                ));
            }
            (Some(path), None) => {
                let text = read_key_file(path)?;
                let source = format!("{KEY_FILE_ENV} ({})", path.display());
                Some(KeyRing::parse(&text, &source).map_err(|e| e.to_string())?)
            }
            (None, Some(keys)) => Some(KeyRing::parse(keys, KEYS_ENV).map_err(|e| e.to_string())?),
            (None, None) => None,
        };
        Ok(Self::new(ring))
    }

    /// The keys, when configured.
    pub fn ring(&self) -> Option<&KeyRing> {
        self.ring.as_ref()
    }

    /// `secret` sealed with the newest key for rule `rule_id` delivering to `url`.
    pub fn seal(
        &self,
        rule_id: &str,
        url: &str,
        secret: &str,
    ) -> Result<SealedSecret, SealFailure> {
        let ring = self.ring.as_ref().ok_or(SealFailure::NoKey)?;
        Ok(seal::seal(ring, rule_id, url, secret)?)
    }

    /// Whether `existing` (a rule's sealed secret) opens to `secret` for `rule_id` and `url`:
    /// the same secret sent again keeps its sealed form, so that posting a rule again changes
    /// nothing. Compared as SHA-256 digests, so the time taken tells nothing of the secret.
    pub fn holds(&self, rule_id: &str, url: &str, existing: &WebhookSecret, secret: &str) -> bool {
        use sha2::{Digest, Sha256};
        let (Some(ring), Some(sealed)) = (&self.ring, existing.sealed()) else {
            return false;
        };
        seal::open(ring, rule_id, url, sealed)
            .is_ok_and(|clear| Sha256::digest(clear.as_bytes()) == Sha256::digest(secret))
    }

    /// The HMAC key to sign a delivery of rule `rule_id` to `url` with, from the rule's
    /// `secret`; wiped from memory when dropped. A failure is the attempt's class:
    /// `key_missing` when the secret's key is not among this notifier's keys, `bad_secret` when
    /// it does not open or is not a usable key. Each problem is logged once.
    pub fn signing_key(
        &self,
        rule_id: &str,
        url: &str,
        secret: Option<&WebhookSecret>,
    ) -> Result<Zeroizing<Vec<u8>>, AttemptFailure> {
        let clear = match secret {
            None => {
                self.warn_once(format!("none/{rule_id}"), || {
                    tracing::warn!(rule = rule_id, "no webhook secret is known for this rule and URL; its webhook attempts fail as bad_secret")
                });
                return Err(AttemptFailure::BadSecret);
            }
            Some(WebhookSecret::Clear(clear)) => {
                self.warn_once(format!("clear/{rule_id}"), || warn_clear(rule_id));
                Zeroizing::new(clear.clone())
            }
            Some(WebhookSecret::Sealed(sealed)) => {
                let Some(ring) = &self.ring else {
                    self.warn_once(format!("key/{}", sealed.key_id), || {
                        tracing::warn!(rule = rule_id, key_id = %sealed.key_id, "this notifier has no secrets key ({KEY_FILE_ENV} or {KEYS_ENV}): webhook attempts fail as key_missing");
                    });
                    return Err(AttemptFailure::KeyMissing);
                };
                match seal::open(ring, rule_id, url, sealed) {
                    Ok(clear) => clear,
                    Err(OpenError::KeyMissing(key_id)) => {
                        self.warn_once(format!("key/{key_id}"), || {
                            warn_key_missing(&key_id, rule_id)
                        });
                        return Err(AttemptFailure::KeyMissing);
                    }
                    Err(e @ OpenError::Damaged(_)) => {
                        self.warn_once(format!("damaged/{rule_id}"), || {
                            tracing::warn!(rule = rule_id, error = %e, "a webhook secret does not open; its attempts fail as bad_secret");
                        });
                        return Err(AttemptFailure::BadSecret);
                    }
                }
            }
        };
        secret_key(&clear)
            .map(Zeroizing::new)
            .map_err(|_| AttemptFailure::BadSecret)
    }

    /// Tells the log, once at start, what will keep webhooks of `rules` from being signed: key
    /// ids no configured key has, and secrets in clear from before sealing.
    pub fn audit<'a>(&self, rules: impl IntoIterator<Item = &'a StoredRule>) {
        for rule in rules.into_iter().filter(|r| !r.deleted) {
            let Some(webhook) = &rule.rule.deliver.webhook else {
                continue;
            };
            let id = rule.rule.id.as_str();
            match &webhook.secret {
                WebhookSecret::Clear(_) => {
                    self.warn_once(format!("clear/{id}"), || warn_clear(id));
                }
                WebhookSecret::Sealed(sealed)
                    if !self
                        .ring
                        .as_ref()
                        .is_some_and(|r| r.contains(&sealed.key_id)) =>
                {
                    self.warn_once(format!("key/{}", sealed.key_id), || {
                        warn_key_missing(&sealed.key_id, id)
                    });
                }
                WebhookSecret::Sealed(_) => {}
            }
        }
    }

    fn warn_once(&self, what: String, warn: impl FnOnce()) {
        let first = self
            .warned
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(what);
        if first {
            warn();
        }
    }
}

fn warn_key_missing(key_id: &str, rule_id: &str) {
    tracing::warn!(
        key_id,
        rule = rule_id,
        "no secrets key '{key_id}' among this notifier's keys ({KEY_FILE_ENV} or {KEYS_ENV}): \
         webhook attempts of the rules it sealed fail as key_missing until the key is listed \
         again (keep old keys after the newest one when rotating)"
    );
}

fn warn_clear(rule_id: &str) {
    tracing::warn!(
        rule = rule_id,
        "the webhook secret of this rule is in clear in the log (it was created before secrets \
         were sealed); it is still used to sign, but every reader of the log can see it: delete \
         the rule and create it again with a new secret (the new one is sealed)"
    );
}

/// The text of the key file at `path`, at most [`MAX_KEY_FILE_BYTES`]; warns when others than
/// its owner may read it.
fn read_key_file(path: &Path) -> Result<String, String> {
    let cannot = |e: std::io::Error| format!("{KEY_FILE_ENV}: cannot read {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(cannot)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata().map_err(cannot)?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{:o}", mode & 0o777),
                "the secrets key file may be read by other users than its owner; make it 0600"
            );
        }
    }
    let mut text = String::new();
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(cannot)?;
    if text.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(format!(
            "{KEY_FILE_ENV}: {} is longer than {MAX_KEY_FILE_BYTES} bytes; it should hold a few \
             `key_id:base64-key` lines",
            path.display()
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    fn args(key_file: Option<&Path>, keys: Option<&str>) -> SecretsArgs {
        SecretsArgs {
            key_file: key_file.map(Path::to_path_buf),
            keys: keys.map(Into::into),
        }
    }

    #[test]
    fn keys_come_from_the_file_or_the_variable_not_both() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        std::fs::write(&path, format!("file-key:{KEY_A}\n")).unwrap();
        let from_file = Secrets::load(&args(Some(&path), None)).unwrap();
        assert_eq!(from_file.ring().unwrap().newest_id(), "file-key");
        let from_env = Secrets::load(&args(None, Some(&format!("env-key:{KEY_A}")))).unwrap();
        assert_eq!(from_env.ring().unwrap().newest_id(), "env-key");
        assert!(
            Secrets::load(&args(None, Some("")))
                .unwrap()
                .ring()
                .is_none()
        );
        assert!(Secrets::load(&args(None, None)).unwrap().ring().is_none());
        let both = Secrets::load(&args(Some(&path), Some(&format!("e:{KEY_A}")))).unwrap_err();
        assert!(
            both.contains(KEY_FILE_ENV) && both.contains(KEYS_ENV),
            "{both}"
        );
        let missing = Secrets::load(&args(Some(&dir.path().join("nope")), None)).unwrap_err();
        assert!(missing.starts_with(KEY_FILE_ENV), "{missing}");
        std::fs::write(&path, "x".repeat(MAX_KEY_FILE_BYTES as usize + 1)).unwrap();
        let long = Secrets::load(&args(Some(&path), None)).unwrap_err();
        assert!(long.contains("longer than"), "{long}");
    }

    #[test]
    fn a_secret_sent_again_is_recognised_in_its_sealed_form() {
        let secrets = Secrets::load(&args(None, Some(&format!("a:{KEY_A}")))).unwrap();
        let sealed: WebhookSecret = secrets.seal("r", "https://h/", "s3cret").unwrap().into();
        assert!(secrets.holds("r", "https://h/", &sealed, "s3cret"));
        assert!(!secrets.holds("r", "https://h/", &sealed, "s3cret2"));
        assert!(!secrets.holds("r", "https://other/", &sealed, "s3cret"));
        let clear = WebhookSecret::Clear("s3cret".into());
        assert!(!secrets.holds("r", "https://h/", &clear, "s3cret"));
    }

    #[test]
    fn signing_fails_with_a_class_never_a_panic() {
        let secrets = Secrets::load(&args(None, Some(&format!("a:{KEY_A}")))).unwrap();
        let sealed: WebhookSecret = secrets.seal("r", "https://h/", "raw").unwrap().into();
        assert_eq!(
            secrets
                .signing_key("r", "https://h/", Some(&sealed))
                .unwrap()
                .as_slice(),
            b"raw"
        );
        assert_eq!(
            secrets.signing_key("other", "https://h/", Some(&sealed)),
            Err(AttemptFailure::BadSecret)
        );
        assert_eq!(
            secrets.signing_key("r", "https://h/", None),
            Err(AttemptFailure::BadSecret)
        );
        assert_eq!(
            Secrets::default().signing_key("r", "https://h/", Some(&sealed)),
            Err(AttemptFailure::KeyMissing)
        );
        let clear = WebhookSecret::Clear("whsec_!!".into());
        assert_eq!(
            secrets.signing_key("r", "https://h/", Some(&clear)),
            Err(AttemptFailure::BadSecret)
        );
        let legacy = WebhookSecret::Clear("legacy".into());
        assert_eq!(
            secrets
                .signing_key("r", "https://h/", Some(&legacy))
                .unwrap()
                .as_slice(),
            b"legacy"
        );
    }
}
