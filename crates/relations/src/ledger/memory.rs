//! A ledger store in memory, in the byte [`layout`](crate::ledger::layout) the services store:
//! what the property tests drive the ledger through, and a model of a service's store.

use std::cell::Cell;
use std::collections::BTreeMap;

use crate::fact::FactEntry;
use crate::ledger::cost::StoreCost;
use crate::ledger::header::FoldHeader;
use crate::ledger::layout::{self, LayoutError};
use crate::ledger::summary::Summary;
use crate::ledger::{LedgerStore, LedgerView};
use crate::order::OrderKey;
use crate::pair::PairTopic;

/// Summaries and facts in one ordered map of bytes, counting what it serves.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Reads count through a shared reference, so the counter sits in a cell.
    cost: Cell<StoreCost>,
}

impl MemoryStore {
    /// Nothing stored.
    pub fn new() -> Self {
        Self::default()
    }

    /// What it served so far.
    pub fn cost(&self) -> StoreCost {
        self.cost.get()
    }

    /// Every key and value, in key order.
    pub fn entries(&self) -> &BTreeMap<Vec<u8>, Vec<u8>> {
        &self.entries
    }

    fn get(&self, key: &[u8]) -> Option<&Vec<u8>> {
        let value = self.entries.get(key);
        if let Some(v) = value {
            self.count(|c| c.read(key, v));
        }
        value
    }

    fn count(&self, f: impl FnOnce(&mut StoreCost)) {
        let mut cost = self.cost.get();
        f(&mut cost);
        self.cost.set(cost);
    }

    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.cost.get_mut().wrote(&key, &value);
        self.entries.insert(key, value);
    }

    fn remove(&mut self, key: Vec<u8>) {
        self.cost.get_mut().wrote(&key, &[]);
        self.entries.remove(&key);
    }
}

impl LedgerView for MemoryStore {
    type Error = LayoutError;

    fn summary(&self, key: &PairTopic) -> Result<Option<Summary>, LayoutError> {
        self.get(&layout::summary_key(key))
            .map(|v| layout::decode_summary(v))
            .transpose()
    }

    fn newest_first(
        &self,
        key: &PairTopic,
        upto: Option<OrderKey>,
        mut visit: impl FnMut(OrderKey, FoldHeader) -> bool,
    ) -> Result<(), LayoutError> {
        let prefix = layout::fact_prefix(key);
        let end = match upto {
            Some(at) => layout::fact_key(key, at),
            None => {
                let mut end = prefix.clone();
                end.extend_from_slice(&[0xff; OrderKey::LEN]);
                end
            }
        };
        for (k, v) in self.entries.range(prefix..=end).rev() {
            self.count(|c| c.read(k, v));
            if !visit(layout::order_of(k)?, layout::header_of(v)?) {
                break;
            }
        }
        Ok(())
    }

    fn fact(&self, key: &PairTopic, at: OrderKey) -> Result<Option<FactEntry>, LayoutError> {
        self.get(&layout::fact_key(key, at))
            .map(|v| layout::decode_entry(v))
            .transpose()
    }
}

impl LedgerStore for MemoryStore {
    type Record = ();

    fn put_fact(&mut self, key: &PairTopic, entry: &FactEntry, _: &()) {
        self.put(
            layout::fact_key(key, entry.order_key()),
            layout::encode_entry(entry),
        );
    }

    fn remove_fact(&mut self, key: &PairTopic, at: OrderKey) {
        self.remove(layout::fact_key(key, at));
    }

    fn put_summary(&mut self, key: &PairTopic, summary: &Summary) {
        self.put(layout::summary_key(key), layout::encode_summary(summary));
    }

    fn remove_summary(&mut self, key: &PairTopic) {
        self.remove(layout::summary_key(key));
    }
}
