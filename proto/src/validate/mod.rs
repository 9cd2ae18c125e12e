//! Validation of what crosses into the log: client submissions ([`validate_submission`]) and
//! log entries as the services read them back ([`validate_stored`]). Every rule of the
//! contract's event table and every limit of [`crate::limits`] is checked on the raw JSON, so
//! that every problem is reported at once with its JSON pointer, before the typed
//! [`ClientEvent`]s or [`Envelope`] are built; then the referential checks against what is
//! already stored ([`check_references`], [`unknown_names`]), pure over a registry the service
//! provides.
//!
//! Decisions (documented here because the contract leaves them open):
//!
//! - Every event that relates organizations needs at least two *distinct* organizations (so that
//!   it names at least one pair): `organizations[]` of meeting, cooperation, negotiation,
//!   agreement, partnership and competition events; duplicates in any id list are rejected.
//! - A required `topics[]` needs at least one topic.
//! - Text fields must not be blank, hold at most
//!   [`MAX_STRING_BYTES`](crate::limits::MAX_STRING_BYTES) bytes of UTF-8 (an evidence quote
//!   [`MAX_QUOTE_BYTES`](crate::limits::MAX_QUOTE_BYTES)), and no control character but tab,
//!   line feed and carriage return.
//! - `null` for an optional field means absent; for a required field it is an error.
//! - A batch holds 1 to [`MAX_BATCH_EVENTS`] events, and no two with the same `id`.
//! - An event's size is the length of its compact JSON serialization (what `serde_json` writes
//!   for the submitted value, without whitespace), at most
//!   [`MAX_EVENT_BYTES`]; a stored entry's size is its raw
//!   payload, at most [`MAX_STORED_EVENT_BYTES`].
//! - The limits are reported first (the batch's size, then each event's size, its lists over
//!   their limit and its pair-topics), so that they are never among the problems only counted.
//! - Validation stops *listing* after [`MAX_REPORTED_ERRORS`](crate::limits::MAX_REPORTED_ERRORS)
//!   problems and counts the rest; it keeps walking (linearly), so the count is exact.
//! - Values in messages are cut to 64 characters, so that a problem document never echoes a
//!   hostile value back at length.
//! - [`validate_submission`] takes a value parsed by `serde_json` (whose recursion limit bounds
//!   its depth); nothing here recurses into members the contract does not know.

mod bounds;
mod errors;
mod references;
mod rules;
mod spec;
mod walk;

use std::collections::HashMap;

use serde_json::Value;

pub(crate) use errors::Collector;
pub use errors::{ErrorKind, FieldError, ValidationErrors};
pub use references::{
    KnownEvent, KnownRule, NameRegistry, Registry, check_references, check_references_with,
    is_noop, unknown_names,
};
pub use walk::Work;

use crate::limits::{MAX_BATCH_EVENTS, MAX_EVENT_BYTES, MAX_STORED_EVENT_BYTES};
use crate::{ClientEvent, Envelope, EventType};
use errors::{push_token, quote};
use spec::Field;
use walk::{Walker, type_name};

/// The members of an event object, as submitted or as stored.
struct Shape {
    /// Every member allowed, in the order messages list them.
    members: &'static [&'static str],
    /// Whether `id` must be present.
    id_required: bool,
    /// The members besides `type`, `id`, `time` and `data`.
    extra: &'static [Field],
}

const SUBMITTED: Shape = Shape {
    members: &["type", "id", "time", "data"],
    id_required: false,
    extra: &[],
};

const STORED: Shape = Shape {
    members: &[
        "specversion",
        "id",
        "source",
        "type",
        "time",
        "datacontenttype",
        "recordedat",
        "data",
    ],
    id_required: true,
    extra: spec::ENVELOPE,
};

/// Whether a request body is a batch (a JSON array), which decides the shape of pointers:
/// `/3/data/topics` in a batch, `/data/topics` for a single event.
pub fn is_batch(body: &Value) -> bool {
    body.is_array()
}

/// Validates a request body: one event object, or an array of them (a batch). Returns the typed
/// events in order, or every problem found, each with its JSON pointer.
pub fn validate_submission(body: &Value) -> Result<Vec<ClientEvent>, ValidationErrors> {
    validate_submission_with_work(body).0
}

/// [`validate_submission`], also telling how much work it did (for tests that check that the
/// work grows linearly with the body).
pub fn validate_submission_with_work(
    body: &Value,
) -> (Result<Vec<ClientEvent>, ValidationErrors>, Work) {
    let mut w = Walker::default();
    let result = submission(&mut w, body);
    (result, w.work)
}

fn submission(w: &mut Walker, body: &Value) -> Result<Vec<ClientEvent>, ValidationErrors> {
    let items: Vec<(String, &Value)> = match body {
        Value::Array(items) => {
            if items.is_empty() {
                w.error("", "an empty batch holds no event; send at least one");
            } else if items.len() > MAX_BATCH_EVENTS {
                w.error(
                    "",
                    format!(
                        "a batch holds at most {MAX_BATCH_EVENTS} events, got {}; split it",
                        items.len()
                    ),
                );
            }
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("/{i}"), v))
                .collect()
        }
        Value::Object(_) => vec![(String::new(), body)],
        other => {
            w.error(
                "",
                format!(
                    "expected an event object or an array of events, got {}",
                    type_name(other)
                ),
            );
            Vec::new()
        }
    };
    if let Some(errors) = std::mem::take(&mut w.errors).finish() {
        return Err(errors);
    }
    for (pointer, item) in &items {
        bounds::event_size(w, item, pointer);
        event_limits(w, item, pointer);
    }
    for (pointer, item) in &items {
        event(w, item, pointer, &SUBMITTED);
    }
    duplicate_ids(w, &items);
    if let Some(errors) = std::mem::take(&mut w.errors).finish() {
        return Err(errors);
    }
    let mut events = Vec::with_capacity(items.len());
    let mut problems = Collector::default();
    for (pointer, item) in items {
        let mut item = item.clone();
        strip_nulls(&mut item);
        match serde_json::from_value::<ClientEvent>(item) {
            Ok(e) => events.push(e),
            // The walker should have caught it; report rather than panic.
            Err(e) => problems.push(FieldError::invalid(pointer, format!("invalid event: {e}"))),
        }
    }
    match problems.finish() {
        Some(errors) => Err(errors),
        None => Ok(events),
    }
}

/// Validates a log entry as it sits in the log (the payload of one message): at most
/// [`MAX_STORED_EVENT_BYTES`], JSON, a CloudEvents envelope of exactly the members ingest
/// writes (`specversion` `1.0`, `id`, `source`, `type`, `time`, `datacontenttype`
/// `application/json`, `recordedat`, `data`; unknown members are rejected), and a `data` that
/// passes every rule and limit a submission must. Pointers are into the stored document
/// (`/data/organizations/1`). Any bytes give an answer, never a panic.
///
/// What it does not check is what needs the rest of the log: references
/// ([`unknown_names`]), conflicts and retractions.
pub fn validate_stored(payload: &[u8]) -> Result<Envelope, ValidationErrors> {
    validate_stored_with_work(payload).0
}

/// [`validate_stored`], also telling how much work it did.
pub fn validate_stored_with_work(payload: &[u8]) -> (Result<Envelope, ValidationErrors>, Work) {
    let mut w = Walker::default();
    let result = stored(&mut w, payload);
    (result, w.work)
}

fn stored(w: &mut Walker, payload: &[u8]) -> Result<Envelope, ValidationErrors> {
    let single = |detail: String| ValidationErrors::single(FieldError::invalid("", detail));
    if payload.len() > MAX_STORED_EVENT_BYTES {
        return Err(single(format!(
            "the entry is {} bytes, more than the limit of {MAX_STORED_EVENT_BYTES} (an event \
             of at most {MAX_EVENT_BYTES} bytes and its envelope)",
            payload.len()
        )));
    }
    w.work.bytes += payload.len() as u64;
    let value: Value = serde_json::from_slice(payload)
        .map_err(|e| single(format!("the entry is not a JSON document: {e}")))?;
    event_limits(w, &value, "");
    event(w, &value, "", &STORED);
    if let Some(errors) = std::mem::take(&mut w.errors).finish() {
        return Err(errors);
    }
    let mut value = value;
    strip_nulls(&mut value);
    serde_json::from_value::<Envelope>(value)
        .map_err(|e| single(format!("the entry is not an envelope: {e}")))
}

/// The `type` of event object `v`, if it names a known one.
fn event_type(v: &Value) -> Option<EventType> {
    v.get("type")
        .and_then(Value::as_str)
        .and_then(|s| EventType::parse(s).ok())
}

/// Checks the data-level limits of event object `v` at `pointer` (before the walk).
fn event_limits(w: &mut Walker, v: &Value, pointer: &str) {
    if let (Some(t), Some(data)) = (event_type(v), v.get("data")) {
        bounds::data_limits(w, t, data, &push_token(pointer, "data"));
    }
}

/// Checks one event object at `pointer`, of `shape`.
fn event(w: &mut Walker, v: &Value, pointer: &str, shape: &Shape) {
    w.work.values += 1;
    let Value::Object(map) = v else {
        w.error(
            pointer,
            format!("expected an event object, got {}", type_name(v)),
        );
        return;
    };
    for name in map.keys() {
        w.work.values += 1;
        w.work.comparisons += shape.members.len() as u64;
        if !shape.members.contains(&name.as_str()) {
            w.error(
                &push_token(pointer, name),
                format!(
                    "unknown field {}; expected one of: {}",
                    quote(name),
                    shape.members.join(", ")
                ),
            );
        }
    }
    let type_at = push_token(pointer, "type");
    let event_type = match map.get("type") {
        None | Some(Value::Null) => {
            w.error(&type_at, "required field 'type' is missing");
            None
        }
        Some(Value::String(s)) => match EventType::parse(s) {
            Ok(t) => Some(t),
            Err(_) => {
                let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
                w.error(
                    &type_at,
                    format!(
                        "unknown event type {}; expected one of: {}",
                        quote(s),
                        known.join(", ")
                    ),
                );
                None
            }
        },
        Some(other) => {
            w.error(
                &type_at,
                format!("expected a string, got {}", type_name(other)),
            );
            None
        }
    };
    let id_at = push_token(pointer, "id");
    match map.get("id").filter(|v| !v.is_null()) {
        Some(id) => w.value(id, &id_at, &spec::Kind::Uuid),
        None if shape.id_required => w.error(&id_at, "required field 'id' is missing"),
        None => {}
    }
    let time_at = push_token(pointer, "time");
    match map.get("time") {
        None | Some(Value::Null) => w.error(&time_at, "required field 'time' is missing"),
        Some(t) => w.value(t, &time_at, &spec::Kind::Time),
    }
    for f in shape.extra {
        let at = push_token(pointer, f.name);
        match map.get(f.name) {
            None | Some(Value::Null) => {
                w.error(&at, format!("required field '{}' is missing", f.name));
            }
            Some(v) => w.value(v, &at, &f.kind),
        }
    }
    let data_at = push_token(pointer, "data");
    match (map.get("data"), event_type) {
        (None | Some(Value::Null), _) => w.error(&data_at, "required field 'data' is missing"),
        (Some(data), Some(t)) => {
            w.object(data, &data_at, &[spec::data_fields(t), spec::COMMON]);
            rules::check(w, t, data, &data_at);
        }
        (Some(data), None) if !data.is_object() => w.error(
            &data_at,
            format!("expected an object, got {}", type_name(data)),
        ),
        (Some(_), None) => {}
    }
}

/// Rejects two events of one batch with the same `id`.
fn duplicate_ids(w: &mut Walker, items: &[(String, &Value)]) {
    let mut seen: HashMap<uuid::Uuid, &str> = HashMap::with_capacity(items.len());
    for (pointer, item) in items {
        let Some(id) = item
            .get("id")
            .and_then(Value::as_str)
            .and_then(|s| uuid::Uuid::try_parse(s).ok())
        else {
            continue;
        };
        w.work.comparisons += 1;
        match seen.get(&id) {
            Some(first) => w.error(
                &push_token(pointer, "id"),
                format!("duplicate id '{id}' in this batch (also at {first}/id)"),
            ),
            None => {
                seen.insert(id, pointer);
            }
        }
    }
}

/// Removes object members that are `null` (an optional field given as null means absent).
/// Only called on values the walk accepted, whose depth the contract bounds.
fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// Longest URL accepted, in bytes.
const MAX_URL_BYTES: usize = 2048;

/// What is wrong with `s` as an http(s) URL, if anything.
pub(crate) fn url_problem(s: &str) -> Option<String> {
    if s.len() > MAX_URL_BYTES {
        return Some(format!(
            "must be a URL of at most {MAX_URL_BYTES} bytes, got {}",
            s.len()
        ));
    }
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = matches!(host, Some(h) if !h.is_empty())
        && !s.chars().any(|c| c.is_whitespace() || c.is_control());
    (!ok).then(|| format!("{} is not an http(s) URL", quote(s)))
}
