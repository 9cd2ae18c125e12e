//! Cutting an import's events into the requests it sends: batches of a fixed number of events,
//! counted from the start of the file, whatever else happens. That is what makes an interrupted
//! import safe to run again: the same file is cut the same way, so each batch is either wholly in
//! the log (ingest answers `200`) or not at all (it is appended now), never a mix (which ingest
//! refuses with `409`).

use crate::events_file::{Event, ReadError};

/// One request of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The body: a JSON array of the events' text as the file wrote it.
    pub body: Vec<u8>,
    /// The number of its first event in the file, from 1.
    pub first: usize,
    /// Its number of events.
    pub len: usize,
    /// Whether an event of it must be ordered against the batches around it
    /// ([`Event::ordered`]).
    pub ordered: bool,
    /// Its events without an `id`.
    pub without_id: usize,
    /// How far into the input its last event ends, in bytes (for the progress bar).
    pub end_offset: u64,
}

impl Batch {
    /// The number of its last event in the file.
    pub fn last(&self) -> usize {
        self.first + self.len - 1
    }
}

/// The batches of `size` events of `events`. A read error ends them: the events before it in its batch are not sent (a batch cut short
/// would not be cut the same way by the next run, once the file is fixed).
pub fn batches<I>(events: I, size: usize) -> impl Iterator<Item = Result<Batch, ReadError>>
where
    I: Iterator<Item = Result<Event, ReadError>>,
{
    let size = size.max(1);
    let mut events = events;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed {
            return None;
        }
        let mut batch: Option<Batch> = None;
        while batch.as_ref().is_none_or(|b| b.len < size) {
            let event = match events.next() {
                None => break,
                Some(Ok(event)) => event,
                Some(Err(e)) => {
                    failed = true;
                    return Some(Err(e));
                }
            };
            let batch = batch.get_or_insert_with(|| Batch {
                body: Vec::with_capacity(size * (event.json.len() + 1) + 1),
                first: event.number,
                len: 0,
                ordered: false,
                without_id: 0,
                end_offset: 0,
            });
            batch.body.push(if batch.len == 0 { b'[' } else { b',' });
            batch.body.extend_from_slice(&event.json);
            batch.len += 1;
            batch.ordered |= event.ordered;
            batch.without_id += usize::from(!event.has_id);
            batch.end_offset = event.end_offset;
        }
        batch.map(|mut b| {
            b.body.push(b']');
            Ok(b)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events_file::EventReader;

    fn cut(text: &str, size: usize) -> Vec<Result<Batch, ReadError>> {
        batches(EventReader::new(text.as_bytes()), size).collect()
    }

    #[test]
    fn batches_are_counted_from_the_start_and_hold_the_events_as_written() {
        let file = "{\"type\":\"organization.registered\"}\n{\"id\":1}\n\
                    {\"type\": \"meeting.held\"}\n";
        let cut = cut(file, 2);
        let batches: Vec<&Batch> = cut.iter().map(|b| b.as_ref().unwrap()).collect();
        assert_eq!(batches.len(), 2);
        assert_eq!(
            String::from_utf8_lossy(&batches[0].body),
            "[{\"type\":\"organization.registered\"},{\"id\":1}]"
        );
        assert_eq!(
            String::from_utf8_lossy(&batches[1].body),
            "[{\"type\": \"meeting.held\"}]"
        );
        assert_eq!(
            batches
                .iter()
                .map(|b| (b.first, b.last(), b.ordered, b.without_id))
                .collect::<Vec<_>>(),
            [(1, 2, true, 1), (3, 3, false, 1)]
        );
    }

    #[test]
    fn a_read_error_ends_the_batches_without_the_part_before_it() {
        let cut = cut("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{oops\n{\"a\":5}\n", 2);
        assert_eq!(cut.len(), 2);
        assert_eq!(cut[0].as_ref().unwrap().len, 2);
        assert_eq!(cut[1].as_ref().unwrap_err().number, 4);
    }
}
