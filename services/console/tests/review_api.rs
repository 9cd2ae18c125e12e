//! The read endpoints the review queue's effect preview stands on, against real services (no
//! browser): the projection's `POST /v1/preview` and the notifier's `POST /v1/rules/preview`, and
//! ingest's event schemas.
//!
//! - a preview changes nothing stored (the projection answers the same before and after);
//! - it agrees with what applying the event really does afterwards (accepted through the reader);
//! - a previewed event already in the log changes nothing;
//! - the rules that would fire are the ones the notifier's rules say, the rules' token guards it;
//! - bad bodies are 400/415/422 naming the place.

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::TOKEN;
use support::review::{ReviewStack, registrations};

const ARTICLE: &str = "deploy/articles/meta-lg-2024.en.txt";

/// The pair-topics of a preview, as `a|b|topic` → (now, after).
fn effects(preview: &Value) -> Vec<(String, String, String)> {
    preview["effects"]
        .as_array()
        .expect("effects")
        .iter()
        .map(|e| {
            (
                format!(
                    "{}|{}|{}",
                    e["a"].as_str().unwrap(),
                    e["b"].as_str().unwrap(),
                    e["topic"].as_str().unwrap()
                ),
                e["now"]["status"].as_str().unwrap().to_owned(),
                e["after"]["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previews_change_nothing_and_agree_with_applying() {
    let s = ReviewStack::start(Some(TOKEN)).await;
    let last = s.append(&registrations("meta-lg-2024"), Some(TOKEN)).await;
    s.wait_applied(last).await;
    let (p, n, r) = (&s.projection.url, &s.notifier.url, &s.reader.url);

    // The reader reads the article; its XR cooperation candidate is the one to preview.
    let text = std::fs::read_to_string(support::repo_root().join(ARTICLE)).unwrap();
    let article = json!({"text": text, "published_at": "2024-02-28", "language": "en"});
    let (status, answer) = s
        .call(
            Method::POST,
            &format!("{r}/v1/articles"),
            Some(&article),
            Some(TOKEN),
        )
        .await;
    assert!(status == 200 || status == 201, "{status} {answer}");
    let candidates = answer["candidates"].as_array().unwrap().clone();
    for c in &candidates {
        println!(
            "candidate {} {} {}",
            c["event"]["type"], c["event"]["data"]["organizations"], c["event"]["data"]["topics"]
        );
    }
    let xr = candidates
        .iter()
        .find(|c| {
            c["event"]["type"] == "cooperation.discussed"
                && c["event"]["data"]["topics"]
                    .as_array()
                    .is_some_and(|t| t.contains(&json!("xr")))
        })
        .expect("an XR cooperation candidate")
        .clone();
    let event = xr["event"].clone();

    // What the projection answers before, to compare after the preview.
    let rel = format!("{p}/v1/relationships/lg-electronics/meta?topic=xr");
    let list = format!("{p}/v1/relationships");
    let before = (
        s.call(Method::GET, &rel, None, None).await,
        s.call(Method::GET, &list, None, None).await,
    );

    let url = format!("{p}/v1/preview");
    let (status, preview) = s.call(Method::POST, &url, Some(&event), None).await;
    assert_eq!(
        status, 200,
        "a preview is a read, open without the read token: {preview}"
    );
    println!("preview: {preview}");
    assert_eq!(preview["already_applied"], false);
    assert_eq!(preview["event_type"], "cooperation.discussed");
    let fx = effects(&preview);
    assert!(
        fx.contains(&(
            "lg-electronics|meta|xr".into(),
            "none".into(),
            "exploring".into()
        )),
        "none → exploring for meta–lg-electronics on xr: {fx:?}"
    );

    // Nothing stored: the same answers, and a second preview says the same.
    let after_preview = (
        s.call(Method::GET, &rel, None, None).await,
        s.call(Method::GET, &list, None, None).await,
    );
    assert_eq!(
        before, after_preview,
        "a preview changed what the projection answers"
    );
    let (_, again) = s.call(Method::POST, &url, Some(&event), None).await;
    assert_eq!(effects(&again), fx);

    // The rules it would fire: the notifier's preview needs the token, as rules do.
    let rule = json!({"id": "xr-watch", "name": "XR moves", "match": {"topics": ["xr"], "status": ["exploring", "negotiating"]}});
    let (status, body) = s
        .call(
            Method::POST,
            &format!("{n}/v1/rules"),
            Some(&rule),
            Some(TOKEN),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let transitions: Vec<Value> = preview["effects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!({"a": e["a"], "b": e["b"], "topic": e["topic"], "before": e["now"]["status"], "after": e["after"]["status"]}))
        .collect();
    let ask = json!({"event_type": preview["event_type"], "factuality": preview["factuality"], "transitions": transitions});
    let rules_url = format!("{n}/v1/rules/preview");
    let (status, _) = s.call(Method::POST, &rules_url, Some(&ask), None).await;
    assert_eq!(
        status, 401,
        "the rules' preview is as confidential as the rules"
    );
    let (status, fired) = s
        .call(Method::POST, &rules_url, Some(&ask), Some(TOKEN))
        .await;
    assert_eq!(status, 200, "{fired}");
    let fired_rules: Vec<&str> = fired["firings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(fired_rules.contains(&"xr-watch"), "{fired}");
    assert!(
        !fired_rules.contains(&"new-partnership"),
        "exploring is no partnership: {fired}"
    );
    let partnership = json!({"event_type": "partnership.announced", "factuality": "asserted",
        "transitions": [{"a": "lg-electronics", "b": "meta", "topic": "xr", "before": "exploring", "after": "active"}]});
    let (_, fired) = s
        .call(Method::POST, &rules_url, Some(&partnership), Some(TOKEN))
        .await;
    let fired_rules: Vec<&str> = fired["firings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(fired_rules, ["new-partnership"], "{fired}");

    // Applying it for real (accepted through the reader) does what the preview said.
    let id = xr["id"].as_str().unwrap();
    let (status, accepted) = s
        .call(
            Method::POST,
            &format!("{r}/v1/candidates/{id}/accept"),
            None,
            Some(TOKEN),
        )
        .await;
    assert_eq!(status, 200, "{accepted}");
    let sequence = accepted["decision"]["sequence"]
        .as_u64()
        .expect("a sequence");
    s.wait_applied(sequence).await;
    for e in preview["effects"].as_array().unwrap() {
        let url = format!(
            "{p}/v1/relationships/{}/{}?topic={}",
            e["a"].as_str().unwrap(),
            e["b"].as_str().unwrap(),
            e["topic"].as_str().unwrap()
        );
        let (status, view) = s.call(Method::GET, &url, None, None).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(view["status"], e["after"]["status"], "{url}: {view}");
        assert_eq!(view["since"], e["after"]["since"], "{url}: {view}");
    }
    // Previewed again, the event is in the log: nothing would change.
    let (_, applied) = s.call(Method::POST, &url, Some(&event), None).await;
    assert_eq!(applied["already_applied"], true);
    assert!(
        effects(&applied).iter().all(|(_, now, after)| now == after),
        "{applied}"
    );

    // A late fact (dated before the facts it joins) re-folds over the stored facts and the
    // preview's own write: the preview still agrees with appending it.
    let late = json!({"type": "partnership.announced", "id": "0190a5b0-0000-7000-8000-00000000aa01",
        "time": "2024-02-01", "data": {"organizations": ["meta", "lg-electronics"], "topics": ["xr", "ai"]}});
    let (status, preview) = s.call(Method::POST, &url, Some(&late), None).await;
    assert_eq!(status, 200, "{preview}");
    println!("late preview: {preview}");
    let sequence = s.append(&late, Some(TOKEN)).await;
    s.wait_applied(sequence).await;
    for e in preview["effects"].as_array().unwrap() {
        let url = format!(
            "{p}/v1/relationships/{}/{}?topic={}",
            e["a"].as_str().unwrap(),
            e["b"].as_str().unwrap(),
            e["topic"].as_str().unwrap()
        );
        let (_, view) = s.call(Method::GET, &url, None, None).await;
        assert_eq!(view["status"], e["after"]["status"], "{url}: {view}");
        assert_eq!(view["since"], e["after"]["since"], "{url}: {view}");
    }

    // Bad bodies name the place.
    let raw = s
        .http
        .post(&url)
        .header("Content-Type", "application/json")
        .body("{\"type\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let raw = s.http.post(&url).body("{}").send().await.unwrap();
    assert_eq!(raw.status(), 415);
    let bad = json!({"type": "cooperation.discussed", "time": "2024-02-28", "data": {"organizations": ["meta"], "topics": ["xr"]}});
    let (status, problem) = s.call(Method::POST, &url, Some(&bad), None).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["errors"][0]["pointer"]
            .as_str()
            .unwrap()
            .starts_with("/data/organizations"),
        "{problem}"
    );
    let (status, problem) = s
        .call(Method::POST, &url, Some(&json!([event])), None)
        .await;
    assert_eq!(status, 422, "{problem}");
    let selfish = json!({"event_type": "partnership.announced", "factuality": "asserted",
        "transitions": [{"a": "meta", "b": "meta", "topic": "xr", "before": "none", "after": "active"}]});
    let (status, problem) = s
        .call(Method::POST, &rules_url, Some(&selfish), Some(TOKEN))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        problem["errors"][0]["pointer"], "/transitions/0/b",
        "{problem}"
    );
    let unknown = json!({"event_type": "partnership.announced", "factuality": "asserted", "transitions": [], "extra": 1});
    let (status, problem) = s
        .call(Method::POST, &rules_url, Some(&unknown), Some(TOKEN))
        .await;
    assert_eq!(status, 422, "{problem}");
    println!("unknown member: {problem}");

    // Ingest serves the schema the edit form is built from.
    let (status, schema) = s
        .call(
            Method::GET,
            &format!("{}/v1/schemas/events/cooperation.discussed", s.ingest.url),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        schema["properties"]["organizations"].is_object(),
        "{schema}"
    );
    let (status, problem) = s
        .call(
            Method::GET,
            &format!("{}/v1/schemas/events/cooperation.talked", s.ingest.url),
            None,
            None,
        )
        .await;
    assert_eq!(status, 404);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("cooperation.talked")
    );
    s.stop().await;
}
