//! Which pair-topics an applied event is a fact of, and where: what a retraction undoes.
//!
//! [`crate::Ledger::apply`] returns the [`Route`] of a fact; a service stores it under the event's
//! id (the projection inside its event index, the notifier in its own tree) and hands it back to
//! [`crate::Ledger::retract`] when an `event.retracted` names the event. Retraction is routed this
//! one way everywhere.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::order::OrderKey;
use crate::pair::PairTopic;

/// Where an event's facts are. Stored as JSON: `{"order", "pair_topics"?}`, the pair-topics as
/// their storage keys (`a/b/topic`), left out when there are none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The order of the event's facts (the same in every pair-topic).
    pub order: OrderKey,
    /// The pair-topics it is a fact of.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "as_storage_keys",
        deserialize_with = "from_storage_keys"
    )]
    pub pair_topics: Vec<PairTopic>,
}

impl Route {
    /// An event at `order` that is no fact of any pair-topic.
    pub fn none(order: OrderKey) -> Self {
        Self {
            order,
            pair_topics: Vec::new(),
        }
    }
}

fn as_storage_keys<S: Serializer>(keys: &[PairTopic], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(keys.iter().map(PairTopic::storage_key))
}

fn from_storage_keys<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<PairTopic>, D::Error> {
    Vec::<String>::deserialize(deserializer)?
        .iter()
        .map(|k| {
            PairTopic::parse_storage_key(k).ok_or_else(|| {
                serde::de::Error::custom(format!("{k:?} is not a pair-topic key (a/b/topic)"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use liaison_proto::{BusinessTime, Slug};

    use super::*;

    #[test]
    fn the_stored_form_lists_pair_topic_keys() {
        let s = |x: &str| Slug::parse(x).unwrap();
        let order = OrderKey::new(BusinessTime::parse("2024-02-28").unwrap(), 3);
        let route = Route {
            order,
            pair_topics: vec![PairTopic::new(s("meta"), s("lg"), s("xr")).unwrap()],
        };
        let json = serde_json::to_string(&route).unwrap();
        assert_eq!(
            json,
            format!(r#"{{"order":"{order}","pair_topics":["lg/meta/xr"]}}"#)
        );
        assert_eq!(serde_json::from_str::<Route>(&json).unwrap(), route);
        let none = serde_json::to_string(&Route::none(order)).unwrap();
        assert_eq!(none, format!(r#"{{"order":"{order}"}}"#));
        assert_eq!(
            serde_json::from_str::<Route>(&none).unwrap(),
            Route::none(order)
        );
        let bad = format!(r#"{{"order":"{order}","pair_topics":["meta/lg/xr"]}}"#);
        assert!(serde_json::from_str::<Route>(&bad).is_err());
    }
}
