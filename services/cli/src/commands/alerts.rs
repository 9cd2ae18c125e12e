//! `liaison alerts`: the alerts the notifier raised, with their delivery state, or (`--follow`)
//! each alert as it is published on `liaison.alerts.>`.

use std::io::Write;

use futures::StreamExt;
use liaison_proto::subjects::ALERTS_ONLY;
use liaison_proto::{Alert, AlertEvent};
use serde_json::Value;

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
    let value = ctx.client.alerts(args.state.as_deref()).await?;
    if args.json {
        return print_json(&value);
    }
    out(&alerts_table(&value))
}

/// The notifier's alert list as a table: each item is an alert (possibly under `alert`) with its
/// delivery `state` and `attempts`, however the list is wrapped (`[…]`, `{"alerts": […]}`).
pub fn alerts_table(value: &Value) -> String {
    let items = list(value, &["alerts", "items"]);
    if items.is_empty() {
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
    for item in items {
        let alert_value = item.get("alert").unwrap_or(item);
        let state = item
            .get("state")
            .or_else(|| item.pointer("/delivery/state"))
            .map(scalar)
            .unwrap_or_default();
        let attempts = item
            .get("attempts")
            .or_else(|| item.pointer("/delivery/attempts"))
            .map(scalar)
            .unwrap_or_default();
        match serde_json::from_value::<Alert>(alert_value.clone()) {
            Ok(a) => table.row([
                a.time.to_string(),
                a.rule.to_string(),
                format!("{} – {}", a.organizations[0], a.organizations[1]),
                a.topic.to_string(),
                format!("{} → {}", a.previous_status, a.status),
                state,
                attempts,
            ]),
            Err(_) => table.row([
                String::new(),
                render::ellipsize(&alert_value.to_string(), 80),
                String::new(),
                String::new(),
                String::new(),
                state,
                attempts,
            ]),
        };
    }
    table.render(0)
}

/// The array in `value`, or under the first of `keys` that holds one.
pub fn list<'a>(value: &'a Value, keys: &[&str]) -> Vec<&'a Value> {
    if let Value::Array(items) = value {
        return items.iter().collect();
    }
    keys.iter()
        .find_map(|k| value.get(k).and_then(Value::as_array))
        .map(|items| items.iter().collect())
        .unwrap_or_default()
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn follow(args: &AlertsArgs, ctx: &Context) -> CliResult {
    let client = nats::connect(&ctx.global.nats_url).await?;
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
