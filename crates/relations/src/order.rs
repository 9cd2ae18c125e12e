//! The order in which facts count: business time as an instant, then log sequence.
//!
//! [`OrderKey`] is that order as a value, and as 20 bytes whose byte order is the same order
//! ([`OrderKey::to_bytes`]), so that an ordered store keeps a pair-topic's facts sorted by
//! appending the key to a prefix. Its text form (serde, `Display`) is the hex of those bytes,
//! which sorts the same way too; it is what stored summaries, event indexes and page cursors hold.

use std::fmt;

use chrono::{DateTime, Utc};
use liaison_proto::{AsOf, BusinessTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where a fact counts: its business time as an instant (a date counts at 00:00 UTC), then its
/// log sequence. The derived order is the contract's order of facts, and the order of
/// [`OrderKey::to_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderKey {
    instant: DateTime<Utc>,
    sequence: u64,
}

/// Text or bytes that are not an [`OrderKey`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BadOrderKey {
    /// Not hex.
    #[error("not hex: {0}")]
    Hex(#[from] hex::FromHexError),
    /// Not [`OrderKey::LEN`] bytes.
    #[error("{0} bytes, an order key has 20")]
    Length(usize),
    /// The seconds and nanoseconds name no instant chrono can hold.
    #[error("no such instant")]
    Instant,
}

impl OrderKey {
    /// The length of [`OrderKey::to_bytes`]: 12 bytes of instant, 8 of sequence.
    pub const LEN: usize = 20;

    /// The order of a fact that happened at `time`, with log sequence `sequence`.
    pub fn new(time: BusinessTime, sequence: u64) -> Self {
        Self::at(time.instant(), sequence)
    }

    /// The order of sequence `sequence` at `instant`.
    pub fn at(instant: DateTime<Utc>, sequence: u64) -> Self {
        Self { instant, sequence }
    }

    /// The greatest order that `as_of` includes: every sequence at its last included instant
    /// (a date includes its whole day).
    pub fn last_of(as_of: AsOf) -> Self {
        Self::at(as_of.last_included(), u64::MAX)
    }

    /// The business time, as an instant.
    pub fn instant(&self) -> DateTime<Utc> {
        self.instant
    }

    /// The log sequence.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// 20 bytes in the same order: the seconds (sign bit flipped, big-endian), the nanoseconds
    /// (big-endian), the sequence (big-endian).
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut out = [0; Self::LEN];
        out[..12].copy_from_slice(&instant_bytes(self.instant));
        out[12..].copy_from_slice(&self.sequence.to_be_bytes());
        out
    }

    /// Reads [`OrderKey::to_bytes`] back.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BadOrderKey> {
        let bytes: &[u8; Self::LEN] = bytes
            .try_into()
            .map_err(|_| BadOrderKey::Length(bytes.len()))?;
        let (secs, rest) = bytes.split_at(8);
        let (nanos, sequence) = rest.split_at(4);
        let secs = (u64::from_be_bytes(secs.try_into().expect("8 bytes")) ^ SIGN) as i64;
        let nanos = u32::from_be_bytes(nanos.try_into().expect("4 bytes"));
        let instant = DateTime::from_timestamp(secs, nanos).ok_or(BadOrderKey::Instant)?;
        Ok(Self::at(
            instant,
            u64::from_be_bytes(sequence.try_into().expect("8 bytes")),
        ))
    }

    /// The order key that ends a stored key (its last [`OrderKey::LEN`] bytes).
    pub fn from_key_suffix(key: &[u8]) -> Result<Self, BadOrderKey> {
        let start = key
            .len()
            .checked_sub(Self::LEN)
            .ok_or(BadOrderKey::Length(key.len()))?;
        Self::from_bytes(&key[start..])
    }
}

/// The sign bit of the seconds, flipped so that byte order is numeric order.
const SIGN: u64 = 1 << 63;

/// 12 bytes whose byte order is the order of instants.
fn instant_bytes(t: DateTime<Utc>) -> [u8; 12] {
    let secs = (t.timestamp() as u64) ^ SIGN;
    let mut out = [0; 12];
    out[..8].copy_from_slice(&secs.to_be_bytes());
    out[8..].copy_from_slice(&t.timestamp_subsec_nanos().to_be_bytes());
    out
}

impl fmt::Display for OrderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.to_bytes()))
    }
}

impl std::str::FromStr for OrderKey {
    type Err = BadOrderKey;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_bytes(&hex::decode(s)?)
    }
}

impl Serialize for OrderKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OrderKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> BusinessTime {
        BusinessTime::parse(s).unwrap()
    }

    #[test]
    fn byte_order_and_text_order_are_the_order_of_facts() {
        let keys = [
            OrderKey::new(t("1900-01-01"), 9),
            OrderKey::new(t("1969-12-31T23:59:59.5Z"), 1),
            OrderKey::new(t("1970-01-01"), 1),
            OrderKey::new(t("2024-02-28"), 2),
            OrderKey::new(t("2024-02-28T00:00:00Z"), 10),
            OrderKey::new(t("2024-02-28T00:00:00.000000001Z"), 1),
            OrderKey::new(t("2024-02-29"), 0),
        ];
        for w in keys.windows(2) {
            assert!(w[0] < w[1], "{w:?}");
            assert!(w[0].to_bytes() < w[1].to_bytes(), "{w:?}");
            assert!(w[0].to_string() < w[1].to_string(), "{w:?}");
        }
        for k in keys {
            assert_eq!(OrderKey::from_bytes(&k.to_bytes()), Ok(k));
            assert_eq!(k.to_string().parse(), Ok(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(serde_json::from_str::<OrderKey>(&json).unwrap(), k);
        }
    }

    #[test]
    fn the_bound_of_a_date_includes_its_whole_day() {
        let bound = OrderKey::last_of(AsOf::parse("2024-02-28").unwrap());
        assert!(OrderKey::new(t("2024-02-28T23:59:59Z"), u64::MAX) <= bound);
        assert!(OrderKey::new(t("2024-02-29"), 0) > bound);
        assert_eq!(&bound.to_bytes()[12..], &[0xff; 8]);
    }

    #[test]
    fn malformed_keys_say_why() {
        assert_eq!(OrderKey::from_bytes(&[0; 3]), Err(BadOrderKey::Length(3)));
        assert!(matches!("zz".parse::<OrderKey>(), Err(BadOrderKey::Hex(_))));
        assert_eq!(
            OrderKey::from_key_suffix(b"ab"),
            Err(BadOrderKey::Length(2))
        );
        let k = OrderKey::new(t("2024-01-01"), 7);
        let mut stored = b"f-prefix\0".to_vec();
        stored.extend_from_slice(&k.to_bytes());
        assert_eq!(OrderKey::from_key_suffix(&stored), Ok(k));
    }
}
