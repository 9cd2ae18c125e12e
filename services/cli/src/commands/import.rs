//! `liaison import FILE`: append every event of a file, in batches, resumably.
//!
//! The file is read one event at a time on a thread of its own ([`crate::events_file`]), cut into
//! batches counted from its start ([`batches`]), and sent with several batches in flight and a
//! barrier around those that register names ([`pipeline`]); so memory stays bounded whatever the
//! file's size (docs/decisions/026-streaming-pipelined-import.md).
//!
//! Events with ids make a re-run safe: the ingest answers `200` for a batch whose events were
//! all appended before, so an interrupted import is simply run again.

pub mod batches;
pub mod pipeline;

use std::io::{BufRead, BufReader, IsTerminal};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use tokio::sync::mpsc;

use self::batches::{Batch, batches};
use self::pipeline::{Ended, Stop, send_all};
use crate::cli::ImportArgs;
use crate::client::Client;
use crate::commands::{Context, out, print_json};
use crate::error::{CliError, CliResult};
use crate::events_file::{EventReader, ReadError};

/// A file smaller than this imports without a progress bar.
const PROGRESS_FROM_BYTES: u64 = 1024 * 1024;

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    /// Events sent.
    pub events: usize,
    /// Events newly appended.
    pub appended: usize,
    /// Events that were already in the log.
    pub already_there: usize,
    /// The highest log sequence in the answers (0 when none).
    pub last_sequence: u64,
    /// The lowest log sequence of a newly appended event (0 when none).
    pub first_appended_sequence: u64,
}

/// Runs the command.
pub async fn run(args: ImportArgs, ctx: &Context) -> CliResult {
    let (input, size) = open(&args.file)?;
    let show = std::io::stderr().is_terminal()
        && !args.json
        && size.is_none_or(|s| s >= PROGRESS_FROM_BYTES);
    let bar = show.then(|| progress_bar(size));
    let events = EventReader::new(input);
    let batches = read_ahead(events, args.batch_size as usize, args.in_flight as usize);
    let ended = send_all(&ctx.client, batches, args.in_flight as usize, |sent| {
        if let Some(bar) = &bar {
            match size {
                Some(_) => bar.set_position(sent.end_offset),
                None => bar.inc(1),
            }
            bar.set_message(format!("{} events", sent.last));
        }
    })
    .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if ended.without_id > 0 {
        eprintln!(
            "note: {} event(s) have no id; running this import again would append them again",
            ended.without_id
        );
    }
    let summary = conclude(ended, &args.file)?;
    if args.json {
        print_json(&summary)
    } else {
        out(&format!(
            "{} appended, {} already there\n",
            summary.appended, summary.already_there
        ))
    }
}

/// Sends `events` in batches of `batch_size`, one at a time, calling `progress` with each batch's
/// size: the import of events a command holds already (`liaison demo`'s registrations). On a
/// failed batch the error says how far the import got and that running it again resumes.
pub async fn import(
    client: &Client,
    events: &[Value],
    batch_size: usize,
    mut progress: impl FnMut(usize),
) -> CliResult<ImportSummary> {
    let mut text = Vec::new();
    for event in events {
        serde_json::to_writer(&mut text, event).expect("a JSON value encodes");
        text.push(b'\n');
    }
    let batches = read_ahead(EventReader::new(std::io::Cursor::new(text)), batch_size, 1);
    let ended = send_all(client, batches, 1, |sent| {
        progress(sent.last + 1 - sent.first)
    })
    .await;
    conclude(ended, Path::new("the events"))
}

/// The summary of an import that ended as `ended`, or its error, after saying on stderr how far it
/// got and that running it again resumes.
fn conclude(ended: Ended, file: &Path) -> CliResult<ImportSummary> {
    let Ended {
        summary,
        stop,
        answered_after_stop,
        ..
    } = ended;
    let done = summary.appended + summary.already_there;
    let so_far = format!(
        "{} appended, {} already there so far",
        summary.appended, summary.already_there
    );
    match stop {
        None => Ok(summary),
        Some(Stop::Batch(sent, e)) => {
            if done > 0 {
                let after = if answered_after_stop > 0 {
                    format!(
                        "; {answered_after_stop} of them after these events, sent before the \
                         failure"
                    )
                } else {
                    String::new()
                };
                eprintln!(
                    "import stopped at events {}–{} ({so_far}{after}); fix the cause and run the \
                     same import again to resume",
                    sent.first, sent.last
                );
            } else if sent.first > 1 || summary.events > sent.last {
                eprintln!("import stopped at events {}–{}", sent.first, sent.last);
            }
            Err(CliError::from(e))
        }
        Some(Stop::Read(e)) => {
            if done > 0 {
                eprintln!(
                    "import stopped before event {} ({so_far}); fix the file and run the same \
                     import again to resume",
                    e.number
                );
            }
            Err(CliError::usage(format!(
                "{}: {}",
                file.display(),
                e.message
            )))
        }
    }
}

/// The batches of `events`, cut on a thread of its own and handed over through a channel that
/// holds at most `ahead` of them: the memory an import holds is that and the batches in flight.
fn read_ahead<R>(
    events: EventReader<R>,
    batch_size: usize,
    ahead: usize,
) -> mpsc::Receiver<Result<Batch, ReadError>>
where
    R: BufRead + Send + 'static,
{
    let (sender, receiver) = mpsc::channel(ahead.max(1));
    std::thread::spawn(move || {
        for batch in batches(events, batch_size) {
            if sender.blocking_send(batch).is_err() {
                // The import stopped: no more batches are wanted.
                return;
            }
        }
    });
    receiver
}

/// The file (or stdin for `-`), buffered, and its size when known.
fn open(path: &Path) -> CliResult<(Box<dyn BufRead + Send>, Option<u64>)> {
    const BUFFER: usize = 256 * 1024;
    if path == Path::new("-") {
        return Ok((
            Box::new(BufReader::with_capacity(BUFFER, std::io::stdin())),
            None,
        ));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    let size = file.metadata().ok().map(|m| m.len());
    Ok((Box::new(BufReader::with_capacity(BUFFER, file)), size))
}

/// The progress bar: over the file's bytes when its size is known, over batches otherwise.
fn progress_bar(size: Option<u64>) -> ProgressBar {
    let (bar, template) = match size {
        Some(size) => (
            ProgressBar::new(size),
            "{bar:40} {percent}%  {msg}  {elapsed} ({eta} left)",
        ),
        None => (ProgressBar::no_length(), "{spinner} {msg}  {elapsed}"),
    };
    bar.set_style(ProgressStyle::with_template(template).expect("a valid template"));
    bar
}
