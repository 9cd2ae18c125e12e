//! Walks a raw JSON value against the [`spec`](super::spec) table, collecting every problem
//! with its pointer (serde would stop at the first), and counting its own work.
//!
//! Every step is linear in the size of the value: each member and item is visited once, a
//! member's name is compared with the few fields of its object, and duplicates are found with
//! a hash map (issue 11: a linear search per item made 90,000 distinct topics take 26 s).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde_json::Value;

use super::errors::{Collector, FieldError, push_token, quote};
use super::spec::{Field, Kind, List, SEALED_SECRET};
use super::url_problem;
use crate::limits::{MAX_QUOTE_BYTES, MAX_STRING_BYTES};
use crate::{BusinessTime, Slug};

/// How much work one validation did, so that tests can check that it grows linearly with the
/// body rather than time it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// JSON values visited (objects, arrays, members, items, scalars), counting every pass.
    pub values: u64,
    /// Comparisons and hash look-ups made: member names against fields, duplicate checks,
    /// enum values.
    pub comparisons: u64,
    /// Bytes of text scanned (string checks, the measure of an event's size).
    pub bytes: u64,
}

impl Work {
    /// Every step, of whatever kind.
    pub fn total(&self) -> u64 {
        self.values + self.comparisons + self.bytes
    }
}

/// Collects problems while walking, and counts the work.
#[derive(Default)]
pub(crate) struct Walker {
    pub errors: Collector,
    pub work: Work,
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
        self.work.values += 1;
        let Value::Object(map) = v else {
            self.error(pointer, format!("expected an object, got {}", type_name(v)));
            return;
        };
        let fields = || groups.iter().flat_map(|g| g.iter());
        for (name, value) in map {
            self.work.values += 1;
            let at = push_token(pointer, name);
            let mut compared = 0;
            let field = fields().find(|f| {
                compared += 1;
                f.name == name
            });
            self.work.comparisons += compared;
            match field {
                None => {
                    let known: Vec<&str> = fields().map(|f| f.name).collect();
                    self.error(
                        &at,
                        format!(
                            "unknown field {}; expected one of: {}",
                            quote(name),
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
        for f in fields() {
            self.work.comparisons += 1;
            if f.required && !map.contains_key(f.name) {
                self.error(
                    &push_token(pointer, f.name),
                    format!("required field '{}' is missing", f.name),
                );
            }
        }
    }

    /// Reports every list of object `v` (and of the objects it holds) that is longer than its
    /// limit, once per list, before the walk looks at the items: so that these problems come
    /// first in the document and are never among those only counted.
    pub fn list_limits(&mut self, v: &Value, pointer: &str, groups: &[&[Field]]) {
        let Value::Object(map) = v else { return };
        for f in groups.iter().flat_map(|g| g.iter()) {
            self.work.comparisons += 1;
            let Some(value) = map.get(f.name) else {
                continue;
            };
            match (&f.kind, value) {
                (Kind::List(list), Value::Array(items)) if items.len() > list.max => {
                    self.error(
                        &push_token(pointer, f.name),
                        format!(
                            "holds at most {} {}, got {}",
                            list.max,
                            plural(list.noun, list.max),
                            items.len()
                        ),
                    );
                }
                (Kind::Object(fields), Value::Object(_)) => {
                    self.list_limits(value, &push_token(pointer, f.name), &[fields]);
                }
                _ => {}
            }
        }
    }

    /// Checks one value against its kind.
    pub fn value(&mut self, v: &Value, pointer: &str, kind: &Kind) {
        match kind {
            Kind::Object(fields) => self.object(v, pointer, &[fields]),
            Kind::List(list) => self.list(v, pointer, list),
            Kind::SealedSecret if v.is_string() => {
                self.work.values += 1;
                self.error(pointer, CLEAR_SECRET_REFUSED);
            }
            Kind::SealedSecret => self.object(v, pointer, &[SEALED_SECRET]),
            Kind::Unit => {
                self.work.values += 1;
                match v.as_f64() {
                    Some(x) if (0.0..=1.0).contains(&x) => {}
                    Some(x) => self.error(pointer, format!("must be from 0 to 1, got {x}")),
                    None => self.error(
                        pointer,
                        format!("expected a number from 0 to 1, got {}", type_name(v)),
                    ),
                }
            }
            Kind::Quantity => match v {
                Value::Number(n) if n.as_f64().is_some_and(|x| x >= 0.0) => self.work.values += 1,
                Value::Number(n) => {
                    self.work.values += 1;
                    self.error(pointer, format!("must not be negative, got {n}"));
                }
                Value::String(_) => self.string(v, pointer, &Kind::Text),
                _ => {
                    self.work.values += 1;
                    self.error(
                        pointer,
                        format!("expected a number or a string, got {}", type_name(v)),
                    );
                }
            },
            _ => self.string(v, pointer, kind),
        }
    }

    fn string(&mut self, v: &Value, pointer: &str, kind: &Kind) {
        self.work.values += 1;
        let Some(s) = v.as_str() else {
            self.error(pointer, format!("expected a string, got {}", type_name(v)));
            return;
        };
        if let Kind::Enum(names) = kind {
            self.work.comparisons += names.len() as u64;
        }
        // Every check below stops at, or first compares the length with, a small bound.
        self.work.bytes += s.len().min(MAX_QUOTE_BYTES) as u64;
        if let Some(detail) = string_problem(s, kind) {
            self.error(pointer, detail);
        }
    }

    fn list(&mut self, v: &Value, pointer: &str, list: &List) {
        self.work.values += 1;
        let Value::Array(items) = v else {
            self.error(pointer, format!("expected an array, got {}", type_name(v)));
            return;
        };
        // First mention of each item, to report a duplicate with where it was seen first.
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut others = 0;
        for (i, item) in items.iter().enumerate() {
            let at = format!("{pointer}/{i}");
            self.value(item, &at, &list.item);
            if !list.distinct {
                continue;
            }
            // Items of distinct lists are strings (slugs, enum values); anything else is
            // already reported as the wrong type.
            let Some(s) = item.as_str() else {
                others += 1;
                continue;
            };
            self.work.comparisons += 1;
            match seen.entry(s) {
                Entry::Occupied(first) => self.error(
                    &at,
                    format!(
                        "duplicate {} {} (also at {pointer}/{})",
                        list.noun,
                        quote(s),
                        first.get()
                    ),
                ),
                Entry::Vacant(slot) => {
                    slot.insert(i);
                }
            }
        }
        let distinct = if list.distinct {
            seen.len() + others
        } else {
            items.len()
        };
        if distinct < list.min {
            let qualifier = if list.distinct && list.min > 1 {
                "distinct "
            } else {
                ""
            };
            self.error(
                pointer,
                format!(
                    "needs at least {} {qualifier}{}, got {distinct}",
                    list.min,
                    plural(list.noun, list.min)
                ),
            );
        }
    }
}

/// `noun`, in the plural unless `n` is 1.
fn plural(noun: &str, n: usize) -> String {
    match (n, noun) {
        (1, _) => noun.to_owned(),
        (_, "status") => "statuses".to_owned(),
        (_, "factuality") => "factualities".to_owned(),
        (_, "alias") => "aliases".to_owned(),
        _ => format!("{noun}s"),
    }
}

/// What is wrong with string `s` as a `kind`, if anything.
fn string_problem(s: &str, kind: &Kind) -> Option<String> {
    match kind {
        Kind::Slug => Slug::parse(s)
            .err()
            .map(|e| format!("{} is not a valid id: {e}", quote(s))),
        Kind::Text => text_problem(s, MAX_STRING_BYTES),
        Kind::Quote => text_problem(s, MAX_QUOTE_BYTES),
        Kind::Time => (s.len() > 64 || BusinessTime::parse(s).is_err()).then(|| {
            format!(
                "{} is not a valid date (YYYY-MM-DD) or RFC 3339 timestamp",
                quote(s)
            )
        }),
        Kind::Timestamp => (s.len() > 64 || chrono::DateTime::parse_from_rfc3339(s).is_err())
            .then(|| format!("{} is not a valid RFC 3339 timestamp", quote(s))),
        Kind::Uuid => uuid::Uuid::try_parse(s)
            .err()
            .map(|_| format!("{} is not a valid UUID", quote(s))),
        Kind::Url => url_problem(s),
        Kind::Subject => subject_problem(s),
        Kind::KeyId => crate::events::key_id_problem(s),
        Kind::Base64 { min, max } => base64_problem(s, *min, *max),
        Kind::Enum(names) => (!names.contains(&s)).then(|| {
            format!(
                "unknown value {}; expected one of: {}",
                quote(s),
                names.join(", ")
            )
        }),
        Kind::Unit | Kind::Quantity | Kind::List(_) | Kind::Object(_) | Kind::SealedSecret => None,
    }
}

/// Why a webhook secret in clear is refused (CONTRACT.md, "Access (v2)").
const CLEAR_SECRET_REFUSED: &str = "a webhook secret must be sealed: a secret in clear never \
     enters the log; create the rule with the notifier's POST /v1/rules (or `liaison rules add`), \
     which takes the secret in clear and seals it";

/// What is wrong with `s` as standard base64 (with padding) of `min` to `max` bytes, if
/// anything. The length is compared before anything is decoded.
fn base64_problem(s: &str, min: usize, max: usize) -> Option<String> {
    use base64::Engine;
    let size = if min == max {
        format!("{max} bytes")
    } else {
        format!("{min} to {max} bytes")
    };
    if s.len() > crate::events::base64_len(max) {
        return Some(format!("must be the base64 of {size}, got a longer text"));
    }
    match base64::engine::general_purpose::STANDARD.decode(s) {
        Ok(decoded) if (min..=max).contains(&decoded.len()) => None,
        Ok(decoded) => Some(format!(
            "must be the base64 of {size}, got {} bytes",
            decoded.len()
        )),
        Err(_) => Some("must be standard base64 (A-Z, a-z, 0-9, '+', '/', '=' padding)".into()),
    }
}

/// What is wrong with `s` as free text of at most `max` bytes, if anything.
fn text_problem(s: &str, max: usize) -> Option<String> {
    if s.len() > max {
        return Some(format!(
            "must be at most {max} bytes of UTF-8, got {}",
            s.len()
        ));
    }
    if s.trim().is_empty() {
        return Some("must not be empty".to_owned());
    }
    s.chars().find(|&c| forbidden_control(c)).map(|c| {
        format!(
            "must not hold the control character U+{:04X}; only tab, line feed and carriage \
             return are allowed",
            c as u32
        )
    })
}

/// Control characters that text may not hold: they are never meant, and some (escape
/// sequences, NUL) would act on a terminal or a C string that shows the text.
fn forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Subjects under which a rule may not publish its alerts (CONTRACT.md, "Access (v2)"), with
/// what lives there. The notifier publishes a rule's `deliver.nats_subject` with its own NATS
/// permissions, so a rule there would make it write the log, forge another rule's alerts or the
/// notifiers' bookkeeping (`liaison.alerts._outcome.…`, `_redeliver.…`, which the alerts stream
/// stores and the webhook workers act on), send requests to ingest or the projection, call the
/// NATS server's APIs, or answer another client's request in its inbox.
const RESERVED_SUBJECT_PREFIXES: &[(&str, &str)] = &[
    (
        "liaison.",
        "Liaison's own subjects: the log (liaison.events.…), the alerts stream and the \
         notifiers' bookkeeping (liaison.alerts.…), ingest's appends, the projection's queries",
    ),
    ("$", "the NATS server's APIs ($JS.…, $SYS.…, $KV.…)"),
    (
        "_INBOX.",
        "inboxes, where other clients wait for their replies",
    ),
];

/// What is wrong with `s` as the NATS subject a rule publishes its alerts on, if anything: it
/// must be a concrete subject, and not under a [`RESERVED_SUBJECT_PREFIXES`] prefix.
fn subject_problem(s: &str) -> Option<String> {
    if s.is_empty() || s.len() > 255 {
        return Some("must be a NATS subject of 1 to 255 bytes".to_owned());
    }
    if s.split('.')
        .any(|t| t.is_empty() || t == "*" || t == ">" || t.chars().any(char::is_whitespace))
    {
        return Some(format!(
            "{} is not a NATS subject to publish on: dot-separated non-empty tokens, no spaces, no wildcards",
            quote(s)
        ));
    }
    RESERVED_SUBJECT_PREFIXES
        .iter()
        .find(|(prefix, _)| s.starts_with(prefix))
        .map(|(prefix, what)| {
            format!(
                "{} is reserved: a rule may not publish under '{prefix}' ({what})",
                quote(s)
            )
        })
}

/// The length of `v`'s compact JSON serialization (as `serde_json::to_vec` writes it), counted
/// without writing it and without recursion, so that no nesting can exhaust the stack.
pub(crate) fn compact_len(v: &Value, work: &mut Work) -> usize {
    let mut stack: Vec<&Value> = vec![v];
    let mut n = 0usize;
    while let Some(v) = stack.pop() {
        work.values += 1;
        n += match v {
            Value::Null => 4,
            Value::Bool(true) => 4,
            Value::Bool(false) => 5,
            Value::Number(x) => number_len(x),
            Value::String(s) => string_len(s, work),
            Value::Array(items) => {
                stack.extend(items);
                2 + items.len().saturating_sub(1)
            }
            Value::Object(map) => {
                let mut len = 2 + map.len().saturating_sub(1);
                for (key, value) in map {
                    len += string_len(key, work) + 1;
                    stack.push(value);
                }
                len
            }
        };
    }
    n
}

/// Bytes of a number as serde_json writes it (its `Display` is the same text).
fn number_len(x: &serde_json::Number) -> usize {
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = std::fmt::write(&mut count, format_args!("{x}"));
    count.0
}

/// Bytes of a JSON string as serde_json writes it: quotes, `\"` `\\` and the short escapes of
/// `\b \t \n \f \r`, `\u00XX` for the other control characters below U+0020, the rest as is.
fn string_len(s: &str, work: &mut Work) -> usize {
    work.bytes += s.len() as u64;
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | 0x08 | 0x09 | 0x0a | 0x0c | 0x0d => 2,
            0x00..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compact_len_is_what_serde_json_writes() {
        for v in [
            json!(null),
            json!([true, false, 1, -2, 1.5, 1e300, 18446744073709551615u64]),
            json!({"a\"b": "c\\d\u{1}\u{8}\t\n\u{c}\r\u{1f}é😀", "": [], "x": {}}),
            json!([[[[]]], {"k": [null]}]),
        ] {
            let mut work = Work::default();
            assert_eq!(
                compact_len(&v, &mut work),
                serde_json::to_vec(&v).unwrap().len(),
                "{v}"
            );
        }
    }

    #[test]
    fn rule_subjects_outside_the_reserved_namespaces_pass() {
        for ok in [
            "alerts.lg",
            "team.meta.partnerships",
            "liaison",
            "liaisons.alerts",
            "LIAISON.events.x",
            "_INBOX",
            "inbox._INBOX.x",
            "my.$JS.x",
        ] {
            assert_eq!(subject_problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn rule_subjects_in_the_reserved_namespaces_are_refused() {
        for (refused, prefix) in [
            ("liaison.events.meeting.held._", "liaison."),
            ("liaison.events.organization.registered.meta", "liaison."),
            ("liaison.alerts._outcome.0190a000", "liaison."),
            ("liaison.alerts._redeliver.0190a000", "liaison."),
            ("liaison.alerts.new-partnership", "liaison."),
            ("liaison.ingest.append", "liaison."),
            ("liaison.query.relationship", "liaison."),
            ("$JS.API.STREAM.DELETE.LIAISON_EVENTS", "$"),
            ("$JS.ACK.LIAISON_EVENTS.x.1.1.1.1.0", "$"),
            ("$SYS.REQ.SERVER.PING", "$"),
            ("$KV.bucket.key", "$"),
            ("_INBOX.abc.1", "_INBOX."),
        ] {
            let problem = subject_problem(refused).unwrap_or_else(|| panic!("{refused} passed"));
            assert!(
                problem.contains(&format!("may not publish under '{prefix}'")),
                "{refused}: {problem}"
            );
        }
    }

    #[test]
    fn whitespace_of_any_script_is_empty_text() {
        for blank in ["", " ", "\t\n\r", "\u{a0}", "\u{2003}\u{3000}"] {
            assert_eq!(
                text_problem(blank, 100).as_deref(),
                Some("must not be empty"),
                "{blank:?}"
            );
        }
    }

    #[test]
    fn control_characters_are_refused_in_text() {
        assert!(text_problem("a\tb\nc\r", 100).is_none());
        assert!(text_problem("bell\u{7}", 100).unwrap().contains("U+0007"));
        assert!(
            text_problem("\u{1b}[31mred", 100)
                .unwrap()
                .contains("U+001B")
        );
        assert!(text_problem("nul\0", 100).is_some());
        assert!(text_problem("c1\u{85}", 100).is_some());
    }
}
