//! Alert rules of the notifier, kept as events in the log (`rule.created`, `rule.deleted`).

use serde::{Deserialize, Serialize};

use crate::limits::{MAX_EVENT_TYPES, MAX_ORGANIZATIONS, MAX_STRING_BYTES, MAX_TOPICS};
use crate::{Factuality, Slug, Status};

use super::EventType;
use super::webhook_secret::{SealedSecret, WebhookSecret};

/// Rules that exist from the start and cannot be redefined or deleted.
pub const BUILTIN_RULES: &[&str] = &["new-partnership"];

/// How a rule's `organizations` must match an event's organizations.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum OrganizationsMode {
    /// The event names at least one of them (the default).
    #[default]
    Any,
    /// The event names all of them.
    All,
}

impl OrganizationsMode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::All => "all",
        }
    }
}

/// What a rule matches. Every non-empty list must match (an empty list matches anything).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleMatch {
    /// Event types that match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_EVENT_TYPES), extend("uniqueItems" = true))]
    pub event_types: Vec<EventType>,
    /// Organizations to watch (must be registered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_ORGANIZATIONS), extend("uniqueItems" = true))]
    pub organizations: Vec<Slug>,
    /// Whether any or all of `organizations` must be named.
    #[serde(default)]
    pub organizations_mode: OrganizationsMode,
    /// Topics to watch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_TOPICS), extend("uniqueItems" = true))]
    pub topics: Vec<Slug>,
    /// Factualities that match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = Factuality::ALL.len()), extend("uniqueItems" = true))]
    pub factuality: Vec<Factuality>,
    /// Statuses watched: the rule fires when a pair's current status on a topic changes from a
    /// status outside this set into one inside it (so `[agreed, active]` does not fire for
    /// `agreed → active`). A late fact that leaves the current status as it was fires nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = Status::ALL.len()), extend("uniqueItems" = true))]
    pub status: Vec<Status>,
}

/// A webhook target, signed per Standard Webhooks with `secret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Where to POST alerts (http or https).
    #[schemars(length(min = 1, max = 2048))]
    pub url: String,
    /// The HMAC-SHA256 signing secret, sealed by the notifier (`POST /v1/rules` takes it in
    /// clear and seals it): a secret in clear is refused here, and never enters the log.
    #[schemars(with = "SealedSecret")]
    pub secret: WebhookSecret,
}

/// Where a rule's alerts go, besides `liaison.alerts.<rule id>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// An extra NATS subject to publish on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 255))]
    pub nats_subject: Option<String>,
    /// A webhook to call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<Webhook>,
}

event_data! {
    /// `rule.created`: an alert rule exists from now on.
    pub struct RuleCreated {
        /// The rule's slug id.
        pub id: Slug,
        /// A display name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
        pub name: Option<String>,
        /// What the rule matches.
        #[serde(rename = "match")]
        pub matcher: RuleMatch,
        /// Where its alerts go.
        #[serde(default)]
        pub deliver: Delivery,
    }
}

event_data! {
    /// `rule.deleted`: the rule `id` no longer fires.
    pub struct RuleDeleted {
        /// The rule's slug id.
        pub id: Slug,
    }
}
