//! Validation of client submissions: every rule of the contract's event table, checked on the
//! raw JSON so that every problem is reported at once with its JSON pointer, then the typed
//! [`ClientEvent`]s; and the referential checks against what is already stored
//! ([`check_references`]), pure over a [`Registry`] the service provides.
//!
//! Decisions (documented here because the contract leaves them open):
//!
//! - Every event that relates organizations needs at least two *distinct* organizations (so that
//!   it names at least one pair): `organizations[]` of meeting, cooperation, negotiation,
//!   agreement, partnership and competition events; duplicates in any id list are rejected.
//! - A required `topics[]` needs at least one topic.
//! - Text fields must not be blank and hold at most [`MAX_TEXT_CHARS`] characters.
//! - `null` for an optional field means absent; for a required field it is an error.
//! - A batch holds 1 to [`MAX_BATCH`] events, and no two with the same `id`.

mod errors;
mod references;
mod rules;
mod spec;
mod walk;

use serde_json::Value;

pub use errors::{ErrorKind, FieldError, ValidationErrors};
pub use references::{
    KnownEvent, KnownRule, Registry, check_references, check_references_with, is_noop,
};

use crate::{ClientEvent, EventType};
use errors::push_token;
use walk::{Walker, type_name};

/// Most events one request may carry.
pub const MAX_BATCH: usize = 1000;
/// Longest text field, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

const TOP_LEVEL: &[&str] = &["type", "id", "time", "data"];

/// Whether a request body is a batch (a JSON array), which decides the shape of pointers:
/// `/3/data/topics` in a batch, `/data/topics` for a single event.
pub fn is_batch(body: &Value) -> bool {
    body.is_array()
}

/// Validates a request body: one event object, or an array of them (a batch). Returns the typed
/// events in order, or every problem found, each with its JSON pointer.
pub fn validate_submission(body: &Value) -> Result<Vec<ClientEvent>, ValidationErrors> {
    let mut w = Walker::default();
    let items: Vec<(String, &Value)> = match body {
        Value::Array(items) => {
            if items.is_empty() {
                w.error("", "an empty batch holds no event; send at least one");
            } else if items.len() > MAX_BATCH {
                w.error(
                    "",
                    format!(
                        "a batch holds at most {MAX_BATCH} events, got {}; split it",
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
    if !w.errors.is_empty() {
        return Err(ValidationErrors::from_vec(w.errors).expect("not empty"));
    }
    for (pointer, item) in &items {
        event(&mut w, item, pointer);
    }
    duplicate_ids(&mut w, &items);
    if let Some(errors) = ValidationErrors::from_vec(w.errors) {
        return Err(errors);
    }
    let mut events = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for (pointer, item) in items {
        let mut item = item.clone();
        strip_nulls(&mut item);
        match serde_json::from_value::<ClientEvent>(item) {
            Ok(e) => events.push(e),
            // The walker should have caught it; report rather than panic.
            Err(e) => problems.push(FieldError::invalid(pointer, format!("invalid event: {e}"))),
        }
    }
    match ValidationErrors::from_vec(problems) {
        Some(errors) => Err(errors),
        None => Ok(events),
    }
}

/// Checks one event object at `pointer`.
fn event(w: &mut Walker, v: &Value, pointer: &str) {
    let Value::Object(map) = v else {
        w.error(
            pointer,
            format!("expected an event object, got {}", type_name(v)),
        );
        return;
    };
    for name in map.keys().filter(|k| !TOP_LEVEL.contains(&k.as_str())) {
        w.error(
            &push_token(pointer, name),
            format!(
                "unknown field '{name}'; expected one of: {}",
                TOP_LEVEL.join(", ")
            ),
        );
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
                        "unknown event type '{s}'; expected one of: {}",
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
    if let Some(id) = map.get("id").filter(|v| !v.is_null()) {
        w.value(id, &push_token(pointer, "id"), &spec::Kind::Uuid);
    }
    let time_at = push_token(pointer, "time");
    match map.get("time") {
        None | Some(Value::Null) => w.error(&time_at, "required field 'time' is missing"),
        Some(t) => w.value(t, &time_at, &spec::Kind::Time),
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
    let mut seen: Vec<(uuid::Uuid, &str)> = Vec::new();
    for (pointer, item) in items {
        let Some(id) = item
            .get("id")
            .and_then(Value::as_str)
            .and_then(|s| uuid::Uuid::try_parse(s).ok())
        else {
            continue;
        };
        match seen.iter().find(|(s, _)| *s == id) {
            Some((_, first)) => w.error(
                &push_token(pointer, "id"),
                format!("duplicate id '{id}' in this batch (also at {first}/id)"),
            ),
            None => seen.push((id, pointer)),
        }
    }
}

/// Removes object members that are `null` (an optional field given as null means absent).
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

/// What is wrong with `s` as an http(s) URL, if anything.
pub(crate) fn url_problem(s: &str) -> Option<String> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = matches!(host, Some(h) if !h.is_empty())
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.len() <= 2048;
    (!ok).then(|| format!("'{s}' is not an http(s) URL"))
}
