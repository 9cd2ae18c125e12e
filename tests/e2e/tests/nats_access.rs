//! Nobody in where they don't belong (issue 13), on the shipped secured configuration: one
//! stack, secured as `liaison dev` runs it — nats-server requiring TLS and knowing one user per
//! role, the streams created by the admin, each service connected with its own role's key.
//!
//! 1. The three services pass a whole scenario with their own credentials — append, query, a
//!    rule created and its alert published on NATS, the built-in alert delivered — and
//!    nats-server logs no permissions violation: no role lacks anything it needs.
//! 2. Each role is refused what it must not do: the read-only user cannot append, create,
//!    change, purge or delete a stream, nor read the notifier's durable consumer or inbox;
//!    ingest cannot delete the log; the projection and the console cannot append; the notifier
//!    cannot append anything but rules. Refused means: nats-server reports the permissions
//!    violation to the client, and the log and its streams are as they were.
//! 3. `liaison` as the read-only user reads the log (`tail`), `liaison admin init-streams` works
//!    as the admin only, and without credentials `liaison` says which to give.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use async_nats::{Event, HeaderMap};
use futures::StreamExt;
use liaison_e2e::{Service, Stack, run_liaison};
use liaison_log::{
    LogSettings, alerts_stream_config, articles_stream_config, events_stream_config,
};
use liaison_proto::subjects::{ALERTS_STREAM, EVENTS_STREAM, WEBHOOK_CONSUMER};
use liaison_secure::{Role, Servers};
use liaison_testkit::events::{organization, partnership_announced};
use liaison_testkit::{NatsServer, StackOptions};
use serde_json::{Value, json};

/// How long a refused request waits for the answer that never comes.
const REFUSED_WAIT: Duration = Duration::from_secs(1);
/// How long nats-server may take to report a violation.
const REPORTED_WITHIN: Duration = Duration::from_secs(5);

/// The log, the alerts and the reader's articles, as `liaison dev` creates them.
fn streams() -> Vec<stream::Config> {
    let settings = LogSettings::default();
    vec![
        events_stream_config(&settings),
        alerts_stream_config(&settings),
        articles_stream_config(&settings),
    ]
}

/// A client of one role that hears what nats-server reports to it.
struct Watched {
    role: Role,
    client: async_nats::Client,
    reported: tokio::sync::mpsc::UnboundedReceiver<String>,
}

impl Watched {
    async fn connect(server: &NatsServer, role: Role) -> Watched {
        let (tx, reported) = tokio::sync::mpsc::unbounded_channel();
        let servers = Servers::parse(&[server.url()]).unwrap();
        let client = server
            .access(role)
            .connect_options(&servers, &role.inbox_prefix())
            .await
            .unwrap()
            .event_callback(move |event| {
                let tx = tx.clone();
                async move {
                    if let Event::ServerError(error) = event {
                        let _ = tx.send(error.to_string());
                    }
                }
            })
            .connect(servers.addrs().to_vec())
            .await
            .unwrap_or_else(|e| panic!("{role} connects: {e}"));
        Watched {
            role,
            client,
            reported,
        }
    }

    /// JetStream with a short timeout: a refused request gets no answer at all.
    fn js(&self) -> jetstream::Context {
        jetstream::context::ContextBuilder::new()
            .timeout(REFUSED_WAIT)
            .build(self.client.clone())
    }

    /// Waits until nats-server reports a permissions violation on `subject` to this client.
    async fn refused(&mut self, what: &str, subject: &str) {
        let deadline = tokio::time::Instant::now() + REPORTED_WITHIN;
        loop {
            let report = tokio::time::timeout_at(deadline, self.reported.recv()).await;
            match report {
                Ok(Some(text)) => {
                    let lower = text.to_lowercase();
                    if lower.contains("permissions violation") && text.contains(subject) {
                        return;
                    }
                }
                _ => panic!(
                    "{}: {what}: no permissions violation on {subject} reported within {:?}",
                    self.role, REPORTED_WITHIN
                ),
            }
        }
    }

    /// Publishes on `subject` (core NATS) and waits for the refusal.
    async fn publish_refused(&mut self, subject: &str) {
        self.client
            .publish(subject.to_owned(), "forged".into())
            .await
            .unwrap();
        self.client.flush().await.unwrap();
        self.refused("publish", subject).await;
    }
}

/// The last sequence and creation time of `name`, read as the admin.
async fn stream_state(admin: &jetstream::Context, name: &str) -> (u64, String) {
    let mut stream = admin
        .get_stream(name)
        .await
        .unwrap_or_else(|e| panic!("{name} exists: {e}"));
    let info = stream.info().await.unwrap();
    (info.state.last_sequence, format!("{:?}", info.created))
}

async fn get(stack: &Stack, service: Service, path: &str) -> (u16, Value) {
    let response = stack
        .http
        .get(format!("{}{path}", stack.url(service)))
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{service} reachable: {e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Waits (at most 30 s) until `check` holds for the notifier's alerts.
async fn wait_alerts(stack: &Stack, check: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (status, page) = get(stack, Service::Notifier, "/v1/alerts?limit=100").await;
        let alerts = page["alerts"].as_array().cloned().unwrap_or_default();
        if status == 200 && check(&alerts) {
            return alerts;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "alerts not as expected within 30 s: {status} {page}\nnotifier log:\n{}",
            stack.service(Service::Notifier).log_tail()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The lines of nats-server's log that report a permissions violation.
fn violations(stack: &Stack) -> Vec<String> {
    let log = std::fs::read_to_string(stack.log_path("nats")).unwrap_or_default();
    log.lines()
        .filter(|l| l.to_lowercase().contains("violation"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_services_run_with_their_own_roles_and_no_role_does_more_than_it_may() {
    let stack = Stack::start_with(StackOptions {
        secured: true,
        streams: streams(),
        ..StackOptions::for_tests()
    })
    .await;
    let nats = stack.nats();
    let admin = jetstream::new(nats.client().await);

    scenario_with_every_service(&stack).await;
    assert_eq!(
        violations(&stack),
        Vec::<String>::new(),
        "a service was refused something it needs"
    );

    read_only_user(&stack, &admin).await;
    services_beyond_their_role(&stack, &admin).await;
    future_roles(&stack).await;
    command_line(&stack).await;
    // nats-server logged the refusals above: the first check looked in the right place.
    assert!(violations(&stack).len() >= 10, "{:?}", violations(&stack));
}

/// 1. Append, query, a rule and its alert on NATS, the built-in alert delivered.
async fn scenario_with_every_service(stack: &Stack) {
    let nats = stack.nats();
    // The read-only user follows the alerts; the admin listens on the rule's own subject.
    let cli = nats.client_as(Role::Cli).await;
    let mut alerts = cli.subscribe("liaison.alerts.*").await.unwrap();
    cli.flush().await.unwrap();
    let admin = nats.client().await;
    let mut rule_subject = admin.subscribe("alerts.meta-xr").await.unwrap();
    admin.flush().await.unwrap();

    let registrations = json!([organization("meta"), organization("lg-electronics")]);
    let (status, answer) = stack.post_events(&registrations).await.unwrap();
    assert_eq!(status, 201, "{answer}");

    // The notifier appends the rule (once it has applied the registrations it names).
    let rule = json!({"id": "meta-xr", "match": {"organizations": ["meta"], "topics": ["xr"],
        "status": ["active"]}, "deliver": {"nats_subject": "alerts.meta-xr"}});
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let response = stack
            .http
            .post(format!("{}/v1/rules", stack.url(Service::Notifier)))
            .json(&rule)
            .timeout(Duration::from_secs(15))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        if status == 201 {
            break;
        }
        assert!(
            status == 422
                && text.contains("unknown organization")
                && tokio::time::Instant::now() < deadline,
            "the rule: {status} {text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let announced = partnership_announced("2024-03-01", &["meta", "lg-electronics"], &["xr"]);
    let (status, answer) = stack.post_events(&announced).await.unwrap();
    assert_eq!(status, 201, "{answer}");
    let last = answer["events"][0]["sequence"].as_u64().unwrap();

    let (status, view) = stack
        .query(&format!(
            "/v1/relationships/meta/lg-electronics?topic=xr&min_sequence={last}"
        ))
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["status"], "active", "{view}");

    let listed = wait_alerts(stack, |alerts| {
        alerts.len() == 2 && alerts.iter().all(|a| a["state"] == "delivered")
    })
    .await;
    let mut rules: Vec<&str> = listed.iter().filter_map(|a| a["rule"].as_str()).collect();
    rules.sort_unstable();
    assert_eq!(rules, ["meta-xr", "new-partnership"], "{listed:?}");

    for (what, subscription) in [
        ("liaison.alerts.*", &mut alerts),
        ("alerts.meta-xr", &mut rule_subject),
    ] {
        let message = tokio::time::timeout(Duration::from_secs(15), subscription.next())
            .await
            .unwrap_or_else(|_| panic!("no alert on {what} within 15 s"))
            .unwrap();
        let alert: Value = serde_json::from_slice(&message.payload).unwrap();
        assert_eq!(alert["type"], "liaison.alert", "{alert}");
    }
}

/// 2a. The read-only user: reads the log and the alerts, and nothing else.
async fn read_only_user(stack: &Stack, admin: &jetstream::Context) {
    let nats = stack.nats();
    let mut cli = Watched::connect(nats, Role::Cli).await;
    let js = cli.js();
    let before = stream_state(admin, EVENTS_STREAM).await;

    // It reads the log: an ordered consumer from the start, and one entry by sequence.
    let read: Vec<u64> = liaison_log::read_from(&js, 1)
        .take(before.0 as usize)
        .map(|e| e.expect("an entry").sequence)
        .collect()
        .await;
    assert_eq!(read, (1..=before.0).collect::<Vec<_>>());
    let first = liaison_log::get(&js, 1).await.unwrap().expect("entry 1");
    assert!(first.subject.starts_with("liaison.events."));

    // It cannot append: no squatting a registration subject, no claiming an event id.
    cli.publish_refused("liaison.events.organization.registered.squatter")
        .await;
    let mut headers = HeaderMap::new();
    headers.insert("Nats-Msg-Id", "0190b6a6-0000-7000-8000-000000000001");
    cli.client
        .publish_with_headers("liaison.events.meeting.held._", headers, "{}".into())
        .await
        .unwrap();
    cli.refused("claim an event id", "liaison.events.meeting.held._")
        .await;

    // It cannot create, change, purge or delete a stream.
    assert!(js.delete_stream(EVENTS_STREAM).await.is_err());
    cli.refused("delete the log", "$JS.API.STREAM.DELETE.LIAISON_EVENTS")
        .await;
    let stream = js.get_stream_no_info(EVENTS_STREAM).await.unwrap();
    assert!(stream.purge().await.is_err());
    cli.refused("purge the log", "$JS.API.STREAM.PURGE.LIAISON_EVENTS")
        .await;
    let mut wider = events_stream_config(&LogSettings::default());
    wider.deny_delete = false;
    assert!(js.update_stream(wider).await.is_err());
    cli.refused("update the log", "$JS.API.STREAM.UPDATE.LIAISON_EVENTS")
        .await;
    assert!(
        js.create_stream(stream::Config {
            name: "ROGUE".into(),
            subjects: vec!["rogue.>".into()],
            ..Default::default()
        })
        .await
        .is_err()
    );
    cli.refused("create a stream", "$JS.API.STREAM.CREATE.ROGUE")
        .await;
    assert!(js.delete_stream(ALERTS_STREAM).await.is_err());
    cli.refused("delete the alerts", "$JS.API.STREAM.DELETE.LIAISON_ALERTS")
        .await;

    // It cannot read the notifier's durable consumer, nor its inbox, nor its bookkeeping.
    let durable = format!("$JS.API.CONSUMER.INFO.{ALERTS_STREAM}.{WEBHOOK_CONSUMER}");
    let alerts = js.get_stream_no_info(ALERTS_STREAM).await.unwrap();
    assert!(
        alerts
            .get_consumer::<consumer::pull::Config>(WEBHOOK_CONSUMER)
            .await
            .is_err()
    );
    cli.refused("look at the notifier's consumer", &durable)
        .await;
    let next = format!("$JS.API.CONSUMER.MSG.NEXT.{ALERTS_STREAM}.{WEBHOOK_CONSUMER}");
    let pulled = tokio::time::timeout(
        REFUSED_WAIT,
        cli.client.request(next.clone(), r#"{"batch":1}"#.into()),
    )
    .await;
    assert!(!matches!(pulled, Ok(Ok(_))), "{pulled:?}");
    cli.refused("pull the notifier's work", &next).await;
    for subject in ["_INBOX.notifier.>", "liaison.alerts._outcome.*", "_INBOX.>"] {
        let _subscription = cli.client.subscribe(subject).await.unwrap();
        cli.client.flush().await.unwrap();
        cli.refused("subscribe", subject).await;
    }

    // Nothing changed; a push consumer it aims at the alerts stores nothing there (nats-server
    // does not check a consumer's deliver subject against its creator's permissions, but a
    // stream does not capture what a consumer delivers).
    assert_eq!(stream_state(admin, EVENTS_STREAM).await, before);
    let alerts_before = stream_state(admin, ALERTS_STREAM).await;
    let log = js.get_stream_no_info(EVENTS_STREAM).await.unwrap();
    log.create_consumer(consumer::push::Config {
        deliver_subject: "liaison.alerts.new-partnership".into(),
        ..Default::default()
    })
    .await
    .expect("a push consumer is created");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(stream_state(admin, ALERTS_STREAM).await, alerts_before);
}

/// 2b. The services' own users, beyond what their service does.
async fn services_beyond_their_role(stack: &Stack, admin: &jetstream::Context) {
    let nats = stack.nats();
    let before = stream_state(admin, EVENTS_STREAM).await;

    let mut ingest = Watched::connect(nats, Role::Ingest).await;
    assert!(ingest.js().delete_stream(EVENTS_STREAM).await.is_err());
    ingest
        .refused("delete the log", "$JS.API.STREAM.DELETE.LIAISON_EVENTS")
        .await;
    let log = ingest.js().get_stream_no_info(EVENTS_STREAM).await.unwrap();
    assert!(log.purge().await.is_err());
    ingest
        .refused("purge the log", "$JS.API.STREAM.PURGE.LIAISON_EVENTS")
        .await;
    ingest
        .publish_refused("liaison.alerts.new-partnership")
        .await;

    let mut projection = Watched::connect(nats, Role::Projection).await;
    projection
        .publish_refused("liaison.events.meeting.held._")
        .await;
    projection
        .publish_refused("liaison.events.organization.registered.squatter")
        .await;
    let next = format!("$JS.API.CONSUMER.MSG.NEXT.{ALERTS_STREAM}.{WEBHOOK_CONSUMER}");
    projection.publish_refused(&next).await;
    let _subscription = projection
        .client
        .subscribe("liaison.ingest.append")
        .await
        .unwrap();
    projection.client.flush().await.unwrap();
    projection
        .refused("listen to the appends", "liaison.ingest.append")
        .await;

    let mut notifier = Watched::connect(nats, Role::Notifier).await;
    notifier
        .publish_refused("liaison.events.organization.registered.squatter")
        .await;
    notifier
        .publish_refused("liaison.events.partnership.announced._")
        .await;
    assert!(notifier.js().delete_stream(ALERTS_STREAM).await.is_err());
    notifier
        .refused("delete the alerts", "$JS.API.STREAM.DELETE.LIAISON_ALERTS")
        .await;

    // The log is as it was, and still the same log.
    assert_eq!(stream_state(admin, EVENTS_STREAM).await, before);
    let (status, ready) = get(stack, Service::Ingest, "/readyz").await;
    assert_eq!(status, 200, "{ready}");
}

/// 2c. The roles of the services to come: the reader appends through ingest, the console asks
/// the projection; neither touches the log directly.
async fn future_roles(stack: &Stack) {
    let nats = stack.nats();
    let mut reader = Watched::connect(nats, Role::Reader).await;
    let answer = reader
        .client
        .request(
            "liaison.ingest.append",
            serde_json::to_vec(&organization("samsung-electronics"))
                .unwrap()
                .into(),
        )
        .await
        .expect("ingest answers the reader");
    let body: Value = serde_json::from_slice(&answer.payload).unwrap();
    assert!(body["events"][0]["sequence"].as_u64().is_some(), "{body}");
    reader
        .publish_refused("liaison.events.organization.registered.squatter")
        .await;

    let mut console = Watched::connect(nats, Role::Console).await;
    let query = json!({"a": "meta", "b": "lg-electronics", "topic": "xr"});
    let answer = console
        .client
        .request(
            "liaison.query.relationship",
            serde_json::to_vec(&query).unwrap().into(),
        )
        .await
        .expect("the projection answers the console");
    let status = answer
        .headers
        .as_ref()
        .and_then(|h| h.get("Status"))
        .map(|s| s.as_str().to_owned());
    assert_eq!(
        status.as_deref(),
        Some("200"),
        "{}",
        String::from_utf8_lossy(&answer.payload)
    );
    console
        .publish_refused("liaison.events.meeting.held._")
        .await;
    console
        .publish_refused("$JS.API.STREAM.INFO.LIAISON_EVENTS")
        .await;
}

/// 3. `liaison` as the read-only user, as the admin, and without credentials.
async fn command_line(stack: &Stack) {
    let secrets = stack.secrets().expect("a secured stack");
    let as_role = |role: Role| {
        vec![
            "--nats-nkey".to_owned(),
            secrets.seed(role).display().to_string(),
            "--nats-tls-ca".to_owned(),
            secrets.ca().display().to_string(),
        ]
    };
    let with = |role: Role, args: &[&str]| {
        let mut all = as_role(role);
        all.extend(args.iter().map(|a| (*a).to_owned()));
        all
    };
    let run = |args: Vec<String>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_liaison(&stack.cli_urls(), &args).await
    };

    let tail = run(with(Role::Cli, &["tail", "--type", "partnership.*"])).await;
    assert_eq!(tail.code, Some(0), "{tail}");
    assert!(tail.stdout.contains("\"partnership.announced\""), "{tail}");

    let init = run(with(Role::Cli, &["admin", "init-streams"])).await;
    assert_eq!(init.code, Some(3), "{init}");
    assert!(init.stderr.contains("admin's credentials"), "{init}");
    let init = run(with(Role::Admin, &["admin", "init-streams"])).await;
    assert_eq!(init.code, Some(0), "{init}");
    assert_eq!(
        init.stdout,
        "LIAISON_EVENTS: found, with Liaison's settings\nLIAISON_ALERTS: found, with Liaison's settings\n\
         LIAISON_ARTICLES: found, with Liaison's settings\n",
        "{init}"
    );

    let bare = run(vec!["tail".to_owned()]).await;
    assert_eq!(bare.code, Some(3), "{bare}");
    assert!(bare.stderr.contains("--nats-tls-ca"), "{bare}");
    let mut no_key = as_role(Role::Cli);
    no_key.drain(..2);
    no_key.push("tail".to_owned());
    let refused = run(no_key).await;
    assert_eq!(refused.code, Some(3), "{refused}");
    assert!(
        refused.stderr.contains("refused these credentials"),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_streams_ingest_says_an_admin_must_create_them_and_appends_once_one_did() {
    let server = NatsServer::start_secured().await;
    let secrets = server.secrets().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut setup =
        liaison_testkit::ServiceSetup::in_dir(Service::Ingest, &server.url(), dir.path())
            .unwrap()
            .with_env("RUST_LOG", "info");
    for (key, value) in server.access(Role::Ingest).env() {
        setup = setup.with_env(key, &value);
    }
    setup.ready_path = "/healthz".into();
    let ingest = liaison_testkit::ServiceProcess::launch(setup)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let http = reqwest::Client::new();
    let post = || {
        http.post(format!("{}/v1/events", ingest.url()))
            .json(&organization("hanwha-aerospace"))
            .timeout(Duration::from_secs(15))
            .send()
    };

    // Its user may not create the log: it says so, and appends nothing.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let response = post().await.unwrap();
        let status = response.status().as_u16();
        let problem: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 503, "{problem}");
        let detail = problem["detail"].as_str().unwrap_or_default();
        if detail.contains("an admin must create it") {
            assert!(detail.contains("liaison admin init-streams"), "{detail}");
            assert!(detail.contains("LIAISON_EVENTS does not exist"), "{detail}");
            assert!(detail.contains("nothing was appended"), "{detail}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no 503 naming the admin within 30 s: {problem}\n{}",
            ingest.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // The operator's command, as the admin.
    let urls = liaison_e2e::CliUrls {
        ingest: ingest.url(),
        projection: "http://127.0.0.1:9".into(),
        notifier: "http://127.0.0.1:9".into(),
        reader: "http://127.0.0.1:9".into(),
        console: "http://127.0.0.1:9".into(),
        nats: server.url(),
    };
    let seed = secrets.seed(Role::Admin).display().to_string();
    let ca = secrets.ca().display().to_string();
    let args = [
        "--nats-nkey",
        seed.as_str(),
        "--nats-tls-ca",
        ca.as_str(),
        "admin",
        "init-streams",
    ];
    let run = run_liaison(&urls, &args).await;
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(
        run.stdout,
        "LIAISON_EVENTS: created (1 replica)\nLIAISON_ALERTS: created (1 replica)\nLIAISON_ARTICLES: created (1 replica)\n",
        "{run}"
    );
    let js = jetstream::new(server.client().await);
    let mut log = js.get_stream(EVENTS_STREAM).await.unwrap();
    let config = log.info().await.unwrap().config.clone();
    assert_eq!(
        liaison_log::differences(&events_stream_config(&LogSettings::default()), &config),
        Vec::<String>::new()
    );

    // Ingest finds the log and appends into it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let response = post().await.unwrap();
        let status = response.status().as_u16();
        if status == 201 {
            break;
        }
        assert!(
            status == 503 && tokio::time::Instant::now() < deadline,
            "{status} {:?}\n{}",
            response.text().await,
            ingest.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(log.info().await.unwrap().state.messages, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_in_the_nats_url_appears_in_no_log_line() {
    // An open server accepts any credentials: the service connects, and logs at debug level
    // (async-nats's own lines print the server address it connects to).
    let server = NatsServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("nats://ingest:Hunter2-Sesame@{}", server.addr());
    let setup = liaison_testkit::ServiceSetup::in_dir(Service::Ingest, &url, dir.path())
        .unwrap()
        .with_env("RUST_LOG", "debug");
    let ingest = liaison_testkit::ServiceProcess::launch(setup)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let log = std::fs::read_to_string(ingest.log_path().unwrap()).unwrap();
    assert!(
        log.contains(&format!("servers=nats://{}", server.addr())),
        "the address is logged:\n{log}"
    );
    assert!(log.contains("user ingest (from the URL)"), "{log}");
    assert!(
        log.contains("ingest:***@"),
        "the start-up line shows the URL redacted:\n{log}"
    );
    assert!(!log.contains("Hunter2-Sesame"), "{log}");
}
