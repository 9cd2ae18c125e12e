//! One webhook call against real HTTP receivers on `127.0.0.1`: the target policy refuses
//! loopback addresses in every spelling and names that resolve to them without a single
//! request reaching the receiver; redirects are not followed; a failure is recorded as a class,
//! never as the error's text (issue 13).

mod support;

use std::time::Duration;

use liaison_notifier::delivery::signature::secret_key;
use liaison_notifier::delivery::target_policy::TargetPolicy;
use liaison_notifier::delivery::webhook::{AttemptFailure, WebhookSender};
use liaison_proto::{Alert, BusinessTime, Slug, Status};
use support::SECRET;
use support::counting::{Answer, CountingReceiver};
use uuid::Uuid;

fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap()
}

fn alert() -> Alert {
    Alert {
        id: Uuid::now_v7(),
        rule: slug("deals"),
        organizations: [slug("lg-electronics"), slug("meta")],
        topic: slug("xr"),
        status: Status::Agreed,
        previous_status: Status::Negotiating,
        event_id: Uuid::now_v7(),
        time: BusinessTime::parse("2024-02-28").unwrap(),
        sequence: 7,
    }
}

/// The signing key of the tests' secret.
fn key() -> Vec<u8> {
    secret_key(SECRET).unwrap()
}

const TIMEOUT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn loopback_in_any_spelling_and_names_resolving_to_it_reach_nothing() {
    let receiver = CountingReceiver::start(Answer::Status(204)).await;
    let port = receiver.addr.port();
    let strict = WebhookSender::new(TIMEOUT, TargetPolicy::STRICT);
    for url in [
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://127.1:{port}/hook"),
        format!("http://2130706433:{port}/hook"),
        format!("http://0x7f.0.0.1:{port}/hook"),
        format!("http://[::1]:{port}/hook"),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
        format!("http://0.0.0.0:{port}/hook"),
        format!("http://localhost:{port}/hook"),
    ] {
        assert_eq!(
            strict.send(&url, &key(), &alert()).await,
            Err(AttemptFailure::ForbiddenAddress),
            "{url}"
        );
    }
    assert_eq!(receiver.requests(), 0, "no request reached the receiver");

    // The same receiver is reachable when private addresses are allowed: the zero above is the
    // policy's doing.
    let open = WebhookSender::new(TIMEOUT, TargetPolicy::ALLOW_PRIVATE);
    let url = format!("http://localhost:{port}/hook");
    assert_eq!(
        open.send(&url, &key(), &alert()).await,
        Ok("HTTP 204".to_owned())
    );
    assert_eq!(receiver.requests(), 1);
}

#[tokio::test]
async fn link_local_and_private_literals_are_refused_before_any_connection() {
    let strict = WebhookSender::new(TIMEOUT, TargetPolicy::STRICT);
    for url in [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fe80::1]/",
        "http://10.20.30.40:8080/hook",
        "http://172.16.0.9/hook",
        "http://192.168.178.1/hook",
        "http://100.64.0.7/hook",
        "https://[fd00::7]/hook",
        "http://224.0.0.251/hook",
        "http://255.255.255.255/hook",
    ] {
        assert_eq!(
            strict.send(url, &key(), &alert()).await,
            Err(AttemptFailure::ForbiddenAddress),
            "{url}"
        );
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let inner = CountingReceiver::start(Answer::Status(204)).await;
    let redirecting = CountingReceiver::start(Answer::RedirectTo(inner.url())).await;
    let sender = WebhookSender::new(TIMEOUT, TargetPolicy::ALLOW_PRIVATE);
    assert_eq!(
        sender.send(&redirecting.url(), &key(), &alert()).await,
        Err(AttemptFailure::Status(302))
    );
    assert_eq!(redirecting.requests(), 1);
    assert_eq!(inner.requests(), 0, "the redirect was not followed");
}

#[tokio::test]
async fn failures_are_classes_not_the_errors_text() {
    let sender = WebhookSender::new(TIMEOUT, TargetPolicy::ALLOW_PRIVATE);
    let closed = format!("http://127.0.0.1:{}/hook", liaison_testkit::free_port());
    let failing = CountingReceiver::start(Answer::Status(503)).await;
    let plain = CountingReceiver::start(Answer::Status(204)).await;
    let https_to_plain = format!("https://{}/hook", plain.addr);
    for (url, class, shown) in [
        (closed.as_str(), AttemptFailure::Refused, "refused"),
        (&failing.url(), AttemptFailure::Status(503), "HTTP 503"),
        (&https_to_plain, AttemptFailure::Tls, "tls"),
    ] {
        let failure = sender.send(url, &key(), &alert()).await.unwrap_err();
        assert_eq!(failure, class, "{url}");
        assert_eq!(failure.to_string(), shown);
    }

    let slow = CountingReceiver::start(Answer::After(Duration::from_secs(30))).await;
    let impatient = WebhookSender::new(Duration::from_millis(300), TargetPolicy::ALLOW_PRIVATE);
    assert_eq!(
        impatient.send(&slow.url(), &key(), &alert()).await,
        Err(AttemptFailure::Timeout)
    );

    let failure = sender
        .send("http://no-such-host.invalid/hook", &key(), &alert())
        .await
        .unwrap_err();
    assert_eq!(failure, AttemptFailure::Dns);
    assert_eq!(failure.to_string(), "dns");
}
