//! `liaison relationships [--org] [--topic] [--status]`: the matching relationships as a table.

use crate::cli::RelationshipsArgs;
use crate::commands::{Context, consistency, out, print_json};
use crate::error::CliResult;
use crate::render;

/// Runs the command.
pub async fn run(args: RelationshipsArgs, ctx: &Context) -> CliResult {
    let list = ctx
        .client
        .relationships(
            args.org.as_ref(),
            args.topic.as_ref(),
            args.status,
            &consistency(&args.bounds),
        )
        .await?;
    if args.bounds.json {
        print_json(&list)
    } else {
        out(&render::relationship_list(&list))
    }
}
