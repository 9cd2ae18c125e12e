//! `liaison admin quarantine`: what each service that follows the log refused to apply, and why.

use liaison_proto::services::Service;

use crate::cli::QuarantineArgs;
use crate::commands::{Context, out, print_json};
use crate::error::CliResult;
use crate::render;

/// Runs the command: asks each service (or the one named) for its quarantine page.
pub async fn quarantine(args: QuarantineArgs, ctx: &Context) -> CliResult {
    let services = match args.service {
        Some(service) => vec![service],
        None => Service::STACK.to_vec(),
    };
    let mut lists = Vec::with_capacity(services.len());
    let mut documents = Vec::with_capacity(services.len());
    for service in services {
        let answer = ctx
            .client
            .quarantine(service, args.after, args.limit)
            .await?;
        documents.push(answer.json);
        lists.push(answer.value);
    }
    if args.json {
        print_json(&documents)
    } else {
        out(&render::quarantine(&lists))
    }
}
