//! Who may read and write the notifier's rules and alerts (CONTRACT.md, "Access (v2)"): rules
//! and alerts show webhook URLs, often credentials themselves, so they need a token whenever one
//! is configured; with `LIAISON_READ_TOKEN` the read token reads them and cannot write;
//! `/healthz`, `/readyz`, `/metrics` stay open. Against the real notifier, a real nats-server
//! and real sled.

mod support;

use liaison_testkit::ServerOptions;
use reqwest::Method;
use serde_json::json;
use support::{Log, Notifier, SECRET, fast_delivery, relation};

const WRITE: &str = "samsung-sds-wr1te";
const READ: &str = "samsung-sds-r3ad";

/// `method path` with `token`: the status (and, for a 401, checks the challenge and the
/// problem document).
async fn status(notifier: &Notifier, method: Method, path: &str, token: Option<&str>) -> u16 {
    let mut request = notifier
        .http
        .request(method, format!("{}{path}", notifier.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if path == "/v1/rules" {
        request = request.json(&json!({"id": "deals", "match": {"status": ["agreed"]},
            "deliver": {"webhook": {"url": "https://hooks.example.com/deals?key=k3y", "secret": SECRET}}}));
    }
    let response = request.send().await.unwrap();
    let code = response.status().as_u16();
    if code == 401 {
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
    code
}

/// Starts a notifier with the tokens, and raises one alert; its id.
async fn notifier_with_an_alert(
    log: &Log,
    api: Option<&str>,
    read: Option<&str>,
) -> (Notifier, String) {
    let notifier = Notifier::start_with(log, fast_delivery(2), |common| {
        common.api_token = api.map(Into::into);
        common.read_token = read.map(Into::into);
    })
    .await;
    let (_, seq) = log
        .append(relation(
            "agreement.signed",
            "2024-02-28",
            "meta",
            "lg",
            "xr",
        ))
        .await;
    notifier.wait_applied(seq).await;
    let alerts: serde_json::Value = notifier
        .http
        .get(format!("{}/v1/alerts", notifier.base))
        .bearer_auth(WRITE)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = alerts["alerts"][0]["id"]
        .as_str()
        .expect("an alert")
        .to_owned();
    (notifier, id)
}

/// The reads of the notifier, each holding or listing webhook URLs.
fn reads(alert: &str) -> Vec<String> {
    vec![
        "/v1/rules".into(),
        "/v1/rules/new-partnership".into(),
        "/v1/alerts".into(),
        format!("/v1/alerts/{alert}"),
    ]
}

async fn assert_ops_routes_open(notifier: &Notifier) {
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(
            status(notifier, Method::GET, path, None).await,
            200,
            "{path}"
        );
    }
}

#[tokio::test]
async fn with_the_api_token_rules_and_alerts_need_it() {
    let log = Log::start(ServerOptions::fast()).await;
    let (notifier, alert) = notifier_with_an_alert(&log, Some(WRITE), None).await;
    for path in reads(&alert) {
        assert_eq!(
            status(&notifier, Method::GET, &path, None).await,
            401,
            "{path}"
        );
        assert_eq!(
            status(&notifier, Method::GET, &path, Some("guess")).await,
            401,
            "{path}"
        );
        assert_eq!(
            status(&notifier, Method::GET, &path, Some(WRITE)).await,
            200,
            "{path}"
        );
    }
    assert_eq!(
        status(&notifier, Method::POST, "/v1/rules", None).await,
        401
    );
    assert_eq!(
        status(&notifier, Method::POST, "/v1/rules", Some(WRITE)).await,
        201
    );
    assert_ops_routes_open(&notifier).await;
    notifier.shutdown.trigger();
}

#[tokio::test]
async fn the_read_token_reads_rules_and_alerts_and_cannot_write() {
    let log = Log::start(ServerOptions::fast()).await;
    let (notifier, alert) = notifier_with_an_alert(&log, Some(WRITE), Some(READ)).await;
    for path in reads(&alert) {
        assert_eq!(
            status(&notifier, Method::GET, &path, None).await,
            401,
            "{path}"
        );
        assert_eq!(
            status(&notifier, Method::GET, &path, Some(READ)).await,
            200,
            "{path}"
        );
        assert_eq!(
            status(&notifier, Method::GET, &path, Some(WRITE)).await,
            200,
            "{path}"
        );
    }
    for (method, path) in [
        (Method::POST, "/v1/rules".to_owned()),
        (Method::DELETE, "/v1/rules/deals".to_owned()),
        (Method::POST, format!("/v1/alerts/{alert}/redeliver")),
        (Method::GET, "/v1/admin/quarantine".to_owned()),
    ] {
        assert_eq!(
            status(&notifier, method.clone(), &path, Some(READ)).await,
            401,
            "{method} {path}"
        );
    }
    assert_eq!(
        status(&notifier, Method::GET, "/v1/admin/quarantine", Some(WRITE)).await,
        200
    );
    assert_eq!(
        status(&notifier, Method::POST, "/v1/rules", Some(WRITE)).await,
        201
    );
    // The rules' preview reads the rules: the read token passes (then it asks for a JSON body).
    let preview = "/v1/rules/preview";
    assert_eq!(status(&notifier, Method::POST, preview, None).await, 401);
    assert_eq!(
        status(&notifier, Method::POST, preview, Some(READ)).await,
        415
    );
    assert_ops_routes_open(&notifier).await;
    notifier.shutdown.trigger();
}
