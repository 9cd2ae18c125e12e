//! `liaison review`: the pending candidates; `review accept ID [--edit FILE]`,
//! `review reject ID --reason TEXT`.

use serde_json::Value;

use crate::cli::{ReviewAction, ReviewArgs};
use crate::commands::{Context, out, print_json};
use crate::error::{CliError, CliResult};
use crate::render;

/// Runs the command.
pub async fn run(args: ReviewArgs, ctx: &Context) -> CliResult {
    let answer = match &args.action {
        None => {
            let page = ctx
                .client
                .candidates(Some("pending"), args.limit, None)
                .await?;
            if args.json {
                return print_json(&page.json);
            }
            let mut text = render::candidates(&page.value.candidates);
            if page.value.next_cursor.is_some() {
                text.push_str("(more: raise --limit)\n");
            }
            return out(&text);
        }
        Some(ReviewAction::Accept { id, edit }) => {
            let edited = match edit {
                None => None,
                Some(path) => {
                    let text = std::fs::read_to_string(path).map_err(|e| {
                        CliError::usage(format!("cannot read {}: {e}", path.display()))
                    })?;
                    Some(serde_json::from_str::<Value>(&text).map_err(|e| {
                        CliError::usage(format!("{} is not JSON: {e}", path.display()))
                    })?)
                }
            };
            ctx.client.accept(*id, edited.as_ref()).await?
        }
        Some(ReviewAction::Reject { id, reason }) => ctx.client.reject(*id, reason).await?,
    };
    if args.json {
        return print_json(&answer.json);
    }
    out(&render::candidates(std::slice::from_ref(&answer.value)))
}
