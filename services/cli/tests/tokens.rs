//! The CLI's tokens against the real notifier (in-process, on a real nats-server) with both
//! tokens set: reads send the read token when one is given, else the API token; writes send the
//! API token; a refusal says which flags carry them.

use clap::Parser;
use liaison::cli::Cli;
use liaison::client::{Client, ClientError, Endpoints};
use liaison_log::{LogSettings, ensure_events_stream};
use liaison_notifier::{Application, Config};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::shutdown::Shutdown;
use liaison_testkit::NatsServer;
use serde_json::json;

const WRITE: &str = "lg-cns-wr1te";
const READ: &str = "lg-cns-r3ad";

struct Notifier {
    base: String,
    shutdown: Shutdown,
    _dir: tempfile::TempDir,
}

impl Drop for Notifier {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

/// The notifier with both tokens, on `nats` with the log created.
async fn notifier(nats: &NatsServer) -> Notifier {
    let js = async_nats::jetstream::new(nats.client().await);
    ensure_events_stream(&js, &LogSettings::default())
        .await
        .expect("the events stream");
    let dir = tempfile::tempdir().unwrap();
    let common = CommonArgs {
        nats_urls: vec![nats.url()],
        data_dir: Some(dir.path().to_owned()),
        http_addr: Some("127.0.0.1:0".parse().unwrap()),
        sled_cache_mib: Some(16),
        api_token: Some(WRITE.into()),
        read_token: Some(READ.into()),
        ..CommonArgs::default()
    };
    let shutdown = Shutdown::new();
    let config = Config {
        common,
        ..Config::default()
    };
    let app = Application::build(config, shutdown.clone())
        .await
        .expect("the notifier builds");
    let base = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped());
    Notifier {
        base,
        shutdown,
        _dir: dir,
    }
}

fn client(notifier: &Notifier, api: Option<&str>, read: Option<&str>) -> Client {
    Client::new(Endpoints {
        notifier: notifier.base.clone(),
        api_token: api.map(Into::into),
        read_token: read.map(Into::into),
        ..Endpoints::default()
    })
}

fn rule(id: &str) -> serde_json::Value {
    json!({"id": id, "match": {"status": ["agreed"]}, "deliver": {"nats_subject": "team.lg.deals"}})
}

fn refused_with_401(result: Result<impl std::fmt::Debug, ClientError>) -> String {
    match result {
        Err(e @ ClientError::Rejected { status: 401, .. }) => e.to_string(),
        other => panic!("expected a 401, got {other:?}"),
    }
}

#[tokio::test]
async fn reads_send_the_read_token_else_the_api_token_and_writes_the_api_token() {
    let nats = NatsServer::start().await;
    let notifier = notifier(&nats).await;

    // No token: refused, and told which flags carry the tokens.
    let message = refused_with_401(client(&notifier, None, None).rules().await);
    assert!(
        message.contains("--read-token") && message.contains("--api-token"),
        "{message}"
    );

    // The read token alone reads, and cannot write.
    let reader = client(&notifier, None, Some(READ));
    assert_eq!(reader.rules().await.unwrap().value.rules.len(), 1);
    assert!(reader.alerts(None).await.is_ok());
    refused_with_401(reader.add_rule(&rule("lg-deals")).await);

    // The API token alone reads (it opens every scope) and writes.
    let writer = client(&notifier, Some(WRITE), None);
    assert_eq!(
        writer.add_rule(&rule("lg-deals")).await.unwrap().value.id,
        "lg-deals"
    );
    assert_eq!(writer.rules().await.unwrap().value.rules.len(), 2);

    // Both: a read sends the read token, not the API token (a wrong read token is refused
    // although the API token is right), and a write sends the API token.
    let both_wrong_read = client(&notifier, Some(WRITE), Some("not-the-read-token"));
    refused_with_401(both_wrong_read.rules().await);
    assert!(both_wrong_read.add_rule(&rule("lg-more")).await.is_ok());
    let both = client(&notifier, Some(WRITE), Some(READ));
    assert_eq!(both.rules().await.unwrap().value.rules.len(), 3);
}

#[test]
fn read_token_is_a_global_flag() {
    let cli = Cli::try_parse_from(["liaison", "rules", "list", "--read-token", "r3ad"]).unwrap();
    assert_eq!(cli.global.read_token.as_deref(), Some("r3ad"));
    assert_eq!(cli.global.api_token, None);
}
