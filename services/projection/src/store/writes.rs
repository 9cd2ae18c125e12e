//! The pending writes of one batch, read through: a batch of events is applied in memory over
//! the committed tree, then written at once with its checkpoint by one atomic
//! `Tree::apply_batch` (sled applies a batch all or nothing, also across a crash).
//!
//! sled transactions cannot scan ranges, and a late fact must re-fold its pair-topic's facts,
//! including the ones written earlier in the same batch; so the overlay merges its own pending
//! entries into every read and prefix scan. It also collects the batch's event bodies, appended
//! to the [`super::Bodies`] file before the sled batch that references them.

use std::collections::BTreeMap;

use super::{BodyRef, StoreError};

/// A key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// Pending inserts and removals over a tree.
#[derive(Debug)]
pub struct Writes<'a> {
    tree: &'a sled::Tree,
    pending: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    /// Where the batch's bodies start in the bodies file (its committed length).
    bodies_at: u64,
    bodies: Vec<u8>,
}

impl<'a> Writes<'a> {
    /// No pending writes over `tree`, whose bodies file has `bodies_at` bytes committed.
    pub fn new(tree: &'a sled::Tree, bodies_at: u64) -> Self {
        Self {
            tree,
            pending: BTreeMap::new(),
            bodies_at,
            bodies: Vec::new(),
        }
    }

    /// Appends an event body to the batch's bodies; where it will be once written.
    pub fn append_body(&mut self, body: &[u8]) -> BodyRef {
        let at = BodyRef {
            offset: self.bodies_at + self.bodies.len() as u64,
            len: body.len() as u32,
        };
        self.bodies.extend_from_slice(body);
        at
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

    /// Like [`Writes::for_each_prefix`], newest key first, until `f` returns false.
    pub fn for_each_prefix_rev(
        &self,
        prefix: &[u8],
        mut f: impl FnMut(&[u8], &[u8]) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        let range = match prefix_end(prefix) {
            Some(end) => self.pending.range(prefix.to_vec()..end),
            None => self.pending.range(prefix.to_vec()..),
        };
        let mut pending = range.rev().peekable();
        for item in self.tree.scan_prefix(prefix).rev() {
            let (k, v) = item?;
            while let Some((pk, pv)) = pending.next_if(|(pk, _)| pk.as_slice() > k.as_ref()) {
                if let Some(pv) = pv
                    && !f(pk, pv)?
                {
                    return Ok(());
                }
            }
            let go_on = match pending.next_if(|(pk, _)| pk.as_slice() == k.as_ref()) {
                Some((_, Some(pv))) => f(&k, pv)?,
                Some((_, None)) => true,
                None => f(&k, &v)?,
            };
            if !go_on {
                return Ok(());
            }
        }
        for (pk, pv) in pending {
            if let Some(pv) = pv
                && !f(pk, pv)?
            {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Whether any entry starts with `prefix`, pending writes merged in.
    pub fn any_with_prefix(&self, prefix: &[u8]) -> Result<bool, StoreError> {
        Ok(!self.scan_prefix(prefix)?.is_empty())
    }

    /// The pending writes as one sled batch, and the batch's bodies (to write first).
    pub fn into_batch(self) -> (sled::Batch, Vec<u8>) {
        let mut batch = sled::Batch::default();
        for (k, v) in self.pending {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        (batch, self.bodies)
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

/// The smallest key after every key that starts with `prefix` (`None`: there is none).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
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
        let mut w = Writes::new(&tree, 0);
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
        let mut backwards = Vec::new();
        w.for_each_prefix_rev(b"a", |k, v| {
            backwards.push((k.to_vec(), v.to_vec()));
            Ok(true)
        })
        .unwrap();
        backwards.reverse();
        assert_eq!(backwards, streamed);
        let mut first = Vec::new();
        w.for_each_prefix_rev(b"a", |k, _| {
            first.push(k.to_vec());
            Ok(false)
        })
        .unwrap();
        assert_eq!(first, vec![b"a3".to_vec()], "stops when told");
        assert_eq!(w.append_body(b"ab").offset, 0);
        assert_eq!(w.append_body(b"c"), BodyRef { offset: 2, len: 1 });
        let (batch, bodies) = w.into_batch();
        assert_eq!(bodies, b"abc");
        tree.apply_batch(batch).unwrap();
        assert_eq!(tree.len(), 3);
    }
}
