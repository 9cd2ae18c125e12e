//! `liaison status A B [--topic T]`: the status of a pair, since when, and why (events with their
//! evidence, fetched from the log by sequence, and signals).

use std::collections::HashMap;

use crate::cli::StatusArgs;
use crate::client::PairAnswer;
use crate::commands::{Context, consistency, out, print_json};
use crate::error::CliResult;
use crate::{nats, render};

/// Runs the command.
pub async fn run(args: StatusArgs, ctx: &Context) -> CliResult {
    let answer = ctx
        .client
        .relationship(
            &args.a,
            &args.b,
            args.topic.as_ref(),
            &consistency(&args.bounds),
        )
        .await?;
    if args.bounds.json {
        return match &answer {
            PairAnswer::One(v) => print_json(v),
            PairAnswer::All(v) => print_json(v),
        };
    }
    let sequences: Vec<u64> = match &answer {
        PairAnswer::One(v) => vec![v.clone()],
        PairAnswer::All(v) => v.topics.clone(),
    }
    .iter()
    .flat_map(|v| {
        v.events
            .iter()
            .map(|e| e.sequence)
            .chain(v.signals.iter().map(|s| s.event.sequence))
    })
    .collect();
    let mut note = None;
    let evidence = if args.no_evidence || sequences.is_empty() {
        HashMap::new()
    } else {
        match nats::connect(&ctx.global.nats_url, &ctx.global.nats_access.access()).await {
            Ok(client) => {
                let js = async_nats::jetstream::new(client);
                nats::evidence_of(&js, sequences).await.unwrap_or_else(|e| {
                    note = Some(format!("(evidence not shown: {e})"));
                    HashMap::new()
                })
            }
            Err(e) => {
                note = Some(format!("(evidence not shown: {e})"));
                HashMap::new()
            }
        }
    };
    let mut text = match &answer {
        PairAnswer::One(v) => render::relationship(v, &evidence),
        PairAnswer::All(v) => render::pair(v, &evidence),
    };
    if let Some(note) = note {
        text.push_str(&format!("\n{note}\n"));
    }
    out(&text)
}
