//! Candidate events as `liaison read` and `liaison review` show them: one block each — state,
//! type, organizations, factuality, confidence, id — and the quoted sentence.

use liaison_proto::reader::CandidateView;
use serde_json::Value;

use super::{ellipsize, wrap};

/// The candidates, one block each; a line saying so when there are none.
pub fn candidates(candidates: &[CandidateView]) -> String {
    if candidates.is_empty() {
        return "  no candidates\n".to_owned();
    }
    let mut out = String::new();
    for c in candidates {
        let data = c.event.get("data").cloned().unwrap_or(Value::Null);
        let event_type = c.event.get("type").and_then(Value::as_str).unwrap_or("?");
        let factuality = data
            .get("factuality")
            .and_then(Value::as_str)
            .unwrap_or("asserted");
        let topics = list(&data, "topics");
        out.push_str(&format!(
            "\n  {:<14} {event_type}  {}{}\n",
            c.state.as_str(),
            organizations(&data),
            if topics.is_empty() {
                String::new()
            } else {
                format!("  on {topics}")
            }
        ));
        out.push_str(&format!(
            "  {:<14} {factuality}, confidence {:.2}, id {}\n",
            "", c.confidence, c.id
        ));
        if let Some(quote) = data.pointer("/evidence/quote").and_then(Value::as_str) {
            out.push_str(&wrap(&format!("“{}”", ellipsize(quote, 400)), 96, 17));
        }
    }
    out
}

fn organizations(data: &Value) -> String {
    let mut names = list(data, "organizations");
    for field in ["organization", "counterpart", "buyer", "supplier", "id"] {
        if let Some(name) = data.get(field).and_then(Value::as_str) {
            if !names.is_empty() {
                names.push_str(", ");
            }
            names.push_str(name);
        }
    }
    names
}

fn list(data: &Value, field: &str) -> String {
    data.get(field)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}
