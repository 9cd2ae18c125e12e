//! The reader's figures (issue 14): how many articles of about 500 words the extractor reads per
//! second on one core — the pure crate called in this process on one thread, as the reader calls
//! it for each article — and the reader service's peak memory while it reads 10,000 articles
//! posted over HTTP, with the gold registry in its read model.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use futures::StreamExt;
use liaison_extract::{Article, Extractor, Language, Registry, gold};
use liaison_testkit::{Service, ServiceProcess};
use serde_json::{Value, json};

use super::{http_client, post_events, start_service, truncate};

/// Words per article, as the bar says (about 500).
pub const WORDS: usize = 500;

/// Articles built from the gold set: each gold text repeated and cut at [`WORDS`] words, with
/// its language and publication day; and the gold registry (registration events).
pub struct Corpus {
    registry: Vec<Value>,
    texts: Vec<(String, Language, NaiveDate)>,
}

impl Corpus {
    /// Reads the gold set of `liaison-extract`.
    pub fn from_gold() -> Corpus {
        let (registry, articles) = gold::load();
        let texts = articles
            .iter()
            .map(|a| {
                let words: Vec<&str> = a.text.split_whitespace().collect();
                let text: Vec<&str> = words.iter().cycle().take(WORDS).copied().collect();
                let language = if a.language == "de" {
                    Language::De
                } else {
                    Language::En
                };
                (text.join(" "), language, a.published_at)
            })
            .collect();
        Corpus { registry, texts }
    }

    fn article(&self, i: usize) -> &(String, Language, NaiveDate) {
        &self.texts[i % self.texts.len()]
    }
}

/// Extracts `n` articles on this thread; answers articles per second and the candidates found.
/// Every other article has its language detected, as the reader does when none is given.
pub fn extraction_rate(corpus: &Corpus, n: usize) -> (f64, usize) {
    let extractor = Extractor::new(Registry::from_events(&corpus.registry));
    let started = Instant::now();
    let mut candidates = 0;
    for i in 0..n {
        let (text, language, published_at) = corpus.article(i);
        let article = Article {
            text,
            language: (i % 2 == 0).then_some(*language),
            published_at: *published_at,
        };
        candidates += extractor
            .extract(&article)
            .map_or(0, |x| x.candidates.len());
    }
    (n as f64 / started.elapsed().as_secs_f64(), candidates)
}

/// What reading many articles through the service measured.
pub struct ServiceFigures {
    /// The reader's peak resident memory, bytes.
    pub peak_rss: u64,
    /// Articles read per second over HTTP (each one extracted, stored in `LIAISON_ARTICLES`
    /// and applied to the review queue before its `201`).
    pub articles_per_s: f64,
}

/// Starts ingest and the reader on `nats_url`, registers the gold registry through ingest, then
/// posts `n` distinct articles (a url each) to the reader, `in_flight` at a time.
pub async fn service_memory(
    corpus: &Corpus,
    nats_url: &str,
    dir: &Path,
    n: usize,
    in_flight: usize,
) -> Result<ServiceFigures> {
    let ready = Duration::from_secs(60);
    let ingest = start_service(Service::Ingest, nats_url, dir, "/readyz", ready).await?;
    let mut reader = start_service(Service::Reader, nats_url, dir, "/readyz", ready).await?;
    let client = http_client()?;
    let registrations = serde_json::to_vec(&corpus.registry)?;
    let sequences = post_events(&client, &ingest.url(), registrations).await?;
    let last = sequences.into_iter().max().unwrap_or(0);
    wait_for_registry(&client, &reader, corpus, last).await?;

    let url = format!("{}/v1/articles", reader.url());
    let started = Instant::now();
    let mut posts = futures::stream::iter(0..n)
        .map(|i| {
            let (text, language, published_at) = corpus.article(i);
            let body = json!({
                "text": format!("{text}\n\nBench article {i}."),
                "language": language.code(),
                "published_at": published_at.to_string(),
                "url": format!("https://bench.liaison.invalid/articles/{i}"),
                "publisher": "liaison-bench",
            });
            let client = client.clone();
            let url = url.clone();
            async move {
                let response = client.post(&url).json(&body).send().await?;
                let status = response.status();
                if status.as_u16() != 201 {
                    let text = response.text().await.unwrap_or_default();
                    bail!("POST /v1/articles answered {status}: {}", truncate(&text));
                }
                Ok(())
            }
        })
        .buffer_unordered(in_flight);
    while let Some(result) = posts.next().await {
        result?;
    }
    let articles_per_s = n as f64 / started.elapsed().as_secs_f64();
    let peak_rss = reader.peak_rss().context("the reader's peak memory")?;
    drop(ingest);
    Ok(ServiceFigures {
        peak_rss,
        articles_per_s,
    })
}

/// Waits until the reader's read model of the log holds the registrations (sequence `last`):
/// its extractor then knows the gold registry's names. Answers once a dry run names one.
async fn wait_for_registry(
    client: &reqwest::Client,
    reader: &ServiceProcess,
    corpus: &Corpus,
    last: u64,
) -> Result<()> {
    let (text, language, published_at) = corpus.article(0);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer: Value = client
            .post(format!("{}/v1/articles?dry_run=true", reader.url()))
            .json(&json!({
                "text": text,
                "language": language.code(),
                "published_at": published_at.to_string(),
            }))
            .send()
            .await?
            .json()
            .await?;
        let knows_registry = answer["candidates"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c["event"]["type"] != "organization.registered")
        });
        if knows_registry {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the reader did not apply the registrations (up to sequence {last}) within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
