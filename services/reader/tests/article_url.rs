//! An article posted by its url alone: the reader fetches the page from a local HTTP server,
//! reduces its HTML to the main text and reads it (`201` with candidates); the same url again is
//! `200` without a second fetch; a `404` page is a problem naming `/url` and its class; a page
//! that is neither HTML nor text is refused; a private address is refused unless private
//! addresses are allowed.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;
use support::{GERMAN, Stack, post};

/// The page: navigation around an article with the German sentence.
fn page() -> String {
    format!(
        "<!doctype html><html><head><title>Partnerschaft</title><meta charset=\"utf-8\"></head>\
         <body><nav><a href=\"/\">Start</a> | <a href=\"/wirtschaft\">Wirtschaft</a></nav>\
         <article><h1>Partnerschaft</h1><p>{GERMAN}</p></article>\
         <footer>Impressum</footer></body></html>"
    )
}

/// Serves `/news/1` (HTML), `/data.bin` (not text) and a `404` elsewhere, counting requests.
async fn serve(count: Arc<AtomicUsize>) -> (String, tokio::task::JoinHandle<()>) {
    async fn news(State(count): State<Arc<AtomicUsize>>) -> impl IntoResponse {
        count.fetch_add(1, Ordering::SeqCst);
        ([("content-type", "text/html; charset=utf-8")], page())
    }
    async fn binary() -> impl IntoResponse {
        (
            [("content-type", "application/octet-stream")],
            vec![0u8; 64],
        )
    }
    async fn missing() -> impl IntoResponse {
        (StatusCode::NOT_FOUND, "no such page")
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/news/1", axum::routing::get(news))
        .route("/data.bin", axum::routing::get(binary))
        .fallback(missing)
        .with_state(count);
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, server)
}

#[tokio::test]
async fn an_article_is_read_from_its_url_once() {
    let stack = Stack::start(|c| c.feed_allow_private = true).await;
    stack
        .register(&[("siemens", "Siemens"), ("sap", "SAP")])
        .await;
    let count = Arc::new(AtomicUsize::new(0));
    let (base, server) = serve(count.clone()).await;
    let url = &stack.reader.url;
    let article = json!({"url": format!("{base}/news/1"), "published_at": "2024-03-05"});

    let (status, first) = post(url, "/v1/articles", &article).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_eq!(first["article"]["url"], format!("{base}/news/1"));
    assert_eq!(first["article"]["language"], "de");
    assert_eq!(first["article"]["title"], "Partnerschaft");
    let text = first["article"]["text"].as_str().unwrap();
    assert!(text.contains(GERMAN), "{text}");
    assert!(!text.contains("Impressum") && !text.contains('<'), "{text}");
    let candidates = first["candidates"].as_array().unwrap();
    assert!(
        candidates
            .iter()
            .any(|c| c["event"]["type"] == "partnership.announced"),
        "a partnership candidate in {first}"
    );
    assert_eq!(
        first["article"]["id"],
        json!(liaison_proto::reader::article_id_of_url(&format!(
            "{base}/news/1"
        )))
    );

    // The same url again: the stored answer, not fetched again.
    let (status, second) = post(url, "/v1/articles", &article).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second, first);
    assert_eq!(count.load(Ordering::SeqCst), 1, "fetched once");
    assert_eq!(stack.articles_entries().await, 1);

    // A 404 page, and a page that is not text: problems naming /url and the class.
    for (path, status, reason) in [
        ("/news/2", 422, "status"),
        ("/data.bin", 422, "content_type"),
    ] {
        let body = json!({"url": format!("{base}{path}"), "published_at": "2024-03-05"});
        let (got, problem) = post(url, "/v1/articles", &body).await;
        assert_eq!(got, status, "{path}: {problem}");
        assert_eq!(problem["errors"][0]["pointer"], "/url", "{problem}");
        assert_eq!(problem["reason"], reason, "{problem}");
    }
    // Nothing listens: the other side failed, 502.
    let (got, problem) = post(
        url,
        "/v1/articles",
        &json!({"url": "http://127.0.0.1:9/news", "published_at": "2024-03-05"}),
    )
    .await;
    assert_eq!(got, 502, "{problem}");
    assert_eq!(problem["errors"][0]["pointer"], "/url", "{problem}");
    assert_eq!(problem["reason"], "connect", "{problem}");
    assert_eq!(stack.articles_entries().await, 1, "nothing else stored");
    server.abort();
}

#[tokio::test]
async fn a_private_address_is_refused_unless_allowed() {
    let stack = Stack::start(|c| c.feed_allow_private = false).await;
    let count = Arc::new(AtomicUsize::new(0));
    let (base, server) = serve(count.clone()).await;
    let url = &stack.reader.url;
    for address in [format!("{base}/news/1"), "http://[::1]/news".to_owned()] {
        let (status, problem) = post(
            url,
            "/v1/articles",
            &json!({"url": address, "published_at": "2024-03-05"}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["pointer"], "/url", "{problem}");
        assert_eq!(problem["reason"], "forbidden_address", "{problem}");
    }
    // Neither text nor html nor url; an ftp url alone.
    for body in [
        json!({"published_at": "2024-03-05"}),
        json!({"url": "ftp://example.com/news", "published_at": "2024-03-05"}),
    ] {
        let (status, problem) = post(url, "/v1/articles", &body).await;
        assert_eq!(status, 422, "{body}: {problem}");
    }
    assert_eq!(count.load(Ordering::SeqCst), 0, "nothing fetched");
    assert_eq!(stack.articles_entries().await, 0);
    server.abort();
}
