//! How the notifier lays its pair-topic ledger out in sled: compact and binary, because the
//! notifier keeps only what deciding an alert needs and serves no timeline
//! (docs/decisions/025-notifier-compact-ledger.md).
//!
//! Each pair-topic gets a number when its first fact comes (in log order, so a rebuild numbers
//! them as the incremental run did), kept in its summary's value; its facts are keyed by it.
//!
//! | tree | key | value |
//! |---|---|---|
//! | `pair_topics` | [`SUMMARY`] + `a/b/topic` | its number (4, BE), then its [`Summary`] ([`encode_summary`]); removed with its last fact |
//! | `pair_topics` | [`FACT`] + number (4, BE) + [`OrderKey::to_bytes`] | [`FoldHeader`] byte, [`FactFlags`] byte, event id (16) |
//! | `pair_topics` | [`NEXT`] | the next number to give (4, BE) |
//! | `events` | event id (16) | the order of its facts (20), then each pair-topic's name, its length (1) first |
//!
//! A fact's sequence and time are its key's order (a date is flagged, so it reads back as a
//! date); its effect is its fold header's. A fact is 25 + 18 bytes instead of ~45 + ~120 of the
//! projection's layout, a summary 26 to 54 bytes instead of ~150 of JSON, a route 20 and a name
//! per pair-topic instead of ~80 of JSON. Every key a fact adds is one the projection's layout
//! adds too: sled stores each key in a page of up to 16, so a key costs more than its bytes.

use chrono::{DateTime, Utc};
use liaison_proto::{BusinessTime, EventId, Factuality, Status};
use liaison_relations::ledger::FoldHeader;
use liaison_relations::{FactEntry, OrderKey, PairTopic, Summary};
use uuid::Uuid;

/// The first byte of a fact's key.
pub const FACT: u8 = b'f';
/// The first byte of a summary's key.
pub const SUMMARY: u8 = b's';
/// The key of the next number to give.
pub const NEXT: &[u8] = b"#next";

/// The number of a pair-topic in the notifier's ledger.
pub type Number = u32;

/// A stored key or value that is not in this layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompactError {
    /// Too short or too long for what it should hold.
    #[error("{what}: {len} bytes")]
    Length {
        /// What was read.
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// A byte that codes nothing.
    #[error("{what}: no code {byte:#04x}")]
    Code {
        /// What was read.
        what: &'static str,
        /// The byte.
        byte: u8,
    },
    /// An order that names no instant, a header that is none, a name that is no pair-topic.
    #[error("{0}")]
    Invalid(String),
}

/// The key of `key`'s summary.
pub fn summary_key(key: &PairTopic) -> Vec<u8> {
    let name = key.storage_key();
    let mut out = Vec::with_capacity(1 + name.len());
    out.push(SUMMARY);
    out.extend_from_slice(name.as_bytes());
    out
}

/// A summary's value: the pair-topic's number, then the summary.
pub fn encode_numbered_summary(n: Number, summary: &Summary) -> Vec<u8> {
    let mut out = encode_number(n).to_vec();
    out.extend_from_slice(&encode_summary(summary));
    out
}

/// Reads [`encode_numbered_summary`] back.
pub fn decode_numbered_summary(value: &[u8]) -> Result<(Number, Summary), CompactError> {
    Ok((decode_number(value)?, decode_summary(&value[4..])?))
}

/// The prefix of every fact of pair-topic `n`.
pub fn fact_prefix(n: Number) -> [u8; 5] {
    let mut out = [FACT; 5];
    out[1..].copy_from_slice(&n.to_be_bytes());
    out
}

/// The key of pair-topic `n`'s fact at `at`.
pub fn fact_key(n: Number, at: OrderKey) -> [u8; 25] {
    let mut out = [0; 25];
    out[..5].copy_from_slice(&fact_prefix(n));
    out[5..].copy_from_slice(&at.to_bytes());
    out
}

/// The order of the fact stored under `key`.
pub fn order_of(key: &[u8]) -> Result<OrderKey, CompactError> {
    OrderKey::from_key_suffix(key).map_err(|e| CompactError::Invalid(e.to_string()))
}

/// A number as stored.
pub fn encode_number(n: Number) -> [u8; 4] {
    n.to_be_bytes()
}

/// Reads [`encode_number`] back from the first 4 bytes of `bytes`.
pub fn decode_number(bytes: &[u8]) -> Result<Number, CompactError> {
    let four = bytes.get(..4).ok_or(CompactError::Length {
        what: "a number",
        len: bytes.len(),
    })?;
    Ok(Number::from_be_bytes(four.try_into().expect("4 bytes")))
}

/// The second byte of a stored fact: its factuality's place in [`Factuality::ALL`], and
/// [`FactFlags::DATE`] when its time is a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactFlags(u8);

impl FactFlags {
    /// Set when the time is a calendar day (it reads back as one).
    const DATE: u8 = 0x80;

    fn of(factuality: Factuality, time: BusinessTime) -> Self {
        let code = Factuality::ALL
            .iter()
            .position(|f| *f == factuality)
            .expect("every factuality is in ALL") as u8;
        Self(code | if is_date(time) { Self::DATE } else { 0 })
    }

    fn read(byte: u8) -> Result<(Factuality, bool), CompactError> {
        let factuality = Factuality::ALL
            .get(usize::from(byte & !Self::DATE))
            .copied()
            .ok_or(CompactError::Code {
                what: "a factuality",
                byte,
            })?;
        Ok((factuality, byte & Self::DATE != 0))
    }
}

fn is_date(time: BusinessTime) -> bool {
    matches!(time, BusinessTime::Date(_))
}

/// `instant` as a business time: its day when `date`.
fn time_at(instant: DateTime<Utc>, date: bool) -> BusinessTime {
    if date {
        BusinessTime::Date(instant.date_naive())
    } else {
        BusinessTime::Instant(instant)
    }
}

/// A fact's value: its fold header, its flags, its event id. Its order is its key.
pub fn encode_fact(entry: &FactEntry) -> [u8; 18] {
    let mut out = [0; 18];
    out[0] = FoldHeader::of(entry).to_byte();
    out[1] = FactFlags::of(entry.factuality, entry.time).0;
    out[2..].copy_from_slice(entry.event_id.as_bytes());
    out
}

/// The fold header of a fact's value.
pub fn header_of(value: &[u8]) -> Result<FoldHeader, CompactError> {
    let byte = *value.first().ok_or(CompactError::Length {
        what: "a fact",
        len: 0,
    })?;
    FoldHeader::from_byte(byte).map_err(|e| CompactError::Invalid(e.to_string()))
}

/// Reads [`encode_fact`] back, with the order of its key.
pub fn decode_fact(at: OrderKey, value: &[u8]) -> Result<FactEntry, CompactError> {
    if value.len() != 18 {
        return Err(CompactError::Length {
            what: "a fact",
            len: value.len(),
        });
    }
    let header = header_of(value)?;
    let (factuality, date) = FactFlags::read(value[1])?;
    let event_id = Uuid::from_slice(&value[2..]).expect("16 bytes");
    Ok(FactEntry {
        event_id: event_id.into(),
        sequence: at.sequence(),
        time: time_at(at.instant(), date),
        effect: header.effect(),
        factuality,
    })
}

/// A status as stored: its place in [`Status::ALL`].
fn status_code(status: Status) -> u8 {
    Status::ALL
        .iter()
        .position(|s| *s == status)
        .expect("every status is in ALL") as u8
}

/// The summary's flags: it has a `since` (and `since_event`), and `since` is a date.
const HAS_SINCE: u8 = 0x01;
const SINCE_DATE: u8 = 0x02;

/// A summary: status (1), flags (1), the newest fact's order (20), then, when the status came
/// with a fact, that fact's instant (12) and event id (16).
pub fn encode_summary(summary: &Summary) -> Vec<u8> {
    let mut out = Vec::with_capacity(50);
    out.push(status_code(summary.status));
    let since = summary.since.zip(summary.since_event);
    let flags = match since {
        Some((time, _)) if is_date(time) => HAS_SINCE | SINCE_DATE,
        Some(_) => HAS_SINCE,
        None => 0,
    };
    out.push(flags);
    out.extend_from_slice(&summary.last.to_bytes());
    if let Some((time, event)) = since {
        // An order key's first 12 bytes are its instant; the sequence is not kept.
        out.extend_from_slice(&OrderKey::new(time, 0).to_bytes()[..12]);
        out.extend_from_slice(event.as_bytes());
    }
    out
}

/// Reads [`encode_summary`] back.
pub fn decode_summary(value: &[u8]) -> Result<Summary, CompactError> {
    let bad_length = || CompactError::Length {
        what: "a summary",
        len: value.len(),
    };
    let (&[code, flags], rest) = value.split_first_chunk::<2>().ok_or_else(bad_length)?;
    let status = Status::ALL
        .get(usize::from(code))
        .copied()
        .ok_or(CompactError::Code {
            what: "a status",
            byte: code,
        })?;
    let (last, rest) = rest
        .split_first_chunk::<{ OrderKey::LEN }>()
        .ok_or_else(bad_length)?;
    let last = OrderKey::from_bytes(last).map_err(|e| CompactError::Invalid(e.to_string()))?;
    let (since, since_event) = if flags & HAS_SINCE != 0 {
        if rest.len() != 28 {
            return Err(bad_length());
        }
        let mut order = [0; OrderKey::LEN];
        order[..12].copy_from_slice(&rest[..12]);
        let instant = OrderKey::from_bytes(&order)
            .map_err(|e| CompactError::Invalid(e.to_string()))?
            .instant();
        let event: EventId = Uuid::from_slice(&rest[12..]).expect("16 bytes").into();
        (Some(time_at(instant, flags & SINCE_DATE != 0)), Some(event))
    } else {
        if !rest.is_empty() {
            return Err(bad_length());
        }
        (None, None)
    };
    Ok(Summary {
        status,
        since,
        since_event,
        last,
    })
}

/// An event's route: the order of its facts, then the name of each pair-topic, its length
/// first (a name is at most 3 slugs of 64 bytes and 2 slashes).
pub fn encode_route(order: OrderKey, keys: &[PairTopic]) -> Vec<u8> {
    let mut out = Vec::with_capacity(OrderKey::LEN + 24 * keys.len());
    out.extend_from_slice(&order.to_bytes());
    for key in keys {
        let name = key.storage_key();
        out.push(u8::try_from(name.len()).expect("a pair-topic's name is under 256 bytes"));
        out.extend_from_slice(name.as_bytes());
    }
    out
}

/// Reads [`encode_route`] back.
pub fn decode_route(value: &[u8]) -> Result<(OrderKey, Vec<PairTopic>), CompactError> {
    let bad_length = || CompactError::Length {
        what: "a route",
        len: value.len(),
    };
    let (order, mut rest) = value
        .split_first_chunk::<{ OrderKey::LEN }>()
        .ok_or_else(bad_length)?;
    let order = OrderKey::from_bytes(order).map_err(|e| CompactError::Invalid(e.to_string()))?;
    let mut keys = Vec::new();
    while let Some((&len, after)) = rest.split_first() {
        let name = after.get(..usize::from(len)).ok_or_else(bad_length)?;
        keys.push(decode_pair_topic(name)?);
        rest = &after[usize::from(len)..];
    }
    Ok((order, keys))
}

/// Reads a pair-topic's name back.
pub fn decode_pair_topic(value: &[u8]) -> Result<PairTopic, CompactError> {
    std::str::from_utf8(value)
        .ok()
        .and_then(PairTopic::parse_storage_key)
        .ok_or_else(|| {
            CompactError::Invalid(format!(
                "{:?} is no pair-topic",
                String::from_utf8_lossy(value)
            ))
        })
}

#[cfg(test)]
mod tests {
    use liaison_proto::Slug;
    use liaison_relations::Effect;

    use super::*;

    fn entry(time: &str, factuality: Factuality, effect: Effect) -> FactEntry {
        FactEntry {
            event_id: Uuid::from_u128(0x0190a000_0000_7000_8000_00000000002a).into(),
            sequence: 12_345,
            time: BusinessTime::parse(time).unwrap(),
            effect,
            factuality,
        }
    }

    #[test]
    fn facts_round_trip_with_their_key_dates_staying_dates() {
        for time in [
            "2024-02-28",
            "2024-02-28T00:00:00Z",
            "1969-07-20T20:17:40.5Z",
        ] {
            for factuality in Factuality::ALL {
                for effect in Effect::ALL {
                    let e = entry(time, factuality, effect);
                    let value = encode_fact(&e);
                    let key = fact_key(7, e.order_key());
                    assert_eq!(decode_fact(order_of(&key).unwrap(), &value).unwrap(), e);
                    assert_eq!(header_of(&value).unwrap(), FoldHeader::of(&e));
                }
            }
        }
        let e = entry("2024-02-28", Factuality::Asserted, Effect::Agreed);
        assert!(decode_fact(e.order_key(), &[0x80]).is_err());
        let mut bad = encode_fact(&e);
        bad[1] = 0x7f;
        assert!(decode_fact(e.order_key(), &bad).is_err());
    }

    #[test]
    fn facts_of_a_pair_topic_sort_by_order_under_their_prefix() {
        let t = |x: &str| BusinessTime::parse(x).unwrap();
        let early = fact_key(3, OrderKey::new(t("2024-01-01"), 9));
        let late = fact_key(3, OrderKey::new(t("2024-01-02"), 1));
        let other = fact_key(4, OrderKey::new(t("2000-01-01"), 1));
        assert!(early < late && late < other);
        assert!(early.starts_with(&fact_prefix(3)) && !other.starts_with(&fact_prefix(3)));
    }

    #[test]
    fn summaries_round_trip() {
        let e = entry("2024-02-28", Factuality::Asserted, Effect::Exploring);
        let first = Summary::first(&e);
        assert_eq!(first.status, Status::Exploring);
        let instant = entry(
            "2024-02-28T10:11:12.5Z",
            Factuality::Asserted,
            Effect::Agreed,
        );
        let none = Summary {
            status: Status::None,
            since: None,
            since_event: None,
            last: e.order_key(),
        };
        for s in [first, Summary::first(&instant), none] {
            let bytes = encode_summary(&s);
            assert_eq!(decode_summary(&bytes).unwrap(), s);
            assert!(decode_summary(&bytes[..bytes.len() - 1]).is_err());
        }
        assert!(decode_summary(&[9, 0]).is_err());
    }

    #[test]
    fn routes_and_numbered_summaries_round_trip() {
        let slug = |x: &str| Slug::parse(x).unwrap();
        let key = PairTopic::new(slug("meta"), slug("lg"), slug("xr")).unwrap();
        let other = PairTopic::new(slug("a"), slug("b"), slug("general")).unwrap();
        let order = OrderKey::new(BusinessTime::parse("2024-02-28").unwrap(), 3);
        for keys in [vec![], vec![key.clone()], vec![key.clone(), other]] {
            let bytes = encode_route(order, &keys);
            assert_eq!(decode_route(&bytes).unwrap(), (order, keys));
        }
        assert!(decode_route(&[0; 19]).is_err());
        let mut cut = encode_route(order, std::slice::from_ref(&key));
        cut.pop();
        assert!(decode_route(&cut).is_err());
        assert_eq!(summary_key(&key), b"slg/meta/xr");
        assert!(decode_pair_topic(b"meta/lg/xr").is_err());
        let summary = Summary::first(&entry("2024-02-28", Factuality::Asserted, Effect::Agreed));
        for n in [0, 1, Number::MAX] {
            let bytes = encode_numbered_summary(n, &summary);
            assert_eq!(
                decode_numbered_summary(&bytes).unwrap(),
                (n, summary.clone())
            );
        }
        assert!(fact_prefix(1) < fact_prefix(256));
    }
}
