//! What the writers were told, in figures: the answers by status, the events whose `503` hid an
//! append, and why appends were refused for a while — for a scenario's report.

use std::collections::BTreeMap;

use serde_json::Value;

use super::writers::{Outcome, Sent};

/// What the writers were told, in figures.
#[derive(Debug, Default)]
pub struct Tally {
    /// Events sent.
    pub events: usize,
    /// Answered `201`.
    pub created: usize,
    /// Answered `200` (a retry found the event in the log).
    pub existing: usize,
    /// `503` answers (each retried).
    pub unavailable: usize,
    /// Events answered `503` and then, on a retry, `200`: the unknown outcome was an append.
    pub existing_after_unavailable: usize,
    /// Why appends were answered `503` (or not at all): by kind ([`kind_of`] the reason, so that
    /// alike reasons count together), how many times, and the first as it was.
    pub reasons: BTreeMap<String, (usize, String)>,
    /// Requests without an answer (each retried).
    pub unanswered: usize,
    /// Final answers other than `200`/`201`/`503`, with their event's id and the answer.
    pub refused: Vec<(String, u16, Value)>,
}

impl Tally {
    /// The figures of `sent`.
    pub fn of(sent: &[Sent]) -> Tally {
        let mut tally = Tally {
            events: sent.len(),
            ..Tally::default()
        };
        for s in sent {
            for attempt in &s.attempts {
                match attempt.status {
                    Some(201) => tally.created += 1,
                    Some(200) => tally.existing += 1,
                    Some(503) => tally.unavailable += 1,
                    None => tally.unanswered += 1,
                    Some(_) => {}
                }
                if let Some(why) = &attempt.why {
                    let reason = tally
                        .reasons
                        .entry(kind_of(why))
                        .or_insert_with(|| (0, why.clone()));
                    reason.0 += 1;
                }
            }
            let unavailable = s.attempts.iter().any(|a| a.status == Some(503));
            if unavailable && matches!(s.outcome, Outcome::Acknowledged { status: 200, .. }) {
                tally.existing_after_unavailable += 1;
            }
            if let Outcome::Refused { status, body } = &s.outcome {
                tally.refused.push((s.id.clone(), *status, body.clone()));
            }
        }
        tally
    }
}

/// `text` with every run of digits replaced by `N` and every event subject by `<subject>`.
fn kind_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_number = false;
    for c in text.chars() {
        match (c.is_ascii_digit(), in_number) {
            (true, true) => {}
            (true, false) => out.push('N'),
            (false, _) => out.push(c),
        }
        in_number = c.is_ascii_digit();
    }
    out.split(' ')
        .map(|word| match word.strip_prefix("liaison.events.") {
            Some(rest) => format!("<subject>{}", &rest[rest.trim_end_matches(')').len()..]),
            None => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}
