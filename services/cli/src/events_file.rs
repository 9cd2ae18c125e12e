//! Reading an events file one event at a time, so that `liaison import` holds a bounded part of
//! the file whatever its size (docs/decisions/026-streaming-pipelined-import.md).
//!
//! Two forms, told apart by the first character that is not whitespace:
//!
//! - `[`: a JSON array of events; each element is cut out of the text by a small scanner (strings,
//!   escapes and nesting) and read on its own;
//! - anything else: one event per line (NDJSON), blank lines and lines starting with `//` or `#`
//!   skipped. An event may also span several lines (a single pretty-printed object, as
//!   `parse_events` always took): a line that is not a complete JSON text is joined with the next
//!   ones until it is.
//!
//! Every event keeps its JSON text as written (it is sent as is, never re-encoded), its position
//! (its number in the file and its first line) and what the import needs to know about it: whether
//! it has an `id`, and whether it must be ordered against the batches around it ([`Event::ordered`]).
//! Every error names the line and the event's number.

use std::io::{BufRead, ErrorKind};

use liaison_proto::EventType;
use liaison_proto::limits::MAX_EVENT_BYTES;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// The largest event text the reader holds: far above what ingest accepts
/// ([`MAX_EVENT_BYTES`]), so that ingest, not the reader, says an event is too large; but bounded,
/// so that a file that is not what it seems (an array never closed) cannot fill the memory.
pub const MAX_EVENT_TEXT: usize = 64 * MAX_EVENT_BYTES;

/// One event of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Its JSON text as written: one JSON object.
    pub json: Vec<u8>,
    /// Its number in the file, from 1.
    pub number: usize,
    /// The line it starts on, from 1.
    pub line: usize,
    /// How far into the input it ends, in bytes.
    pub end_offset: u64,
    /// Whether it has an `id` (which makes running the import again safe).
    pub has_id: bool,
    /// Whether it must not be appended concurrently with the events around it: a registration
    /// (later events may name what it registers), a rule event (its effect depends on the order
    /// of application), a retraction (it names an earlier event), or a type the reader does not
    /// know (ingest says what is wrong with it).
    pub ordered: bool,
}

/// Why the file cannot be read further.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ReadError {
    /// What is wrong, and where (the line, and the event's number when it has one).
    pub message: String,
    /// The number of the event that could not be read (the events before it were read).
    pub number: usize,
}

/// What the reader needs of an event to place it; the rest is checked as JSON and skipped.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    id: Option<IgnoredAny>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// Not known yet: nothing read.
    Unknown,
    /// A JSON array; `closed` once its `]` was read.
    Array { closed: bool },
    /// One event per line (or per group of lines).
    Lines,
}

/// The events of a file, read incrementally from `input`; an iterator of events that ends at the
/// end of the file or at the first error.
pub struct EventReader<R> {
    input: R,
    form: Form,
    /// The line the next byte is on, from 1.
    line: usize,
    /// Events read so far.
    count: usize,
    /// Set after an error or the end: the iterator is fused.
    done: bool,
    /// Bytes consumed from `input`.
    offset: u64,
}

impl<R: BufRead> EventReader<R> {
    /// A reader of the events of `input`.
    pub fn new(input: R) -> Self {
        Self {
            input,
            form: Form::Unknown,
            line: 1,
            count: 0,
            done: false,
            offset: 0,
        }
    }

    /// The next event, `None` at the end of the file.
    fn read_next(&mut self) -> Result<Option<Event>, ReadError> {
        if self.form == Form::Unknown {
            self.form = match self.peek_past_whitespace()? {
                None => return Ok(None),
                Some(b'[') => {
                    self.take_byte();
                    Form::Array { closed: false }
                }
                Some(_) => Form::Lines,
            };
        }
        match self.form {
            Form::Array { closed: false } => self.next_element(),
            Form::Array { closed: true } => Ok(None),
            Form::Lines => self.next_line_event(),
            Form::Unknown => unreachable!("decided above"),
        }
    }

    /// The next element of the array, after its `[` or the `,` before it.
    fn next_element(&mut self) -> Result<Option<Event>, ReadError> {
        let number = self.count + 1;
        match self.peek_past_whitespace()? {
            None => return Err(self.error(number, "the array is not closed (no `]`)")),
            Some(b']') if self.count == 0 => {
                self.take_byte();
                return self.close_array();
            }
            Some(b']' | b',') => {
                return Err(self.error(number, "expected an event (a JSON object)"));
            }
            Some(_) => {}
        }
        let line = self.line;
        let mut text = Vec::new();
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        let end = loop {
            let Some(byte) = self.peek_byte()? else {
                return Err(self.error_at(line, number, "the array is not closed (no `]`)"));
            };
            if in_string {
                if escaped {
                    escaped = false;
                } else if byte == b'\\' {
                    escaped = true;
                } else if byte == b'"' {
                    in_string = false;
                }
            } else {
                match byte {
                    b',' | b']' if depth == 0 => break byte,
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            text.push(byte);
            self.take_byte();
            if text.len() > MAX_EVENT_TEXT {
                return Err(self.error_at(
                    line,
                    number,
                    &format!("longer than {MAX_EVENT_TEXT} bytes (is the array well formed?)"),
                ));
            }
        };
        self.take_byte();
        while text.last().is_some_and(u8::is_ascii_whitespace) {
            text.pop();
        }
        let event = self.event(text, line)?;
        if end == b']' {
            self.close_array()?;
        }
        Ok(Some(event))
    }

    /// After the array's `]`: only whitespace may follow.
    fn close_array(&mut self) -> Result<Option<Event>, ReadError> {
        self.form = Form::Array { closed: true };
        match self.peek_past_whitespace()? {
            None => Ok(None),
            Some(_) => Err(self.error(
                self.count + 1,
                "text after the end of the array (one array of events per file)",
            )),
        }
    }

    /// The next event of an NDJSON file: the next line that is not blank or a comment, joined
    /// with the lines after it while it is an incomplete JSON text.
    fn next_line_event(&mut self) -> Result<Option<Event>, ReadError> {
        let mut text = Vec::new();
        let mut first_line = 0;
        loop {
            let line = self.line;
            let mut buf = Vec::new();
            let n = self
                .input
                .read_until(b'\n', &mut buf)
                .map_err(|e| self.io_error(e))?;
            self.offset += n as u64;
            if n == 0 {
                if text.is_empty() {
                    return Ok(None);
                }
                return Err(self.error_at(
                    first_line,
                    self.count + 1,
                    "the event is not complete at the end of the file",
                ));
            }
            if buf.last() == Some(&b'\n') {
                self.line += 1;
            }
            let trimmed = buf.trim_ascii();
            if text.is_empty() {
                if trimmed.is_empty() || trimmed.starts_with(b"//") || trimmed.starts_with(b"#") {
                    continue;
                }
                first_line = line;
            } else {
                text.push(b'\n');
            }
            text.extend_from_slice(trimmed);
            if text.first() != Some(&b'{') {
                return self.event(text, first_line).map(Some);
            }
            match serde_json::from_slice::<Probe>(&text) {
                Err(e) if e.is_eof() && text.len() <= MAX_EVENT_TEXT => continue,
                probe => return self.probed(text, first_line, probe).map(Some),
            }
        }
    }

    /// The event of `text`, which starts on `line`: checked to be one JSON object.
    fn event(&mut self, text: Vec<u8>, line: usize) -> Result<Event, ReadError> {
        let number = self.count + 1;
        if text.first() != Some(&b'{') {
            return match serde_json::from_slice::<IgnoredAny>(&text) {
                Err(e) => Err(self.error_at(line, number, &format!("not valid JSON: {e}"))),
                Ok(_) => Err(self.error_at(line, number, "expected a JSON object (an event)")),
            };
        }
        let probe = serde_json::from_slice(&text);
        self.probed(text, line, probe)
    }

    /// The event of `text`, a JSON object starting on `line`, read as `probe`.
    fn probed(
        &mut self,
        text: Vec<u8>,
        line: usize,
        probe: Result<Probe, serde_json::Error>,
    ) -> Result<Event, ReadError> {
        let number = self.count + 1;
        let probe =
            probe.map_err(|e| self.error_at(line, number, &format!("not valid JSON: {e}")))?;
        let ordered = match probe.kind.as_deref().map(EventType::parse) {
            Some(Ok(kind)) => {
                kind.is_registration() || kind.is_rule() || kind == EventType::EventRetracted
            }
            _ => true,
        };
        self.count = number;
        Ok(Event {
            json: text,
            number,
            line,
            end_offset: self.offset,
            has_id: probe.id.is_some(),
            ordered,
        })
    }

    /// The next byte that is not whitespace, left unread; `None` at the end of the input.
    fn peek_past_whitespace(&mut self) -> Result<Option<u8>, ReadError> {
        while let Some(byte) = self.peek_byte()? {
            if !byte.is_ascii_whitespace() {
                return Ok(Some(byte));
            }
            self.take_byte();
        }
        Ok(None)
    }

    fn peek_byte(&mut self) -> Result<Option<u8>, ReadError> {
        loop {
            match self.input.fill_buf() {
                Ok(buf) => return Ok(buf.first().copied()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e)),
            }
        }
    }

    /// Consumes the byte [`peek_byte`](Self::peek_byte) saw.
    fn take_byte(&mut self) {
        if let Ok(buf) = self.input.fill_buf()
            && let Some(&byte) = buf.first()
        {
            if byte == b'\n' {
                self.line += 1;
            }
            self.input.consume(1);
            self.offset += 1;
        }
    }

    fn error(&self, number: usize, what: &str) -> ReadError {
        self.error_at(self.line, number, what)
    }

    fn error_at(&self, line: usize, number: usize, what: &str) -> ReadError {
        ReadError {
            message: format!("line {line} (event {number}): {what}"),
            number,
        }
    }

    fn io_error(&self, e: std::io::Error) -> ReadError {
        ReadError {
            message: format!("cannot read further than line {}: {e}", self.line),
            number: self.count + 1,
        }
    }
}

impl<R: BufRead> Iterator for EventReader<R> {
    type Item = Result<Event, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.read_next().transpose();
        if !matches!(next, Some(Ok(_))) {
            self.done = true;
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Event>, ReadError> {
        EventReader::new(text.as_bytes()).collect()
    }

    fn texts(text: &str) -> Vec<String> {
        read(text)
            .unwrap()
            .into_iter()
            .map(|e| String::from_utf8(e.json).unwrap())
            .collect()
    }

    #[test]
    fn an_array_is_cut_into_its_events_as_written() {
        let file = "\n [ {\"a\": \"x,]}\\\"\"},\n  {\"b\": [1, {\"c\": 2}]} ,{}]\n";
        assert_eq!(
            texts(file),
            ["{\"a\": \"x,]}\\\"\"}", "{\"b\": [1, {\"c\": 2}]}", "{}"]
        );
        let events = read(file).unwrap();
        assert_eq!(
            events
                .iter()
                .map(|e| (e.number, e.line))
                .collect::<Vec<_>>(),
            [(1, 2), (2, 3), (3, 3)]
        );
        assert!(read("[]").unwrap().is_empty());
        assert!(read("  ").unwrap().is_empty());
    }

    #[test]
    fn ndjson_skips_blank_and_comment_lines_and_joins_a_pretty_object() {
        assert_eq!(
            texts("# events\n{\"a\":1}\n\n// more\n{\"b\":2}"),
            ["{\"a\":1}", "{\"b\":2}"]
        );
        let pretty = "{\n  \"type\": \"meeting.held\",\n  \"id\": \"x\"\n}\n{\"b\": 2}\n";
        let events = read(pretty).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!((events[0].line, events[1].line), (1, 5));
        assert!(events[0].has_id && !events[1].has_id);
    }

    #[test]
    fn registrations_rules_retractions_and_unknown_types_are_ordered() {
        let kinds = [
            ("organization.registered", true),
            ("person.registered", true),
            ("rule.created", true),
            ("rule.deleted", true),
            ("event.retracted", true),
            ("no.such.type", true),
            ("meeting.held", false),
            ("agreement.signed", false),
        ];
        for (kind, ordered) in kinds {
            let event = &read(&format!("{{\"type\":\"{kind}\"}}")).unwrap()[0];
            assert_eq!(event.ordered, ordered, "{kind}");
        }
    }

    #[test]
    fn every_error_names_the_line_and_the_event() {
        let cases = [
            ("{\"a\":1}\n{oops\n", "line 2 (event 2): not valid JSON"),
            (
                "{\"a\":1}\n\n[1]\n",
                "line 3 (event 2): expected a JSON object",
            ),
            (
                "{\"a\":1}\n{\"b\":\n",
                "line 2 (event 2): the event is not complete",
            ),
            (
                "[{\"a\":1},\n1]",
                "line 2 (event 2): expected a JSON object",
            ),
            (
                "[{\"a\":1},\n\n {\"b\" 2}]",
                "line 3 (event 2): not valid JSON",
            ),
            (
                "[{\"a\":1},\n{\"b\":2}",
                "line 2 (event 2): the array is not closed",
            ),
            ("[{\"a\":1},]", "line 1 (event 2): expected an event"),
            (
                "[{\"a\":1}] {}",
                "line 1 (event 2): text after the end of the array",
            ),
        ];
        for (file, expected) in cases {
            let error = read(file).unwrap_err();
            assert!(
                error.message.starts_with(expected),
                "{file:?}: {}",
                error.message
            );
        }
    }

    #[test]
    fn a_bad_event_far_into_a_large_file_is_named_by_its_line_and_number() {
        let event = "{\"type\":\"meeting.held\",\"data\":{\"organizations\":[\"a\",\"b\"]}}";
        let mut lines = vec![event; 100_000];
        lines[99_998] = "{\"type\":\"meeting.held\",\"data\":{\"organizations\":[\"a\" \"b\"]}}";
        let ndjson = lines.join("\n");
        let error = read(&ndjson).unwrap_err();
        assert_eq!(error.number, 99_999);
        assert!(
            error
                .message
                .starts_with("line 99999 (event 99999): not valid JSON"),
            "{}",
            error.message
        );
        lines[99_998] = "[]";
        let array = format!("[\n{}\n]", lines.join(",\n"));
        let error = read(&array).unwrap_err();
        assert!(
            error
                .message
                .starts_with("line 100000 (event 99999): expected a JSON object"),
            "{}",
            error.message
        );
    }

    #[test]
    fn an_error_ends_the_events() {
        let mut reader = EventReader::new("{\"a\":1}\n{oops\n{\"b\":2}\n".as_bytes());
        assert!(reader.next().unwrap().is_ok());
        assert!(reader.next().unwrap().is_err());
        assert!(reader.next().is_none());
    }
}
