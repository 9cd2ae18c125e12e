//! The key layout of the projection's sled tree: one byte per table, then the table's key.
//!
//! Everything lives in one tree so that a whole batch of events, with its checkpoint, is written
//! by one atomic `Tree::apply_batch`, and so that every read model is a prefix scan. Slugs are
//! `[a-z0-9-]`, so `/` and `\0` never occur inside them and serve as separators. Facts end with
//! their [`OrderKey`] bytes (business time, then log sequence: the order of the contract). The
//! relationships' tables ([`FACT`], [`SUMMARY`]) are the domain ledger's layout
//! ([`liaison_relations::ledger::layout`]), which the notifier uses too.

use liaison_proto::{AsOf, BusinessTime};
use liaison_relations::OrderKey;
use liaison_relations::ledger::layout;

/// `i` + event id → the [`crate::store::EventIndex`] of an applied event (to route a retraction),
/// or, once retracted, [`RETRACTED`] + the sequence of the `event.retracted` (so that one lookup
/// tells a new event from a duplicate or a retracted one).
pub const INDEX: u8 = b'i';
/// The first byte of an [`INDEX`] value that marks a retracted event (a JSON index starts with `{`).
pub const RETRACTED: u8 = b'x';
/// `f` + pair-topic + `\0` + order → one fact of a pair-topic: a fold header, then its
/// [`crate::store::FactRecord`].
pub const FACT: u8 = layout::FACT;
/// `s` + pair-topic → the [`liaison_relations::Summary`] of a pair-topic (current status).
pub const SUMMARY: u8 = layout::SUMMARY;
/// `p` + org + `\0` + pair-topic → () : the pair-topics of an organization.
pub const ORG_PAIR: u8 = b'p';
/// `t` + topic + `\0` + pair-topic → () : the pair-topics of a topic.
pub const TOPIC_PAIR: u8 = b't';
/// `l` + link key + `\0` + order → one fact of a link ([`crate::store::LinkRecord`]).
pub const LINK_FACT: u8 = b'l';
/// `L` + org + `\0` + link key → () : the links of an organization.
pub const ORG_LINK: u8 = b'L';
/// `T` + org + `\0` + order → [`crate::store::BodyRef`] : the timeline of an organization.
pub const TIMELINE: u8 = b'T';
/// `m` + order → [`crate::store::BodyRef`] : every meeting, held and scheduled.
pub const MEETING: u8 = b'm';
/// `o` + org → the organization's profile ([`crate::store::Profile`]).
pub const PROFILE: u8 = b'o';
/// `r` + org + `\0` + person → the person's role there ([`crate::store::RoleRecord`]).
pub const ROLE: u8 = b'r';
/// `c` + sequence + index → one [`liaison_proto::query::StatusChange`] (the SSE stream).
pub const CHANGE: u8 = b'c';

/// The length of an order suffix ([`OrderKey::to_bytes`]).
pub const ORDER_LEN: usize = OrderKey::LEN;

/// The order suffix of a fact: its time, then its sequence.
pub fn order(t: BusinessTime, sequence: u64) -> [u8; ORDER_LEN] {
    OrderKey::new(t, sequence).to_bytes()
}

/// The largest order suffix included by `as_of` (every sequence at its last included instant).
pub fn as_of_bound(as_of: AsOf) -> [u8; ORDER_LEN] {
    OrderKey::last_of(as_of).to_bytes()
}

/// The sequence at the end of an order suffix (or of a key ending with one).
pub fn sequence_of(key: &[u8]) -> u64 {
    let tail: [u8; 8] = key[key.len() - 8..].try_into().expect("8 bytes");
    u64::from_be_bytes(tail)
}

/// `table` followed by the parts, each but the last terminated by `\0`.
pub fn key(table: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + parts.iter().map(|p| p.len() + 1).sum::<usize>());
    out.push(table);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(0);
        }
        out.extend_from_slice(part);
    }
    out
}

/// `table` + `part` + `\0`: the prefix of every key under `part`.
pub fn prefix(table: u8, part: &[u8]) -> Vec<u8> {
    let mut out = key(table, &[part]);
    out.push(0);
    out
}

/// The key of one status change.
pub fn change(sequence: u64, index: u32) -> Vec<u8> {
    let mut out = key(CHANGE, &[&sequence.to_be_bytes()]);
    out.extend_from_slice(&index.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> BusinessTime {
        BusinessTime::parse(s).unwrap()
    }

    #[test]
    fn byte_order_is_time_order() {
        let times = [
            "1900-01-01",
            "1969-12-31T23:59:59.5Z",
            "1970-01-01",
            "2024-02-28",
            "2024-02-28T00:00:00.000000001Z",
            "2024-02-29",
        ];
        for w in times.windows(2) {
            assert!(order(t(w[0]), 0) < order(t(w[1]), 0), "{} < {}", w[0], w[1]);
        }
        assert!(order(t("2024-01-01"), 2) < order(t("2024-01-01"), 10));
        assert_eq!(sequence_of(&order(t("2024-01-01"), 77)), 77);
    }

    #[test]
    fn as_of_bound_includes_the_whole_day() {
        let bound = as_of_bound(AsOf::parse("2024-02-28").unwrap());
        assert!(order(t("2024-02-28T23:59:59Z"), u64::MAX) <= bound);
        assert!(order(t("2024-02-29"), 0) > bound);
    }

    #[test]
    fn the_relationship_tables_are_the_ledger_layout() {
        let s = |x: &str| liaison_proto::Slug::parse(x).unwrap();
        let pt = liaison_relations::PairTopic::new(s("meta"), s("lg"), s("xr")).unwrap();
        let pt_text = pt.storage_key();
        assert_eq!(prefix(FACT, pt_text.as_bytes()), layout::fact_prefix(&pt));
        assert_eq!(
            key(SUMMARY, &[pt_text.as_bytes()]),
            layout::summary_key(&pt)
        );
    }
}
