//! Registration of the aggregates other events refer to: organizations and people.

use serde::{Deserialize, Serialize};

use crate::Slug;
use crate::limits::{MAX_AFFILIATIONS, MAX_ALIASES, MAX_STRING_BYTES};

/// What kind of organization it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrganizationKind {
    /// A company (the usual case).
    Company,
    /// A government body or agency.
    Government,
    /// Anything else (university, association, ...).
    Other,
}

impl OrganizationKind {
    /// Every value, in contract order.
    pub const ALL: [OrganizationKind; 3] = [Self::Company, Self::Government, Self::Other];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Company => "company",
            Self::Government => "government",
            Self::Other => "other",
        }
    }
}

event_data! {
    /// `organization.registered`: an organization exists and may be named by other events.
    ///
    /// Registering the same id again with the same content is a no-op; with different content it
    /// is a conflict.
    pub struct OrganizationRegistered {
        /// The organization's slug id.
        pub id: Slug,
        /// Display name.
        #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
        pub name: String,
        /// Other names it is known by.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[schemars(length(max = MAX_ALIASES), inner(length(min = 1, max = MAX_STRING_BYTES)))]
        pub aliases: Vec<String>,
        /// What kind of organization it is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub kind: Option<OrganizationKind>,
        /// The parent organization (must be registered).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub parent: Option<Slug>,
        /// Country, as free text (an ISO 3166 code such as `KR` is recommended).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
        pub country: Option<String>,
    }
}

/// A person's role at an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Affiliation {
    /// The organization (must be registered).
    pub organization: Slug,
    /// The role, as free text (`CEO`, `head of XR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
    pub role: Option<String>,
}

event_data! {
    /// `person.registered`: a person exists and may be named as a participant.
    pub struct PersonRegistered {
        /// The person's slug id.
        pub id: Slug,
        /// Display name.
        #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
        pub name: String,
        /// Other names the person is known by.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[schemars(length(max = MAX_ALIASES), inner(length(min = 1, max = MAX_STRING_BYTES)))]
        pub aliases: Vec<String>,
        /// Where the person works and as what.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[schemars(length(max = MAX_AFFILIATIONS))]
        pub affiliations: Vec<Affiliation>,
    }
}
