//! `liaison emit`: append one event, given by flags or whole on stdin.

use std::io::Read;

use serde_json::{Map, Value};

use crate::cli::EmitArgs;
use crate::commands::{Context, out, print_json};
use crate::error::{CliError, CliResult};

/// Runs the command.
pub async fn run(args: EmitArgs, ctx: &Context) -> CliResult {
    let event = event_of(&args)?;
    let outcome = ctx.client.post_events(&event).await?;
    if args.json {
        let events: Vec<Value> = outcome
            .events
            .iter()
            .map(|e| serde_json::json!({"id": e.id, "sequence": e.sequence}))
            .collect();
        return print_json(&serde_json::json!({"created": outcome.created, "events": events}));
    }
    for e in &outcome.events {
        if outcome.created {
            out(&format!("appended {} at sequence {}\n", e.id, e.sequence))?;
        } else {
            out(&format!(
                "already there: {} (sequence {})\n",
                e.id, e.sequence
            ))?;
        }
    }
    Ok(())
}

/// The event to send: built from `--type`, `--time`, `--id` and `--data`, or read from stdin.
pub fn event_of(args: &EmitArgs) -> CliResult<Value> {
    match (&args.event_type, &args.time, &args.data) {
        (Some(event_type), Some(time), Some(data)) => {
            let data: Value = serde_json::from_str(data)
                .map_err(|e| CliError::usage(format!("--data is not valid JSON: {e}")))?;
            if !data.is_object() {
                return Err(CliError::usage("--data must be a JSON object"));
            }
            let mut event = Map::new();
            event.insert("type".into(), Value::String(event_type.as_str().into()));
            if let Some(id) = args.id {
                event.insert("id".into(), Value::String(id.to_string()));
            }
            event.insert("time".into(), Value::String(time.to_string()));
            event.insert("data".into(), data);
            Ok(Value::Object(event))
        }
        (None, None, None) => {
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                return Err(CliError::usage(
                    "give --type, --time and --data, or pipe the whole event as JSON on stdin \
                     (see `liaison emit --help`)",
                ));
            }
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
            let mut event: Value = serde_json::from_str(&text)
                .map_err(|e| CliError::usage(format!("stdin is not a JSON event: {e}")))?;
            if !event.is_object() {
                return Err(CliError::usage(
                    "stdin must hold one JSON event; use `liaison import -` for several",
                ));
            }
            if let Some(id) = args.id {
                event["id"] = Value::String(id.to_string());
            }
            Ok(event)
        }
        _ => Err(CliError::usage(
            "--type, --time and --data go together (or give none and pipe the event on stdin)",
        )),
    }
}
