//! Helpers shared by the validation tests: a valid example of every event type, and shortcuts
//! to the single problem a broken body must report.
#![allow(dead_code)]

use liaison_proto::{EventType, validate_submission};
use serde_json::{Value, json};

/// A valid event of type `t`, naming only `meta`, `lg`, `william-cho`.
pub fn valid(t: EventType) -> Value {
    let data = match t {
        EventType::OrganizationRegistered => json!({"id": "meta", "name": "Meta Platforms",
            "aliases": ["Facebook"], "kind": "company", "country": "US"}),
        EventType::PersonRegistered => json!({"id": "william-cho", "name": "William Cho",
            "affiliations": [{"organization": "lg", "role": "CEO"}]}),
        EventType::MeetingHeld | EventType::MeetingScheduled => json!({
            "organizations": ["meta", "lg"], "participants": ["william-cho"], "topics": ["xr"],
            "location": "Seoul"}),
        EventType::CooperationDiscussed
        | EventType::NegotiationReported
        | EventType::CompetitionNoted => json!({"organizations": ["meta", "lg"], "topics": ["xr"]}),
        EventType::InterestExpressed => {
            json!({"organization": "meta", "counterpart": "lg", "topics": ["xr"]})
        }
        EventType::AgreementSigned | EventType::PartnershipAnnounced => {
            json!({"organizations": ["meta", "lg"], "topics": ["xr"], "kind": "mou"})
        }
        EventType::PartnershipEnded => {
            json!({"organizations": ["meta", "lg"], "topics": ["xr"], "reason": "strategy"})
        }
        EventType::ProcurementPlanned => json!({"buyer": "meta", "supplier": "lg",
            "item": "OLED panels", "quantity": 100000, "by": "2025-06-30"}),
        EventType::ProductLaunched => {
            json!({"organization": "meta", "product": "Quest 4", "topics": ["xr"]})
        }
        EventType::EventRetracted => {
            json!({"event_id": "0190a000-0000-7000-8000-000000000001", "reason": "wrong"})
        }
        EventType::RuleCreated => json!({"id": "lg-watch", "name": "LG watch",
            "match": {"organizations": ["lg"], "status": ["agreed"]},
            "deliver": {"nats_subject": "alerts.lg", "webhook": {"url": "https://example.com/hook", "secret": sealed_secret()}}}),
        EventType::RuleDeleted => json!({"id": "lg-watch"}),
    };
    json!({"type": t.as_str(), "time": "2024-02-28", "data": data})
}

/// A webhook secret in the sealed form the log holds (its bytes are not a real encryption:
/// validation checks the shape, only the notifier's keys could open it).
pub fn sealed_secret() -> Value {
    json!({"alg": "xchacha20poly1305", "key_id": "2025-06",
        "nonce": "bm9uY2Utb2YtMjQtYnl0ZXMtZXhhY3Qh",
        "ciphertext": "Y2lwaGVydGV4dC1hbmQtaXRzLTE2LWJ5dGUtdGFn"})
}

/// Every problem of `body`, as `(pointer, detail)`.
pub fn problems(body: &Value) -> Vec<(String, String)> {
    match validate_submission(body) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .errors()
            .iter()
            .map(|e| (e.pointer.clone(), e.detail.clone()))
            .collect(),
    }
}

/// The one problem of `body`; fails if there are none or several.
pub fn only(body: &Value) -> (String, String) {
    let p = problems(body);
    assert_eq!(p.len(), 1, "expected exactly one problem, got {p:#?}");
    p.into_iter().next().unwrap()
}

/// `valid(t)` with `data[field]` set to `value` (or removed when `value` is `None`).
pub fn with_data(t: EventType, field: &str, value: Option<Value>) -> Value {
    let mut v = valid(t);
    let data = v["data"].as_object_mut().unwrap();
    match value {
        Some(x) => {
            data.insert(field.to_owned(), x);
        }
        None => {
            data.remove(field);
        }
    }
    v
}
