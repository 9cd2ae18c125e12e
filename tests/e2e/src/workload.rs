//! A small deterministic workload for the end-to-end tests: registrations, then facts of every
//! kind over a few pairs and topics, with late facts, partnerships announced, ended and announced
//! again (so alerts fire), and retractions. The same ids every run, so two runs can be compared.

use serde_json::{Value, json};

const ORGS: [&str; 5] = ["acme", "globex", "initech", "umbrella", "hooli"];
const TOPICS: [&str; 3] = ["xr", "ai", "chips"];

fn id(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// The workload as requests: each item is the body of one `POST /v1/events` (one event or a
/// batch), in the order they must be sent.
pub fn requests(facts: usize) -> Vec<Value> {
    let mut n = 0;
    let mut next_id = || {
        n += 1;
        id(n)
    };
    let mut requests = Vec::new();
    let registrations: Vec<Value> = ORGS
        .iter()
        .map(|org| {
            json!({"type": "organization.registered", "id": next_id(), "time": "2024-01-01",
                   "data": {"id": org, "name": org.to_uppercase()}})
        })
        .collect();
    requests.push(Value::Array(registrations));

    let kinds = [
        "meeting.held",
        "cooperation.discussed",
        "negotiation.reported",
        "agreement.signed",
        "partnership.announced",
        "partnership.ended",
        "competition.noted",
    ];
    let mut batch: Vec<Value> = Vec::new();
    // Ids of events already sent in an earlier request, that a retraction may name.
    let mut retractable: Vec<String> = Vec::new();
    let sent = |request: &Value, retractable: &mut Vec<String>| {
        let events = match request {
            Value::Array(events) => events.clone(),
            event => vec![event.clone()],
        };
        for event in events {
            if event["type"] == "event.retracted" {
                let target = event["data"]["event_id"].as_str().unwrap_or_default();
                retractable.retain(|x| x != target);
            } else {
                retractable.push(event["id"].as_str().unwrap_or_default().to_owned());
            }
        }
    };
    for i in 0..facts {
        let a = ORGS[i % ORGS.len()];
        let b = ORGS[(i * 7 + 1) % ORGS.len()];
        let b = if a == b {
            ORGS[(i + 1) % ORGS.len()]
        } else {
            b
        };
        let topic = TOPICS[(i / 3) % TOPICS.len()];
        let kind = kinds[(i * 5 / 3) % kinds.len()];
        // Every 17th fact arrives late: it happened a month before its neighbours.
        let day = if i % 17 == 5 { i / 2 } else { i + 30 };
        let time = format!("2024-{:02}-{:02}", 1 + (day / 28) % 12, 1 + day % 28);
        let factuality = if i % 11 == 3 { "reported" } else { "asserted" };
        let event_id = next_id();
        if i % 29 == 28 && !retractable.is_empty() {
            let target = retractable[(i * 13) % retractable.len()].clone();
            let retraction = json!({"type": "event.retracted", "id": event_id, "time": time,
                   "data": {"event_id": target, "reason": "source withdrew the story"}});
            sent(&retraction, &mut retractable);
            requests.push(retraction);
            continue;
        }
        let event = json!({"type": kind, "id": event_id, "time": time,
               "data": {"organizations": [a, b], "topics": [topic], "factuality": factuality}});
        if i % 3 == 0 {
            batch.push(event);
            if batch.len() == 4 {
                let request = Value::Array(std::mem::take(&mut batch));
                sent(&request, &mut retractable);
                requests.push(request);
            }
        } else {
            sent(&event, &mut retractable);
            requests.push(event);
        }
    }
    if !batch.is_empty() {
        requests.push(Value::Array(batch));
    }
    requests
}

/// Every organization of the workload.
pub fn organizations() -> &'static [&'static str] {
    &ORGS
}
