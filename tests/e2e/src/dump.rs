//! Comparing what two runs of the same workload let a user read: everything but the instants of
//! the run itself, and the first place where they differ.

use serde_json::Value;

/// Members that hold the wall-clock instant of this run (when ingest recorded an event, when an
/// alert was raised or delivered): they differ between two runs of the same log.
const RUN_INSTANTS: [&str; 3] = ["recordedat", "raised_at", "deliveries"];

/// Removes the [`RUN_INSTANTS`] members at every depth of `value`.
pub(crate) fn strip_instants(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in RUN_INSTANTS {
                map.remove(key);
            }
            map.values_mut().for_each(strip_instants);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_instants),
        _ => {}
    }
}

/// The first place where two dumps differ, as a JSON pointer with both values (shortened).
pub fn first_difference(expected: &Value, actual: &Value) -> Option<String> {
    fn walk(path: String, e: &Value, a: &Value) -> Option<String> {
        match (e, a) {
            (Value::Object(e), Value::Object(a)) => {
                for (key, value) in e {
                    let here = format!("{path}/{key}");
                    match a.get(key) {
                        Some(other) => {
                            if let Some(d) = walk(here, value, other) {
                                return Some(d);
                            }
                        }
                        None => return Some(format!("{here}: missing")),
                    }
                }
                a.keys()
                    .find(|k| !e.contains_key(*k))
                    .map(|k| format!("{path}/{k}: unexpected"))
            }
            (Value::Array(e), Value::Array(a)) => e
                .iter()
                .zip(a)
                .enumerate()
                .find_map(|(i, (x, y))| walk(format!("{path}/{i}"), x, y))
                .or_else(|| {
                    (e.len() != a.len()).then(|| {
                        let extra = |v: &[Value]| {
                            v.get(e.len().min(a.len()))
                                .map(|x| x.to_string().chars().take(300).collect::<String>())
                        };
                        format!(
                            "{path}: {} items expected, {} found; first extra: expected {:?} got {:?}",
                            e.len(),
                            a.len(),
                            extra(e),
                            extra(a)
                        )
                    })
                }),
            _ if e == a => None,
            _ => {
                let short = |v: &Value| v.to_string().chars().take(400).collect::<String>();
                Some(format!("{path}: expected {} got {}", short(e), short(a)))
            }
        }
    }
    walk(String::new(), expected, actual)
}
