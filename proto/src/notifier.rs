//! The notifier's HTTP answers (`GET /v1/alerts`, `GET /v1/rules`) and the records its instances
//! exchange on the alerts stream to share webhook delivery: typed here so that the notifier, the
//! CLI and the tests read one definition, and so that their JSON Schemas are generated.
//!
//! - [`AlertView`] / [`AlertList`]: an alert with its delivery state, one per target
//!   ([`AlertDelivery`]), and a page of them;
//! - [`RuleView`] / [`RuleList`]: a rule as answered, its webhook secret masked
//!   ([`WebhookView`]), and a page of them;
//! - [`AlertsRequest`] / [`RulesRequest`]: the query strings of `GET /v1/alerts` and
//!   `GET /v1/rules` (read with [`crate::query::params`], so an unknown name is refused);
//! - [`WebhookOutcome`]: one webhook attempt, published by the instance that made it on
//!   [`crate::subjects::alert_outcome_subject`], applied by every instance;
//! - [`RedeliveryRequest`]: a new round of webhook attempts, published on
//!   [`crate::subjects::alert_redeliver_subject`] and taken by the shared work consumer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Alert;
use crate::events::{Delivery, Evidence, RuleCreated, RuleMatch, Webhook};
use crate::subjects::alert_subject;

/// Alerts or rules on a page when `limit` is not given.
pub const DEFAULT_PAGE: u32 = 100;
/// The largest `limit` of `GET /v1/alerts` and `GET /v1/rules`.
pub const MAX_PAGE: u32 = 1000;

/// What a webhook secret in clear (a rule from before sealing) is shown as in every answer; a
/// sealed one is shown as `sealed:<key id>` ([`crate::events::WebhookSecret::mask`]).
pub const SECRET_MASK: &str = crate::events::CLEAR_MASK;
/// Most attempts kept per target (the oldest are dropped beyond).
pub const MAX_ATTEMPTS_KEPT: usize = 50;

/// Where an alert goes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// The alerts stream, `liaison.alerts.<rule>` (and the rule's extra subject, if any).
    Nats,
    /// The rule's webhook.
    Webhook,
}

impl TargetKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nats => "nats",
            Self::Webhook => "webhook",
        }
    }
}

/// The delivery state of a target, and of an alert as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not delivered yet; an attempt is scheduled or running.
    Pending,
    /// Delivered (at least once).
    Delivered,
    /// Every attempt failed: the dead-letter state, until a redelivery.
    Failed,
}

impl DeliveryState {
    /// Every state, in the order of a delivery.
    pub const ALL: [Self; 3] = [Self::Pending, Self::Delivered, Self::Failed];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "delivered" => Some(Self::Delivered),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }

    /// Whether no attempt follows (delivered or failed).
    pub fn is_final(self) -> bool {
        self != Self::Pending
    }
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Attempt {
    /// 1 for the first attempt of a round (a redelivery starts a new round).
    pub number: u32,
    /// When it was made.
    pub at: DateTime<Utc>,
    /// Whether it succeeded.
    pub ok: bool,
    /// What happened (`HTTP 200`, `HTTP 500`, a connection error, a NATS error).
    pub detail: String,
}

/// The delivery of one alert to one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertDelivery {
    /// Which target.
    pub kind: TargetKind,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts of the current round (a redelivery starts a new one).
    pub round_attempts: u32,
    /// Every attempt (at most [`MAX_ATTEMPTS_KEPT`], the newest).
    pub attempts: Vec<Attempt>,
    /// When the next attempt is due, while pending and when known to this instance.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was first delivered.
    pub delivered_at: Option<DateTime<Utc>>,
}

impl AlertDelivery {
    /// A target due at `at` (`None`: another instance may make the attempt).
    pub fn pending(kind: TargetKind, at: Option<DateTime<Utc>>) -> Self {
        Self {
            kind,
            state: DeliveryState::Pending,
            round_attempts: 0,
            attempts: Vec::new(),
            next_attempt_at: at,
            delivered_at: None,
        }
    }

    /// Records an attempt, keeping at most [`MAX_ATTEMPTS_KEPT`].
    pub fn push_attempt(&mut self, attempt: Attempt) {
        self.attempts.push(attempt);
        if self.attempts.len() > MAX_ATTEMPTS_KEPT {
            let excess = self.attempts.len() - MAX_ATTEMPTS_KEPT;
            self.attempts.drain(..excess);
        }
    }
}

/// An alert as `GET /v1/alerts` and `GET /v1/alerts/{id}` answer it: the alert's own fields,
/// then its delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertView {
    /// The alert (its fields at the top level).
    #[serde(flatten)]
    pub alert: Alert,
    /// `failed` if a target failed, else `pending` if one is pending, else `delivered`.
    pub state: DeliveryState,
    /// When the causing event was stored in the log (the same on every instance).
    pub raised_at: DateTime<Utc>,
    /// One per target, with every attempt.
    pub deliveries: Vec<AlertDelivery>,
    /// The rule's webhook URL when the alert was raised, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
}

impl AlertView {
    /// The state of an alert with these deliveries (see [`AlertView::state`]).
    pub fn state_of(deliveries: &[AlertDelivery]) -> DeliveryState {
        if deliveries.iter().any(|t| t.state == DeliveryState::Failed) {
            DeliveryState::Failed
        } else if deliveries.iter().any(|t| t.state == DeliveryState::Pending) {
            DeliveryState::Pending
        } else {
            DeliveryState::Delivered
        }
    }
}

/// A page of `GET /v1/alerts`, in log order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertList {
    /// The alerts of this page.
    pub alerts: Vec<AlertView>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

/// A rule as `GET /v1/rules`, `GET /v1/rules/{id}` and `POST /v1/rules` answer it: its
/// definition, the webhook secret masked (`sealed:<key id>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleView {
    /// The rule's slug id.
    pub id: crate::Slug,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the rule matches.
    #[serde(rename = "match")]
    pub matcher: RuleMatch,
    /// Where its alerts go besides `subject` (webhook secret masked).
    #[serde(default)]
    pub deliver: DeliveryView,
    /// Where the rule comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Whether it is built in (cannot be redefined or deleted).
    pub builtin: bool,
    /// The NATS subject its alerts are published on, `liaison.alerts.<id>`.
    pub subject: String,
    /// The log sequence of its `rule.created` event (absent for built-in rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
}

impl RuleView {
    /// The view of `rule`, its secret masked.
    pub fn new(rule: &RuleCreated, builtin: bool, sequence: Option<u64>) -> Self {
        Self {
            id: rule.id.clone(),
            name: rule.name.clone(),
            matcher: rule.matcher.clone(),
            deliver: DeliveryView::new(&rule.deliver),
            evidence: rule.evidence.clone(),
            summary: rule.summary.clone(),
            builtin,
            subject: alert_subject(rule.id.as_str()),
            sequence,
        }
    }
}

/// Where a rule's alerts go, as answered: [`Delivery`] with the webhook secret masked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DeliveryView {
    /// An extra NATS subject it publishes on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nats_subject: Option<String>,
    /// The webhook it calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<WebhookView>,
}

impl DeliveryView {
    /// The view of `deliver`, its webhook secret masked.
    pub fn new(deliver: &Delivery) -> Self {
        Self {
            nats_subject: deliver.nats_subject.clone(),
            webhook: deliver.webhook.as_ref().map(WebhookView::new),
        }
    }
}

/// A rule's webhook, as answered: the URL, and the secret masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WebhookView {
    /// Where alerts are posted.
    pub url: String,
    /// `sealed:<key id>`: which of the notifier's keys sealed the secret (`***` for a secret
    /// from before sealing). Never the secret.
    pub secret: String,
}

impl WebhookView {
    /// The view of `webhook`.
    pub fn new(webhook: &Webhook) -> Self {
        Self {
            url: webhook.url.clone(),
            secret: webhook.secret.mask(),
        }
    }
}

/// A page of `GET /v1/rules`: the built-in rules first, then the others by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleList {
    /// The live rules of this page.
    pub rules: Vec<RuleView>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// The query of `GET /v1/alerts`. The values are checked by the notifier, which answers every
/// malformed one at once (`422`, one error per parameter, with the pointer `/<name>`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertsRequest {
    /// Only alerts of this rule (a rule id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Only alerts in this state: `pending`, `delivered` or `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Only alerts raised at or after this date or RFC 3339 time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Alerts on the page (default 100, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_PAGE))]
    pub limit: Option<u64>,
    /// The next page ([`AlertList::next_cursor`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// The query of `GET /v1/rules`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesRequest {
    /// Rules on the page (default 100, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_PAGE))]
    pub limit: Option<u64>,
    /// The next page ([`RuleList::next_cursor`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One webhook attempt on an alert, published by the instance that made it on
/// `liaison.alerts._outcome.<alert id>` (`Nats-Msg-Id` = `<alert id>.<round>.<number>`) and
/// applied by every instance, so that every `GET /v1/alerts` shows the same delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WebhookOutcome {
    /// The alert.
    pub alert_id: Uuid,
    /// The round: the alerts-stream sequence of the message that started it (the alert itself,
    /// or a [`RedeliveryRequest`]).
    pub round: u64,
    /// What was tried, when, and how it ended.
    pub attempt: Attempt,
    /// The webhook's state after it: `pending` (another attempt follows), `delivered`, `failed`.
    pub state: DeliveryState,
}

/// A request for a new round of webhook attempts on an alert (`POST /v1/alerts/{id}/redeliver`),
/// published on `liaison.alerts._redeliver.<alert id>` and taken by the one instance that the
/// shared work consumer hands it to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RedeliveryRequest {
    /// The alert.
    pub alert_id: Uuid,
    /// The log sequence of the alert's causing event (an instance waits until it applied it).
    pub sequence: u64,
    /// When it was requested.
    pub requested_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::new_partnership_rule;
    use crate::events::{SealAlgorithm, SealedSecret, WebhookSecret};
    use crate::{BusinessTime, Slug, Status};

    #[test]
    fn an_alert_view_flattens_the_alert() {
        let alert = Alert {
            id: Uuid::from_u128(1),
            rule: Slug::parse("deals").unwrap(),
            organizations: [Slug::parse("lg").unwrap(), Slug::parse("meta").unwrap()],
            topic: Slug::parse("xr").unwrap(),
            status: Status::Agreed,
            previous_status: Status::None,
            event_id: Uuid::from_u128(2),
            time: BusinessTime::parse("2024-01-10").unwrap(),
            sequence: 3,
        };
        let view = AlertView {
            alert,
            state: DeliveryState::Pending,
            raised_at: Utc::now(),
            deliveries: vec![AlertDelivery::pending(TargetKind::Webhook, None)],
            webhook_url: Some("http://h/".into()),
        };
        let v = serde_json::to_value(&view).unwrap();
        assert_eq!(v["rule"], "deals");
        assert_eq!(v["state"], "pending");
        assert_eq!(v["deliveries"][0]["kind"], "webhook");
        let back: AlertView = serde_json::from_value(v).unwrap();
        assert_eq!(back, view);
    }

    #[test]
    fn a_rule_view_masks_the_secret() {
        let mut rule = new_partnership_rule();
        rule.deliver.webhook = Some(Webhook {
            url: "http://h/".into(),
            secret: WebhookSecret::Sealed(SealedSecret {
                alg: SealAlgorithm::XChaCha20Poly1305,
                key_id: "2025-06".into(),
                nonce: "TjBuY2UtVGhpcnR5VHdvLUNoYXJhY3RlcnMh".into(),
                ciphertext: "Q2lwaGVydGV4dC1vZi10aGUtc2VjcmV0".into(),
            }),
        });
        let v = serde_json::to_value(RuleView::new(&rule, true, None)).unwrap();
        assert_eq!(v["deliver"]["webhook"]["secret"], "sealed:2025-06");
        assert_eq!(v["deliver"]["webhook"]["url"], "http://h/");
        assert_eq!(v["subject"], "liaison.alerts.new-partnership");
        assert!(v.get("sequence").is_none() && v.get("factuality").is_none());
        assert!(!v.to_string().contains("Q2lwaGVy"), "{v}");
        assert!(!v.to_string().contains("TjBuY2Ut"), "{v}");

        rule.deliver.webhook.as_mut().unwrap().secret = WebhookSecret::Clear("s3cret".into());
        let v = serde_json::to_value(RuleView::new(&rule, true, None)).unwrap();
        assert_eq!(v["deliver"]["webhook"]["secret"], SECRET_MASK);
        assert!(!v.to_string().contains("s3cret"));
    }

    #[test]
    fn an_old_rule_list_without_a_cursor_still_reads() {
        let list: RuleList = serde_json::from_value(serde_json::json!({"rules": []})).unwrap();
        assert_eq!(list.next_cursor, None);
    }

    #[test]
    fn the_alerts_query_refuses_an_unknown_name() {
        use crate::query::params::from_query_string;
        let q: AlertsRequest = from_query_string("state=failed&limit=5", &[]).unwrap();
        assert_eq!((q.state.as_deref(), q.limit), (Some("failed"), Some(5)));
        let e = from_query_string::<AlertsRequest>("sate=failed", &[]).unwrap_err();
        assert_eq!(
            e.detail,
            "unknown parameter 'sate'; expected one of: rule, state, since, limit, cursor"
        );
    }

    #[test]
    fn state_names_are_the_wire_names() {
        for state in DeliveryState::ALL {
            let wire = serde_json::to_value(state).unwrap();
            assert_eq!(wire, state.as_str());
            assert_eq!(DeliveryState::parse(state.as_str()), Some(state));
        }
    }

    #[test]
    fn states_combine_failed_over_pending_over_delivered() {
        let mut d = vec![
            AlertDelivery::pending(TargetKind::Nats, None),
            AlertDelivery::pending(TargetKind::Webhook, None),
        ];
        assert_eq!(AlertView::state_of(&d), DeliveryState::Pending);
        d[0].state = DeliveryState::Delivered;
        d[1].state = DeliveryState::Delivered;
        assert_eq!(AlertView::state_of(&d), DeliveryState::Delivered);
        d[1].state = DeliveryState::Failed;
        assert_eq!(AlertView::state_of(&d), DeliveryState::Failed);
    }
}
