//! How a ledger lies in an ordered key-value store: the projection's layout, which the notifier
//! uses too.
//!
//! | key | value |
//! |---|---|
//! | [`SUMMARY`] + `a/b/topic` | the pair-topic's [`Summary`] (JSON) |
//! | [`FACT`] + `a/b/topic` + `\0` + [`OrderKey::to_bytes`] | a [`FoldHeader`] byte, then the fact's record |
//!
//! Slugs never hold `/` or `\0`, so a pair-topic's facts are exactly the keys under
//! [`fact_prefix`], in the order in which they count; a store scans them backwards to re-fold.
//! The record after the header is the store's: the projection keeps the event's type and summary
//! (JSON), the notifier the [`FactEntry`] itself ([`encode_entry`]).

use crate::fact::FactEntry;
use crate::ledger::header::{BadFoldHeader, FoldHeader};
use crate::ledger::summary::Summary;
use crate::order::{BadOrderKey, OrderKey};
use crate::pair::PairTopic;

/// The first byte of a fact's key.
pub const FACT: u8 = b'f';
/// The first byte of a summary's key.
pub const SUMMARY: u8 = b's';

/// A stored key or value that the layout cannot read.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// A fact's value without its header byte.
    #[error("an empty fact")]
    EmptyFact,
    /// A fact's header byte is no header.
    #[error(transparent)]
    Header(#[from] BadFoldHeader),
    /// A fact's key does not end with an order key.
    #[error("a fact's key: {0}")]
    Order(#[from] BadOrderKey),
    /// A JSON record does not decode.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// The key of `key`'s summary.
pub fn summary_key(key: &PairTopic) -> Vec<u8> {
    let pt = key.storage_key();
    let mut out = Vec::with_capacity(1 + pt.len());
    out.push(SUMMARY);
    out.extend_from_slice(pt.as_bytes());
    out
}

/// The prefix of every fact of `key`.
pub fn fact_prefix(key: &PairTopic) -> Vec<u8> {
    let pt = key.storage_key();
    let mut out = Vec::with_capacity(2 + pt.len() + OrderKey::LEN);
    out.push(FACT);
    out.extend_from_slice(pt.as_bytes());
    out.push(0);
    out
}

/// The key of `key`'s fact at `at`.
pub fn fact_key(key: &PairTopic, at: OrderKey) -> Vec<u8> {
    let mut out = fact_prefix(key);
    out.extend_from_slice(&at.to_bytes());
    out
}

/// The order of the fact stored under `fact_key`.
pub fn order_of(fact_key: &[u8]) -> Result<OrderKey, LayoutError> {
    Ok(OrderKey::from_key_suffix(fact_key)?)
}

/// A fact's value: its header, then `record`.
pub fn fact_value(header: FoldHeader, record: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + record.len());
    out.push(header.to_byte());
    out.extend_from_slice(record);
    out
}

/// The header of a fact's value.
pub fn header_of(value: &[u8]) -> Result<FoldHeader, LayoutError> {
    let byte = *value.first().ok_or(LayoutError::EmptyFact)?;
    Ok(FoldHeader::from_byte(byte)?)
}

/// The record of a fact's value (what follows its header).
pub fn record_of(value: &[u8]) -> Result<&[u8], LayoutError> {
    header_of(value)?;
    Ok(&value[1..])
}

/// A fact's value whose record is the entry itself, as JSON.
pub fn encode_entry(entry: &FactEntry) -> Vec<u8> {
    let record = serde_json::to_vec(entry).expect("an entry serializes");
    fact_value(FoldHeader::of(entry), &record)
}

/// Reads [`encode_entry`] back.
pub fn decode_entry(value: &[u8]) -> Result<FactEntry, LayoutError> {
    Ok(serde_json::from_slice(record_of(value)?)?)
}

/// A summary's value.
pub fn encode_summary(summary: &Summary) -> Vec<u8> {
    serde_json::to_vec(summary).expect("a summary serializes")
}

/// Reads [`encode_summary`] back.
pub fn decode_summary(value: &[u8]) -> Result<Summary, LayoutError> {
    Ok(serde_json::from_slice(value)?)
}

#[cfg(test)]
mod tests {
    use liaison_proto::{BusinessTime, Factuality, Slug};

    use super::*;
    use crate::effect::Effect;

    #[test]
    fn facts_of_a_pair_topic_sort_by_order_under_their_prefix() {
        let s = |x: &str| Slug::parse(x).unwrap();
        let key = PairTopic::new(s("meta"), s("lg"), s("xr")).unwrap();
        let other = PairTopic::new(s("meta"), s("lg"), s("xr-glasses")).unwrap();
        let t = |x: &str| BusinessTime::parse(x).unwrap();
        let early = fact_key(&key, OrderKey::new(t("2024-01-01"), 9));
        let late = fact_key(&key, OrderKey::new(t("2024-01-02"), 1));
        assert!(early < late);
        assert!(early.starts_with(&fact_prefix(&key)) && late.starts_with(&fact_prefix(&key)));
        assert!(
            !fact_key(&other, OrderKey::new(t("2024-01-01"), 1)).starts_with(&fact_prefix(&key))
        );
        assert_eq!(order_of(&late).unwrap(), OrderKey::new(t("2024-01-02"), 1));
        assert_eq!(summary_key(&key), b"slg/meta/xr");
        assert_eq!(&early[..12], b"flg/meta/xr\0");
    }

    #[test]
    fn an_entry_round_trips_behind_its_header() {
        let entry = FactEntry {
            event_id: uuid::Uuid::from_u128(7).into(),
            sequence: 3,
            time: BusinessTime::parse("2024-02-28").unwrap(),
            effect: Effect::Agreed,
            factuality: Factuality::Asserted,
        };
        let value = encode_entry(&entry);
        assert_eq!(header_of(&value).unwrap().moves(), Some(Effect::Agreed));
        assert_eq!(decode_entry(&value).unwrap(), entry);
        assert!(matches!(header_of(&[]), Err(LayoutError::EmptyFact)));
        assert!(matches!(header_of(&[0x7f]), Err(LayoutError::Header(_))));
        assert!(matches!(
            decode_entry(&[0x80, b'{']),
            Err(LayoutError::Json(_))
        ));
    }
}
