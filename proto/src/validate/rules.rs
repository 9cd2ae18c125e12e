//! Rules that relate two fields of one event's `data` (the walker checks fields one by one).

use serde_json::Value;

use super::errors::push_token;
use super::walk::Walker;
use crate::EventType;

/// Checks the cross-field rules of `t` on `data` (found at `pointer`).
pub(crate) fn check(w: &mut Walker, t: EventType, data: &Value, pointer: &str) {
    match t {
        EventType::InterestExpressed => differ(w, data, pointer, "organization", "counterpart"),
        EventType::ProcurementPlanned => differ(w, data, pointer, "buyer", "supplier"),
        EventType::OrganizationRegistered => {
            if let (Some(id), Some(parent)) = (text(data, "id"), text(data, "parent"))
                && id == parent
            {
                w.error(
                    &push_token(pointer, "parent"),
                    format!("an organization cannot be its own parent ('{id}')"),
                );
            }
        }
        _ => {}
    }
}

fn text<'a>(data: &'a Value, field: &str) -> Option<&'a str> {
    data.get(field).and_then(Value::as_str)
}

/// `second` must differ from `first`; reported at `second`.
fn differ(w: &mut Walker, data: &Value, pointer: &str, first: &str, second: &str) {
    if let (Some(a), Some(b)) = (text(data, first), text(data, second))
        && a == b
    {
        w.error(
            &push_token(pointer, second),
            format!("must differ from {first} ('{a}')"),
        );
    }
}
