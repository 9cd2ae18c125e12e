//! The `liaison` binary against the real stack, as a user runs it: import the Meta–LG scenario
//! (twice: the second run appends nothing), ask for a status, a profile and the log, and get the
//! exit codes and messages of an unknown organization and of a service that is not running.

use std::collections::BTreeSet;

use liaison_e2e::{CliRun, Stack, run_liaison};
use liaison_proto::{ClientEvent, StoredEvent};
use liaison_testkit::free_port;
use serde_json::Value;

const SCENARIO_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../deploy/scenarios/meta-lg-2024.json"
);

fn ok(run: &CliRun) -> &str {
    assert_eq!(run.code, Some(0), "{run}");
    &run.stdout
}

/// The ids of the scenario's events that name `org`, as `liaison tail --org` selects them.
fn ids_naming(events: &[ClientEvent], org: &str) -> BTreeSet<String> {
    events
        .iter()
        .filter(|e| e.event.organizations().iter().any(|o| o.as_str() == org))
        .map(|e| e.id.expect("the scenario's events have ids").to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_imports_reads_tails_and_fails_with_the_documented_codes() {
    let events: Vec<ClientEvent> =
        serde_json::from_str(&std::fs::read_to_string(SCENARIO_PATH).unwrap()).unwrap();
    assert_eq!(events.len(), 23);
    let stack = Stack::start().await;

    // Import, then import again: nothing new.
    let first = stack.liaison(&["import", SCENARIO_PATH]).await;
    assert_eq!(ok(&first).trim(), "23 appended, 0 already there", "{first}");
    let again = stack.liaison(&["import", SCENARIO_PATH]).await;
    assert_eq!(ok(&again).trim(), "0 appended, 23 already there", "{again}");
    let summary = stack.liaison(&["import", SCENARIO_PATH, "--json"]).await;
    let summary: Value = serde_json::from_str(ok(&summary)).expect("the summary is JSON");
    assert_eq!(summary["already_there"], 23, "{summary}");
    let last = summary["last_sequence"].as_u64().expect("last_sequence");
    let last = last.to_string();

    // The relationship on XR, as JSON: exploring since the meeting.
    let status = stack
        .liaison(&[
            "status",
            "meta",
            "lg-electronics",
            "--topic",
            "xr",
            "--json",
            "--min-sequence",
            &last,
        ])
        .await;
    let xr: Value = serde_json::from_str(ok(&status)).expect("status --json is JSON");
    assert_eq!(xr["status"], "exploring", "{xr}");
    assert_eq!(xr["since"], "2024-02-28", "{xr}");

    // Meta's profile, for people: its supplier and its competitor.
    let org = stack
        .liaison(&["org", "meta", "--min-sequence", &last])
        .await;
    let text = ok(&org);
    assert!(text.contains("nvidia") && text.contains("apple"), "{org}");

    // The log, filtered to Meta: one event per line, then the command ends.
    let tail = stack.liaison(&["tail", "--org", "meta"]).await;
    let printed: BTreeSet<String> = ok(&tail)
        .lines()
        .map(|line| {
            serde_json::from_str::<StoredEvent>(line)
                .unwrap_or_else(|e| panic!("not an event ({e}): {line}"))
                .event
                .id
                .to_string()
        })
        .collect();
    let naming_meta = ids_naming(&events, "meta");
    assert!(naming_meta.len() > 1 && naming_meta.len() < events.len());
    assert_eq!(tail.stdout.lines().count(), naming_meta.len(), "{tail}");
    assert_eq!(printed, naming_meta, "{tail}");

    // An unknown organization: refused (1), and the message names it.
    let unknown = stack.liaison(&["status", "meta", "lgg"]).await;
    assert_eq!(unknown.code, Some(1), "{unknown}");
    assert!(
        unknown.stderr.contains("unknown organization") && unknown.stderr.contains("'lgg'"),
        "{unknown}"
    );

    // A projection that is not running: unavailable (3), and how to start it.
    let mut urls = stack.cli_urls();
    urls.projection = format!("http://127.0.0.1:{}", free_port());
    let down = run_liaison(&urls, &["status", "meta", "lg-electronics"]).await;
    assert_eq!(down.code, Some(3), "{down}");
    assert!(
        down.stderr.contains("start it with `liaison dev`"),
        "{down}"
    );
}
