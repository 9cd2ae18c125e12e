//! The pending writes of one batch, read through: a batch of events is applied in memory over
//! the committed tree, then written at once with its checkpoint by one atomic
//! `Tree::apply_batch` (sled applies a batch all or nothing, also across a crash).
//!
//! sled transactions cannot scan ranges, and a late fact must re-fold its pair-topic's facts,
//! including the ones written earlier in the same batch; so the overlay merges its own pending
//! entries into every read and prefix scan.

use std::collections::BTreeMap;

use super::StoreError;

/// A key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// Pending inserts and removals over a tree.
#[derive(Debug)]
pub struct Writes<'a> {
    tree: &'a sled::Tree,
    pending: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl<'a> Writes<'a> {
    /// No pending writes over `tree`.
    pub fn new(tree: &'a sled::Tree) -> Self {
        Self {
            tree,
            pending: BTreeMap::new(),
        }
    }

    /// The value of `key`, pending writes first.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.pending.get(key) {
            Some(v) => Ok(v.clone()),
            None => Ok(self.tree.get(key)?.map(|v| v.to_vec())),
        }
    }

    /// Whether `key` exists, pending writes first.
    pub fn contains(&self, key: &[u8]) -> Result<bool, StoreError> {
        match self.pending.get(key) {
            Some(v) => Ok(v.is_some()),
            None => Ok(self.tree.contains_key(key)?),
        }
    }

    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.pending.insert(key, Some(value));
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: Vec<u8>) {
        self.pending.insert(key, None);
    }

    /// Every entry whose key starts with `prefix`, in key order, pending writes merged in.
    pub fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<Entry>, StoreError> {
        let mut merged: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        for item in self.tree.scan_prefix(prefix) {
            let (k, v) = item?;
            merged.insert(k.to_vec(), v.to_vec());
        }
        for (k, v) in self
            .pending
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
        {
            match v {
                Some(v) => merged.insert(k.clone(), v.clone()),
                None => merged.remove(k),
            };
        }
        Ok(merged.into_iter().collect())
    }

    /// Calls `f` on every entry whose key starts with `prefix`, in key order, pending writes
    /// merged in — like [`Writes::scan_prefix`], but streaming, without copying the entries.
    pub fn for_each_prefix(
        &self,
        prefix: &[u8],
        mut f: impl FnMut(&[u8], &[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut pending = self
            .pending
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .peekable();
        for item in self.tree.scan_prefix(prefix) {
            let (k, v) = item?;
            while let Some((pk, pv)) = pending.next_if(|(pk, _)| pk.as_slice() < k.as_ref()) {
                if let Some(pv) = pv {
                    f(pk, pv)?;
                }
            }
            match pending.next_if(|(pk, _)| pk.as_slice() == k.as_ref()) {
                Some((_, Some(pv))) => f(&k, pv)?,
                Some((_, None)) => {}
                None => f(&k, &v)?,
            }
        }
        for (pk, pv) in pending {
            if let Some(pv) = pv {
                f(pk, pv)?;
            }
        }
        Ok(())
    }

    /// Whether any entry starts with `prefix`, pending writes merged in.
    pub fn any_with_prefix(&self, prefix: &[u8]) -> Result<bool, StoreError> {
        Ok(!self.scan_prefix(prefix)?.is_empty())
    }

    /// The pending writes as one sled batch.
    pub fn into_batch(self) -> sled::Batch {
        let mut batch = sled::Batch::default();
        for (k, v) in self.pending {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        batch
    }

    /// How many keys are pending.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_merge_pending_over_committed() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        let tree = db.open_tree("t").unwrap();
        tree.insert(b"a1", b"x").unwrap();
        tree.insert(b"a2", b"y").unwrap();
        tree.insert(b"b1", b"z").unwrap();
        let mut w = Writes::new(&tree);
        w.remove(b"a1".to_vec());
        w.insert(b"a3".to_vec(), b"w".to_vec());
        let keys: Vec<_> = w
            .scan_prefix(b"a")
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, vec![b"a2".to_vec(), b"a3".to_vec()]);
        assert_eq!(w.get(b"a1").unwrap(), None);
        assert!(w.contains(b"b1").unwrap());
        let mut streamed = Vec::new();
        w.for_each_prefix(b"a", |k, v| {
            streamed.push((k.to_vec(), v.to_vec()));
            Ok(())
        })
        .unwrap();
        assert_eq!(streamed, w.scan_prefix(b"a").unwrap());
        tree.apply_batch(w.into_batch()).unwrap();
        assert_eq!(tree.len(), 3);
    }
}
