//! `liaison demo`: start the stack on a fresh `./data/demo`, register the organizations and people
//! of the Meta–LG scenario, read the team's article about it and accept the candidates, show
//! what Liaison knows about it as a person would want to read it, append one hypothetical
//! announcement and watch the new-partnership alert arrive, then stop the stack.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use futures::StreamExt;
use liaison_proto::alert::NEW_PARTNERSHIP;
use liaison_proto::events::Evidence;
use liaison_proto::query::{Consistency, OrganizationView, RelationshipView};
use liaison_proto::subjects::alert_subject;
use liaison_proto::{AlertEvent, Slug, Status, StoredEvent};
use uuid::Uuid;

use crate::cli::DemoArgs;
use crate::client::{Client, Endpoints, PairAnswer};
use crate::commands::dev::{print_progress, remove_data_dir, streams};
use crate::commands::import::import;
use crate::commands::{Context, out};
use crate::error::{CliError, CliResult};
use crate::render::{self, Table, heading};
use crate::stack::{LogMode, Service, Stack, StackError, StackOptions};
use crate::{nats, scenario};
use liaison_secure::Role;

/// Runs the command: the stack is stopped at the end, also when a step fails.
pub async fn run(args: DemoArgs, ctx: &Context) -> CliResult {
    out(&heading("Liaison demo: Meta and LG, February 2024"))?;
    remove_data_dir(&args.data_dir, "fresh start")?;
    let mut options = StackOptions::dev(&args.data_dir, LogMode::Files);
    options.api_token = ctx.global.api_token.clone();
    options.streams = streams();
    options.find_binaries().map_err(StackError::from)?;
    let logs = args.data_dir.join("logs");
    println!(
        "The services log to {}/{{nats,ingest,projection,notifier,reader,console}}.log\n\nStarting the stack",
        logs.display()
    );
    let stack = Stack::start(options, print_progress)
        .await
        .map_err(StackError::from)?;
    println!(
        "\nThe console, while the demo runs: {}/ (`liaison dev` keeps it running)",
        stack.url(Service::Console)
    );
    let result = tokio::select! {
        r = walk_through(&stack, &args.data_dir) => r,
        _ = tokio::signal::ctrl_c() => Err(CliError::usage("interrupted")),
    };
    println!("\nStopping the stack…");
    stack.stop().await;
    if result.is_err() {
        eprintln!("the services' logs are in {}", logs.display());
    } else {
        println!("Stopped.");
    }
    result
}

async fn walk_through(stack: &Stack, data_dir: &Path) -> CliResult {
    let client = Client::new(Endpoints {
        ingest: stack.url(Service::Ingest),
        projection: stack.url(Service::Projection),
        notifier: stack.url(Service::Notifier),
        reader: stack.url(Service::Reader),
        nats: stack.nats_url(),
        api_token: stack.options().api_token.clone(),
        read_token: None,
    });
    // The walk-through reads the log and the alerts as the read-only user.
    let access = stack
        .secrets()
        .map(|s| s.access(Role::Cli))
        .unwrap_or_default();
    let nats = nats::connect(&stack.nats_url(), &access).await?;
    let js = async_nats::jetstream::new(nats.clone());

    // The registry: who is who, from the scenario's registrations.
    let registrations: Vec<serde_json::Value> = scenario::meta_lg()
        .into_iter()
        .filter(|e| {
            matches!(
                e["type"].as_str(),
                Some("organization.registered" | "person.registered")
            )
        })
        .collect();
    println!(
        "\nRegistering {} organizations and people (from deploy/scenarios/meta-lg-2024.json)",
        registrations.len()
    );
    let summary = import(&client, &registrations, 500, |_| {}).await?;
    println!(
        "  {} appended, {} already there (log sequences up to {})",
        summary.appended, summary.already_there, summary.last_sequence
    );

    // 0. The news: the reader proposes, the demo accepts as a reviewer would.
    out(&heading("0. Reading the news"))?;
    let last_sequence = read_and_accept(&client, summary.last_sequence).await?;
    let after_import = Consistency {
        as_of: None,
        min_sequence: Some(last_sequence),
    };
    let meta = slug("meta");
    let lge = slug("lg-electronics");
    let xr = slug("xr");

    // 1. The XR cooperation.
    out(&heading("1. Meta and LG Electronics on XR"))?;
    let view = one_topic(&client, &meta, &lge, &xr, &after_import).await?;
    let evidence = nats::evidence_of(&js, view.events.iter().map(|e| e.sequence)).await?;
    out(&xr_story(&view, &evidence))?;

    // 2. Meta's relationships.
    out(&heading("2. Meta's relationships"))?;
    let org = client.organization(&meta, &after_import).await?;
    let timeline = whole_timeline(&client, &meta, &after_import).await?;
    let mut counterparts: BTreeSet<Slug> = BTreeSet::new();
    for item in &timeline {
        for o in item.event.event.organizations() {
            if *o != meta {
                counterparts.insert(o.clone());
            }
        }
    }
    let mut pairs = Vec::new();
    for other in &counterparts {
        if let PairAnswer::All(p) = client
            .relationship(&meta, other, None, &after_import)
            .await?
        {
            pairs.push(p);
        }
    }
    out(&relationships_table(&org, &pairs))?;

    // 3. A hypothetical announcement and its alert.
    out(&heading(
        "3. HYPOTHETICAL — not in the article: Meta and LG Electronics announce an XR partnership",
    ))?;
    let subject = alert_subject(NEW_PARTNERSHIP);
    let mut alerts = nats
        .subscribe(subject.clone())
        .await
        .map_err(|e| CliError::Nats(format!("cannot subscribe to {subject}: {e}")))?;
    nats.flush()
        .await
        .map_err(|e| CliError::Nats(format!("cannot subscribe to {subject}: {e}")))?;
    println!("Subscribed to {subject} over NATS.");
    let hypothetical = scenario::hypothetical();
    for event in &hypothetical {
        let t = event["type"].as_str().unwrap_or("?");
        let time = event["time"].as_str().unwrap_or("?");
        println!(
            "Appending (HYPOTHETICAL): {time} {t} — {}",
            event["data"]["summary"].as_str().unwrap_or("")
        );
    }
    let sent = Instant::now();
    let appended = client
        .post_events(&serde_json::Value::Array(hypothetical))
        .await?;
    let sequence = appended
        .events
        .iter()
        .map(|e| e.sequence)
        .max()
        .unwrap_or(0);
    println!("  appended at log sequence {sequence}");
    let alert = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(message) = alerts.next().await {
            if let Ok(event) = serde_json::from_slice::<AlertEvent>(&message.payload) {
                return Some(event);
            }
        }
        None
    })
    .await;
    match alert {
        Ok(Some(event)) => {
            let took = sent.elapsed();
            let a = &event.data;
            let mut text = format!(
                "\nAlert received on {subject} {} ms after the append:\n",
                took.as_millis()
            );
            let mut table = Table::new([
                "rule",
                "organizations",
                "topic",
                "change",
                "event",
                "alert id",
            ]);
            table.row([
                a.rule.to_string(),
                format!("{} – {}", a.organizations[0], a.organizations[1]),
                a.topic.to_string(),
                format!("{} → {}", a.previous_status, a.status),
                format!("{} (seq {})", a.time, a.sequence),
                a.id.to_string(),
            ]);
            text.push_str(&table.render(2));
            out(&text)?;
        }
        _ => println!(
            "\nNo alert on {subject} within 30 s: the notifier may be behind or failing; see {}",
            data_dir.join("logs/notifier.log").display()
        ),
    }
    let after = Consistency {
        as_of: None,
        min_sequence: Some(sequence),
    };
    let now = one_topic(&client, &meta, &lge, &xr, &after).await?;
    let before = Consistency {
        as_of: liaison_proto::BusinessTime::parse("2024-03-01").ok(),
        min_sequence: Some(sequence),
    };
    let then = one_topic(&client, &meta, &lge, &xr, &before).await?;
    println!(
        "\nStatus now:            {}\nAs of 2024-03-01 still: {}",
        render::status_line(&now),
        render::status_line(&then)
    );

    // 4. Keep exploring.
    out(&heading("4. Keep exploring"))?;
    println!(
        "Start the same stack again (the data stays in {dir}):\n\
         \n  target/release/liaison dev --data-dir {dir}\n\
         \nthen, in another terminal:\n\
         \n  source {dir}/nats-secrets/cli.env      # the read-only NATS user, for tail and alerts\
         \n  target/release/liaison status meta lg-electronics --topic xr\
         \n  target/release/liaison org meta\
         \n  target/release/liaison tail --org meta\
         \n  target/release/liaison alerts --follow\
         \n\n`liaison --help` lists every command.",
        dir = data_dir.display()
    );
    Ok(())
}

/// Posts the demo's article to the reader, shows its candidates with their quotes and
/// confidences, and accepts each one; answers the log sequence of the last event appended.
async fn read_and_accept(client: &Client, mut last_sequence: u64) -> CliResult<u64> {
    let (title, text) = scenario::DEMO_ARTICLE
        .split_once("\n\n")
        .unwrap_or(("", scenario::DEMO_ARTICLE));
    println!(
        "Posting an article the team wrote about the facts of the seed story (deploy/articles/meta-lg-2024.en.txt):\n  “{}”",
        title.trim()
    );
    let body = serde_json::json!({
        "text": text,
        "title": title.trim(),
        "publisher": "Liaison demo desk",
        "published_at": "2024-02-28",
    });
    let (_, answer) = client.read_article(&body, false).await?;
    let candidates = answer.value.candidates;
    println!(
        "\nThe reader proposes {} candidate events ({}), each with the sentence it quotes:",
        candidates.len(),
        answer.value.article.language.code()
    );
    out(&render::candidates(&candidates))?;
    println!(
        "\nAccepting them, as a reviewer would after reading each quote (`liaison review accept ID`):"
    );
    let mut accepted = 0;
    for candidate in &candidates {
        match client.accept(candidate.id, None).await {
            Ok(view) => {
                accepted += 1;
                if let Some(sequence) = view.value.decision.and_then(|d| d.sequence) {
                    last_sequence = last_sequence.max(sequence);
                }
            }
            Err(e) => println!("  not accepted: {} — {e}", candidate.id),
        }
    }
    println!(
        "  {accepted} accepted, appended through ingest (log sequences up to {last_sequence})"
    );
    Ok(last_sequence)
}

async fn one_topic(
    client: &Client,
    a: &Slug,
    b: &Slug,
    topic: &Slug,
    bounds: &Consistency,
) -> CliResult<RelationshipView> {
    match client.relationship(a, b, Some(topic), bounds).await? {
        PairAnswer::One(v) => Ok(v),
        PairAnswer::All(_) => Err(CliError::usage("the projection answered every topic")),
    }
}

async fn whole_timeline(
    client: &Client,
    org: &Slug,
    bounds: &Consistency,
) -> CliResult<Vec<StoredEvent>> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = client
            .timeline(org, cursor.as_deref(), Some(100), bounds)
            .await?;
        items.extend(page.items);
        match page.next_cursor {
            Some(next) if Some(&next) != cursor.as_ref() => cursor = Some(next),
            _ => return Ok(items),
        }
    }
}

/// Section 1: the status, since when, and the evidence of each event that shaped it.
pub fn xr_story(view: &RelationshipView, evidence: &HashMap<Uuid, Evidence>) -> String {
    let mut text = format!(
        "Status: {}{}\n",
        view.status,
        view.since
            .map(|s| format!(", since {s}"))
            .unwrap_or_default()
    );
    text.push_str("\nHow it got there:\n");
    let mut table = Table::new(["time", "event", "status reached", "summary"]);
    for e in &view.events {
        table.row([
            e.time.to_string(),
            render::type_label(e.event_type),
            liaison_relations::status_floor(e.event_type)
                .map(|s| s.to_string())
                .unwrap_or_default(),
            render::ellipsize(e.summary.as_deref().unwrap_or(""), 70),
        ]);
    }
    text.push_str(&table.render(2));
    for e in &view.events {
        if let Some(ev) = evidence.get(&e.id) {
            text.push_str(&render::evidence_block(e, ev));
        }
    }
    text
}

/// Section 2: every relation of the organization, one row per counterpart and topic: cooperation
/// statuses and their signals, suppliers and customers (with the planned quantity), competitors.
pub fn relationships_table(
    org: &OrganizationView,
    pairs: &[liaison_proto::query::PairView],
) -> String {
    let mut table = Table::new(["with", "relation", "topic", "status", "since", "note"]);
    for pair in pairs {
        let other = pair
            .organizations
            .iter()
            .find(|o| **o != org.id)
            .cloned()
            .unwrap_or_else(|| pair.organizations[0].clone());
        for t in pair
            .topics
            .iter()
            .filter(|t| t.status != Status::None || !t.signals.is_empty())
        {
            let notes: Vec<String> = t
                .signals
                .iter()
                .map(|s| format!("{} ({})", render::signal_label(s), s.event.time))
                .collect();
            table.row([
                other.to_string(),
                "cooperation".into(),
                t.topic.to_string(),
                t.status.to_string(),
                t.since.map(|s| s.to_string()).unwrap_or_default(),
                notes.join("; "),
            ]);
        }
    }
    let r = &org.relationships;
    for (relation, list) in [("supplier", &r.supplier), ("customer", &r.customer)] {
        for trade in list {
            let mut note = format!("{} purchase: {}", trade.factuality, trade.item);
            if let Some(q) = &trade.quantity {
                let _ = write!(note, " × {}", render::quantity(q));
            }
            if let Some(by) = trade.by {
                let _ = write!(note, " by {by}");
            }
            table.row([
                trade.organization.to_string(),
                relation.to_owned(),
                String::new(),
                String::new(),
                trade.time.to_string(),
                note,
            ]);
        }
    }
    for c in &r.competitor {
        let topics: Vec<String> = c.topics.iter().map(ToString::to_string).collect();
        table.row([
            c.organization.to_string(),
            "competitor".into(),
            topics.join(", "),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    table.render(0)
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("a valid slug")
}
