//! `GET /v1/rules` and `GET /v1/alerts` are paged: following `next_cursor` sees every rule and
//! every alert exactly once, and a request without `limit` gets the default page. Their query
//! strings are strict: an unknown name is a `400` naming it and the names understood.

mod support;

use std::collections::HashSet;

use liaison_testkit::ServerOptions;
use serde_json::{Value, json};
use support::{Log, Notifier, fast_delivery, get, post, relation};

const ORGS: [&str; 5] = ["renault", "nissan", "mitsubishi", "dacia", "alpine"];
const PAIRS: [(&str, &str); 5] = [
    ("renault", "nissan"),
    ("renault", "mitsubishi"),
    ("nissan", "mitsubishi"),
    ("renault", "dacia"),
    ("renault", "alpine"),
];

/// Every item of `field` following the pages of `path` (which has a query string); each page
/// holds at most `max`.
async fn all_pages(n: &Notifier, path: &str, field: &str, max: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = path.to_owned();
    for _ in 0..1000 {
        let (status, page) = get(&n.http, &n.base, &next).await;
        assert_eq!(status, 200, "{next}: {page}");
        let items = page[field].as_array().unwrap();
        assert!(items.len() <= max, "{next}: {} > {max}", items.len());
        out.extend(items.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("{path}&cursor={c}"),
            None => return out,
        }
    }
    panic!("paging does not end");
}

#[tokio::test]
async fn rules_and_alerts_are_paged_and_their_query_strings_are_strict() {
    let log = Log::start(ServerOptions::fast()).await;
    for id in ORGS {
        log.append(
            json!({"type": "organization.registered", "time": "2000-01-01",
            "data": {"id": id, "name": id.to_uppercase()}}),
        )
        .await;
    }
    let n = Notifier::start(&log, fast_delivery(3)).await;
    let ids: Vec<String> = (1..=5).map(|i| format!("ev-watch-{i}")).collect();
    for id in ids.iter().rev() {
        let rule = json!({"id": id, "match": {"topics": ["ev"]}});
        let (status, body) = post(&n.http, &n.base, "/v1/rules", &rule).await;
        assert_eq!(status, 201, "{body}");
    }

    // Rules, two a page: the built-in first, then by id, each once.
    let rules = all_pages(&n, "/v1/rules?limit=2", "rules", 2).await;
    let listed: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut expected = vec!["new-partnership"];
    expected.extend(ids.iter().map(String::as_str));
    assert_eq!(listed, expected);
    // Without limit: one page with every rule, and no next page.
    let (status, page) = get(&n.http, &n.base, "/v1/rules").await;
    assert_eq!(status, 200);
    assert_eq!(page["rules"].as_array().unwrap().len(), 6);
    assert_eq!(page["next_cursor"], Value::Null);
    // A deleted rule is not listed.
    let deleted = n
        .http
        .delete(format!("{}/v1/rules/ev-watch-3", n.base))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let rules = all_pages(&n, "/v1/rules?limit=1", "rules", 1).await;
    assert_eq!(rules.len(), 5);
    assert!(rules.iter().all(|r| r["id"] != "ev-watch-3"));

    // Each agreement raises a new-partnership alert and one per remaining ev-watch rule.
    let mut last = 0;
    for (a, b) in PAIRS {
        last = log
            .append(relation("agreement.signed", "2024-05-20", a, b, "ev"))
            .await
            .1;
    }
    n.wait_applied(last).await;
    let alerts = all_pages(&n, "/v1/alerts?limit=4", "alerts", 4).await;
    let ids: HashSet<&str> = alerts.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!((alerts.len(), ids.len()), (25, 25));
    let partnerships = all_pages(&n, "/v1/alerts?rule=new-partnership&limit=2", "alerts", 2).await;
    assert_eq!(partnerships.len(), 5);
    let (_, page) = get(&n.http, &n.base, "/v1/alerts").await;
    assert_eq!(page["alerts"].as_array().unwrap().len(), 25);
    assert_eq!(page["next_cursor"], Value::Null);

    // Strict query strings.
    for (path, detail) in [
        (
            "/v1/rules?limt=2",
            "unknown parameter 'limt'; expected one of: limit, cursor",
        ),
        (
            "/v1/alerts?sate=failed",
            "unknown parameter 'sate'; expected one of: rule, state, since, limit, cursor",
        ),
        (
            "/v1/alerts?limit=1&limit=2",
            "parameter 'limit' is given more than once",
        ),
    ] {
        let (status, problem) = get(&n.http, &n.base, path).await;
        assert_eq!(
            (status, problem["detail"].as_str()),
            (400, Some(detail)),
            "{path}"
        );
    }
    for (path, pointer) in [
        ("/v1/rules?limit=0", "/limit"),
        ("/v1/rules?limit=1001", "/limit"),
        ("/v1/rules?cursor=zz", "/cursor"),
    ] {
        let (status, problem) = get(&n.http, &n.base, path).await;
        assert_eq!(status, 422, "{path}: {problem}");
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{path}");
    }
    n.shutdown.trigger();
}
