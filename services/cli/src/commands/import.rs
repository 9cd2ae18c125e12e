//! `liaison import FILE`: append every event of a file, in batches, resumably.
//!
//! Events with ids make a re-run safe: the ingest answers `200` for a batch whose events were
//! all appended before, so an interrupted import is simply run again.

use std::io::{IsTerminal, Read};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use crate::cli::ImportArgs;
use crate::client::Client;
use crate::commands::{Context, out, print_json};
use crate::error::{CliError, CliResult};
use crate::scenario::parse_events;

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
    let text = read_input(&args.file)?;
    let events = parse_events(&text)
        .map_err(|e| CliError::usage(format!("{}: {e}", args.file.display())))?;
    let without_id = events.iter().filter(|e| e.get("id").is_none()).count();
    if without_id > 0 {
        eprintln!(
            "note: {without_id} event(s) have no id; running this import again would append them again"
        );
    }
    let show =
        std::io::stderr().is_terminal() && !args.json && events.len() > args.batch_size as usize;
    let bar = if show {
        let bar = ProgressBar::new(events.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} events  {elapsed} ({eta} left)")
                .expect("a valid template"),
        );
        Some(bar)
    } else {
        None
    };
    let result = import(&ctx.client, &events, args.batch_size as usize, |n| {
        if let Some(bar) = &bar {
            bar.inc(n as u64);
        }
    })
    .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let summary = result?;
    if args.json {
        print_json(&summary)
    } else {
        out(&format!(
            "{} appended, {} already there\n",
            summary.appended, summary.already_there
        ))
    }
}

/// Sends `events` in batches of `batch_size`, calling `progress` with each batch's size. On a
/// failed batch the error says how far the import got and that running it again resumes.
pub async fn import(
    client: &Client,
    events: &[Value],
    batch_size: usize,
    mut progress: impl FnMut(usize),
) -> CliResult<ImportSummary> {
    let mut summary = ImportSummary {
        events: events.len(),
        ..ImportSummary::default()
    };
    for (i, batch) in events.chunks(batch_size.max(1)).enumerate() {
        let first = i * batch_size + 1;
        let outcome = client
            .post_events(&Value::Array(batch.to_vec()))
            .await
            .map_err(|e| {
                if summary.appended + summary.already_there > 0 {
                    eprintln!(
                        "import stopped at events {first}–{} ({} appended, {} already there so \
                         far); fix the cause and run the same import again to resume",
                        first + batch.len() - 1,
                        summary.appended,
                        summary.already_there
                    );
                } else if batch.len() < events.len() {
                    eprintln!(
                        "import stopped at events {first}–{}",
                        first + batch.len() - 1
                    );
                }
                CliError::from(e)
            })?;
        if outcome.created {
            summary.appended += batch.len();
            if summary.first_appended_sequence == 0 {
                summary.first_appended_sequence =
                    outcome.events.iter().map(|e| e.sequence).min().unwrap_or(0);
            }
        } else {
            summary.already_there += batch.len();
        }
        let max = outcome.events.iter().map(|e| e.sequence).max().unwrap_or(0);
        summary.last_sequence = summary.last_sequence.max(max);
        progress(batch.len());
    }
    Ok(summary)
}

fn read_input(path: &Path) -> CliResult<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))
}
