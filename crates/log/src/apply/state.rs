//! The applier's own records, kept in the read model's home tree under a reserved prefix, so that
//! they commit in the same atomic write as the state they belong to: the checkpoint, the identity
//! of the log, the organizations and people the log has registered (what the gate checks
//! references against), and the quarantine.

use liaison_proto::admin::QuarantineEntry;

use super::error::ApplyError;
use super::staged::StagedTree;
use crate::identity::LogIdentity;

/// The prefix of every key of the applier; read models keep their keys out of it.
pub const PREFIX: &[u8] = b"__liaison_log/";

const CHECKPOINT: &[u8] = b"__liaison_log/checkpoint";
const IDENTITY: &[u8] = b"__liaison_log/identity";
const QUARANTINED: &[u8] = b"__liaison_log/quarantined";
const ORGANIZATION: &str = "__liaison_log/org/";
const PERSON: &str = "__liaison_log/person/";
const QUARANTINE: &[u8] = b"__liaison_log/quarantine/";

/// The last sequence applied to the state in `home` (0: none).
pub fn checkpoint(home: &sled::Tree) -> Result<u64, ApplyError> {
    home.get(CHECKPOINT)?
        .map_or(Ok(0), |bytes| decode_u64(CHECKPOINT, &bytes))
}

/// Stages `sequence` as the checkpoint.
pub fn stage_checkpoint(home: &mut StagedTree, sequence: u64) {
    home.insert(CHECKPOINT, sequence.to_be_bytes());
}

/// The identity of the log the state in `home` was built from, once known.
pub fn identity(home: &sled::Tree) -> Result<Option<LogIdentity>, ApplyError> {
    home.get(IDENTITY)?
        .map(|bytes| serde_json::from_slice(&bytes).map_err(|e| ApplyError::corrupt(IDENTITY, e)))
        .transpose()
}

/// Stages the identity of the log.
pub fn stage_identity(home: &mut StagedTree, identity: &LogIdentity) {
    home.insert(
        IDENTITY,
        serde_json::to_vec(identity).expect("an identity serializes"),
    );
}

/// Whether organization `id` was registered earlier in the log.
pub fn organization_known(home: &StagedTree, id: &str) -> Result<bool, ApplyError> {
    Ok(home.contains(format!("{ORGANIZATION}{id}").as_bytes())?)
}

/// Whether person `id` was registered earlier in the log.
pub fn person_known(home: &StagedTree, id: &str) -> Result<bool, ApplyError> {
    Ok(home.contains(format!("{PERSON}{id}").as_bytes())?)
}

/// Stages that organization `id` is registered (the first registration's sequence stays).
pub fn stage_organization(
    home: &mut StagedTree,
    id: &str,
    sequence: u64,
) -> Result<(), ApplyError> {
    stage_first(home, format!("{ORGANIZATION}{id}"), sequence)
}

/// Stages that person `id` is registered (the first registration's sequence stays).
pub fn stage_person(home: &mut StagedTree, id: &str, sequence: u64) -> Result<(), ApplyError> {
    stage_first(home, format!("{PERSON}{id}"), sequence)
}

fn stage_first(home: &mut StagedTree, key: String, sequence: u64) -> Result<(), ApplyError> {
    if !home.contains(key.as_bytes())? {
        home.insert(key, sequence.to_be_bytes());
    }
    Ok(())
}

/// How many entries were quarantined in all.
pub fn quarantined(home: &sled::Tree) -> Result<u64, ApplyError> {
    home.get(QUARANTINED)?
        .map_or(Ok(0), |bytes| decode_u64(QUARANTINED, &bytes))
}

/// Stages a quarantine record and counts it.
pub fn stage_quarantine(home: &mut StagedTree, entry: &QuarantineEntry) -> Result<(), ApplyError> {
    let count = match home.get(QUARANTINED)? {
        Some(bytes) => decode_u64(QUARANTINED, &bytes)?,
        None => 0,
    };
    home.insert(QUARANTINED, (count + 1).to_be_bytes());
    home.insert(
        quarantine_key(entry.sequence),
        serde_json::to_vec(entry).expect("a quarantine entry serializes"),
    );
    Ok(())
}

/// Up to `limit` quarantine records after sequence `after`, oldest first.
pub fn quarantine_page(
    home: &sled::Tree,
    after: u64,
    limit: usize,
) -> Result<Vec<QuarantineEntry>, ApplyError> {
    let start = quarantine_key(after.saturating_add(1));
    home.range(start..)
        .take_while(|item| {
            item.as_ref()
                .map_or(true, |(k, _)| k.starts_with(QUARANTINE))
        })
        .take(limit)
        .map(|item| {
            let (k, v) = item?;
            serde_json::from_slice(&v).map_err(|e| ApplyError::corrupt(&k, e))
        })
        .collect()
}

fn quarantine_key(sequence: u64) -> Vec<u8> {
    let mut key = QUARANTINE.to_vec();
    key.extend_from_slice(&sequence.to_be_bytes());
    key
}

fn decode_u64(key: &[u8], bytes: &[u8]) -> Result<u64, ApplyError> {
    let array: [u8; 8] = bytes
        .try_into()
        .map_err(|_| ApplyError::corrupt(key, format!("{} bytes, expected 8", bytes.len())))?;
    Ok(u64::from_be_bytes(array))
}
