//! The `liaison` command-line client as a library, so that its parts can be tested and reused:
//! end-to-end tests start the real stack with [`stack`] exactly as `liaison dev` does.
//!
//! - [`cli`]: the command line (clap types and help texts);
//! - [`commands`]: one module per command;
//! - [`client`]: the typed HTTP client of the three services;
//! - [`render`]: tables and the text forms of the projection's views;
//! - [`stack`]: running nats-server and the services as supervised child processes;
//! - [`scenario`]: the embedded demo scenario and event-file reading;
//! - [`nats`]: NATS connection and single-event reads of the log;
//! - [`error`]: errors and exit codes.

pub mod cli;
pub mod client;
pub mod commands;
pub mod error;
pub mod events_file;
pub mod nats;
pub mod render;
pub mod scenario;
pub mod stack;

use cli::{Cli, Command};
use commands::Context;
use error::CliResult;

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> CliResult {
    let ctx = Context::new(cli.global);
    match cli.command {
        Command::Dev(args) => commands::dev::run(args, &ctx).await,
        Command::Demo(args) => commands::demo::run(args, &ctx).await,
        Command::Emit(args) => commands::emit::run(args, &ctx).await,
        Command::Read(args) => commands::read::run(args, &ctx).await,
        Command::Review(args) => commands::review::run(args, &ctx).await,
        Command::Import(args) => commands::import::run(args, &ctx).await,
        Command::Tail(args) => commands::tail::run(args, &ctx).await,
        Command::Status(args) => commands::status::run(args, &ctx).await,
        Command::Relationships(args) => commands::relationships::run(args, &ctx).await,
        Command::Org(args) => commands::org::run(args, &ctx).await,
        Command::Timeline(args) => commands::timeline::run(args, &ctx).await,
        Command::Rules(command) => commands::rules::run(command, &ctx).await,
        Command::Alerts(args) => commands::alerts::run(args, &ctx).await,
        Command::Admin(cli::AdminCommand::Quarantine(args)) => {
            commands::admin::quarantine(args, &ctx).await
        }
        Command::Admin(cli::AdminCommand::InitStreams(args)) => {
            commands::init_streams::run(args, &ctx).await
        }
        Command::Admin(cli::AdminCommand::NatsConfig(args)) => commands::nats_config::run(args),
    }
}
