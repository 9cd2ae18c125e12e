//! Every listing is bounded per request: a page holds at most `limit` items and says where to go
//! on (`next_cursor`), and following the cursors sees each item exactly once. A request
//! without `limit` gets the default page, as before.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use bytes::Bytes;
use liaison_proto::subjects::query_subject;
use serde_json::{Value, json};
use support::{Log, Projection, event, org};

/// The hub and the organizations it works with.
const HUB: &str = "nvidia";
const PARTNERS: [&str; 7] = [
    "foxconn",
    "tsmc",
    "sk-hynix",
    "mediatek",
    "dell",
    "lenovo",
    "supermicro",
];
const TOPICS: [&str; 3] = ["ai", "chips", "cloud"];

/// Follows `next_cursor` from `first` (a path with a query string), collecting `field` of each
/// page; asserts that no page holds more than `max`.
async fn all_pages(p: &Projection, first: &str, field: &str, max: usize) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut path = first.to_owned();
    for pages in 1.. {
        let (code, page, _) = p.get(&path).await;
        assert_eq!(code, 200, "{path}: {page}");
        let got = page[field].as_array().unwrap();
        assert!(got.len() <= max, "{path}: {} > {max}", got.len());
        items.extend(got.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{first}&cursor={cursor}"),
            None => return (items, pages),
        }
        assert!(pages < 1000, "paging ends");
    }
    unreachable!()
}

fn key(view: &Value) -> String {
    format!(
        "{}/{}/{}",
        view["organizations"][0].as_str().unwrap(),
        view["organizations"][1].as_str().unwrap(),
        view["topic"].as_str().unwrap()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relationships_pages_see_each_relationship_exactly_once() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let mut events = vec![org(HUB), org("amd")];
    events.extend(PARTNERS.iter().map(|o| org(o)));
    for partner in PARTNERS {
        events.push(event(
            "cooperation.discussed",
            "2024-04-02",
            json!({"organizations": [HUB, partner], "topics": TOPICS}),
        ));
        events.push(event(
            "agreement.signed",
            "2024-05-02",
            json!({"organizations": [HUB, partner], "topics": ["ai"]}),
        ));
    }
    // A pair without the hub, which no listing of the hub may show.
    events.push(event(
        "meeting.held",
        "2024-04-03",
        json!({"organizations": ["amd", "tsmc"], "topics": ["chips"]}),
    ));
    let last = *log.append(&events).await.last().unwrap();
    p.wait_applied(last).await;
    let expected = PARTNERS.len() * TOPICS.len();

    // Pages of 4 of the hub's relationships: every one once, in pair-topic order.
    let (seen, pages) = all_pages(
        &p,
        &format!("/v1/relationships?org={HUB}&limit=4"),
        "relationships",
        4,
    )
    .await;
    let keys: Vec<String> = seen.iter().map(key).collect();
    let unique: HashSet<&String> = keys.iter().collect();
    assert_eq!((keys.len(), unique.len()), (expected, expected), "{keys:?}");
    assert!(pages >= expected.div_ceil(4), "{pages} pages");
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "pair-topic order");
    assert!(keys.iter().all(|k| k.contains(HUB)), "{keys:?}");

    // Filters page the same way: the agreed ones only.
    let (agreed, _) = all_pages(
        &p,
        &format!("/v1/relationships?org={HUB}&status=agreed&limit=2"),
        "relationships",
        2,
    )
    .await;
    assert_eq!(agreed.len(), PARTNERS.len());
    assert!(
        agreed
            .iter()
            .all(|v| v["status"] == "agreed" && v["topic"] == "ai")
    );
    let (on_chips, _) = all_pages(
        &p,
        "/v1/relationships?topic=chips&limit=3",
        "relationships",
        3,
    )
    .await;
    assert_eq!(on_chips.len(), PARTNERS.len() + 1, "the hub's and amd/tsmc");

    // Without limit: the default page, which holds them all here, and no cursor.
    let (code, page, _) = p.get(&format!("/v1/relationships?org={HUB}")).await;
    assert_eq!(code, 200);
    assert_eq!(page["relationships"].as_array().unwrap().len(), expected);
    assert!(page.get("next_cursor").is_none(), "{page}");

    // `facts` bounds the facts each relationship lists; limit × facts is bounded.
    let (_, page, _) = p
        .get(&format!(
            "/v1/relationships?org={HUB}&topic=ai&limit=2&facts=1"
        ))
        .await;
    for view in page["relationships"].as_array().unwrap() {
        assert_eq!(view["events"].as_array().unwrap().len(), 1, "{view}");
        assert!(view["earlier_cursor"].is_string(), "{view}");
    }
    let (code, problem, _) = p.get("/v1/relationships?limit=500&facts=1000").await;
    assert_eq!(code, 400);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("limit: 500 relationships of 1000 facts"),
        "{problem}"
    );
    for bad in ["limit=0", "limit=501", "facts=1001", "cursor=zz"] {
        let (code, problem, _) = p.get(&format!("/v1/relationships?{bad}")).await;
        assert_eq!(code, 400, "{bad}: {problem}");
    }

    // Over NATS, the same pages with the same cursors.
    let mut over_nats = Vec::new();
    let mut request = json!({"org": HUB, "limit": 5});
    loop {
        let reply = tokio::time::timeout(
            Duration::from_secs(10),
            log.client.request(
                query_subject("relationships"),
                Bytes::from(request.to_string()),
            ),
        )
        .await
        .expect("answered in time")
        .expect("a reply");
        let page: Value = serde_json::from_slice(&reply.payload).unwrap();
        let got = page["relationships"].as_array().unwrap();
        assert!(got.len() <= 5);
        over_nats.extend(got.iter().map(key));
        match page["next_cursor"].as_str() {
            Some(c) => request["cursor"] = json!(c),
            None => break,
        }
    }
    assert_eq!(over_nats, keys);
    p.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pair_timelines_and_meetings_are_paged_and_each_item_seen_once() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let topics: Vec<String> = (0..25).map(|i| format!("topic-{i:02}")).collect();
    let mut events = vec![org("siemens"), org("sap"), org("bosch")];
    // 25 topics for one pair (an event names at most 16).
    for chunk in topics.chunks(16) {
        events.push(event(
            "cooperation.discussed",
            "2024-01-15",
            json!({"organizations": ["siemens", "sap"], "topics": chunk}),
        ));
    }
    // 30 events naming siemens, a third of them meetings, at distinct times.
    for day in 1..=30 {
        let time = format!("2024-03-{day:02}");
        events.push(if day % 3 == 0 {
            event(
                "meeting.held",
                &time,
                json!({"organizations": ["siemens", "bosch"], "topics": ["rail"]}),
            )
        } else {
            event(
                "competition.noted",
                &time,
                json!({"organizations": ["siemens", "bosch"], "topics": ["rail"]}),
            )
        });
    }
    // Meetings without siemens, for the list of every meeting.
    for day in 1..=5 {
        events.push(event(
            "meeting.scheduled",
            &format!("2024-06-{day:02}"),
            json!({"organizations": ["sap", "bosch"], "factuality": "planned"}),
        ));
    }
    let last = *log.append(&events).await.last().unwrap();
    p.wait_applied(last).await;

    // The pair's topics: with 1000 facts per topic, a page holds 10 topics.
    let (views, pages) =
        all_pages(&p, "/v1/relationships/sap/siemens?limit=1000", "topics", 10).await;
    let seen: Vec<&str> = views.iter().map(|v| v["topic"].as_str().unwrap()).collect();
    assert_eq!(seen, topics.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(pages, 3);
    // The default (50 facts a topic) lists them all on one page, as before.
    let (_, pair, _) = p.get("/v1/relationships/siemens/sap").await;
    assert_eq!(pair["topics"].as_array().unwrap().len(), 25);
    assert!(pair.get("next_cursor").is_none());
    let (code, _, _) = p
        .get("/v1/relationships/siemens/sap?topic=topic-01&cursor=00")
        .await;
    assert_eq!(code, 400, "cursor pages topics, not one topic");

    // The timeline: its registration, the 2 events of the 25 topics and the 30 events name
    // siemens; 7 a page.
    let (items, _) = all_pages(&p, "/v1/organizations/siemens/timeline?limit=7", "items", 7).await;
    let sequences: Vec<u64> = items
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    let unique: HashSet<u64> = sequences.iter().copied().collect();
    assert_eq!((sequences.len(), unique.len()), (33, 33));

    // Its meetings: 10, 3 a page, each once.
    let (meetings, _) =
        all_pages(&p, "/v1/organizations/siemens/meetings?limit=3", "items", 3).await;
    assert_eq!(meetings.len(), 10);
    assert!(
        meetings.iter().all(|e| e["type"] == "meeting.held"),
        "{meetings:?}"
    );
    let unique: HashSet<u64> = meetings
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(unique.len(), 10);

    // Every meeting: 10 held + 5 scheduled, 4 a page; without limit, one page.
    let (all, _) = all_pages(&p, "/v1/meetings?limit=4", "items", 4).await;
    assert_eq!(all.len(), 15);
    let unique: HashSet<u64> = all
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(unique.len(), 15);
    let (_, page, _) = p.get("/v1/meetings").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 15);
    assert!(page.get("next_cursor").is_none());
    p.stop().await;
}
