//! One module per command; each takes its arguments and a [`Context`] and returns a
//! [`CliResult`](crate::error::CliResult), leaving exit codes to `main`.

pub mod admin;
pub mod alerts;
pub mod demo;
pub mod dev;
pub mod emit;
pub mod import;
pub mod init_streams;
pub mod nats_config;
pub mod org;
pub mod read;
pub mod relationships;
pub mod review;
pub mod rules;
pub mod status;
pub mod tail;
pub mod timeline;

use std::io::Write;

use liaison_proto::query::Consistency;
use serde::Serialize;

use crate::cli::{GlobalArgs, QueryBounds};
use crate::client::{Client, Endpoints};
use crate::error::{CliError, CliResult};

/// What every command gets: the global options and a client built from them.
#[derive(Debug, Clone)]
pub struct Context {
    /// The global options.
    pub global: GlobalArgs,
    /// The HTTP client of the services.
    pub client: Client,
}

impl Context {
    /// A context from the global options.
    pub fn new(global: GlobalArgs) -> Self {
        let client = Client::new(endpoints(&global));
        Self { global, client }
    }
}

/// The endpoints the global options name.
pub fn endpoints(global: &GlobalArgs) -> Endpoints {
    Endpoints {
        ingest: global.ingest_url.clone(),
        projection: global.projection_url.clone(),
        notifier: global.notifier_url.clone(),
        reader: global.reader_url.clone(),
        nats: global.nats_url.clone(),
        api_token: global.api_token.clone(),
        read_token: global.read_token.clone(),
    }
}

/// The query bounds as the proto type.
pub fn consistency(bounds: &QueryBounds) -> Consistency {
    Consistency {
        as_of: bounds.as_of,
        min_sequence: bounds.min_sequence,
    }
}

/// Prints `value` as pretty JSON.
pub fn print_json<T: Serialize>(value: &T) -> CliResult {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::usage(format!("cannot print JSON: {e}")))?;
    out(&format!("{text}\n"))
}

/// Writes `text` to stdout; a closed pipe (`| head`) ends quietly.
pub fn out(text: &str) -> CliResult {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    Ok(())
}
