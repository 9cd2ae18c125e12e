//! The pure domain core of Liaison: the relationship status machine, the incremental ledger of
//! pair-topics that the projection and the notifier both store, and the detection of the status
//! transitions that alerts fire on.
//!
//! No IO lives here (no NATS, no sled, no async), so the services share one definition of the
//! contract's "Relationship status" rules, tested with property tests
//! (docs/decisions/004-functional-core.md).
//!
//! - [`Effect::of`] is the contract's status table (type → effect), [`Effect::target`] the
//!   status an effect moves to; [`status_floor`] reads both.
//! - [`Fact::from_envelope`] turns an event of the log into a [`Fact`]; [`pair_topics`] routes it
//!   to the [`PairTopic`]s it concerns; [`OrderKey`] is the order in which facts count.
//! - [`step`] and [`fold`] are the status machine; [`NewestFirst`] is [`fold`] read backwards.
//! - [`Ledger`] keeps pair-topics incrementally over a service's store ([`LedgerStore`], laid
//!   out as [`ledger::layout`] says): [`Ledger::apply`] and [`Ledger::retract`] return a
//!   [`Transition`] of the current status per pair-topic, and [`Route`]s that route
//!   retractions; [`status_as_of`] answers for a past date.
//! - [`partnership_formed`] and [`status_entered`] are the alert rules, [`alert_id()`] the
//!   idempotent alert id.
//! - [`ReferenceModel`] is the reference model of the property tests: every fact in memory,
//!   folded from scratch.
//! - [`Links`] holds the other relation kinds (supplier/customer, competitor), which have no
//!   status machine.

pub mod alert_id;
pub mod effect;
pub mod fact;
pub mod ledger;
pub mod links;
pub mod order;
pub mod pair;
pub mod reference;
pub mod status_machine;
pub mod transition;

pub use alert_id::{alert_id, alert_id_for};
pub use effect::{Effect, status_floor};
pub use fact::{Fact, FactEntry, GENERAL_TOPIC, general_topic, topics_or_general};
pub use ledger::{
    Applied, CostCounter, FoldHeader, Ledger, LedgerStore, LedgerView, MemoryStore, Route,
    StoreCost, Summary, refold, status_as_of,
};
pub use links::{LinkEntry, LinkFact, LinkKey, LinkState, LinkView, Links};
pub use order::{BadOrderKey, OrderKey};
pub use pair::{PairTopic, pair_topics};
pub use reference::{ReferenceModel, ReferencePairTopic, StatusView};
pub use status_machine::{NewestFirst, fold, step};
pub use transition::{Transition, partnership_formed, status_entered};
