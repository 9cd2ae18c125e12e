//! The pure domain core of Liaison: the relationship status machine and the detection of the
//! status transitions that alerts fire on.
//!
//! No IO lives here (no NATS, no sled, no async), so the projection and the notifier share one
//! definition of the contract's "Relationship status" rules, tested with property tests.
//!
//! - [`Fact`] is an event reduced to what the status needs; [`pair_topics`] routes it to the
//!   [`PairTopic`]s it concerns.
//! - [`PairTopicState`] is one pair-topic's facts, updated incrementally by
//!   [`PairTopicState::apply`] and [`PairTopicState::retract`], read with
//!   [`PairTopicState::view`] (optionally `as_of`). The services store one per key.
//! - Every change returns a [`Transition`] of the current status; [`partnership_formed`] and
//!   [`status_entered`] are the alert rules, [`alert_id`] the idempotent alert id.
//! - [`Relations`] is the whole log in memory (tests, rebuilds).
//! - [`Links`] holds the other relation kinds (supplier/customer, competitor), which have no
//!   status machine.

pub mod alert_id;
pub mod fact;
pub mod links;
pub mod pair;
pub mod pair_state;
pub mod relations;
pub mod status_machine;
pub mod transition;

pub use alert_id::{alert_id, alert_id_for};
pub use fact::{Effect, Fact, FactEntry, GENERAL_TOPIC, general_topic, topics_or_general};
pub use links::{LinkEntry, LinkFact, LinkKey, LinkState, LinkView, Links};
pub use pair::{PairTopic, pair_topics};
pub use pair_state::{PairTopicState, StatusView};
pub use relations::Relations;
pub use status_machine::{NewestFirst, fold, step};
pub use transition::{Transition, partnership_formed, status_entered};
