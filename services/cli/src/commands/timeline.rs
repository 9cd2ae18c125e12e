//! `liaison timeline ORG`: every event naming an organization, one page at a time.

use crate::cli::TimelineArgs;
use crate::commands::{Context, consistency, out, print_json};
use crate::error::CliResult;
use crate::render;

/// Runs the command.
pub async fn run(args: TimelineArgs, ctx: &Context) -> CliResult {
    let page = ctx
        .client
        .timeline(
            &args.org,
            args.cursor.as_deref(),
            args.limit,
            &consistency(&args.bounds),
        )
        .await?;
    if args.bounds.json {
        print_json(&page)
    } else {
        out(&render::timeline(args.org.as_str(), &page))
    }
}
