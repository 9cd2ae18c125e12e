//! The effect preview (`POST /v1/preview`): what one event would do to the current status of
//! every pair-topic it touches, if it were appended now.
//!
//! The domain's [`Ledger`] runs over [`Overlay`] — the committed tree read through an in-memory
//! map of the writes — exactly as the applier runs it over a batch's staged writes; the map is
//! dropped with the answer, so nothing is stored. The event counts after everything applied (its
//! sequence is the checkpoint's next), as it would once appended. The work is bounded by the
//! events' limits: at most [`liaison_proto::MAX_PAIR_TOPICS`] pair-topics, each one step of the
//! status machine or one re-fold back to its last `ended`.

use std::collections::BTreeMap;

use chrono::Utc;
use liaison_proto::envelope::INGEST_SOURCE;
use liaison_proto::preview::{EffectPreview, PairTopicEffect, StatusAt};
use liaison_proto::{ClientEvent, Envelope, ValidationErrors};
use liaison_relations::ledger::bytes::{FactBytes, OrderedBytes, Visit};
use liaison_relations::ledger::layout::{self, LayoutError};
use liaison_relations::{Fact, FactEntry, Ledger, LedgerStore, OrderKey, PairTopic, Summary};
use serde_json::Value;
use uuid::Uuid;

use crate::read_models::relationships::Committed;
use crate::store::{FactRecord, Store, StoreError, escape, keys};

/// Why a preview was refused.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// The body is not one valid event (pointers in the errors).
    #[error("the event is not valid")]
    Invalid(ValidationErrors),
    /// A batch was sent: a preview is of one event.
    #[error("a preview is of one event, not a batch")]
    Batch,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The effect of the event `body` (as `POST /v1/events` takes one) on `store`'s current facts.
pub fn preview(store: &Store, body: &Value) -> Result<EffectPreview, PreviewError> {
    if liaison_proto::validate::is_batch(body) {
        return Err(PreviewError::Batch);
    }
    let event: ClientEvent = liaison_proto::validate_submission(body)
        .map_err(PreviewError::Invalid)?
        .pop()
        .expect("one event validated");
    let checkpoint = store.checkpoint()?;
    let id = event.id.unwrap_or_else(Uuid::now_v7);
    let already_applied = match event.id {
        Some(id) => store.contains(&keys::key(keys::INDEX, &[id.to_string().as_bytes()]))?,
        None => false,
    };
    let event_type = event.event_type();
    let factuality = event.event.factuality();
    let envelope = Envelope::with_id(event.clone(), id, INGEST_SOURCE, Utc::now());
    let effects = match Fact::from_envelope(&envelope, checkpoint.saturating_add(1)) {
        None => Vec::new(),
        Some(fact) => effects(store, &fact, &FactRecord::of(&envelope), already_applied)?,
    };
    Ok(EffectPreview {
        event_id: event.id,
        event_type,
        factuality,
        already_applied,
        checkpoint,
        effects,
    })
}

fn effects(
    store: &Store,
    fact: &Fact,
    record: &FactRecord,
    already_applied: bool,
) -> Result<Vec<PairTopicEffect>, StoreError> {
    let mut ledger = Ledger::new(Overlay::new(store));
    let keys = liaison_relations::pair_topics(fact);
    let now: Vec<Option<Summary>> = keys
        .iter()
        .map(|k| liaison_relations::LedgerView::summary(ledger.store(), k))
        .collect::<Result<_, _>>()?;
    let after: Vec<Option<Summary>> = if already_applied {
        now.clone()
    } else {
        ledger.apply(fact, record)?;
        keys.iter()
            .map(|k| liaison_relations::LedgerView::summary(ledger.store(), k))
            .collect::<Result<_, _>>()?
    };
    Ok(keys
        .into_iter()
        .zip(now.iter().zip(after.iter()))
        .map(|(key, (now, after))| {
            let now = status_at(now.as_ref());
            let after = status_at(after.as_ref());
            PairTopicEffect {
                changed: now.status != after.status,
                a: key.a,
                b: key.b,
                topic: key.topic,
                now,
                after,
            }
        })
        .collect())
}

fn status_at(summary: Option<&Summary>) -> StatusAt {
    StatusAt {
        status: Summary::status_of(summary),
        since: summary.and_then(|s| s.since),
        since_event: summary.and_then(|s| s.since_event).map(Uuid::from),
    }
}

/// The committed tree read through an in-memory map of writes (`None`: removed), which is
/// dropped with it.
struct Overlay<'s> {
    committed: Committed<'s>,
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl<'s> Overlay<'s> {
    fn new(store: &'s Store) -> Self {
        Self {
            committed: Committed::new(store),
            writes: BTreeMap::new(),
        }
    }
}

impl OrderedBytes for Overlay<'_> {
    type Error = StoreError;

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.writes.get(key) {
            Some(value) => Ok(value.clone()),
            None => self.committed.get(key),
        }
    }

    fn scan_rev(
        &self,
        first: &[u8],
        last: &[u8],
        visit: &mut Visit<'_, StoreError>,
    ) -> Result<(), StoreError> {
        // The overlay's entries of the range, greatest first, merged into the committed scan.
        let mut mine = self
            .writes
            .range(first.to_vec()..=last.to_vec())
            .rev()
            .peekable();
        let mut stopped = false;
        self.committed.scan_rev(first, last, &mut |k, v| {
            while let Some((mk, mv)) = mine.next_if(|(mk, _)| mk.as_slice() >= k) {
                let same = mk.as_slice() == k;
                if let Some(mv) = mv
                    && !visit(mk, mv)?
                {
                    stopped = true;
                    return Ok(false);
                }
                if same {
                    return Ok(true);
                }
            }
            let go_on = visit(k, v)?;
            stopped = !go_on;
            Ok(go_on)
        })?;
        if stopped {
            return Ok(());
        }
        for (mk, mv) in mine {
            if let Some(mv) = mv
                && !visit(mk, mv)?
            {
                break;
            }
        }
        Ok(())
    }

    fn corrupt(&self, key: &[u8], source: LayoutError) -> StoreError {
        StoreError::Layout {
            key: escape(key),
            source,
        }
    }
}

impl FactBytes for Overlay<'_> {
    fn fact_at(&self, key: &PairTopic, at: OrderKey) -> Result<Option<FactEntry>, StoreError> {
        let k = layout::fact_key(key, at);
        self.get(&k)?
            .map(|v| FactRecord::from_bytes(&k, &v).map(|r| r.entry(at.sequence())))
            .transpose()
    }
}

impl LedgerStore for Overlay<'_> {
    type Record = FactRecord;

    fn put_fact(&mut self, key: &PairTopic, entry: &FactEntry, record: &FactRecord) {
        self.writes.insert(
            layout::fact_key(key, entry.order_key()),
            Some(record.to_bytes(entry)),
        );
    }

    fn remove_fact(&mut self, key: &PairTopic, at: OrderKey) {
        self.writes.insert(layout::fact_key(key, at), None);
    }

    fn put_summary(&mut self, key: &PairTopic, summary: &Summary) {
        self.writes.insert(
            layout::summary_key(key),
            Some(layout::encode_summary(summary)),
        );
    }

    fn remove_summary(&mut self, key: &PairTopic) {
        self.writes.insert(layout::summary_key(key), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys `overlay` scans from `a` to `z`, greatest first, stopping after `most`.
    fn scanned(overlay: &Overlay<'_>, most: usize) -> Vec<String> {
        let mut seen = Vec::new();
        overlay
            .scan_rev(b"a", b"z", &mut |k, v| {
                seen.push(format!(
                    "{}={}",
                    String::from_utf8_lossy(k),
                    String::from_utf8_lossy(v)
                ));
                Ok(seen.len() < most)
            })
            .unwrap();
        seen
    }

    #[test]
    fn the_overlay_reads_through_its_writes_and_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 8).unwrap();
        for k in ["b", "d", "f"] {
            store.tree().insert(k, "stored").unwrap();
        }
        let mut overlay = Overlay::new(&store);
        for (k, v) in [
            ("a", Some("new")),
            ("c", Some("new")),
            ("d", None),
            ("f", Some("new")),
            ("g", Some("new")),
        ] {
            overlay
                .writes
                .insert(k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec()));
        }
        assert_eq!(
            scanned(&overlay, usize::MAX),
            ["g=new", "f=new", "c=new", "b=stored", "a=new"],
            "greatest first, the overlay's value over the stored one, a removal hides it"
        );
        assert_eq!(
            scanned(&overlay, 2),
            ["g=new", "f=new"],
            "a visit that says stop stops"
        );
        assert_eq!(
            scanned(&overlay, 4),
            ["g=new", "f=new", "c=new", "b=stored"]
        );
        assert_eq!(overlay.get(b"d").unwrap(), None);
        assert_eq!(overlay.get(b"b").unwrap().as_deref(), Some(&b"stored"[..]));
        drop(overlay);
        let kept: Vec<_> = store
            .tree()
            .range(&b"a"[..]..=&b"z"[..])
            .keys()
            .map(|k| k.unwrap().to_vec())
            .collect();
        assert_eq!(
            kept,
            [b"b".to_vec(), b"d".to_vec(), b"f".to_vec()],
            "nothing was written"
        );
    }
}
