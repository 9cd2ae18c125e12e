//! `liaison dev --cluster --free-ports` from an empty data directory: three secured nats-server
//! nodes with R3 streams and two instances of each service, printed in the banner; an append
//! through the second ingest is read from both projections, and an alert it raises is listed
//! as delivered by both notifiers (docs/decisions/022-the-cluster.md).

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use liaison_e2e::liaison_binary;
use liaison_testkit::events::{organization, partnership_announced};
use liaison_testkit::{ChildProcess, Output};
use serde_json::{Value, json};

/// How long the stack may take to start (a debug build on a busy machine, nine processes).
const READY_WITHIN: Duration = Duration::from_secs(180);

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// The URLs of each service's instances, from the banner's `  <service>  <url> <url>` lines.
fn instances(banner: &str) -> HashMap<String, Vec<String>> {
    banner
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?;
            let urls: Vec<String> = words.map(str::to_owned).collect();
            let all_http = !urls.is_empty() && urls.iter().all(|u| u.starts_with("http://"));
            all_http.then(|| (name.to_owned(), urls))
        })
        .collect()
}

/// `POST`s `body` to `url` until it answers `201` (a service may still be catching up: `422`
/// for an unknown organization, or `503`), for up to 30 s; the answer.
async fn post_until_created(http: &reqwest::Client, url: &str, body: &Value) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let response = http.post(url).json(body).send().await.unwrap();
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or_default();
        if status == 201 {
            return answer;
        }
        assert!(
            matches!(status, 422 | 503) && Instant::now() < deadline,
            "{url}: {status} {answer}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liaison_dev_cluster_runs_two_of_each_service_on_three_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let output = dir.path().join("dev.out");
    let mut command = liaison_testkit::spawn::command(liaison_binary());
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("LIAISON_") && key != "LIAISON_NATS_SERVER" && key != "LIAISON_BIN_DIR" {
            command.env_remove(key);
        }
    }
    command
        .args(["dev", "--cluster", "--free-ports", "--data-dir"])
        .arg(&data_dir);
    let mut dev = ChildProcess::spawn("liaison dev", command, &Output::File(output.clone()))
        .expect("start liaison dev");
    let deadline = Instant::now() + READY_WITHIN;
    while !read(&output).contains("Ctrl-C stops everything") {
        if let Some(status) = dev.exit_status() {
            panic!("liaison dev exited ({status}):\n{}", read(&output));
        }
        assert!(Instant::now() < deadline, "no banner:\n{}", read(&output));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = read(&output);
    assert!(
        text.contains("3-node NATS cluster, streams of 3 replicas"),
        "{text}"
    );
    for node in ["nats-n0", "nats-n1", "nats-n2"] {
        assert!(text.contains(&format!("  {node}")), "{text}");
    }
    let urls = instances(&text);
    for service in ["ingest", "projection", "notifier", "reader", "console"] {
        assert_eq!(
            urls.get(service).map(Vec::len),
            Some(2),
            "{service}: {text}"
        );
    }
    assert!(
        data_dir.join("nats-cluster/n2").is_dir() && data_dir.join("projection-2").is_dir(),
        "{text}"
    );

    let http = reqwest::Client::new();
    let notifiers = &urls["notifier"];
    let rule = json!({"id": "deals", "match": {"status": ["active"]},
        "deliver": {"nats_subject": "alerts.deals"}});
    post_until_created(&http, &format!("{}/v1/rules", notifiers[1]), &rule).await;
    let ingest = format!("{}/v1/events", urls["ingest"][1]);
    let registrations = json!([organization("meta"), organization("lg-electronics")]);
    post_until_created(&http, &ingest, &registrations).await;
    let announced = partnership_announced("2024-03-01", &["meta", "lg-electronics"], &["xr"]);
    let answer = post_until_created(&http, &ingest, &announced).await;
    let sequence = answer["events"][0]["sequence"].as_u64().unwrap();

    for projection in &urls["projection"] {
        let url = format!(
            "{projection}/v1/relationships/meta/lg-electronics?topic=xr&min_sequence={sequence}"
        );
        let (status, view) = liaison_e2e::http::query(&http, &url, "").await;
        assert_eq!(status, 200, "{url}: {view}");
        assert_eq!(view["status"], "active", "{url}: {view}");
    }
    for notifier in notifiers {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let alerts: Value = http
                .get(format!("{notifier}/v1/alerts?rule=deals&state=delivered"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if alerts["alerts"].as_array().is_some_and(|a| a.len() == 1) {
                break;
            }
            assert!(Instant::now() < deadline, "{notifier}: {alerts}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    dev.terminate(Duration::from_secs(30)).await;
}
