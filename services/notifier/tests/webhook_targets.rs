//! Where a rule may deliver, through the real notifier (real nats-server, real sled, real HTTP
//! receivers on `127.0.0.1`): a webhook URL naming a forbidden address and a NATS subject in a
//! reserved namespace are `422`s at rule creation, with nothing appended; a name that resolves
//! to loopback passes creation but every attempt fails as `forbidden_address` without reaching
//! the receiver; a redirect is not followed; `GET /v1/alerts` shows each failure as a class,
//! never as the error's text (issue 13).

mod support;

use std::time::Duration;

use liaison_notifier::config::DeliveryArgs;
use liaison_proto::subjects::EVENTS_STREAM;
use liaison_testkit::ServerOptions;
use serde_json::{Value, json};
use support::counting::{Answer, CountingReceiver};
use support::{Log, Notifier, SECRET, all_alerts, eventually, fast_delivery, get, post, relation};

/// Fast delivery with the policy on, as in production.
fn strict_delivery(attempts: u32) -> DeliveryArgs {
    DeliveryArgs {
        webhook_allow_private: false,
        ..fast_delivery(attempts)
    }
}

fn rule_to(id: &str, url: &str) -> Value {
    json!({"id": id, "match": {"status": ["agreed", "active"]},
           "deliver": {"webhook": {"url": url, "secret": SECRET}}})
}

async fn last_log_sequence(log: &Log) -> u64 {
    let mut stream = log.js.get_stream(EVENTS_STREAM).await.unwrap();
    stream.info().await.unwrap().state.last_sequence
}

/// The webhook delivery of `alert`, once it is `failed`.
async fn failed_webhook(notifier: &Notifier, rule: &str) -> Value {
    let query = format!("?rule={rule}&state=failed");
    assert!(
        eventually(Duration::from_secs(15), || async {
            all_alerts(&notifier.http, &notifier.base, &query)
                .await
                .len()
                == 1
        })
        .await,
        "the alert of {rule} ends failed"
    );
    let alert = all_alerts(&notifier.http, &notifier.base, &query)
        .await
        .remove(0);
    alert["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "webhook")
        .cloned()
        .expect("a webhook delivery")
}

fn details(webhook: &Value) -> Vec<String> {
    webhook["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["detail"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn forbidden_webhook_addresses_and_reserved_subjects_are_refused_at_creation() {
    let log = Log::start(ServerOptions::fast()).await;
    let notifier = Notifier::start(&log, strict_delivery(2)).await;
    let receiver = CountingReceiver::start(Answer::Status(204)).await;
    let port = receiver.addr.port();
    let before = last_log_sequence(&log).await;

    for url in [
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://127.1:{port}/hook"),
        format!("http://[::1]:{port}/hook"),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
        "http://127.0.0.1:7402/v1/admin/rebuild".to_owned(),
        "http://10.1.2.3/hook".to_owned(),
        "http://172.20.0.5:8080/hook".to_owned(),
        "https://192.168.0.10/hook".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://[fe80::1]/hook".to_owned(),
        "http://[fd12:3456::1]/hook".to_owned(),
        "http://100.64.1.1/hook".to_owned(),
        "http://0.0.0.0:7401/v1/events".to_owned(),
    ] {
        let (status, problem) = post(
            &notifier.http,
            &notifier.base,
            "/v1/rules",
            &rule_to("probe", &url),
        )
        .await;
        assert_eq!(status, 422, "{url}: {problem}");
        let errors = problem["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{problem}");
        assert_eq!(errors[0]["pointer"], "/deliver/webhook/url", "{url}");
        let detail = errors[0]["detail"].as_str().unwrap();
        assert!(
            detail.contains("LIAISON_WEBHOOK_ALLOW_PRIVATE=1"),
            "{detail}"
        );
    }

    for subject in [
        "liaison.events.meeting.held._",
        "liaison.events.organization.registered.meta",
        "liaison.alerts._outcome.0190a000-0000-7000-8000-000000000001",
        "$JS.API.STREAM.DELETE.LIAISON_EVENTS",
        "$SYS.REQ.SERVER.PING",
        "_INBOX.Jw5bHNaKrx2MzRqLPq.1",
    ] {
        let rule = json!({"id": "probe", "match": {"status": ["agreed"]},
                          "deliver": {"nats_subject": subject}});
        let (status, problem) = post(&notifier.http, &notifier.base, "/v1/rules", &rule).await;
        assert_eq!(status, 422, "{subject}: {problem}");
        assert_eq!(problem["errors"][0]["pointer"], "/deliver/nats_subject");
    }

    assert_eq!(
        last_log_sequence(&log).await,
        before,
        "nothing was appended"
    );
    let (_, rules) = get(&notifier.http, &notifier.base, "/v1/rules").await;
    let ids: Vec<&str> = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["new-partnership"]);
    assert_eq!(receiver.requests(), 0);

    // A public address and a subject of the user's own pass.
    let rule = json!({"id": "public", "match": {"status": ["agreed"]},
        "deliver": {"nats_subject": "team.meta.deals",
                    "webhook": {"url": "https://hooks.example.com/liaison", "secret": SECRET}}});
    let (status, body) = post(&notifier.http, &notifier.base, "/v1/rules", &rule).await;
    assert_eq!(status, 201, "{body}");
    notifier.shutdown.trigger();
}

#[tokio::test]
async fn a_name_resolving_to_loopback_fails_as_forbidden_address_and_reaches_nothing() {
    let log = Log::start(ServerOptions::fast()).await;
    let notifier = Notifier::start(&log, strict_delivery(2)).await;
    let receiver = CountingReceiver::start(Answer::Status(204)).await;
    let url = format!("http://localhost:{}/hook", receiver.addr.port());
    let (status, body) = post(
        &notifier.http,
        &notifier.base,
        "/v1/rules",
        &rule_to("local", &url),
    )
    .await;
    assert_eq!(status, 201, "a name is checked when it is resolved: {body}");

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
    let webhook = failed_webhook(&notifier, "local").await;
    assert_eq!(
        details(&webhook),
        ["forbidden_address", "forbidden_address"]
    );
    assert_eq!(receiver.requests(), 0, "the receiver was never reached");
    notifier.shutdown.trigger();
}

#[tokio::test]
async fn redirects_are_not_followed_and_failures_show_as_classes() {
    let log = Log::start(ServerOptions::fast()).await;
    // Local receivers: private addresses allowed, as in development.
    let notifier = Notifier::start(&log, fast_delivery(2)).await;
    let inner = CountingReceiver::start(Answer::Status(204)).await;
    let redirecting = CountingReceiver::start(Answer::RedirectTo(inner.url())).await;
    let closed = format!("http://127.0.0.1:{}/hook", liaison_testkit::free_port());
    for (id, url) in [("moved", redirecting.url()), ("closed", closed)] {
        let (status, body) = post(
            &notifier.http,
            &notifier.base,
            "/v1/rules",
            &rule_to(id, &url),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }

    let (_, seq) = log
        .append(relation(
            "partnership.announced",
            "2024-03-05",
            "meta",
            "lg",
            "xr",
        ))
        .await;
    notifier.wait_applied(seq).await;
    assert_eq!(
        details(&failed_webhook(&notifier, "moved").await),
        ["HTTP 302", "HTTP 302"]
    );
    assert_eq!(redirecting.requests(), 2);
    assert_eq!(inner.requests(), 0, "the redirect was not followed");
    assert_eq!(
        details(&failed_webhook(&notifier, "closed").await),
        ["refused", "refused"]
    );

    let (_, listing) = get(&notifier.http, &notifier.base, "/v1/alerts").await;
    let shown = listing.to_string().to_lowercase();
    for text in [
        "os error",
        "connection refused",
        "error sending request",
        "tcp connect",
    ] {
        assert!(!shown.contains(text), "an error's text leaked: {text}");
    }
    notifier.shutdown.trigger();
}
