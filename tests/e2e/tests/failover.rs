//! Fail-over of the real binaries on a 3-node loopback cluster with R3 streams, under load
//! (writers appending, each event with its own id, retrying a `503` with the same id): the events
//! stream's leader killed (`kill -9`) and started again, every node restarted in turn (`SIGTERM`),
//! and the leader's node frozen (`SIGSTOP`) past the election timeout, then resumed.
//!
//! After each: every acknowledged event is in the log exactly once, and none that a client was
//! refused; the projection reads as a fresh projection on the same log does; the notifier's
//! alerts were each delivered to the webhook (once in effect: a repeat carries the same id);
//! queries on the projection were answered `200` throughout; no service was restarted. Each
//! scenario prints its figures (the `503`s and why, the time from the disturbance to the first
//! `201`); nothing is asserted about timing.
//!
//! The scenarios run one at a time, each on a cluster of its own: three nodes and four or five
//! services apiece are all that two cores should carry at once.

mod support;

use std::time::{Duration, Instant};

use liaison_proto::subjects::{ALERTS_STREAM, EVENTS_STREAM};
use support::checks;
use support::queries::Poller;
use support::rig::Rig;
use support::tally::Tally;
use support::writers::{Sent, Writers};

/// Writers appending at once.
const WRITERS: usize = 4;

/// Each writer's pause after an event: a steady rate rather than a flood.
const PAUSE: Duration = Duration::from_millis(40);

/// Acknowledgements before the disturbance, during it where it allows any, and after it.
const STEP: usize = 60;

/// Facts at hand per scenario (the writers stop well before).
const FACTS: usize = 3_000;

/// How long the writers may take for a step's acknowledgements, and the cluster to be whole.
const PROGRESS: Duration = Duration::from_secs(60);

/// The nodes' clean stop: `SIGTERM`, then `SIGKILL` after this.
const TERM: Duration = Duration::from_secs(10);

/// How long the frozen node stays frozen: past the election timeout (NATS's RAFT campaigns after
/// 4 to 9 s without a heartbeat).
const FROZEN: Duration = Duration::from_secs(7);

/// One scenario at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Starts a rig with `ingests` ingest instances, writers and a reader of the projection, runs
/// `disturb` once `STEP` events are acknowledged, lets `STEP` more through once the cluster is
/// whole again, and checks what every scenario promises. `disturb` returns the instant the
/// service was lost, if the first `201` after it is worth printing.
async fn under_load(
    name: &str,
    ingests: usize,
    disturb: impl AsyncFnOnce(&mut Rig, &Writers) -> Option<Instant>,
) {
    let mut rig = Rig::start(ingests).await;
    let pids = rig.pids();
    let poller = Poller::start(
        &rig.projection.url(),
        &rig.organizations[0],
        &rig.organizations[1],
    );
    let writers = Writers::start(&rig.ingest_urls(), rig.facts(FACTS), WRITERS, PAUSE);
    writers.wait_acknowledged(STEP, PROGRESS).await;
    let lost = disturb(&mut rig, &writers).await;
    for stream in [EVENTS_STREAM, ALERTS_STREAM] {
        rig.cluster.wait_stream_current(stream, PROGRESS).await;
    }
    writers
        .wait_acknowledged(writers.acknowledged() + STEP, PROGRESS)
        .await;
    let sent = writers.stop().await;
    let answers = poller.stop().await;

    report(name, &sent, answers.len(), lost);
    checks::queries_answered(&rig, &answers);
    checks::no_service_restarted(&mut rig, &pids);
    let last = checks::log_holds_what_was_acknowledged(&rig, &sent).await;
    checks::projection_equals_a_fresh_one(&rig, last).await;
    let (alerts, repeated) = checks::alerts_delivered_once_in_effect(&rig, last).await;
    eprintln!(
        "{name}: log at {last}; {alerts} webhook alerts delivered, {repeated} called twice or more"
    );
}

/// Prints what the writers were told, and the time from `lost` to the first `201`.
fn report(name: &str, sent: &[Sent], queries: usize, lost: Option<Instant>) {
    let tally = Tally::of(sent);
    eprintln!(
        "{name}: {} events; answers: {} × 201, {} × 200, {} × 503, {} none; {} events 503 then 200 \
         (stored after all); {queries} queries",
        tally.events,
        tally.created,
        tally.existing,
        tally.unavailable,
        tally.unanswered,
        tally.existing_after_unavailable,
    );
    for (count, first) in tally.reasons.values() {
        eprintln!("{name}: {count} × 503 or no answer like: {first}");
    }
    for (id, status, body) in &tally.refused {
        eprintln!("{name}: {id} refused {status}: {body}");
    }
    let Some(lost) = lost else { return };
    let after = |status: u16| {
        sent.iter()
            .flat_map(|s| &s.attempts)
            .filter(move |a| a.status == Some(status) && a.answered >= lost)
    };
    let first_201 = after(201).map(|a| a.answered - lost).min();
    let first_201_sent_after = after(201)
        .filter(|a| a.sent >= lost)
        .map(|a| a.answered - lost)
        .min();
    let last_503 = after(503).map(|a| a.answered - lost).max();
    eprintln!(
        "{name}: loss → first 201 answered {first_201:?}, first 201 of a request sent after the \
         loss {first_201_sent_after:?}, last 503 {last_503:?} (clients wait Retry-After after a 503)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_events_leader_killed_under_load_loses_and_doubles_nothing() {
    let _one_at_a_time = SERIAL.lock().await;
    under_load(
        "leader loss",
        2,
        async |rig: &mut Rig, writers: &Writers| {
            let leader = rig
                .cluster
                .stream_leader(EVENTS_STREAM)
                .await
                .expect("the events stream has a leader");
            let killed = Instant::now();
            rig.cluster.stop_node(leader);
            // Appends go on without it…
            writers
                .wait_acknowledged(writers.acknowledged() + STEP, PROGRESS)
                .await;
            // …and it comes back (and catches up: `under_load` waits until it is current).
            rig.cluster.start_node(leader).await;
            Some(killed)
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_of_every_node_under_load_loses_nothing_and_restarts_no_service() {
    let _one_at_a_time = SERIAL.lock().await;
    under_load(
        "rolling restart",
        1,
        async |rig: &mut Rig, writers: &Writers| {
            for node in 0..rig.cluster.size() {
                rig.cluster.terminate_node(node, TERM).await;
                writers
                    .wait_acknowledged(writers.acknowledged() + STEP / 3, PROGRESS)
                    .await;
                rig.cluster.start_node(node).await;
                for stream in [EVENTS_STREAM, ALERTS_STREAM] {
                    rig.cluster.wait_stream_current(stream, PROGRESS).await;
                }
            }
            None
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leaders_node_frozen_past_the_election_timeout_loses_nothing() {
    let _one_at_a_time = SERIAL.lock().await;
    under_load(
        "frozen node",
        2,
        async |rig: &mut Rig, writers: &Writers| {
            let leader = rig
                .cluster
                .stream_leader(EVENTS_STREAM)
                .await
                .expect("the events stream has a leader");
            let before = writers.acknowledged();
            let frozen = Instant::now();
            rig.cluster.freeze_node(leader);
            // The freeze itself is the disturbance; what follows waits for conditions.
            tokio::time::sleep(FROZEN).await;
            let during = writers.acknowledged() - before;
            let elected = rig.cluster.stream_leader(EVENTS_STREAM).await;
            rig.cluster.thaw_node(leader);
            eprintln!(
                "frozen node: n{leader} frozen for {FROZEN:?}: {during} events acknowledged \
             meanwhile, the leader at its end {elected:?}"
            );
            Some(frozen)
        },
    )
    .await;
}
