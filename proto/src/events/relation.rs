//! Events between organizations that build the cooperation and competitor relations.
//!
//! Every event here names its organizations in `organizations[]`, except `interest.expressed`
//! (`organization` → `counterpart`). All need at least two distinct organizations, so that they
//! name at least one pair.

use serde::{Deserialize, Serialize};

use crate::Slug;
use crate::limits::{MAX_ORGANIZATIONS, MAX_PARTICIPANTS, MAX_STRING_BYTES, MAX_TOPICS};

event_data! {
    /// `meeting.held` and `meeting.scheduled`: organizations met (or will meet).
    pub struct Meeting {
        /// Two or more distinct organizations.
        #[schemars(length(min = 2, max = MAX_ORGANIZATIONS), extend("uniqueItems" = true))]
        pub organizations: Vec<Slug>,
        /// People who took part (must be registered).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[schemars(length(max = MAX_PARTICIPANTS), extend("uniqueItems" = true))]
        pub participants: Vec<Slug>,
        /// What they met about; none counts for the topic `general`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[schemars(length(max = MAX_TOPICS), extend("uniqueItems" = true))]
        pub topics: Vec<Slug>,
        /// Where, as free text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
        pub location: Option<String>,
    }
}

event_data! {
    /// `cooperation.discussed`: the organizations discussed cooperating on the topics.
    pub struct CooperationDiscussed {
        /// Two or more distinct organizations.
        #[schemars(length(min = 2, max = MAX_ORGANIZATIONS), extend("uniqueItems" = true))]
        pub organizations: Vec<Slug>,
        /// One or more topics.
        #[schemars(length(min = 1, max = MAX_TOPICS), extend("uniqueItems" = true))]
        pub topics: Vec<Slug>,
    }
}

event_data! {
    /// `interest.expressed`: one organization said it is interested in working with another.
    pub struct InterestExpressed {
        /// Who expressed the interest.
        pub organization: Slug,
        /// In whom (different from `organization`).
        pub counterpart: Slug,
        /// One or more topics.
        #[schemars(length(min = 1, max = MAX_TOPICS), extend("uniqueItems" = true))]
        pub topics: Vec<Slug>,
    }
}

event_data! {
    /// `negotiation.reported`: the organizations are negotiating.
    pub struct NegotiationReported {
        /// Two or more distinct organizations.
        #[schemars(length(min = 2, max = MAX_ORGANIZATIONS), extend("uniqueItems" = true))]
        pub organizations: Vec<Slug>,
        /// One or more topics.
        #[schemars(length(min = 1, max = MAX_TOPICS), extend("uniqueItems" = true))]
        pub topics: Vec<Slug>,
    }
}

/// The kind of an agreement or partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AgreementKind {
    /// Memorandum of understanding.
    Mou,
    /// Letter of intent.
    Loi,
    /// A binding contract.
    Contract,
    /// A jointly owned venture (`joint-venture`).
    JointVenture,
}

impl AgreementKind {
    /// Every value, in contract order.
    pub const ALL: [AgreementKind; 4] = [Self::Mou, Self::Loi, Self::Contract, Self::JointVenture];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mou => "mou",
            Self::Loi => "loi",
            Self::Contract => "contract",
            Self::JointVenture => "joint-venture",
        }
    }
}

event_data! {
    /// `agreement.signed`: the organizations signed an agreement.
    pub struct AgreementSigned {
        /// Two or more distinct organizations.
        #[schemars(length(min = 2, max = MAX_ORGANIZATIONS), extend("uniqueItems" = true))]
        pub organizations: Vec<Slug>,
        /// One or more topics.
        #[schemars(length(min = 1, max = MAX_TOPICS), extend("uniqueItems" = true))]
        pub topics: Vec<Slug>,
        /// What was signed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub kind: Option<AgreementKind>,
    }
}

event_data! {
    /// `partnership.announced`: the organizations announced a partnership.
    pub struct PartnershipAnnounced {
        /// Two or more distinct organizations.
        #[schemars(length(min = 2, max = MAX_ORGANIZATIONS), extend("uniqueItems" = true))]
        pub organizations: Vec<Slug>,
        /// One or more topics.
        #[schemars(length(min = 1, max = MAX_TOPICS), extend("uniqueItems" = true))]
        pub topics: Vec<Slug>,
        /// The form of the partnership.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub kind: Option<AgreementKind>,
    }
}

event_data! {
    /// `partnership.ended`: the partnership is over.
    pub struct PartnershipEnded {
        /// Two or more distinct organizations.
        #[schemars(length(min = 2, max = MAX_ORGANIZATIONS), extend("uniqueItems" = true))]
        pub organizations: Vec<Slug>,
        /// One or more topics.
        #[schemars(length(min = 1, max = MAX_TOPICS), extend("uniqueItems" = true))]
        pub topics: Vec<Slug>,
        /// Why, as free text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
        pub reason: Option<String>,
    }
}

event_data! {
    /// `competition.noted`: the organizations compete on the topics.
    pub struct CompetitionNoted {
        /// Two or more distinct organizations.
        #[schemars(length(min = 2, max = MAX_ORGANIZATIONS), extend("uniqueItems" = true))]
        pub organizations: Vec<Slug>,
        /// One or more topics.
        #[schemars(length(min = 1, max = MAX_TOPICS), extend("uniqueItems" = true))]
        pub topics: Vec<Slug>,
    }
}
