//! The checkpoint of a consumer: the last log sequence it applied, kept in its sled database.
//!
//! A service writes the state it derives from an entry and the checkpoint in one sled transaction
//! (ARCHITECTURE.md, decision 3), skips entries at or below the checkpoint, and resumes with
//! `read_from(load(..) + 1)`. sled may run a transaction closure more than once, so [`store`] does
//! no IO of its own and can be called inside one.

use sled::transaction::{TransactionalTree, UnabortableTransactionError};

/// The key under which the checkpoint is kept (in the tree the service chooses).
pub const CHECKPOINT_KEY: &[u8] = b"__liaison_checkpoint";

/// The checkpoint in `tree` (0: nothing applied yet).
pub fn load(tree: &sled::Tree) -> sled::Result<u64> {
    Ok(tree.get(CHECKPOINT_KEY)?.map_or(0, |bytes| decode(&bytes)))
}

/// Records `sequence` as the checkpoint, inside a transaction on the checkpoint's tree.
pub fn store(tree: &TransactionalTree, sequence: u64) -> Result<(), UnabortableTransactionError> {
    tree.insert(CHECKPOINT_KEY, &sequence.to_be_bytes())?;
    Ok(())
}

fn decode(bytes: &[u8]) -> u64 {
    let array: [u8; 8] = bytes
        .try_into()
        .expect("a checkpoint is 8 bytes, big-endian");
    u64::from_be_bytes(array)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sled::Transactional;

    #[test]
    fn a_checkpoint_is_stored_with_the_state_in_one_transaction() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = sled::Config::new().path(dir.path()).open().expect("sled");
        let state = db.open_tree("state").expect("tree");
        let meta = db.open_tree("meta").expect("tree");
        assert_eq!(load(&meta).expect("load"), 0);
        (&state, &meta)
            .transaction(|(state, meta)| {
                state.insert(b"k", b"v")?;
                store(meta, 42)?;
                Ok::<_, sled::transaction::ConflictableTransactionError>(())
            })
            .expect("transaction");
        assert_eq!(load(&meta).expect("load"), 42);
        assert_eq!(state.get(b"k").expect("get").as_deref(), Some(&b"v"[..]));
    }
}
