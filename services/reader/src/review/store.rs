//! The review queue in sled: articles, candidates with their decisions, and feeds, in one tree
//! (which also holds the applier's records). Written only by [`super::ReviewModel`] through the
//! applier; read here.
//!
//! Keys:
//! - `art/<article id>` → [`ArticleRecord`];
//! - `cand/<candidate id>` → [`CandidateRecord`];
//! - `ord/<sequence u64 BE><index u16 BE>` → candidate id: the listing order (articles in the
//!   order they were read, each one's candidates in text order), the cursor of its pages;
//! - `feed/<feed id>` → [`FeedRecord`]; `feedord/<sequence u64 BE>` → feed id.

use liaison_log::ApplyError;
use liaison_proto::reader::{
    Article, ArticleAnswer, CandidateState, CandidateView, Decision, Feed, ProposedCandidate,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The sled tree of the review queue.
pub const TREE: &str = "review";

pub(crate) const ARTICLE: &[u8] = b"art/";
pub(crate) const CANDIDATE: &[u8] = b"cand/";
pub(crate) const ORDER: &[u8] = b"ord/";
pub(crate) const FEED: &[u8] = b"feed/";
pub(crate) const FEED_ORDER: &[u8] = b"feedord/";

/// An article and where its candidates are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRecord {
    /// The article.
    pub article: Article,
    /// The stream sequence of its entry.
    pub sequence: u64,
    /// Its candidates' ids, in text order.
    pub candidates: Vec<Uuid>,
}

/// A candidate and the decision on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateRecord {
    /// Its article.
    pub article_id: Uuid,
    /// What the reader proposed.
    pub proposed: ProposedCandidate,
    /// The decision in force, if any.
    pub decision: Option<Decision>,
}

impl CandidateRecord {
    /// Where it stands.
    pub fn state(&self) -> CandidateState {
        self.decision
            .as_ref()
            .map_or(CandidateState::Pending, |d| d.state)
    }

    /// The candidate as answered.
    pub fn view(&self) -> CandidateView {
        let edited = self.decision.as_ref().and_then(|d| d.edited.clone());
        CandidateView {
            id: self.proposed.id,
            article_id: self.article_id,
            state: self.state(),
            confidence: self.proposed.confidence,
            event: edited.unwrap_or_else(|| self.proposed.event.clone()),
            rationale: self.proposed.rationale.clone(),
            decision: self.decision.clone(),
        }
    }
}

/// A feed as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedRecord {
    /// The feed.
    pub feed: Feed,
    /// The stream sequence of its registration.
    pub sequence: u64,
}

/// The key of `id` under `prefix`.
pub(crate) fn key(prefix: &[u8], id: Uuid) -> Vec<u8> {
    [prefix, id.as_bytes()].concat()
}

/// The listing key of the `index`th candidate of the article read at `sequence`.
pub(crate) fn order_key(sequence: u64, index: u16) -> Vec<u8> {
    [ORDER, &sequence.to_be_bytes(), &index.to_be_bytes()].concat()
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    key: &[u8],
    bytes: &[u8],
) -> Result<T, ApplyError> {
    serde_json::from_slice(bytes).map_err(|e| ApplyError::corrupt(key, e))
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("review records serialize")
}

/// Reads of the review queue.
#[derive(Debug, Clone)]
pub struct ReviewStore {
    tree: sled::Tree,
}

/// One page of candidates: the records and the key to continue after.
#[derive(Debug, Clone)]
pub struct CandidatePage {
    /// The candidates.
    pub candidates: Vec<CandidateRecord>,
    /// The last listing key examined, when more follow.
    pub next: Option<Vec<u8>>,
}

/// Which candidates a page lists.
#[derive(Debug, Clone, Default)]
pub struct CandidateFilter {
    /// Only in this state.
    pub state: Option<CandidateState>,
    /// Only of this article.
    pub article: Option<Uuid>,
}

/// The most listing entries one page examines (a filter that matches little ends a page early,
/// with a cursor).
pub const MAX_SCAN: usize = 10_000;

impl ReviewStore {
    /// The store in `db`.
    pub fn open(db: &sled::Db) -> Result<Self, sled::Error> {
        Ok(Self {
            tree: db.open_tree(TREE)?,
        })
    }

    /// The tree (the review model's home).
    pub fn tree(&self) -> &sled::Tree {
        &self.tree
    }

    fn get<T: serde::de::DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>, ApplyError> {
        self.tree
            .get(key)?
            .map(|bytes| decode(key, &bytes))
            .transpose()
    }

    /// The article `id`, if it was read.
    pub fn article(&self, id: Uuid) -> Result<Option<ArticleRecord>, ApplyError> {
        self.get(&key(ARTICLE, id))
    }

    /// The candidate `id`, if there is one.
    pub fn candidate(&self, id: Uuid) -> Result<Option<CandidateRecord>, ApplyError> {
        self.get(&key(CANDIDATE, id))
    }

    /// The article `id` with its candidates as they stand, if it was read.
    pub fn answer(&self, id: Uuid) -> Result<Option<ArticleAnswer>, ApplyError> {
        let Some(record) = self.article(id)? else {
            return Ok(None);
        };
        let mut candidates = Vec::with_capacity(record.candidates.len());
        for id in &record.candidates {
            if let Some(c) = self.candidate(*id)? {
                candidates.push(c.view());
            }
        }
        Ok(Some(ArticleAnswer {
            article: record.article,
            candidates,
        }))
    }

    /// Up to `limit` candidates matching `filter`, in listing order, after listing key `after`.
    pub fn candidates(
        &self,
        filter: &CandidateFilter,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<CandidatePage, ApplyError> {
        let mut start = ORDER.to_vec();
        let mut end = None;
        if let Some(article) = filter.article {
            let Some(record) = self.article(article)? else {
                return Ok(CandidatePage {
                    candidates: Vec::new(),
                    next: None,
                });
            };
            start = order_key(record.sequence, 0);
            end = Some(order_key(record.sequence + 1, 0));
        }
        if let Some(after) = after {
            let mut after = after.to_vec();
            after.push(0);
            start = start.max(after);
        }
        let end = end.unwrap_or_else(|| [ORDER, &[0xff; 11]].concat());
        let mut out = Vec::new();
        let mut last = None;
        let mut examined = 0;
        let mut iter = self.tree.range(start..end);
        for item in iter.by_ref() {
            let (k, id) = item?;
            examined += 1;
            last = Some(k.to_vec());
            let id = Uuid::from_slice(&id).map_err(|e| ApplyError::corrupt(&k, e))?;
            if let Some(c) = self.candidate(id)?
                && filter.state.is_none_or(|s| c.state() == s)
            {
                out.push(c);
            }
            if out.len() == limit || examined == MAX_SCAN {
                break;
            }
        }
        let more = iter.next().is_some();
        Ok(CandidatePage {
            candidates: out,
            next: last.filter(|_| more),
        })
    }

    /// Every feed, in the order they were registered (at most [`liaison_proto::reader::MAX_FEEDS`]
    /// are registered).
    pub fn feeds(&self) -> Result<Vec<Feed>, ApplyError> {
        let mut out = Vec::new();
        for item in self.tree.scan_prefix(FEED_ORDER) {
            let (k, id) = item?;
            let id = Uuid::from_slice(&id).map_err(|e| ApplyError::corrupt(&k, e))?;
            if let Some(record) = self.get::<FeedRecord>(&key(FEED, id))? {
                out.push(record.feed);
            }
        }
        Ok(out)
    }

    /// The feed `id`, if registered.
    pub fn feed(&self, id: Uuid) -> Result<Option<Feed>, ApplyError> {
        Ok(self.get::<FeedRecord>(&key(FEED, id))?.map(|r| r.feed))
    }

    /// How many feeds are registered.
    pub fn feed_count(&self) -> usize {
        self.tree.scan_prefix(FEED_ORDER).count()
    }
}
