//! The console in a real headless chromium against a real stack (nats-server, ingest, the
//! projection, the console): one stack and one browser session walk every check, in order.
//!
//! - after the Meta–LG scenario, the graph shows Meta–LG Electronics on `xr` as exploring;
//! - the time slider at 2024-02-27 shows no edge between them;
//! - a URL copied from one tab restores the same view (filters, date) in another;
//! - appending the hypothetical partnership turns the edge active with no reload, and the live
//!   tail shows the event; a paused tail holds and counts what arrives and shows it on resume;
//! - the relationship shows its status, facts and evidence;
//! - a wrong token shows a clear sign-in error; the right one signs in;
//! - the health view shows which services are ready, and their quarantine;
//! - at phone width the graph view does not scroll sideways.
//!
//! `LIAISON_SCREENSHOTS=1` writes the screenshots of the README into `docs/screenshots/`.

mod support;

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::json;
use support::browser::Browser;
use support::{TOKEN, TestStack, scenario};

/// How long a view may take to show what the test waits for (generous: a loaded CI machine).
const WAIT: Duration = Duration::from_secs(10);
/// The edge of Meta and LG Electronics on `xr`, as the graph and its table name it.
const EDGE: &str = "lg-electronics|meta|xr";

/// A check that the view's edge `EDGE` has `status`, in the graph and in its table.
fn edge_is(status: &str) -> String {
    format!(
        "return document.querySelector('path[data-edge=\"{EDGE}\"]')?.dataset.status === '{status}' \
         && document.querySelector('tr[data-edge=\"{EDGE}\"]')?.dataset.status === '{status}';"
    )
}

/// A check that the graph shows the data of `as_of` ('' for now), loaded.
fn graph_ready(as_of: &str) -> String {
    format!(
        "const s = document.querySelector('section.graph-view'); \
         return !!s && s.dataset.state === 'ready' && s.dataset.asOf === '{as_of}';"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_in_a_browser() {
    let started = Instant::now();
    let stack = TestStack::start().await;
    let last = stack.append(&scenario("meta-lg-2024")).await;
    stack.wait_applied(last).await;
    let b = Browser::start().await;
    let console = stack.console.url.clone();

    // The graph, now: Meta–LG Electronics on xr is exploring.
    b.client.goto(&format!("{console}/#/graph")).await.unwrap();
    b.until("the graph is loaded", &graph_ready(""), WAIT).await;
    b.until(
        "Meta–LG Electronics on xr is exploring",
        &edge_is("exploring"),
        WAIT,
    )
    .await;
    b.screenshot("graph").await;

    // The slider at 2024-02-27, the day before the meeting: no edge between them.
    b.js("const s = document.getElementById('as-of'); \
         const start = Date.parse(s.dataset.start + 'T00:00:00Z'); \
         s.value = String(Math.round((Date.parse('2024-02-27T00:00:00Z') - start) / 86400000)); \
         s.dispatchEvent(new Event('input', { bubbles: true })); \
         s.dispatchEvent(new Event('change', { bubbles: true })); return true;")
        .await;
    b.until(
        "the graph as of 2024-02-27",
        &graph_ready("2024-02-27"),
        WAIT,
    )
    .await;
    let between = b
        .js("return document.querySelectorAll('[data-edge^=\"lg-electronics|meta|\"]').length;")
        .await;
    assert_eq!(between, json!(0), "no edge between them on 2024-02-27");

    // A filter, then the URL into another tab: the same view.
    b.element("select[name=topic]", WAIT)
        .await
        .select_by_label("xr")
        .await
        .unwrap();
    b.until(
        "the topic is in the URL",
        "return location.hash.includes('topic=xr');",
        WAIT,
    )
    .await;
    let url = b.client.current_url().await.unwrap().to_string();
    assert!(url.contains("as_of=2024-02-27"), "{url}");
    let first_tab = b.client.window().await.unwrap();
    let tab = b.client.new_window(true).await.unwrap();
    b.client.switch_to_window(tab.handle).await.unwrap();
    b.client.goto(&url).await.unwrap();
    b.until("the copied view", &graph_ready("2024-02-27"), WAIT)
        .await;
    let restored = b
        .js(
            "return [document.querySelector('select[name=topic]').value, \
             document.querySelector('.slider output').textContent];",
        )
        .await;
    assert_eq!(restored, json!(["xr", "2024-02-27"]));
    b.client.close_window().await.unwrap();
    b.client.switch_to_window(first_tab).await.unwrap();

    // Back to now; the partnership arrives while the page is open: the edge turns active live.
    b.element(".slider button", WAIT)
        .await
        .click()
        .await
        .unwrap();
    b.until("the graph, now", &graph_ready(""), WAIT).await;
    b.until("exploring again", &edge_is("exploring"), WAIT)
        .await;
    b.js("window.__notReloaded = true; return true;").await;
    let partnership = scenario("demo-hypothetical");
    let appended = Instant::now();
    stack.append(&partnership).await;
    b.until("the edge turns active", &edge_is("active"), WAIT)
        .await;
    let live = appended.elapsed();
    assert_eq!(
        b.js("return window.__notReloaded === true;").await,
        json!(true)
    );
    eprintln!("the edge turned active {live:?} after the append, with no reload");

    // The live tail shows the event that did it.
    b.element("nav a[href='#/live']", WAIT)
        .await
        .click()
        .await
        .unwrap();
    let event_id = partnership[0]["id"].as_str().unwrap().to_owned();
    b.element(
        &format!("tr[data-event-id='{event_id}'][data-after='active']"),
        WAIT,
    )
    .await;

    // Paused, it holds and counts what arrives; resumed, it shows it.
    b.client
        .find(Locator::XPath("//button[normalize-space()='Pause']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let meeting_id = "0c6f2d4e-5b1a-4f7e-9a43-2d1f6b8e7a10";
    stack
        .append(&json!([{
            "type": "meeting.held", "id": meeting_id, "time": "2024-03-20",
            "data": { "organizations": ["meta", "nvidia"], "topics": ["chips"] }
        }]))
        .await;
    b.element("button[data-held='1']", WAIT).await;
    let hidden = format!("return !document.querySelector(\"tr[data-event-id='{meeting_id}']\");");
    assert_eq!(b.js(&hidden).await, json!(true), "held while paused");
    b.element("button[data-held='1']", WAIT)
        .await
        .click()
        .await
        .unwrap();
    b.element(&format!("tr[data-event-id='{meeting_id}']"), WAIT)
        .await;
    b.screenshot("live").await;

    // The relationship: active since the partnership, its facts with their evidence.
    b.element(&format!("tr[data-event-id='{event_id}'] a"), WAIT)
        .await
        .click()
        .await
        .unwrap();
    b.element(
        "article.relationship[data-state='ready'][data-status='active']",
        WAIT,
    )
    .await;
    b.element(&format!("li[data-event-id='{event_id}']"), WAIT)
        .await;
    b.element(".facts blockquote", WAIT).await;
    b.screenshot("relationship").await;

    // A wrong token is refused with a clear error; the right one signs in.
    b.client
        .find(Locator::XPath("//button[normalize-space()='Sign in']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let input = b.element("input[name=token]", WAIT).await;
    input.send_keys("not-the-token").await.unwrap();
    b.element("form.signin button[type=submit]", WAIT)
        .await
        .click()
        .await
        .unwrap();
    let error = b.element("#signin-error", WAIT).await.text().await.unwrap();
    assert!(
        error.contains("refused this token") && error.contains("401"),
        "{error}"
    );
    input.clear().await.unwrap();
    input.send_keys(TOKEN).await.unwrap();
    b.element("form.signin button[type=submit]", WAIT)
        .await
        .click()
        .await
        .unwrap();
    b.element("[data-signed-in='true']", WAIT).await;
    let kept = b
        .js("return [sessionStorage.getItem('liaison.token'), location.href.includes('token')];")
        .await;
    assert_eq!(kept, json!([TOKEN, false]));

    // Health: ingest and the projection ready, their quarantine readable once signed in; the
    // reader, not running here, not ready.
    b.element("nav a[href='#/health']", WAIT)
        .await
        .click()
        .await
        .unwrap();
    for service in ["ingest", "projection"] {
        let row = format!("tr[data-service='{service}'][data-ready='true']");
        let text = b.element(&row, WAIT).await.text().await.unwrap();
        assert!(
            text.contains("none"),
            "{service}: nothing quarantined: {text}"
        );
    }
    b.element("tr[data-service='reader'][data-ready='false']", WAIT)
        .await;

    // At phone width, the graph view fits: nothing scrolls sideways.
    b.client.set_window_size(390, 844).await.unwrap();
    b.client
        .goto(&format!("{console}/#/graph?topic=xr"))
        .await
        .unwrap();
    b.until("the graph at phone width", &graph_ready(""), WAIT)
        .await;
    let fits = "const d = document.documentElement; return d.scrollWidth <= d.clientWidth;";
    assert_eq!(
        b.js(fits).await,
        json!(true),
        "the graph view scrolls sideways"
    );
    b.screenshot("phone").await;

    b.stop().await;
    stack.stop().await;
    eprintln!("the browser test took {:?}", started.elapsed());
}
