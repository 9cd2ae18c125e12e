//! The key of a relationship: an unordered pair of organizations and one topic.
//!
//! Every status lives under one [`PairTopic`]; [`pair_topics`] routes a fact to the keys it
//! touches, so that a service loads and updates only those.

use std::fmt;

use liaison_proto::Slug;
use serde::{Deserialize, Serialize};

use crate::fact::Fact;

/// An unordered pair of distinct organizations on one topic, stored with `a < b`.
///
/// The derived order (a, then b, then topic) is also the order of [`PairTopic::storage_key`], so
/// a prefix scan on [`PairTopic::pair_prefix`] finds every topic of a pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PairTopic {
    /// The smaller organization slug.
    pub a: Slug,
    /// The larger organization slug.
    pub b: Slug,
    /// The topic.
    pub topic: Slug,
}

impl PairTopic {
    /// The key for `x` and `y` in either order; `None` when they are the same organization.
    pub fn new(x: Slug, y: Slug, topic: Slug) -> Option<Self> {
        match x.cmp(&y) {
            std::cmp::Ordering::Less => Some(Self { a: x, b: y, topic }),
            std::cmp::Ordering::Greater => Some(Self { a: y, b: x, topic }),
            std::cmp::Ordering::Equal => None,
        }
    }

    /// A byte key for an ordered store: `a/b/topic` (slugs never hold `/`).
    pub fn storage_key(&self) -> String {
        format!("{}/{}/{}", self.a, self.b, self.topic)
    }

    /// The prefix shared by every topic of the pair of `x` and `y` (in either order): `a/b/`.
    pub fn pair_prefix(x: &Slug, y: &Slug) -> String {
        let (a, b) = if x <= y { (x, y) } else { (y, x) };
        format!("{a}/{b}/")
    }

    /// Reads back a [`PairTopic::storage_key`]; `None` if it is not one.
    pub fn parse_storage_key(key: &str) -> Option<Self> {
        let mut parts = key.split('/');
        let a = Slug::parse(parts.next()?).ok()?;
        let b = Slug::parse(parts.next()?).ok()?;
        let topic = Slug::parse(parts.next()?).ok()?;
        if parts.next().is_some() || a >= b {
            return None;
        }
        Some(Self { a, b, topic })
    }
}

impl fmt::Display for PairTopic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{} on {}", self.a, self.b, self.topic)
    }
}

/// Every pair-topic a fact concerns: each unordered pair of its distinct organizations, for each
/// of its topics (a meeting of three makes three pairs). Sorted, without duplicates.
///
/// A fact built without [`Fact::new`] and with no topics counts for `general` here too.
pub fn pair_topics(fact: &Fact) -> Vec<PairTopic> {
    let mut orgs = fact.organizations.clone();
    orgs.sort();
    orgs.dedup();
    let topics = crate::fact::topics_or_general(fact.topics.iter().cloned());
    let mut keys = Vec::with_capacity(orgs.len() * orgs.len().saturating_sub(1) / 2 * topics.len());
    for (i, a) in orgs.iter().enumerate() {
        for b in &orgs[i + 1..] {
            for topic in &topics {
                keys.push(PairTopic {
                    a: a.clone(),
                    b: b.clone(),
                    topic: topic.clone(),
                });
            }
        }
    }
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use liaison_proto::{BusinessTime, Factuality};

    use super::*;
    use crate::effect::Effect;

    fn s(x: &str) -> Slug {
        Slug::parse(x).unwrap()
    }

    #[test]
    fn order_of_the_pair_does_not_matter() {
        assert_eq!(
            PairTopic::new(s("meta"), s("lg"), s("xr")),
            PairTopic::new(s("lg"), s("meta"), s("xr"))
        );
        assert_eq!(PairTopic::new(s("lg"), s("lg"), s("xr")), None);
    }

    #[test]
    fn storage_key_round_trips_and_prefixes_the_pair() {
        let k = PairTopic::new(s("meta"), s("lg"), s("xr")).unwrap();
        assert_eq!(k.storage_key(), "lg/meta/xr");
        assert_eq!(
            PairTopic::parse_storage_key(&k.storage_key()),
            Some(k.clone())
        );
        assert!(
            k.storage_key()
                .starts_with(&PairTopic::pair_prefix(&s("meta"), &s("lg")))
        );
        assert_eq!(PairTopic::parse_storage_key("meta/lg/xr"), None);
        assert_eq!(PairTopic::parse_storage_key("lg/meta/xr/x"), None);
    }

    #[test]
    fn a_meeting_of_three_makes_three_pairs_per_topic() {
        let fact = Fact::new(
            uuid::Uuid::from_u128(1),
            1,
            BusinessTime::parse("2024-02-28").unwrap(),
            Effect::Contact,
            Factuality::Asserted,
            [s("meta"), s("lg"), s("sony"), s("lg")],
            [s("xr"), s("ai")],
        );
        let keys = pair_topics(&fact);
        assert_eq!(keys.len(), 6);
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_meeting_without_topics_counts_for_general() {
        let fact = Fact::new(
            uuid::Uuid::from_u128(1),
            1,
            BusinessTime::parse("2024-02-28").unwrap(),
            Effect::Contact,
            Factuality::Asserted,
            [s("meta"), s("lg")],
            [],
        );
        assert_eq!(
            pair_topics(&fact),
            vec![PairTopic::new(s("lg"), s("meta"), s("general")).unwrap()]
        );
    }
}
