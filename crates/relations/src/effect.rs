//! The contract's status table, once: what each event type does to the cooperation status of the
//! pair-topics it names.
//!
//! [`Effect::of`] maps every [`EventType`] (an exhaustive match: a new type does not compile until
//! it is placed here) and [`Effect::target`] gives the status an effect moves to at least. The
//! projection, the notifier and the CLI's demo all read the table from here.

use liaison_proto::{EventType, Status};
use serde::{Deserialize, Serialize};

/// What an event does to the cooperation status of every pair-topic it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// `meeting.held`: moves to at least `contact`.
    Contact,
    /// `cooperation.discussed`, `interest.expressed`: moves to at least `exploring`.
    Exploring,
    /// `negotiation.reported`: moves to at least `negotiating`.
    Negotiating,
    /// `agreement.signed`: moves to at least `agreed`.
    Agreed,
    /// `partnership.announced`: moves to at least `active`.
    Active,
    /// `partnership.ended`: sets `ended`.
    Ended,
    /// No status effect, but kept on the pair-topic's timeline (`meeting.scheduled`,
    /// `competition.noted`).
    Other,
}

impl Effect {
    /// Every effect, in declaration order (the order of the status ranks, then `Ended`, `Other`).
    /// Stored fold headers hold an effect as its index here: never reorder, only append.
    pub const ALL: [Effect; 7] = [
        Effect::Contact,
        Effect::Exploring,
        Effect::Negotiating,
        Effect::Agreed,
        Effect::Active,
        Effect::Ended,
        Effect::Other,
    ];

    /// The effect of an event type, or `None` for the types that do not concern a pair-topic at
    /// all (registrations, `procurement.planned`, `product.launched`, `event.retracted`, rules).
    pub fn of(event_type: EventType) -> Option<Self> {
        match event_type {
            EventType::MeetingHeld => Some(Self::Contact),
            EventType::CooperationDiscussed | EventType::InterestExpressed => Some(Self::Exploring),
            EventType::NegotiationReported => Some(Self::Negotiating),
            EventType::AgreementSigned => Some(Self::Agreed),
            EventType::PartnershipAnnounced => Some(Self::Active),
            EventType::PartnershipEnded => Some(Self::Ended),
            EventType::MeetingScheduled | EventType::CompetitionNoted => Some(Self::Other),
            EventType::OrganizationRegistered
            | EventType::PersonRegistered
            | EventType::ProcurementPlanned
            | EventType::ProductLaunched
            | EventType::EventRetracted
            | EventType::RuleCreated
            | EventType::RuleDeleted => None,
        }
    }

    /// The status this effect moves a pair-topic to (at least), or `None` for [`Effect::Other`].
    pub fn target(self) -> Option<Status> {
        match self {
            Self::Contact => Some(Status::Contact),
            Self::Exploring => Some(Status::Exploring),
            Self::Negotiating => Some(Status::Negotiating),
            Self::Agreed => Some(Status::Agreed),
            Self::Active => Some(Status::Active),
            Self::Ended => Some(Status::Ended),
            Self::Other => None,
        }
    }

    /// Its index in [`Effect::ALL`] (its code in a stored fold header).
    pub fn code(self) -> u8 {
        match self {
            Self::Contact => 0,
            Self::Exploring => 1,
            Self::Negotiating => 2,
            Self::Agreed => 3,
            Self::Active => 4,
            Self::Ended => 5,
            Self::Other => 6,
        }
    }

    /// The effect of [`Effect::code`] `code`, if it is one.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code)).copied()
    }
}

/// The status an `asserted` event of `event_type` moves every pair-topic it names to, at least
/// (a row of the contract's table); `None` for the types that move no status.
pub fn status_floor(event_type: EventType) -> Option<Status> {
    Effect::of(event_type).and_then(Effect::target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contract_type_maps_as_the_table_says() {
        let rows = [
            (EventType::MeetingHeld, Some(Status::Contact)),
            (EventType::CooperationDiscussed, Some(Status::Exploring)),
            (EventType::InterestExpressed, Some(Status::Exploring)),
            (EventType::NegotiationReported, Some(Status::Negotiating)),
            (EventType::AgreementSigned, Some(Status::Agreed)),
            (EventType::PartnershipAnnounced, Some(Status::Active)),
            (EventType::PartnershipEnded, Some(Status::Ended)),
        ];
        for (t, s) in rows {
            assert_eq!(status_floor(t), s, "{t}");
        }
        for t in [EventType::MeetingScheduled, EventType::CompetitionNoted] {
            assert_eq!(Effect::of(t), Some(Effect::Other), "{t}");
            assert_eq!(status_floor(t), None, "{t}");
        }
        for t in [
            EventType::OrganizationRegistered,
            EventType::PersonRegistered,
            EventType::ProcurementPlanned,
            EventType::ProductLaunched,
            EventType::EventRetracted,
            EventType::RuleCreated,
            EventType::RuleDeleted,
        ] {
            assert_eq!(Effect::of(t), None, "{t}");
        }
    }

    #[test]
    fn codes_are_the_indexes_of_all() {
        for (i, e) in Effect::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(e.code()), i);
            assert_eq!(Effect::from_code(e.code()), Some(e));
        }
        assert_eq!(Effect::from_code(7), None);
    }
}
