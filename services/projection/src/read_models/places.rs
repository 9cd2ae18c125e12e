//! Where an applied event is: its entry in the event index (the pair-topics it is a fact of, the
//! timelines that list it), read for a person who searches by event id.

use liaison_proto::query::{EventPlaces, RelationshipRef};
use liaison_proto::{BusinessTime, EventId, Slug};
use liaison_relations::ledger::layout;

use crate::read_models::timeline;
use crate::store::{EventIndex, FactRecord, Store, StoreError, decode, keys};

/// The places of the event `id`; `None` when it is not applied, or retracted.
pub fn places(store: &Store, id: uuid::Uuid) -> Result<Option<EventPlaces>, StoreError> {
    let key = crate::model::index_key(EventId::from(id));
    let Some(bytes) = store.tree().get(&key)? else {
        return Ok(None);
    };
    if bytes.first() == Some(&keys::RETRACTED) {
        return Ok(None);
    }
    let index: EventIndex = decode(&key, &bytes)?;
    let order = index.route.order;
    let mut time = None;
    for pt in &index.route.pair_topics {
        let k = layout::fact_key(pt, order);
        if let Some(v) = store.tree().get(&k)? {
            time = Some(FactRecord::from_bytes(&k, &v)?.time);
            break;
        }
    }
    let organizations: Vec<Slug> = index
        .timeline
        .iter()
        .filter_map(|o| Slug::parse(o).ok())
        .collect();
    if time.is_none()
        && let Some(org) = organizations.first()
    {
        time = timeline::body_at(store, org, &order.to_bytes())?.map(|e| e.event.time);
    }
    let time = time.unwrap_or_else(|| BusinessTime::Instant(order.instant()));
    Ok(Some(EventPlaces {
        id,
        sequence: index.sequence,
        time,
        relationships: index
            .route
            .pair_topics
            .iter()
            .map(|pt| RelationshipRef {
                organizations: [pt.a.clone(), pt.b.clone()],
                topic: pt.topic.clone(),
            })
            .collect(),
        organizations,
    }))
}
