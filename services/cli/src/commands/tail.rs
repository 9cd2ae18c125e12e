//! `liaison tail`: the event log over NATS, one CloudEvents JSON document per line.
//!
//! Reads the stream with an unfiltered ordered consumer (`liaison_log::read_from`) and filters
//! by type and organization here, as the architecture prefers on nats-server 2.15. `--since`
//! finds the first sequence stored at or after the time by a binary search on the log, then
//! reads from there. Without `--follow` it stops at the log's last sequence when it started.
//!
//! A rule's webhook secret is printed masked, `"secret": "sealed:<key id>"` (CONTRACT.md,
//! "Access (v2)"): sealed, it tells a reader nothing, but a terminal, a pipe or a saved output
//! is no place for it either.

use std::io::Write;

use async_nats::jetstream;
use futures::StreamExt;
use liaison_proto::events::WebhookSecret;
use liaison_proto::{BusinessTime, EventData, EventType, Slug, StoredEvent};

use crate::cli::TailArgs;
use crate::commands::Context;
use crate::error::{CliError, CliResult};
use crate::nats;

/// Which events to print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TailFilter {
    /// Exact types, or families given as `partnership.*` (kept as the prefix `partnership.`).
    pub types: Vec<String>,
    /// Organizations, any of which the event must name.
    pub orgs: Vec<Slug>,
}

impl TailFilter {
    /// A filter from `--type` values; an unknown exact type is a usage error.
    pub fn new(types: &[String], orgs: &[Slug]) -> CliResult<Self> {
        let mut out = Vec::new();
        for t in types {
            if let Some(family) = t.strip_suffix('*') {
                out.push(family.to_owned());
            } else {
                EventType::parse(t).map_err(|_| {
                    CliError::usage(format!(
                        "unknown event type `{t}` (a family is written like `partnership.*`)"
                    ))
                })?;
                out.push(t.clone());
            }
        }
        Ok(Self {
            types: out,
            orgs: orgs.to_vec(),
        })
    }

    /// Whether `event` passes.
    pub fn matches(&self, event: &StoredEvent) -> bool {
        let data = &event.event.event;
        let t = data.event_type();
        let type_ok = self.types.is_empty()
            || self.types.iter().any(|want| {
                want == t.as_str() || (want.ends_with('.') && t.as_str().starts_with(want.as_str()))
            });
        let org_ok = self.orgs.is_empty() || {
            let named = data.organizations();
            self.orgs.iter().any(|o| named.contains(&o))
        };
        type_ok && org_ok
    }
}

/// Runs the command.
pub async fn run(args: TailArgs, ctx: &Context) -> CliResult {
    let filter = TailFilter::new(&args.types, &args.orgs)?;
    let client = nats::connect(&ctx.global.nats_url, &ctx.global.nats_access.access()).await?;
    let js = jetstream::new(client);
    let last = liaison_log::last_sequence(&js)
        .await
        .map_err(|e| CliError::Nats(nats::log_error(&e)))?;
    let start = match (args.since, args.from_sequence) {
        (Some(since), _) => first_sequence_since(&js, since, last).await?,
        (None, Some(n)) => n.max(1),
        (None, None) => 1,
    };
    if !args.follow && start > last {
        return Ok(());
    }
    let mut entries = Box::pin(liaison_log::read_from(&js, start));
    let mut stdout = std::io::stdout().lock();
    while let Some(entry) = entries.next().await {
        let entry = entry.map_err(|e| CliError::Nats(nats::log_error(&e)))?;
        if !args.follow && entry.sequence > last {
            break;
        }
        match serde_json::from_slice(&entry.payload) {
            Ok(event) => {
                let stored = StoredEvent {
                    sequence: entry.sequence,
                    event,
                };
                if filter.matches(&stored) {
                    let line = line_of(&stored);
                    if writeln!(stdout, "{line}")
                        .and_then(|()| stdout.flush())
                        .is_err()
                    {
                        return Ok(()); // the reader went away (`| head`)
                    }
                }
            }
            Err(e) => eprintln!(
                "sequence {}: not a Liaison event this `liaison` can read ({e})",
                entry.sequence
            ),
        }
        if !args.follow && entry.sequence >= last {
            break;
        }
    }
    Ok(())
}

/// The line `liaison tail` prints for `event`: its CloudEvents JSON, a webhook secret masked.
pub fn line_of(event: &StoredEvent) -> String {
    if let EventData::RuleCreated(rule) = &event.event.event
        && let Some(webhook) = &rule.deliver.webhook
    {
        // The mask in place of the secret, written as a string is: the members keep their
        // order.
        let mut masked = event.clone();
        if let EventData::RuleCreated(rule) = &mut masked.event.event
            && let Some(w) = &mut rule.deliver.webhook
        {
            w.secret = WebhookSecret::Clear(webhook.secret.mask());
        }
        return serde_json::to_string(&masked).expect("an event serializes");
    }
    serde_json::to_string(event).expect("an event serializes")
}

/// The first sequence stored at or after `since` (a binary search on the log's store times);
/// `last + 1` when there is none.
async fn first_sequence_since(
    js: &jetstream::Context,
    since: BusinessTime,
    last: u64,
) -> CliResult<u64> {
    let since = since.instant();
    let (mut lo, mut hi) = (1, last + 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let entry = liaison_log::get(js, mid)
            .await
            .map_err(|e| CliError::Nats(nats::log_error(&e)))?;
        match entry {
            Some(entry) if entry.published < since => lo = mid + 1,
            _ => hi = mid,
        }
    }
    Ok(lo)
}
