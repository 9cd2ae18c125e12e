//! The log view over a large log in a real headless chromium: its own stack (nats-server with the
//! NATS default sync, the projection, the console), the log loaded straight into JetStream with
//! atomic batches of 1000 small valid events (the bytes ingest would append; not through HTTP),
//! then:
//!
//! - the page opens at the start, and the scroll box spans the whole log (scaled past the cap);
//! - scrolling the box to 50%, then to the end, shows the rows near the middle and the last ones
//!   (read from the DOM), and `seq=` in the URL follows;
//! - a fast sweep across the box costs a few requests (debounced, one in flight);
//! - the DOM never holds more than a few hundred rows, and the log requests stay few.
//!
//! The log endpoints read JetStream directly: nothing waits for the projection to apply the log
//! (it follows it in the background meanwhile, competing for the CPU).

mod support;

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use liaison_log::{AppendOptions, Appender, MAX_BATCH, OutgoingEvent};
use liaison_testkit::ServerOptions;
use liaison_testkit::log::{EventLog, log_message};
use serde_json::{Value, json};
use support::browser::Browser;
use support::{Running, common, console, wait_ready};

/// Events loaded.
const N: u64 = 1_000_000;
/// Atomic batches in flight at once while loading.
const IN_FLIGHT: usize = 4;
/// How long a jump may take to show its rows (generous: a debug build, the projection applying
/// the log on the same two cores).
const WAIT: Duration = Duration::from_secs(30);
/// The most rows the DOM may hold at any time.
const MAX_ROWS: u64 = 300;

/// Appends `n` events of one small template (`organization.registered`), each with its own id,
/// in atomic batches, `IN_FLIGHT` at a time; the log's last sequence.
async fn load(log: &EventLog, n: u64) -> u64 {
    let appender = Appender::with_options(
        log.client.clone(),
        AppendOptions {
            ack_timeout: Duration::from_secs(60),
            ..AppendOptions::default()
        },
    );
    let event = liaison_testkit::events::organization("scale");
    let (template, id) = log_message(&event, chrono::Utc::now());
    let text = String::from_utf8(template.payload.to_vec()).unwrap();
    let parts: Vec<&str> = text.split(&id.to_string()).collect();
    assert!(parts.len() >= 2, "the id is in the payload");
    let subject = template.subject.clone();
    let message = |i: u64| {
        let id = format!("0190e7a0-0000-7000-8000-{i:012x}");
        OutgoingEvent::new(subject.clone(), id.clone(), Bytes::from(parts.join(&id)))
    };
    let batches = n.div_ceil(MAX_BATCH as u64);
    let mut appended = futures::stream::iter(0..batches)
        .map(|b| {
            let from = b * MAX_BATCH as u64;
            let to = (from + MAX_BATCH as u64).min(n);
            let batch: Vec<_> = (from..to).map(message).collect();
            let appender = appender.clone();
            async move {
                let acks = appender
                    .append_batch(batch)
                    .await
                    .expect("a batch appended");
                acks.last().map(|a| a.sequence).unwrap_or(0)
            }
        })
        .buffer_unordered(IN_FLIGHT);
    let mut last = 0;
    while let Some(seq) = appended.next().await {
        last = last.max(seq);
    }
    last
}

/// Scrolls the log's box to `fraction` of its range and waits until loaded rows near
/// `expect` are in the DOM; how long that took and the loaded rows' sequences.
async fn jump(b: &Browser, fraction: f64, expect: u64, slack: u64) -> (Duration, Vec<u64>) {
    let started = Instant::now();
    b.js(&format!(
        "const el = document.querySelector('.log-scroll'); \
         el.scrollTop = {fraction} * (el.scrollHeight - el.clientHeight); return true;"
    ))
    .await;
    let (lo, hi) = (expect.saturating_sub(slack), expect + slack);
    b.until(
        &format!("rows near {expect}"),
        &format!(
            "const seqs = [...document.querySelectorAll('.log-rows li[data-seq]')] \
               .map(li => Number(li.dataset.seq)); \
             const box = document.querySelector('.log-scroll'); \
             const shown = [...document.querySelectorAll('.log-rows li')].filter(li => \
               li.offsetTop + li.offsetHeight > box.scrollTop && li.offsetTop < box.scrollTop + box.clientHeight); \
             return seqs.some(s => s >= {lo} && s <= {hi}) && shown.every(li => li.dataset.seq);"
        ),
        WAIT,
    )
    .await;
    let took = started.elapsed();
    let rows: Vec<u64> = serde_json::from_value(
        b.js("return [...document.querySelectorAll('.log-rows li[data-seq]')].map(li => Number(li.dataset.seq));")
            .await,
    )
    .unwrap();
    (took, rows)
}

/// The log requests the page made (resource timing), and the page's own count.
async fn requests(b: &Browser) -> (u64, u64) {
    let v = b
        .js("return [performance.getEntriesByType('resource') \
               .filter(e => e.name.includes('/api/projection/v1/log?')).length, \
             Number(document.querySelector('section.log-view').dataset.requests)];")
        .await;
    (v[0].as_u64().unwrap(), v[1].as_u64().unwrap())
}

async fn dom_rows(b: &Browser) -> (u64, u64) {
    let v = b
        .js("return [document.querySelectorAll('.log-rows li').length, window.__maxRows || 0];")
        .await;
    (v[0].as_u64().unwrap(), v[1].as_u64().unwrap())
}

fn contiguous(rows: &[u64]) -> bool {
    rows.windows(2).all(|w| w[1] == w[0] + 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_events_scroll_without_loading_them_all() {
    let started = Instant::now();
    let log = EventLog::start(ServerOptions::fast()).await;
    let loading = Instant::now();
    let last = load(&log, N).await;
    let load_took = loading.elapsed();
    eprintln!(
        "loaded {N} events in {load_took:?} ({:.0} events/s), last sequence {last}",
        N as f64 / load_took.as_secs_f64()
    );
    assert_eq!(last, N);

    // The projection and the console, started after the load (the projection then follows the
    // log in the background; nothing below waits for it).
    let dir = tempfile::tempdir().unwrap();
    let url = log.server.url();
    let projection =
        Running::start::<liaison_projection::ProjectionService>(liaison_projection::Config {
            common: common(&url, dir.path().join("projection"), None),
            ..liaison_projection::Config::default()
        })
        .await;
    let projection_url = projection.url.clone();
    let console = console(&url, dir.path(), |c| c.projection_url = projection_url).await;
    let http = reqwest::Client::new();
    // Not the projection's /readyz: it says not ready until it has applied the log.
    wait_ready(&http, &console.url).await;
    let answer = http
        .get(format!("{}/v1/log?limit=1", projection.url))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{answer:?}");

    let b = Browser::start().await;
    let opened = Instant::now();
    b.client
        .goto(&format!("{}/#/log", console.url))
        .await
        .unwrap();
    b.until(
        "the log opens at the start",
        "const s = document.querySelector('section.log-view'); \
         return s?.dataset.state === 'ready' && !!document.querySelector(\".log-rows li[data-seq='1']\");",
        WAIT,
    )
    .await;
    eprintln!("the page opened at #1 in {:?}", opened.elapsed());
    b.js(
        "window.__maxRows = document.querySelectorAll('.log-rows li').length; \
          new MutationObserver(() => { window.__maxRows = Math.max(window.__maxRows, \
            document.querySelectorAll('.log-rows li').length); }) \
          .observe(document.querySelector('.log-rows'), { childList: true }); return true;",
    )
    .await;
    let geometry = b
        .js("const el = document.querySelector('.log-scroll'); \
             return [el.scrollHeight, el.clientHeight, el.scrollTop];")
        .await;
    eprintln!("the scroll box: [scrollHeight, clientHeight, scrollTop] = {geometry}");
    assert_eq!(
        geometry[0],
        json!(15_000_000),
        "the box spans the log, scaled to the cap"
    );
    let (first_rows, _) = dom_rows(&b).await;
    assert!(first_rows <= MAX_ROWS, "{first_rows} rows in the DOM");

    // To the middle.
    let view_rows = geometry[1].as_u64().unwrap() / 30;
    let middle = (N - view_rows) / 2;
    let (took, rows) = jump(&b, 0.5, middle, 100).await;
    eprintln!(
        "the jump to 50% showed #{}–#{} in {took:?}",
        rows[0],
        rows[rows.len() - 1]
    );
    assert!(contiguous(&rows), "{rows:?}");
    assert!(rows.iter().any(|s| s.abs_diff(500_000) < 1000), "{rows:?}");
    let hash: Value = b.js("return location.hash;").await;
    let seq: u64 = hash
        .as_str()
        .unwrap()
        .split("seq=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("seq= in the URL: {hash}"));
    assert!(seq.abs_diff(middle) <= 100, "{hash} near {middle}");

    // To the end.
    let (took, rows) = jump(&b, 1.0, N, 0).await;
    eprintln!(
        "the jump to the end showed #{}–#{} in {took:?}",
        rows[0],
        rows[rows.len() - 1]
    );
    assert!(contiguous(&rows), "{rows:?}");
    assert_eq!(*rows.last().unwrap(), N, "the last event is the last row");

    // A fast sweep back across the whole box (as a dragged scrollbar): the requests stay few.
    // The 41 positions are set by the page's own timers, 16 ms apart (a drag moves the box once
    // a frame), in one script: steps sent one WebDriver round trip each could be slower than
    // the page's 80 ms debounce on a loaded machine, and each slow step would fetch.
    let (before, _) = requests(&b).await;
    let sweeping = Instant::now();
    b.js("const el = document.querySelector('.log-scroll'); \
         const span = el.scrollHeight - el.clientHeight; \
         return (async () => { \
           for (let k = 40; k >= 0; k--) { \
             el.scrollTop = k / 40 * 0.25 * span; \
             await new Promise((done) => setTimeout(done, 16)); \
           } \
           return true; \
         })();")
        .await;
    let (took, rows) = jump(&b, 0.25, (N - view_rows) / 4, 100).await;
    let (after, _) = requests(&b).await;
    eprintln!(
        "a sweep of 41 positions to 25% showed #{}–#{} {took:?} after its last step ({:?} in all), \
         {} log requests",
        rows[0],
        rows[rows.len() - 1],
        sweeping.elapsed(),
        after - before
    );
    assert!(
        after - before <= 6,
        "{} requests for a sweep",
        after - before
    );

    let (now, max) = dom_rows(&b).await;
    let (made, counted) = requests(&b).await;
    eprintln!(
        "rows in the DOM: {now} now, at most {max}; log requests: {made} ({counted} counted by the page)"
    );
    assert!(max <= MAX_ROWS, "at most {max} rows in the DOM");
    assert!(made <= 12, "{made} log requests");
    assert_eq!(made, counted);

    b.stop().await;
    console.stop().await;
    projection.stop().await;
    eprintln!("the scale test took {:?} in all", started.elapsed());
}
