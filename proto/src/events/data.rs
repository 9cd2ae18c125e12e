//! [`EventData`]: the `type` and `data` of an event as one typed value, and the accessors the
//! services use to see what an event names (organizations, people, topics, pairs).

use serde::{Deserialize, Serialize};

use super::{
    AgreementSigned, CompetitionNoted, CooperationDiscussed, EventRetracted, EventType, Evidence,
    GENERAL_TOPIC, InterestExpressed, Meeting, NegotiationReported, OrganizationRegistered,
    PartnershipAnnounced, PartnershipEnded, PersonRegistered, ProcurementPlanned, ProductLaunched,
    RuleCreated, RuleDeleted,
};
use crate::{Factuality, Slug};

/// An event's `type` and `data`, serialized as the two sibling members `"type"` and `"data"`
/// (flattened into [`crate::ClientEvent`] and [`crate::Envelope`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", content = "data")]
pub enum EventData {
    /// `organization.registered`
    #[serde(rename = "organization.registered")]
    OrganizationRegistered(OrganizationRegistered),
    /// `person.registered`
    #[serde(rename = "person.registered")]
    PersonRegistered(PersonRegistered),
    /// `meeting.held`
    #[serde(rename = "meeting.held")]
    MeetingHeld(Meeting),
    /// `meeting.scheduled`
    #[serde(rename = "meeting.scheduled")]
    MeetingScheduled(Meeting),
    /// `cooperation.discussed`
    #[serde(rename = "cooperation.discussed")]
    CooperationDiscussed(CooperationDiscussed),
    /// `interest.expressed`
    #[serde(rename = "interest.expressed")]
    InterestExpressed(InterestExpressed),
    /// `negotiation.reported`
    #[serde(rename = "negotiation.reported")]
    NegotiationReported(NegotiationReported),
    /// `agreement.signed`
    #[serde(rename = "agreement.signed")]
    AgreementSigned(AgreementSigned),
    /// `partnership.announced`
    #[serde(rename = "partnership.announced")]
    PartnershipAnnounced(PartnershipAnnounced),
    /// `partnership.ended`
    #[serde(rename = "partnership.ended")]
    PartnershipEnded(PartnershipEnded),
    /// `procurement.planned`
    #[serde(rename = "procurement.planned")]
    ProcurementPlanned(ProcurementPlanned),
    /// `product.launched`
    #[serde(rename = "product.launched")]
    ProductLaunched(ProductLaunched),
    /// `competition.noted`
    #[serde(rename = "competition.noted")]
    CompetitionNoted(CompetitionNoted),
    /// `event.retracted`
    #[serde(rename = "event.retracted")]
    EventRetracted(EventRetracted),
    /// `rule.created`
    #[serde(rename = "rule.created")]
    RuleCreated(RuleCreated),
    /// `rule.deleted`
    #[serde(rename = "rule.deleted")]
    RuleDeleted(RuleDeleted),
}

/// Applies `$body` to the data struct of any variant, bound to `$d`.
macro_rules! each {
    ($self:expr, $d:ident => $body:expr) => {
        match $self {
            EventData::OrganizationRegistered($d) => $body,
            EventData::PersonRegistered($d) => $body,
            EventData::MeetingHeld($d) | EventData::MeetingScheduled($d) => $body,
            EventData::CooperationDiscussed($d) => $body,
            EventData::InterestExpressed($d) => $body,
            EventData::NegotiationReported($d) => $body,
            EventData::AgreementSigned($d) => $body,
            EventData::PartnershipAnnounced($d) => $body,
            EventData::PartnershipEnded($d) => $body,
            EventData::ProcurementPlanned($d) => $body,
            EventData::ProductLaunched($d) => $body,
            EventData::CompetitionNoted($d) => $body,
            EventData::EventRetracted($d) => $body,
            EventData::RuleCreated($d) => $body,
            EventData::RuleDeleted($d) => $body,
        }
    };
}

impl EventData {
    /// The event's type.
    pub fn event_type(&self) -> EventType {
        match self {
            Self::OrganizationRegistered(_) => EventType::OrganizationRegistered,
            Self::PersonRegistered(_) => EventType::PersonRegistered,
            Self::MeetingHeld(_) => EventType::MeetingHeld,
            Self::MeetingScheduled(_) => EventType::MeetingScheduled,
            Self::CooperationDiscussed(_) => EventType::CooperationDiscussed,
            Self::InterestExpressed(_) => EventType::InterestExpressed,
            Self::NegotiationReported(_) => EventType::NegotiationReported,
            Self::AgreementSigned(_) => EventType::AgreementSigned,
            Self::PartnershipAnnounced(_) => EventType::PartnershipAnnounced,
            Self::PartnershipEnded(_) => EventType::PartnershipEnded,
            Self::ProcurementPlanned(_) => EventType::ProcurementPlanned,
            Self::ProductLaunched(_) => EventType::ProductLaunched,
            Self::CompetitionNoted(_) => EventType::CompetitionNoted,
            Self::EventRetracted(_) => EventType::EventRetracted,
            Self::RuleCreated(_) => EventType::RuleCreated,
            Self::RuleDeleted(_) => EventType::RuleDeleted,
        }
    }

    /// The aggregate key of the log subject (see [`crate::subjects`]): the organization of
    /// `organization.registered`, the person of `person.registered`, the rule of `rule.*`;
    /// `None` otherwise.
    pub fn subject_key(&self) -> Option<&str> {
        match self {
            Self::OrganizationRegistered(d) => Some(d.id.as_str()),
            Self::PersonRegistered(d) => Some(d.id.as_str()),
            Self::RuleCreated(d) => Some(d.id.as_str()),
            Self::RuleDeleted(d) => Some(d.id.as_str()),
            _ => None,
        }
    }

    /// How certain the fact is.
    pub fn factuality(&self) -> Factuality {
        each!(self, d => d.factuality)
    }

    /// The evidence the fact rests on, if given.
    pub fn evidence(&self) -> Option<&Evidence> {
        each!(self, d => d.evidence.as_ref())
    }

    /// The free-text summary, if given.
    pub fn summary(&self) -> Option<&str> {
        each!(self, d => d.summary.as_deref())
    }

    /// The organizations between which this event builds a relation (pairs are formed among
    /// them): `organizations[]`, `organization` + `counterpart`, `buyer` + `supplier`. Empty for
    /// the other types.
    pub fn parties(&self) -> Vec<&Slug> {
        match self {
            Self::MeetingHeld(d) | Self::MeetingScheduled(d) => d.organizations.iter().collect(),
            Self::CooperationDiscussed(d) => d.organizations.iter().collect(),
            Self::NegotiationReported(d) => d.organizations.iter().collect(),
            Self::AgreementSigned(d) => d.organizations.iter().collect(),
            Self::PartnershipAnnounced(d) => d.organizations.iter().collect(),
            Self::PartnershipEnded(d) => d.organizations.iter().collect(),
            Self::CompetitionNoted(d) => d.organizations.iter().collect(),
            Self::InterestExpressed(d) => vec![&d.organization, &d.counterpart],
            Self::ProcurementPlanned(d) => vec![&d.buyer, &d.supplier],
            _ => Vec::new(),
        }
    }

    /// Every unordered pair of distinct [`parties`](Self::parties), each sorted, without
    /// duplicates, in a stable order.
    pub fn pairs(&self) -> Vec<(&Slug, &Slug)> {
        let mut parties = self.parties();
        parties.sort();
        parties.dedup();
        let mut pairs = Vec::new();
        for (i, a) in parties.iter().enumerate() {
            for b in &parties[i + 1..] {
                pairs.push((*a, *b));
            }
        }
        pairs
    }

    /// Every organization the event names, first mention first, without duplicates: the
    /// parties, the registered organization and its parent, a product's organization and a
    /// person's affiliations. The organizations a rule watches are not included (a rule is not a
    /// fact about them); see [`crate::validate::check_references`] for what must be registered.
    pub fn organizations(&self) -> Vec<&Slug> {
        let mut named: Vec<&Slug> = match self {
            Self::OrganizationRegistered(d) => std::iter::once(&d.id).chain(&d.parent).collect(),
            Self::PersonRegistered(d) => d.affiliations.iter().map(|a| &a.organization).collect(),
            Self::ProductLaunched(d) => vec![&d.organization],
            _ => self.parties(),
        };
        dedup_in_order(&mut named);
        named
    }

    /// Every person the event names: the registered person, a meeting's participants.
    pub fn persons(&self) -> Vec<&Slug> {
        let mut named: Vec<&Slug> = match self {
            Self::PersonRegistered(d) => vec![&d.id],
            Self::MeetingHeld(d) | Self::MeetingScheduled(d) => d.participants.iter().collect(),
            _ => Vec::new(),
        };
        dedup_in_order(&mut named);
        named
    }

    /// The topics the event is about. A meeting with no topics counts for
    /// [`GENERAL_TOPIC`]; types without topics give none.
    pub fn topics(&self) -> Vec<Slug> {
        let topics: &[Slug] = match self {
            Self::MeetingHeld(d) | Self::MeetingScheduled(d) => {
                if d.topics.is_empty() {
                    return vec![Slug::parse(GENERAL_TOPIC).expect("`general` is a slug")];
                }
                &d.topics
            }
            Self::CooperationDiscussed(d) => &d.topics,
            Self::InterestExpressed(d) => &d.topics,
            Self::NegotiationReported(d) => &d.topics,
            Self::AgreementSigned(d) => &d.topics,
            Self::PartnershipAnnounced(d) => &d.topics,
            Self::PartnershipEnded(d) => &d.topics,
            Self::CompetitionNoted(d) => &d.topics,
            Self::ProductLaunched(d) => &d.topics,
            _ => &[],
        };
        let mut out = topics.to_vec();
        let mut seen = std::collections::HashSet::new();
        out.retain(|t| seen.insert(t.clone()));
        out
    }

    /// The event this one retracts, for `event.retracted`.
    pub fn retracted_event(&self) -> Option<uuid::Uuid> {
        match self {
            Self::EventRetracted(d) => Some(d.event_id),
            _ => None,
        }
    }
}

fn dedup_in_order(v: &mut Vec<&Slug>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(*s));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(v: serde_json::Value) -> EventData {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn serializes_as_type_and_data_siblings() {
        let e = data(json!({"type": "meeting.held", "data": {"organizations": ["meta", "lg"]}}));
        assert_eq!(e.event_type(), EventType::MeetingHeld);
        let back = serde_json::to_value(&e).unwrap();
        assert_eq!(
            back,
            json!({"type": "meeting.held", "data": {"organizations": ["meta", "lg"], "factuality": "asserted"}})
        );
    }

    #[test]
    fn meeting_without_topics_is_general() {
        let e = data(json!({"type": "meeting.held", "data": {"organizations": ["meta", "lg"]}}));
        assert_eq!(e.topics(), vec![Slug::parse("general").unwrap()]);
    }

    #[test]
    fn accessors_name_everything() {
        let e = data(
            json!({"type": "person.registered", "data": {"id": "william-cho", "name": "William Cho",
            "affiliations": [{"organization": "lg", "role": "CEO"}, {"organization": "lg"}]}}),
        );
        assert_eq!(e.organizations(), vec!["lg"]);
        assert_eq!(e.persons(), vec!["william-cho"]);
        assert_eq!(e.subject_key(), Some("william-cho"));
        let e = data(
            json!({"type": "procurement.planned", "data": {"buyer": "meta", "supplier": "lg", "item": "panels"}}),
        );
        assert_eq!(e.organizations(), vec!["meta", "lg"]);
        assert_eq!(e.pairs().len(), 1);
        assert_eq!(e.pairs()[0].0.as_str(), "lg");
        let e = data(
            json!({"type": "organization.registered", "data": {"id": "oculus", "name": "Oculus", "parent": "meta"}}),
        );
        assert_eq!(e.organizations(), vec!["oculus", "meta"]);
        let e = data(
            json!({"type": "agreement.signed", "data": {"organizations": ["c", "a", "b"], "topics": ["xr"], "factuality": "planned"}}),
        );
        assert_eq!(e.pairs().len(), 3);
        assert_eq!(e.factuality(), Factuality::Planned);
        assert_eq!(e.subject_key(), None);
    }
}
