//! Which rules fire for a status transition: pure matching, no IO, so that every notifier
//! instance (and every replay) decides the same way.
//!
//! A rule fires for one pair-topic [`Transition`] caused by one event when every non-empty list
//! of its `match` agrees:
//!
//! - `event_types`: the type of the causing event (`event.retracted` for a retraction);
//! - `factuality`: the factuality of the causing event;
//! - `topics`: the pair-topic's topic;
//! - `organizations` with `organizations_mode`: `any` — at least one side of the pair is listed,
//!   `all` — both sides are;
//! - `status`: the pair-topic's *current* status entered the watched set from outside it
//!   ([`status_entered`]); a rule without `status` fires for every pair-topic an event touches,
//!   whether the status moved or not (so a rule can watch rumours, which never move it).
//!
//! The built-in `new-partnership` is [`partnership_formed`], the domain core's own rule.

use liaison_proto::alert::NEW_PARTNERSHIP;
use liaison_proto::events::{OrganizationsMode, RuleCreated};
use liaison_proto::{EventType, Factuality};
use liaison_relations::{Transition, partnership_formed, status_entered};

/// What the rules need to know of the event behind a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cause {
    /// Its type.
    pub event_type: EventType,
    /// Its factuality.
    pub factuality: Factuality,
}

/// Whether `rule` fires for transition `t` caused by `cause`.
pub fn fires(rule: &RuleCreated, cause: Cause, t: &Transition) -> bool {
    let m = &rule.matcher;
    if !m.event_types.is_empty() && !m.event_types.contains(&cause.event_type) {
        return false;
    }
    if !m.factuality.is_empty() && !m.factuality.contains(&cause.factuality) {
        return false;
    }
    if !m.topics.is_empty() && !m.topics.contains(&t.key.topic) {
        return false;
    }
    if !m.organizations.is_empty() {
        let a = m.organizations.contains(&t.key.a);
        let b = m.organizations.contains(&t.key.b);
        let ok = match m.organizations_mode {
            OrganizationsMode::Any => a || b,
            OrganizationsMode::All => a && b,
        };
        if !ok {
            return false;
        }
    }
    if rule.id == NEW_PARTNERSHIP {
        partnership_formed(t)
    } else if m.status.is_empty() {
        true
    } else {
        status_entered(t, &m.status)
    }
}

#[cfg(test)]
mod tests {
    use liaison_proto::alert::new_partnership_rule;
    use liaison_proto::events::RuleMatch;
    use liaison_proto::{Slug, Status};
    use liaison_relations::PairTopic;

    use super::*;

    fn s(x: &str) -> Slug {
        Slug::parse(x).unwrap()
    }

    fn t(before: Status, after: Status) -> Transition {
        Transition {
            key: PairTopic::new(s("lg"), s("meta"), s("xr")).unwrap(),
            before,
            after,
            cause_event_id: liaison_proto::EventId::default(),
            since: None,
            since_event: None,
        }
    }

    const ANNOUNCED: Cause = Cause {
        event_type: EventType::PartnershipAnnounced,
        factuality: Factuality::Asserted,
    };

    fn rule(matcher: RuleMatch) -> RuleCreated {
        RuleCreated {
            id: s("r"),
            name: None,
            matcher,
            deliver: Default::default(),
            factuality: Factuality::Asserted,
            evidence: None,
            summary: None,
        }
    }

    #[test]
    fn new_partnership_fires_only_into_a_partnership() {
        let r = new_partnership_rule();
        assert!(fires(
            &r,
            ANNOUNCED,
            &t(Status::Negotiating, Status::Agreed)
        ));
        assert!(fires(&r, ANNOUNCED, &t(Status::Ended, Status::Active)));
        assert!(!fires(&r, ANNOUNCED, &t(Status::Agreed, Status::Active)));
        assert!(!fires(&r, ANNOUNCED, &t(Status::Active, Status::Active)));
    }

    #[test]
    fn organizations_any_or_all() {
        let any = rule(RuleMatch {
            organizations: vec![s("meta")],
            ..Default::default()
        });
        assert!(fires(&any, ANNOUNCED, &t(Status::None, Status::Active)));
        let all = rule(RuleMatch {
            organizations: vec![s("meta")],
            organizations_mode: OrganizationsMode::All,
            ..Default::default()
        });
        assert!(!fires(&all, ANNOUNCED, &t(Status::None, Status::Active)));
        let both = rule(RuleMatch {
            organizations: vec![s("meta"), s("lg")],
            organizations_mode: OrganizationsMode::All,
            ..Default::default()
        });
        assert!(fires(&both, ANNOUNCED, &t(Status::None, Status::Active)));
    }

    #[test]
    fn filters_on_type_factuality_topic_and_status() {
        let rumours = rule(RuleMatch {
            event_types: vec![EventType::PartnershipAnnounced],
            factuality: vec![Factuality::Reported],
            ..Default::default()
        });
        let rumour = Cause {
            factuality: Factuality::Reported,
            ..ANNOUNCED
        };
        assert!(fires(&rumours, rumour, &t(Status::None, Status::None)));
        assert!(!fires(
            &rumours,
            ANNOUNCED,
            &t(Status::None, Status::Active)
        ));
        let ai = rule(RuleMatch {
            topics: vec![s("ai")],
            ..Default::default()
        });
        assert!(!fires(&ai, ANNOUNCED, &t(Status::None, Status::Active)));
        let ended = rule(RuleMatch {
            status: vec![Status::Ended],
            ..Default::default()
        });
        assert!(fires(&ended, ANNOUNCED, &t(Status::Active, Status::Ended)));
        assert!(!fires(&ended, ANNOUNCED, &t(Status::Ended, Status::Ended)));
    }
}
