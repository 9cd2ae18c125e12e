//! The review queue: accepting appends through ingest once however often it is called (with the
//! registration of a proposed organization first), rejecting is kept across restarts and a
//! rebuild of the review queue from its stream, and listing is paged with typed parameters.
//!
//! The candidates come from article entries written into the articles stream as the reader
//! writes them (the review queue's input), so these tests hold whatever the extractor proposes;
//! the last test reads a real article once the extractor proposes candidates.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{ENGLISH, Stack, article_entry, get, post, post_empty, publish_entry, start_reader};
use uuid::Uuid;

fn agreement(orgs: [&str; 2]) -> Value {
    json!({"type": "agreement.signed", "time": "2024-03-04",
           "data": {"organizations": orgs, "topics": ["ai"], "factuality": "asserted"}})
}

fn registration(id: &str, name: &str) -> Value {
    json!({"type": "organization.registered", "time": "2024-03-04",
           "data": {"id": id, "name": name}})
}

fn candidate_ids(entry: &liaison_proto::reader::ArticlesEntry) -> Vec<Uuid> {
    match entry {
        liaison_proto::reader::ArticlesEntry::ArticleRead { candidates, .. } => {
            candidates.iter().map(|c| c.id).collect()
        }
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn accepting_twice_appends_once_with_the_registration_first() {
    let stack = Stack::start(|_| {}).await;
    stack.register(&[("microsoft", "Microsoft")]).await;
    let entry = article_entry(
        "https://example.com/deal",
        &[
            registration("openai", "OpenAI"),
            agreement(["microsoft", "openai"]),
        ],
    );
    publish_entry(&stack, &entry).await;
    let ids = candidate_ids(&entry);
    let url = &stack.reader.url;
    let path = format!("/v1/candidates/{}/accept", ids[1]);
    let (status, accepted) = post_empty(url, &path).await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["state"], "accepted");
    let sequence = accepted["decision"]["sequence"].as_u64().unwrap();
    // The registration it needed was accepted with it, first.
    let (_, registration) = get(url, &format!("/v1/candidates/{}", ids[0])).await;
    assert_eq!(registration["state"], "accepted", "{registration}");
    assert!(registration["decision"]["sequence"].as_u64().unwrap() < sequence);
    // Again: the same answer, nothing appended.
    let (status, again) = post_empty(url, &path).await;
    assert_eq!(status, 200);
    assert_eq!(again["decision"]["sequence"], sequence);
    assert_eq!(stack.events_with_id(ids[1]).await, 1);
    assert_eq!(stack.events_with_id(ids[0]).await, 1);
    // Rejecting it now is a conflict: its event is in the log.
    let (status, problem) = post(
        url,
        &format!("/v1/candidates/{}/reject", ids[1]),
        &json!({"reason": "wrong"}),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    // Listing by state.
    let (_, list) = get(url, "/v1/candidates?state=accepted").await;
    assert_eq!(list["candidates"].as_array().unwrap().len(), 2, "{list}");
}

#[tokio::test]
async fn an_edited_event_is_appended_under_the_candidates_id() {
    let stack = Stack::start(|_| {}).await;
    stack
        .register(&[("microsoft", "Microsoft"), ("openai", "OpenAI")])
        .await;
    let entry = article_entry(
        "https://example.com/edit",
        &[agreement(["microsoft", "openai"])],
    );
    publish_entry(&stack, &entry).await;
    let id = candidate_ids(&entry)[0];
    let mut edited = agreement(["microsoft", "openai"]);
    edited["data"]["topics"] = json!(["cloud"]);
    let (status, accepted) = post(
        &stack.reader.url,
        &format!("/v1/candidates/{id}/accept"),
        &edited,
    )
    .await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["event"]["data"]["topics"], json!(["cloud"]));
    assert_eq!(accepted["event"]["id"], json!(id));
    let events = liaison_testkit::log::read_log(&stack.log.js).await;
    let (_, appended) = events.iter().find(|(_, e)| e.id == id).unwrap();
    assert!(
        serde_json::to_string(&appended.event)
            .unwrap()
            .contains("cloud")
    );
    // An event ingest refuses is the ingest's problem, passed on; the candidate stays as it was.
    let other = article_entry(
        "https://example.com/bad",
        &[agreement(["microsoft", "nobody"])],
    );
    publish_entry(&stack, &other).await;
    let bad = candidate_ids(&other)[0];
    let (status, problem) =
        post_empty(&stack.reader.url, &format!("/v1/candidates/{bad}/accept")).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("ingest"),
        "{problem}"
    );
    let (_, still) = get(&stack.reader.url, &format!("/v1/candidates/{bad}")).await;
    assert_eq!(still["state"], "pending");
}

#[tokio::test]
async fn a_rejection_is_kept_across_a_restart_and_a_rebuild() {
    let stack = Stack::start(|_| {}).await;
    let entry = article_entry(
        "https://example.com/rumour",
        &[
            agreement(["microsoft", "openai"]),
            agreement(["sap", "siemens"]),
        ],
    );
    publish_entry(&stack, &entry).await;
    // Whatever the extractor proposes for a real article too.
    let (status, read) = post(
        &stack.reader.url,
        "/v1/articles",
        &json!({"text": ENGLISH, "published_at": "2024-03-05"}),
    )
    .await;
    assert_eq!(status, 201);
    let mut rejected: Vec<String> = candidate_ids(&entry).iter().map(Uuid::to_string).collect();
    rejected.truncate(1);
    for c in read["candidates"].as_array().unwrap() {
        rejected.push(c["id"].as_str().unwrap().to_owned());
    }
    for id in &rejected {
        let (status, answer) = post(
            &stack.reader.url,
            &format!("/v1/candidates/{id}/reject"),
            &json!({"reason": "a rumour"}),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["state"], "rejected");
    }
    let (status, problem) = post(
        &stack.reader.url,
        &format!("/v1/candidates/{}/reject", rejected[0]),
        &json!({"reason": ""}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let check = |url: String, rejected: Vec<String>| async move {
        for id in &rejected {
            let (status, c) = get(&url, &format!("/v1/candidates/{id}")).await;
            assert_eq!(status, 200);
            assert_eq!(c["state"], "rejected", "{c}");
            assert_eq!(c["decision"]["reason"], "a rumour");
        }
        let (_, pending) = get(&url, "/v1/candidates?state=pending").await;
        assert_eq!(
            pending["candidates"].as_array().unwrap().len(),
            1,
            "{pending}"
        );
    };
    check(stack.reader.url.clone(), rejected.clone()).await;

    // Restart on the same data.
    let config = stack.reader_config(&stack.reader_dir());
    let articles = stack.articles_entries().await;
    let Stack {
        log,
        ingest,
        reader,
        dir,
    } = stack;
    reader.stop().await;
    let restarted = start_reader(config).await;
    check(restarted.url.clone(), rejected.clone()).await;
    restarted.stop().await;

    // A rebuild: a reader with an empty data directory folds the queue from the stream again.
    let rebuilt = start_reader(support::reader_config(
        &log.server.url(),
        &dir.path().join("rebuilt"),
    ))
    .await;
    assert!(
        rebuilt
            .handle
            .articles
            .wait_applied(articles, Duration::from_secs(10))
            .await
    );
    check(rebuilt.url.clone(), rejected).await;
    drop(ingest);
}

#[tokio::test]
async fn listing_is_paged_and_its_parameters_are_checked() {
    let stack = Stack::start(|_| {}).await;
    let events: Vec<Value> = (0..5)
        .map(|i| {
            let mut e = agreement(["microsoft", "openai"]);
            e["data"]["topics"] = json!([format!("t{i}")]);
            e
        })
        .collect();
    let entry = article_entry("https://example.com/many", &events);
    publish_entry(&stack, &entry).await;
    let url = &stack.reader.url;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/candidates?limit=2&cursor={c}"),
            None => "/v1/candidates?limit=2".to_owned(),
        };
        let (status, page) = get(url, &path).await;
        assert_eq!(status, 200, "{page}");
        for c in page["candidates"].as_array().unwrap() {
            seen.push(c["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = candidate_ids(&entry).iter().map(Uuid::to_string).collect();
    assert_eq!(seen, expected);
    let article = liaison_proto::reader::article_id_of_url("https://example.com/many");
    let (_, of_article) = get(url, &format!("/v1/candidates?article={article}&limit=3")).await;
    assert_eq!(of_article["candidates"].as_array().unwrap().len(), 3);
    for (path, pointer) in [
        ("/v1/candidates?state=maybe", "/state"),
        ("/v1/candidates?limit=0", "/limit"),
        ("/v1/candidates?limit=x", "/limit"),
        ("/v1/candidates?cursor=zz", "/cursor"),
        ("/v1/candidates?article=1", "/article"),
        ("/v1/candidates?sate=pending", ""),
    ] {
        let (status, problem) = get(url, path).await;
        assert!(status == 400 || status == 422, "{path}: {status}");
        if !pointer.is_empty() {
            assert_eq!(
                problem["errors"][0]["pointer"], pointer,
                "{path}: {problem}"
            );
        } else {
            assert!(
                problem["detail"].as_str().unwrap().contains("sate"),
                "{problem}"
            );
        }
    }
    assert_eq!(get(url, "/v1/candidates/not-an-id").await.0, 404);
    assert_eq!(
        get(url, &format!("/v1/candidates/{}", Uuid::from_u128(1)))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn an_auto_accept_threshold_out_of_range_is_refused() {
    let bad = liaison_reader::Config {
        auto_accept: Some(1.5),
        ..liaison_reader::Config::new(Default::default())
    };
    let error = liaison_runtime::service::App::<liaison_reader::ReaderService>::build(
        bad,
        liaison_runtime::shutdown::Shutdown::new(),
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("--auto-accept"), "{error}");
}

/// A real article's candidates accepted through ingest, once the extractor proposes them.
#[tokio::test]
async fn a_read_articles_candidate_is_accepted_once_and_auto_accept_works() {
    let stack = Stack::start(|c| c.auto_accept = Some(0.0)).await;
    stack
        .register(&[("microsoft", "Microsoft"), ("openai", "OpenAI")])
        .await;
    let (status, answer) = post(
        &stack.reader.url,
        "/v1/articles",
        &json!({"text": ENGLISH, "published_at": "2024-03-05", "url": "https://example.com/x"}),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let candidates = answer["candidates"].as_array().unwrap();
    assert!(!candidates.is_empty(), "{answer}");
    for c in candidates {
        assert_eq!(c["state"], "auto-accepted", "{c}");
        let id: Uuid = c["id"].as_str().unwrap().parse().unwrap();
        let (status, _) =
            post_empty(&stack.reader.url, &format!("/v1/candidates/{id}/accept")).await;
        assert_eq!(status, 200);
        assert_eq!(stack.events_with_id(id).await, 1);
    }
}
