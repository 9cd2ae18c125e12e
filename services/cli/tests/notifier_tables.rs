//! The notifier's answers, as it writes them (`AlertList`, `RuleList`), read with proto's types
//! and shown as tables with the delivery state and the attempts.

use liaison::commands::alerts::{alerts_table, attempts};
use liaison::commands::rules::{match_text, rules_table};
use liaison_proto::notifier::{AlertList, RuleList};
use serde_json::json;

fn alert_list() -> AlertList {
    serde_json::from_value(json!({
        "alerts": [
            {
                "id": "00000000-0000-0000-0000-000000000001",
                "rule": "new-partnership",
                "organizations": ["lg-electronics", "meta"],
                "topic": "xr",
                "status": "active",
                "previous_status": "exploring",
                "event_id": "00000000-0000-0000-0000-000000000002",
                "time": "2024-03-15",
                "sequence": 25,
                "state": "delivered",
                "raised_at": "2024-03-15T10:00:00Z",
                "deliveries": [{
                    "kind": "nats", "state": "delivered", "round_attempts": 1,
                    "attempts": [{"number": 1, "at": "2024-03-15T10:00:00Z", "ok": true,
                                  "detail": "published"}],
                    "next_attempt_at": null, "delivered_at": "2024-03-15T10:00:00Z"
                }]
            },
            {
                "id": "00000000-0000-0000-0000-000000000003",
                "rule": "meta-xr",
                "organizations": ["lg-electronics", "meta"],
                "topic": "xr",
                "status": "agreed",
                "previous_status": "negotiating",
                "event_id": "00000000-0000-0000-0000-000000000004",
                "time": "2024-04-01",
                "sequence": 31,
                "state": "failed",
                "raised_at": "2024-04-01T09:00:00Z",
                "webhook_url": "http://127.0.0.1:9/hook",
                "deliveries": [
                    {"kind": "nats", "state": "delivered", "round_attempts": 1,
                     "attempts": [{"number": 1, "at": "2024-04-01T09:00:00Z", "ok": true,
                                   "detail": "published"}],
                     "next_attempt_at": null, "delivered_at": "2024-04-01T09:00:00Z"},
                    {"kind": "webhook", "state": "failed", "round_attempts": 2,
                     "attempts": [
                        {"number": 1, "at": "2024-04-01T09:00:00Z", "ok": false, "detail": "HTTP 500"},
                        {"number": 2, "at": "2024-04-01T09:00:01Z", "ok": false, "detail": "HTTP 500"}
                     ],
                     "next_attempt_at": null, "delivered_at": null}
                ]
            }
        ],
        "next_cursor": null
    }))
    .expect("the notifier's alert list reads as proto's AlertList")
}

#[test]
fn the_alerts_table_shows_the_state_and_the_attempts() {
    let list = alert_list();
    let text = alerts_table(&list);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("state") && lines[0].contains("attempts"),
        "{text}"
    );
    assert!(lines[2].contains("new-partnership"), "{text}");
    assert!(lines[2].contains("lg-electronics – meta"), "{text}");
    assert!(lines[2].contains("exploring → active"), "{text}");
    assert!(lines[2].contains("delivered"), "{text}");
    assert!(lines[2].trim_end().ends_with(" 1"), "{text}");
    assert!(lines[3].contains("failed"), "{text}");
    assert!(lines[3].ends_with("3 (nats 1, webhook 2)"), "{text}");
    assert!(!text.contains("more alerts"), "{text}");
    assert_eq!(attempts(&[]), "0");
}

#[test]
fn a_page_with_more_says_so_and_an_empty_one_says_none() {
    let mut list = alert_list();
    list.next_cursor = Some("31".into());
    assert!(alerts_table(&list).contains("more alerts than this page"));
    list.alerts.clear();
    assert_eq!(alerts_table(&list), "no alerts\n");
}

#[test]
fn the_rules_table_shows_what_each_rule_matches_and_where_it_goes() {
    let list: RuleList = serde_json::from_value(json!({
        "rules": [
            {"id": "new-partnership", "name": "New partnership",
             "match": {"status": ["agreed", "active"]}, "deliver": {},
             "builtin": true, "subject": "liaison.alerts.new-partnership"},
            {"id": "meta-xr",
             "match": {"organizations": ["meta", "lg-electronics"], "organizations_mode": "all",
                       "topics": ["xr"], "event_types": ["agreement.signed"]},
             "deliver": {"webhook": {"url": "http://127.0.0.1:9/hook", "secret": "sealed:2025-06"}},
             "builtin": false, "subject": "liaison.alerts.meta-xr", "sequence": 30}
        ]
    }))
    .expect("the notifier's rule list reads as proto's RuleList");
    let text = rules_table(&list);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[2].contains("New partnership (built in)"), "{text}");
    assert!(lines[2].contains("status agreed, active"), "{text}");
    assert!(
        lines[2].contains("liaison.alerts.new-partnership"),
        "{text}"
    );
    assert!(
        lines[3].contains("types agreement.signed · orgs meta, lg-electronics (all) · topics xr"),
        "{text}"
    );
    assert!(
        lines[3].contains("liaison.alerts.meta-xr, http://127.0.0.1:9/hook"),
        "{text}"
    );
    assert!(!text.contains("sealed:"), "{text}");
    assert_eq!(match_text(&Default::default()), "any change");
    assert_eq!(
        rules_table(&RuleList {
            rules: vec![],
            next_cursor: None
        }),
        "no rules\n"
    );
}
