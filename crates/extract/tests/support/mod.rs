//! What the article tests share: a candidate's organizations, topics and factuality, a listing of
//! the candidates for failure messages, and the check that one expected fact is among them.

use liaison_extract::Candidate;
use serde_json::Value;

pub fn orgs(c: &Candidate) -> Vec<String> {
    let mut v: Vec<String> = match c.data.get("organizations") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => ["organization", "counterpart", "buyer", "supplier"]
            .iter()
            .filter_map(|k| c.data.get(*k).and_then(Value::as_str).map(str::to_owned))
            .collect(),
    };
    v.sort();
    v
}

pub fn topics(c: &Candidate) -> Vec<&str> {
    c.data
        .get("topics")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

pub fn factuality(c: &Candidate) -> &str {
    c.data
        .get("factuality")
        .and_then(Value::as_str)
        .unwrap_or("asserted")
}

/// One line per candidate: type, organizations, topics, factuality, time and trigger.
pub fn listing(found: &[Candidate]) -> String {
    found
        .iter()
        .map(|c| {
            format!(
                "{} {:?} {:?} {} {} [{}]",
                c.event_type.as_str(),
                orgs(c),
                topics(c),
                factuality(c),
                c.time,
                c.rationale.trigger
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that a candidate of type `t` with exactly the organizations `o` satisfies `pred`.
pub fn assert_has(found: &[Candidate], t: &str, o: &[&str], pred: &dyn Fn(&Candidate) -> bool) {
    let mut o: Vec<String> = o.iter().map(|s| (*s).to_owned()).collect();
    o.sort();
    assert!(
        found
            .iter()
            .any(|c| c.event_type.as_str() == t && orgs(c) == o && pred(c)),
        "no {t} {o:?} as expected in:\n{}",
        listing(found)
    );
}
