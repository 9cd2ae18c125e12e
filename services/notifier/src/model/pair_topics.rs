//! The domain's pair-topic ledger over the notifier's `pair_topics` tree, in the layout the
//! projection uses ([`liaison_relations::ledger::layout`]): one key per fact, a small summary per
//! pair-topic. A fact costs the notifier the same few reads and writes however long its
//! pair-topic's history is (the whole state of a pair-topic is never decoded or re-encoded).
//!
//! Facts are stored as the domain's [`FactEntry`] behind their fold header
//! ([`layout::encode_entry`]): the notifier needs nothing else of them.

use liaison_log::StagedTree;
use liaison_relations::ledger::bytes::{EntryBytesMut, FactBytes, OrderedBytes, Visit};
use liaison_relations::ledger::layout::LayoutError;
use liaison_relations::{CostCounter, StoreCost};

use crate::store::StoreError;

/// The ledger's store: the batch's staged writes of the `pair_topics` tree, read through.
#[derive(Debug)]
pub struct PairTopics<'t> {
    tree: &'t mut StagedTree,
    cost: CostCounter,
}

impl<'t> PairTopics<'t> {
    /// The store over the staged `pair_topics` tree.
    pub fn new(tree: &'t mut StagedTree) -> Self {
        Self {
            tree,
            cost: CostCounter::default(),
        }
    }

    /// What it read and wrote so far.
    pub fn cost(&self) -> StoreCost {
        self.cost.get()
    }
}

impl OrderedBytes for PairTopics<'_> {
    type Error = StoreError;

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let value = self.tree.get(key)?;
        if let Some(v) = &value {
            self.cost.read(key, v);
        }
        Ok(value)
    }

    fn scan_rev(
        &self,
        first: &[u8],
        last: &[u8],
        visit: &mut Visit<'_, StoreError>,
    ) -> Result<(), StoreError> {
        self.tree.for_each_prefix_rev(first, |k, v| {
            if k > last {
                return Ok(true);
            }
            self.cost.read(k, v);
            visit(k, v)
        })
    }

    fn corrupt(&self, key: &[u8], source: LayoutError) -> StoreError {
        StoreError::Layout {
            key: String::from_utf8_lossy(key).into_owned(),
            source,
        }
    }
}

impl FactBytes for PairTopics<'_> {}

impl EntryBytesMut for PairTopics<'_> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.cost.wrote(&key, &value);
        self.tree.insert(key, value);
    }

    fn remove(&mut self, key: Vec<u8>) {
        self.cost.wrote(&key, &[]);
        self.tree.remove(key);
    }
}
