//! The contract's limits that concern an event as a whole, checked before the walk looks at
//! its items: its size, the lists longer than their limit, and the pair-topics it would move.
//! Reported first, so that they are always among the problems listed, never only counted.

use serde_json::Value;

use super::spec::{self, Field};
use super::walk::{Walker, compact_len};
use crate::EventType;
use crate::limits::{MAX_EVENT_BYTES, MAX_PAIR_TOPICS};

/// Checks the size of a submitted event (its compact JSON), reported at `pointer` (`""`, or
/// `/3` in a batch).
pub(crate) fn event_size(w: &mut Walker, event: &Value, pointer: &str) {
    let size = compact_len(event, &mut w.work);
    if size > MAX_EVENT_BYTES {
        w.error(
            pointer,
            format!(
                "the event is {size} bytes of JSON (compact), more than the limit of \
                 {MAX_EVENT_BYTES}; send less text or split it into several events"
            ),
        );
    }
}

/// Checks the lists of `data` (of an event of type `t`, at `pointer`) against their limits, and
/// the number of pair-topics the event names.
pub(crate) fn data_limits(w: &mut Walker, t: EventType, data: &Value, pointer: &str) {
    let groups: [&[Field]; 2] = [spec::data_fields(t), spec::COMMON];
    w.list_limits(data, pointer, &groups);
    if let Some((organizations, topics)) = pair_topic_factors(t, data) {
        let pairs = organizations * organizations.saturating_sub(1) / 2;
        let product = pairs.saturating_mul(topics);
        if product > MAX_PAIR_TOPICS as u64 {
            w.error(
                pointer,
                format!(
                    "the event names {organizations} organizations ({pairs} pairs) and {topics} \
                     topic{}: {product} pair-topics, more than the limit of {MAX_PAIR_TOPICS}; \
                     split it into events about fewer organizations or topics",
                    if topics == 1 { "" } else { "s" }
                ),
            );
        }
    }
}

/// The organizations and topics whose product an event of type `t` moves, as the lengths of
/// its lists (duplicates are reported by the walk): `None` for types that name no pair with
/// topics.
fn pair_topic_factors(t: EventType, data: &Value) -> Option<(u64, u64)> {
    let len = |field: &str| data.get(field).and_then(Value::as_array).map(Vec::len);
    let organizations = match t {
        EventType::MeetingHeld
        | EventType::MeetingScheduled
        | EventType::CooperationDiscussed
        | EventType::NegotiationReported
        | EventType::AgreementSigned
        | EventType::PartnershipAnnounced
        | EventType::PartnershipEnded
        | EventType::CompetitionNoted => len("organizations")?,
        // `organization` + `counterpart`: one pair.
        EventType::InterestExpressed => 2,
        _ => return None,
    };
    let topics = match (t, len("topics")) {
        // A meeting without topics counts for `general`.
        (EventType::MeetingHeld | EventType::MeetingScheduled, None | Some(0)) => 1,
        (_, topics) => topics?,
    };
    Some((organizations as u64, topics as u64))
}
