//! `liaison read` and `liaison review` against the real `liaison` binary, the real reader and
//! ingest (in-process) and a real nats-server.

mod support;

use std::process::{Command, Output};
use std::time::Duration;

use liaison_log::{Appender, OutgoingEvent};
use liaison_proto::reader::{
    Article, ArticlesEntry, Language, ProposedCandidate, Rationale, article_id_of_url, candidate_id,
};
use liaison_runtime::service::App;
use liaison_runtime::shutdown::Shutdown;
use serde_json::{Value, json};

/// Runs `liaison args…` off the async workers (the services run in this process).
async fn liaison(reader: &str, ingest: &str, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_liaison"));
    command
        .args(args)
        .env("LIAISON_READER_URL", reader)
        .env("LIAISON_INGEST_URL", ingest)
        .env_remove("LIAISON_API_TOKEN");
    support::output(command).await
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(support::succeeded(output)).into_owned()
}

/// An article entry with two candidates, as the reader writes them.
fn entry() -> ArticlesEntry {
    let url = "https://example.com/cli";
    let id = article_id_of_url(url);
    let candidate = |key: &str, orgs: [&str; 2]| {
        let cid = candidate_id(id, key);
        ProposedCandidate {
            id: cid,
            key: key.to_owned(),
            confidence: 0.8,
            event: json!({"type": "agreement.signed", "id": cid, "time": "2024-03-04",
                "data": {"organizations": orgs, "topics": ["ai"],
                         "evidence": {"quote": "Microsoft and OpenAI signed an agreement."}}}),
            rationale: Rationale::default(),
        }
    };
    ArticlesEntry::ArticleRead {
        article: Article {
            id,
            url: Some(url.to_owned()),
            title: None,
            publisher: None,
            published_at: liaison_proto::BusinessTime::parse("2024-03-05").unwrap(),
            language: Language::En,
            text: "Microsoft and OpenAI signed an agreement.".to_owned(),
            read_at: chrono::Utc::now(),
            feed: None,
        },
        candidates: vec![
            candidate("a", ["microsoft", "openai"]),
            candidate("b", ["sap", "siemens"]),
        ],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_and_review_from_the_command_line() {
    let (nats, _) = support::log_server().await;
    let client = nats.client().await;
    let dir = tempfile::tempdir().unwrap();
    let (ingest_url, stop_ingest) =
        support::start_ingest(&nats.url(), &dir.path().join("ingest")).await;
    let reader = App::<liaison_reader::ReaderService>::build(
        liaison_reader::Config::new(support::common(&nats.url(), &dir.path().join("reader"))),
        Shutdown::new(),
    )
    .await
    .unwrap();
    let url = format!("http://{}", reader.address());
    let articles = reader.handle().articles.clone();
    let stop_reader = reader.shutdown_handle();
    tokio::spawn(reader.run_until_stopped());
    support::ready(&url).await;
    let orgs = json!([
        {"type": "organization.registered", "time": "2020-01-01", "data": {"id": "microsoft", "name": "Microsoft"}},
        {"type": "organization.registered", "time": "2020-01-01", "data": {"id": "openai", "name": "OpenAI"}}]);
    let answer = reqwest::Client::new()
        .post(format!("{ingest_url}/v1/events"))
        .json(&orgs)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);

    // `liaison read FILE --json`: the reader's answer as it is.
    let file = dir.path().join("article.txt");
    std::fs::write(
        &file,
        "Microsoft and OpenAI signed an agreement on AI on Monday.",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let (u, i) = (url.as_str(), ingest_url.as_str());
    let out = stdout(&liaison(u, i, &["read", file, "--published", "2024-03-05", "--json"]).await);
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["article"]["language"], "en", "{answer}");
    assert!(answer["candidates"].is_array());
    let html = dir.path().join("article.html");
    std::fs::write(
        &html,
        "<html><body><p>Microsoft and OpenAI met.</p></body></html>",
    )
    .unwrap();
    let out = stdout(
        &liaison(
            u,
            i,
            &[
                "read",
                html.to_str().unwrap(),
                "--published",
                "2024-03-05",
                "--dry-run",
            ],
        )
        .await,
    );
    assert!(out.contains("dry run, nothing stored"), "{out}");
    let refused = liaison(
        u,
        i,
        &["read", file, "--published", "2024-03-05", "--lang", "fr"],
    )
    .await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("fr"));

    // `liaison review`: the pending candidates, accept one, reject the other.
    let entry = entry();
    let sequence = Appender::new(client)
        .append(OutgoingEvent::new(
            entry.subject(),
            entry.message_id(),
            serde_json::to_vec(&entry).unwrap().into(),
        ))
        .await
        .unwrap()
        .sequence;
    assert!(
        articles
            .wait_applied(sequence, Duration::from_secs(10))
            .await
    );
    let ArticlesEntry::ArticleRead { candidates, .. } = &entry else {
        unreachable!()
    };
    let (a, b) = (candidates[0].id.to_string(), candidates[1].id.to_string());
    let listed = stdout(&liaison(u, i, &["review"]).await);
    assert!(listed.contains(&a) && listed.contains(&b), "{listed}");
    assert!(
        listed.contains("agreement.signed  microsoft, openai  on ai"),
        "{listed}"
    );
    assert!(
        listed.contains("Microsoft and OpenAI signed an agreement."),
        "{listed}"
    );
    let accepted = stdout(&liaison(u, i, &["review", "accept", &a, "--json"]).await);
    let accepted: Value = serde_json::from_str(&accepted).unwrap();
    assert_eq!(accepted["state"], "accepted");
    let rejected = stdout(&liaison(u, i, &["review", "reject", &b, "--reason", "not them"]).await);
    assert!(rejected.contains("rejected"), "{rejected}");
    let pending: Value =
        serde_json::from_str(&stdout(&liaison(u, i, &["review", "--json"]).await)).unwrap();
    assert!(
        pending["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != a.as_str() && c["id"] != b.as_str()),
        "{pending}"
    );
    stop_reader.trigger();
    stop_ingest.trigger();
}
