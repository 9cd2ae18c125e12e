//! Deterministic alert ids, so that a replaying notifier never makes a second alert.
//!
//! An alert is one rule firing on one pair-topic because of one event; the id is a UUID v5 (a
//! SHA-1 name-based UUID) of exactly that, so re-deriving an alert after a restart gives the same
//! id, and a receiver (or the notifier's own store) drops the duplicate.

use liaison_proto::EventId;
use uuid::Uuid;

use crate::pair::PairTopic;
use crate::transition::Transition;

/// The namespace of alert ids: the UUID v5 of the URL `urn:liaison:alert` in the URL namespace.
pub fn alert_namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:liaison:alert")
}

/// The id of the alert that rule `rule_id` raises on `key` because of `cause_event_id`.
///
/// The parts are joined with NUL bytes, which none of them can hold, so distinct inputs never
/// collide by concatenation. The event id takes part as its hyphenated text, as it always has:
/// the ids of alerts raised by earlier versions stay the same.
pub fn alert_id(rule_id: &str, key: &PairTopic, cause_event_id: EventId) -> Uuid {
    let cause = cause_event_id.to_string();
    let name = [
        rule_id,
        key.a.as_str(),
        key.b.as_str(),
        key.topic.as_str(),
        cause.as_str(),
    ]
    .join("\0");
    Uuid::new_v5(&alert_namespace(), name.as_bytes())
}

/// The id of the alert that rule `rule_id` raises for `transition`.
pub fn alert_id_for(rule_id: &str, transition: &Transition) -> Uuid {
    alert_id(rule_id, &transition.key, transition.cause_event_id)
}

#[cfg(test)]
mod tests {
    use liaison_proto::Slug;

    use super::*;

    fn e(n: u128) -> EventId {
        Uuid::from_u128(n).into()
    }

    fn key(a: &str, b: &str, t: &str) -> PairTopic {
        let s = |x: &str| Slug::parse(x).unwrap();
        PairTopic::new(s(a), s(b), s(t)).unwrap()
    }

    #[test]
    fn same_inputs_same_id() {
        let k = key("meta", "lg", "xr");
        assert_eq!(
            alert_id("new-partnership", &k, e(1)),
            alert_id("new-partnership", &key("lg", "meta", "xr"), e(1))
        );
        assert_eq!(alert_id("new-partnership", &k, e(1)).get_version_num(), 5);
    }

    #[test]
    fn ids_are_those_earlier_versions_derived() {
        // UUID v5 computed independently (Python's `uuid.uuid5`) from the hyphenated event id.
        assert_eq!(
            alert_namespace().to_string(),
            "ff2e54bc-51e6-5560-81ec-0c78f8746943"
        );
        let cause = "0190a000-0000-7000-8000-00000000002a".parse().unwrap();
        assert_eq!(
            alert_id(
                "new-partnership",
                &key("meta", "lg-electronics", "xr"),
                cause
            )
            .to_string(),
            "46e53b69-1050-5ce5-93f0-00bc6eb769e0"
        );
    }

    #[test]
    fn any_differing_part_changes_the_id() {
        let base = alert_id("new-partnership", &key("lg", "meta", "xr"), e(1));
        assert_ne!(base, alert_id("other", &key("lg", "meta", "xr"), e(1)));
        assert_ne!(
            base,
            alert_id("new-partnership", &key("lg", "meta", "ai"), e(1))
        );
        assert_ne!(
            base,
            alert_id("new-partnership", &key("lg", "sony", "xr"), e(1))
        );
        assert_ne!(
            base,
            alert_id("new-partnership", &key("lg", "meta", "xr"), e(2))
        );
    }
}
