//! `liaison read FILE|URL`: sends an article to the reader and shows the candidates it proposes.

use std::time::Duration;

use futures::StreamExt;
use liaison_proto::reader::{ArticleAnswer, MAX_ARTICLE_HTML_BYTES};
use serde_json::{Map, Value, json};

use crate::cli::ReadArgs;
use crate::commands::{Context, out, print_json};
use crate::error::{CliError, CliResult};
use crate::render;

/// Runs the command.
pub async fn run(args: ReadArgs, ctx: &Context) -> CliResult {
    let mut body = Map::new();
    let is_url = args.source.starts_with("http://") || args.source.starts_with("https://");
    if is_url {
        body.insert("html".into(), json!(fetch(&args.source).await?));
        body.insert(
            "url".into(),
            json!(args.url.clone().unwrap_or_else(|| args.source.clone())),
        );
    } else {
        let bytes = std::fs::read(&args.source)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", args.source)))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| CliError::usage(format!("{} is not UTF-8 text", args.source)))?;
        let lower = args.source.to_ascii_lowercase();
        let member = if lower.ends_with(".html") || lower.ends_with(".htm") {
            "html"
        } else {
            "text"
        };
        body.insert(member.into(), json!(text));
        if let Some(url) = &args.url {
            body.insert("url".into(), json!(url));
        }
    }
    body.insert("published_at".into(), json!(args.published.to_string()));
    for (name, value) in [
        ("language", &args.lang),
        ("publisher", &args.publisher),
        ("title", &args.title),
    ] {
        if let Some(value) = value {
            body.insert(name.into(), json!(value));
        }
    }
    let (created, answer) = ctx
        .client
        .read_article(&Value::Object(body), args.dry_run)
        .await?;
    if args.json {
        return print_json(&answer.json);
    }
    let status = match (args.dry_run, created) {
        (true, _) => "dry run, nothing stored",
        (false, true) => "read",
        (false, false) => "read before",
    };
    out(&summary(&answer.value, status))
}

/// The article and its candidates, for a reader of the terminal.
pub fn summary(answer: &ArticleAnswer, status: &str) -> String {
    let article = &answer.article;
    let mut text = format!(
        "Article {} ({status}; {}, published {})\n",
        article.id,
        article.language.code(),
        article.published_at
    );
    if let Some(title) = &article.title {
        text.push_str(&format!("  {title}\n"));
    }
    text.push_str(&render::candidates(&answer.candidates));
    text
}

/// Fetches `url` (at most the reader's HTML limit, 30 s) as the article's HTML.
async fn fetch(url: &str) -> CliResult<String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("liaison/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| CliError::usage(e.to_string()))?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| CliError::usage(format!("cannot fetch {url}: {e}")))?;
    if !response.status().is_success() {
        return Err(CliError::usage(format!(
            "fetching {url} answered {}",
            response.status()
        )));
    }
    let mut body = Vec::new();
    let mut chunks = response.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| CliError::usage(format!("reading {url}: {e}")))?;
        if body.len() + chunk.len() > MAX_ARTICLE_HTML_BYTES {
            return Err(CliError::usage(format!(
                "{url} is larger than the {MAX_ARTICLE_HTML_BYTES} bytes the reader reads"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}
