//! What a rule must pass before it is appended: the rules of a `rule.created` event (the body
//! wrapped as its `data`), a webhook secret in clear that can be a signing key, a webhook URL
//! whose address (when it names one) the [`TargetPolicy`] allows, and its references
//! (organizations, an existing rule of the same id) against what this instance has applied.
//!
//! The secret comes in clear and leaves sealed: validation of the event, shared with ingest and
//! every follower, refuses a secret in clear, so the body is validated with a stand-in of the
//! sealed secret's exact size (the event's size limit counts what is appended), and the secret
//! is sealed once everything else passed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use liaison_proto::events::{
    CLEAR_MASK, MAX_SECRET_BYTES, OrganizationRegistered, PersonRegistered, RuleCreated,
    SEAL_ALGORITHM, SEAL_NONCE_BYTES, SEAL_TAG_BYTES, SEALED_MASK_PREFIX, WebhookSecret,
};
use liaison_proto::validate::{
    KnownEvent, KnownRule, Registry, check_references_with, is_noop, validate_submission,
};
use liaison_proto::{ClientEvent, EventData, ValidationErrors};
use liaison_runtime::{FieldError, Problem};
use reqwest::Url;
use serde_json::{Value, json};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::internal;
use crate::delivery::signature::{SECRET_PREFIX, secret_key};
use crate::delivery::target_policy::TargetPolicy;
use crate::model::RuleSet;
use crate::secrets::{SealFailure, Secrets};
use crate::store::{Store, decode};

/// Where a rule's webhook secret is, in the request body.
const SECRET_POINTER: &str = "/deliver/webhook/secret";

/// A request body checked as a `rule.created` event recorded at `now`, its webhook held to
/// `targets` and its secret sealed by `secrets` (or left in the sealed form of the live rule in
/// `rules` when it is the same secret for the same URL, so that posting a rule again changes
/// nothing): the event, and the rule it defines.
pub(super) fn validated_rule(
    mut body: Value,
    now: DateTime<Utc>,
    targets: &TargetPolicy,
    secrets: &Secrets,
    rules: &RuleSet,
) -> Result<(ClientEvent, RuleCreated), Problem> {
    let secret = take_clear_secret(&mut body, secrets);
    let wrapped = json!({ "type": "rule.created", "time": now.to_rfc3339(), "data": body });
    let validated = validate_submission(&wrapped);
    let mut errors = Vec::new();
    let secret = secret.unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let events = match validated {
        Ok(events) if errors.is_empty() => events,
        Ok(_) => return Err(Problem::unprocessable(errors)),
        Err(e) => {
            errors.extend(field_errors(&e));
            return Err(Problem::unprocessable(errors));
        }
    };
    let mut event = events.into_iter().next().expect("one event");
    let EventData::RuleCreated(rule) = &event.event else {
        return Err(internal("validated rule is not a rule.created"));
    };
    let mut rule = rule.clone();
    check_target(&rule, targets)?;
    if let (Some(webhook), Some(clear)) = (&mut rule.deliver.webhook, secret) {
        let live = rules
            .get(rule.id.as_str())
            .filter(|r| !r.deleted)
            .and_then(|r| r.rule.deliver.webhook)
            .filter(|w| w.url == webhook.url);
        webhook.secret = match live {
            Some(live) if secrets.holds(rule.id.as_str(), &webhook.url, &live.secret, &clear) => {
                live.secret
            }
            _ => seal(secrets, rule.id.as_str(), &webhook.url, &clear)?,
        };
    }
    event.event = EventData::RuleCreated(rule.clone());
    Ok((event, rule))
}

/// `clear` sealed for rule `rule_id` and `url`; `503` naming the settings when this notifier has
/// no key.
fn seal(
    secrets: &Secrets,
    rule_id: &str,
    url: &str,
    clear: &str,
) -> Result<WebhookSecret, Problem> {
    match secrets.seal(rule_id, url, clear) {
        Ok(sealed) => Ok(sealed.into()),
        Err(e @ SealFailure::NoKey) => Err(Problem::unavailable(e.to_string(), None)),
        Err(e) => Err(internal(e)),
    }
}

/// Takes the webhook secret in clear out of `body`, putting in its place a stand-in of the
/// sealed form, of the size the sealed secret will have, so that the rest is validated as the
/// appended event will be. The secret, when there is one (`None` when the body has no webhook
/// object with a secret, which validation reports); or what is wrong with it, at its pointer.
fn take_clear_secret(
    body: &mut Value,
    secrets: &Secrets,
) -> Result<Option<Zeroizing<String>>, FieldError> {
    let Some(slot) = body
        .get_mut("deliver")
        .and_then(|d| d.get_mut("webhook"))
        .filter(|w| w.is_object())
        .and_then(|w| w.get_mut("secret"))
        .filter(|s| !s.is_null())
    else {
        return Ok(None);
    };
    let taken = std::mem::replace(slot, Value::Null);
    let secret = match taken {
        Value::String(s) => Zeroizing::new(s),
        other => {
            *slot = stand_in(secrets, 1);
            let detail = if other.is_object() {
                "send the secret in clear, as a string (over HTTPS): the notifier seals it \
                 itself and takes no sealed secret"
                    .to_owned()
            } else {
                "expected the secret in clear, a string".to_owned()
            };
            return Err(FieldError::new(SECRET_POINTER, detail));
        }
    };
    *slot = stand_in(secrets, secret.len().clamp(1, MAX_SECRET_BYTES));
    match clear_secret_problem(&secret) {
        Some(detail) => Err(FieldError::new(SECRET_POINTER, detail)),
        None => Ok(Some(secret)),
    }
}

/// A well-formed sealed secret of `len` bytes in clear, sealed with the newest key: what the
/// body is validated with in place of the secret.
fn stand_in(secrets: &Secrets, len: usize) -> Value {
    json!({
        "alg": SEAL_ALGORITHM,
        "key_id": secrets.ring().map_or("none", |r| r.newest_id()),
        "nonce": STANDARD.encode([0u8; SEAL_NONCE_BYTES]),
        "ciphertext": STANDARD.encode(vec![0u8; len + SEAL_TAG_BYTES]),
    })
}

/// What is wrong with `secret`, sent in clear, as a webhook's signing secret, if anything.
fn clear_secret_problem(secret: &str) -> Option<String> {
    if secret.trim().is_empty() {
        return Some("must not be empty".into());
    }
    if secret.len() > MAX_SECRET_BYTES {
        return Some(format!(
            "must be at most {MAX_SECRET_BYTES} bytes of UTF-8, got {}",
            secret.len()
        ));
    }
    if secret.chars().any(char::is_control) {
        return Some("must not hold control characters".into());
    }
    if secret.starts_with(SEALED_MASK_PREFIX) || secret == CLEAR_MASK {
        return Some(format!(
            "'{SEALED_MASK_PREFIX}…' and '{CLEAR_MASK}' are how answers mask a secret, not a \
             secret; send the secret itself"
        ));
    }
    if secret.starts_with(SECRET_PREFIX) && secret_key(secret).is_err() {
        return Some("a secret starting with 'whsec_' must be base64 after the prefix".into());
    }
    None
}

/// The webhook URL must be one the client can call, and an address written in it must be one
/// `targets` allows (a name is checked when it is resolved, at every attempt).
fn check_target(rule: &RuleCreated, targets: &TargetPolicy) -> Result<(), Problem> {
    let Some(webhook) = &rule.deliver.webhook else {
        return Ok(());
    };
    let refuse = |detail: String| {
        Problem::unprocessable(vec![FieldError::new("/deliver/webhook/url", detail)])
    };
    let url = Url::parse(&webhook.url)
        .map_err(|e| refuse(format!("the webhook URL cannot be called: {e}")))?;
    targets.check_url(&url).map_err(|forbidden| {
        refuse(format!(
            "{} is {forbidden}; this notifier allows them only with \
             LIAISON_WEBHOOK_ALLOW_PRIVATE=1",
            url.host_str().unwrap_or_default()
        ))
    })
}

/// What validation of a rule needs from the notifier's store.
pub(super) struct StoreRegistry<'a> {
    pub(super) store: &'a Store,
    pub(super) rules: &'a RuleSet,
}

impl Registry for StoreRegistry<'_> {
    fn organization(&self, id: &str) -> Option<OrganizationRegistered> {
        let bytes = self.store.organizations.get(id).ok()??;
        decode(&bytes).ok()
    }

    fn person(&self, _id: &str) -> Option<PersonRegistered> {
        None
    }

    fn event(&self, _id: &Uuid) -> Option<KnownEvent> {
        None
    }

    fn rule(&self, id: &str) -> Option<KnownRule> {
        self.rules.get(id).map(|r| KnownRule {
            rule: r.rule,
            deleted: r.deleted,
        })
    }
}

impl StoreRegistry<'_> {
    /// The references of `event` hold: `422` for an unknown organization, `409` for a different
    /// live rule of the same id.
    pub(super) fn check(&self, event: &ClientEvent) -> Result<(), Problem> {
        let Err(errors) = check_references_with(std::slice::from_ref(event), self, false) else {
            return Ok(());
        };
        let fields = field_errors(&errors);
        Err(if errors.is_conflict() {
            let detail = fields.first().map(|f| f.detail.clone()).unwrap_or_default();
            let mut p = Problem::conflict(detail);
            p.errors = fields;
            p
        } else {
            Problem::unprocessable(fields)
        })
    }

    /// Whether `event` defines the rule exactly as it stands (appending it would change nothing).
    pub(super) fn is_unchanged(&self, event: &ClientEvent) -> bool {
        is_noop(event, self)
    }
}

/// A pointer into the wrapped event (`/data/...`) as a pointer into the request body.
fn body_pointer(pointer: &str) -> String {
    pointer.strip_prefix("/data").unwrap_or(pointer).to_owned()
}

fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    errors
        .errors()
        .iter()
        .map(|e| FieldError::new(body_pointer(&e.pointer), e.detail.clone()))
        .collect()
}
