//! `liaison alerts`: the alerts the notifier raised, with their delivery state, or (`--follow`)
//! each alert as it is published on `liaison.alerts.>`.

use std::io::Write;

use futures::StreamExt;
use liaison_proto::AlertEvent;
use liaison_proto::notifier::{AlertDelivery, AlertList};
use liaison_proto::subjects::ALERTS_ONLY;

use crate::cli::AlertsArgs;
use crate::commands::{Context, out, print_json};
use crate::error::{CliError, CliResult};
use crate::nats;
use crate::render::{self, Table};

/// Runs the command.
pub async fn run(args: AlertsArgs, ctx: &Context) -> CliResult {
    if args.follow {
        return follow(&args, ctx).await;
    }
    let answer = ctx.client.alerts(args.state).await?;
    if args.json {
        return print_json(&answer.json);
    }
    out(&alerts_table(&answer.value))
}

/// The notifier's alerts as a table: what changed, the alert's delivery state, and how many
/// attempts its targets took (per target when it has several, as `3 (nats 1, webhook 2)`).
pub fn alerts_table(list: &AlertList) -> String {
    if list.alerts.is_empty() {
        return "no alerts\n".into();
    }
    let mut table = Table::new([
        "time",
        "rule",
        "organizations",
        "topic",
        "status",
        "state",
        "attempts",
    ]);
    for view in &list.alerts {
        let a = &view.alert;
        table.row([
            a.time.to_string(),
            a.rule.to_string(),
            format!("{} – {}", a.organizations[0], a.organizations[1]),
            a.topic.to_string(),
            format!("{} → {}", a.previous_status, a.status),
            view.state.as_str().to_owned(),
            attempts(&view.deliveries),
        ]);
    }
    let mut text = table.render(0);
    if list.next_cursor.is_some() {
        text.push_str(
            "(the notifier has more alerts than this page; narrow the list with --state)\n",
        );
    }
    text
}

/// The number of attempts of every target, with each target's when there are several.
pub fn attempts(deliveries: &[AlertDelivery]) -> String {
    let total: usize = deliveries.iter().map(|d| d.attempts.len()).sum();
    if deliveries.len() < 2 {
        return total.to_string();
    }
    let each: Vec<String> = deliveries
        .iter()
        .map(|d| format!("{} {}", d.kind.as_str(), d.attempts.len()))
        .collect();
    format!("{total} ({})", each.join(", "))
}

async fn follow(args: &AlertsArgs, ctx: &Context) -> CliResult {
    let client = nats::connect(&ctx.global.nats_url, &ctx.global.nats_access.access()).await?;
    let mut sub = client
        .subscribe(ALERTS_ONLY)
        .await
        .map_err(|e| CliError::Nats(format!("cannot subscribe to {ALERTS_ONLY}: {e}")))?;
    eprintln!("waiting for alerts on {ALERTS_ONLY} (Ctrl-C stops)");
    loop {
        let message = tokio::select! {
            m = sub.next() => m,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let Some(message) = message else {
            return Err(CliError::Nats("the NATS connection closed".into()));
        };
        let line = if args.json {
            String::from_utf8_lossy(&message.payload).into_owned()
        } else {
            match serde_json::from_slice::<AlertEvent>(&message.payload) {
                Ok(event) => render::alert_line(&event.data),
                Err(e) => format!("{}: unreadable alert ({e})", message.subject),
            }
        };
        let mut stdout = std::io::stdout().lock();
        if writeln!(stdout, "{line}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            return Ok(());
        }
    }
}
