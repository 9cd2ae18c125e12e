//! The writes of one batch, staged in memory over the committed trees and read through, then
//! committed all at once.
//!
//! A follower applies a batch of log entries and its checkpoint as one atomic write
//! (docs/decisions/003-apply-exactly-once.md). sled transactions cannot scan ranges, and a read
//! model must see the writes of earlier entries of the same batch (a late fact re-folds its
//! pair-topic, the facts of this batch included), so each touched tree gets an overlay that every
//! read and prefix scan merges in. [`Staged::commit`] writes a single tree with one
//! `Tree::apply_batch` and several trees with one sled transaction that only applies the batches:
//! all or nothing, also across a crash.
//!
//! Reads outside a transaction are safe because one writer stages at a time: the follower's
//! applier holds its write lock, and anything else that writes the same trees takes that lock.

use std::collections::BTreeMap;

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

/// A key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// The staged writes of one batch over any number of trees.
#[derive(Debug, Default)]
pub struct Staged {
    trees: Vec<StagedTree>,
}

impl Staged {
    /// Nothing staged.
    pub fn new() -> Self {
        Self::default()
    }

    /// The overlay of `tree`, created on first use.
    pub fn on(&mut self, tree: &sled::Tree) -> &mut StagedTree {
        let name = tree.name();
        match self.trees.iter().position(|t| t.tree.name() == name) {
            Some(i) => &mut self.trees[i],
            None => {
                self.trees.push(StagedTree::new(tree.clone()));
                self.trees.last_mut().expect("just pushed")
            }
        }
    }

    /// How many writes are staged, over every tree.
    pub fn len(&self) -> usize {
        self.trees.iter().map(|t| t.pending.len()).sum()
    }

    /// Whether nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes everything staged, atomically.
    pub fn commit(self) -> Result<(), sled::Error> {
        let touched: Vec<(sled::Tree, sled::Batch)> = self
            .trees
            .into_iter()
            .filter(|t| !t.pending.is_empty())
            .map(StagedTree::into_batch)
            .collect();
        match touched.as_slice() {
            [] => Ok(()),
            [_] => {
                let (tree, batch) = touched.into_iter().next().expect("one tree");
                tree.apply_batch(batch)
            }
            _ => {
                let trees: Vec<&sled::Tree> = touched.iter().map(|(t, _)| t).collect();
                trees
                    .as_slice()
                    .transaction(|views| {
                        for (view, (_, batch)) in views.iter().zip(&touched) {
                            view.apply_batch(batch)?;
                        }
                        Ok::<_, ConflictableTransactionError<()>>(())
                    })
                    .map_err(|e| match e {
                        TransactionError::Storage(e) => e,
                        TransactionError::Abort(()) => {
                            unreachable!("the commit transaction never aborts")
                        }
                    })
            }
        }
    }
}

/// Pending inserts and removals over one tree, merged into every read.
#[derive(Debug)]
pub struct StagedTree {
    tree: sled::Tree,
    pending: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl StagedTree {
    fn new(tree: sled::Tree) -> Self {
        Self {
            tree,
            pending: BTreeMap::new(),
        }
    }

    /// The value of `key`, pending writes first.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, sled::Error> {
        match self.pending.get(key) {
            Some(v) => Ok(v.clone()),
            None => Ok(self.tree.get(key)?.map(|v| v.to_vec())),
        }
    }

    /// Whether `key` exists, pending writes first.
    pub fn contains(&self, key: &[u8]) -> Result<bool, sled::Error> {
        match self.pending.get(key) {
            Some(v) => Ok(v.is_some()),
            None => self.tree.contains_key(key),
        }
    }

    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.pending.insert(key.into(), Some(value.into()));
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: impl Into<Vec<u8>>) {
        self.pending.insert(key.into(), None);
    }

    /// Every entry whose key starts with `prefix`, in key order, pending writes merged in.
    pub fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<Entry>, sled::Error> {
        let mut out = Vec::new();
        self.for_each_prefix(prefix, |k, v| {
            out.push((k.to_vec(), v.to_vec()));
            Ok::<_, sled::Error>(())
        })?;
        Ok(out)
    }

    /// Calls `f` on every entry whose key starts with `prefix`, in key order, pending writes
    /// merged in, without copying the entries.
    pub fn for_each_prefix<E: From<sled::Error>>(
        &self,
        prefix: &[u8],
        mut f: impl FnMut(&[u8], &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        self.walk(prefix, false, |k, v| f(k, v).map(|()| true))
    }

    /// Like [`StagedTree::for_each_prefix`], greatest key first, until `f` returns false.
    pub fn for_each_prefix_rev<E: From<sled::Error>>(
        &self,
        prefix: &[u8],
        f: impl FnMut(&[u8], &[u8]) -> Result<bool, E>,
    ) -> Result<(), E> {
        self.walk(prefix, true, f)
    }

    /// Whether any entry starts with `prefix`, pending writes merged in.
    pub fn any_with_prefix(&self, prefix: &[u8]) -> Result<bool, sled::Error> {
        let mut found = false;
        self.walk(prefix, false, |_, _| {
            found = true;
            Ok::<_, sled::Error>(false)
        })?;
        Ok(found)
    }

    /// Merges the committed entries under `prefix` with the pending ones, in key order (or
    /// reversed), calling `f` until it returns false.
    fn walk<E: From<sled::Error>>(
        &self,
        prefix: &[u8],
        reverse: bool,
        mut f: impl FnMut(&[u8], &[u8]) -> Result<bool, E>,
    ) -> Result<(), E> {
        let range = match prefix_end(prefix) {
            Some(end) => self.pending.range(prefix.to_vec()..end),
            None => self.pending.range(prefix.to_vec()..),
        };
        let mut pending: Box<dyn Iterator<Item = _>> = if reverse {
            Box::new(range.rev())
        } else {
            Box::new(range)
        };
        let mut next_pending = pending.next();
        let committed = self.tree.scan_prefix(prefix);
        let mut committed: Box<dyn Iterator<Item = _>> = if reverse {
            Box::new(committed.rev())
        } else {
            Box::new(committed)
        };
        // "Before" in the walk's direction.
        let before = |a: &[u8], b: &[u8]| if reverse { a > b } else { a < b };
        for item in committed.by_ref() {
            let (k, v) = item?;
            while let Some((pk, pv)) = next_pending.filter(|(pk, _)| before(pk, &k)) {
                next_pending = pending.next();
                if let Some(pv) = pv
                    && !f(pk, pv)?
                {
                    return Ok(());
                }
            }
            let go_on = match next_pending.filter(|(pk, _)| pk.as_slice() == k.as_ref()) {
                Some((_, pv)) => {
                    next_pending = pending.next();
                    match pv {
                        Some(pv) => f(&k, pv)?,
                        None => true,
                    }
                }
                None => f(&k, &v)?,
            };
            if !go_on {
                return Ok(());
            }
        }
        while let Some((pk, pv)) = next_pending {
            next_pending = pending.next();
            if let Some(pv) = pv
                && !f(pk, pv)?
            {
                return Ok(());
            }
        }
        Ok(())
    }

    fn into_batch(self) -> (sled::Tree, sled::Batch) {
        let mut batch = sled::Batch::default();
        for (k, v) in self.pending {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        (self.tree, batch)
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

    fn db() -> (tempfile::TempDir, sled::Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        (dir, db)
    }

    #[test]
    fn reads_merge_pending_over_committed_in_both_directions() {
        let (_dir, db) = db();
        let tree = db.open_tree("t").unwrap();
        tree.insert(b"a1", b"x").unwrap();
        tree.insert(b"a2", b"y").unwrap();
        tree.insert(b"b1", b"z").unwrap();
        let mut staged = Staged::new();
        let w = staged.on(&tree);
        w.remove(b"a1".to_vec());
        w.insert(b"a3".to_vec(), b"w".to_vec());
        w.insert(b"a0".to_vec(), b"v".to_vec());
        let keys: Vec<_> = w
            .scan_prefix(b"a")
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, vec![b"a0".to_vec(), b"a2".to_vec(), b"a3".to_vec()]);
        assert_eq!(w.get(b"a1").unwrap(), None);
        assert!(w.contains(b"b1").unwrap());
        let mut backwards = Vec::new();
        w.for_each_prefix_rev(b"a", |k, _| {
            backwards.push(k.to_vec());
            Ok::<_, sled::Error>(true)
        })
        .unwrap();
        backwards.reverse();
        assert_eq!(backwards, keys);
        let mut first = Vec::new();
        w.for_each_prefix_rev(b"a", |k, _| {
            first.push(k.to_vec());
            Ok::<_, sled::Error>(false)
        })
        .unwrap();
        assert_eq!(first, vec![b"a3".to_vec()], "stops when told");
        assert!(w.any_with_prefix(b"b").unwrap());
        assert!(!w.any_with_prefix(b"c").unwrap());
        staged.commit().unwrap();
        assert_eq!(tree.len(), 4);
        assert_eq!(tree.get(b"a1").unwrap(), None);
    }

    #[test]
    fn a_commit_over_several_trees_writes_them_all() {
        let (_dir, db) = db();
        let (one, two) = (db.open_tree("one").unwrap(), db.open_tree("two").unwrap());
        let mut staged = Staged::new();
        staged.on(&one).insert(b"k".to_vec(), b"1".to_vec());
        staged.on(&two).insert(b"k".to_vec(), b"2".to_vec());
        staged.on(&one).insert(b"l".to_vec(), b"3".to_vec());
        assert_eq!(staged.len(), 3);
        staged.commit().unwrap();
        assert_eq!(one.get(b"l").unwrap().as_deref(), Some(&b"3"[..]));
        assert_eq!(two.get(b"k").unwrap().as_deref(), Some(&b"2"[..]));
    }
}
