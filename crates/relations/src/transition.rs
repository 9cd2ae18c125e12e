//! What one change did to a pair-topic's current status, and the alert rules that read it.
//!
//! Alerts fire on the *current* status (all facts, no `as_of`): a late fact that leaves the
//! current status as it was fires nothing. Every apply and retract returns a [`Transition`], also
//! when nothing changed, so the notifier can match rules without re-reading state.

use liaison_proto::{BusinessTime, EventId, Status};
use serde::{Deserialize, Serialize};

use crate::pair::PairTopic;

/// The current status of one pair-topic before and after one change (a fact or a retraction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The pair-topic concerned.
    pub key: PairTopic,
    /// The current status before the change.
    pub before: Status,
    /// The current status after the change.
    pub after: Status,
    /// The event that made the change: the applied fact, or the `event.retracted` event for a
    /// retraction. Unique per (pair-topic, change), so it makes alert ids unique.
    pub cause_event_id: EventId,
    /// When the fact that moved the status to `after` happened (`None` when `after` is `none`).
    /// For a late fact this may be earlier than the cause; it is the alert's `time`.
    pub since: Option<BusinessTime>,
    /// The event id of the fact that moved the status to `after`.
    pub since_event: Option<EventId>,
}

impl Transition {
    /// Whether the current status changed.
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// The `new-partnership` rule: the current status went from a non-partnership (`none`,
/// `contact`, `exploring`, `negotiating`, `ended`) into `agreed` or `active`.
///
/// So `agreed` then `active` fires once, a repeated announcement never, and `ended` followed by a
/// new announcement fires again.
pub fn partnership_formed(t: &Transition) -> bool {
    !t.before.is_partnership() && t.after.is_partnership()
}

/// A status rule: the current status changed into one of `watched` from a status outside it.
pub fn status_entered(t: &Transition, watched: &[Status]) -> bool {
    watched.contains(&t.after) && !watched.contains(&t.before)
}

#[cfg(test)]
mod tests {
    use liaison_proto::Slug;

    use super::*;

    fn t(before: Status, after: Status) -> Transition {
        let s = |x: &str| Slug::parse(x).unwrap();
        Transition {
            key: PairTopic::new(s("a"), s("b"), s("xr")).unwrap(),
            before,
            after,
            cause_event_id: EventId::default(),
            since: None,
            since_event: None,
        }
    }

    #[test]
    fn partnership_formed_only_from_outside_in() {
        for before in Status::ALL {
            for after in Status::ALL {
                let expected = !matches!(before, Status::Agreed | Status::Active)
                    && matches!(after, Status::Agreed | Status::Active);
                assert_eq!(
                    partnership_formed(&t(before, after)),
                    expected,
                    "{before}→{after}"
                );
            }
        }
    }

    #[test]
    fn status_entered_matches_the_watched_set() {
        let w = [Status::Negotiating];
        assert!(status_entered(&t(Status::Contact, Status::Negotiating), &w));
        assert!(!status_entered(
            &t(Status::Negotiating, Status::Negotiating),
            &w
        ));
        assert!(!status_entered(&t(Status::Negotiating, Status::Agreed), &w));
        assert!(status_entered(
            &t(Status::Active, Status::Ended),
            &[Status::Ended]
        ));
    }
}
