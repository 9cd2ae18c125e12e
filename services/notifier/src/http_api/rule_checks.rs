//! What a rule must pass before it is appended: the rules of a `rule.created` event (the body
//! wrapped as its `data`), a readable webhook secret, a webhook URL whose address (when it names
//! one) the [`TargetPolicy`] allows, and its references (organizations, an existing rule of the
//! same id) against what this instance has applied.

use chrono::{DateTime, Utc};
use liaison_proto::events::{OrganizationRegistered, PersonRegistered, RuleCreated};
use liaison_proto::validate::{
    KnownEvent, KnownRule, Registry, check_references_with, is_noop, validate_submission,
};
use liaison_proto::{ClientEvent, EventData, ValidationErrors};
use liaison_runtime::{FieldError, Problem};
use reqwest::Url;
use serde_json::{Value, json};
use uuid::Uuid;

use super::internal;
use crate::delivery::signature::{SECRET_PREFIX, secret_key};
use crate::delivery::target_policy::TargetPolicy;
use crate::model::RuleSet;
use crate::store::{Store, decode};

/// A request body checked as a `rule.created` event recorded at `now`, its webhook held to
/// `targets`: the event, and the rule it defines.
pub(super) fn validated_rule(
    body: Value,
    now: DateTime<Utc>,
    targets: &TargetPolicy,
) -> Result<(ClientEvent, RuleCreated), Problem> {
    let wrapped = json!({ "type": "rule.created", "time": now.to_rfc3339(), "data": body });
    let events =
        validate_submission(&wrapped).map_err(|e| Problem::unprocessable(field_errors(&e)))?;
    let event = events.into_iter().next().expect("one event");
    let EventData::RuleCreated(rule) = &event.event else {
        return Err(internal("validated rule is not a rule.created"));
    };
    let rule = rule.clone();
    check_secret(&rule)?;
    check_target(&rule, targets)?;
    Ok((event, rule))
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

/// A secret written as `whsec_…` must be base64 after the prefix (it is the signing key).
fn check_secret(rule: &RuleCreated) -> Result<(), Problem> {
    match &rule.deliver.webhook {
        Some(webhook)
            if webhook.secret.starts_with(SECRET_PREFIX)
                && secret_key(&webhook.secret).is_err() =>
        {
            Err(Problem::unprocessable(vec![FieldError::new(
                "/deliver/webhook/secret",
                "a secret starting with 'whsec_' must be base64 after the prefix",
            )]))
        }
        _ => Ok(()),
    }
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
