//! Feeds: a feed served by a local HTTP server is polled, its new item read once, the next poll
//! is conditional and gets `304`, and nothing new is read; a feed on a private address is
//! refused unless private addresses are allowed.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde_json::json;
use support::{Stack, get, post};

const ETAG: &str = "\"v1\"";

fn rss(base: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Example Wire</title>
        <item><guid>deal-1</guid><title>Deal</title><link>{base}/news/deal-1</link>
        <pubDate>Mon, 04 Mar 2024 10:00:00 GMT</pubDate>
        <description>&lt;p&gt;Microsoft and OpenAI signed an agreement on AI on Monday, the companies said.&lt;/p&gt;</description>
        </item></channel></rss>"#
    )
}

/// What the feed server saw: each request's `If-None-Match`, and what it answered.
type Seen = Arc<Mutex<Vec<(Option<String>, u16)>>>;

async fn feed(State((seen, body)): State<(Seen, String)>, headers: HeaderMap) -> impl IntoResponse {
    let tag = headers
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let status = if tag.as_deref() == Some(ETAG) {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    seen.lock().unwrap().push((tag, status.as_u16()));
    let body = if status == StatusCode::OK {
        body
    } else {
        String::new()
    };
    (
        status,
        [("etag", ETAG), ("content-type", "application/rss+xml")],
        body,
    )
}

#[tokio::test]
async fn a_feed_item_is_read_once_and_the_next_poll_is_conditional() {
    let stack = Stack::start(|_| {}).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route("/feed.xml", axum::routing::get(feed))
        .with_state((seen.clone(), rss(&base)));
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let url = &stack.reader.url;
    let request = json!({"url": format!("{base}/feed.xml"), "interval": "1s"});
    let (status, registered) = post(url, "/v1/feeds", &request).await;
    assert_eq!(status, 201, "{registered}");
    assert_eq!(registered["interval_seconds"], 1);
    let (status, _) = post(url, "/v1/feeds", &request).await;
    assert_eq!(status, 200, "registered once");

    // Wait for the first poll and a conditional one after it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while seen.lock().unwrap().len() < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "polled: {:?}",
            seen.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests[0], (None, 200), "{requests:?}");
    assert_eq!(requests[1], (Some(ETAG.to_owned()), 304), "{requests:?}");
    assert_eq!(requests[2], (Some(ETAG.to_owned()), 304), "{requests:?}");

    // The item was read once, as an article with its link, title and the feed's title.
    let article = liaison_proto::reader::article_id_of_url(&format!("{base}/news/deal-1"));
    let (status, answer) = get(url, &format!("/v1/articles/{article}")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["article"]["title"], "Deal");
    assert_eq!(answer["article"]["publisher"], "Example Wire");
    assert_eq!(answer["article"]["feed"], registered["id"]);
    assert!(
        answer["article"]["text"]
            .as_str()
            .unwrap()
            .contains("signed an agreement")
    );
    assert_eq!(
        stack.articles_entries().await,
        2,
        "the feed and one article"
    );

    let (_, list) = get(url, "/v1/feeds").await;
    let feeds = list["feeds"].as_array().unwrap();
    assert_eq!(feeds.len(), 1);
    assert_eq!(feeds[0]["last_outcome"], "304 not modified", "{list}");
    server.abort();
}

#[tokio::test]
async fn feeds_are_checked_and_private_addresses_refused_unless_allowed() {
    let stack = Stack::start(|c| {
        c.feed_allow_private = false;
        c.feed_min_interval_seconds = 60;
    })
    .await;
    let url = &stack.reader.url;
    for (body, pointer) in [
        (
            json!({"url": "http://127.0.0.1:9/feed", "interval": "15m"}),
            "/url",
        ),
        (json!({"url": "http://[::1]/feed", "interval": 900}), "/url"),
        (
            json!({"url": "ftp://example.com/feed", "interval": 900}),
            "/url",
        ),
        (
            json!({"url": "https://example.com/feed", "interval": "1s"}),
            "/interval",
        ),
        (
            json!({"url": "https://example.com/feed", "interval": "15 minutes"}),
            "/interval",
        ),
    ] {
        let (status, problem) = post(url, "/v1/feeds", &body).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{problem}");
    }
    let (status, _) = post(
        url,
        "/v1/feeds",
        &json!({"url": "https://example.com/feed"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(stack.articles_entries().await, 0);
}
