//! `GET /v1/schemas/events` and `GET /v1/schemas/events/{type}`: the JSON Schema (draft-07) of
//! each event type's `data`, as the contract crate generates it (the files under
//! `proto/schemas/data/`), so that a client — the console's edit form — builds its form from the
//! schema the server validates with. Reads: open unless the read token is set.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::Json;
use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use liaison_proto::EventType;
use liaison_proto::schema::data_schema;
use liaison_runtime::Problem;
use serde_json::{Value, json};

/// The schema routes.
pub fn routes() -> Router {
    Router::new()
        .route("/v1/schemas/events", get(list))
        .route("/v1/schemas/events/{type}", get(one))
}

fn schemas() -> &'static BTreeMap<&'static str, Value> {
    static SCHEMAS: OnceLock<BTreeMap<&'static str, Value>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        EventType::ALL
            .iter()
            .map(|t| {
                let mut schema = data_schema(*t);
                schema["description"] = Value::String(match schema.get("description") {
                    Some(Value::String(d)) => {
                        format!("{d}\n\n{}", liaison_proto::schema::limits_note())
                    }
                    _ => liaison_proto::schema::limits_note(),
                });
                (t.as_str(), schema)
            })
            .collect()
    })
}

/// The event types that have a schema, with the path of each.
async fn list() -> Json<Value> {
    let types: Vec<Value> = schemas()
        .keys()
        .map(|t| json!({ "type": t, "schema": format!("/v1/schemas/events/{t}") }))
        .collect();
    Json(json!({ "events": types }))
}

/// The schema of `data` of events of `type`; an unknown type is a `404` naming it.
async fn one(Path(event_type): Path<String>) -> Result<Json<Value>, Problem> {
    schemas()
        .get(event_type.as_str())
        .cloned()
        .map(Json)
        .ok_or_else(|| {
            Problem::not_found(format!(
                "type: no event type '{event_type}'; GET /v1/schemas/events lists them"
            ))
        })
}
