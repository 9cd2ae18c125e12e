//! The event type names of the contract, as a closed enum.
//!
//! What a type does to a relationship's status (the contract's status table) is the domain's,
//! not the wire's: `liaison_relations::Effect::of`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The `type` of an event.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub enum EventType {
    /// `organization.registered`
    #[serde(rename = "organization.registered")]
    OrganizationRegistered,
    /// `person.registered`
    #[serde(rename = "person.registered")]
    PersonRegistered,
    /// `meeting.held`
    #[serde(rename = "meeting.held")]
    MeetingHeld,
    /// `meeting.scheduled`
    #[serde(rename = "meeting.scheduled")]
    MeetingScheduled,
    /// `cooperation.discussed`
    #[serde(rename = "cooperation.discussed")]
    CooperationDiscussed,
    /// `interest.expressed`
    #[serde(rename = "interest.expressed")]
    InterestExpressed,
    /// `negotiation.reported`
    #[serde(rename = "negotiation.reported")]
    NegotiationReported,
    /// `agreement.signed`
    #[serde(rename = "agreement.signed")]
    AgreementSigned,
    /// `partnership.announced`
    #[serde(rename = "partnership.announced")]
    PartnershipAnnounced,
    /// `partnership.ended`
    #[serde(rename = "partnership.ended")]
    PartnershipEnded,
    /// `procurement.planned`
    #[serde(rename = "procurement.planned")]
    ProcurementPlanned,
    /// `product.launched`
    #[serde(rename = "product.launched")]
    ProductLaunched,
    /// `competition.noted`
    #[serde(rename = "competition.noted")]
    CompetitionNoted,
    /// `event.retracted`
    #[serde(rename = "event.retracted")]
    EventRetracted,
    /// `rule.created` (an alert rule of the notifier)
    #[serde(rename = "rule.created")]
    RuleCreated,
    /// `rule.deleted`
    #[serde(rename = "rule.deleted")]
    RuleDeleted,
}

/// A `type` that is not one of [`EventType::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event type {0:?}")]
pub struct UnknownEventType(pub String);

impl EventType {
    /// Every event type, in contract order.
    pub const ALL: [EventType; 16] = [
        Self::OrganizationRegistered,
        Self::PersonRegistered,
        Self::MeetingHeld,
        Self::MeetingScheduled,
        Self::CooperationDiscussed,
        Self::InterestExpressed,
        Self::NegotiationReported,
        Self::AgreementSigned,
        Self::PartnershipAnnounced,
        Self::PartnershipEnded,
        Self::ProcurementPlanned,
        Self::ProductLaunched,
        Self::CompetitionNoted,
        Self::EventRetracted,
        Self::RuleCreated,
        Self::RuleDeleted,
    ];

    /// The wire name (`meeting.held`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrganizationRegistered => "organization.registered",
            Self::PersonRegistered => "person.registered",
            Self::MeetingHeld => "meeting.held",
            Self::MeetingScheduled => "meeting.scheduled",
            Self::CooperationDiscussed => "cooperation.discussed",
            Self::InterestExpressed => "interest.expressed",
            Self::NegotiationReported => "negotiation.reported",
            Self::AgreementSigned => "agreement.signed",
            Self::PartnershipAnnounced => "partnership.announced",
            Self::PartnershipEnded => "partnership.ended",
            Self::ProcurementPlanned => "procurement.planned",
            Self::ProductLaunched => "product.launched",
            Self::CompetitionNoted => "competition.noted",
            Self::EventRetracted => "event.retracted",
            Self::RuleCreated => "rule.created",
            Self::RuleDeleted => "rule.deleted",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Result<Self, UnknownEventType> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownEventType(s.to_owned()))
    }

    /// Whether this type registers an aggregate (an organization or a person); registrations
    /// cannot be retracted, only registered again with the same content.
    pub fn is_registration(self) -> bool {
        matches!(self, Self::OrganizationRegistered | Self::PersonRegistered)
    }

    /// Whether this type belongs to the alert rules of the notifier (`rule.*`).
    pub fn is_rule(self) -> bool {
        matches!(self, Self::RuleCreated | Self::RuleDeleted)
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EventType {
    type Err = UnknownEventType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_parse_and_serde() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Ok(t));
            let json = serde_json::to_value(t).unwrap();
            assert_eq!(json, serde_json::json!(t.as_str()));
        }
        assert!(EventType::parse("meeting.hold").is_err());
    }
}
