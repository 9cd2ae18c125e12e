//! The generated documents of the contract: a JSON Schema (draft-07) for every wire type and an
//! AsyncAPI 3.0 document of the NATS subjects. Pure functions; the `gen-schemas` example writes
//! them under `proto/schemas/` and `proto/asyncapi.yaml`, and a test fails when the committed
//! files differ from what the code generates.

use schemars::{JsonSchema, generate::SchemaSettings};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::events::{
    AgreementSigned, CompetitionNoted, CooperationDiscussed, EventRetracted, InterestExpressed,
    Meeting, NegotiationReported, OrganizationRegistered, PartnershipAnnounced, PartnershipEnded,
    PersonRegistered, ProcurementPlanned, ProductLaunched, RuleCreated, RuleDeleted,
};
use crate::ingest::AppendAnswer;
use crate::limits::MAX_BATCH_EVENTS;
use crate::notifier::{
    AlertList, AlertView, AlertsRequest, RedeliveryRequest, RuleList, RuleView, RulesRequest,
    WebhookOutcome,
};
use crate::problem::ProblemDetails;
use crate::query::{
    MeetingsRequest, OrganizationRequest, OrganizationView, PairView, RebuildRequest,
    RelationshipList, RelationshipRequest, RelationshipView, RelationshipsRequest, StatusChange,
    StreamRequest, TimelinePage, TimelineRequest,
};
use crate::{Alert, AlertEvent, ClientEvent, Envelope, EventType, StoredEvent, subjects};

/// What a client may send to `POST /v1/events`: one event or a batch.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Submission {
    /// One event.
    One(Box<ClientEvent>),
    /// A batch, validated as a whole and appended in order.
    Batch(#[schemars(length(min = 1, max = MAX_BATCH_EVENTS))] Vec<ClientEvent>),
}

/// What the JSON Schemas of events cannot say by themselves, appended to their description.
pub fn limits_note() -> String {
    use crate::limits::*;
    format!(
        "Limits (enforced by the server, answered with 422 and a JSON pointer): an event names at \
         most {MAX_ORGANIZATIONS} organizations and {MAX_TOPICS} topics, and at most \
         {MAX_PAIR_TOPICS} pair-topics in all (n(n-1)/2 pairs of its n organizations times its \
         topics; a meeting without topics counts one); {MAX_PARTICIPANTS} participants, \
         {MAX_ALIASES} aliases, {MAX_AFFILIATIONS} affiliations; a string is at most \
         {MAX_STRING_BYTES} bytes of UTF-8 (an evidence quote {MAX_QUOTE_BYTES}) and holds no \
         control character but tab, line feed and carriage return; an event is at most \
         {MAX_EVENT_BYTES} bytes of compact JSON, a batch at most {MAX_BATCH_EVENTS} events. \
         Note: `maxLength` counts characters, as JSON Schema defines it, while the server counts \
         UTF-8 bytes, so a string of non-ASCII characters can pass `maxLength` and still be \
         refused."
    )
}

/// `schema` with [`limits_note`] appended to its description.
fn with_limits_note(mut schema: Value) -> Value {
    let note = limits_note();
    let description = match schema.get("description").and_then(Value::as_str) {
        Some(d) => format!("{d}\n\n{note}"),
        None => note,
    };
    schema["description"] = Value::String(description);
    schema
}

fn schema<T: JsonSchema>() -> Value {
    SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// Every JSON Schema, as (path relative to `proto/`, document).
pub fn schemas() -> Vec<(String, Value)> {
    let mut out = vec![
        ("schemas/submission.json".to_owned(), schema::<Submission>()),
        (
            "schemas/client-event.json".to_owned(),
            schema::<ClientEvent>(),
        ),
        (
            "schemas/append-answer.json".to_owned(),
            schema::<AppendAnswer>(),
        ),
        ("schemas/envelope.json".to_owned(), schema::<Envelope>()),
        (
            "schemas/stored-event.json".to_owned(),
            schema::<StoredEvent>(),
        ),
        ("schemas/alert.json".to_owned(), schema::<Alert>()),
        (
            "schemas/alert-event.json".to_owned(),
            schema::<AlertEvent>(),
        ),
        ("schemas/alert-view.json".to_owned(), schema::<AlertView>()),
        ("schemas/alert-list.json".to_owned(), schema::<AlertList>()),
        ("schemas/rule-view.json".to_owned(), schema::<RuleView>()),
        ("schemas/rule-list.json".to_owned(), schema::<RuleList>()),
        (
            "schemas/webhook-outcome.json".to_owned(),
            schema::<WebhookOutcome>(),
        ),
        (
            "schemas/redelivery-request.json".to_owned(),
            schema::<RedeliveryRequest>(),
        ),
        (
            "schemas/relationship-view.json".to_owned(),
            schema::<RelationshipView>(),
        ),
        ("schemas/pair-view.json".to_owned(), schema::<PairView>()),
        (
            "schemas/relationship-list.json".to_owned(),
            schema::<RelationshipList>(),
        ),
        (
            "schemas/organization-view.json".to_owned(),
            schema::<OrganizationView>(),
        ),
        (
            "schemas/timeline-page.json".to_owned(),
            schema::<TimelinePage>(),
        ),
        (
            "schemas/status-change.json".to_owned(),
            schema::<StatusChange>(),
        ),
        (
            "schemas/relationship-request.json".to_owned(),
            schema::<RelationshipRequest>(),
        ),
        (
            "schemas/relationships-request.json".to_owned(),
            schema::<RelationshipsRequest>(),
        ),
        (
            "schemas/organization-request.json".to_owned(),
            schema::<OrganizationRequest>(),
        ),
        (
            "schemas/timeline-request.json".to_owned(),
            schema::<TimelineRequest>(),
        ),
        (
            "schemas/organizations-request.json".to_owned(),
            schema::<crate::query::OrganizationsRequest>(),
        ),
        (
            "schemas/organization-list.json".to_owned(),
            schema::<crate::query::OrganizationList>(),
        ),
        (
            "schemas/event-places-request.json".to_owned(),
            schema::<crate::query::EventPlacesRequest>(),
        ),
        (
            "schemas/event-places.json".to_owned(),
            schema::<crate::query::EventPlaces>(),
        ),
        (
            "schemas/meetings-request.json".to_owned(),
            schema::<MeetingsRequest>(),
        ),
        (
            "schemas/stream-request.json".to_owned(),
            schema::<StreamRequest>(),
        ),
        (
            "schemas/rebuild-request.json".to_owned(),
            schema::<RebuildRequest>(),
        ),
        (
            "schemas/log-request.json".to_owned(),
            schema::<crate::log::LogRequest>(),
        ),
        (
            "schemas/log-page.json".to_owned(),
            schema::<crate::log::LogPage>(),
        ),
        (
            "schemas/log-event-view.json".to_owned(),
            schema::<crate::log::LogEventView>(),
        ),
        (
            "schemas/log-stream-request.json".to_owned(),
            schema::<crate::log::LogStreamRequest>(),
        ),
        (
            "schemas/alerts-request.json".to_owned(),
            schema::<AlertsRequest>(),
        ),
        (
            "schemas/rules-request.json".to_owned(),
            schema::<RulesRequest>(),
        ),
        (
            "schemas/article-request.json".to_owned(),
            schema::<crate::reader::ArticleRequest>(),
        ),
        (
            "schemas/article-answer.json".to_owned(),
            schema::<crate::reader::ArticleAnswer>(),
        ),
        (
            "schemas/candidate-view.json".to_owned(),
            schema::<crate::reader::CandidateView>(),
        ),
        (
            "schemas/candidate-list.json".to_owned(),
            schema::<crate::reader::CandidateList>(),
        ),
        (
            "schemas/candidates-request.json".to_owned(),
            schema::<crate::reader::CandidatesRequest>(),
        ),
        (
            "schemas/reject-request.json".to_owned(),
            schema::<crate::reader::RejectRequest>(),
        ),
        (
            "schemas/feed-request.json".to_owned(),
            schema::<crate::reader::FeedRequest>(),
        ),
        (
            "schemas/feed-list.json".to_owned(),
            schema::<crate::reader::FeedList>(),
        ),
        (
            "schemas/articles-entry.json".to_owned(),
            schema::<crate::reader::ArticlesEntry>(),
        ),
        (
            "schemas/effect-preview.json".to_owned(),
            schema::<crate::preview::EffectPreview>(),
        ),
        (
            "schemas/rules-preview-request.json".to_owned(),
            schema::<crate::preview::RulesPreviewRequest>(),
        ),
        (
            "schemas/rules-preview.json".to_owned(),
            schema::<crate::preview::RulesPreview>(),
        ),
    ];
    for (path, schema) in &mut out {
        if [
            "schemas/submission.json",
            "schemas/client-event.json",
            "schemas/envelope.json",
            "schemas/stored-event.json",
        ]
        .contains(&path.as_str())
        {
            *schema = with_limits_note(schema.take());
        }
    }
    out.push((
        "schemas/problem.json".to_owned(),
        schema::<ProblemDetails>(),
    ));
    for t in EventType::ALL {
        out.push((
            format!("schemas/data/{t}.json"),
            with_limits_note(data_schema(t)),
        ));
    }
    out
}

/// The schema of `data` for events of type `t`.
pub fn data_schema(t: EventType) -> Value {
    match t {
        EventType::OrganizationRegistered => schema::<OrganizationRegistered>(),
        EventType::PersonRegistered => schema::<PersonRegistered>(),
        EventType::MeetingHeld | EventType::MeetingScheduled => schema::<Meeting>(),
        EventType::CooperationDiscussed => schema::<CooperationDiscussed>(),
        EventType::InterestExpressed => schema::<InterestExpressed>(),
        EventType::NegotiationReported => schema::<NegotiationReported>(),
        EventType::AgreementSigned => schema::<AgreementSigned>(),
        EventType::PartnershipAnnounced => schema::<PartnershipAnnounced>(),
        EventType::PartnershipEnded => schema::<PartnershipEnded>(),
        EventType::ProcurementPlanned => schema::<ProcurementPlanned>(),
        EventType::ProductLaunched => schema::<ProductLaunched>(),
        EventType::CompetitionNoted => schema::<CompetitionNoted>(),
        EventType::EventRetracted => schema::<EventRetracted>(),
        EventType::RuleCreated => schema::<RuleCreated>(),
        EventType::RuleDeleted => schema::<RuleDeleted>(),
    }
}

fn payload(file: &str) -> Value {
    json!({
        "schemaFormat": "application/schema+json;version=draft-07",
        "schema": { "$ref": format!("./schemas/{file}") }
    })
}

fn message(name: &str, summary: &str, file: &str) -> Value {
    json!({ "name": name, "summary": summary, "contentType": "application/json", "payload": payload(file) })
}

/// The AsyncAPI 3.0 document of every NATS subject of [`crate::subjects`], as a JSON value.
pub fn asyncapi() -> Value {
    let types: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
    let mut channels = serde_json::Map::new();
    let mut operations = serde_json::Map::new();
    let mut messages = serde_json::Map::new();
    channels.insert("events".into(), json!({
        "address": format!("{}.{{type}}.{{key}}", subjects::EVENTS_PREFIX),
        "title": "The log",
        "description": format!(
            "JetStream stream {} on {}. `type` is the event type with its dot; `key` the aggregate id (organization of organization.registered, person of person.registered, rule of rule.*) or `{}`. Messages carry Nats-Msg-Id = event id; readers get the stream sequence as the `sequence` attribute.",
            subjects::EVENTS_STREAM, subjects::EVENTS_ALL, subjects::NO_KEY),
        "parameters": {
            "type": { "enum": types, "description": "Event type (two tokens, e.g. meeting.held)." },
            "key": { "description": "Aggregate id, or `_`." }
        },
        "messages": { "envelope": { "$ref": "#/components/messages/envelope" } }
    }));
    messages.insert(
        "envelope".into(),
        message(
            "envelope",
            "A stored event (CloudEvents 1.0).",
            "envelope.json",
        ),
    );
    operations.insert("receiveEvents".into(), json!({
        "action": "receive", "channel": { "$ref": "#/channels/events" },
        "summary": "Replay or follow the log (JetStream consumer; filter by type with liaison.events.<type>.>)."
    }));

    channels.insert("alerts".into(), json!({
        "address": format!("{}.{{rule}}", subjects::ALERTS_PREFIX),
        "description": format!("Alerts of a rule, kept in JetStream stream {}; the built-in rule publishes on {}.",
            subjects::ALERTS_STREAM, subjects::alert_subject(crate::alert::NEW_PARTNERSHIP)),
        "parameters": { "rule": { "description": "Rule id." } },
        "messages": { "alert": { "$ref": "#/components/messages/alert" } }
    }));
    messages.insert(
        "alert".into(),
        message(
            "alert",
            "An alert (CloudEvents 1.0, type liaison.alert).",
            "alert-event.json",
        ),
    );
    operations.insert(
        "receiveAlerts".into(),
        json!({
            "action": "receive", "channel": { "$ref": "#/channels/alerts" }
        }),
    );

    channels.insert("alertOutcomes".into(), json!({
        "address": format!("{}.{{alertId}}", subjects::ALERT_OUTCOME_PREFIX),
        "description": format!("Notifier-internal, in stream {}: the outcome of each webhook attempt, published by the instance that made it (Nats-Msg-Id = <alert id>.<round>.<number>) and applied by every instance. Subscribe to {} for alerts alone.",
            subjects::ALERTS_STREAM, subjects::ALERTS_ONLY),
        "parameters": { "alertId": { "description": "Alert id." } },
        "messages": { "webhookOutcome": { "$ref": "#/components/messages/webhookOutcome" } }
    }));
    messages.insert(
        "webhookOutcome".into(),
        message(
            "webhookOutcome",
            "One webhook attempt and the state after it.",
            "webhook-outcome.json",
        ),
    );
    channels.insert("alertRedeliveries".into(), json!({
        "address": format!("{}.{{alertId}}", subjects::ALERT_REDELIVER_PREFIX),
        "description": format!("Notifier-internal, in stream {}: a new round of webhook attempts, taken by one instance through the durable consumer {}.",
            subjects::ALERTS_STREAM, subjects::WEBHOOK_CONSUMER),
        "parameters": { "alertId": { "description": "Alert id." } },
        "messages": { "redeliveryRequest": { "$ref": "#/components/messages/redeliveryRequest" } }
    }));
    messages.insert(
        "redeliveryRequest".into(),
        message(
            "redeliveryRequest",
            "POST /v1/alerts/{id}/redeliver, for the instance that takes it.",
            "redelivery-request.json",
        ),
    );

    channels.insert("ingestAppend".into(), json!({
        "address": subjects::INGEST_APPEND,
        "description": format!("Request-reply append (queue group {}); same body and answers as POST /v1/events: append-answer.json, or a problem document (problem.json; at most 100 errors, the count of the rest in more_errors), with the HTTP status in the `Status` header. `503` with `Retry-After` when the instance is at its bound of requests in flight. Only inbox reply subjects are answered: a request whose reply subject is under `liaison.` or `$` (or that has none) is dropped.", subjects::INGEST_QUEUE),
        "messages": { "submission": { "$ref": "#/components/messages/submission" } }
    }));
    messages.insert(
        "submission".into(),
        message("submission", "One event or a batch.", "submission.json"),
    );
    operations.insert(
        "appendEvents".into(),
        json!({
            "action": "send", "channel": { "$ref": "#/channels/ingestAppend" },
            "reply": { "address": { "location": "$message.header#/reply_to" } }
        }),
    );

    for (name, request, answer) in [
        (
            "relationship",
            "relationship-request.json",
            "relationship-view.json or pair-view.json",
        ),
        (
            "relationships",
            "relationships-request.json",
            "relationship-list.json",
        ),
        (
            "organization",
            "organization-request.json",
            "organization-view.json",
        ),
        ("timeline", "timeline-request.json", "timeline-page.json"),
        ("meetings", "meetings-request.json", "timeline-page.json"),
    ] {
        let channel = format!("query-{name}");
        let msg = format!("{name}Request");
        channels.insert(channel.clone(), json!({
            "address": subjects::query_subject(name),
            "description": format!("Projection query (queue group {}); answers {answer}, or a problem document, with the HTTP status in the `Status` header (`400` names the parameter at fault; `503` with `Retry-After` when a `min_sequence` wait runs out or the instance is at its bound of queries in flight). Only inbox reply subjects are answered: a request whose reply subject is under `liaison.` or `$` (or that has none) is dropped.", subjects::QUERY_QUEUE),
            "messages": { msg.clone(): { "$ref": format!("#/components/messages/{msg}") } }
        }));
        messages.insert(
            msg.clone(),
            message(&msg, &format!("Request of the {name} query."), request),
        );
        operations.insert(
            format!("query-{name}"),
            json!({
                "action": "send", "channel": { "$ref": format!("#/channels/{channel}") },
                "reply": { "address": { "location": "$message.header#/reply_to" } }
            }),
        );
    }

    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": "Liaison",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "NATS subjects of Liaison. Generated by `cargo run -p liaison-proto --example gen-schemas`; do not edit."
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": { "messages": messages }
    })
}

/// Renders a JSON value as block-style YAML (strings double-quoted, so every scalar reads back
/// exactly as it was).
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    yaml(v, 0, &mut out);
    out
}

fn scalar(v: &Value) -> String {
    v.to_string()
}

fn yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, item) in map {
                out.push_str(&format!("{pad}{}:", scalar(&Value::String(k.clone()))));
                nested(item, indent, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&format!("{pad}-"));
                nested(item, indent, out);
            }
        }
        _ => out.push_str(&format!("{pad}{}\n", scalar(v))),
    }
}

fn nested(item: &Value, indent: usize, out: &mut String) {
    match item {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            yaml(item, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            yaml(item, indent + 2, out);
        }
        _ => out.push_str(&format!(" {}\n", scalar(item))),
    }
}

/// `v` with every object's keys in sorted order, whatever serde_json's map ordering (the
/// `preserve_order` feature may be on in some builds of the workspace and not in others).
fn sort_keys(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sort_keys(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

/// Every generated file, as (path relative to `proto/`, exact text).
pub fn generated_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = schemas()
        .into_iter()
        .map(|(path, v)| {
            let text =
                serde_json::to_string_pretty(&sort_keys(&v)).expect("a schema serializes") + "\n";
            (path, text)
        })
        .collect();
    files.push((
        "asyncapi.yaml".to_owned(),
        format!(
            "# Generated by `cargo run -p liaison-proto --example gen-schemas`; do not edit.\n{}",
            to_yaml(&sort_keys(&asyncapi()))
        ),
    ));
    files
}
