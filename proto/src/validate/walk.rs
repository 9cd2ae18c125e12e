//! Walks a raw JSON value against the [`spec`](super::spec) table, collecting every problem
//! with its pointer (serde would stop at the first).

use serde_json::Value;

use super::errors::{FieldError, push_token};
use super::spec::{Field, Kind, List};
use super::{MAX_TEXT_CHARS, url_problem};
use crate::{BusinessTime, Slug};

/// Collects problems while walking.
#[derive(Default)]
pub(crate) struct Walker {
    pub errors: Vec<FieldError>,
}

/// JSON type name for messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Walker {
    /// Records a problem.
    pub fn error(&mut self, pointer: &str, detail: impl Into<String>) {
        self.errors.push(FieldError::invalid(pointer, detail));
    }

    /// Checks that `v` is an object holding exactly the members of `groups` (required ones
    /// present and not null, unknown ones rejected), and checks each member.
    pub fn object(&mut self, v: &Value, pointer: &str, groups: &[&[Field]]) {
        let Value::Object(map) = v else {
            self.error(pointer, format!("expected an object, got {}", type_name(v)));
            return;
        };
        let fields = || groups.iter().flat_map(|g| g.iter());
        for (name, value) in map {
            let at = push_token(pointer, name);
            match fields().find(|f| f.name == name) {
                None => {
                    let known: Vec<&str> = fields().map(|f| f.name).collect();
                    self.error(
                        &at,
                        format!(
                            "unknown field '{name}'; expected one of: {}",
                            known.join(", ")
                        ),
                    );
                }
                Some(f) if value.is_null() => {
                    if f.required {
                        self.error(&at, format!("required field '{name}' must not be null"));
                    }
                }
                Some(f) => self.value(value, &at, &f.kind),
            }
        }
        for f in fields().filter(|f| f.required && !map.contains_key(f.name)) {
            self.error(
                &push_token(pointer, f.name),
                format!("required field '{}' is missing", f.name),
            );
        }
    }

    /// Checks one value against its kind.
    pub fn value(&mut self, v: &Value, pointer: &str, kind: &Kind) {
        match kind {
            Kind::Object(fields) => self.object(v, pointer, &[fields]),
            Kind::List(list) => self.list(v, pointer, list),
            Kind::Unit => match v.as_f64() {
                Some(x) if (0.0..=1.0).contains(&x) => {}
                Some(x) => self.error(pointer, format!("must be from 0 to 1, got {x}")),
                None => self.error(
                    pointer,
                    format!("expected a number from 0 to 1, got {}", type_name(v)),
                ),
            },
            Kind::Quantity => match v {
                Value::Number(n) if n.as_f64().is_some_and(|x| x >= 0.0) => {}
                Value::Number(n) => self.error(pointer, format!("must not be negative, got {n}")),
                Value::String(_) => self.string(v, pointer, &Kind::Text),
                _ => self.error(
                    pointer,
                    format!("expected a number or a string, got {}", type_name(v)),
                ),
            },
            _ => self.string(v, pointer, kind),
        }
    }

    fn string(&mut self, v: &Value, pointer: &str, kind: &Kind) {
        let Some(s) = v.as_str() else {
            self.error(pointer, format!("expected a string, got {}", type_name(v)));
            return;
        };
        if let Some(detail) = string_problem(s, kind) {
            self.error(pointer, detail);
        }
    }

    fn list(&mut self, v: &Value, pointer: &str, list: &List) {
        let Value::Array(items) = v else {
            self.error(pointer, format!("expected an array, got {}", type_name(v)));
            return;
        };
        let mut seen: Vec<(&Value, usize)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("{pointer}/{i}");
            self.value(item, &at, &list.item);
            if list.distinct {
                if let Some((_, first)) = seen.iter().find(|(s, _)| *s == item) {
                    self.error(
                        &at,
                        format!(
                            "duplicate {} {} (also at {pointer}/{first})",
                            list.noun,
                            display(item)
                        ),
                    );
                } else {
                    seen.push((item, i));
                }
            }
        }
        let distinct = if list.distinct {
            seen.len()
        } else {
            items.len()
        };
        if distinct < list.min {
            let plural = if list.min == 1 {
                list.noun.to_owned()
            } else {
                format!("{}s", list.noun)
            };
            let qualifier = if list.distinct && list.min > 1 {
                "distinct "
            } else {
                ""
            };
            self.error(
                pointer,
                format!(
                    "needs at least {} {qualifier}{plural}, got {distinct}",
                    list.min
                ),
            );
        }
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

/// What is wrong with string `s` as a `kind`, if anything.
fn string_problem(s: &str, kind: &Kind) -> Option<String> {
    match kind {
        Kind::Slug => Slug::parse(s)
            .err()
            .map(|e| format!("'{s}' is not a valid id: {e}")),
        Kind::Text => {
            let n = s.chars().count();
            if s.trim().is_empty() {
                Some("must not be empty".to_owned())
            } else if n > MAX_TEXT_CHARS {
                Some(format!(
                    "must be at most {MAX_TEXT_CHARS} characters, got {n}"
                ))
            } else {
                None
            }
        }
        Kind::Time => BusinessTime::parse(s)
            .err()
            .map(|_| format!("'{s}' is not a valid date (YYYY-MM-DD) or RFC 3339 timestamp")),
        Kind::Uuid => uuid::Uuid::try_parse(s)
            .err()
            .map(|_| format!("'{s}' is not a valid UUID")),
        Kind::Url => url_problem(s),
        Kind::Subject => subject_problem(s),
        Kind::Enum(names) => (!names.contains(&s))
            .then(|| format!("unknown value '{s}'; expected one of: {}", names.join(", "))),
        Kind::Unit | Kind::Quantity | Kind::List(_) | Kind::Object(_) => None,
    }
}

/// What is wrong with `s` as a NATS subject to publish on, if anything.
fn subject_problem(s: &str) -> Option<String> {
    if s.is_empty() || s.len() > 255 {
        return Some("must be a NATS subject of 1 to 255 bytes".to_owned());
    }
    if s.split('.')
        .any(|t| t.is_empty() || t == "*" || t == ">" || t.chars().any(|c| c.is_whitespace()))
    {
        return Some(format!(
            "'{s}' is not a NATS subject to publish on: dot-separated non-empty tokens, no spaces, no wildcards"
        ));
    }
    None
}
