//! Every limit of the contract (v2) at its boundary: the largest allowed passes, one more is
//! refused with the exact pointer and message.

mod common;

use common::{only, problems, valid, with_data};
use liaison_proto::limits::*;
use liaison_proto::{EventType, validate_stored, validate_submission};
use serde_json::{Value, json};

fn s(x: &str) -> String {
    x.to_owned()
}

/// `n` distinct slugs `<prefix>-0`, `<prefix>-1`, ….
fn slugs(prefix: &str, n: usize) -> Value {
    json!((0..n).map(|i| format!("{prefix}-{i}")).collect::<Vec<_>>())
}

fn passes(body: &Value) {
    if let Err(e) = validate_submission(body) {
        panic!("expected to pass: {e}");
    }
}

fn cooperation(organizations: usize, topics: usize) -> Value {
    json!({"type": "cooperation.discussed", "time": "2024-02-28",
           "data": {"organizations": slugs("org", organizations), "topics": slugs("t", topics)}})
}

#[test]
fn sixteen_organizations_pass_and_seventeen_are_refused() {
    let at_limit = with_data(
        EventType::MeetingHeld,
        "organizations",
        Some(slugs("org", MAX_ORGANIZATIONS)),
    );
    let mut at_limit = at_limit;
    at_limit["data"]["topics"] = json!([]);
    passes(&at_limit);
    let mut over = at_limit.clone();
    over["data"]["organizations"] = slugs("org", MAX_ORGANIZATIONS + 1);
    assert_eq!(
        only(&over),
        (
            s("/data/organizations"),
            s("holds at most 16 organizations, got 17")
        )
    );
}

#[test]
fn sixteen_topics_pass_and_seventeen_are_refused() {
    passes(&cooperation(2, MAX_TOPICS));
    assert_eq!(
        only(&cooperation(2, MAX_TOPICS + 1)),
        (s("/data/topics"), s("holds at most 16 topics, got 17"))
    );
    let mut launch = valid(EventType::ProductLaunched);
    launch["data"]["topics"] = slugs("t", MAX_TOPICS + 1);
    assert_eq!(only(&launch).0, "/data/topics");
}

#[test]
fn pair_topics_are_bounded_at_256() {
    // 7 organizations are 21 pairs: 12 topics make 252, 13 make 273.
    passes(&cooperation(7, 12));
    assert_eq!(
        only(&cooperation(7, 13)),
        (
            s("/data"),
            s(
                "the event names 7 organizations (21 pairs) and 13 topics: 273 pair-topics, more \
               than the limit of 256; split it into events about fewer organizations or topics"
            )
        )
    );
    // 16 organizations (120 pairs) and no topic: a meeting counts one, `general`.
    let mut meeting = with_data(
        EventType::MeetingHeld,
        "organizations",
        Some(slugs("org", 16)),
    );
    meeting["data"]["topics"] = json!([]);
    passes(&meeting);
    meeting["data"]["topics"] = slugs("t", 3);
    assert_eq!(only(&meeting).0, "/data");
    // In a batch, the pointer names the event.
    let body = json!([valid(EventType::MeetingHeld), cooperation(7, 13)]);
    assert_eq!(only(&body).0, "/1/data");
}

#[test]
fn the_issue_11_meeting_is_refused_with_every_limit_it_breaks() {
    let body = json!({"type": "meeting.held", "time": "2024-02-28",
        "data": {"organizations": slugs("org", 120), "topics": slugs("t", 40)}});
    assert_eq!(
        problems(&body),
        vec![
            (
                s("/data/organizations"),
                s("holds at most 16 organizations, got 120")
            ),
            (s("/data/topics"), s("holds at most 16 topics, got 40")),
            (
                s("/data"),
                s(
                    "the event names 120 organizations (7140 pairs) and 40 topics: 285600 \
                   pair-topics, more than the limit of 256; split it into events about fewer \
                   organizations or topics"
                )
            ),
        ]
    );
}

#[test]
fn thirty_two_participants_aliases_and_affiliations_pass_and_thirty_three_are_refused() {
    let mut meeting = valid(EventType::MeetingHeld);
    meeting["data"]["participants"] = slugs("p", MAX_PARTICIPANTS);
    passes(&meeting);
    meeting["data"]["participants"] = slugs("p", MAX_PARTICIPANTS + 1);
    assert_eq!(
        only(&meeting),
        (
            s("/data/participants"),
            s("holds at most 32 participants, got 33")
        )
    );

    let aliases = |n: usize| json!((0..n).map(|i| format!("Alias {i}")).collect::<Vec<_>>());
    let mut org = valid(EventType::OrganizationRegistered);
    org["data"]["aliases"] = aliases(MAX_ALIASES);
    passes(&org);
    org["data"]["aliases"] = aliases(MAX_ALIASES + 1);
    assert_eq!(
        only(&org),
        (s("/data/aliases"), s("holds at most 32 aliases, got 33"))
    );

    let affiliations = |n: usize| {
        json!(
            (0..n)
                .map(|i| json!({"organization": format!("org-{i}"), "role": "adviser"}))
                .collect::<Vec<_>>()
        )
    };
    let mut person = valid(EventType::PersonRegistered);
    person["data"]["aliases"] = aliases(MAX_ALIASES);
    person["data"]["affiliations"] = affiliations(MAX_AFFILIATIONS);
    passes(&person);
    person["data"]["affiliations"] = affiliations(MAX_AFFILIATIONS + 1);
    assert_eq!(
        only(&person),
        (
            s("/data/affiliations"),
            s("holds at most 32 affiliations, got 33")
        )
    );
}

#[test]
fn rule_lists_have_the_same_bounds() {
    let mut rule = valid(EventType::RuleCreated);
    rule["data"]["match"] = json!({
        "organizations": slugs("org", MAX_ORGANIZATIONS),
        "topics": slugs("t", MAX_TOPICS),
        "event_types": EventType::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
    });
    passes(&rule);
    rule["data"]["match"]["organizations"] = slugs("org", 17);
    rule["data"]["match"]["topics"] = slugs("t", 17);
    assert_eq!(
        problems(&rule),
        vec![
            (
                s("/data/match/organizations"),
                s("holds at most 16 organizations, got 17")
            ),
            (
                s("/data/match/topics"),
                s("holds at most 16 topics, got 17")
            ),
        ]
    );
    // Seventeen event types: one is necessarily a repeat, reported too.
    let mut rule = valid(EventType::RuleCreated);
    let mut types: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
    types.push("meeting.held");
    rule["data"]["match"] = json!({"event_types": types});
    assert_eq!(
        problems(&rule),
        vec![
            (
                s("/data/match/event_types"),
                s("holds at most 16 event types, got 17")
            ),
            (
                s("/data/match/event_types/16"),
                s("duplicate event type 'meeting.held' (also at /data/match/event_types/2)")
            ),
        ]
    );
    let mut rule = valid(EventType::RuleCreated);
    rule["data"]["match"] = json!({"status": ["none", "contact", "exploring", "negotiating",
        "agreed", "active", "ended", "ended"]});
    assert_eq!(
        problems(&rule)[0],
        (
            s("/data/match/status"),
            s("holds at most 7 statuses, got 8")
        )
    );
}

#[test]
fn strings_are_measured_in_utf8_bytes() {
    let with_summary =
        |text: String| with_data(EventType::MeetingHeld, "summary", Some(json!(text)));
    passes(&with_summary("x".repeat(MAX_STRING_BYTES)));
    // 2048 two-byte characters are 4096 bytes; one more byte is over.
    passes(&with_summary("é".repeat(MAX_STRING_BYTES / 2)));
    assert_eq!(
        only(&with_summary(format!(
            "{}x",
            "é".repeat(MAX_STRING_BYTES / 2)
        ))),
        (
            s("/data/summary"),
            s("must be at most 4096 bytes of UTF-8, got 4097")
        )
    );
    // An alias and a role are strings too; a sealed webhook secret is bounded by the longest
    // secret it may hold.
    let mut person = valid(EventType::PersonRegistered);
    person["data"]["affiliations"][0]["role"] = json!("r".repeat(MAX_STRING_BYTES + 1));
    assert_eq!(only(&person).0, "/data/affiliations/0/role");
    let mut rule = valid(EventType::RuleCreated);
    rule["data"]["deliver"]["webhook"]["secret"]["ciphertext"] =
        json!("A".repeat(4 * (MAX_STRING_BYTES + 16).div_ceil(3) + 4));
    assert_eq!(
        only(&rule),
        (
            s("/data/deliver/webhook/secret/ciphertext"),
            s("must be the base64 of 17 to 4112 bytes, got a longer text")
        )
    );
}

#[test]
fn an_evidence_quote_may_hold_8_kib() {
    let with_quote = |quote: String| {
        let mut v = valid(EventType::MeetingHeld);
        v["data"]["evidence"] = json!({"quote": quote});
        v
    };
    passes(&with_quote("q".repeat(MAX_QUOTE_BYTES)));
    assert_eq!(
        only(&with_quote("q".repeat(MAX_QUOTE_BYTES + 1))),
        (
            s("/data/evidence/quote"),
            s("must be at most 8192 bytes of UTF-8, got 8193")
        )
    );
    // Only the quote: another evidence string keeps the 4 KiB limit.
    let mut v = valid(EventType::MeetingHeld);
    v["data"]["evidence"] = json!({"title": "t".repeat(MAX_QUOTE_BYTES)});
    assert_eq!(only(&v).0, "/data/evidence/title");
}

/// An `organization.registered` whose compact JSON is exactly `size` bytes, every field valid.
fn registration_of_size(size: usize) -> Value {
    let mut v = valid(EventType::OrganizationRegistered);
    let base = serde_json::to_vec(&v).unwrap().len();
    let alias_len = 4000;
    let mut remaining = size - base;
    let mut aliases = Vec::new();
    // `,"…"` costs the alias plus 3 bytes; the first one in the existing list as well.
    while remaining > 0 {
        let n = (remaining - 3).min(alias_len);
        aliases.push("a".repeat(n));
        remaining -= n + 3;
    }
    let mut existing: Vec<Value> = v["data"]["aliases"].as_array().unwrap().clone();
    existing.extend(aliases.into_iter().map(Value::String));
    v["data"]["aliases"] = Value::Array(existing);
    assert_eq!(serde_json::to_vec(&v).unwrap().len(), size);
    v
}

#[test]
fn an_event_holds_at_most_64_kib_of_compact_json() {
    let at_limit = registration_of_size(MAX_EVENT_BYTES);
    passes(&at_limit);
    let over = registration_of_size(MAX_EVENT_BYTES + 1);
    assert_eq!(
        only(&over),
        (
            s(""),
            s(
                "the event is 65537 bytes of JSON (compact), more than the limit of 65536; send \
               less text or split it into several events"
            )
        )
    );
    // In a batch, the pointer names the event.
    let body = json!([valid(EventType::MeetingHeld), over]);
    assert_eq!(only(&body).0, "/1");
    // Indentation does not count: the same event pretty-printed is still at the limit.
    let pretty = serde_json::to_string_pretty(&at_limit).unwrap();
    assert!(pretty.len() > MAX_EVENT_BYTES);
    passes(&serde_json::from_str(&pretty).unwrap());
}

#[test]
fn a_batch_holds_at_most_500_events() {
    let body = Value::Array(vec![valid(EventType::MeetingHeld); MAX_BATCH_EVENTS]);
    assert_eq!(validate_submission(&body).unwrap().len(), 500);
    let body = Value::Array(vec![valid(EventType::MeetingHeld); MAX_BATCH_EVENTS + 1]);
    assert_eq!(
        only(&body),
        (
            s(""),
            s("a batch holds at most 500 events, got 501; split it")
        )
    );
}

#[test]
fn at_most_100_problems_are_listed_and_the_rest_counted() {
    // 150 events with a bad time each: 150 problems.
    let mut bad = valid(EventType::MeetingHeld);
    bad["time"] = json!("yesterday");
    let body = Value::Array(vec![bad; 150]);
    let e = validate_submission(&body).unwrap_err();
    assert_eq!(e.errors().len(), MAX_REPORTED_ERRORS);
    assert_eq!(e.more(), 50);
    assert_eq!(e.errors()[99].pointer, "/99/time");
    // Exactly 100: nothing more.
    let mut bad = valid(EventType::MeetingHeld);
    bad["time"] = json!("yesterday");
    let e = validate_submission(&Value::Array(vec![bad; 100])).unwrap_err();
    assert_eq!((e.errors().len(), e.more()), (100, 0));
}

#[test]
fn limits_come_first_even_behind_many_other_problems() {
    // 300 wrong aliases come before `organizations` in the walk, yet the list limit is listed.
    let mut body = valid(EventType::MeetingHeld);
    body["data"]["location"] = json!(5);
    body["data"]["organizations"] = json!((0..300).map(|_| json!(1)).collect::<Vec<_>>());
    body["data"]["participants"] = slugs("p", 40);
    let e = validate_submission(&body).unwrap_err();
    let pointers: Vec<&str> = e.errors().iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(
        &pointers[..3],
        &["/data/organizations", "/data/participants", "/data"]
    );
    // 300 items + location + the three limits.
    assert_eq!(e.total(), 304);
}

/// A stored entry (as ingest writes it) of exactly `size` bytes, padded with trailing spaces.
fn stored_entry_of_size(size: usize) -> Vec<u8> {
    let event = validate_submission(&valid(EventType::MeetingHeld))
        .unwrap()
        .remove(0);
    let envelope = liaison_proto::Envelope::record(
        event,
        liaison_proto::envelope::INGEST_SOURCE,
        chrono::Utc::now(),
    );
    let mut bytes = serde_json::to_vec(&envelope).unwrap();
    bytes.resize(size, b' ');
    bytes
}

#[test]
fn a_stored_entry_holds_at_most_the_event_and_its_envelope() {
    assert_eq!(MAX_STORED_EVENT_BYTES, 65536 + 4096 + 1024);
    assert!(validate_stored(&stored_entry_of_size(MAX_STORED_EVENT_BYTES)).is_ok());
    let e = validate_stored(&stored_entry_of_size(MAX_STORED_EVENT_BYTES + 1)).unwrap_err();
    assert_eq!(e.errors()[0].pointer, "");
    assert_eq!(
        e.errors()[0].detail,
        "the entry is 70657 bytes, more than the limit of 70656 (an event of at most 65536 \
         bytes and its envelope)"
    );
}

#[test]
fn the_largest_event_ingest_accepts_fits_in_a_stored_entry() {
    let mut largest = registration_of_size(MAX_EVENT_BYTES);
    largest["id"] = json!(uuid::Uuid::now_v7());
    largest["data"]["evidence"] = json!({"published_at": "2024-02-28T10:00:00.1+09:00"});
    // Keep the event at the limit with its extra members: trim an alias.
    let size = serde_json::to_vec(&largest).unwrap().len();
    let last = largest["data"]["aliases"].as_array().unwrap().len() - 1;
    let alias = largest["data"]["aliases"][last]
        .as_str()
        .unwrap()
        .to_owned();
    largest["data"]["aliases"][last] = json!(alias[..alias.len() - (size - MAX_EVENT_BYTES)]);
    assert_eq!(serde_json::to_vec(&largest).unwrap().len(), MAX_EVENT_BYTES);
    let event = validate_submission(&largest).unwrap().remove(0);
    let source = "s".repeat(MAX_STRING_BYTES);
    let envelope = liaison_proto::Envelope::record(event, &source, chrono::Utc::now());
    let payload = serde_json::to_vec(&envelope).unwrap();
    assert!(payload.len() <= MAX_STORED_EVENT_BYTES, "{}", payload.len());
    assert_eq!(validate_stored(&payload).unwrap(), envelope);
}
