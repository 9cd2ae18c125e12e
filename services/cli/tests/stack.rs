//! `liaison dev` runs the stack where the command line says (the same URLs its other commands
//! use), and a stack that cannot start ends the command with exit code 3 and what to do. The
//! launcher itself (finders, configuration, processes) is tested in `liaison-testkit`.

use std::net::SocketAddr;

use clap::Parser;
use liaison::cli::{Cli, Command};
use liaison::commands::dev::addresses;
use liaison::error::CliError;
use liaison::stack::{Service, StackAddrs, StackError};
use liaison_testkit::FindError;

fn dev(args: &[&str]) -> (Cli, Option<SocketAddr>) {
    let cli = Cli::try_parse_from(std::iter::once("liaison").chain(args.iter().copied())).unwrap();
    let Command::Dev(dev) = &cli.command else {
        panic!("not dev")
    };
    let monitor = dev.nats_monitor_addr;
    (cli, monitor)
}

#[test]
fn by_default_the_stack_runs_on_the_contract_addresses() {
    let (cli, monitor) = dev(&["dev"]);
    let addrs = addresses(&cli.global, monitor).unwrap();
    assert_eq!(addrs, StackAddrs::shipped());
    assert_eq!(addrs.service(Service::Ingest).port(), 7401);
    assert_eq!(addrs.nats.port(), 4222);
}

#[test]
fn the_global_urls_and_the_monitoring_address_move_the_stack() {
    let (cli, monitor) = dev(&[
        "--ingest-url",
        "http://localhost:17401/",
        "--projection-url",
        "http://127.0.0.1:17402",
        "--notifier-url",
        "http://127.0.0.1:17403",
        "--nats-url",
        "nats://127.0.0.1:14222,nats://127.0.0.1:14223",
        "dev",
        "--nats-monitor-addr",
        "127.0.0.1:18222",
    ]);
    let addrs = addresses(&cli.global, monitor).unwrap();
    let port = |s| addrs.service(s).port();
    assert_eq!(
        [
            port(Service::Ingest),
            port(Service::Projection),
            port(Service::Notifier)
        ],
        [17401, 17402, 17403]
    );
    assert_eq!(addrs.nats, "127.0.0.1:14222".parse().unwrap());
    assert_eq!(addrs.nats_monitor, "127.0.0.1:18222".parse().unwrap());
}

#[test]
fn a_url_that_is_not_a_local_address_is_a_usage_error() {
    let (cli, monitor) = dev(&["--projection-url", "http://projection.internal:7402", "dev"]);
    let err = addresses(&cli.global, monitor).unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(err.to_string().contains("projection.internal"), "{err}");
}

#[test]
fn a_stack_that_cannot_start_exits_with_3_and_says_what_to_do() {
    let missing = FindError::NatsServerMissing {
        searched: ".tools/bin/nats-server, PATH".into(),
    };
    let err = CliError::from(StackError::from(missing));
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("just setup"), "{err}");
}
