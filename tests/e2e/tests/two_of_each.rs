//! Two instances of each service on a 3-node cluster with R3 streams
//! (docs/decisions/007-scale-by-the-engine.md, docs/decisions/022-the-cluster.md): under a steady
//! stream of appends through both ingests — each retried with the same id on `503` or a lost
//! connection, on the other ingest when one is gone —, one instance of each service is stopped
//! with `SIGTERM`, started again, and then the other is killed with `kill -9`. Throughout, queries
//! over NATS (the projections' queue group) keep being answered; afterwards every acknowledged id
//! is in the log exactly once, the remaining projection answers over HTTP with every pair, and
//! the webhook receiver got every alert (by alert id; a repeat after a kill is the same id).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use liaison_e2e::{Service, Stack};
use liaison_testkit::StackOptions;
use liaison_testkit::events::{agreement_signed, new_id, organization, with_id};
use liaison_testkit::log::read_log;
use serde_json::{Value, json};
use uuid::Uuid;

/// Pairs that sign an agreement, one event and one alert each.
const PAIRS: usize = 120;

/// Webhook ids received, with how many times each.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<HashMap<String, usize>>>);

impl Received {
    /// Starts a receiver on loopback; its URL.
    async fn serve(&self) -> String {
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/hook")
    }

    fn counts(&self) -> HashMap<String, usize> {
        self.0.lock().unwrap().clone()
    }
}

async fn receive(State(received): State<Received>, headers: HeaderMap) -> StatusCode {
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    *received.0.lock().unwrap().entry(id).or_default() += 1;
    StatusCode::NO_CONTENT
}

/// Appends `body` until an ingest acknowledges it, starting with `ingests[first]` and moving to
/// the next on a lost connection or a `503`; the sequences acknowledged.
async fn append(
    http: &reqwest::Client,
    ingests: &[String],
    first: usize,
    body: &Value,
) -> Vec<u64> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut at = first;
    loop {
        let url = format!("{}/v1/events", ingests[at % ingests.len()]);
        let answer = http
            .post(&url)
            .json(body)
            .timeout(Duration::from_secs(20))
            .send()
            .await;
        match answer {
            Ok(r) if r.status().as_u16() == 201 || r.status().as_u16() == 200 => {
                let answer: Value = r.json().await.unwrap();
                return answer["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["sequence"].as_u64().unwrap())
                    .collect();
            }
            Ok(r) if r.status().as_u16() == 503 => {}
            Ok(r) => panic!("{url} answered {}: {}", r.status(), r.text().await.unwrap()),
            Err(_) => at += 1,
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not acknowledged within a minute: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Asks the projections' queue group for an organization until some instance answers `200`
/// (a request lost with a killed instance is asked again, as a client does); false when none
/// answered within 10 s.
async fn query_over_nats(client: &async_nats::Client, id: &str) -> bool {
    let subject = liaison_proto::subjects::query_subject("organization");
    let body = serde_json::to_vec(&json!({"id": id})).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tokio::time::Instant::now() < deadline {
        let request = client.request(subject.clone(), body.clone().into());
        if let Ok(Ok(reply)) = tokio::time::timeout(Duration::from_secs(2), request).await
            && reply
                .headers
                .as_ref()
                .and_then(|h| h.get("Status"))
                .is_some_and(|s| s.as_str() == "200")
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// The readiness detail of the notifier at `base`: the sequence its follower applied.
async fn applied(http: &reqwest::Client, base: &str) -> u64 {
    let ready: Value = match http.get(format!("{base}/readyz")).send().await {
        Ok(r) => r.json().await.unwrap_or_default(),
        Err(_) => return 0,
    };
    ready["checks"]["log"]["detail"]
        .as_str()
        .and_then(|d| d.strip_prefix("applied "))
        .and_then(|d| d.split(',').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

async fn wait_applied(http: &reqwest::Client, base: &str, sequence: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while applied(http, base).await < sequence {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{base} did not apply {sequence}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn urls(stack: &Stack, service: Service) -> Vec<String> {
    stack.instances(service).iter().map(|p| p.url()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_of_each_service_stopping_or_killing_one_loses_no_query_append_or_alert() {
    let mut options = StackOptions::for_tests().on_cluster(3, 2);
    options
        .env
        .push(("LIAISON_WEBHOOK_ALLOW_PRIVATE".into(), "1".into()));
    let mut stack = Stack::start_with(options).await;
    let http = stack.http.clone();
    let ingests = urls(&stack, Service::Ingest);
    let notifiers = urls(&stack, Service::Notifier);

    // Every organization, then a webhook rule that both notifiers know.
    let orgs: Vec<Value> = (0..PAIRS)
        .flat_map(|i| {
            [
                organization(&format!("org-{i}")),
                organization(&format!("partner-{i}")),
            ]
        })
        .collect();
    append(&http, &ingests, 0, &Value::Array(orgs)).await;
    let received = Received::default();
    let hook = received.serve().await;
    let rule = json!({
        "id": "deals",
        "match": {"status": ["agreed"]},
        "deliver": {"webhook": {"url": hook, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}
    });
    let created = http
        .post(format!("{}/v1/rules", notifiers[0]))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let rule_sequence = created.json::<Value>().await.unwrap()["sequence"]
        .as_u64()
        .unwrap();
    for notifier in &notifiers {
        wait_applied(&http, notifier, rule_sequence).await;
    }

    // Queries over NATS all along, each answered by one instance or the other.
    let client = stack.cluster().expect("a cluster").client().await;
    let stop = Arc::new(AtomicBool::new(false));
    let (asked, lost) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let querying = tokio::spawn({
        let (stop, asked, lost) = (stop.clone(), asked.clone(), lost.clone());
        async move {
            while !stop.load(Ordering::Relaxed) {
                let id = format!("org-{}", asked.load(Ordering::Relaxed) % PAIRS);
                if !query_over_nats(&client, &id).await {
                    lost.fetch_add(1, Ordering::Relaxed);
                }
                asked.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });

    // The agreements, alternating between the ingests; one instance of each service is stopped,
    // started again, then the other killed, on the way.
    let ids: Vec<Uuid> = (0..PAIRS).map(|_| new_id()).collect();
    let mut acknowledged = HashSet::new();
    let mut last = 0;
    for (i, id) in ids.iter().enumerate() {
        let event = with_id(
            agreement_signed(
                "2024-05-02",
                &[&format!("org-{i}"), &format!("partner-{i}")],
                &["xr"],
            ),
            *id,
        );
        let sequences = append(&http, &ingests, i, &event).await;
        last = last.max(sequences[0]);
        acknowledged.insert(*id);
        let stop_timeout = Duration::from_secs(10);
        if i == PAIRS / 4 {
            for service in Service::CORE {
                stack.instance_mut(service, 1).terminate(stop_timeout).await;
            }
        } else if i == PAIRS / 2 {
            for service in Service::CORE {
                let instance = stack.instance_mut(service, 1);
                instance.restart().await;
                instance.wait_ready(Duration::from_secs(60)).await;
            }
        } else if i == 3 * PAIRS / 4 {
            for service in Service::CORE {
                stack.instance_mut(service, 0).kill9().await;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    querying.await.unwrap();
    let (asked, lost) = (asked.load(Ordering::Relaxed), lost.load(Ordering::Relaxed));
    assert!(asked > 0);
    assert_eq!(lost, 0, "{lost} of {asked} queries over NATS got no answer");

    // No append lost, none twice.
    let js = stack.cluster().expect("a cluster").jetstream().await;
    let mut in_log: HashMap<Uuid, usize> = HashMap::new();
    for (_, envelope) in read_log(&js).await {
        *in_log.entry(envelope.id).or_default() += 1;
    }
    for id in &acknowledged {
        assert_eq!(
            in_log.get(id),
            Some(&1),
            "acknowledged {id} is not in the log once"
        );
    }

    // The remaining projection answers every pair over HTTP.
    let projection = urls(&stack, Service::Projection)[1].clone();
    for i in [0, PAIRS / 2, PAIRS - 1] {
        let path = format!("/v1/relationships/org-{i}/partner-{i}?min_sequence={last}");
        let (status, body) = stack.query_at(&projection, &path).await;
        assert_eq!(status, 200, "{projection}{path}: {body}");
    }

    // Every alert delivered, in effect once: one distinct webhook id per pair.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while received.counts().len() < PAIRS {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {PAIRS} alerts delivered",
            received.counts().len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let counts = received.counts();
    assert_eq!(counts.len(), PAIRS, "{counts:?}");
    let mut listed = HashSet::new();
    let mut cursor = String::new();
    loop {
        let page: Value = http
            .get(format!(
                "{}/v1/alerts?rule=deals&limit=100{cursor}",
                notifiers[1]
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        listed.extend(
            page["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(listed, counts.keys().cloned().collect::<HashSet<_>>());
}
