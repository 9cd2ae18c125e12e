//! Webhook secrets never in clear outside the notifier's memory (CONTRACT.md, "Access (v2)";
//! issue 13): sealed before the rule enters the log, masked in every answer, never copied into
//! alert records nor log lines; keys that rotate; a secret in clear forged into the log
//! quarantined; a notifier without the key of a secret failing its attempts with a class and
//! saying so once. Against a real nats-server, real sled, real HTTP receivers that verify every
//! signature, and the real binary for its log.

mod support;

use std::time::Duration;

use async_nats::jetstream;
use futures::StreamExt;
use liaison_notifier::config::SecretsArgs;
use liaison_proto::subjects::ALERTS_STREAM;
use liaison_testkit::ServerOptions;
use serde_json::{Value, json};
use support::{
    Log, Notifier, Receiver, SECRET, all_alerts, eventually, fast_delivery, get, keys, post,
    relation, webhook_rule,
};

/// What of [`SECRET`] must never be found: the secret, and its key part (base64), which a
/// careless encoding could leave readable.
const SECRET_PARTS: [&str; 2] = [SECRET, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"];
/// A second secret, in the raw form (its bytes are the key).
const RAW_SECRET: &str = "hyundai-mobis-raw-s3cret";

const KEY_2025_01: &str = "2025-01:SHl1bmRhaS1Nb2Jpcy1Sb3RhdGVzLUl0cy1LZXlzLTE=";
const KEY_2025_06: &str = "2025-06:U2Ftc3VuZy1TRFMtUm90YXRlcy1JdHMtS2V5cy0yMDI=";

/// Every message of `stream`, raw: subject, headers and payload as one byte string each.
async fn raw_messages(js: &jetstream::Context, stream: &str) -> Vec<Vec<u8>> {
    let mut info = js.get_stream(stream).await.unwrap();
    let last = info.info().await.unwrap().state.last_sequence;
    let mut out = Vec::new();
    if last == 0 {
        return out;
    }
    let mut entries = Box::pin(liaison_log::read_stream_from(js, stream, 1));
    while let Some(entry) = entries.next().await {
        let entry = entry.unwrap();
        let mut bytes = entry.subject.into_bytes();
        for (name, values) in entry.headers.iter() {
            bytes.extend_from_slice(name.as_ref());
            for v in values {
                bytes.extend_from_slice(v.as_str().as_bytes());
            }
        }
        bytes.extend_from_slice(&entry.payload);
        out.push(bytes);
        if entry.sequence >= last {
            break;
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Asserts that none of `secrets` is in `bytes`, naming `what`.
fn assert_clean(bytes: &[u8], secrets: &[&str], what: &str) {
    for secret in secrets {
        assert!(
            !contains(bytes, secret),
            "{what} holds the secret {secret:?}: {}",
            String::from_utf8_lossy(bytes)
        );
    }
}

/// The webhook delivery of alert `alert` (from `GET /v1/alerts`).
fn webhook_delivery(alert: &Value) -> Value {
    alert["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "webhook")
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn no_secret_in_clear_in_the_log_the_alerts_the_database_or_the_answers() {
    let log = Log::start(ServerOptions::fast()).await;
    let notifier = Notifier::start(&log, fast_delivery(3)).await;
    let (http, base) = (&notifier.http, notifier.base.as_str());
    let standard = Receiver::start(0).await;
    let (status, rule) = post(
        http,
        base,
        "/v1/rules",
        &webhook_rule("lg-deals", &standard, &["agreed", "active"]),
    )
    .await;
    assert_eq!(status, 201, "{rule}");
    assert_eq!(rule["deliver"]["webhook"]["secret"], "sealed:2025-06");
    let raw = Receiver::start_with_secret(0, RAW_SECRET).await;
    let mut raw_rule = webhook_rule("mobis-deals", &raw, &["agreed"]);
    raw_rule["deliver"]["webhook"]["secret"] = json!(RAW_SECRET);
    let (status, answer) = post(http, base, "/v1/rules", &raw_rule).await;
    assert_eq!(status, 201, "{answer}");

    let (_, seq) = log
        .append(relation(
            "agreement.signed",
            "2024-03-04",
            "hyundai-mobis",
            "lg-electronics",
            "xr",
        ))
        .await;
    notifier.wait_applied(seq).await;
    assert!(
        eventually(Duration::from_secs(10), || async {
            standard.accepted_counts().len() == 1 && raw.accepted_counts().len() == 1
        })
        .await,
        "both receivers got their alert"
    );
    assert_eq!(standard.bad_signatures() + raw.bad_signatures(), 0);
    assert!(
        eventually(Duration::from_secs(5), || async {
            all_alerts(http, base, "?state=delivered").await.len() == 3
        })
        .await,
        "new-partnership and both rules delivered"
    );

    let secrets = [SECRET_PARTS[0], SECRET_PARTS[1], RAW_SECRET];
    // The log, every message raw: the rules are there, sealed with the newest key.
    let entries = raw_messages(&log.js, "LIAISON_EVENTS").await;
    let rules: Vec<Value> = entries
        .iter()
        .filter(|e| contains(e, "rule.created"))
        .map(|e| {
            let start = e.iter().position(|&b| b == b'{').unwrap();
            serde_json::from_slice(&e[start..]).unwrap()
        })
        .collect();
    assert_eq!(rules.len(), 2);
    for rule in &rules {
        let sealed = &rule["data"]["deliver"]["webhook"]["secret"];
        assert_eq!(sealed["alg"], "xchacha20poly1305", "{rule}");
        assert_eq!(sealed["key_id"], "2025-06", "{rule}");
    }
    for entry in &entries {
        assert_clean(entry, &secrets, "a log entry");
    }
    // The alerts stream: alerts and webhook outcomes.
    let published = raw_messages(&log.js, ALERTS_STREAM).await;
    assert!(published.len() >= 5, "3 alerts and 2 outcomes at least");
    for message in published {
        assert_clean(&message, &secrets, "an alerts-stream message");
    }
    // The answers: alerts carry the URL, no secret; rules show the mask.
    let (_, alerts) = get(http, base, "/v1/alerts").await;
    assert!(!alerts.to_string().contains("secret"), "{alerts}");
    let mut urls: Vec<&str> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["webhook_url"].as_str())
        .collect();
    urls.sort();
    let mut expected = [standard.url.as_str(), raw.url.as_str()];
    expected.sort();
    assert_eq!(urls, expected);
    let (_, rules) = get(http, base, "/v1/rules").await;
    assert_eq!(
        rules["rules"][1]["deliver"]["webhook"]["secret"],
        "sealed:2025-06"
    );
    assert_eq!(
        rules["rules"][2]["deliver"]["webhook"]["secret"],
        "sealed:2025-06"
    );
    let (_, one) = get(http, base, "/v1/rules/mobis-deals").await;
    for answer in [&alerts, &rules, &one] {
        assert_clean(answer.to_string().as_bytes(), &secrets, "an answer");
    }
    // The database, every tree: the secret is nowhere; alert records have no secret at all.
    let db = &notifier.store.db;
    for name in db.tree_names() {
        let tree = db.open_tree(&name).unwrap();
        for entry in tree.iter() {
            let (key, value) = entry.unwrap();
            assert_clean(&key, &secrets, "a database key");
            assert_clean(&value, &secrets, "a database value");
        }
    }
    for record in notifier.store.alerts.iter().values() {
        let record = record.unwrap();
        assert!(
            !contains(&record, "secret"),
            "{}",
            String::from_utf8_lossy(&record)
        );
    }
    notifier.shutdown.trigger();
}

#[tokio::test]
async fn the_notifier_takes_a_secret_in_clear_only_and_seals_it_once() {
    let log = Log::start(ServerOptions::fast()).await;
    let notifier = Notifier::start(&log, fast_delivery(2)).await;
    let (http, base) = (&notifier.http, notifier.base.as_str());
    let receiver = Receiver::start(0).await;
    let rule = webhook_rule("sds-deals", &receiver, &["agreed"]);
    let with_secret = |secret: Value| {
        let mut r = rule.clone();
        r["deliver"]["webhook"]["secret"] = secret;
        r
    };
    let before = liaison_log::last_sequence(&log.js).await.unwrap();
    // A sealed secret, a mask sent back, anything but text: 422 at the secret, nothing appended.
    let sealed = json!({"alg": "xchacha20poly1305", "key_id": "2025-06",
        "nonce": "bm9uY2Utb2YtMjQtYnl0ZXMtZXhhY3Qh",
        "ciphertext": "Y2lwaGVydGV4dC1hbmQtaXRzLTE2LWJ5dGUtdGFn"});
    for (secret, says) in [
        (sealed, "send the secret in clear"),
        (json!("sealed:2025-06"), "how answers mask a secret"),
        (json!("***"), "how answers mask a secret"),
        (json!(42), "expected the secret in clear"),
        (json!(" "), "must not be empty"),
        (json!("tab\u{1b}[31m"), "control characters"),
    ] {
        let (status, body) = post(http, base, "/v1/rules", &with_secret(secret.clone())).await;
        assert_eq!(status, 422, "{secret}: {body}");
        assert_eq!(
            body["errors"][0]["pointer"], "/deliver/webhook/secret",
            "{body}"
        );
        let detail = body["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{secret}: {detail}");
    }
    // Problems elsewhere are reported with the secret's, at once.
    let mut both = with_secret(json!(""));
    both["match"]["status"] = json!(["married"]);
    let (status, body) = post(http, base, "/v1/rules", &both).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2, "{body}");
    assert_eq!(liaison_log::last_sequence(&log.js).await.unwrap(), before);

    // The rule, sealed; the same again changes nothing; another secret is another definition.
    let (status, created) = post(http, base, "/v1/rules", &rule).await;
    assert_eq!(status, 201, "{created}");
    let appended = liaison_log::last_sequence(&log.js).await.unwrap();
    assert_eq!(appended, before + 1);
    let (status, again) = post(http, base, "/v1/rules", &rule).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(liaison_log::last_sequence(&log.js).await.unwrap(), appended);
    let (status, other) = post(http, base, "/v1/rules", &with_secret(json!("another"))).await;
    assert_eq!(status, 409, "{other}");
    assert!(!other.to_string().contains("another"), "{other}");
    notifier.shutdown.trigger();
}

#[tokio::test]
async fn without_a_key_a_webhook_rule_is_refused_naming_the_setting() {
    let log = Log::start(ServerOptions::fast()).await;
    let notifier = Notifier::start_keyed(&log, fast_delivery(2), SecretsArgs::default()).await;
    let (http, base) = (&notifier.http, notifier.base.as_str());
    let receiver = Receiver::start(0).await;
    let before = liaison_log::last_sequence(&log.js).await.unwrap();
    let (status, body) = post(
        http,
        base,
        "/v1/rules",
        &webhook_rule("sds-deals", &receiver, &["agreed"]),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("LIAISON_NOTIFIER_SECRETS_KEY_FILE")
            && detail.contains("LIAISON_NOTIFIER_SECRETS_KEYS"),
        "{detail}"
    );
    assert_eq!(liaison_log::last_sequence(&log.js).await.unwrap(), before);
    // A rule without a webhook needs no key.
    let (status, body) = post(
        http,
        base,
        "/v1/rules",
        &json!({"id": "sds-nats", "match": {"status": ["agreed"]}, "deliver": {"nats_subject": "team.sds"}}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    notifier.shutdown.trigger();
}

#[tokio::test]
async fn rotating_keeps_old_rules_deliverable_and_a_removed_key_fails_them_with_a_class() {
    let log = Log::start(ServerOptions::fast()).await;
    let (old_hook, new_hook) = (Receiver::start(0).await, Receiver::start(0).await);

    // Before the rotation: one key, one rule.
    let before = Notifier::start_keyed(&log, fast_delivery(2), keys(KEY_2025_01)).await;
    let (status, old) = post(
        &before.http,
        &before.base,
        "/v1/rules",
        &webhook_rule("old-deals", &old_hook, &["agreed", "active"]),
    )
    .await;
    assert_eq!(status, 201, "{old}");
    assert_eq!(old["deliver"]["webhook"]["secret"], "sealed:2025-01");
    before.shutdown.trigger();

    // The new key first, the old one kept: new rules are sealed with the new key, and both
    // rules are delivered, signed with the secret each was created with.
    let rotated = Notifier::start_keyed(
        &log,
        fast_delivery(2),
        keys(&format!("{KEY_2025_06}\n{KEY_2025_01}")),
    )
    .await;
    let (http, base) = (&rotated.http, rotated.base.as_str());
    let (status, new) = post(
        http,
        base,
        "/v1/rules",
        &webhook_rule("new-deals", &new_hook, &["agreed", "active"]),
    )
    .await;
    assert_eq!(status, 201, "{new}");
    assert_eq!(new["deliver"]["webhook"]["secret"], "sealed:2025-06");
    let (_, rules) = get(http, base, "/v1/rules").await;
    let masks: Vec<&Value> = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["deliver"]["webhook"].get("secret"))
        .collect();
    assert_eq!(masks, [&json!("sealed:2025-06"), &json!("sealed:2025-01")]);
    let (_, seq) = log
        .append(relation(
            "agreement.signed",
            "2024-05-02",
            "samsung-sds",
            "lg-cns",
            "ai",
        ))
        .await;
    rotated.wait_applied(seq).await;
    assert!(
        eventually(Duration::from_secs(10), || async {
            old_hook.accepted_counts().len() == 1 && new_hook.accepted_counts().len() == 1
        })
        .await,
        "both rules delivered after the rotation"
    );
    assert_eq!(old_hook.bad_signatures() + new_hook.bad_signatures(), 0);
    rotated.shutdown.trigger();

    // The old key removed: the old rule's attempts fail as key_missing, the new one delivers,
    // and the notifier keeps serving.
    let retired = Notifier::start_keyed(&log, fast_delivery(2), keys(KEY_2025_06)).await;
    let (http, base) = (&retired.http, retired.base.as_str());
    let (_, seq) = log
        .append(relation(
            "agreement.signed",
            "2024-06-03",
            "samsung-sds",
            "hyundai-mobis",
            "ai",
        ))
        .await;
    retired.wait_applied(seq).await;
    assert!(
        eventually(Duration::from_secs(10), || async {
            new_hook.accepted_counts().len() == 2
                && all_alerts(http, base, "?rule=old-deals&state=failed")
                    .await
                    .len()
                    == 1
        })
        .await,
        "the new rule delivered, the old one failed"
    );
    assert_eq!(
        old_hook.accepted_counts().len(),
        1,
        "nothing reached the old hook"
    );
    let failed = all_alerts(http, base, "?rule=old-deals&state=failed").await;
    let attempts = webhook_delivery(&failed[0])["attempts"].clone();
    let details: Vec<&str> = attempts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["detail"].as_str().unwrap())
        .collect();
    assert_eq!(details, ["key_missing", "key_missing"]);
    let (status, _) = get(http, base, "/readyz").await;
    assert_eq!(status, 200);
    let (_, rule) = get(http, base, "/v1/rules/old-deals").await;
    assert_eq!(rule["deliver"]["webhook"]["secret"], "sealed:2025-01");
    retired.shutdown.trigger();
}

#[tokio::test]
async fn a_secret_in_clear_forged_into_the_log_is_quarantined() {
    let log = Log::start(ServerOptions::fast()).await;
    let notifier = Notifier::start(&log, fast_delivery(2)).await;
    let (http, base) = (&notifier.http, notifier.base.as_str());
    // Appended straight to the log, past ingest and the notifier's API.
    let (_, forged) = log
        .append(json!({"type": "rule.created", "time": "2024-03-01",
            "data": {"id": "forged", "match": {},
                "deliver": {"webhook": {"url": "https://hooks.example.com/x", "secret": RAW_SECRET}}}}))
        .await;
    notifier.wait_applied(forged).await;
    let (status, _) = get(http, base, "/v1/rules/forged").await;
    assert_eq!(status, 404, "the rule is not in force");
    let (status, quarantine) = get(http, base, "/v1/admin/quarantine").await;
    assert_eq!(status, 200, "{quarantine}");
    let entry = &quarantine["entries"][0];
    assert_eq!(entry["sequence"], forged);
    let reason = entry["reasons"][0].as_str().unwrap();
    assert!(
        reason.starts_with("/data/deliver/webhook/secret: a webhook secret must be sealed"),
        "{reason}"
    );
    assert!(!quarantine.to_string().contains(RAW_SECRET), "{quarantine}");
    notifier.shutdown.trigger();
}

/// The real notifier binary, its output (every level down to `debug`) in `output`.
fn spawn_logging(
    nats: &str,
    dir: &std::path::Path,
    port: u16,
    output: &std::path::Path,
    keys: &str,
) -> std::process::Child {
    let file = std::fs::File::create(output).unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_liaison-notifier"))
        .arg("--nats-url")
        .arg(nats)
        .arg("--http-addr")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(dir)
        .args(["--webhook-attempts", "2", "--backoff-base-ms", "50"])
        .env("RUST_LOG", "debug")
        .env("NO_COLOR", "1")
        .env("LIAISON_WEBHOOK_ALLOW_PRIVATE", "1")
        .env("LIAISON_NOTIFIER_SECRETS_KEYS", keys)
        .env_remove("LIAISON_NOTIFIER_SECRETS_KEY_FILE")
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .expect("spawn liaison-notifier")
}

#[tokio::test]
async fn no_log_line_holds_a_secret_or_a_key() {
    let log = Log::start(ServerOptions::fast()).await;
    let receiver = Receiver::start(1).await;
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("notifier.log");
    let port = liaison_testkit::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let rotated = format!("{KEY_2025_06}\n{KEY_2025_01}");
    let mut child = spawn_logging(
        &log.server.url(),
        &dir.path().join("db"),
        port,
        &output,
        &rotated,
    );
    assert!(
        eventually(Duration::from_secs(20), || async {
            http.get(format!("{base}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await,
        "the notifier is ready"
    );
    // A rule created through the API, one forged into the log with a secret in clear, an alert
    // that fails once and is delivered.
    let (status, body) = post(
        &http,
        &base,
        "/v1/rules",
        &webhook_rule("lg-deals", &receiver, &["agreed"]),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    log.append(json!({"type": "rule.created", "time": "2024-03-01",
        "data": {"id": "forged", "match": {},
            "deliver": {"webhook": {"url": "https://hooks.example.com/x", "secret": RAW_SECRET}}}}))
        .await;
    log.append(relation(
        "agreement.signed",
        "2024-03-04",
        "lg-electronics",
        "meta",
        "xr",
    ))
    .await;
    assert!(
        eventually(Duration::from_secs(10), || async {
            receiver.accepted_counts().len() == 1
        })
        .await,
        "delivered"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read_to_string(&output).unwrap();
    assert!(
        text.contains("webhook secrets are sealed with key '2025-06'"),
        "{text}"
    );
    assert!(
        text.contains("quarantine"),
        "the forged rule was refused: {text}"
    );

    // Started again without the key that sealed the rule: its attempts fail as key_missing,
    // and the log says so once, however many attempts.
    let again = dir.path().join("notifier-again.log");
    let mut child = spawn_logging(
        &log.server.url(),
        &dir.path().join("db"),
        port,
        &again,
        KEY_2025_01,
    );
    log.append(relation(
        "agreement.signed",
        "2024-03-05",
        "lg-electronics",
        "samsung-sds",
        "xr",
    ))
    .await;
    assert!(
        eventually(Duration::from_secs(20), || async {
            let Ok(r) = http
                .get(format!("{base}/v1/alerts?rule=lg-deals&state=failed"))
                .send()
                .await
            else {
                return false;
            };
            r.json::<Value>()
                .await
                .is_ok_and(|v| v["alerts"].as_array().is_some_and(|a| a.len() == 1))
        })
        .await,
        "the second alert failed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let text = text + &std::fs::read_to_string(&again).unwrap();
    let missing = text.matches("no secrets key '2025-06'").count();
    assert_eq!(missing, 1, "{text}");
    let keys: Vec<&str> = [KEY_2025_06, KEY_2025_01]
        .iter()
        .map(|k| k.split_once(':').unwrap().1)
        .collect();
    for line in text.lines() {
        for secret in SECRET_PARTS.iter().chain([&RAW_SECRET]).chain(&keys) {
            assert!(
                !line.contains(secret),
                "a log line holds {secret:?}: {line}"
            );
        }
    }
}
