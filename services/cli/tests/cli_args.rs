//! The command line parses as documented and `--help` teaches: examples, exit codes; usage
//! errors exit with 2 and an unreachable service with 3. No stack needed.

use std::process::Command;

use clap::{CommandFactory, Parser};
use liaison::cli::{Cli, Command as Cmd, RulesCommand};

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("liaison").chain(args.iter().copied()))
}

#[test]
fn the_definition_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn status_takes_a_pair_a_topic_and_bounds() {
    let cli = parse(&[
        "status",
        "meta",
        "lg-electronics",
        "--topic",
        "xr",
        "--as-of",
        "2024-03-01",
        "--json",
    ])
    .unwrap();
    let Cmd::Status(args) = cli.command else {
        panic!("not status")
    };
    assert_eq!(args.a, "meta");
    assert_eq!(args.b, "lg-electronics");
    assert_eq!(args.topic.unwrap(), "xr");
    assert_eq!(args.bounds.as_of.unwrap().to_string(), "2024-03-01");
    assert!(args.bounds.json);
}

#[test]
fn global_options_have_the_contract_defaults_and_go_anywhere() {
    let cli = parse(&["org", "meta", "--projection-url", "http://10.0.0.1:9000"]).unwrap();
    assert_eq!(cli.global.projection_url, "http://10.0.0.1:9000");
    assert_eq!(cli.global.ingest_url, "http://127.0.0.1:7401");
    assert_eq!(cli.global.notifier_url, "http://127.0.0.1:7403");
}

#[test]
fn bad_ids_types_and_times_are_usage_errors() {
    for args in [
        &["status", "Meta", "lg"][..],
        &["tail", "--since", "yesterday"],
        &[
            "emit",
            "--type",
            "meeting.hold",
            "--time",
            "2024-02-28",
            "--data",
            "{}",
        ],
        &["emit", "--type", "meeting.held"],
        &["relationships", "--status", "friends"],
        &["import", "x.json", "--batch-size", "501"],
        &["import", "x.json", "--in-flight", "0"],
        &["import", "x.json", "--in-flight", "17"],
        &["alerts", "--state", "dead"],
    ] {
        let err = parse(args).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{args:?}: {err}");
    }
}

#[test]
fn tail_dev_and_rules_parse() {
    let cli = parse(&[
        "tail",
        "--type",
        "partnership.*",
        "--org",
        "meta",
        "--org",
        "lg-corp",
        "-f",
    ])
    .unwrap();
    let Cmd::Tail(t) = cli.command else { panic!() };
    assert_eq!(t.orgs.len(), 2);
    assert!(t.follow);
    let cli = parse(&["dev", "--data-dir", "/tmp/x", "--fresh"]).unwrap();
    let Cmd::Dev(d) = cli.command else { panic!() };
    assert!(d.fresh);
    let cli = parse(&[
        "rules", "add", "meta-xr", "--org", "meta", "--status", "active",
    ])
    .unwrap();
    let Cmd::Rules(RulesCommand::Add(r)) = cli.command else {
        panic!()
    };
    assert_eq!(r.id.as_ref().unwrap(), "meta-xr");
    let rule = liaison::commands::rules::rule_of(&r).unwrap();
    assert_eq!(rule["match"]["status"], serde_json::json!(["active"]));
    assert_eq!(rule["match"]["organizations"], serde_json::json!(["meta"]));
}

#[test]
fn alerts_take_a_delivery_state() {
    let cli = parse(&["alerts", "--state", "failed"]).unwrap();
    let Cmd::Alerts(args) = cli.command else {
        panic!("alerts");
    };
    assert_eq!(
        args.state,
        Some(liaison_proto::notifier::DeliveryState::Failed)
    );
}

#[test]
fn help_teaches_examples_and_exit_codes() {
    let help = Cli::command().render_long_help().to_string();
    for needle in [
        "liaison demo",
        "liaison dev",
        "liaison status meta lg-electronics --topic xr",
        "Exit codes",
        "1  the server said no",
        "2  usage error",
        "3  a service or NATS is unreachable",
        "--json",
        "LIAISON_API_TOKEN",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
    let mut cmd = Cli::command();
    let dev = cmd
        .find_subcommand_mut("dev")
        .unwrap()
        .render_long_help()
        .to_string();
    assert!(dev.contains("just setup"), "{dev}");
    assert!(dev.contains("--fresh"));
    let import = Cli::command()
        .find_subcommand_mut("import")
        .unwrap()
        .render_long_help()
        .to_string();
    assert!(import.contains("safe"), "{import}");
}

#[test]
fn emit_builds_the_event_from_flags() {
    let cli = parse(&[
        "emit",
        "--type",
        "meeting.held",
        "--time",
        "2024-02-28",
        "--id",
        "0190a000-0000-7000-8000-000000000000",
        "--data",
        r#"{"organizations": ["meta", "lg"]}"#,
    ])
    .unwrap();
    let Cmd::Emit(e) = cli.command else { panic!() };
    let event = liaison::commands::emit::event_of(&e).unwrap();
    assert_eq!(event["type"], "meeting.held");
    assert_eq!(event["time"], "2024-02-28");
    assert_eq!(event["id"], "0190a000-0000-7000-8000-000000000000");
    let client: liaison_proto::ClientEvent = serde_json::from_value(event).unwrap();
    assert_eq!(client.event.organizations().len(), 2);
}

#[test]
fn the_binary_exits_3_when_the_stack_is_unreachable_and_2_on_usage() {
    let bin = env!("CARGO_BIN_EXE_liaison");
    let out = Command::new(bin)
        .args(["--projection-url", "http://127.0.0.1:1", "org", "meta"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot reach the projection at http://127.0.0.1:1")
            && stderr.contains("liaison dev"),
        "{stderr}"
    );
    let out = Command::new(bin).args(["status", "meta"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(bin)
        .args(["import", "/nonexistent/events.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
