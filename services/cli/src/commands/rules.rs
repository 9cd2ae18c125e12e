//! `liaison rules add|list|rm`: the notifier's alert rules.

use std::io::Read;
use std::path::Path;

use liaison_proto::events::{MAX_SECRET_BYTES, OrganizationsMode, RuleMatch};
use liaison_proto::notifier::{RuleList, RuleView};
use serde_json::{Map, Value, json};

use crate::cli::{RuleAddArgs, RulesCommand, WEBHOOK_SECRET_ENV};
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
                print_json(&answer.json)
            } else {
                let view = &answer.value;
                out(&format!(
                    "rule {} created; its alerts are published on {}\n",
                    view.id, view.subject
                ))
            }
        }
        RulesCommand::List { json } => {
            let answer = ctx.client.rules().await?;
            if json {
                print_json(&answer.json)
            } else {
                out(&rules_table(&answer.value))
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
    if args.secret_on_command_line.is_some() {
        return Err(CliError::usage(format!(
            "--secret is not taken: a secret on the command line is visible to every user of \
             this machine and stays in the shell's history; put it in a file and pass \
             --secret-file FILE (`-` reads stdin), or set {WEBHOOK_SECRET_ENV}"
        )));
    }
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
    let mut deliver = Map::new();
    if let Some(subject) = &args.nats_subject {
        deliver.insert("nats_subject".into(), Value::String(subject.clone()));
    }
    if let Some(url) = &args.webhook {
        // In clear, to the notifier, which seals it before the rule enters the log.
        let secret = webhook_secret(args)?;
        deliver.insert("webhook".into(), json!({"url": url, "secret": secret}));
    }
    let mut rule = Map::new();
    rule.insert("id".into(), Value::String(id.to_string()));
    if let Some(name) = &args.name {
        rule.insert("name".into(), Value::String(name.clone()));
    }
    rule.insert(
        "match".into(),
        serde_json::to_value(matcher).expect("serializes"),
    );
    rule.insert("deliver".into(), Value::Object(deliver));
    Ok(Value::Object(rule))
}

/// The webhook's secret: the first line of `--secret-file` (`-`: stdin), else
/// `LIAISON_WEBHOOK_SECRET`; a usage error that says how to give one when neither is there.
fn webhook_secret(args: &RuleAddArgs) -> CliResult<String> {
    let secret = match (&args.secret_file, &args.secret_from_env) {
        (Some(path), _) => read_secret_file(path)?,
        (None, Some(secret)) => secret.clone(),
        (None, None) => {
            return Err(CliError::usage(format!(
                "--webhook needs its signing secret: --secret-file FILE (`-` reads stdin) or \
                 {WEBHOOK_SECRET_ENV}"
            )));
        }
    };
    if secret.trim().is_empty() {
        let from = match &args.secret_file {
            Some(path) => path.display().to_string(),
            None => WEBHOOK_SECRET_ENV.to_owned(),
        };
        return Err(CliError::usage(format!(
            "{from}: the webhook secret is empty"
        )));
    }
    Ok(secret)
}

/// The first line of `path` (`-`: stdin), without its line break; at most a secret's length.
fn read_secret_file(path: &Path) -> CliResult<String> {
    let cannot =
        |e: std::io::Error| CliError::usage(format!("cannot read {}: {e}", path.display()));
    let limit = MAX_SECRET_BYTES as u64 + 2; // the longest secret and its line break
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin()
            .take(limit + 1)
            .read_to_string(&mut text)
            .map_err(cannot)?;
    } else {
        std::fs::File::open(path)
            .map_err(cannot)?
            .take(limit + 1)
            .read_to_string(&mut text)
            .map_err(cannot)?;
    }
    let line = text.lines().next().unwrap_or_default();
    if line.len() > MAX_SECRET_BYTES {
        return Err(CliError::usage(format!(
            "{}: a webhook secret is at most {MAX_SECRET_BYTES} bytes",
            path.display()
        )));
    }
    Ok(line.to_owned())
}

/// The notifier's rules as a table: what each matches and where its alerts go.
pub fn rules_table(list: &RuleList) -> String {
    if list.rules.is_empty() {
        return "no rules\n".into();
    }
    let mut table = Table::new(["id", "name", "match", "deliver"]);
    for rule in &list.rules {
        let mut name = rule.name.clone().unwrap_or_default();
        if rule.builtin {
            name.push_str(if name.is_empty() {
                "(built in)"
            } else {
                " (built in)"
            });
        }
        table.row([
            rule.id.to_string(),
            name,
            render::ellipsize(&match_text(&rule.matcher), 80),
            render::ellipsize(&deliver_text(rule), 60),
        ]);
    }
    table.render(0)
}

/// What a rule matches, as `types … · orgs a, b (all) · topics … · status …`; `any change` when
/// it matches everything.
pub fn match_text(m: &RuleMatch) -> String {
    fn list<T: ToString>(items: &[T]) -> String {
        items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
    let mut parts = Vec::new();
    if !m.event_types.is_empty() {
        parts.push(format!("types {}", list(&m.event_types)));
    }
    if !m.organizations.is_empty() {
        let mode = match m.organizations_mode {
            OrganizationsMode::All if m.organizations.len() > 1 => " (all)",
            _ => "",
        };
        parts.push(format!("orgs {}{mode}", list(&m.organizations)));
    }
    if !m.topics.is_empty() {
        parts.push(format!("topics {}", list(&m.topics)));
    }
    if !m.factuality.is_empty() {
        parts.push(format!("factuality {}", list(&m.factuality)));
    }
    if !m.status.is_empty() {
        parts.push(format!("status {}", list(&m.status)));
    }
    if parts.is_empty() {
        "any change".into()
    } else {
        parts.join(" · ")
    }
}

/// Where a rule's alerts go: its subject, the extra subject, the webhook's URL.
pub fn deliver_text(rule: &RuleView) -> String {
    let mut parts = vec![rule.subject.clone()];
    if let Some(subject) = &rule.deliver.nats_subject {
        parts.push(subject.clone());
    }
    if let Some(webhook) = &rule.deliver.webhook {
        parts.push(webhook.url.clone());
    }
    parts.join(", ")
}
