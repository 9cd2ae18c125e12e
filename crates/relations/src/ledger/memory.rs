//! A ledger store in memory, in the byte [`layout`](crate::ledger::layout) the services store:
//! what the property tests drive the ledger through, and a model of a service's store.

use std::collections::BTreeMap;

use crate::ledger::bytes::{EntryBytesMut, FactBytes, OrderedBytes, Visit};
use crate::ledger::cost::{CostCounter, StoreCost};
use crate::ledger::layout::LayoutError;

/// Summaries and facts in one ordered map of bytes, counting what it serves.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
    cost: CostCounter,
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
}

impl OrderedBytes for MemoryStore {
    type Error = LayoutError;

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, LayoutError> {
        let value = self.entries.get(key).cloned();
        if let Some(v) = &value {
            self.cost.read(key, v);
        }
        Ok(value)
    }

    fn scan_rev(
        &self,
        first: &[u8],
        last: &[u8],
        visit: &mut Visit<'_, LayoutError>,
    ) -> Result<(), LayoutError> {
        for (k, v) in self.entries.range(first.to_vec()..=last.to_vec()).rev() {
            self.cost.read(k, v);
            if !visit(k, v)? {
                break;
            }
        }
        Ok(())
    }

    fn corrupt(&self, _key: &[u8], error: LayoutError) -> LayoutError {
        error
    }
}

impl FactBytes for MemoryStore {}

impl EntryBytesMut for MemoryStore {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.cost.wrote(&key, &value);
        self.entries.insert(key, value);
    }

    fn remove(&mut self, key: Vec<u8>) {
        self.cost.wrote(&key, &[]);
        self.entries.remove(&key);
    }
}
