//! One page of `GET /v1/log`: the entries of the range that pass the filters, in sequence order,
//! bounded twice — at most `limit` entries, at most `scan` entries of the log looked at. The
//! cursors are scan positions, so a page that met its scan bound with few matches still says
//! where to go on (`next_after`, `prev_before`).
//!
//! Forward (`after`, `seq`, or the range's start) reads from the start until either bound.
//! Backward (`before`) reads chunks downwards, each twice the one before (the first `limit`
//! long), until `limit` matches are found or `scan` entries were looked at, and keeps the last
//! `limit` matches.

use std::collections::VecDeque;

use async_nats::jetstream;
use liaison_log::LogEntry;
use liaison_proto::log::{
    DEFAULT_LOG_LIMIT, DEFAULT_LOG_SCAN, LogFilter, LogPage, LogRequest, MAX_LOG_LIMIT,
    MAX_LOG_SCAN,
};
use liaison_proto::subjects::EVENTS_PREFIX;
use liaison_proto::{Envelope, StoredEvent};

use super::LogError;
use super::jetstream::{bounds, first_recorded_at, read_range};

/// The parts of a request checked and resolved: bounds, the range of sequences, where to start.
#[derive(Debug, Clone, PartialEq)]
struct Plan {
    limit: usize,
    scan: u64,
    filter: LogFilter,
    /// The range's first and last sequence (`lo > hi` when empty).
    lo: u64,
    hi: u64,
}

/// Checks what a request may not combine and what no type can say.
fn check(req: &LogRequest) -> Result<(usize, u64), LogError> {
    let limit = req.limit.unwrap_or(DEFAULT_LOG_LIMIT);
    if !(1..=MAX_LOG_LIMIT).contains(&limit) {
        return Err(LogError::parameter(
            "limit",
            format!("limit: between 1 and {MAX_LOG_LIMIT}, got {limit}"),
        ));
    }
    let scan = req.scan.unwrap_or(DEFAULT_LOG_SCAN);
    if !(1..=MAX_LOG_SCAN).contains(&scan) {
        return Err(LogError::parameter(
            "scan",
            format!("scan: between 1 and {MAX_LOG_SCAN}, got {scan}"),
        ));
    }
    let starts = [
        ("seq", req.seq.is_some()),
        ("after", req.after.is_some()),
        ("before", req.before.is_some()),
    ];
    if starts.iter().filter(|(_, given)| *given).count() > 1 {
        let name = starts
            .iter()
            .rev()
            .find(|(_, given)| *given)
            .map(|(n, _)| *n);
        return Err(LogError::parameter(
            name.unwrap_or("seq"),
            "seq, after and before: give at most one of them",
        ));
    }
    if req.seq == Some(0) {
        return Err(LogError::parameter("seq", "seq: a sequence, from 1"));
    }
    if req.before == Some(0) {
        return Err(LogError::parameter("before", "before: a sequence, from 1"));
    }
    if let (Some(from), Some(to)) = (req.from, req.to)
        && from > to
    {
        return Err(LogError::parameter(
            "to",
            format!("to: {to} is before from ({from})"),
        ));
    }
    if let (Some(from), Some(to)) = (req.recorded_from, req.recorded_to)
        && from > to
    {
        return Err(LogError::parameter(
            "recorded_to",
            format!("recorded_to: {to} is before recorded_from ({from})"),
        ));
    }
    Ok((limit as usize, u64::from(scan)))
}

/// Reads the page `req` asks for.
pub async fn read(js: &jetstream::Context, req: &LogRequest) -> Result<LogPage, LogError> {
    let (limit, scan) = check(req)?;
    let (first, last_sequence) = bounds(js).await?;
    let (mut lo, mut hi) = (first.max(1), last_sequence);
    if let Some(t) = req.recorded_from {
        lo = first_recorded_at(js, t, lo, hi).await?.unwrap_or(hi + 1);
    }
    if let Some(t) = req.recorded_to {
        let after = t + chrono::Duration::nanoseconds(1);
        if let Some(s) = first_recorded_at(js, after, lo, hi).await? {
            hi = s - 1;
        }
    }
    let plan = Plan {
        limit,
        scan,
        filter: req.filter(),
        lo,
        hi,
    };
    let mut page = match req.before {
        Some(before) => backward(js, &plan, before).await?,
        None => {
            let start = match (req.after, req.seq) {
                (Some(after), _) => after.saturating_add(1),
                (None, Some(seq)) => seq,
                (None, None) => lo,
            };
            forward(js, &plan, start).await?
        }
    };
    page.range_first = lo;
    page.range_last = hi.min(last_sequence);
    page.last_sequence = last_sequence;
    Ok(page)
}

fn empty() -> LogPage {
    LogPage {
        entries: Vec::new(),
        scanned: 0,
        scanned_from: None,
        scanned_to: None,
        next_after: None,
        prev_before: None,
        scan_bound_hit: false,
        range_first: 0,
        range_last: 0,
        last_sequence: 0,
    }
}

/// The entry as an event, when it is one and passes the filter (an entry that is not an
/// envelope is looked at, and skipped). A type filter is checked on the subject first
/// (`liaison.events.<type>.<key>`), so entries of other types are not decoded.
pub(crate) fn matching(entry: &LogEntry, filter: &LogFilter) -> Option<StoredEvent> {
    if let Some(t) = filter.event_type {
        let rest = entry
            .subject
            .strip_prefix(EVENTS_PREFIX)?
            .strip_prefix('.')?;
        let kind = rest.strip_prefix(t.as_str())?;
        if !kind.starts_with('.') {
            return None;
        }
    }
    let event: Envelope = serde_json::from_slice(&entry.payload).ok()?;
    filter.matches(&event).then_some(StoredEvent {
        sequence: entry.sequence,
        event,
    })
}

async fn forward(js: &jetstream::Context, plan: &Plan, start: u64) -> Result<LogPage, LogError> {
    let start = start.max(plan.lo);
    let mut page = empty();
    page.prev_before = (start > plan.lo && plan.lo <= plan.hi).then_some(start);
    if start > plan.hi {
        return Ok(page);
    }
    let (mut scanned, mut last_seen) = (0u64, start - 1);
    read_range(js, start, plan.hi, |entry| {
        scanned += 1;
        last_seen = entry.sequence;
        if let Some(event) = matching(&entry, &plan.filter) {
            page.entries.push(event);
        }
        page.entries.len() < plan.limit && scanned < plan.scan
    })
    .await?;
    page.scanned = scanned;
    page.scanned_from = (scanned > 0).then_some(start);
    page.scanned_to = (scanned > 0).then_some(last_seen);
    let more = last_seen < plan.hi;
    page.next_after = more.then_some(last_seen);
    page.scan_bound_hit = more && scanned >= plan.scan && page.entries.len() < plan.limit;
    Ok(page)
}

async fn backward(js: &jetstream::Context, plan: &Plan, before: u64) -> Result<LogPage, LogError> {
    let mut page = empty();
    let top = before.saturating_sub(1).min(plan.hi);
    if top < plan.lo || plan.lo > plan.hi {
        page.next_after = (before <= plan.hi).then_some(before.saturating_sub(1));
        return Ok(page);
    }
    let mut kept: VecDeque<StoredEvent> = VecDeque::new();
    let (mut bottom, mut chunk, mut dropped) = (top + 1, plan.limit as u64, false);
    while bottom > plan.lo && kept.len() < plan.limit && page.scanned < plan.scan {
        let size = chunk.min(plan.scan - page.scanned).min(bottom - plan.lo);
        let from = bottom - size;
        let mut found = Vec::new();
        read_range(js, from, bottom - 1, |entry| {
            if let Some(event) = matching(&entry, &plan.filter) {
                found.push(event);
            }
            true
        })
        .await?;
        for event in found.into_iter().rev() {
            kept.push_front(event);
        }
        while kept.len() > plan.limit {
            kept.pop_front();
            dropped = true;
        }
        page.scanned += size;
        bottom = from;
        chunk = chunk.saturating_mul(2);
    }
    page.scanned_from = Some(bottom);
    page.scanned_to = Some(top);
    page.prev_before = if dropped {
        kept.front().map(|e| e.sequence)
    } else {
        (bottom > plan.lo).then_some(bottom)
    };
    page.next_after = (top < plan.hi).then_some(top);
    page.scan_bound_hit = !dropped && bottom > plan.lo && kept.len() < plan.limit;
    page.entries = kept.into();
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_and_bounds_name_the_parameter() {
        let bad = |req: LogRequest, name: &str| {
            let Err(LogError::Parameter { name: got, detail }) = check(&req) else {
                panic!("{req:?} passed");
            };
            assert_eq!(got, name, "{detail}");
        };
        bad(
            LogRequest {
                limit: Some(0),
                ..LogRequest::default()
            },
            "limit",
        );
        bad(
            LogRequest {
                scan: Some(MAX_LOG_SCAN + 1),
                ..LogRequest::default()
            },
            "scan",
        );
        bad(
            LogRequest {
                after: Some(1),
                before: Some(5),
                ..LogRequest::default()
            },
            "before",
        );
        bad(
            LogRequest {
                seq: Some(0),
                ..LogRequest::default()
            },
            "seq",
        );
        assert!(check(&LogRequest::default()).is_ok());
    }
}
