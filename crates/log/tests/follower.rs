//! The follower and the applier against a real server and a real sled database: every entry
//! applied once, in order, with the checkpoint; a restart resumes from the checkpoint;
//! `wait_applied` and the lag.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{log, org_registered};
use liaison_log::{Applier, ApplyError, Checked, ReadModel, Staged, spawn_follower};
use tokio_util::sync::CancellationToken;

/// Records every applied entry's payload under its sequence — and panics on a repeat.
struct Recorder {
    entries: sled::Tree,
}

impl Recorder {
    fn open(db: &sled::Db) -> Arc<Applier<Self>> {
        Arc::new(Applier::new(
            "test",
            Self {
                entries: db.open_tree("entries").unwrap(),
            },
        ))
    }
}

impl ReadModel for Recorder {
    fn home(&self) -> sled::Tree {
        self.entries.clone()
    }

    fn apply(&self, staged: &mut Staged, event: &Checked<'_>) -> Result<(), ApplyError> {
        let key = event.sequence.to_be_bytes();
        let entries = staged.on(&self.entries);
        assert!(
            !entries.contains(&key)?,
            "entry {} applied twice",
            event.sequence
        );
        entries.insert(key.to_vec(), event.payload.to_vec());
        Ok(())
    }
}

fn applied_payloads(applier: &Applier<Recorder>) -> Vec<(u64, Vec<u8>)> {
    applier
        .model()
        .entries
        .iter()
        .map(|kv| kv.unwrap())
        .filter(|(k, _)| !k.starts_with(liaison_log::apply::RESERVED_PREFIX))
        .map(|(k, v)| {
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
    let events: Vec<_> = (0..55).map(org_registered).collect();
    for event in &events[..30] {
        appender.append(event.clone()).await.unwrap();
    }

    // First run: catches up to 30, then follows live appends.
    {
        let db = sled::open(dir.path()).unwrap();
        let applier = Recorder::open(&db);
        let stop = CancellationToken::new();
        let follower = spawn_follower(js.clone(), applier.clone(), stop.clone()).unwrap();
        assert!(follower.wait_applied(30, Duration::from_secs(10)).await);
        for event in &events[30..40] {
            let seq = appender.append(event.clone()).await.unwrap().sequence;
            assert!(follower.wait_applied(seq, Duration::from_secs(5)).await);
        }
        assert_eq!(follower.applied(), 40);
        stop.cancel();
        tokio::time::sleep(Duration::from_millis(100)).await;
        db.flush().unwrap();
    }

    // Appended while no follower runs.
    for event in &events[40..] {
        appender.append(event.clone()).await.unwrap();
    }

    // Second run: starts at the checkpoint, applies only what is new (a repeat would panic).
    let db = sled::open(dir.path()).unwrap();
    let applier = Recorder::open(&db);
    assert_eq!(applier.checkpoint().unwrap(), 40);
    let stop = CancellationToken::new();
    let follower = spawn_follower(js.clone(), applier.clone(), stop.clone()).unwrap();
    assert_eq!(follower.applied(), 40);
    assert!(follower.wait_applied(55, Duration::from_secs(10)).await);
    let applied = applied_payloads(&applier);
    assert_eq!(applied.len(), 55);
    for (i, (seq, payload)) in applied.iter().enumerate() {
        assert_eq!(*seq, i as u64 + 1);
        assert_eq!(payload.as_slice(), events[i].payload.as_ref());
    }
    assert_eq!(applier.quarantine(0, 10).unwrap().total, 0);

    // The lag is known once the log's last sequence has been polled.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(follower.lag(), Some(0));
    assert!(!follower.wait_applied(56, Duration::from_millis(200)).await);
    stop.cancel();
}
