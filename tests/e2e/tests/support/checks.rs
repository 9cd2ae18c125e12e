//! What every fail-over scenario asserts once its writers stopped and the cluster is whole again:
//! the log holds each acknowledged event exactly once and nothing a client was refused; the
//! projection reads as a fresh one on the same log does; the notifier delivered each of its alerts
//! (the receiver saw every one); queries were answered throughout; no service was restarted.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use liaison_e2e::{first_difference, projection_view, strip_instants};
use liaison_proto::subjects::{ALERTS_STREAM, EVENTS_STREAM};
use serde_json::Value;

use super::rig::{RULE, Rig};
use super::writers::{Outcome, Sent};
use liaison_e2e::http::query;

/// How long the cluster may take to have every stream current on every node again.
const CURRENT: Duration = Duration::from_secs(60);

/// Waits until both streams are current on every node, then checks the log against what each
/// client was told: an event acknowledged is there once, at the sequence its answer named; an
/// event refused is not there; no event is there twice; nothing after the rig's set-up is there
/// that no writer sent. Panics with every violation; the log's last sequence.
pub async fn log_holds_what_was_acknowledged(rig: &Rig, sent: &[Sent]) -> u64 {
    for stream in [EVENTS_STREAM, ALERTS_STREAM] {
        rig.cluster.wait_stream_current(stream, CURRENT).await;
    }
    let js = rig.cluster.jetstream().await;
    let log = liaison_testkit::log::read_log(&js).await;
    let last = log.last().map_or(0, |(entry, _)| entry.sequence);
    let mut sequences: HashMap<String, Vec<u64>> = HashMap::new();
    for (entry, envelope) in &log {
        sequences
            .entry(envelope.id.to_string())
            .or_default()
            .push(entry.sequence);
    }
    let mut violations: Vec<String> = sequences
        .iter()
        .filter(|(_, at)| at.len() > 1)
        .map(|(id, at)| format!("{id} is in the log {} times, at {at:?}", at.len()))
        .collect();
    let sent_ids: HashSet<&str> = sent.iter().map(|s| s.id.as_str()).collect();
    violations.extend(
        log.iter()
            .filter(|(entry, envelope)| {
                entry.sequence > rig.set_up && !sent_ids.contains(envelope.id.to_string().as_str())
            })
            .map(|(entry, envelope)| {
                format!(
                    "{} at {} was sent by no writer",
                    envelope.id, entry.sequence
                )
            }),
    );
    for s in sent {
        let at = sequences.get(&s.id).map(Vec::as_slice).unwrap_or_default();
        match &s.outcome {
            Outcome::Acknowledged { status, sequence } if at != [*sequence] => {
                violations.push(format!(
                    "{} acknowledged {status} at {sequence} but in the log at {at:?}",
                    s.id
                ))
            }
            Outcome::Acknowledged { .. } => {}
            Outcome::Refused { status, body } if !at.is_empty() => violations.push(format!(
                "{} was answered {status} but is in the log at {at:?}: {body}",
                s.id
            )),
            // A refusal of what is not in the log tells the truth; the tally shows it.
            Outcome::Refused { .. } => {}
            Outcome::GaveUp(last) => violations.push(format!(
                "{} never acknowledged (in the log at {at:?}); last: {last}",
                s.id
            )),
        }
    }
    assert!(
        violations.is_empty(),
        "{} violations of the log's promises:\n{}\n\ningest's warnings and errors:\n{}",
        violations.len(),
        violations.join("\n"),
        rig.ingests
            .iter()
            .map(|i| warnings(i.log_path()))
            .collect::<Vec<_>>()
            .join("\n")
    );
    last
}

/// The last lines at `WARN` or `ERROR` of the log file at `path`.
fn warnings(path: Option<&std::path::Path>) -> String {
    let text = path
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// The projection's view of every organization at `last` equals that of a fresh projection
/// (its own empty sled) on the same log, the instants of the run aside.
pub async fn projection_equals_a_fresh_one(rig: &Rig, last: u64) {
    let view = async |base: String| {
        let view = projection_view(
            async |path| query(&rig.http, &base, &path).await,
            &rig.organizations,
            last,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let mut view = Value::Object(view);
        strip_instants(&mut view);
        view
    };
    let disturbed = view(rig.projection.url()).await;
    let fresh = rig.fresh_projection().await;
    let undisturbed = view(fresh.url()).await;
    if let Some(difference) = first_difference(&undisturbed, &disturbed) {
        panic!("the projection differs from a fresh one on the same log at {difference}");
    }
}

/// Once the notifier applied the log up to `last`, every alert is delivered, and the receiver
/// got a call for each alert of the webhook rule and for nothing else; the number of alerts of
/// the rule and of calls repeated (an alert called more than once, which its id lets the receiver
/// drop).
pub async fn alerts_delivered_once_in_effect(rig: &Rig, last: u64) -> (usize, usize) {
    let notifier = rig.notifier.url();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, ready) = rig.get(&notifier, "/readyz").await;
        let applied = ready["checks"]["log"]["detail"]
            .as_str()
            .and_then(|d| d.strip_prefix("applied "))
            .and_then(|d| d.split(',').next())
            .and_then(|n| n.trim().parse::<u64>().ok());
        if applied.is_some_and(|a| a >= last) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the notifier did not apply the log up to {last}: {ready}\n{}",
            rig.notifier.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let alerts = loop {
        let alerts = all_alerts(rig).await;
        let pending: Vec<&Value> = alerts
            .iter()
            .filter(|a| a["state"] != "delivered")
            .collect();
        if pending.is_empty() {
            break alerts;
        }
        assert!(
            Instant::now() < deadline,
            "{} alerts not delivered, the first: {}\n{}",
            pending.len(),
            pending[0],
            rig.notifier.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let expected: BTreeSet<String> = alerts
        .iter()
        .filter(|a| a["rule"] == RULE)
        .map(|a| a["id"].as_str().expect("an alert id").to_owned())
        .collect();
    assert!(!expected.is_empty(), "the load raised no alert of {RULE}");
    let calls = rig.receiver.calls();
    let received: BTreeSet<String> = calls.keys().cloned().collect();
    assert_eq!(
        received.symmetric_difference(&expected).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "the receiver's calls and the notifier's alerts of {RULE} differ"
    );
    let repeated = calls.values().filter(|n| **n > 1).count();
    (expected.len(), repeated)
}

/// Every alert, following the pages.
async fn all_alerts(rig: &Rig) -> Vec<Value> {
    let notifier = rig.notifier.url();
    let mut alerts = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/alerts?limit=100&cursor={c}"),
            None => "/v1/alerts?limit=100".to_owned(),
        };
        let (code, page) = rig.get(&notifier, &path).await;
        assert_eq!(code, 200, "{page}");
        alerts.extend(page["alerts"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return alerts,
        }
    }
}

/// Every service still runs with the pid it had before (`before`).
pub fn no_service_restarted(rig: &mut Rig, before: &[Option<u32>]) {
    assert_eq!(rig.pids(), before, "a service was restarted");
    for service in rig.services_mut() {
        assert!(
            service.is_running(),
            "{} exited:\n{}",
            service.service(),
            service.log_tail()
        );
    }
}

/// Every query the [`Poller`](super::queries::Poller) asked was answered `200`; how many.
pub fn queries_answered(rig: &Rig, answers: &[Result<u16, String>]) -> usize {
    let failed: Vec<(usize, &Result<u16, String>)> = answers
        .iter()
        .enumerate()
        .filter(|(_, a)| **a != Ok(200))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} queries (one each 100 ms) not answered 200, (index, answer): {failed:?}\n\
         projection log:\n{}",
        failed.len(),
        answers.len(),
        rig.projection.log_tail()
    );
    assert!(!answers.is_empty(), "no query was asked");
    answers.len()
}
