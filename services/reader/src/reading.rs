//! Reading one article: its text (HTML reduced to its main text), its id, the extractor's
//! candidates, and — unless it is a dry run or was read before — its entry in the articles
//! stream, answered once the review queue holds it. Candidates at or above the auto-accept
//! threshold are then accepted ([`crate::decide`]). An article posted by its url alone is
//! fetched first ([`crate::feeds::page`]), unless that url was read before.

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::Utc;
use liaison_extract::{Article as ExtractArticle, ExtractError};
use liaison_log::Outcome;
use liaison_proto::reader::{
    Article, ArticleAnswer, ArticleRequest, ArticlesEntry, CandidateState, MAX_ARTICLE_HTML_BYTES,
    article_id_of_text, article_id_of_url,
};
use liaison_runtime::{FieldError, Problem};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::decide::Decider;
use crate::extractors::Extractors;
use crate::feeds::fetch::FeedClient;
use crate::feeds::page::Page;
use crate::propose::propose;
use crate::review::{PublishError, Publisher, ReviewStore};
use crate::text::{TextError, html_to_text, tidy};

/// How a read went: `201` read now, `200` read before (or a dry run).
#[derive(Debug, Clone)]
pub struct ReadOutcome {
    /// `201` or `200`.
    pub status: StatusCode,
    /// The article and its candidates.
    pub answer: ArticleAnswer,
}

/// Reads articles.
#[derive(Debug, Clone)]
pub struct Reading {
    store: ReviewStore,
    extractors: Extractors,
    publisher: Publisher,
    decider: Decider,
    auto_accept: Option<f64>,
    /// Fetches the page of an article posted by its url alone.
    pages: FeedClient,
    /// Bounds the CPU work (HTML reduction, extraction) done at once.
    work: Arc<Semaphore>,
    /// Bounds the pages fetched at once, so that the memory they hold is bounded too
    /// ([`MAX_FETCHES_AT_ONCE`] × the page bound), whatever the number of requests in flight.
    fetches: Arc<Semaphore>,
}

/// Reads done at once; more wait their turn.
pub const MAX_READS_AT_ONCE: usize = 4;

/// Pages of articles posted by their url alone fetched at once; more wait their turn.
pub const MAX_FETCHES_AT_ONCE: usize = 4;

impl Reading {
    /// Reading into `store` through `publisher`, accepting at `auto_accept` through `decider`,
    /// fetching the pages of articles posted by their url alone with `pages`.
    pub fn new(
        store: ReviewStore,
        extractors: Extractors,
        publisher: Publisher,
        decider: Decider,
        auto_accept: Option<f64>,
        pages: FeedClient,
    ) -> Self {
        Self {
            store,
            extractors,
            publisher,
            decider,
            auto_accept,
            pages,
            work: Arc::new(Semaphore::new(MAX_READS_AT_ONCE)),
            fetches: Arc::new(Semaphore::new(MAX_FETCHES_AT_ONCE)),
        }
    }

    /// Reads `request` (checked for its shape already), from `feed` if it came from one. A
    /// request of a url alone is answered from the review queue when that url was read before,
    /// and its page is fetched otherwise.
    pub async fn read(
        &self,
        mut request: ArticleRequest,
        dry_run: bool,
        feed: Option<Uuid>,
    ) -> Result<ReadOutcome, Problem> {
        check(&request)?;
        let fetched = request.text.is_none() && request.html.is_none();
        if let (true, Some(url)) = (fetched, request.url.clone()) {
            if !dry_run && let Some(answer) = self.answer(article_id_of_url(&url)).await? {
                return Ok(ReadOutcome {
                    status: StatusCode::OK,
                    answer,
                });
            }
            let fetching = self
                .fetches
                .acquire()
                .await
                .map_err(|_| Problem::unavailable("the reader is stopping", Some(1)))?;
            let page = self.pages.page(&url).await;
            drop(fetching);
            match page {
                Ok(Page::Html(html)) => request.html = Some(html),
                Ok(Page::Text(text)) => request.text = Some(text),
                Err(e) => {
                    tracing::info!(url, reason = e.class(), "an article's page was not fetched");
                    return Err(e.problem());
                }
            }
        }
        let _permit = self
            .work
            .acquire()
            .await
            .map_err(|_| Problem::unavailable("the reader is stopping", Some(1)))?;
        let (request, text) = tokio::task::spawn_blocking(move || {
            let text = text_of(&request, fetched);
            (request, text)
        })
        .await
        .map_err(|e| Problem::internal(format!("reading the text failed: {e}")))?;
        let (text, html_title) = text?;
        let id = match &request.url {
            Some(url) => article_id_of_url(url),
            None => article_id_of_text(&text),
        };
        if !dry_run && let Some(answer) = self.answer(id).await? {
            return Ok(ReadOutcome {
                status: StatusCode::OK,
                answer,
            });
        }
        let extractors = self.extractors.clone();
        let published = request.published_at.instant().date_naive();
        let language = request.language;
        let (text, extraction) = tokio::task::spawn_blocking(move || {
            let extractor = extractors.get()?;
            let extraction = extractor.extract(&ExtractArticle {
                text: &text,
                language,
                published_at: published,
            });
            Ok::<_, liaison_log::ApplyError>((text, extraction))
        })
        .await
        .map_err(|e| Problem::internal(format!("extraction failed: {e}")))?
        .map_err(|e| Problem::internal(format!("reading the registry failed: {e}")))?;
        let extraction = extraction.map_err(|e| match e {
            ExtractError::UnsupportedLanguage { .. } => {
                Problem::unprocessable(vec![FieldError::new(
                    source_pointer(&request, fetched),
                    format!("{e}; the reader reads de and en"),
                )])
                .with_detail(format!(
                    "{e}; the reader reads German (de) and English (en)"
                ))
            }
        })?;
        let article = Article {
            id,
            url: request.url.clone(),
            title: request.title.clone().or(html_title),
            publisher: request.publisher.clone(),
            published_at: request.published_at,
            language: extraction.language,
            text,
            read_at: Utc::now(),
            feed,
        };
        let candidates = propose(&article, extraction.candidates);
        if dry_run {
            let answer = ArticleAnswer {
                candidates: candidates
                    .iter()
                    .map(|c| {
                        crate::review::store::CandidateRecord {
                            article_id: id,
                            proposed: c.clone(),
                            decision: None,
                        }
                        .view()
                    })
                    .collect(),
                article,
            };
            return Ok(ReadOutcome {
                status: StatusCode::OK,
                answer,
            });
        }
        let entry = ArticlesEntry::ArticleRead {
            article,
            candidates,
        };
        let (_, duplicate) = self
            .publisher
            .publish(&entry)
            .await
            .map_err(publish_problem)?;
        let status = if duplicate {
            StatusCode::OK
        } else {
            self.auto_accept(id).await;
            StatusCode::CREATED
        };
        let answer = self.answer(id).await?.ok_or_else(|| {
            Problem::internal("the article was stored but is not in the review queue")
        })?;
        Ok(ReadOutcome { status, answer })
    }

    /// The article `id` with its candidates, if it was read.
    pub async fn answer(&self, id: Uuid) -> Result<Option<ArticleAnswer>, Problem> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.answer(id))
            .await
            .map_err(|e| Problem::internal(e.to_string()))?
            .map_err(|e| Problem::internal(format!("reading the review queue failed: {e}")))
    }

    /// Accepts the pending candidates of article `id` at or above the threshold.
    async fn auto_accept(&self, id: Uuid) {
        let Some(threshold) = self.auto_accept else {
            return;
        };
        let Ok(Some(answer)) = self.answer(id).await else {
            return;
        };
        for candidate in answer.candidates {
            if candidate.confidence < threshold {
                continue;
            }
            // A registration accepted as a dependency of an earlier one is no longer pending.
            if let Ok(Some(record)) = self.store.candidate(candidate.id)
                && record.state() != CandidateState::Pending
            {
                continue;
            }
            if let Err(problem) = self
                .decider
                .accept(candidate.id, None, CandidateState::AutoAccepted)
                .await
            {
                tracing::warn!(candidate = %candidate.id, problem = %problem.detail,
                    "auto-accepting a candidate failed; it stays pending");
            }
        }
    }
}

/// The problem of a failed write to the articles stream.
pub fn publish_problem(e: PublishError) -> Problem {
    match e {
        PublishError::TooLarge(_) => Problem::payload_too_large(e.to_string()),
        // Only a known outcome may say that nothing was stored (docs/decisions/020-unknown-outcomes.md);
        // an article's id comes from its url or text, so posting it again is safe and tells.
        PublishError::Append(a) if a.outcome() == Outcome::NotAppended => Problem::unavailable(
            format!("the articles stream cannot take the entry now ({a}); nothing was stored"),
            Some(2),
        ),
        PublishError::Append(a) if a.outcome() == Outcome::Unknown => Problem::unavailable(
            format!(
                "the articles stream did not settle the entry ({a}); it may or may not be stored \
                 — posting the same article again is safe and tells"
            ),
            Some(2),
        ),
        PublishError::Append(a) if a.outcome() == Outcome::AlreadyAppended => Problem::unavailable(
            format!("the articles stream holds the entry already ({a}); ask again"),
            Some(1),
        ),
        PublishError::Append(a) => Problem::internal(format!(
            "the articles stream refused the entry: {a}; nothing was stored"
        )),
        PublishError::NotApplied(_) => {
            Problem::unavailable(format!("{e}; it will be, ask again"), Some(1))
        }
    }
}

/// The checks of a request beyond its shape: one of `text` and `html`, or a url alone; the url's
/// scheme and size, the HTML's size (`413`).
fn check(request: &ArticleRequest) -> Result<(), Problem> {
    if let Some(html) = &request.html
        && html.len() > MAX_ARTICLE_HTML_BYTES
    {
        return Err(Problem::payload_too_large(format!(
            "the html is {} bytes, more than the {MAX_ARTICLE_HTML_BYTES} bytes read",
            html.len()
        )));
    }
    let mut errors = Vec::new();
    match (&request.text, &request.html) {
        (Some(_), Some(_)) => errors.push(FieldError::new("/html", "give text or html, not both")),
        (None, None) if request.url.is_none() => errors.push(FieldError::new(
            "",
            "text or html is required, or a url alone (the reader fetches its page)",
        )),
        _ => {}
    }
    if let Some(url) = &request.url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        errors.push(FieldError::new(
            "/url",
            "an http or https address is expected",
        ));
    }
    for (name, value) in [
        ("/url", request.url.as_deref()),
        ("/title", request.title.as_deref()),
        ("/publisher", request.publisher.as_deref()),
    ] {
        let max = if name == "/url" {
            liaison_proto::reader::MAX_URL_BYTES
        } else {
            liaison_proto::limits::MAX_STRING_BYTES
        };
        if let Some(value) = value {
            if value.trim().is_empty() {
                errors.push(FieldError::new(name, "may not be empty"));
            } else if value.len() > max {
                errors.push(FieldError::new(name, format!("longer than {max} bytes")));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Problem::unprocessable(errors))
    }
}

/// The member the text was read from: `/url` when the page was `fetched`, else `/html` or
/// `/text`.
fn source_pointer(request: &ArticleRequest, fetched: bool) -> &'static str {
    if fetched {
        "/url"
    } else if request.html.is_some() {
        "/html"
    } else {
        "/text"
    }
}

/// The text to read and, for HTML, the page's title (`fetched`: the page of the url).
fn text_of(request: &ArticleRequest, fetched: bool) -> Result<(String, Option<String>), Problem> {
    let pointer = source_pointer(request, fetched);
    let result = match (&request.text, &request.html) {
        (Some(text), _) => tidy(text).map(|t| (t, None)),
        (None, Some(html)) => html_to_text(html),
        (None, None) => unreachable!("checked, or fetched"),
    };
    result.map_err(|e| {
        let problem = Problem::unprocessable(vec![FieldError::new(pointer, e.to_string())]);
        match e {
            TextError::TooLong(_) => {
                Problem::payload_too_large(format!("{}: {e}", pointer.trim_start_matches('/')))
            }
            _ => problem.with_detail(format!("the {} {e}", pointer.trim_start_matches('/'))),
        }
    })
}
