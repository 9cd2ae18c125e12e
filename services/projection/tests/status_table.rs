//! The contract's status table, event by event, through the HTTP API against a real
//! nats-server: out-of-order arrival, restart after `ended`, retraction, non-asserted facts as
//! signals, topics kept apart, 3-party meetings making 3 pairs, `as_of`, and the errors.

mod support;

use serde_json::{Value, json};
use support::{Log, Projection, event, id_of, org};

fn status(v: &Value) -> (&str, Option<&str>) {
    (v["status"].as_str().unwrap(), v["since"].as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(unused_assignments)] // `append!` records the last sequence whether or not it is read
async fn the_status_table_event_by_event() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let mut last = log
        .append(&[org("meta"), org("lg"), org("sony"), org("apple")])
        .await[3];

    // Read-your-writes: every query waits for the event just appended.
    macro_rules! rel {
        ($q:expr) => {{
            let (code, body, _) = p
                .get(&format!(
                    "/v1/relationships/meta/lg?topic=xr&min_sequence={last}{}",
                    $q
                ))
                .await;
            assert_eq!(code, 200, "{body}");
            body
        }};
    }
    macro_rules! append {
        ($e:expr) => {{
            let e = $e;
            last = log.append_one(e.clone()).await;
            e
        }};
    }

    // Two known organizations with no facts: none.
    assert_eq!(status(&rel!("")), ("none", None));

    append!(event(
        "meeting.held",
        "2024-01-10",
        json!({"organizations": ["meta", "lg"], "topics": ["xr"]})
    ));
    assert_eq!(status(&rel!("")), ("contact", Some("2024-01-10")));

    append!(event(
        "negotiation.reported",
        "2024-03-01",
        json!({"organizations": ["lg", "meta"], "topics": ["xr"]})
    ));
    assert_eq!(status(&rel!("")), ("negotiating", Some("2024-03-01")));

    // Out of order: a discussion that happened before the negotiation arrives after it.
    append!(event(
        "cooperation.discussed",
        "2024-02-01",
        json!({"organizations": ["meta", "lg"], "topics": ["xr"]})
    ));
    let v = rel!("");
    assert_eq!(status(&v), ("negotiating", Some("2024-03-01")));
    let times: Vec<_> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["time"].as_str().unwrap())
        .collect();
    assert_eq!(times, ["2024-01-10", "2024-02-01", "2024-03-01"]);

    // as_of: only facts that happened by then.
    assert_eq!(
        status(&rel!("&as_of=2024-02-15")),
        ("exploring", Some("2024-02-01"))
    );
    assert_eq!(status(&rel!("&as_of=2024-01-05")), ("none", None));
    assert_eq!(
        status(&rel!("&as_of=2024-01-10")),
        ("contact", Some("2024-01-10"))
    );

    // A weaker event never lowers the status.
    append!(event(
        "meeting.held",
        "2024-03-05",
        json!({"organizations": ["meta", "lg"], "topics": ["xr"]})
    ));
    assert_eq!(status(&rel!("")), ("negotiating", Some("2024-03-01")));

    append!(event(
        "partnership.announced",
        "2024-04-01",
        json!({"organizations": ["meta", "lg"], "topics": ["xr"]})
    ));
    assert_eq!(status(&rel!("")), ("active", Some("2024-04-01")));
    append!(event(
        "partnership.ended",
        "2024-05-01",
        json!({"organizations": ["meta", "lg"], "topics": ["xr"]})
    ));
    assert_eq!(status(&rel!("")), ("ended", Some("2024-05-01")));

    // Restart after ended: a later event climbs again.
    let restart = append!(event(
        "meeting.held",
        "2024-06-01",
        json!({"organizations": ["meta", "lg"], "topics": ["xr"]})
    ));
    assert_eq!(status(&rel!("")), ("contact", Some("2024-06-01")));
    assert_eq!(
        status(&rel!("&as_of=2024-05-15")),
        ("ended", Some("2024-05-01"))
    );

    // Retraction: as if it had never been appended.
    append!(event(
        "event.retracted",
        "2024-06-02",
        json!({"event_id": id_of(&restart)})
    ));
    let v = rel!("");
    assert_eq!(status(&v), ("ended", Some("2024-05-01")));
    assert!(
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["id"] != restart["id"])
    );

    // A late fact that changes the current status: an agreement before the end changes nothing
    // now; a late `ended` retracted... a late announcement after the end restarts the climb.
    append!(event(
        "partnership.announced",
        "2024-07-01",
        json!({"organizations": ["meta", "lg"], "topics": ["xr"]})
    ));
    append!(event(
        "agreement.signed",
        "2024-06-15",
        json!({"organizations": ["meta", "lg"], "topics": ["xr"]})
    ));
    assert_eq!(status(&rel!("")), ("active", Some("2024-07-01")));
    assert_eq!(
        status(&rel!("&as_of=2024-06-20")),
        ("agreed", Some("2024-06-15"))
    );

    // Non-asserted facts are signals and never move the status; topics are kept apart.
    append!(event(
        "agreement.signed",
        "2024-02-01",
        json!({"organizations": ["meta", "lg"], "topics": ["ai"], "factuality": "reported"})
    ));
    append!(event(
        "meeting.scheduled",
        "2024-09-01",
        json!({"organizations": ["meta", "lg"], "topics": ["ai"], "factuality": "planned"})
    ));
    append!(event(
        "partnership.announced",
        "2024-02-02",
        json!({"organizations": ["meta", "lg"], "topics": ["ai"], "factuality": "negated"})
    ));
    let (code, ai, _) = p
        .get(&format!(
            "/v1/relationships/lg/meta?topic=ai&min_sequence={last}"
        ))
        .await;
    assert_eq!(code, 200);
    assert_eq!(status(&ai), ("none", None));
    assert_eq!(ai["organizations"], json!(["lg", "meta"]));
    assert!(ai["events"].as_array().unwrap().is_empty());
    let signals = ai["signals"].as_array().unwrap();
    assert_eq!(signals.len(), 3);
    assert_eq!(signals[0]["would_reach"], "agreed");
    assert_eq!(signals[0]["factuality"], "reported");
    assert_eq!(status(&rel!("")), ("active", Some("2024-07-01")));

    // Without a topic: every topic of the pair.
    let (code, pair, _) = p
        .get(&format!("/v1/relationships/lg/meta?min_sequence={last}"))
        .await;
    assert_eq!(code, 200);
    let topics: Vec<_> = pair["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["topic"].as_str().unwrap())
        .collect();
    assert_eq!(topics, ["ai", "xr"]);

    // A meeting of three makes three pairs; with no topics it counts for `general`.
    append!(event(
        "meeting.held",
        "2024-08-01",
        json!({"organizations": ["meta", "lg", "sony"]})
    ));
    for (a, b) in [("meta", "lg"), ("meta", "sony"), ("lg", "sony")] {
        let (code, v, _) = p
            .get(&format!(
                "/v1/relationships/{a}/{b}?topic=general&min_sequence={last}"
            ))
            .await;
        assert_eq!(code, 200);
        assert_eq!(status(&v), ("contact", Some("2024-08-01")), "{a}-{b}");
    }
    let (_, list, _) = p.get("/v1/relationships?topic=general").await;
    assert_eq!(list["relationships"].as_array().unwrap().len(), 3);
    let (_, list, _) = p.get("/v1/relationships?org=meta&status=active").await;
    assert_eq!(list["relationships"].as_array().unwrap().len(), 1);
    assert_eq!(list["relationships"][0]["topic"], "xr");
    let (_, list, _) = p.get("/v1/relationships?org=sony").await;
    assert_eq!(list["relationships"].as_array().unwrap().len(), 2);

    // The other relation kinds and the organization view.
    append!(event(
        "procurement.planned",
        "2024-03-01",
        json!({"buyer": "meta", "supplier": "lg", "item": "displays", "quantity": 1000})
    ));
    append!(event(
        "competition.noted",
        "2024-03-02",
        json!({"organizations": ["meta", "apple"], "topics": ["xr"]})
    ));
    append!(event(
        "person.registered",
        "2024-01-01",
        json!({"id": "william-cho", "name": "William Cho", "affiliations": [{"organization": "lg", "role": "CEO"}]})
    ));
    let (code, meta, _) = p
        .get(&format!("/v1/organizations/meta?min_sequence={last}"))
        .await;
    assert_eq!(code, 200, "{meta}");
    assert_eq!(meta["name"], "META");
    let r = &meta["relationships"];
    assert!(
        r["cooperation"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["organization"] == "lg" && c["topic"] == "xr" && c["status"] == "active")
    );
    assert_eq!(r["supplier"][0]["organization"], "lg");
    assert_eq!(r["supplier"][0]["item"], "displays");
    assert_eq!(
        r["competitor"],
        json!([{"organization": "apple", "topics": ["xr"]}])
    );
    let (_, lg, _) = p.get("/v1/organizations/lg").await;
    assert_eq!(lg["relationships"]["customer"][0]["organization"], "meta");
    assert_eq!(
        lg["people"],
        json!([{"id": "william-cho", "name": "William Cho", "role": "CEO"}])
    );
    let (_, asof, _) = p.get("/v1/organizations/meta?as_of=2024-01-31").await;
    assert_eq!(
        asof["relationships"]["cooperation"],
        json!([{"organization": "lg", "topic": "xr", "status": "contact", "since": "2024-01-10"}])
    );
    assert_eq!(asof["relationships"]["supplier"], json!([]));

    // The timeline, in time order, paged with a cursor.
    let mut times = Vec::new();
    let mut path = "/v1/organizations/meta/timeline?limit=4".to_owned();
    loop {
        let (code, page, _) = p.get(&path).await;
        assert_eq!(code, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 4);
        times.extend(items.iter().map(|e| e["time"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/v1/organizations/meta/timeline?limit=4&cursor={c}"),
            None => break,
        }
    }
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    assert_eq!(times.len(), 15, "{times:?}"); // registration + 14 facts naming meta (one retracted)
    let (_, meetings, _) = p.get("/v1/organizations/meta/meetings").await;
    assert_eq!(meetings["items"].as_array().unwrap().len(), 4);

    // Errors: unknown organization 404, malformed parameters 400, as problem+json.
    let (code, body, headers) = p.get("/v1/relationships/meta/nobody?topic=xr").await;
    assert_eq!(code, 404);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert!(body["detail"].as_str().unwrap().contains("nobody"));
    assert_eq!(p.get("/v1/organizations/nobody").await.0, 404);
    assert_eq!(p.get("/v1/organizations/nobody/timeline").await.0, 404);
    for bad in [
        "/v1/relationships/meta/lg?as_of=2024-02-30",
        "/v1/relationships/meta/lg?min_sequence=-1",
        "/v1/relationships/meta/lg?topic=X%20R",
        "/v1/relationships/meta/meta",
        "/v1/relationships?status=friends",
        "/v1/organizations/meta/timeline?cursor=zz",
        "/v1/organizations/meta/timeline?limit=0",
    ] {
        let (code, body, headers) = p.get(bad).await;
        assert_eq!(code, 400, "{bad}: {body}");
        assert_eq!(headers["content-type"], "application/problem+json", "{bad}");
    }
    p.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn min_sequence_beyond_the_log_answers_503_with_retry_after() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |s| {
        s.min_sequence_wait_ms = 200;
    })
    .await;
    let last = log.append(&[org("meta"), org("lg")]).await[1];
    p.wait_applied(last).await;
    let (code, body, headers) = p
        .get(&format!(
            "/v1/relationships/meta/lg?min_sequence={}",
            last + 10
        ))
        .await;
    assert_eq!(code, 503, "{body}");
    assert_eq!(headers["retry-after"], "1");
    let (code, _, _) = p
        .get(&format!("/v1/relationships/meta/lg?min_sequence={last}"))
        .await;
    assert_eq!(code, 200);
    // /readyz reports the lag.
    let (code, ready, _) = p.get("/readyz").await;
    assert_eq!(code, 200, "{ready}");
    assert!(
        ready["checks"]["log"]["detail"]
            .as_str()
            .unwrap()
            .contains("lag 0 <= "),
        "{ready}"
    );
    p.stop().await;
}
