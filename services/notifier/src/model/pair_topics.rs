//! The domain's pair-topic ledger over the notifier's `pair_topics` tree, in the notifier's
//! compact [`layout`]: one 25-byte key and 18-byte value per fact, a binary summary per
//! pair-topic. A fact costs the notifier the same few reads and writes however long its
//! pair-topic's history is (the whole state of a pair-topic is never decoded or re-encoded).
//!
//! The ledger's writes cannot fail, but finding a pair-topic's number reads: so a store is made
//! for the pair-topics of one fact or one route ([`PairTopics::for_keys`]), which finds (or gives)
//! their numbers first, and the ledger then touches only those.

use std::collections::HashMap;

use liaison_log::StagedTree;
use liaison_relations::ledger::{FoldHeader, LedgerStore, LedgerView};
use liaison_relations::{CostCounter, FactEntry, OrderKey, PairTopic, StoreCost, Summary};

use super::layout::{self, CompactError, Number};
use crate::store::StoreError;

/// The ledger's store: the batch's staged writes of the `pair_topics` tree, read through, and
/// the numbers of the pair-topics one change touches.
#[derive(Debug)]
pub struct PairTopics<'t> {
    tree: &'t mut StagedTree,
    cost: CostCounter,
    numbers: HashMap<PairTopic, Number>,
}

impl<'t> PairTopics<'t> {
    /// The store over the staged `pair_topics` tree for a change of `keys`, numbering the ones
    /// that have no number yet (no summary: no fact).
    pub fn for_keys(tree: &'t mut StagedTree, keys: &[PairTopic]) -> Result<Self, StoreError> {
        let mut store = Self::empty(tree);
        for key in keys {
            store.number_or_new(key)?;
        }
        Ok(store)
    }

    fn empty(tree: &'t mut StagedTree) -> Self {
        Self {
            tree,
            cost: CostCounter::default(),
            numbers: HashMap::new(),
        }
    }

    /// What it read and wrote so far.
    pub fn cost(&self) -> StoreCost {
        self.cost.get()
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let value = self.tree.get(key)?;
        if let Some(v) = &value {
            self.cost.read(key, v);
        }
        Ok(value)
    }

    fn put(&mut self, key: &[u8], value: &[u8]) {
        self.cost.wrote(key, value);
        self.tree.insert(key, value);
    }

    /// `key`'s number, given now (in log order) when it has none.
    fn number_or_new(&mut self, key: &PairTopic) -> Result<Number, StoreError> {
        if let Some(n) = self.numbers.get(key) {
            return Ok(*n);
        }
        let k = layout::summary_key(key);
        let n = match self.get(&k)? {
            Some(value) => layout::decode_number(&value).map_err(|e| compact_error(&k, e))?,
            None => {
                let next = match self.get(layout::NEXT)? {
                    Some(v) => {
                        layout::decode_number(&v).map_err(|e| compact_error(layout::NEXT, e))?
                    }
                    None => 0,
                };
                let after = next.checked_add(1).ok_or_else(|| {
                    compact_error(
                        layout::NEXT,
                        CompactError::Invalid("numbers ran out".into()),
                    )
                })?;
                // Staged: a batch that numbers many pair-topics writes this key once.
                self.put(layout::NEXT, &layout::encode_number(after));
                next
            }
        };
        self.numbers.insert(key.clone(), n);
        Ok(n)
    }

    /// The number of `key`, which this store was made for.
    fn number(&self, key: &PairTopic) -> Number {
        *self
            .numbers
            .get(key)
            .expect("the ledger touches only the pair-topics its store was made for")
    }
}

/// The error of an entry under `key` that is not in the layout.
fn compact_error(key: &[u8], source: CompactError) -> StoreError {
    StoreError::Compact {
        key: String::from_utf8_lossy(key).into_owned(),
        source,
    }
}

impl LedgerView for PairTopics<'_> {
    type Error = StoreError;

    fn summary(&self, key: &PairTopic) -> Result<Option<Summary>, StoreError> {
        let k = layout::summary_key(key);
        self.get(&k)?
            .map(|v| {
                layout::decode_numbered_summary(&v)
                    .map(|(_, summary)| summary)
                    .map_err(|e| compact_error(&k, e))
            })
            .transpose()
    }

    fn newest_first(
        &self,
        key: &PairTopic,
        upto: Option<OrderKey>,
        mut visit: impl FnMut(OrderKey, FoldHeader) -> bool,
    ) -> Result<(), StoreError> {
        let n = self.number(key);
        let first = layout::fact_prefix(n);
        let last = match upto {
            Some(at) => layout::fact_key(n, at).to_vec(),
            None => [&first[..], &[0xff; OrderKey::LEN]].concat(),
        };
        self.tree.for_each_prefix_rev(&first, |k, v| {
            if k > last.as_slice() {
                return Ok(true);
            }
            self.cost.read(k, v);
            let at = layout::order_of(k).map_err(|e| compact_error(k, e))?;
            let header = layout::header_of(v).map_err(|e| compact_error(k, e))?;
            Ok(visit(at, header))
        })
    }

    fn fact(&self, key: &PairTopic, at: OrderKey) -> Result<Option<FactEntry>, StoreError> {
        let k = layout::fact_key(self.number(key), at);
        self.get(&k)?
            .map(|v| layout::decode_fact(at, &v).map_err(|e| compact_error(&k, e)))
            .transpose()
    }
}

impl LedgerStore for PairTopics<'_> {
    type Record = ();

    fn put_fact(&mut self, key: &PairTopic, entry: &FactEntry, _: &()) {
        let k = layout::fact_key(self.number(key), entry.order_key());
        self.put(&k, &layout::encode_fact(entry));
    }

    fn remove_fact(&mut self, key: &PairTopic, at: OrderKey) {
        let k = layout::fact_key(self.number(key), at);
        self.cost.wrote(&k, &[]);
        self.tree.remove(k);
    }

    fn put_summary(&mut self, key: &PairTopic, summary: &Summary) {
        let k = layout::summary_key(key);
        let value = layout::encode_numbered_summary(self.number(key), summary);
        // A late fact that changes no summary rewrites none (a failed read only costs the write
        // it would have saved).
        if self.tree.get(&k).ok().flatten().as_deref() == Some(&value[..]) {
            return;
        }
        self.put(&k, &value);
    }

    fn remove_summary(&mut self, key: &PairTopic) {
        let k = layout::summary_key(key);
        self.cost.wrote(&k, &[]);
        self.tree.remove(k);
    }
}
