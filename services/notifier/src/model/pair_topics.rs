//! The domain's pair-topic ledger over the notifier's `pair_topics` tree, in the layout the
//! projection uses ([`liaison_relations::ledger::layout`]): one key per fact, a small summary per
//! pair-topic. A fact costs the notifier the same few reads and writes however long its
//! pair-topic's history is (the whole state of a pair-topic is never decoded or re-encoded).
//!
//! Facts are stored as the domain's [`FactEntry`] behind their fold header
//! ([`layout::encode_entry`]): the notifier needs nothing else of them.

use std::cell::Cell;

use liaison_log::StagedTree;
use liaison_relations::ledger::layout::{self, LayoutError};
use liaison_relations::{
    FactEntry, FoldHeader, LedgerStore, LedgerView, OrderKey, PairTopic, StoreCost, Summary,
};

use crate::store::StoreError;

/// The ledger's store: the batch's staged writes of the `pair_topics` tree, read through.
#[derive(Debug)]
pub struct PairTopics<'t> {
    tree: &'t mut StagedTree,
    cost: Cell<StoreCost>,
}

impl<'t> PairTopics<'t> {
    /// The store over the staged `pair_topics` tree.
    pub fn new(tree: &'t mut StagedTree) -> Self {
        Self {
            tree,
            cost: Cell::default(),
        }
    }

    /// What it read and wrote so far.
    pub fn cost(&self) -> StoreCost {
        self.cost.get()
    }

    fn count_read(&self, key: &[u8], value: &[u8]) {
        let mut cost = self.cost.get();
        cost.read(key, value);
        self.cost.set(cost);
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let value = self.tree.get(key)?;
        if let Some(v) = &value {
            self.count_read(key, v);
        }
        Ok(value)
    }

    fn insert(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.cost.get_mut().wrote(&key, &value);
        self.tree.insert(key, value);
    }

    fn remove(&mut self, key: Vec<u8>) {
        self.cost.get_mut().wrote(&key, &[]);
        self.tree.remove(key);
    }
}

/// A ledger entry under `key` that does not read.
fn corrupt(key: &[u8]) -> impl FnOnce(LayoutError) -> StoreError + '_ {
    move |source| StoreError::Layout {
        key: String::from_utf8_lossy(key).into_owned(),
        source,
    }
}

impl LedgerView for PairTopics<'_> {
    type Error = StoreError;

    fn summary(&self, key: &PairTopic) -> Result<Option<Summary>, StoreError> {
        let k = layout::summary_key(key);
        self.get(&k)?
            .map(|v| layout::decode_summary(&v).map_err(corrupt(&k)))
            .transpose()
    }

    fn newest_first(
        &self,
        key: &PairTopic,
        upto: Option<OrderKey>,
        mut visit: impl FnMut(OrderKey, FoldHeader) -> bool,
    ) -> Result<(), StoreError> {
        self.tree
            .for_each_prefix_rev(&layout::fact_prefix(key), |k, v| {
                self.count_read(k, v);
                let at = layout::order_of(k).map_err(corrupt(k))?;
                if upto.is_some_and(|upto| at > upto) {
                    return Ok(true);
                }
                Ok(visit(at, layout::header_of(v).map_err(corrupt(k))?))
            })
    }

    fn fact(&self, key: &PairTopic, at: OrderKey) -> Result<Option<FactEntry>, StoreError> {
        let k = layout::fact_key(key, at);
        self.get(&k)?
            .map(|v| layout::decode_entry(&v).map_err(corrupt(&k)))
            .transpose()
    }
}

impl LedgerStore for PairTopics<'_> {
    type Record = ();

    fn put_fact(&mut self, key: &PairTopic, entry: &FactEntry, _: &()) {
        self.insert(
            layout::fact_key(key, entry.order_key()),
            layout::encode_entry(entry),
        );
    }

    fn remove_fact(&mut self, key: &PairTopic, at: OrderKey) {
        self.remove(layout::fact_key(key, at));
    }

    fn put_summary(&mut self, key: &PairTopic, summary: &Summary) {
        self.insert(layout::summary_key(key), layout::encode_summary(summary));
    }

    fn remove_summary(&mut self, key: &PairTopic) {
        self.remove(layout::summary_key(key));
    }
}
