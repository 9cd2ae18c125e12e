//! Two ingest instances on one log: the same new event id sent to both at the same moment is
//! appended once; racing registrations of one organization cannot both win; and each instance's
//! registry follows what the other appended.

mod support;

use std::collections::HashMap;

use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::json;
use support::{config, meeting, new_id, org, read_log, spawn_app};

#[tokio::test]
async fn two_instances_agree_and_append_each_id_once() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = spawn_app(config(&nats.url(), dir_a.path())).await;
    let b = spawn_app(config(&nats.url(), dir_b.path())).await;
    assert_eq!(a.post(&json!([org("meta"), org("lg")])).await.status, 201);
    // b learns the registrations from the log (it catches up when a reference is unknown).
    assert_eq!(b.post(&meeting(None, "meta", "lg")).await.status, 201);

    let mut ids = Vec::new();
    for round in 0..20 {
        // The same new single event, or the same new batch, at both instances at once.
        let body = if round % 2 == 0 {
            let id = new_id();
            ids.push(id);
            meeting(Some(id), "meta", "lg")
        } else {
            let (x, y) = (new_id(), new_id());
            ids.extend([x, y]);
            json!([
                meeting(Some(x), "meta", "lg"),
                meeting(Some(y), "lg", "meta")
            ])
        };
        let (ra, rb) = tokio::join!(a.post(&body), b.post(&body));
        let mut statuses = [ra.status, rb.status];
        statuses.sort();
        assert_eq!(statuses, [200, 201], "round {round}: {ra:?} {rb:?}");
        assert_eq!(ra.sequences(), rb.sequences(), "round {round}");
    }

    // Racing registrations: other content → one wins, the other is a conflict; the same
    // content → one appends, the other is a no-op.
    for round in 0..5 {
        let id = format!("race-{round}");
        let mut other = org(&id);
        other["data"]["name"] = json!("Someone else");
        let mine = org(&id);
        let (ra, rb) = tokio::join!(a.post(&mine), b.post(&other));
        let mut statuses = [ra.status, rb.status];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "round {round}: {ra:?} {rb:?}");
        let same = format!("same-{round}");
        let same = org(&same);
        let (ra, rb) = tokio::join!(a.post(&same), b.post(&same));
        let mut statuses = [ra.status, rb.status];
        statuses.sort();
        assert_eq!(statuses, [200, 201], "round {round}: {ra:?} {rb:?}");
        assert_eq!(ra.sequences(), rb.sequences());
    }

    let log = read_log(&nats.jetstream().await).await;
    let mut counts: HashMap<uuid::Uuid, usize> = HashMap::new();
    for (_, envelope) in &log {
        *counts.entry(envelope.id).or_default() += 1;
    }
    for id in &ids {
        assert_eq!(counts.get(id), Some(&1), "event {id}");
    }
    let registrations: Vec<&str> = log
        .iter()
        .filter(|(entry, _)| entry.subject.contains(".organization.registered."))
        .map(|(entry, _)| entry.subject.as_str())
        .collect();
    assert_eq!(registrations.len(), 2 + 5 + 5, "{registrations:?}");
    a.stop().await;
    b.stop().await;
}
