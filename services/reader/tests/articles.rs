//! Reading articles: the same article read twice is one entry, a dry run stores nothing, hostile
//! input gets a clear answer and leaves the reader healthy, and entries put into the articles
//! stream by a bad client are quarantined, never applied.

mod support;

use std::time::Duration;

use liaison_proto::subjects::ARTICLES_STREAM;
use serde_json::{Value, json};
use support::{ENGLISH, GERMAN, Stack, get, post, post_raw};

#[tokio::test]
async fn the_same_url_or_the_same_text_is_read_once() {
    let stack = Stack::start(|_| {}).await;
    let url = &stack.reader.url;
    let article = json!({"text": ENGLISH, "published_at": "2024-03-05",
        "url": "https://example.com/news/1", "publisher": "Example"});
    let (status, first) = post(url, "/v1/articles", &article).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["article"]["url"], "https://example.com/news/1");
    assert!(first["candidates"].is_array());
    // Same URL, other wording: the same article.
    let again = json!({"text": format!("{ENGLISH} More."), "published_at": "2024-03-05",
        "url": "https://example.com/news/1"});
    let (status, second) = post(url, "/v1/articles", &again).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second, first);

    // No URL: the same text, however wrapped, is the same article.
    let text = json!({"text": GERMAN, "published_at": "2024-03-05", "language": "de"});
    let (status, first) = post(url, "/v1/articles", &text).await;
    assert_eq!(status, 201, "{first}");
    let rewrapped = json!({"text": GERMAN.replace(' ', "\n "), "published_at": "2024-03-05",
        "language": "de"});
    let (status, second) = post(url, "/v1/articles", &rewrapped).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["article"]["id"], first["article"]["id"]);
    assert_eq!(stack.articles_entries().await, 2, "one entry per article");

    let id = first["article"]["id"].as_str().unwrap();
    let (status, read) = get(url, &format!("/v1/articles/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(read, first);
}

#[tokio::test]
async fn a_dry_run_stores_nothing() {
    let stack = Stack::start(|_| {}).await;
    let url = &stack.reader.url;
    let article = json!({"text": ENGLISH, "published_at": "2024-03-05",
        "url": "https://example.com/dry"});
    let (status, answer) = post(url, "/v1/articles?dry_run=true", &article).await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["article"]["id"].as_str().unwrap().to_owned();
    assert_eq!(stack.articles_entries().await, 0);
    assert_eq!(get(url, &format!("/v1/articles/{id}")).await.0, 404);
    let (status, problem) = post(url, "/v1/articles?dry_run=maybe", &article).await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["errors"][0]["pointer"], "/dry_run");
    // Read for real afterwards: 201.
    assert_eq!(post(url, "/v1/articles", &article).await.0, 201);
}

#[tokio::test]
async fn hostile_articles_get_clear_answers_and_the_reader_stays_healthy() {
    let stack = Stack::start(|_| {}).await;
    let url = &stack.reader.url;

    // A third language, named.
    let (status, problem) = post(
        url,
        "/v1/articles",
        &json!({"text": "Le groupe a signé un accord.", "published_at": "2024-03-05",
                "language": "fr"}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["pointer"], "/language");
    assert!(
        problem["detail"].as_str().unwrap().contains("'fr'"),
        "{problem}"
    );

    // No publication date, named.
    let (status, problem) = post(url, "/v1/articles", &json!({"text": ENGLISH})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["pointer"], "/published_at");

    // Neither text nor html; both.
    let (status, _) = post(url, "/v1/articles", &json!({"published_at": "2024-03-05"})).await;
    assert_eq!(status, 422);
    let (status, _) = post(
        url,
        "/v1/articles",
        &json!({"text": "a", "html": "<p>a</p>", "published_at": "2024-03-05"}),
    )
    .await;
    assert_eq!(status, 422);

    // Binary junk as text.
    let junk: String = (0u8..=255).cycle().take(4096).map(char::from).collect();
    let (status, problem) = post(
        url,
        "/v1/articles",
        &json!({"text": junk, "published_at": "2024-03-05"}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["pointer"], "/text");

    // Bytes that are not JSON at all.
    let bytes: Vec<u8> = (0u8..=255).cycle().take(10_000).collect();
    let (status, _) = post_raw(url, "/v1/articles", bytes).await;
    assert_eq!(status, 400);

    // A 5 MB HTML page: a clear answer either way.
    let paragraph = "<div><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p></div>";
    let page = format!(
        "<html><body>{}</body></html>",
        paragraph.repeat(5_000_000 / paragraph.len())
    );
    let (status, answer) = post(
        url,
        "/v1/articles",
        &json!({"html": page, "published_at": "2024-03-05"}),
    )
    .await;
    assert!(
        [201, 413, 422].contains(&status),
        "{status}: {}",
        answer.to_string().get(..300).unwrap_or_default()
    );
    // Over the body limit: 413 before anything is parsed.
    let huge = format!(
        "{{\"text\": \"{}\", \"published_at\": \"2024-03-05\"}}",
        "a".repeat(7 * 1024 * 1024)
    );
    let (status, problem) = post_raw(url, "/v1/articles", huge.into_bytes()).await;
    assert_eq!(status, 413, "{problem}");
    // A JSON document of a million tiny values.
    let values = format!("[{}1]", "1,".repeat(2_000_000));
    let (status, _) = post_raw(url, "/v1/articles", values.into_bytes()).await;
    assert!(status == 413 || status == 422, "{status}");

    assert_eq!(get(url, "/readyz").await.0, 200);
    let (status, _) = post(
        url,
        "/v1/articles",
        &json!({"text": ENGLISH, "published_at": "2024-03-05"}),
    )
    .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn entries_of_a_bad_client_are_quarantined_not_applied() {
    let stack = Stack::start(|_| {}).await;
    let js = &stack.log.js;
    // Junk, a forged article on another subject, a decision on no candidate.
    js.publish("liaison.articles.read.x", "not json".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let entry = support::article_entry("https://example.com/forged", &[]);
    js.publish(
        "liaison.articles.read.00000000-0000-0000-0000-000000000000",
        serde_json::to_vec(&entry).unwrap().into(),
    )
    .await
    .unwrap()
    .await
    .unwrap();
    let decision = json!({"kind": "candidate_decided",
        "candidate_id": "00000000-0000-0000-0000-000000000001",
        "article_id": "00000000-0000-0000-0000-000000000002",
        "decision": {"state": "rejected", "reason": "x", "at": "2024-03-05T00:00:00Z"}});
    let last = js
        .publish(
            "liaison.articles.decided.00000000-0000-0000-0000-000000000001",
            serde_json::to_vec(&decision).unwrap().into(),
        )
        .await
        .unwrap()
        .await
        .unwrap()
        .sequence;
    assert!(
        stack
            .reader
            .handle
            .articles
            .wait_applied(last, Duration::from_secs(10))
            .await
    );
    let (status, list) = get(
        &stack.reader.url,
        &format!("/v1/admin/quarantine?stream={ARTICLES_STREAM}"),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 3, "{list}");
    let reasons: Vec<String> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reasons"][0].as_str().unwrap().to_owned())
        .collect();
    assert!(reasons[0].contains("(shape)"), "{reasons:?}");
    assert!(reasons[1].contains("(subject)"), "{reasons:?}");
    assert!(
        reasons[2].contains("no article read proposed"),
        "{reasons:?}"
    );
    assert_eq!(get(&stack.reader.url, "/readyz").await.0, 200);
    let (_, forged) = get(
        &stack.reader.url,
        &format!(
            "/v1/articles/{}",
            liaison_proto::reader::article_id_of_url("https://example.com/forged")
        ),
    )
    .await;
    assert!(forged.get("article").is_none(), "not applied: {forged}");
    // The log's quarantine is apart and empty.
    let (_, log) = get(&stack.reader.url, "/v1/admin/quarantine").await;
    assert_eq!(log["total"], 0, "{log}");
}

/// Candidates of a simple article in each language, once the extractor reads them.
#[tokio::test]
async fn simple_articles_give_candidates() {
    let stack = Stack::start(|_| {}).await;
    stack
        .register(&[
            ("siemens", "Siemens"),
            ("sap", "SAP"),
            ("microsoft", "Microsoft"),
            ("openai", "OpenAI"),
        ])
        .await;
    for (text, language, kind) in [
        (GERMAN, "de", "partnership.announced"),
        (ENGLISH, "en", "agreement.signed"),
    ] {
        let (status, answer) = post(
            &stack.reader.url,
            "/v1/articles",
            &json!({"text": text, "published_at": "2024-03-06",
                    "url": format!("https://example.com/{language}")}),
        )
        .await;
        assert_eq!(status, 201, "{answer}");
        assert_eq!(answer["article"]["language"], language);
        let candidates = answer["candidates"].as_array().unwrap();
        let found = candidates
            .iter()
            .find(|c| c["event"]["type"] == kind)
            .unwrap_or_else(|| panic!("a {kind} candidate in {answer}"));
        assert_eq!(found["state"], "pending");
        assert_eq!(found["event"]["data"]["topics"], json!(["ai"]));
        let evidence = &found["event"]["data"]["evidence"];
        assert_eq!(evidence["language"], language);
        assert_eq!(evidence["quote"], Value::String(text.to_owned()));
        assert!(found["rationale"]["trigger"].as_str().is_some());
    }
}

/// An article in French, detected, once the extractor detects languages.
#[tokio::test]
async fn a_french_article_is_refused_by_its_language() {
    let stack = Stack::start(|_| {}).await;
    let (status, problem) = post(
        &stack.reader.url,
        "/v1/articles",
        &json!({"text": "Siemens et SAP ont annoncé mardi un partenariat dans l'intelligence \
                 artificielle, ont indiqué les entreprises.", "published_at": "2024-03-05"}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("German"),
        "{problem}"
    );
}
