//! The review queue in a real headless chromium against a real stack (nats-server, ingest, the
//! projection, the notifier, the reader and the console), keyboard only:
//!
//! - with the Meta–LG scenario's organizations and people registered, the team's article posted
//!   from the console's form shows its candidates, the sentence with the organizations and the
//!   trigger marked;
//! - the XR cooperation candidate's effect preview says meta–lg-electronics on xr would go from
//!   none to exploring;
//! - `a` accepts it and moves on; its event is then in the relationship view;
//! - `r`, a reason and Enter reject the next one; after a reload it is still rejected, with its
//!   reason;
//! - `e` opens the form built from the event type's JSON Schema; a changed factuality and
//!   Ctrl+Enter accept the edited event;
//! - a second article announcing a partnership: its preview shows exploring → active and the
//!   rules that would fire — the built-in new-partnership and a rule created beforehand through
//!   the notifier's API;
//! - at phone width the queue does not scroll sideways;
//! - an article posted by its address alone ("Read from the address"): the reader fetches the
//!   page from a local server and the queue shows its candidates.
//!
//! `LIAISON_SCREENSHOTS=1` writes `docs/screenshots/review.png`.

mod support;

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use reqwest::Method;
use serde_json::{Value, json};
use support::browser::Browser;
use support::review::{ReviewStack, registrations};

/// How long a view may take to show what the test waits for (generous: a loaded CI machine).
const WAIT: Duration = Duration::from_secs(10);
/// The pair-topic of the scenario.
const PAIR: &str = "lg-electronics|meta|xr";
/// A second article: the partnership.
const PARTNERSHIP: &str =
    "Meta and LG Electronics announced a partnership on XR headsets on Tuesday.";

/// The page of the third article, served on 127.0.0.1 for the reader to fetch.
const PAGE: &str = "<!doctype html><html><head><title>XR deal</title></head><body>\
    <nav><a href=\"/\">Home</a> | <a href=\"/tech\">Tech</a></nav><article><h1>XR deal</h1>\
    <p>Meta and LG Electronics signed an agreement on XR headsets on Monday, the companies \
    said.</p></article><footer>Imprint</footer></body></html>";

/// Presses `key` on whatever has the focus, as a person would.
async fn press(b: &Browser, key: char) {
    let keys = KeyActions::new("keys".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    b.client.perform_actions(keys).await.expect("a key press");
    b.client.release_actions().await.expect("keys released");
}

/// A check that the review view is loaded and shows candidate `id`.
fn showing(id: &str) -> String {
    format!(
        "const s = document.querySelector('section.review-view'); \
         return !!s && s.dataset.state === 'ready' && s.dataset.candidate === '{id}' \
         && !!document.querySelector('article.candidate[data-id=\"{id}\"]');"
    )
}

/// A check that the effect preview shows `PAIR` going from `now` to `after`.
fn effect_is(now: &str, after: &str) -> String {
    format!(
        "const r = document.querySelector('aside.effect[data-state=\"ready\"] tr[data-pair=\"{PAIR}\"]'); \
         return !!r && r.dataset.now === '{now}' && r.dataset.after === '{after}';"
    )
}

/// The reader's candidates of `article` (in text order).
async fn candidates(s: &ReviewStack, article: &str) -> Vec<Value> {
    let url = format!("{}/v1/candidates?article={article}", s.reader.url);
    let (status, body) = s.call(Method::GET, &url, None, None).await;
    assert_eq!(status, 200, "{body}");
    body["candidates"].as_array().unwrap().clone()
}

/// Posts an article from the console's form (opened with `n`), typing every field.
async fn post_article(b: &Browser, text: &str, published: &str) -> String {
    let before = b.js("return location.hash;").await;
    press(b, 'n').await;
    let area = b.element("textarea#article-text", WAIT).await;
    area.send_keys(text).await.unwrap();
    b.element("select#article-language", WAIT)
        .await
        .send_keys("en")
        .await
        .unwrap();
    let date = b.element("input#article-published", WAIT).await;
    date.send_keys(published).await.unwrap();
    date.send_keys("\u{E007}").await.unwrap(); // Enter submits the form
    posted(b, &before).await
}

/// Posts an article by its address alone from the console's form: "Read from the address"
/// chosen with the space bar, the address and the date typed.
async fn post_address(b: &Browser, url: &str, published: &str) -> String {
    let before = b.js("return location.hash;").await;
    press(b, 'n').await;
    b.element("textarea#article-text", WAIT).await;
    b.element("input[name=source][value=url]", WAIT)
        .await
        .send_keys(" ")
        .await
        .unwrap();
    b.until(
        "the form asks for the address alone",
        "return !document.querySelector('textarea#article-text') \
         && document.querySelector('input#article-url').required;",
        WAIT,
    )
    .await;
    b.element("input#article-url", WAIT)
        .await
        .send_keys(url)
        .await
        .unwrap();
    let date = b.element("input#article-published", WAIT).await;
    date.send_keys(published).await.unwrap();
    date.send_keys("\u{E007}").await.unwrap(); // Enter submits the form
    posted(b, &before).await
}

/// Waits until the queue shows the article posted from a page at `before`; its id.
async fn posted(b: &Browser, before: &Value) -> String {
    b.until(
        "the queue shows the posted article",
        &format!(
            "return location.hash !== {before} && location.hash.includes('article=') \
             && document.querySelector('section.review-view')?.dataset.state === 'ready';"
        ),
        WAIT,
    )
    .await;
    let hash = b.js("return location.hash;").await;
    let hash = hash.as_str().unwrap();
    hash.split("article=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_queue_in_a_browser() {
    let started = Instant::now();
    let s = ReviewStack::start(None).await;
    let last = s.append(&registrations("meta-lg-2024"), None).await;
    s.wait_applied(last).await;
    let rule = json!({"id": "xr-partners", "name": "XR partnerships",
        "match": {"topics": ["xr"], "status": ["agreed", "active"]}});
    let (status, body) = s
        .call(
            Method::POST,
            &format!("{}/v1/rules", s.notifier.url),
            Some(&rule),
            None,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let b = Browser::start().await;
    let console = s.console.url.clone();
    b.client.goto(&format!("{console}/#/review")).await.unwrap();
    b.until(
        "the empty queue",
        "return document.querySelector('section.review-view')?.dataset.state === 'ready';",
        WAIT,
    )
    .await;

    // The team's article, posted from the form: its candidates, highlighted.
    let text =
        std::fs::read_to_string(support::repo_root().join("deploy/articles/meta-lg-2024.en.txt"))
            .unwrap();
    let posted = Instant::now();
    let article = post_article(&b, text.trim(), "2024-02-28").await;
    let read_in = posted.elapsed();
    let listed = candidates(&s, &article).await;
    assert!(listed.len() >= 3, "candidates of the article: {listed:?}");
    let count = b
        .js("return Number(document.querySelector('section.review-view').dataset.count);")
        .await;
    assert_eq!(
        count,
        json!(listed.len()),
        "the queue lists the article's candidates"
    );
    let xr = listed
        .iter()
        .find(|c| {
            c["event"]["type"] == "cooperation.discussed"
                && c["event"]["data"]["topics"] == json!(["xr"])
        })
        .expect("the XR cooperation candidate");
    let xr_id = xr["id"].as_str().unwrap().to_owned();
    let xr_at = listed.iter().position(|c| c["id"] == xr["id"]).unwrap();
    for _ in 0..xr_at {
        press(&b, 'j').await;
    }
    b.until("the XR cooperation candidate", &showing(&xr_id), WAIT)
        .await;
    let marks = b
        .js("return [...document.querySelectorAll('article.candidate mark')].map(m => [m.className, m.textContent]);")
        .await;
    println!("marks: {marks}");
    let marks = marks.as_array().unwrap();
    assert!(
        marks.iter().filter(|m| m[0] == "org").count() >= 2,
        "both organizations marked: {marks:?}"
    );
    assert!(
        marks.iter().any(|m| m[0] == "trigger"),
        "the trigger marked: {marks:?}"
    );
    let shown = b
        .js("return document.querySelector('article.candidate .factuality').textContent;")
        .await;
    assert_eq!(shown, "asserted");

    // Its effect preview: none → exploring.
    let previewed = b
        .until(
            "none → exploring on xr",
            &effect_is("none", "exploring"),
            WAIT,
        )
        .await;
    let fired = b
        .js("return document.querySelectorAll('li.firing').length;")
        .await;
    assert_eq!(fired, 0, "exploring fires no partnership rule");

    // `a` accepts it and moves on to the next pending one.
    press(&b, 'a').await;
    b.until(
        "accepted, and the queue moved on",
        &format!(
            "return document.querySelector('.undo[data-last=\"accepted\"]') !== null \
             && document.querySelector('section.review-view').dataset.candidate !== '{xr_id}';"
        ),
        WAIT,
    )
    .await;
    let next_id = b
        .js("return document.querySelector('section.review-view').dataset.candidate;")
        .await;
    let next_id = next_id.as_str().unwrap().to_owned();
    assert!(!next_id.is_empty(), "another candidate is shown");
    // `u` on an acceptance says that only a retraction undoes it.
    press(&b, 'u').await;
    b.element(".undo [data-undo=\"retract\"]", WAIT).await;

    // The accepted event is in the relationship.
    b.client
        .goto(&format!(
            "{console}/#/relationship/lg-electronics/meta?topic=xr"
        ))
        .await
        .unwrap();
    b.until(
        "the accepted event in the relationship",
        &format!(
            "return document.querySelector('article.relationship')?.dataset.status === 'exploring' \
             && !!document.querySelector('li[data-event-id=\"{xr_id}\"]');"
        ),
        WAIT,
    )
    .await;

    // `r`, a reason, Enter: rejected; still so after a reload.
    b.client
        .goto(&format!(
            "{console}/#/review?article={article}&candidate={next_id}"
        ))
        .await
        .unwrap();
    b.until("the next candidate", &showing(&next_id), WAIT)
        .await;
    press(&b, 'r').await;
    let reason = b.element("form.reason input[name=reason]", WAIT).await;
    reason
        .send_keys("not what the sentence says\u{E007}")
        .await
        .unwrap();
    b.until(
        "rejected",
        "return document.querySelector('.undo[data-last=\"rejected\"]') !== null;",
        WAIT,
    )
    .await;
    b.client
        .goto(&format!(
            "{console}/#/review?state=rejected&article={article}&candidate={next_id}"
        ))
        .await
        .unwrap();
    b.client.refresh().await.unwrap();
    b.until("the rejected candidate", &showing(&next_id), WAIT)
        .await;
    let kept = b
        .js("return [document.querySelector('article.candidate').dataset.state, document.querySelector('.reason-text')?.textContent];")
        .await;
    assert_eq!(kept, json!(["rejected", "not what the sentence says"]));

    // `e` edits the next pending one in the form built from its type's schema; Ctrl+Enter
    // accepts the edited event.
    b.client
        .goto(&format!("{console}/#/review?article={article}"))
        .await
        .unwrap();
    b.until(
        "the pending queue",
        "const s = document.querySelector('section.review-view'); \
         return s?.dataset.state === 'ready' && s.dataset.candidate !== '';",
        WAIT,
    )
    .await;
    let edit_id = b
        .js("return document.querySelector('section.review-view').dataset.candidate;")
        .await;
    let edit_id = edit_id.as_str().unwrap().to_owned();
    press(&b, 'e').await;
    let factuality = b.element("form.editor select[name=factuality]", WAIT).await;
    let fields = b
        .js("return [...document.querySelectorAll('form.editor [name]')].map(e => e.name);")
        .await;
    println!("edit form fields: {fields}");
    factuality.send_keys("reported").await.unwrap();
    factuality
        .send_keys("\u{E009}\u{E007}\u{E000}")
        .await
        .unwrap(); // Ctrl+Enter
    b.until(
        "the edited candidate accepted",
        &format!(
            "return document.querySelector('.undo[data-last=\"accepted\"]') !== null \
             && document.querySelector('section.review-view').dataset.candidate !== '{edit_id}';"
        ),
        WAIT,
    )
    .await;
    let (_, edited) = s
        .call(
            Method::GET,
            &format!("{}/v1/candidates/{edit_id}", s.reader.url),
            None,
            None,
        )
        .await;
    assert_eq!(edited["state"], "accepted", "{edited}");
    assert_eq!(
        edited["event"]["data"]["factuality"], "reported",
        "the edit was appended: {edited}"
    );

    // A partnership: exploring → active, and the rules that would fire.
    b.client.goto(&format!("{console}/#/review")).await.unwrap();
    b.until(
        "the queue",
        "return document.querySelector('section.review-view')?.dataset.state === 'ready';",
        WAIT,
    )
    .await;
    let second = post_article(&b, PARTNERSHIP, "2024-03-05").await;
    let listed = candidates(&s, &second).await;
    println!("partnership article: {}", Value::Array(listed.clone()));
    let deal = listed
        .iter()
        .find(|c| c["event"]["type"] == "partnership.announced")
        .expect("a partnership candidate");
    let deal_id = deal["id"].as_str().unwrap();
    let at = listed.iter().position(|c| c["id"] == deal["id"]).unwrap();
    for _ in 0..at {
        press(&b, 'j').await;
    }
    b.until("the partnership candidate", &showing(deal_id), WAIT)
        .await;
    b.until(
        "exploring → active on xr",
        &effect_is("exploring", "active"),
        WAIT,
    )
    .await;
    b.until(
        "the rules that would fire",
        "return !!document.querySelector('li.firing[data-rule=\"new-partnership\"]') \
         && !!document.querySelector('li.firing[data-rule=\"xr-partners\"]');",
        WAIT,
    )
    .await;
    b.screenshot("review").await;

    // At phone width the queue fits: nothing scrolls sideways.
    b.client.set_window_size(390, 844).await.unwrap();
    b.until(
        "the partnership candidate at phone width",
        &showing(deal_id),
        WAIT,
    )
    .await;
    let fits = "const d = document.documentElement; return d.scrollWidth <= d.clientWidth;";
    assert_eq!(
        b.js(fits).await,
        json!(true),
        "the review view scrolls sideways at phone width"
    );

    // An article by its address alone: the reader fetches the page, the queue shows its
    // candidates.
    b.client.set_window_size(1280, 800).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let page_url = format!("http://{}/news/xr-deal", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/news/xr-deal",
        axum::routing::get(|| async { ([("content-type", "text/html; charset=utf-8")], PAGE) }),
    );
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    b.client.goto(&format!("{console}/#/review")).await.unwrap();
    b.until(
        "the queue",
        "return document.querySelector('section.review-view')?.dataset.state === 'ready';",
        WAIT,
    )
    .await;
    let third = post_address(&b, &page_url, "2024-03-11").await;
    let listed = candidates(&s, &third).await;
    println!("article from its address: {}", Value::Array(listed.clone()));
    assert!(!listed.is_empty(), "candidates of the fetched page");
    let first = listed[0]["id"].as_str().unwrap();
    b.until(
        "the fetched article's first candidate",
        &showing(first),
        WAIT,
    )
    .await;
    let (_, read) = s
        .call(
            Method::GET,
            &format!("{}/v1/articles/{third}", s.reader.url),
            None,
            None,
        )
        .await;
    assert_eq!(read["article"]["url"], page_url.as_str(), "{read}");
    assert_eq!(read["article"]["title"], "XR deal", "{read}");
    server.abort();

    println!(
        "article read and listed in {read_in:?}, preview shown in {previewed:?}; whole check {:?}",
        started.elapsed()
    );
    b.stop().await;
    s.stop().await;
}
