//! `liaison-projection`: serve (default), or `rebuild` the read models from the log.

use std::process::ExitCode;

use liaison_projection::{Command, ProjectionService, rebuild};

fn main() -> ExitCode {
    let config = liaison_runtime::service::parse::<ProjectionService>();
    match config.command {
        Some(Command::Rebuild) => rebuild::command(config),
        None | Some(Command::Serve) => liaison_runtime::service::run::<ProjectionService>(config),
    }
}
