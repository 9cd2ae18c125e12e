//! Deterministic alert ids, so that a replaying notifier never makes a second alert.
//!
//! An alert is one rule firing on one pair-topic because of one event; the id is a UUID v5 (a
//! SHA-1 name-based UUID) of exactly that, so re-deriving an alert after a restart gives the same
//! id, and a receiver (or the notifier's own store) drops the duplicate.

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
/// collide by concatenation.
pub fn alert_id(rule_id: &str, key: &PairTopic, cause_event_id: &str) -> Uuid {
    let name = [
        rule_id,
        key.a.as_str(),
        key.b.as_str(),
        key.topic.as_str(),
        cause_event_id,
    ]
    .join("\0");
    Uuid::new_v5(&alert_namespace(), name.as_bytes())
}

/// The id of the alert that rule `rule_id` raises for `transition`.
pub fn alert_id_for(rule_id: &str, transition: &Transition) -> Uuid {
    alert_id(rule_id, &transition.key, &transition.cause_event_id)
}

#[cfg(test)]
mod tests {
    use liaison_proto::Slug;

    use super::*;

    fn key(a: &str, b: &str, t: &str) -> PairTopic {
        let s = |x: &str| Slug::parse(x).unwrap();
        PairTopic::new(s(a), s(b), s(t)).unwrap()
    }

    #[test]
    fn same_inputs_same_id() {
        let k = key("meta", "lg", "xr");
        assert_eq!(
            alert_id("new-partnership", &k, "e1"),
            alert_id("new-partnership", &key("lg", "meta", "xr"), "e1")
        );
        assert_eq!(alert_id("new-partnership", &k, "e1").get_version_num(), 5);
    }

    #[test]
    fn any_differing_part_changes_the_id() {
        let base = alert_id("new-partnership", &key("lg", "meta", "xr"), "e1");
        assert_ne!(base, alert_id("other", &key("lg", "meta", "xr"), "e1"));
        assert_ne!(
            base,
            alert_id("new-partnership", &key("lg", "meta", "ai"), "e1")
        );
        assert_ne!(
            base,
            alert_id("new-partnership", &key("lg", "sony", "xr"), "e1")
        );
        assert_ne!(
            base,
            alert_id("new-partnership", &key("lg", "meta", "xr"), "e2")
        );
    }
}
