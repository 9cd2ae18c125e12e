//! The graph and the relationship view in a real headless chromium against a real stack
//! (nats-server, ingest, the projection, the console): one stack, one browser session.
//!
//! - the projection's organization search answers by alias and refuses bad parameters by name;
//! - filters by factuality and by organization narrow the edges;
//! - the search box finds an organization by alias and an event by its id;
//! - expansion from `meta` shows its neighbours, and expanding a neighbour adds its own;
//! - play advances the time slider and the Meta–LG Electronics edge appears at its date;
//! - the relationship's ladder shows the event that made Meta–LG Electronics exploring on xr,
//!   and its facts carry their evidence;
//! - the 1,000-organization, 10,000-relationship fixture loads; the test prints the graph's first
//!   frame, the time until every edge is drawn, and the time-slider steps, as measured in the
//!   browser (`window.__liaisonTimings`) — figures, not assertions.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::browser::Browser;
use support::{TestStack, scenario};

/// How long a view may take to show what the test waits for.
const WAIT: Duration = Duration::from_secs(10);
/// The edge of Meta and LG Electronics on `xr`.
const EDGE: &str = "lg-electronics|meta|xr";
/// The `cooperation.discussed` of the scenario that made them exploring on `xr`.
const EXPLORING_EVENT: &str = "80f37f9a-c292-52f5-b6ef-adb4ace24554";
/// Organizations and relationships of the large fixture.
const ORGS: usize = 1_000;
const RELATIONSHIPS: usize = 10_000;
/// Events per append (the contract's largest batch).
const BATCH: usize = 500;

/// The dates the slider is moved to with the large fixture.
const STEP_DAYS: [&str; 6] = [
    "2023-03-01",
    "2023-06-01",
    "2023-09-01",
    "2024-01-01",
    "2024-06-01",
    "2024-10-01",
];

/// Moves the time slider to `day` and waits until the graph is drawn for it.
async fn step_to(b: &Browser, day: &str) {
    let before = b
        .js("return window.__liaisonTimings.steps.length;")
        .await
        .as_u64()
        .unwrap();
    b.js(&format!(
        "const s = document.getElementById('as-of'); \
         const start = Date.parse(s.dataset.start + 'T00:00:00Z'); \
         s.value = String(Math.round((Date.parse('{day}T00:00:00Z') - start) / 86400000)); \
         s.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;"
    ))
    .await;
    b.until(
        "the slider step is drawn",
        &format!("return window.__liaisonTimings.steps.length > {before};"),
        Duration::from_secs(60),
    )
    .await;
}

/// A check that the graph shows the data of `as_of` ('' for now), loaded.
fn graph_ready(as_of: &str) -> String {
    format!(
        "const s = document.querySelector('section.graph-view'); \
         return !!s && s.dataset.state === 'ready' && s.dataset.asOf === '{as_of}';"
    )
}

/// The keys of the edges the graph's table lists.
const SHOWN_KEYS: &str =
    "return [...document.querySelectorAll('table.edges tr[data-edge]')].map(r => r.dataset.edge);";

/// The large fixture: `ORGS` registrations, then `RELATIONSHIPS` facts on distinct pair-topics
/// (`cooperation.discussed` and `partnership.announced`, one in ten only reported: signals),
/// spread over 2023–2024; as append batches.
fn fixture() -> Vec<Value> {
    let org = |i: usize| format!("org-{i:04}");
    let mut events: Vec<Value> = (0..ORGS)
        .map(|i| {
            json!({"type": "organization.registered", "time": "2023-01-01",
                "data": {"id": org(i), "name": format!("Fixture Org {i}"),
                    "aliases": [format!("Alias {i}")], "kind": "company"}})
        })
        .collect();
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 2).unwrap();
    for i in 0..RELATIONSHIPS {
        // 2,000 distinct pairs (each organization with the one 37 and the one 401 further on),
        // five topics each.
        let pair = i / 5;
        let a = pair % ORGS;
        let b = (a + if pair < ORGS { 37 } else { 401 }) % ORGS;
        let kind = if i % 3 == 0 {
            "partnership.announced"
        } else {
            "cooperation.discussed"
        };
        let day = start + chrono::Days::new((i * 7 % 700) as u64);
        let mut data = json!({"organizations": [org(a), org(b)], "topics": [format!("t{}", i % 5)],
            "evidence": {"url": format!("https://news.example.com/{i}"), "language": "en",
                "quote": format!("Fixture fact {i}."), "confidence": 0.9}});
        if i % 10 == 9 {
            data["factuality"] = json!("reported");
        }
        events.push(json!({"type": kind, "time": day.to_string(), "data": data}));
    }
    events
        .chunks(BATCH)
        .map(|c| Value::Array(c.to_vec()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graph_and_the_relationship_in_a_browser() {
    let started = Instant::now();
    let stack = TestStack::start().await;
    let last = stack.append(&scenario("meta-lg-2024")).await;
    stack.wait_applied(last).await;
    let projection = stack.projection.url.clone();

    // The projection's organization search: by alias, case-insensitive; bad parameters named.
    let found: Value = stack
        .http
        .get(format!("{projection}/v1/organizations?q=faceBOOK"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["organizations"][0]["id"], json!("meta"), "{found}");
    assert_eq!(found["organizations"].as_array().unwrap().len(), 1);
    for (query, parameter) in [
        ("limit=0", "/limit"),
        ("limit=501", "/limit"),
        ("cursor=zz", "/cursor"),
        (&*format!("q={}", "x".repeat(201)), "/q"),
        ("qq=meta", "/qq"),
    ] {
        let response = stack
            .http
            .get(format!("{projection}/v1/organizations?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(
            problem["errors"][0]["pointer"],
            json!(parameter),
            "{query}: {problem}"
        );
    }
    let places = stack
        .http
        .get(format!(
            "{projection}/v1/events/{EXPLORING_EVENT}/relationships"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(places.status(), 200);
    let places: Value = places.json().await.unwrap();
    assert_eq!(
        places["relationships"],
        json!([{"organizations": ["lg-electronics", "meta"], "topic": "xr"}])
    );

    let console = stack.console.url.clone();
    // The UI this build embeds is the one in this tree's assets/ (a target directory shared by
    // several worktrees may hold another's build: then touch services/console/build.rs).
    let served = stack.http.get(format!("{console}/")).send().await.unwrap();
    let served = served.text().await.unwrap();
    let committed =
        std::fs::read_to_string(support::repo_root().join("services/console/assets/index.html"))
            .unwrap();
    assert_eq!(
        served, committed,
        "the console serves other assets than services/console/assets: rebuild it \
         (touch services/console/build.rs)"
    );
    let b = Browser::start().await;

    // Filters: by factuality (only the possible on-device-ai talk) and by organization.
    b.client
        .goto(&format!("{console}/#/graph?factuality=possible"))
        .await
        .unwrap();
    b.until("the graph is loaded", &graph_ready(""), WAIT).await;
    assert_eq!(
        b.js(SHOWN_KEYS).await,
        json!(["lg-electronics|meta|on-device-ai"])
    );
    b.client
        .goto(&format!("{console}/#/graph?org=samsung-electronics"))
        .await
        .unwrap();
    b.until(
        "only Samsung's edges",
        "const k = [...document.querySelectorAll('table.edges tr[data-edge]')].map(r => r.dataset.edge); \
         return k.length > 0 && k.every(e => e.split('|').slice(0, 2).includes('samsung-electronics'));",
        WAIT,
    )
    .await;

    // Search: an organization by alias, an event by id (which opens its relationship).
    b.client.goto(&format!("{console}/#/graph")).await.unwrap();
    b.until("the graph is loaded", &graph_ready(""), WAIT).await;
    let search = b.element("input[name=q]", WAIT).await;
    search.send_keys("Facebook").await.unwrap();
    b.until(
        "the search finds Meta by its alias",
        "return !!document.querySelector('.results li[data-kind=organization][data-id=meta]');",
        WAIT,
    )
    .await;
    search.clear().await.unwrap();
    search.send_keys(EXPLORING_EVENT).await.unwrap();
    let event = b
        .element(
            &format!(".results li[data-kind=event][data-id='{EXPLORING_EVENT}'] a"),
            WAIT,
        )
        .await;
    assert!(
        event
            .text()
            .await
            .unwrap()
            .contains("lg-electronics – meta on xr")
    );
    event.click().await.unwrap();

    // The relationship: the ladder names the event that made them exploring, facts have evidence.
    b.until(
        "the ladder shows the step to exploring",
        &format!(
            "const s = document.querySelector('.ladder li[data-after=exploring]'); \
             return !!s && s.dataset.eventId === '{EXPLORING_EVENT}' && s.dataset.before === 'contact';"
        ),
        WAIT,
    )
    .await;
    let evidence = b
        .js(&format!(
            "const f = document.querySelector('.facts li[data-event-id=\"{EXPLORING_EVENT}\"]'); \
             return [f.querySelector('blockquote')?.lang, \
                     f.querySelector('.source').textContent.includes('Reuters'), \
                     f.querySelector('.source').textContent.includes('confidence')];"
        ))
        .await;
    assert_eq!(evidence[0], json!("de"), "{evidence}");
    assert_eq!(evidence[1], json!(true), "{evidence}");
    b.screenshot("relationship-ladder").await;

    // Expansion from meta: its neighbours; expanding one adds its own relationships.
    b.client
        .goto(&format!("{console}/#/graph?expand=meta"))
        .await
        .unwrap();
    b.until("the graph is loaded", &graph_ready(""), WAIT).await;
    b.element(".centre[data-centre=meta]", WAIT).await;
    let keys = b.js(SHOWN_KEYS).await;
    let keys: Vec<String> = serde_json::from_value(keys).unwrap();
    assert!(keys.contains(&EDGE.to_owned()), "{keys:?}");
    assert!(
        keys.iter()
            .all(|k| k.split('|').take(2).any(|o| o == "meta")),
        "{keys:?}"
    );
    b.element("button.expand[data-org=lg-corp]", WAIT)
        .await
        .click()
        .await
        .unwrap();
    b.until(
        "lg-corp is expanded too",
        "return location.hash.includes('expand=meta%2Clg-corp') \
         && !!document.querySelector('.centre[data-centre=lg-corp]');",
        WAIT,
    )
    .await;
    b.screenshot("graph-expanded").await;

    // Play: from the day before the meeting, the edge appears at its date.
    b.client
        .goto(&format!("{console}/#/graph?topic=xr&as_of=2024-02-27"))
        .await
        .unwrap();
    b.until(
        "the graph as of 2024-02-27",
        &graph_ready("2024-02-27"),
        WAIT,
    )
    .await;
    let edge_shown = format!("return !!document.querySelector('tr[data-edge=\"{EDGE}\"]');");
    assert_eq!(
        b.js(&edge_shown).await,
        json!(false),
        "no edge on 2024-02-27"
    );
    b.element(".slider button.play", WAIT)
        .await
        .click()
        .await
        .unwrap();
    b.until("playing, the edge appears", &edge_shown, WAIT)
        .await;
    b.element(".slider button.play", WAIT)
        .await
        .click()
        .await
        .unwrap();
    let as_of = b
        .js("return document.querySelector('section.graph-view').dataset.asOf;")
        .await;
    let as_of = as_of.as_str().unwrap().to_owned();
    assert!(
        as_of.is_empty() || as_of.as_str() >= "2024-02-28",
        "{as_of}"
    );
    let status = b
        .js(&format!(
            "return document.querySelector('tr[data-edge=\"{EDGE}\"]').dataset.status;"
        ))
        .await;
    assert_eq!(status, json!("exploring"), "as of {as_of}");

    // The large fixture: 1,000 organizations and 10,000 relationships, appended in batches.
    let loading = Instant::now();
    let batches = fixture();
    let (registrations, facts) = batches.split_at(ORGS / BATCH);
    for batch in registrations {
        stack.append(batch).await;
    }
    // The facts in four appends at a time: each batch is atomic, their order does not matter.
    let mut last = 0;
    for group in facts.chunks(4) {
        let sequences = futures::future::join_all(group.iter().map(|b| stack.append(b))).await;
        last = last.max(sequences.into_iter().max().unwrap_or(0));
    }
    let appended = loading.elapsed();
    stack.wait_applied(last).await;
    let applied = loading.elapsed();
    b.client
        .goto(&format!("{console}/?fixture#/graph"))
        .await
        .unwrap();
    b.until(
        "the fixture is loaded",
        "const s = document.querySelector('section.graph-view'); \
         return !!s && s.dataset.state === 'ready' && Number(s.dataset.loaded) >= 10000 \
         && window.__liaisonTimings?.allEdges !== null;",
        Duration::from_secs(60),
    )
    .await;
    let canvas = b
        .js("return Number(document.querySelector('canvas.graph')?.dataset.edges || 0);")
        .await;
    assert!(
        canvas.as_u64().unwrap() >= 9_000,
        "a canvas draws the edges: {canvas}"
    );
    // Slider steps: a few dates over the range, each waited for until drawn.
    for day in STEP_DAYS {
        step_to(&b, day).await;
    }
    b.screenshot("graph-10k").await;
    let timings = b.js("return window.__liaisonTimings;").await;
    let steps: Vec<f64> = serde_json::from_value(timings["steps"].clone()).unwrap();
    let fixture_steps = &steps[steps.len() - 6..];
    eprintln!(
        "fixture: {ORGS} organizations, {RELATIONSHIPS} relationships appended in {appended:?}, applied in {applied:?}; \
         in the browser: first frame at {} ms, all {} edges drawn at {} ms (since navigation), \
         slider steps {:?} ms (max {} ms)",
        timings["firstFrame"],
        timings["edges"],
        timings["allEdges"],
        fixture_steps,
        fixture_steps.iter().cloned().fold(0.0, f64::max)
    );
    let most = |name: &str| {
        timings["parts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p[0] == json!(name))
            .filter_map(|p| p[1].as_f64())
            .fold(0.0, f64::max)
    };
    eprintln!(
        "of which JavaScript: deriving the graph as of a date at most {} ms, drawing the canvas at most {} ms",
        most("derive"),
        most("draw")
    );

    // The same as SVG, for comparison (why the dense graph is a canvas).
    b.client
        .goto(&format!("{console}/?svg#/graph?draw=svg"))
        .await
        .unwrap();
    b.until(
        "the fixture is drawn as SVG",
        "const s = document.querySelector('section.graph-view'); \
         return !!s && s.dataset.state === 'ready' && window.__liaisonTimings?.allEdges !== null \
         && document.querySelectorAll('svg.graph path').length >= 9000;",
        Duration::from_secs(60),
    )
    .await;
    for day in &STEP_DAYS[4..] {
        step_to(&b, day).await;
    }
    let svg = b.js("return window.__liaisonTimings;").await;
    eprintln!(
        "as SVG instead: first frame at {} ms, all edges drawn at {} ms, slider steps {} ms",
        svg["firstFrame"], svg["allEdges"], svg["steps"]
    );

    b.stop().await;
    stack.stop().await;
    eprintln!("the graph's browser test took {:?}", started.elapsed());
}
