//! Wire types of the effect previews: what accepting an event *would* change, asked before it is
//! appended (the console's review queue shows them beside a candidate).
//!
//! - The projection's `POST /v1/preview` takes one event as `POST /v1/events` takes it
//!   ([`crate::ClientEvent`]) and answers an [`EffectPreview`]: for each pair-topic the event
//!   touches, its current status and since, now and after the event — the domain's ledger
//!   applied in memory over the stored facts, nothing stored.
//! - The notifier's `POST /v1/rules/preview` takes a [`RulesPreviewRequest`] (the transitions of
//!   a preview and the event's type and factuality) and answers the rules that would fire
//!   ([`RulesPreview`]).
//!
//! Both are reads; both are bounded by the events' limits ([`MAX_PAIR_TOPICS`]).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::limits::MAX_PAIR_TOPICS;
use crate::{BusinessTime, EventType, Factuality, Slug, Status};

/// The current status of one pair-topic before or after the previewed event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusAt {
    /// The status.
    pub status: Status,
    /// When the fact that brought it happened (absent for `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<BusinessTime>,
    /// The event of that fact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_event: Option<Uuid>,
}

/// What the previewed event would do to one pair-topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PairTopicEffect {
    /// The first organization (the smaller slug).
    pub a: Slug,
    /// The second organization.
    pub b: Slug,
    /// The topic (`general` for an event without topics).
    pub topic: Slug,
    /// The current status now.
    pub now: StatusAt,
    /// The current status once the event is applied.
    pub after: StatusAt,
    /// Whether the status would change.
    pub changed: bool,
}

/// The answer of the projection's `POST /v1/preview`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EffectPreview {
    /// The event's id, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Uuid>,
    /// Its type.
    pub event_type: EventType,
    /// Its factuality (what the alert rules match on).
    pub factuality: Factuality,
    /// The projection already applied an event of this id: appending it again changes nothing,
    /// and `effects` says so (now = after).
    pub already_applied: bool,
    /// The log sequence the projection had applied when it answered: the preview is of the
    /// facts up to it.
    pub checkpoint: u64,
    /// One per pair-topic the event touches, in the ledger's order; empty for an event that
    /// concerns no pair (a registration, a rule).
    #[schemars(length(max = MAX_PAIR_TOPICS))]
    pub effects: Vec<PairTopicEffect>,
}

/// One status transition, as the notifier's rules read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionPreview {
    /// The first organization (the smaller slug).
    pub a: Slug,
    /// The second organization.
    pub b: Slug,
    /// The topic.
    pub topic: Slug,
    /// The current status before.
    pub before: Status,
    /// The current status after.
    pub after: Status,
}

/// The body of the notifier's `POST /v1/rules/preview`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesPreviewRequest {
    /// The type of the event that would cause the transitions.
    pub event_type: EventType,
    /// Its factuality.
    pub factuality: Factuality,
    /// The transitions (e.g. an [`EffectPreview`]'s effects as `now` → `after`).
    #[schemars(length(max = MAX_PAIR_TOPICS))]
    pub transitions: Vec<TransitionPreview>,
}

/// A rule that would fire for one transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleFiring {
    /// The rule's id.
    pub rule: Slug,
    /// Its name, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether it is a built-in rule.
    pub builtin: bool,
    /// The index of the transition in the request.
    pub transition: usize,
}

/// The answer of the notifier's `POST /v1/rules/preview`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RulesPreview {
    /// Every (rule, transition) that would fire, transitions in request order, rules by id.
    pub firings: Vec<RuleFiring>,
}

impl From<&PairTopicEffect> for TransitionPreview {
    fn from(e: &PairTopicEffect) -> Self {
        Self {
            a: e.a.clone(),
            b: e.b.clone(),
            topic: e.topic.clone(),
            before: e.now.status,
            after: e.after.status,
        }
    }
}
