//! The text forms of the projection's views, from fixed proto values.

use std::collections::HashMap;

use liaison::render;
use liaison_proto::events::Evidence;
use liaison_proto::query::{RelationshipView, Signal};
use serde_json::json;

fn view() -> RelationshipView {
    serde_json::from_value(json!({
        "organizations": ["lg-electronics", "meta"],
        "topic": "xr",
        "status": "exploring",
        "since": "2024-02-28",
        "events": [
            {"id": "b4f8a385-6c5d-5a76-a53c-68a33bd03cbf", "sequence": 13, "type": "meeting.held",
             "time": "2024-02-28", "factuality": "asserted", "summary": "Zuckerberg met LG."},
            {"id": "80f37f9a-c292-52f5-b6ef-adb4ace24554", "sequence": 14,
             "type": "cooperation.discussed", "time": "2024-02-28", "factuality": "asserted",
             "summary": "A stronger partnership on XR devices was discussed."}
        ],
        "signals": [
            {"id": "690d7e5c-e815-5bb8-bf11-5a5d8e6101ae", "sequence": 17,
             "type": "meeting.scheduled", "time": "2024-02-29", "factuality": "reported",
             "would_reach": "contact"}
        ]
    }))
    .unwrap()
}

#[test]
fn a_status_view_reads_as_status_since_events_and_signals() {
    let v = view();
    assert_eq!(
        render::status_line(&v),
        "lg-electronics – meta · xr: exploring since 2024-02-28"
    );
    let text = render::relationship(&v, &HashMap::new());
    assert!(text.starts_with("lg-electronics – meta · xr: exploring since 2024-02-28\n"));
    assert!(text.contains("cooperation discussed"), "{text}");
    assert!(text.contains("expected meeting (unnamed source)"), "{text}");
    // Columns are aligned: every row of the events table starts its second column at the same place.
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("factuality"))
        .take(4)
        .collect();
    let col = rows[0].find("event").unwrap();
    assert_eq!(rows[2].find("meeting").unwrap(), col, "{text}");
    assert_eq!(rows[3].find("cooperation").unwrap(), col, "{text}");
}

#[test]
fn evidence_is_shown_with_source_date_confidence_and_quote() {
    let v = view();
    let evidence = Evidence {
        publisher: Some("Reuters (deutsch)".into()),
        published_at: liaison_proto::BusinessTime::parse("2024-02-28").ok(),
        quote: Some(
            "Mark Zuckerberg, CEO von Meta Platforms, hat sich am Mittwoch getroffen.".into(),
        ),
        language: Some("de".into()),
        confidence: Some(0.95),
        ..Evidence::default()
    };
    let map = HashMap::from([(v.events[1].id, evidence)]);
    let text = render::relationship(&v, &map);
    assert!(
        text.contains("Reuters (deutsch), 2024-02-28 (de)"),
        "{text}"
    );
    assert!(text.contains("confidence  0.95"), "{text}");
    assert!(
        text.contains("„Mark Zuckerberg, CEO von Meta Platforms"),
        "{text}"
    );
}

#[test]
fn no_facts_says_so() {
    let v: RelationshipView = serde_json::from_value(json!({
        "organizations": ["apple", "meta"], "topic": "ai", "status": "none"
    }))
    .unwrap();
    assert!(render::relationship(&v, &HashMap::new()).contains("no facts between them"));
}

#[test]
fn signals_and_quantities_read_naturally() {
    let s: Signal = serde_json::from_value(json!({
        "id": "314fccbe-ef50-5c85-9653-0c3e6164c205", "sequence": 16,
        "type": "cooperation.discussed", "time": "2024-02-28", "factuality": "possible"
    }))
    .unwrap();
    assert_eq!(render::signal_label(&s), "possible cooperation discussed");
    let q = serde_json::from_value(json!(350000)).unwrap();
    assert_eq!(render::quantity(&q), "350,000");
}

#[test]
fn tables_pad_by_characters_not_bytes() {
    let mut t = render::Table::new(["name", "x"]);
    t.row(["Südkorea", "1"]).row(["a", "2"]);
    let text = t.render(0);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[2].chars().position(|c| c == '1'),
        lines[3].chars().position(|c| c == '2')
    );
}
