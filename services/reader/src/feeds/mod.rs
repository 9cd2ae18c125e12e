//! Feeds: registering them (an entry of the articles stream, so every instance and every
//! rebuild knows them), how each one's polling goes (sled, this instance's own: validators, when
//! it was last polled, the items already read), and the poller that reads each new item once.
//! Its client also fetches the page of an article posted by its url alone ([`page`]).

pub mod fetch;
pub mod items;
pub mod page;
pub mod poller;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use liaison_proto::reader::{
    ArticlesEntry, Feed, FeedRequest, FeedView, MAX_FEED_INTERVAL_SECONDS, MAX_FEEDS,
    MAX_URL_BYTES, feed_id,
};
use liaison_runtime::target_policy::TargetPolicy;
use liaison_runtime::{FieldError, Problem};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::reading::publish_problem;
use crate::review::{Publisher, ReviewStore};

/// The sled tree of the poll states and of the items read.
pub const TREE: &str = "feed_polls";

/// How a feed's polling goes on this instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollState {
    /// The last `ETag`.
    pub etag: Option<String>,
    /// The last `Last-Modified`.
    pub last_modified: Option<String>,
    /// When it was last polled.
    pub last_polled: Option<DateTime<Utc>>,
    /// What the last poll gave.
    pub last_outcome: Option<String>,
}

/// Feeds: registration, listing, poll states.
#[derive(Debug, Clone)]
pub struct Feeds {
    store: ReviewStore,
    publisher: Publisher,
    polls: sled::Tree,
    policy: TargetPolicy,
    min_interval: u64,
    /// Woken when a feed is registered, so that it is polled at once.
    pub(crate) wake: Arc<Notify>,
}

fn state_key(feed: Uuid) -> Vec<u8> {
    [b"s/".as_slice(), feed.as_bytes()].concat()
}

fn seen_key(feed: Uuid, item: &str) -> Vec<u8> {
    let digest = Sha256::digest(item.as_bytes());
    [b"i/".as_slice(), feed.as_bytes(), &digest[..16]].concat()
}

impl Feeds {
    /// The feeds of `store`, polled with `policy`, at least `min_interval` seconds apart.
    pub fn new(
        store: ReviewStore,
        publisher: Publisher,
        db: &sled::Db,
        policy: TargetPolicy,
        min_interval: u64,
    ) -> Result<Self, sled::Error> {
        Ok(Self {
            store,
            publisher,
            polls: db.open_tree(TREE)?,
            policy,
            min_interval,
            wake: Arc::new(Notify::new()),
        })
    }

    /// Registers a feed: `201` with it, or `200` when it was registered before.
    pub async fn register(&self, request: FeedRequest) -> Result<(StatusCode, FeedView), Problem> {
        let url = request.url.trim().to_owned();
        let mut errors = Vec::new();
        match reqwest::Url::parse(&url) {
            Ok(parsed)
                if matches!(parsed.scheme(), "http" | "https") && url.len() <= MAX_URL_BYTES =>
            {
                if let Err(e) = self.policy.check_url(&parsed) {
                    errors.push(FieldError::new(
                        "/url",
                        format!("the reader may not fetch {e}"),
                    ));
                }
            }
            _ => errors.push(FieldError::new(
                "/url",
                format!("an http or https address of at most {MAX_URL_BYTES} bytes is expected"),
            )),
        }
        let interval = match request.interval.seconds() {
            Ok(s) if (self.min_interval..=MAX_FEED_INTERVAL_SECONDS).contains(&s) => s,
            Ok(s) => {
                errors.push(FieldError::new(
                    "/interval",
                    format!(
                        "{s} seconds; an interval is {} to {MAX_FEED_INTERVAL_SECONDS} seconds",
                        self.min_interval
                    ),
                ));
                0
            }
            Err(e) => {
                errors.push(FieldError::new("/interval", e));
                0
            }
        };
        if !errors.is_empty() {
            return Err(Problem::unprocessable(errors));
        }
        let id = feed_id(&url);
        if let Some(feed) = self
            .store
            .feed(id)
            .map_err(|e| Problem::internal(e.to_string()))?
        {
            return Ok((StatusCode::OK, self.view(feed)));
        }
        if self.store.feed_count() >= MAX_FEEDS {
            return Err(Problem::conflict(format!(
                "the reader polls at most {MAX_FEEDS} feeds"
            )));
        }
        let feed = Feed {
            id,
            url,
            interval_seconds: interval,
            registered_at: Utc::now(),
        };
        let (_, duplicate) = self
            .publisher
            .publish(&ArticlesEntry::FeedRegistered { feed })
            .await
            .map_err(publish_problem)?;
        self.wake.notify_one();
        let feed = self
            .store
            .feed(id)
            .map_err(|e| Problem::internal(e.to_string()))?
            .ok_or_else(|| Problem::internal("the feed was stored but is not in the queue"))?;
        let status = if duplicate {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        };
        Ok((status, self.view(feed)))
    }

    /// Every feed with how its polling goes.
    pub fn list(&self) -> Result<Vec<FeedView>, Problem> {
        Ok(self
            .store
            .feeds()
            .map_err(|e| Problem::internal(e.to_string()))?
            .into_iter()
            .map(|feed| self.view(feed))
            .collect())
    }

    fn view(&self, feed: Feed) -> FeedView {
        let state = self.poll_state(feed.id).unwrap_or_default();
        FeedView {
            feed,
            last_polled: state.last_polled,
            last_outcome: state.last_outcome,
        }
    }

    /// How `feed`'s polling goes.
    pub fn poll_state(&self, feed: Uuid) -> Result<PollState, sled::Error> {
        Ok(self
            .polls
            .get(state_key(feed))?
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default())
    }

    /// Records how `feed`'s last poll went.
    pub fn set_poll_state(&self, feed: Uuid, state: &PollState) -> Result<(), sled::Error> {
        self.polls.insert(
            state_key(feed),
            serde_json::to_vec(state).expect("a poll state serializes"),
        )?;
        Ok(())
    }

    /// Whether item `key` of `feed` was read.
    pub fn seen(&self, feed: Uuid, key: &str) -> Result<bool, sled::Error> {
        self.polls.contains_key(seen_key(feed, key))
    }

    /// Records that item `key` of `feed` was read.
    pub fn mark_seen(&self, feed: Uuid, key: &str) -> Result<(), sled::Error> {
        self.polls.insert(seen_key(feed, key), &[])?;
        Ok(())
    }

    /// The registered feeds.
    pub fn feeds(&self) -> Result<Vec<Feed>, Problem> {
        self.store
            .feeds()
            .map_err(|e| Problem::internal(e.to_string()))
    }
}
