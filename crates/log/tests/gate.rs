//! The applier's gate against a real server: entries published straight into the log that are
//! not events of the contract, or name what was never registered, are quarantined with their
//! reasons and skipped — the entries after them are applied; an entry the read model refuses or
//! panics on is quarantined alone; a log deleted and created again stops the follower.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{log, org_registered, raw, stored};
use liaison_log::{
    Applier, ApplyError, Checked, Follower, FollowerStatus, LogSettings, ReadModel, Staged,
    ensure_events_stream, spawn_follower,
};
use liaison_proto::EventData;
use serde_json::json;
use tokio_util::sync::CancellationToken;

/// Keeps the sequences it applied; refuses an organization named "Refuse me" and panics on one
/// named "Panic".
struct Seen {
    home: sled::Tree,
    applied: Mutex<Vec<u64>>,
}

impl ReadModel for Seen {
    fn home(&self) -> sled::Tree {
        self.home.clone()
    }

    fn apply(&self, staged: &mut Staged, event: &Checked<'_>) -> Result<(), ApplyError> {
        if let EventData::OrganizationRegistered(d) = &event.event.event {
            match d.name.as_str() {
                "Refuse me" => return Err(ApplyError::refused("this model refuses it")),
                "Panic" => panic!("the model broke on purpose"),
                _ => {}
            }
        }
        staged
            .on(&self.home)
            .insert(event.sequence.to_be_bytes().to_vec(), b"seen".to_vec());
        Ok(())
    }

    fn after_commit(&self, _last: u64) {
        let mut seen: Vec<u64> = self
            .home
            .iter()
            .filter_map(Result::ok)
            .filter(|(k, _)| k.len() == 8)
            .map(|(k, _)| u64::from_be_bytes(k.as_ref().try_into().unwrap()))
            .collect();
        seen.sort_unstable();
        *self.applied.lock().unwrap() = seen;
    }
}

fn applier(db: &sled::Db) -> Arc<Applier<Seen>> {
    Arc::new(Applier::new(
        "test",
        Seen {
            home: db.open_tree("home").unwrap(),
            applied: Mutex::new(Vec::new()),
        },
    ))
}

fn start(
    js: &async_nats::jetstream::Context,
    applier: &Arc<Applier<Seen>>,
) -> (Follower, CancellationToken) {
    let stop = CancellationToken::new();
    let follower = spawn_follower(js.clone(), applier.clone(), stop.clone()).unwrap();
    (follower, stop)
}

#[tokio::test]
async fn entries_that_fail_the_gate_are_quarantined_and_the_entries_after_them_applied() {
    let (_server, js, appender) = log().await;
    let meeting = |orgs: &[&str]| {
        stored(json!({"type": "meeting.held", "time": "2024-02-28",
            "data": {"organizations": orgs, "topics": ["xr"]}}))
    };
    let mut moved = org_registered(9);
    moved.subject = "liaison.events.organization.registered.org-1".to_owned();
    let huge = format!("{{\"junk\": \"{}\"}}", "x".repeat(70 * 1024));
    let crowd: Vec<String> = (1..=17).map(|i| format!("org-{i}")).collect();
    let crowd: Vec<&str> = crowd.iter().map(String::as_str).collect();
    let mut entries = vec![
        org_registered(1),                                       // 1 applied
        org_registered(2),                                       // 2 applied
        raw("liaison.events.meeting.held._", "not json at all"), // 3
        raw("liaison.events.meeting.held._", r#"{"hello": 1}"#), // 4 not a CloudEvent
        meeting(&["org-1", "org-99"]),                           // 5 names an unregistered org
        moved,                                                   // 6 on another's subject
        raw("liaison.events.meeting.held._", huge),              // 7 over the size limit
        meeting(&["org-1", "org-2"]),                            // 8 applied
    ];
    entries.extend((3..=17).map(org_registered)); // 9..=23 applied
    entries.push(meeting(&crowd)); // 24 over the limits
    entries.push(meeting(&["org-16", "org-17"])); // 25 applied
    for entry in entries {
        appender.append(entry).await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let db = sled::open(dir.path()).unwrap();
    let applier = applier(&db);
    let (follower, stop) = start(&js, &applier);
    assert!(
        follower.wait_applied(25, Duration::from_secs(10)).await,
        "applied {} ({:?}, lag {:?}, {:?})",
        follower.applied(),
        follower.status(),
        follower.lag(),
        applier.quarantine(0, 100).unwrap()
    );
    let applied: Vec<u64> = [1, 2, 8].into_iter().chain(9..=23).chain([25]).collect();
    assert_eq!(*applier.model().applied.lock().unwrap(), applied);
    assert_eq!(follower.quarantined(), 6);
    let list = applier.quarantine(0, 100).unwrap();
    assert_eq!(list.total, 6);
    let sequences: Vec<u64> = list.entries.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, vec![3, 4, 5, 6, 7, 24]);
    let reasons = |i: usize| list.entries[i].reasons.join(" | ");
    assert!(reasons(0).contains("JSON"), "{}", reasons(0));
    assert!(reasons(1).contains("specversion"), "{}", reasons(1));
    assert!(reasons(5).contains("/data/organizations"), "{}", reasons(5));
    assert!(reasons(5).contains("16"), "{}", reasons(5));
    assert!(
        reasons(2).contains("unknown organization 'org-99'"),
        "{}",
        reasons(2)
    );
    assert!(
        reasons(3).contains("belongs on 'liaison.events.organization.registered.org-9'"),
        "{}",
        reasons(3)
    );
    assert!(reasons(4).contains("bytes"), "{}", reasons(4));
    assert_eq!(list.entries[4].bytes, 70 * 1024 + 12);
    // Paging: one at a time, on through every entry.
    let first = applier.quarantine(0, 1).unwrap();
    assert_eq!(first.entries.len(), 1);
    let second = applier.quarantine(first.next_after.unwrap(), 1).unwrap();
    assert_eq!(second.entries[0].sequence, 4);

    // A later event naming what was refused still fails; the quarantine survives a restart.
    stop.cancel();
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(follower);
    let again = applier.clone();
    let (follower, stop) = start(&js, &again);
    appender
        .append(meeting(&["org-99", "org-1"]))
        .await
        .unwrap();
    assert!(follower.wait_applied(26, Duration::from_secs(10)).await);
    assert_eq!(again.quarantine(0, 100).unwrap().total, 7);
    assert_eq!(*again.model().applied.lock().unwrap(), applied);
    stop.cancel();
}

#[tokio::test]
async fn an_entry_the_model_refuses_or_panics_on_is_quarantined_alone() {
    let (_server, js, appender) = log().await;
    let named = |id: &str, name: &str| {
        stored(
            json!({"type": "organization.registered", "time": "2024-01-01",
            "data": {"id": id, "name": name}}),
        )
    };
    for entry in [
        named("a", "A"),
        named("b", "Refuse me"),
        named("c", "C"),
        named("d", "Panic"),
        named("e", "E"),
    ] {
        appender.append(entry).await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let db = sled::open(dir.path()).unwrap();
    let applier = applier(&db);
    let (follower, stop) = start(&js, &applier);
    assert!(follower.wait_applied(5, Duration::from_secs(10)).await);
    assert_eq!(*applier.model().applied.lock().unwrap(), vec![1, 3, 5]);
    let list = applier.quarantine(0, 10).unwrap();
    let reasons: Vec<String> = list.entries.iter().map(|e| e.reasons.join(" ")).collect();
    assert_eq!(
        list.entries.iter().map(|e| e.sequence).collect::<Vec<_>>(),
        vec![2, 4]
    );
    assert!(reasons[0].contains("this model refuses it"), "{reasons:?}");
    assert!(
        reasons[1].contains("the model broke on purpose"),
        "{reasons:?}"
    );
    // What the model refused was not registered: an event naming it is quarantined too.
    appender
        .append(stored(json!({"type": "meeting.held", "time": "2024-02-01",
            "data": {"organizations": ["a", "b"]}})))
        .await
        .unwrap();
    assert!(follower.wait_applied(6, Duration::from_secs(10)).await);
    assert_eq!(applier.quarantine(0, 10).unwrap().total, 3);
    stop.cancel();
}

#[tokio::test]
async fn a_log_deleted_and_created_again_stops_the_follower_with_the_reason() {
    let (_server, js, appender) = log().await;
    for i in 0..3 {
        appender.append(org_registered(i)).await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let db = sled::open(dir.path()).unwrap();
    let applier = applier(&db);
    let (follower, stop) = start(&js, &applier);
    assert!(follower.wait_applied(3, Duration::from_secs(10)).await);

    js.delete_stream("LIAISON_EVENTS").await.unwrap();
    let deleted = wait_for(&follower, |f| f.wrong_log().is_some()).await;
    assert!(
        deleted.wrong_log().unwrap().contains("does not exist"),
        "{:?}",
        deleted.wrong_log()
    );

    ensure_events_stream(&js, &LogSettings::default())
        .await
        .unwrap();
    for i in 10..14 {
        appender.append(org_registered(i)).await.unwrap();
    }
    let stopped = wait_for(&follower, |f| {
        matches!(f.status(), FollowerStatus::WrongLog(reason) if reason.contains("created again"))
    })
    .await;
    let FollowerStatus::WrongLog(reason) = stopped.status() else {
        unreachable!()
    };
    assert!(reason.contains("created again"), "{reason}");
    // Nothing of the new log was applied, however long it waits.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(follower.applied(), 3);
    assert_eq!(*applier.model().applied.lock().unwrap(), vec![1, 2, 3]);
    stop.cancel();

    // A fresh database follows the new log.
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh_db = sled::open(fresh_dir.path()).unwrap();
    let fresh = self::applier(&fresh_db);
    let (follower, stop) = start(&js, &fresh);
    assert!(follower.wait_applied(4, Duration::from_secs(10)).await);
    assert_eq!(*fresh.model().applied.lock().unwrap(), vec![1, 2, 3, 4]);
    stop.cancel();
}

/// Waits (at most 10 s) until `ready` holds for the follower.
async fn wait_for(follower: &Follower, ready: impl Fn(&Follower) -> bool) -> &Follower {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !ready(follower) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the follower never got there: {:?}, wrong log {:?}",
            follower.status(),
            follower.wrong_log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    follower
}
