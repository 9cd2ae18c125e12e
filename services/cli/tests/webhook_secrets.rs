//! A webhook's secret through the CLI (CONTRACT.md, "Access (v2)"): `liaison rules add` reads it
//! from a file or `LIAISON_WEBHOOK_SECRET`, never from the command line; the notifier seals it;
//! `liaison rules list` and `liaison tail` show it masked. Against the real `liaison` binary, the
//! real notifier (in-process) and a real nats-server.

mod support;

use std::process::{Command, Output};

use clap::Parser;
use futures::StreamExt;
use liaison::cli::{Cli, Command as Cmd, RulesCommand};
use liaison::commands::rules::rule_of;
use liaison_log::{LogSettings, ensure_events_stream};
use liaison_notifier::config::SecretsArgs;
use liaison_notifier::{Application, Config};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::shutdown::Shutdown;
use liaison_testkit::NatsServer;
use serde_json::Value;

const SECRET: &str = "whsec_TEctQ05TLXNpZ25zLWl0cy1ob29rcw==";
const ENV_SECRET: &str = "sk-hanwha-aerospace-hook";
const KEYS: &str = "2025-06:TEctQ05TLVNlYWxzLVdlYmhvb2stU2VjcmV0cy0yNSE=";

fn add_args(args: &[&str]) -> Result<liaison::cli::RuleAddArgs, clap::Error> {
    let cli = Cli::try_parse_from(["liaison", "rules", "add"].iter().chain(args))?;
    match cli.command {
        Cmd::Rules(RulesCommand::Add(add)) => Ok(*add),
        _ => panic!("not rules add"),
    }
}

#[test]
fn a_secret_on_the_command_line_is_refused_with_what_to_use_instead() {
    let args = add_args(&[
        "lg-deals",
        "--webhook",
        "https://h.example/",
        "--secret",
        "s3cret",
    ])
    .unwrap();
    let err = rule_of(&args).unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("--secret-file") && text.contains("LIAISON_WEBHOOK_SECRET"),
        "{text}"
    );
    assert!(!text.contains("s3cret"), "{text}");
    assert!(!format!("{args:?}").contains("s3cret"));
    // The option is not taught.
    let help = add_args(&["--help"]).unwrap_err().to_string();
    assert!(!help.contains("--secret "), "{help}");
    assert!(help.contains("--secret-file"), "{help}");
}

#[test]
fn the_secret_comes_from_the_first_line_of_a_file_or_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hook.secret");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let path = file.to_str().unwrap();
    let mut args = add_args(&[
        "lg-deals",
        "--webhook",
        "https://h.example/",
        "--secret-file",
        path,
    ])
    .unwrap();
    args.secret_from_env = Some(ENV_SECRET.into());
    let rule = rule_of(&args).unwrap();
    assert_eq!(
        rule["deliver"]["webhook"]["secret"], SECRET,
        "the file wins"
    );
    args.secret_file = None;
    let rule = rule_of(&args).unwrap();
    assert_eq!(rule["deliver"]["webhook"]["secret"], ENV_SECRET);
    args.secret_from_env = None;
    let err = rule_of(&args).unwrap_err().to_string();
    assert!(err.contains("--webhook needs its signing secret"), "{err}");
    std::fs::write(&file, "\n").unwrap();
    args.secret_file = Some(file.clone());
    let err = rule_of(&args).unwrap_err().to_string();
    assert!(err.contains("the webhook secret is empty"), "{err}");
    // A secret file without a webhook is a usage error.
    assert!(add_args(&["lg-deals", "--secret-file", path]).is_err());
}

/// The notifier with `KEYS`, on `nats` with the log created; its base URL.
async fn notifier(nats: &NatsServer) -> (String, Shutdown, tempfile::TempDir) {
    let js = async_nats::jetstream::new(nats.client().await);
    ensure_events_stream(&js, &LogSettings::default())
        .await
        .expect("the events stream");
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        common: CommonArgs {
            nats_urls: vec![nats.url()],
            data_dir: Some(dir.path().to_owned()),
            http_addr: Some("127.0.0.1:0".parse().unwrap()),
            sled_cache_mib: Some(16),
            ..CommonArgs::default()
        },
        secrets: SecretsArgs {
            key_file: None,
            keys: Some(KEYS.into()),
        },
        ..Config::default()
    };
    let shutdown = Shutdown::new();
    let app = Application::build(config, shutdown.clone())
        .await
        .expect("the notifier builds");
    let base = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped());
    (base, shutdown, dir)
}

/// Runs the `liaison` binary with `args`, the notifier and NATS of the test, and `env`.
async fn liaison(notifier: &str, nats: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_liaison"));
    command
        .args(["--notifier-url", notifier, "--nats-url", nats])
        .args(args)
        .env_remove("LIAISON_WEBHOOK_SECRET")
        .env_remove("LIAISON_API_TOKEN")
        .env_remove("LIAISON_READ_TOKEN")
        .envs(env.iter().copied());
    support::output(command).await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn rules_added_by_the_cli_are_sealed_and_shown_masked_by_list_and_tail() {
    let nats = NatsServer::start().await;
    let (base, shutdown, dir) = notifier(&nats).await;
    let file = dir.path().join("hook.secret");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();

    let added = liaison(
        &base,
        &nats.url(),
        &[
            "rules",
            "add",
            "lg-cns-deals",
            "--status",
            "agreed",
            "--webhook",
            "https://hooks.example.com/lg-cns",
            "--secret-file",
            file.to_str().unwrap(),
        ],
        &[],
    )
    .await;
    assert!(added.status.success(), "{}", text(&added.stderr));
    let added = liaison(
        &base,
        &nats.url(),
        &[
            "rules",
            "add",
            "hanwha-deals",
            "--status",
            "active",
            "--webhook",
            "https://hooks.example.com/hanwha",
        ],
        &[("LIAISON_WEBHOOK_SECRET", ENV_SECRET)],
    )
    .await;
    assert!(added.status.success(), "{}", text(&added.stderr));

    let listed = liaison(&base, &nats.url(), &["rules", "list", "--json"], &[]).await;
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let list: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let masks: Vec<&str> = list["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["deliver"]["webhook"]["secret"].as_str())
        .collect();
    assert_eq!(masks, ["sealed:2025-06", "sealed:2025-06"]);

    let tailed = liaison(&base, &nats.url(), &["tail", "--type", "rule.created"], &[]).await;
    assert!(tailed.status.success(), "{}", text(&tailed.stderr));
    let lines: Vec<Value> = text(&tailed.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", text(&tailed.stdout));
    for line in &lines {
        assert_eq!(line["type"], "rule.created");
        assert_eq!(
            line["data"]["deliver"]["webhook"]["secret"], "sealed:2025-06",
            "{line}"
        );
    }
    // The log itself holds the sealed form; neither it nor any output holds a secret.
    let js = async_nats::jetstream::new(nats.client().await);
    let mut log = Box::pin(liaison_log::read_from(&js, 1));
    let mut sealed = 0;
    for _ in 0..2 {
        let entry = log.next().await.unwrap().unwrap();
        let raw = text(&entry.payload);
        assert!(raw.contains(r#""alg":"xchacha20poly1305""#), "{raw}");
        sealed += 1;
        for secret in [SECRET, ENV_SECRET] {
            assert!(!raw.contains(secret), "{raw}");
        }
    }
    assert_eq!(sealed, 2);
    for output in [&listed.stdout, &tailed.stdout] {
        for secret in [SECRET, ENV_SECRET] {
            assert!(!text(output).contains(secret));
        }
    }
    shutdown.trigger();
}
