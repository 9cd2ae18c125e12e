//! `liaison-reader`: reads news articles (German, English) and RSS/Atom feeds, proposes
//! candidate events with the extractor of `liaison-extract`, keeps the review queue, and appends
//! accepted candidates through ingest (CONTRACT.md, "Reading the news";
//! docs/decisions/017-the-reader-service.md).
//!
//! | module | purpose |
//! |---|---|
//! | [`config`] | flags and environment, checked in one place |
//! | [`registry`] | the organizations and people of the log: a read model of the log |
//! | [`extractors`] | the extractor of the registry, rebuilt only when it changed |
//! | [`text`] | HTML to main text, junk told apart (pure) |
//! | [`propose`] | extractor candidates to proposed events with evidence and ids (pure) |
//! | [`review`] | the articles stream: its gate, the review queue folded from it, writing to it |
//! | [`reading`] | reading one article |
//! | [`decide`] | accepting (through [`ingest`]) and rejecting candidates |
//! | [`ingest`] | the NATS request `liaison.ingest.append` |
//! | [`feeds`] | feeds: registration, poll state, fetching, the poller |
//! | [`http_api`] | the routes |
//!
//! [`ReaderService`] wires them on the service skeleton of `liaison-runtime`: it follows the log
//! (the registry) and its own stream `LIAISON_ARTICLES` (the review queue) through the same
//! applier and follower of `liaison-log`.

pub mod config;
pub mod decide;
pub mod extractors;
pub mod feeds;
pub mod http_api;
pub mod ingest;
pub mod propose;
pub mod reading;
pub mod registry;
pub mod review;
pub mod text;

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use axum::Router;
use liaison_log::{
    Appender, Applier, Follower, LogSettings, StreamSetup, ensure_articles_stream_if,
};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::service::{App, Context, Service, StartError};
use liaison_runtime::shutdown::Shutdown;
use liaison_runtime::target_policy::TargetPolicy;

pub use config::Config;

use crate::decide::Decider;
use crate::extractors::Extractors;
use crate::feeds::Feeds;
use crate::feeds::fetch::FeedClient;
use crate::ingest::IngestClient;
use crate::reading::Reading;
use crate::registry::RegistryModel;
use crate::review::{ArticlesGate, Publisher, ReviewModel, ReviewStore};

/// The running reader.
pub type Application = App<ReaderService>;

/// `liaison-reader` as a service of the skeleton.
#[derive(Debug)]
pub struct ReaderService;

/// What the reader exposes once built.
#[derive(Clone)]
pub struct ReaderHandle {
    /// The review queue.
    pub store: ReviewStore,
    /// How far the registry followed the log.
    pub log: Follower,
    /// How far the review queue followed the articles stream.
    pub articles: Follower,
    /// Reading articles.
    pub reading: Reading,
    /// Feeds.
    pub feeds: Feeds,
}

impl Service for ReaderService {
    const KIND: liaison_proto::services::Service = liaison_proto::services::Service::Reader;
    const ABOUT: &'static str = "Reads news articles and feeds, proposes candidate events, keeps \
        the review queue, and appends accepted candidates through ingest.";
    /// The review queue is point reads and short scans: a small cache keeps the reader under the
    /// 128 MiB of issue 14 while it reads 10,000 articles (137 MiB with 64, 111 with 16).
    const SLED_CACHE_MIB: u64 = 16;
    type Config = Config;
    type Handle = ReaderHandle;

    fn common(config: &Config) -> &CommonArgs {
        &config.common
    }

    fn validate(config: Config) -> Result<Config, String> {
        config.check()
    }

    async fn build(
        config: Config,
        ctx: &mut Context,
    ) -> Result<(Router, ReaderHandle), StartError> {
        let db = ctx.db()?;
        let registry =
            RegistryModel::open(&db).map_err(|e| StartError::service("opening the registry", e))?;
        let store = ReviewStore::open(&db)
            .map_err(|e| StartError::service("opening the review queue", e))?;
        let log = ctx.follow(registry.clone())?;
        let review = ctx.follow_stream(ReviewModel::new(store.tree().clone()), ArticlesGate)?;
        let settings = ctx.common().log_settings();
        ctx.spawn(keep_articles_stream(
            ctx.jetstream(),
            settings,
            review.applier.clone(),
            review.follower.clone(),
            ctx.shutdown(),
        ));
        let publisher = Publisher::new(
            Appender::new(ctx.nats().clone()),
            review.follower.clone(),
            config.apply_wait(),
        );
        let ingest = IngestClient::new(
            ctx.nats().clone(),
            ctx.common().api_token().map(str::to_owned),
            config.ingest_timeout(),
        );
        let decider = Decider::new(store.clone(), registry.clone(), ingest, publisher.clone());
        let policy = TargetPolicy::new(config.feed_allow_private);
        if policy.allows_private() {
            tracing::warn!(
                "LIAISON_READER_FEED_ALLOW_PRIVATE is on: feeds and articles' pages may be \
                 fetched from loopback, private and link-local addresses"
            );
        }
        let client = FeedClient::new(
            policy,
            Duration::from_millis(config.feed_timeout_ms),
            config.feed_max_bytes,
        );
        let reading = Reading::new(
            store.clone(),
            Extractors::new(registry),
            publisher.clone(),
            decider.clone(),
            config.auto_accept,
            client.clone(),
        );
        let feeds = Feeds::new(
            store.clone(),
            publisher,
            &db,
            policy,
            config.feed_min_interval_seconds,
        )
        .map_err(|e| StartError::service("opening the feed polls", e))?;
        ctx.spawn(feeds::poller::run(
            feeds.clone(),
            reading.clone(),
            client,
            ctx.shutdown(),
        ));
        let state = http_api::ApiState {
            reading: reading.clone(),
            decider,
            store: store.clone(),
            feeds: feeds.clone(),
        };
        let routes = http_api::routes(state, ctx.write_auth());
        Ok((
            routes,
            ReaderHandle {
                store,
                log: log.follower,
                articles: review.follower,
                reading,
                feeds,
            },
        ))
    }
}

/// Creates the articles stream when it is absent and this reader never followed one (as ingest
/// does for the log: an empty new stream is not silently put in place of one that vanished),
/// retrying until it is there. On a secured NATS only the admin may create it
/// (`liaison admin init-streams`); the follower's readiness check says so meanwhile.
async fn keep_articles_stream(
    js: jetstream::Context,
    settings: LogSettings,
    applier: Arc<Applier<ReviewModel, ArticlesGate>>,
    follower: Follower,
    shutdown: Shutdown,
) {
    let mut delay = Duration::from_millis(200);
    loop {
        let may_create = match (applier.checkpoint(), applier.identity()) {
            (Ok(0), Ok(None)) => Ok(()),
            (Ok(checkpoint), identity) => Err(format!(
                "this reader holds the review queue of an articles stream up to sequence \
                 {checkpoint}{}; restore the stream, or reset the reader's data directory",
                identity
                    .ok()
                    .flatten()
                    .map(|i| format!(" ({i})"))
                    .unwrap_or_default()
            )),
            (Err(e), _) => Err(e.to_string()),
        };
        let outcome = tokio::time::timeout(
            Duration::from_secs(10),
            ensure_articles_stream_if(&js, &settings, may_create),
        )
        .await;
        match outcome {
            Ok(Ok(setup)) => {
                if let StreamSetup::Found { differences, .. } = &setup
                    && !differences.is_empty()
                {
                    tracing::warn!(?differences, "the articles stream's settings differ; kept");
                }
                follower.observe_log_sequence(setup.info().state.last_sequence);
                return;
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "the articles stream is not set up; retrying"),
            Err(_) => tracing::warn!("setting up the articles stream timed out; retrying"),
        }
        tokio::select! {
            () = shutdown.wait() => return,
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}
