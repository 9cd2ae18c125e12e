//! The follower against a real server and a real sled database: every entry applied once, in
//! order, with the checkpoint; a restart resumes from the checkpoint; `wait_applied` and the lag.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{event, log};
use liaison_log::{Apply, ApplyError, LogEntry, checkpoint, spawn_follower};
use sled::Transactional;
use tokio_util::sync::CancellationToken;

/// Records every applied entry's payload under its sequence, with the checkpoint, in one
/// transaction over two trees — the shape every service's applier has.
struct Recorder {
    entries: sled::Tree,
    meta: sled::Tree,
}

impl Recorder {
    fn open(db: &sled::Db) -> Arc<Self> {
        Arc::new(Self {
            entries: db.open_tree("entries").unwrap(),
            meta: db.open_tree("meta").unwrap(),
        })
    }
}

impl Apply for Recorder {
    fn checkpoint(&self) -> Result<u64, ApplyError> {
        Ok(checkpoint::load(&self.meta)?)
    }

    fn apply(&self, batch: &[LogEntry]) -> Result<(), ApplyError> {
        (&self.entries, &self.meta)
            .transaction(|(entries, meta)| {
                for entry in batch {
                    if entries.get(entry.sequence.to_be_bytes())?.is_some() {
                        panic!("entry {} applied twice", entry.sequence);
                    }
                    entries.insert(&entry.sequence.to_be_bytes(), entry.payload.to_vec())?;
                }
                checkpoint::store(meta, batch.last().expect("non-empty").sequence)?;
                Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
            })
            .map_err(ApplyError::from)
    }
}

fn applied_payloads(recorder: &Recorder) -> Vec<(u64, Vec<u8>)> {
    recorder
        .entries
        .iter()
        .map(|kv| {
            let (k, v) = kv.unwrap();
            (
                u64::from_be_bytes(k.as_ref().try_into().unwrap()),
                v.to_vec(),
            )
        })
        .collect()
}

#[tokio::test]
async fn follower_applies_every_entry_once_and_resumes_from_its_checkpoint() {
    let (_server, js, appender) = log().await;
    let dir = tempfile::tempdir().unwrap();
    for i in 0..30 {
        appender.append(event(i)).await.unwrap();
    }

    // First run: catches up to 30, then follows live appends.
    {
        let db = sled::open(dir.path()).unwrap();
        let recorder = Recorder::open(&db);
        let stop = CancellationToken::new();
        let follower = spawn_follower(js.clone(), recorder.clone(), stop.clone()).unwrap();
        assert!(follower.wait_applied(30, Duration::from_secs(10)).await);
        for i in 30..40 {
            let seq = appender.append(event(i)).await.unwrap().sequence;
            assert!(follower.wait_applied(seq, Duration::from_secs(5)).await);
        }
        assert_eq!(follower.applied(), 40);
        stop.cancel();
        tokio::time::sleep(Duration::from_millis(100)).await;
        db.flush().unwrap();
    }

    // Appended while no follower runs.
    for i in 40..55 {
        appender.append(event(i)).await.unwrap();
    }

    // Second run: starts at the checkpoint, applies only what is new (a repeat would panic).
    let db = sled::open(dir.path()).unwrap();
    let recorder = Recorder::open(&db);
    assert_eq!(recorder.checkpoint().unwrap(), 40);
    let stop = CancellationToken::new();
    let follower = spawn_follower(js.clone(), recorder.clone(), stop.clone()).unwrap();
    assert_eq!(follower.applied(), 40);
    assert!(follower.wait_applied(55, Duration::from_secs(10)).await);
    let applied = applied_payloads(&recorder);
    assert_eq!(applied.len(), 55);
    for (i, (seq, payload)) in applied.iter().enumerate() {
        assert_eq!(*seq, i as u64 + 1);
        assert_eq!(payload.as_slice(), event(i).payload.as_ref());
    }

    // The lag is known once the log's last sequence has been polled.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(follower.lag(), Some(0));
    assert!(!follower.wait_applied(56, Duration::from_millis(200)).await);
    stop.cancel();
}
