//! The two small vocabularies the whole system reasons with: how certain a fact is
//! ([`Factuality`]) and how far a relationship has come ([`Status`]).

use std::fmt;

use serde::{Deserialize, Serialize};

/// How certain a reported fact is. Only `asserted` facts move a relationship's status;
/// the others are kept as signals (upcoming meetings, rumours, denials).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Factuality {
    /// It happened (the default).
    #[default]
    Asserted,
    /// It is scheduled or announced as intended.
    Planned,
    /// It may happen.
    Possible,
    /// A rumour: reported by unnamed sources.
    Reported,
    /// It was denied.
    Negated,
}

impl Factuality {
    /// Every value, in contract order.
    pub const ALL: [Factuality; 5] = [
        Self::Asserted,
        Self::Planned,
        Self::Possible,
        Self::Reported,
        Self::Negated,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asserted => "asserted",
            Self::Planned => "planned",
            Self::Possible => "possible",
            Self::Reported => "reported",
            Self::Negated => "negated",
        }
    }

    /// Whether facts of this factuality move the status.
    pub fn moves_status(self) -> bool {
        self == Self::Asserted
    }
}

impl fmt::Display for Factuality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The cooperation status of a pair of organizations on a topic.
///
/// The climb is `none → contact → exploring → negotiating → agreed → active`; `ended` stands apart:
/// a later event starts the climb again from it. The derived order is the climb order, with
/// `Ended` last; use [`Status::rank`] to compare strength.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// No fact between the pair on this topic.
    #[default]
    None,
    /// They met.
    Contact,
    /// Cooperation discussed or interest expressed.
    Exploring,
    /// Negotiations reported.
    Negotiating,
    /// An agreement was signed.
    Agreed,
    /// A partnership was announced.
    Active,
    /// The partnership ended.
    Ended,
}

impl Status {
    /// Every value, in contract order.
    pub const ALL: [Status; 7] = [
        Self::None,
        Self::Contact,
        Self::Exploring,
        Self::Negotiating,
        Self::Agreed,
        Self::Active,
        Self::Ended,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Contact => "contact",
            Self::Exploring => "exploring",
            Self::Negotiating => "negotiating",
            Self::Agreed => "agreed",
            Self::Active => "active",
            Self::Ended => "ended",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Strength on the climb: `ended` ranks with `none`, so that any later event climbs from it.
    pub fn rank(self) -> u8 {
        match self {
            Self::None | Self::Ended => 0,
            Self::Contact => 1,
            Self::Exploring => 2,
            Self::Negotiating => 3,
            Self::Agreed => 4,
            Self::Active => 5,
        }
    }

    /// Whether this status counts as a partnership (`agreed` or `active`).
    pub fn is_partnership(self) -> bool {
        matches!(self, Self::Agreed | Self::Active)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
