//! The Meta–LG article, imported through the real stack, gives the statuses and relations a
//! reader of the article expects; the hypothetical announcement raises exactly one alert.

use std::time::Duration;

use liaison_e2e::Stack;
use serde_json::Value;

const SCENARIO: &str = include_str!("../../../deploy/scenarios/meta-lg-2024.json");
const HYPOTHETICAL: &str = include_str!("../../../deploy/scenarios/demo-hypothetical.json");

fn last_sequence(answer: &Value) -> u64 {
    answer["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["sequence"].as_u64().expect("sequence"))
        .max()
        .expect("at least one event")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_article_gives_the_expected_relationships_and_the_announcement_one_alert() {
    let stack = Stack::start().await;
    let scenario: Value = serde_json::from_str(SCENARIO).unwrap();
    let (status, answer) = stack.post_events(&scenario).await.unwrap();
    assert_eq!(status, 201, "{answer}");
    let seq = last_sequence(&answer);

    // Importing again is a no-op that answers with the same sequences.
    let (again, answer_again) = stack.post_events(&scenario).await.unwrap();
    assert_eq!(again, 200, "{answer_again}");
    assert_eq!(answer_again["events"], answer["events"]);

    // Meta – LG Electronics on XR: exploring since the day of the meeting.
    let (code, xr) = stack
        .query(&format!(
            "/v1/relationships/lg-electronics/meta?topic=xr&min_sequence={seq}"
        ))
        .await;
    assert_eq!(code, 200, "{xr}");
    assert_eq!(xr["status"], "exploring", "{xr}");
    assert_eq!(xr["since"], "2024-02-28");
    assert_eq!(
        xr["organizations"],
        serde_json::json!(["lg-electronics", "meta"])
    );

    // AI: interest expressed → exploring; the on-device AI cooperation is only possible.
    let (_, ai) = stack
        .query(&format!(
            "/v1/relationships/meta/lg-electronics?topic=ai&min_sequence={seq}"
        ))
        .await;
    assert_eq!(ai["status"], "exploring", "{ai}");
    let (_, on_device) = stack
        .query("/v1/relationships/meta/lg-electronics?topic=on-device-ai")
        .await;
    assert_eq!(on_device["status"], "none", "{on_device}");
    assert_eq!(
        on_device["signals"].as_array().map(Vec::len),
        Some(1),
        "{on_device}"
    );
    assert_eq!(on_device["signals"][0]["factuality"], "possible");

    // The three-party meeting made LG Corp a contact of Meta.
    let (_, lg_corp) = stack.query("/v1/relationships/meta/lg-corp?topic=xr").await;
    assert_eq!(lg_corp["status"], "contact", "{lg_corp}");

    // Samsung: no status, an expected (reported) meeting as a signal.
    let (_, samsung) = stack
        .query("/v1/relationships/meta/samsung-electronics?topic=ai")
        .await;
    assert_eq!(samsung["status"], "none", "{samsung}");
    assert_eq!(
        samsung["signals"][0]["type"], "meeting.scheduled",
        "{samsung}"
    );
    assert_eq!(samsung["signals"][0]["factuality"], "reported");

    // Meta's profile: Nvidia as supplier, Apple as competitor on XR.
    let (code, meta) = stack.query("/v1/organizations/meta").await;
    assert_eq!(code, 200, "{meta}");
    assert_eq!(meta["name"], "Meta Platforms");
    let supplier = &meta["relationships"]["supplier"];
    assert!(
        supplier
            .as_array()
            .is_some_and(|s| s.iter().any(|t| t["organization"] == "nvidia")),
        "{meta}"
    );
    let competitor = &meta["relationships"]["competitor"];
    assert!(
        competitor
            .as_array()
            .is_some_and(|c| c.iter().any(|t| t["organization"] == "apple")),
        "{meta}"
    );

    // Unknown organizations are 404.
    let (code, _) = stack.query("/v1/relationships/meta/lgg?topic=xr").await;
    assert_eq!(code, 404);

    // The hypothetical announcement: active, and one new-partnership alert.
    let hypothetical: Value = serde_json::from_str(HYPOTHETICAL).unwrap();
    let (code, answer) = stack.post_events(&hypothetical).await.unwrap();
    assert_eq!(code, 201, "{answer}");
    let seq = last_sequence(&answer);
    let (_, xr) = stack
        .query(&format!(
            "/v1/relationships/meta/lg-electronics?topic=xr&min_sequence={seq}"
        ))
        .await;
    assert_eq!(xr["status"], "active", "{xr}");
    assert_eq!(xr["since"], "2024-03-15");

    let alerts = wait_for_alerts(&stack, 1).await;
    let alert = &alerts[0];
    assert_eq!(alert["rule"], "new-partnership");
    assert_eq!(
        alert["organizations"],
        serde_json::json!(["lg-electronics", "meta"])
    );
    assert_eq!(alert["topic"], "xr");
    assert_eq!(alert["status"], "active");
    assert_eq!(alert["event_id"], hypothetical[0]["id"]);
}

/// The notifier's alerts once there are `n` of them (and never more).
async fn wait_for_alerts(stack: &Stack, n: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let (code, body) = stack.notifier_get("/v1/alerts").await;
        assert_eq!(code, 200, "{body}");
        let alerts = body["alerts"].as_array().cloned().unwrap_or_default();
        assert!(alerts.len() <= n, "more alerts than expected: {body}");
        if alerts.len() == n {
            return alerts;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {n} alerts, have {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
