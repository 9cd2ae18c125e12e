//! Comparing what two runs of the same workload let a user read: what the projection answers
//! about a set of organizations, everything but the instants of the run itself, and the first
//! place where two reads differ.

use serde_json::{Map, Value};

/// Members that hold the wall-clock instant of this run (when ingest recorded an event, when an
/// alert was raised or delivered): they differ between two runs of the same log.
const RUN_INSTANTS: [&str; 3] = ["recordedat", "raised_at", "deliveries"];

/// Removes the [`RUN_INSTANTS`] members at every depth of `value`.
pub fn strip_instants(value: &mut Value) {
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

/// Everything the projection answers about `organizations` once it has applied `sequence`: every
/// relationship of every pair, each organization's profile and whole timeline, read with `query`
/// (a `GET` of a path with its query string: the status and the JSON answer). An answer other
/// than `200` is the error.
pub async fn projection_view(
    query: impl AsyncFn(String) -> (u16, Value),
    organizations: &[String],
    sequence: u64,
) -> Result<Map<String, Value>, String> {
    let ok = |path: &str, (code, body): (u16, Value)| match code {
        200 => Ok(body),
        _ => Err(format!("GET {path} answered {code}: {body}")),
    };
    let mut view = Map::new();
    for (i, a) in organizations.iter().enumerate() {
        for b in &organizations[i + 1..] {
            let path = format!("/v1/relationships/{a}/{b}?min_sequence={sequence}");
            let relationship = ok(&path, query(path.clone()).await)?;
            view.insert(format!("relationship {a} {b}"), relationship);
        }
        let path = format!("/v1/organizations/{a}");
        view.insert(
            format!("organization {a}"),
            ok(&path, query(path.clone()).await)?,
        );
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/v1/organizations/{a}/timeline?limit=100&cursor={c}"),
                None => format!("/v1/organizations/{a}/timeline?limit=100"),
            };
            let page = ok(&path, query(path.clone()).await)?;
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        view.insert(format!("timeline {a}"), Value::Array(items));
    }
    Ok(view)
}
