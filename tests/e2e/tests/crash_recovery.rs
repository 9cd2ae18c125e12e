//! `kill -9` of each service in turn in the middle of an import, and a nats-server outage in
//! the middle of another: the final state and the alerts equal those of an undisturbed run, and
//! nothing that was acknowledged is lost.

use std::time::Duration;

use liaison_e2e::workload::{Generator, WorkloadConfig, requests};
use liaison_e2e::{Service, Stack, first_difference};
use serde_json::Value;

const FACTS: usize = 120;
const SEED: u64 = 20_240_228;

/// The workload, as requests, and the organizations it names.
fn workload() -> (Vec<Value>, Vec<String>) {
    let mut generator = Generator::new(WorkloadConfig::small(SEED));
    let organizations = generator.organization_slugs();
    (requests(&mut generator, FACTS), organizations)
}

async fn undisturbed(requests: &[Value], organizations: &[String]) -> Value {
    let mut stack = Stack::start().await;
    let last = stack.import(requests, async |_, _| {}).await;
    stack.dump(organizations, last).await
}

/// Imports `requests`, killing `victim` with SIGKILL once a third of them are acknowledged and
/// starting it again at two thirds (the import goes on meanwhile, retrying where it must).
async fn with_a_crash(requests: &[Value], organizations: &[String], victim: Service) -> Value {
    let mut stack = Stack::start().await;
    let third = requests.len() / 3;
    let last = stack
        .import(requests, async |stack: &mut Stack, i| {
            if i == third && victim == Service::Ingest {
                // Ingest is killed and back at once: the import itself retries through the gap.
                stack.service_mut(victim).restart().await;
            } else if i == third {
                stack.service_mut(victim).kill9().await;
            } else if i == 2 * third && victim != Service::Ingest {
                stack.service_mut(victim).restart().await;
            }
        })
        .await;
    stack
        .service_mut(victim)
        .wait_ready(Duration::from_secs(30))
        .await;
    stack.dump(organizations, last).await
}

fn assert_same(expected: &Value, actual: &Value, what: &str) {
    if let Some(difference) = first_difference(expected, actual) {
        panic!("{what}: the state differs from an undisturbed run at {difference}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_each_service_mid_import_converges_to_the_undisturbed_state() {
    let (requests, organizations) = workload();
    let expected = undisturbed(&requests, &organizations).await;
    assert!(
        expected["alerts"].as_array().is_some_and(|a| !a.is_empty()),
        "the workload must raise alerts: {}",
        expected["alerts"]
    );
    for victim in Service::CORE {
        let actual = with_a_crash(&requests, &organizations, victim).await;
        assert_same(&expected, &actual, &format!("after kill -9 of {victim:?}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_outage_mid_import_loses_nothing_acknowledged() {
    let (requests, organizations) = workload();
    let expected = undisturbed(&requests, &organizations).await;
    let mut stack = Stack::start().await;
    let half = requests.len() / 2;
    let last = stack
        .import(&requests, async |stack: &mut Stack, i| {
            {
                if i == half {
                    stack.nats_mut().stop();
                    // Once ingest knows the log is away (a publish sent in the moment before it
                    // noticed would be an unknown outcome, possibly appended on reconnect)…
                    let readyz = format!("{}/readyz", stack.url(Service::Ingest));
                    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
                    while reqwest::get(&readyz)
                        .await
                        .map(|r| r.status().as_u16())
                        .ok()
                        != Some(503)
                    {
                        assert!(
                            tokio::time::Instant::now() < deadline,
                            "ingest never noticed"
                        );
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    // …appends are refused while the log is away…
                    let probe = liaison_testkit::events::organization("probe");
                    let (code, answer) = stack.post_events(&probe).await.expect("ingest is up");
                    assert_eq!(code, 503, "{answer}");
                    assert!(
                        answer["detail"]
                            .as_str()
                            .is_some_and(|d| d.contains("nothing was appended")),
                        "{answer}"
                    );
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    // …and the import resumes once it is back, with no restart of any service.
                    stack.nats_mut().start_again().await;
                }
            }
        })
        .await;
    let actual = stack.dump(&organizations, last).await;
    assert_same(&expected, &actual, "after a nats-server outage");

    // Every acknowledged event is in the log exactly once.
    let js = async_nats::jetstream::new(stack.nats().client().await);
    let mut stream = js.get_stream("LIAISON_EVENTS").await.unwrap();
    let info = stream.info().await.unwrap();
    assert_eq!(
        info.state.last_sequence, last,
        "no event appended twice, none lost"
    );
}
