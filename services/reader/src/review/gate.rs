//! The entry check of the articles stream: what every entry of `LIAISON_ARTICLES` must pass
//! before the review queue applies it, as the log's gate does for events
//! (docs/decisions/009-consumers-guard-themselves.md). The stream has one writer, the reader,
//! but anyone allowed to publish under `liaison.articles.>` (or a bug, or a restored backup) can
//! put anything there; what fails is quarantined by the applier, never applied.
//!
//! In order: the size, the JSON shape of an [`ArticlesEntry`], its bounds, the subject its
//! content belongs on, and that its ids are the ones the reader derives (an article's from its
//! url or text, a candidate's from the article and its key, the event's equal to the
//! candidate's, a feed's from its url) — and that each candidate's event is valid as an event.

use liaison_log::apply::gate::Refusal;
use liaison_log::{ApplyError, EntryGate, LogEntry, StagedTree};
use liaison_proto::reader::{
    ArticlesEntry, MAX_ARTICLES_ENTRY_BYTES, article_id_of_text, article_id_of_url, candidate_id,
    feed_id,
};
use liaison_proto::subjects::ARTICLES_STREAM;
use liaison_proto::validate_submission;

/// The gate of [`ARTICLES_STREAM`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ArticlesGate;

impl EntryGate for ArticlesGate {
    type Entry = ArticlesEntry;

    fn stream(&self) -> &str {
        ARTICLES_STREAM
    }

    fn check(
        &self,
        entry: &LogEntry,
        _home: &StagedTree,
    ) -> Result<Result<ArticlesEntry, Refusal>, ApplyError> {
        Ok(check(&entry.subject, &entry.payload).map_err(Refusal::single))
    }
}

/// Checks one entry of the articles stream published on `subject`; the typed entry, or why not.
pub fn check(subject: &str, payload: &[u8]) -> Result<ArticlesEntry, String> {
    if payload.len() > MAX_ARTICLES_ENTRY_BYTES {
        return Err(format!(
            "(size): {} bytes, more than the {MAX_ARTICLES_ENTRY_BYTES} of an articles entry",
            payload.len()
        ));
    }
    let entry: ArticlesEntry = serde_json::from_slice(payload)
        .map_err(|e| format!("(shape): not an articles entry: {e}"))?;
    if let Some(problem) = entry.problems().into_iter().next() {
        return Err(problem);
    }
    let expected = entry.subject();
    if subject != expected {
        return Err(format!(
            "(subject): published on '{}', but this entry belongs on '{expected}'",
            liaison_proto::admin::truncate_to(subject, 256)
        ));
    }
    match &entry {
        ArticlesEntry::ArticleRead {
            article,
            candidates,
        } => {
            let derived = match &article.url {
                Some(url) => article_id_of_url(url),
                None => article_id_of_text(&article.text),
            };
            if article.id != derived {
                return Err(format!(
                    "/article/id: {} is not the id of the article's url or text",
                    article.id
                ));
            }
            for (i, c) in candidates.iter().enumerate() {
                if c.id != candidate_id(article.id, &c.key) {
                    return Err(format!(
                        "/candidates/{i}/id: not the id of the article's candidate '{}'",
                        c.key
                    ));
                }
                if c.event.get("id").and_then(|v| v.as_str()) != Some(c.id.to_string().as_str()) {
                    return Err(format!("/candidates/{i}/event/id: not the candidate's id"));
                }
                if let Err(errors) = validate_submission(&c.event) {
                    let first = errors
                        .errors()
                        .first()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    return Err(format!("/candidates/{i}/event: not a valid event: {first}"));
                }
            }
        }
        ArticlesEntry::FeedRegistered { feed } if feed.id != feed_id(&feed.url) => {
            return Err(format!(
                "/feed/id: {} is not the id of the feed's url",
                feed.id
            ));
        }
        _ => {}
    }
    Ok(entry)
}
