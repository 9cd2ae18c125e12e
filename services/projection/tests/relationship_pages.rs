//! A relationship's facts are paged, newest first: a hot pair with thousands of facts answers
//! with its status, since, and the latest `limit` facts, and `earlier_cursor` walks back through
//! the rest — the status never depends on the page.

mod support;

use serde_json::{Value, json};
use support::{Log, Projection, event, org};

/// The ids of a view's events and signals, in time order (merged).
fn times(v: &Value) -> Vec<String> {
    let mut out: Vec<(String, u64)> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .chain(v["signals"].as_array().unwrap())
        .map(|e| {
            (
                e["time"].as_str().unwrap().to_owned(),
                e["sequence"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out.into_iter().map(|(t, _)| t).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facts_are_paged_newest_first_and_the_status_is_over_all_of_them() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let mut events = vec![org("meta"), org("lg")];
    // Seven facts on days 1..=7, appended in reverse (all but the first arrive late); day 2
    // is the agreement, day 5 a rumour (a signal).
    for day in (1..=7).rev() {
        let (kind, factuality) = match day {
            2 => ("agreement.signed", "asserted"),
            5 => ("partnership.announced", "reported"),
            _ => ("meeting.held", "asserted"),
        };
        events.push(event(
            kind,
            &format!("2024-01-0{day}"),
            json!({"organizations": ["meta", "lg"], "topics": ["xr"], "factuality": factuality}),
        ));
    }
    let last = *log.append(&events).await.last().unwrap();
    p.wait_applied(last).await;
    let get = |q: String| {
        let p = &p;
        async move {
            let (code, body, _) = p.get(&format!("/v1/relationships/meta/lg{q}")).await;
            (code, body)
        }
    };

    let (code, first) = get("?topic=xr&limit=3".into()).await;
    assert_eq!(code, 200, "{first}");
    assert_eq!(
        (first["status"].as_str(), first["since"].as_str()),
        (Some("agreed"), Some("2024-01-02"))
    );
    assert_eq!(times(&first), ["2024-01-05", "2024-01-06", "2024-01-07"]);
    assert_eq!(
        first["signals"].as_array().unwrap().len(),
        1,
        "the rumour is a signal"
    );
    let cursor = first["earlier_cursor"]
        .as_str()
        .expect("earlier facts exist");

    let (code, second) = get(format!("?topic=xr&limit=3&before={cursor}")).await;
    assert_eq!(code, 200, "{second}");
    assert_eq!(second["status"], "agreed");
    assert_eq!(times(&second), ["2024-01-02", "2024-01-03", "2024-01-04"]);
    let cursor = second["earlier_cursor"].as_str().expect("one more");
    let (_, third) = get(format!("?topic=xr&limit=3&before={cursor}")).await;
    assert_eq!(times(&third), ["2024-01-01"]);
    assert!(third.get("earlier_cursor").is_none(), "{third}");

    // The default page holds them all here; as_of pages only what happened by then.
    let (_, all) = get("?topic=xr".into()).await;
    assert_eq!(times(&all).len(), 7);
    assert!(all.get("earlier_cursor").is_none());
    let (_, past) = get("?topic=xr&as_of=2024-01-03&limit=2".into()).await;
    assert_eq!(
        (past["status"].as_str(), past["since"].as_str()),
        (Some("agreed"), Some("2024-01-02"))
    );
    assert_eq!(times(&past), ["2024-01-02", "2024-01-03"]);
    assert!(past["earlier_cursor"].is_string());
    let (_, pair) = get("?limit=1".into()).await;
    assert_eq!(times(&pair["topics"][0]), ["2024-01-07"]);

    // Errors say what is wrong.
    for (q, needle) in [
        ("?topic=xr&before=zz", "before"),
        ("?before=00", "topic"),
        ("?topic=xr&limit=0", "limit"),
        ("?topic=xr&limit=5000", "limit"),
    ] {
        let (code, body) = get(q.into()).await;
        assert_eq!(code, 400, "{q}: {body}");
        assert!(
            body["detail"].as_str().unwrap().contains(needle),
            "{q}: {body}"
        );
    }
    p.stop().await;
}
