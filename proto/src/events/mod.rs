//! Every event type of the contract as typed data.
//!
//! A client sends `{"type", "id", "time", "data"}`; this module gives `type` ([`EventType`]) and
//! `data` ([`EventData`], one struct per type) their Rust form. The structs reject unknown fields
//! so that a typo never passes silently; [`crate::validate`] reports every problem of a raw JSON
//! body before these types are deserialized.

/// Declares an event data struct with the fields every `data` may carry appended:
/// `factuality` (default `asserted`), `evidence` and `summary`.
macro_rules! event_data {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
        )]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// How certain the fact is; only `asserted` facts move a relationship's status.
            #[serde(default)]
            pub factuality: $crate::Factuality,
            /// Where the fact comes from.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub evidence: Option<$crate::events::Evidence>,
            /// Free text.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(length(min = 1, max = $crate::limits::MAX_STRING_BYTES))]
            pub summary: Option<String>,
        }
    };
}

mod commerce;
mod common;
mod data;
mod kind;
mod registration;
mod relation;
mod retraction;
mod rule;
mod webhook_secret;

pub use commerce::{ProcurementPlanned, ProductLaunched, Quantity};
pub use common::{Evidence, GENERAL_TOPIC};
pub use data::EventData;
pub use kind::{EventType, UnknownEventType};
pub use registration::{Affiliation, OrganizationKind, OrganizationRegistered, PersonRegistered};
pub use relation::{
    AgreementKind, AgreementSigned, CompetitionNoted, CooperationDiscussed, InterestExpressed,
    Meeting, NegotiationReported, PartnershipAnnounced, PartnershipEnded,
};
pub use retraction::EventRetracted;
pub use rule::{
    BUILTIN_RULES, Delivery, OrganizationsMode, RuleCreated, RuleDeleted, RuleMatch, Webhook,
};
pub use webhook_secret::{
    CLEAR_MASK, MAX_CIPHERTEXT_BYTES, MAX_KEY_ID_BYTES, MAX_SECRET_BYTES, SEAL_ALGORITHM,
    SEAL_KEY_BYTES, SEAL_NONCE_BYTES, SEAL_TAG_BYTES, SEALED_MASK_PREFIX, SealAlgorithm,
    SealedSecret, WebhookSecret, base64_len, key_id_problem,
};
