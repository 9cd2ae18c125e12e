//! `liaison rules add|list|rm`: the notifier's alert rules.

use std::path::Path;

use liaison_proto::events::{Delivery, OrganizationsMode, RuleMatch, Webhook};
use serde_json::{Map, Value};

use crate::cli::{RuleAddArgs, RulesCommand};
use crate::commands::alerts::list;
use crate::commands::{Context, out, print_json};
use crate::error::{CliError, CliResult};
use crate::render::{self, Table};

/// Runs the command.
pub async fn run(command: RulesCommand, ctx: &Context) -> CliResult {
    match command {
        RulesCommand::Add(args) => {
            let rule = rule_of(&args)?;
            let answer = ctx.client.add_rule(&rule).await?;
            if args.json {
                print_json(&answer)
            } else {
                let id = rule.get("id").and_then(Value::as_str).unwrap_or("?");
                out(&format!(
                    "rule {id} created; its alerts are published on liaison.alerts.{id}\n"
                ))
            }
        }
        RulesCommand::List { json } => {
            let value = ctx.client.rules().await?;
            if json {
                print_json(&value)
            } else {
                out(&rules_table(&value))
            }
        }
        RulesCommand::Rm { id } => {
            ctx.client.delete_rule(&id).await?;
            out(&format!("rule {id} removed\n"))
        }
    }
}

/// The rule to create, from the flags or the file.
pub fn rule_of(args: &RuleAddArgs) -> CliResult<Value> {
    if let Some(path) = &args.file {
        let text = if path == Path::new("-") {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
            s
        } else {
            std::fs::read_to_string(path)
                .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?
        };
        let mut rule: Value = serde_json::from_str(&text)
            .map_err(|e| CliError::usage(format!("{}: not valid JSON: {e}", path.display())))?;
        if let Some(id) = &args.id {
            rule["id"] = Value::String(id.to_string());
        }
        return Ok(rule);
    }
    let id = args
        .id
        .as_ref()
        .ok_or_else(|| CliError::usage("give the rule's id"))?;
    let matcher = RuleMatch {
        event_types: args.types.clone(),
        organizations: args.orgs.clone(),
        organizations_mode: if args.all_orgs {
            OrganizationsMode::All
        } else {
            OrganizationsMode::Any
        },
        topics: args.topics.clone(),
        factuality: Vec::new(),
        status: args.statuses.clone(),
    };
    let deliver = Delivery {
        nats_subject: args.nats_subject.clone(),
        webhook: match (&args.webhook, &args.secret) {
            (Some(url), Some(secret)) => Some(Webhook {
                url: url.clone(),
                secret: secret.clone(),
            }),
            _ => None,
        },
    };
    let mut rule = Map::new();
    rule.insert("id".into(), Value::String(id.to_string()));
    if let Some(name) = &args.name {
        rule.insert("name".into(), Value::String(name.clone()));
    }
    rule.insert(
        "match".into(),
        serde_json::to_value(matcher).expect("serializes"),
    );
    rule.insert(
        "deliver".into(),
        serde_json::to_value(deliver).expect("serializes"),
    );
    Ok(Value::Object(rule))
}

/// The notifier's rule list as a table.
pub fn rules_table(value: &Value) -> String {
    let items = list(value, &["rules", "items"]);
    if items.is_empty() {
        return "no rules\n".into();
    }
    let mut table = Table::new(["id", "name", "match", "deliver"]);
    for rule in items {
        let text = |k: &str| rule.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let compact = |k: &str| {
            rule.get(k)
                .filter(|v| !v.is_null() && v.as_object().is_none_or(|o| !o.is_empty()))
                .map(|v| render::ellipsize(&v.to_string(), 60))
                .unwrap_or_else(|| "-".into())
        };
        table.row([
            text("id"),
            text("name"),
            compact("match"),
            compact("deliver"),
        ]);
    }
    table.render(0)
}
