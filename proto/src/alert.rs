//! Alerts of the notifier: what a rule firing produces, on NATS as a CloudEvent of type
//! [`ALERT_TYPE`] and to webhooks as the bare [`Alert`]; and the built-in rule
//! [`NEW_PARTNERSHIP`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::envelope::{DATA_CONTENT_TYPE, SPEC_VERSION};
use crate::events::{RuleCreated, RuleMatch};
use crate::{BusinessTime, Factuality, Slug, Status};

/// The CloudEvents `type` of an alert on NATS.
pub const ALERT_TYPE: &str = "liaison.alert";
/// The CloudEvents `source` of alerts.
pub const NOTIFIER_SOURCE: &str = "/liaison/notifier";
/// Id of the built-in rule that fires when a pair and topic becomes a partnership.
pub const NEW_PARTNERSHIP: &str = "new-partnership";

/// One firing of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Alert {
    /// Stable id: the same on every delivery attempt and replay (a UUID v5 of rule, pair, topic
    /// and causing event, derived by `liaison_relations::alert_id_for`).
    pub id: Uuid,
    /// The rule that fired.
    pub rule: Slug,
    /// The pair, sorted.
    pub organizations: [Slug; 2],
    /// The topic on which the pair's status changed.
    pub topic: Slug,
    /// The status reached.
    pub status: Status,
    /// The status before.
    pub previous_status: Status,
    /// The event that caused it.
    pub event_id: Uuid,
    /// Business time of that event.
    pub time: BusinessTime,
    /// Log sequence of that event.
    pub sequence: u64,
}

impl Alert {
    /// Sorts a pair as alerts and queries carry it.
    pub fn sorted_pair(a: Slug, b: Slug) -> [Slug; 2] {
        if a <= b { [a, b] } else { [b, a] }
    }
}

/// An alert as published on NATS: a CloudEvents 1.0 document with the alert in `data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertEvent {
    /// Always `1.0`.
    pub specversion: String,
    /// The alert's id.
    pub id: Uuid,
    /// Always [`NOTIFIER_SOURCE`].
    pub source: String,
    /// Always [`ALERT_TYPE`].
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the alert was raised.
    pub time: DateTime<Utc>,
    /// Always `application/json`.
    pub datacontenttype: String,
    /// The alert.
    pub data: Alert,
}

impl AlertEvent {
    /// Wraps `alert`, raised at `raised_at`.
    pub fn new(alert: Alert, raised_at: DateTime<Utc>) -> Self {
        Self {
            specversion: SPEC_VERSION.to_owned(),
            id: alert.id,
            source: NOTIFIER_SOURCE.to_owned(),
            event_type: ALERT_TYPE.to_owned(),
            time: raised_at,
            datacontenttype: DATA_CONTENT_TYPE.to_owned(),
            data: alert,
        }
    }
}

/// The definition of the built-in rule [`NEW_PARTNERSHIP`]: it watches the statuses `agreed`
/// and `active` of any pair and topic, so it fires when the current status enters that set from
/// outside it (first partnership, or again after `ended`), never for `agreed → active` nor for a
/// repeated announcement. Its alerts go to `liaison.alerts.new-partnership` like every rule's.
pub fn new_partnership_rule() -> RuleCreated {
    RuleCreated {
        id: Slug::parse(NEW_PARTNERSHIP).expect("a slug"),
        name: Some("New partnership".to_owned()),
        matcher: RuleMatch {
            status: vec![Status::Agreed, Status::Active],
            ..RuleMatch::default()
        },
        deliver: Default::default(),
        factuality: Factuality::Asserted,
        evidence: None,
        summary: Some(
            "Fires when a pair and topic reaches agreed or active for the first time, \
             or again after ended."
                .to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(s: &str) -> Slug {
        Slug::parse(s).unwrap()
    }

    #[test]
    fn pairs_are_sorted() {
        let pair = Alert::sorted_pair(slug("meta"), slug("lg"));
        assert_eq!(pair[0], "lg");
    }

    #[test]
    fn alert_event_carries_the_alert() {
        let pair = Alert::sorted_pair(slug("meta"), slug("lg"));
        let event_id = Uuid::from_u128(7);
        let alert = Alert {
            id: Uuid::from_u128(42),
            rule: slug(NEW_PARTNERSHIP),
            organizations: pair,
            topic: slug("xr"),
            status: Status::Agreed,
            previous_status: Status::Negotiating,
            event_id,
            time: BusinessTime::parse("2024-02-28").unwrap(),
            sequence: 12,
        };
        let ev = AlertEvent::new(alert.clone(), Utc::now());
        let v = serde_json::to_value(&ev).unwrap();
        assert_eq!(v["type"], "liaison.alert");
        assert_eq!(
            v["data"]["organizations"],
            serde_json::json!(["lg", "meta"])
        );
        assert_eq!(v["data"]["status"], "agreed");
        let back: AlertEvent = serde_json::from_value(v).unwrap();
        assert_eq!(back.data, alert);
    }

    #[test]
    fn built_in_rule_watches_partnerships() {
        let r = new_partnership_rule();
        assert_eq!(r.id, NEW_PARTNERSHIP);
        assert!(r.matcher.status.iter().all(|s| s.is_partnership()));
        assert!(crate::events::BUILTIN_RULES.contains(&NEW_PARTNERSHIP));
    }
}
