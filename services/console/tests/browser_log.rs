//! The log view in a real headless chromium against a real stack (nats-server, ingest, the
//! projection, the console): one stack and one browser session walk every check, in order.
//!
//! - after the Meta–LG scenario, the log shows its events in sequence order;
//! - a type filter narrows the list, on the server (the request carries `type=`);
//! - a seek by sequence lands on it;
//! - an event appended while the page is open shows in the live tail with no reload; paused, the
//!   tail holds and counts what arrives, and shows it on resume;
//! - a URL copied from one tab restores the view (filter, selected event) in another;
//! - the detail shows the event's quote, and "copy as liaison" gives the append that recreates it.
//!
//! `LIAISON_SCREENSHOTS=1` writes `docs/screenshots/log.png`.

mod support;

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::json;
use support::browser::Browser;
use support::{TestStack, scenario};

/// How long a view may take to show what the test waits for (generous: a loaded CI machine).
const WAIT: Duration = Duration::from_secs(10);

/// The sequences of the rows in the DOM, in order (loaded rows: the unfiltered log also draws
/// placeholders for rows on their way).
const ROWS: &str = "return [...document.querySelectorAll('.log-rows li[data-seq]')].map(li => Number(li.dataset.seq));";

/// The rows of the list: only those in view are in the DOM, so the list is scrolled from top to
/// bottom and what each position shows is gathered (each view in order, without gaps).
async fn all_rows(b: &Browser) -> Vec<u64> {
    b.js(
        "const el = document.querySelector('.log-scroll'); el.scrollTop = 0; \
          el.dispatchEvent(new Event('scroll')); return true;",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut seen: Vec<u64> = Vec::new();
    for _ in 0..1000 {
        let rows: Vec<u64> = serde_json::from_value(b.js(ROWS).await).unwrap();
        assert!(
            rows.windows(2).all(|w| w[1] == w[0] + 1),
            "rows in order: {rows:?}"
        );
        for r in rows {
            if seen.last().is_none_or(|l| r > *l) {
                seen.push(r);
            }
        }
        let at_end = b
            .js("const el = document.querySelector('.log-scroll'); \
                 const end = el.scrollTop + el.clientHeight >= el.scrollHeight - 1; \
                 el.scrollTop += el.clientHeight; el.dispatchEvent(new Event('scroll')); return end;")
            .await;
        if at_end == json!(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen
}

fn ready() -> &'static str {
    "const s = document.querySelector('section.log-view'); return !!s && s.dataset.state === 'ready';"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_in_a_browser() {
    let started = Instant::now();
    let stack = TestStack::start().await;
    let events = scenario("meta-lg-2024");
    let last = stack.append(&events).await;
    stack.wait_applied(last).await;
    let b = Browser::start().await;
    let console = stack.console.url.clone();

    // The whole scenario, in sequence order.
    b.client.goto(&format!("{console}/#/log")).await.unwrap();
    b.until("the log is loaded", ready(), WAIT).await;
    assert_eq!(
        all_rows(&b).await,
        (1..=last).collect::<Vec<_>>(),
        "every event, in order"
    );

    // A type filter: the server filters (the request says so), the list narrows.
    b.element("select[name=type]", WAIT)
        .await
        .select_by_label("cooperation.discussed")
        .await
        .unwrap();
    b.until(
        "the filter in the URL and the request",
        "const s = document.querySelector('section.log-view'); \
         return location.hash.includes('type=cooperation.discussed') && s.dataset.state === 'ready' \
         && s.dataset.loadRequest.includes('type=cooperation.discussed');",
        WAIT,
    )
    .await;
    let types = b
        .js("return [...document.querySelectorAll('.log-rows li')].map(li => li.dataset.type);")
        .await;
    let expected = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "cooperation.discussed")
        .count();
    assert_eq!(types, json!(vec!["cooperation.discussed"; expected]));

    // The detail of one, with its quote; the URL copied into another tab restores it.
    b.element(".log-rows li[data-type='cooperation.discussed']", WAIT)
        .await
        .click()
        .await
        .unwrap();
    let quote = b
        .element(".log-detail .quote", WAIT)
        .await
        .text()
        .await
        .unwrap();
    assert!(quote.contains("Zuckerberg"), "the quote: {quote}");
    b.client
        .find(Locator::XPath(
            "//button[normalize-space()='Copy as liaison']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let command = b
        .element("pre.copied[data-kind=liaison]", WAIT)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        command.starts_with("liaison emit") && command.contains("--type cooperation.discussed"),
        "{command}"
    );
    b.screenshot("log").await;
    let url = b.client.current_url().await.unwrap().to_string();
    assert!(url.contains("event="), "{url}");
    let first_tab = b.client.window().await.unwrap();
    let tab = b.client.new_window(true).await.unwrap();
    b.client.switch_to_window(tab.handle).await.unwrap();
    b.client.goto(&url).await.unwrap();
    b.until("the copied view", ready(), WAIT).await;
    b.element(".log-detail .quote", WAIT).await;
    let restored = b
        .js(
            "return [document.querySelector('select[name=type]').value, \
             document.querySelectorAll('.log-rows li').length];",
        )
        .await;
    assert_eq!(restored, json!(["cooperation.discussed", expected]));
    b.client.close_window().await.unwrap();
    b.client.switch_to_window(first_tab).await.unwrap();

    // A seek by sequence lands on it.
    b.client.goto(&format!("{console}/#/log")).await.unwrap();
    b.until("the log again", ready(), WAIT).await;
    let seq = b.element("input[name=seq]", WAIT).await;
    seq.send_keys("7\u{E007}").await.unwrap();
    // The first row in view (rows above it may be loaded, and kept in the DOM as overscan).
    b.js("window.top_row = () => { const box = document.querySelector('.log-scroll'); \
          return [...box.querySelectorAll('li')].find(li => li.offsetTop >= box.scrollTop)?.dataset.seq; }; \
          return true;")
        .await;
    b.until(
        "the seek lands on 7",
        "const s = document.querySelector('section.log-view'); \
         return location.hash.includes('seq=7') && s.dataset.state === 'ready' \
         && s.dataset.loadRequest.includes('seq=7') \
         && top_row() === '7';",
        WAIT,
    )
    .await;

    // The live tail: an append shows with no reload.
    b.client.goto(&format!("{console}/#/log")).await.unwrap();
    b.until(
        "the tail is live",
        "const s = document.querySelector('section.log-view'); \
         return s?.dataset.state === 'ready' && s.dataset.tail === 'live';",
        WAIT,
    )
    .await;
    // The unfiltered log opens at its start. The navigation above changed only the hash, so the
    // view may still be landing on that start when the tail reads live: wait for it, or a late
    // jump to the start would undo the scroll below.
    b.until(
        "the log at its start",
        "const box = document.querySelector('.log-scroll'); \
         const top = box && [...box.querySelectorAll('li')].find(li => li.offsetTop >= box.scrollTop); \
         return !location.hash.includes('seq=') && top?.dataset.seq === '1';",
        WAIT,
    )
    .await;
    // Scrolled to the end, the list follows the tail.
    b.until(
        "scrolled to the end",
        "const el = document.querySelector('.log-scroll'); el.scrollTop = el.scrollHeight; \
         return el.scrollTop > 0 && el.scrollTop + el.clientHeight >= el.scrollHeight - 1;",
        WAIT,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    b.until(
        "still at the end, its last row drawn",
        &format!(
            "const el = document.querySelector('.log-scroll'); \
             return el.scrollTop + el.clientHeight >= el.scrollHeight - 1 \
             && !!document.querySelector(\".log-rows li[data-seq='{last}']\");"
        ),
        WAIT,
    )
    .await;
    b.js("window.__notReloaded = true; return true;").await;
    let appended = Instant::now();
    let partnership = stack.append(&scenario("demo-hypothetical")).await;
    b.element(&format!(".log-rows li[data-seq='{partnership}']"), WAIT)
        .await;
    eprintln!(
        "the appended event showed {:?} after the append",
        appended.elapsed()
    );
    assert_eq!(
        b.js("return window.__notReloaded === true;").await,
        json!(true)
    );

    // Paused, the tail holds and counts; resumed, it shows what arrived.
    b.element("button.tail-toggle", WAIT)
        .await
        .click()
        .await
        .unwrap();
    let meeting = stack
        .append(&json!([{
            "type": "meeting.held", "time": "2024-03-20",
            "data": { "organizations": ["meta", "nvidia"], "topics": ["chips"] }
        }]))
        .await;
    b.element("section.log-view[data-held='1']", WAIT).await;
    let shown = format!("return !!document.querySelector(\".log-rows li[data-seq='{meeting}']\");");
    assert_eq!(b.js(&shown).await, json!(false), "held while paused");
    b.element("button.tail-toggle[data-held='1']", WAIT)
        .await
        .click()
        .await
        .unwrap();
    b.element(&format!(".log-rows li[data-seq='{meeting}']"), WAIT)
        .await;
    assert_eq!(all_rows(&b).await, (1..=meeting).collect::<Vec<_>>());

    b.stop().await;
    stack.stop().await;
    eprintln!("the log's browser checks took {:?}", started.elapsed());
}
