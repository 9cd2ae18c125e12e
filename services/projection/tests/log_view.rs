//! The log read for people (`GET /v1/log`, `GET /v1/log/events/{key}`, `GET /v1/log/stream`)
//! against a real nats-server and sled: filters on the server, seeks by sequence, business and
//! recorded time, pages both ways, both bounds, every bad parameter a `400` naming it, the tail's
//! resume by `Last-Event-ID` and a burst larger than any buffer, and a rare filter over 50,000
//! events answered within its scan bound with a cursor to continue.

mod support;

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{Value, json};
use support::{Log, Projection, event, id_of, org};

fn seqs(page: &Value) -> Vec<u64> {
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect()
}

/// Reads SSE blocks with an `id` until `n` were read; their ids and data.
async fn read_events(
    body: &mut (impl futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    text: &mut String,
    n: usize,
) -> Vec<(u64, Value)> {
    let mut out = Vec::new();
    while out.len() < n {
        let chunk = tokio::time::timeout(Duration::from_secs(20), body.next())
            .await
            .expect("an event in time")
            .expect("the stream goes on")
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let id = block.lines().find_map(|l| l.strip_prefix("id: "));
            let data = block.lines().find_map(|l| l.strip_prefix("data: "));
            if let (Some(id), Some(data)) = (id, data) {
                out.push((id.parse().unwrap(), serde_json::from_str(data).unwrap()));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_filters_seeks_bounds_and_bad_parameters() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let pair = json!({"organizations": ["meta", "lg"], "topics": ["xr"]});
    let first = log
        .append(&[
            org("meta"),
            org("lg"),
            org("samsung"),
            event("meeting.held", "2024-01-10", pair.clone()),
            event(
                "cooperation.discussed",
                "2024-02-01",
                json!({"organizations": ["meta", "samsung"], "topics": ["chips"], "factuality": "planned",
                       "evidence": {"quote": "Meta and Samsung plan to talk about chips."}}),
            ),
        ])
        .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let between = chrono::Utc::now();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let later = event("meeting.held", "2023-12-01", pair.clone());
    let later_id = id_of(&later);
    let second = log
        .append(&[later, event("agreement.signed", "2024-03-01", pair.clone())])
        .await;
    p.wait_applied(second[1]).await;
    let all: Vec<u64> = first.iter().chain(&second).copied().collect();

    let (status, page, _) = p.get("/v1/log").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(seqs(&page), all, "every event, in sequence order");
    assert_eq!(page["last_sequence"], json!(all[6]));
    assert_eq!(page["next_after"], Value::Null);

    // Filters, on the server.
    let pr = &p;
    let filtered = |q: &'static str| async move { seqs(&p_get(pr, q).await) };
    async fn p_get(p: &Projection, q: &str) -> Value {
        let (status, page, _) = p.get(&format!("/v1/log?{q}")).await;
        assert_eq!(status, 200, "{q}: {page}");
        page
    }
    assert_eq!(filtered("type=meeting.held").await, vec![all[3], all[5]]);
    assert_eq!(filtered("org=samsung").await, vec![all[2], all[4]]);
    assert_eq!(
        filtered("topic=xr&org=meta").await,
        vec![all[3], all[5], all[6]]
    );
    assert_eq!(filtered("factuality=planned").await, vec![all[4]]);
    // Business time is not the log's order: 2023-12-01 was recorded last but one.
    assert_eq!(
        filtered("to=2023-12-31&type=meeting.held").await,
        vec![all[5]]
    );
    assert_eq!(
        filtered("from=2024-01-10&to=2024-02-01").await,
        vec![all[3], all[4]]
    );

    // Seeks: by sequence, by recorded time.
    assert_eq!(filtered("seq=5").await, all[4..].to_vec());
    let rec = between.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let after_rec = p_get(&p, &format!("recorded_from={}", rec.replace('+', "%2B"))).await;
    assert_eq!(seqs(&after_rec), all[5..].to_vec());
    assert_eq!(after_rec["range_first"], json!(all[5]));
    let before_rec = p_get(&p, &format!("recorded_to={rec}")).await;
    assert_eq!(seqs(&before_rec), all[..5].to_vec());

    // Pages of two, forward and backward, by cursor.
    let mut walked = Vec::new();
    let mut q = "limit=2".to_owned();
    loop {
        let page = p_get(&p, &q).await;
        walked.extend(seqs(&page));
        match page["next_after"].as_u64() {
            Some(after) => q = format!("limit=2&after={after}"),
            None => break,
        }
    }
    assert_eq!(walked, all);
    let mut back = Vec::new();
    let mut q = format!("limit=2&before={}", all[6] + 1);
    loop {
        let page = p_get(&p, &q).await;
        assert!(page["entries"].as_array().unwrap().len() <= 2);
        back.splice(0..0, seqs(&page));
        match page["prev_before"].as_u64() {
            Some(before) => q = format!("limit=2&before={before}"),
            None => break,
        }
    }
    assert_eq!(back, all);

    // The scan bound: a rare filter stops after `scan` entries, with where to go on.
    let page = p_get(&p, "type=agreement.signed&scan=3").await;
    assert_eq!(seqs(&page), Vec::<u64>::new());
    assert_eq!(page["scanned"], json!(3));
    assert_eq!(page["scan_bound_hit"], json!(true));
    assert_eq!(page["next_after"], json!(all[2]));
    let page = p_get(&p, "type=meeting.held&scan=3&before=8").await;
    assert_eq!(seqs(&page), vec![all[5]]);
    assert_eq!(page["scanned"], json!(3));
    assert_eq!(page["prev_before"], json!(all[4]));

    // One event: by sequence, by id; its evidence.
    let (status, one, _) = p.get(&format!("/v1/log/events/{}", all[4])).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(
        one["event"]["data"]["evidence"]["quote"],
        "Meta and Samsung plan to talk about chips."
    );
    assert!(
        one["subject"]
            .as_str()
            .unwrap()
            .starts_with("liaison.events.cooperation.discussed.")
    );
    let (status, by_id, _) = p.get(&format!("/v1/log/events/{later_id}")).await;
    assert_eq!(status, 200, "{by_id}");
    assert_eq!(by_id["event"]["sequence"], json!(all[5]));
    let (status, _, _) = p.get("/v1/log/events/999").await;
    assert_eq!(status, 404);
    let (status, _, _) = p
        .get("/v1/log/events/0190e7a0-0000-7000-8000-00000000dead")
        .await;
    assert_eq!(status, 404);

    // Every bad parameter is a 400 naming it.
    for (q, name) in [
        ("/v1/log?type=meeting", "type"),
        ("/v1/log?org=Meta", "org"),
        ("/v1/log?topic=x%20y", "topic"),
        ("/v1/log?factuality=sure", "factuality"),
        ("/v1/log?from=2024-02-30", "from"),
        ("/v1/log?from=2024-03-01&to=2024-02-01", "to"),
        ("/v1/log?recorded_from=now", "recorded_from"),
        (
            "/v1/log?recorded_from=2024-03-01T00:00:00Z&recorded_to=2024-02-01T00:00:00Z",
            "recorded_to",
        ),
        ("/v1/log?seq=0", "seq"),
        ("/v1/log?seq=x", "seq"),
        ("/v1/log?after=-1", "after"),
        ("/v1/log?before=0", "before"),
        ("/v1/log?after=1&before=4", "before"),
        ("/v1/log?limit=0", "limit"),
        ("/v1/log?limit=1001", "limit"),
        ("/v1/log?scan=100001", "scan"),
        ("/v1/log?typ=meeting.held", "typ"),
        ("/v1/log?limit=1&limit=2", "limit"),
        ("/v1/log/events/yesterday", "key"),
        ("/v1/log/stream?last_event_id=x", "last_event_id"),
        ("/v1/log/stream?from=end", "from"),
    ] {
        let (status, problem, headers) = p.get(q).await;
        assert_eq!(status, 400, "{q}: {problem}");
        assert_eq!(headers["content-type"], "application/problem+json", "{q}");
        assert!(
            problem["detail"].as_str().unwrap().contains(name),
            "{q} names {name}: {problem}"
        );
    }
    p.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tail_resumes_by_last_event_id_and_never_drops_a_burst() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let pair = json!({"organizations": ["meta", "lg"], "topics": ["xr"]});
    let first = log
        .append(&[
            org("meta"),
            org("lg"),
            event("meeting.held", "2024-01-10", pair.clone()),
        ])
        .await;
    let url = format!("http://{}/v1/log/stream", p.addr);
    let http = reqwest::Client::new();

    // From the start; then resumed after the first event with Last-Event-ID.
    let mut body = http
        .get(format!("{url}?from=start"))
        .send()
        .await
        .unwrap()
        .bytes_stream();
    let mut text = String::new();
    let got = read_events(&mut body, &mut text, 3).await;
    assert_eq!(got.iter().map(|(id, _)| *id).collect::<Vec<_>>(), first);
    assert_eq!(got[2].1["type"], "meeting.held");
    drop(body);
    let response = http
        .get(&url)
        .header("Last-Event-ID", first[0].to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.bytes_stream();
    let mut text = String::new();
    let got = read_events(&mut body, &mut text, 2).await;
    assert_eq!(
        got.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        first[1..]
    );

    // A filtered tail, and a burst of 6,000 events appended while nobody reads the stream:
    // larger than the consumer's pull batch and the connection's buffers. Every one arrives,
    // in order.
    let filtered = http
        .get(format!("{url}?type=meeting.held"))
        .header("Last-Event-ID", first[2].to_string())
        .send()
        .await
        .unwrap();
    let burst: Vec<Value> = (0..6000)
        .map(|i| {
            let kind = if i % 3 == 0 {
                "meeting.held"
            } else {
                "cooperation.discussed"
            };
            event(kind, "2024-02-01", pair.clone())
        })
        .collect();
    let started = Instant::now();
    let sequences = log.append(&burst).await;
    println!("appended 6,000 events in {:?}", started.elapsed());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let got = read_events(&mut body, &mut text, 6000).await;
    println!("the tail delivered 6,000 events in {:?}", started.elapsed());
    assert_eq!(got.iter().map(|(id, _)| *id).collect::<Vec<_>>(), sequences);
    let mut fbody = filtered.bytes_stream();
    let mut ftext = String::new();
    let got = read_events(&mut fbody, &mut ftext, 2000).await;
    let meetings: Vec<u64> = sequences.iter().step_by(3).copied().collect();
    assert_eq!(got.iter().map(|(id, _)| *id).collect::<Vec<_>>(), meetings);
    assert!(got.iter().all(|(_, e)| e["type"] == "meeting.held"));

    let (status, problem, _) = {
        let r = http
            .get(&url)
            .header("Last-Event-ID", "3-0")
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap(), ())
    };
    assert_eq!(status, 400, "{problem}");
    assert!(problem.contains("Last-Event-ID"), "{problem}");
    drop((body, fbody));
    p.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rare_filter_over_50_000_events_answers_within_its_scan_bound() {
    const N: usize = 50_000;
    let log = Log::start().await;
    let events = support::generate(N, 19);
    let started = Instant::now();
    let sequences = log.append(&events).await;
    println!("appended {N} events in batches in {:?}", started.elapsed());
    let dir = tempfile::tempdir().unwrap();
    // The projection follows the log meanwhile (its applying competes for the CPU: the figures
    // below are pessimistic).
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let last = *sequences.last().unwrap();

    // No rule is ever deleted in the workload: a filter that matches nothing.
    let mut q = "type=rule.deleted&scan=10000".to_owned();
    let mut pages = 0;
    loop {
        let started = Instant::now();
        let (status, page, _) = p.get(&format!("/v1/log?{q}")).await;
        let took = started.elapsed();
        assert_eq!(status, 200, "{page}");
        pages += 1;
        assert!(page["entries"].as_array().unwrap().is_empty());
        assert!(page["scanned"].as_u64().unwrap() <= 10_000, "{page}");
        println!(
            "page {pages}: scanned {} (to {}) in {took:?}",
            page["scanned"], page["scanned_to"]
        );
        match page["next_after"].as_u64() {
            Some(after) => {
                assert_eq!(page["scan_bound_hit"], json!(true), "{page}");
                q = format!("type=rule.deleted&scan=10000&after={after}");
            }
            None => {
                assert_eq!(page["scanned_to"], json!(last));
                break;
            }
        }
    }
    assert_eq!(pages, N.div_ceil(10_000));

    // A filter that needs each event decoded (no topic is named so): one page at the bound.
    let started = Instant::now();
    let (status, page, _) = p.get("/v1/log?topic=no-such-topic&scan=10000").await;
    assert_eq!(status, 200);
    assert_eq!(page["scanned"], json!(10_000));
    assert_eq!(page["next_after"], json!(10_000));
    println!(
        "a topic filter, decoding each event: 10,000 scanned in {:?}",
        started.elapsed()
    );

    // Backward from the end, a common type: a full page long before the scan bound.
    let started = Instant::now();
    let (status, page, _) = p
        .get(&format!(
            "/v1/log?type=meeting.held&limit=100&before={}",
            last + 1
        ))
        .await;
    assert_eq!(status, 200);
    let found = seqs(&page);
    println!(
        "the last 100 meetings: scanned {} in {:?}",
        page["scanned"],
        started.elapsed()
    );
    assert_eq!(found.len(), 100);
    assert!(found.windows(2).all(|w| w[0] < w[1]));
    // A seek into the middle.
    let (_, page, _) = p.get("/v1/log?seq=25000&limit=5").await;
    assert_eq!(seqs(&page), (25_000..25_005).collect::<Vec<_>>());
    p.stop().await;
}
