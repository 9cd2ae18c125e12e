//! The shape of every event's `data`, as a table the walker checks a raw JSON body against.
//!
//! Kept next to, and tested against, the typed structs of [`crate::events`]: a field added there
//! must be added here, or the round-trip tests fail.

use crate::EventType;
use crate::events::{MAX_CIPHERTEXT_BYTES, SEAL_ALGORITHM, SEAL_NONCE_BYTES, SEAL_TAG_BYTES};
use crate::limits::{
    MAX_AFFILIATIONS, MAX_ALIASES, MAX_EVENT_TYPES, MAX_ORGANIZATIONS, MAX_PARTICIPANTS, MAX_TOPICS,
};

/// What a JSON value must look like.
pub(crate) enum Kind {
    /// A slug id (organization, person, topic, rule).
    Slug,
    /// Non-blank text of at most [`MAX_STRING_BYTES`](crate::limits::MAX_STRING_BYTES) bytes,
    /// without control characters other than tab, line feed and carriage return.
    Text,
    /// Text like [`Kind::Text`], of at most
    /// [`MAX_QUOTE_BYTES`](crate::limits::MAX_QUOTE_BYTES) bytes (an evidence quote).
    Quote,
    /// A date or an RFC 3339 timestamp.
    Time,
    /// An RFC 3339 timestamp (not a date).
    Timestamp,
    /// A UUID, as event ids are (any version).
    Uuid,
    /// An http(s) URL.
    Url,
    /// A number from 0 to 1.
    Unit,
    /// A non-negative number or non-blank text.
    Quantity,
    /// A concrete NATS subject (no wildcards).
    Subject,
    /// The id of a key that sealed a secret ([`crate::events::key_id_problem`]).
    KeyId,
    /// Standard base64 (with padding) of `min` to `max` bytes.
    Base64 {
        /// Fewest bytes.
        min: usize,
        /// Most bytes.
        max: usize,
    },
    /// A webhook secret: an object of [`SEALED_SECRET`]'s fields; a string (a secret in clear)
    /// is refused with what to do instead.
    SealedSecret,
    /// One of the given strings.
    Enum(&'static [&'static str]),
    /// An array.
    List(&'static List),
    /// An object with exactly these fields (unknown fields rejected).
    Object(&'static [Field]),
}

/// An array of items.
pub(crate) struct List {
    /// What every item must be.
    pub item: Kind,
    /// What an item is called in messages (`organization`).
    pub noun: &'static str,
    /// Fewest distinct items.
    pub min: usize,
    /// Most items (a limit of the contract, checked before the items).
    pub max: usize,
    /// Whether duplicate items are rejected.
    pub distinct: bool,
}

/// A member of an object.
pub(crate) struct Field {
    /// Its name.
    pub name: &'static str,
    /// Its shape.
    pub kind: Kind,
    /// Whether it must be present (and not null).
    pub required: bool,
}

const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

/// Wire names of [`crate::Factuality`].
pub(crate) const FACTUALITIES: &[&str] =
    &["asserted", "planned", "possible", "reported", "negated"];
/// Wire names of [`crate::Status`].
pub(crate) const STATUSES: &[&str] = &[
    "none",
    "contact",
    "exploring",
    "negotiating",
    "agreed",
    "active",
    "ended",
];
/// Wire names of [`crate::events::OrganizationKind`].
pub(crate) const ORGANIZATION_KINDS: &[&str] = &["company", "government", "other"];
/// Wire names of [`crate::events::AgreementKind`].
pub(crate) const AGREEMENT_KINDS: &[&str] = &["mou", "loi", "contract", "joint-venture"];
/// Wire names of [`crate::events::OrganizationsMode`].
pub(crate) const ORGANIZATIONS_MODES: &[&str] = &["any", "all"];
/// Wire names of [`crate::EventType`].
pub(crate) const EVENT_TYPES: &[&str] = &[
    "organization.registered",
    "person.registered",
    "meeting.held",
    "meeting.scheduled",
    "cooperation.discussed",
    "interest.expressed",
    "negotiation.reported",
    "agreement.signed",
    "partnership.announced",
    "partnership.ended",
    "procurement.planned",
    "product.launched",
    "competition.noted",
    "event.retracted",
    "rule.created",
    "rule.deleted",
];

const ORGANIZATIONS_PAIR: Kind = Kind::List(&List {
    item: Kind::Slug,
    noun: "organization",
    min: 2,
    max: MAX_ORGANIZATIONS,
    distinct: true,
});
const TOPICS_REQUIRED: Kind = Kind::List(&List {
    item: Kind::Slug,
    noun: "topic",
    min: 1,
    max: MAX_TOPICS,
    distinct: true,
});
const TOPICS_OPTIONAL: Kind = Kind::List(&List {
    item: Kind::Slug,
    noun: "topic",
    min: 0,
    max: MAX_TOPICS,
    distinct: true,
});
const ALIASES: Kind = Kind::List(&List {
    item: Kind::Text,
    noun: "alias",
    min: 0,
    max: MAX_ALIASES,
    distinct: false,
});

const EVIDENCE: &[Field] = &[
    opt("url", Kind::Url),
    opt("publisher", Kind::Text),
    opt("title", Kind::Text),
    opt("published_at", Kind::Time),
    opt("quote", Kind::Quote),
    opt("language", Kind::Text),
    opt("confidence", Kind::Unit),
];

/// Fields every `data` may carry.
pub(crate) const COMMON: &[Field] = &[
    opt("factuality", Kind::Enum(FACTUALITIES)),
    opt("evidence", Kind::Object(EVIDENCE)),
    opt("summary", Kind::Text),
];

const ORGANIZATION_REGISTERED: &[Field] = &[
    req("id", Kind::Slug),
    req("name", Kind::Text),
    opt("aliases", ALIASES),
    opt("kind", Kind::Enum(ORGANIZATION_KINDS)),
    opt("parent", Kind::Slug),
    opt("country", Kind::Text),
];

const AFFILIATION: &[Field] = &[req("organization", Kind::Slug), opt("role", Kind::Text)];

const PERSON_REGISTERED: &[Field] = &[
    req("id", Kind::Slug),
    req("name", Kind::Text),
    opt("aliases", ALIASES),
    opt(
        "affiliations",
        Kind::List(&List {
            item: Kind::Object(AFFILIATION),
            noun: "affiliation",
            min: 0,
            max: MAX_AFFILIATIONS,
            distinct: false,
        }),
    ),
];

const MEETING: &[Field] = &[
    req("organizations", ORGANIZATIONS_PAIR),
    opt(
        "participants",
        Kind::List(&List {
            item: Kind::Slug,
            noun: "participant",
            min: 0,
            max: MAX_PARTICIPANTS,
            distinct: true,
        }),
    ),
    opt("topics", TOPICS_OPTIONAL),
    opt("location", Kind::Text),
];

const PAIR_ON_TOPICS: &[Field] = &[
    req("organizations", ORGANIZATIONS_PAIR),
    req("topics", TOPICS_REQUIRED),
];

const INTEREST_EXPRESSED: &[Field] = &[
    req("organization", Kind::Slug),
    req("counterpart", Kind::Slug),
    req("topics", TOPICS_REQUIRED),
];

const AGREEMENT: &[Field] = &[
    req("organizations", ORGANIZATIONS_PAIR),
    req("topics", TOPICS_REQUIRED),
    opt("kind", Kind::Enum(AGREEMENT_KINDS)),
];

const PARTNERSHIP_ENDED: &[Field] = &[
    req("organizations", ORGANIZATIONS_PAIR),
    req("topics", TOPICS_REQUIRED),
    opt("reason", Kind::Text),
];

const PROCUREMENT_PLANNED: &[Field] = &[
    req("buyer", Kind::Slug),
    req("supplier", Kind::Slug),
    req("item", Kind::Text),
    opt("quantity", Kind::Quantity),
    opt("by", Kind::Time),
];

const PRODUCT_LAUNCHED: &[Field] = &[
    req("organization", Kind::Slug),
    req("product", Kind::Text),
    opt("topics", TOPICS_OPTIONAL),
];

const EVENT_RETRACTED: &[Field] = &[req("event_id", Kind::Uuid), opt("reason", Kind::Text)];

const RULE_MATCH: &[Field] = &[
    opt(
        "event_types",
        Kind::List(&List {
            item: Kind::Enum(EVENT_TYPES),
            noun: "event type",
            min: 0,
            max: MAX_EVENT_TYPES,
            distinct: true,
        }),
    ),
    opt(
        "organizations",
        Kind::List(&List {
            item: Kind::Slug,
            noun: "organization",
            min: 0,
            max: MAX_ORGANIZATIONS,
            distinct: true,
        }),
    ),
    opt("organizations_mode", Kind::Enum(ORGANIZATIONS_MODES)),
    opt("topics", TOPICS_OPTIONAL),
    opt(
        "factuality",
        Kind::List(&List {
            item: Kind::Enum(FACTUALITIES),
            noun: "factuality",
            min: 0,
            max: FACTUALITIES.len(),
            distinct: true,
        }),
    ),
    opt(
        "status",
        Kind::List(&List {
            item: Kind::Enum(STATUSES),
            noun: "status",
            min: 0,
            max: STATUSES.len(),
            distinct: true,
        }),
    ),
];

/// The fields of a sealed webhook secret ([`crate::events::SealedSecret`]).
pub(crate) const SEALED_SECRET: &[Field] = &[
    req("alg", Kind::Enum(&[SEAL_ALGORITHM])),
    req("key_id", Kind::KeyId),
    req(
        "nonce",
        Kind::Base64 {
            min: SEAL_NONCE_BYTES,
            max: SEAL_NONCE_BYTES,
        },
    ),
    req(
        "ciphertext",
        Kind::Base64 {
            min: 1 + SEAL_TAG_BYTES,
            max: MAX_CIPHERTEXT_BYTES,
        },
    ),
];

const WEBHOOK: &[Field] = &[req("url", Kind::Url), req("secret", Kind::SealedSecret)];

const DELIVERY: &[Field] = &[
    opt("nats_subject", Kind::Subject),
    opt("webhook", Kind::Object(WEBHOOK)),
];

const RULE_CREATED: &[Field] = &[
    req("id", Kind::Slug),
    opt("name", Kind::Text),
    req("match", Kind::Object(RULE_MATCH)),
    opt("deliver", Kind::Object(DELIVERY)),
];

const RULE_DELETED: &[Field] = &[req("id", Kind::Slug)];

/// The members of a stored envelope besides `id`, `type`, `time` and `data` (which the event
/// check handles, as for a submission).
pub(crate) const ENVELOPE: &[Field] = &[
    req("specversion", Kind::Enum(&[crate::envelope::SPEC_VERSION])),
    req("source", Kind::Text),
    req(
        "datacontenttype",
        Kind::Enum(&[crate::envelope::DATA_CONTENT_TYPE]),
    ),
    req("recordedat", Kind::Timestamp),
];

/// The type-specific fields of `data` for `t` (the [`COMMON`] fields come on top).
pub(crate) fn data_fields(t: EventType) -> &'static [Field] {
    match t {
        EventType::OrganizationRegistered => ORGANIZATION_REGISTERED,
        EventType::PersonRegistered => PERSON_REGISTERED,
        EventType::MeetingHeld | EventType::MeetingScheduled => MEETING,
        EventType::CooperationDiscussed
        | EventType::NegotiationReported
        | EventType::CompetitionNoted => PAIR_ON_TOPICS,
        EventType::InterestExpressed => INTEREST_EXPRESSED,
        EventType::AgreementSigned | EventType::PartnershipAnnounced => AGREEMENT,
        EventType::PartnershipEnded => PARTNERSHIP_ENDED,
        EventType::ProcurementPlanned => PROCUREMENT_PLANNED,
        EventType::ProductLaunched => PRODUCT_LAUNCHED,
        EventType::EventRetracted => EVENT_RETRACTED,
        EventType::RuleCreated => RULE_CREATED,
        EventType::RuleDeleted => RULE_DELETED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{AgreementKind, OrganizationKind};
    use crate::{Factuality, Status};

    #[test]
    fn enum_tables_match_the_types() {
        let names: Vec<&str> = Factuality::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(names, FACTUALITIES);
        let names: Vec<&str> = Status::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(names, STATUSES);
        let names: Vec<&str> = EventType::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(names, EVENT_TYPES);
        let names: Vec<&str> = OrganizationKind::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(names, ORGANIZATION_KINDS);
        let names: Vec<&str> = AgreementKind::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(names, AGREEMENT_KINDS);
    }
}
