//! The writes of the batch being applied, as the read models see them: the staged writes of the
//! projection's tree (read through, so a late fact re-folds with the facts of its own batch) and
//! the batch's event bodies, appended to the [`super::Bodies`] file before the sled write that
//! references them (see `crate::model`).

use liaison_log::StagedTree;

use super::{BodyRef, StoreError};

/// A key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// The bodies of one batch, waiting to be written to the bodies file.
#[derive(Debug, Default)]
pub struct PendingBodies {
    /// Where they start in the file (its committed length when the batch began).
    pub at: u64,
    /// The bodies, end to end.
    pub bytes: Vec<u8>,
}

impl PendingBodies {
    /// Nothing pending, to go after `at` committed bytes.
    pub fn new(at: u64) -> Self {
        Self {
            at,
            bytes: Vec::new(),
        }
    }

    /// The file's committed length once these are written.
    pub fn end(&self) -> u64 {
        self.at + self.bytes.len() as u64
    }
}

/// Pending writes of one batch over the projection's tree.
#[derive(Debug)]
pub struct Writes<'a> {
    tree: &'a mut StagedTree,
    bodies: &'a mut PendingBodies,
}

impl<'a> Writes<'a> {
    /// The read models' view of a batch.
    pub fn new(tree: &'a mut StagedTree, bodies: &'a mut PendingBodies) -> Self {
        Self { tree, bodies }
    }

    /// Appends an event body to the batch's bodies; where it will be once written.
    pub fn append_body(&mut self, body: &[u8]) -> BodyRef {
        let at = BodyRef {
            offset: self.bodies.end(),
            len: body.len() as u32,
        };
        self.bodies.bytes.extend_from_slice(body);
        at
    }

    /// The value of `key`, pending writes first.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree.get(key)?)
    }

    /// Whether `key` exists, pending writes first.
    pub fn contains(&self, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self.tree.contains(key)?)
    }

    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.tree.insert(key, value);
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: Vec<u8>) {
        self.tree.remove(key);
    }

    /// Every entry whose key starts with `prefix`, in key order, pending writes merged in.
    pub fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<Entry>, StoreError> {
        Ok(self.tree.scan_prefix(prefix)?)
    }

    /// Calls `f` on every entry whose key starts with `prefix`, in key order, pending writes
    /// merged in, without copying the entries.
    pub fn for_each_prefix(
        &self,
        prefix: &[u8],
        f: impl FnMut(&[u8], &[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.tree.for_each_prefix(prefix, f)
    }

    /// Like [`Writes::for_each_prefix`], newest key first, until `f` returns false.
    pub fn for_each_prefix_rev(
        &self,
        prefix: &[u8],
        f: impl FnMut(&[u8], &[u8]) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        self.tree.for_each_prefix_rev(prefix, f)
    }

    /// Whether any entry starts with `prefix`, pending writes merged in.
    pub fn any_with_prefix(&self, prefix: &[u8]) -> Result<bool, StoreError> {
        Ok(self.tree.any_with_prefix(prefix)?)
    }
}
