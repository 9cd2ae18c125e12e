//! `liaison org ID`: an organization's profile and its relationships by kind.

use crate::cli::OrgArgs;
use crate::commands::{Context, consistency, out, print_json};
use crate::error::CliResult;
use crate::render;

/// Runs the command.
pub async fn run(args: OrgArgs, ctx: &Context) -> CliResult {
    let view = ctx
        .client
        .organization(&args.id, &consistency(&args.bounds))
        .await?;
    if args.bounds.json {
        print_json(&view)
    } else {
        out(&render::organization(&view))
    }
}
