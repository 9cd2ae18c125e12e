//! Every query of the contract, independent of the transport: the HTTP API and the NATS
//! request-reply API both parse their parameters into the `*Request` types of
//! `liaison_proto::query` and call these, which answer proto types or a [`QueryError`].

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use liaison_log::Follower;
use liaison_proto::query::{
    Consistency, CooperationSummary, OrganizationRequest, OrganizationView, PairView,
    RelationshipList, RelationshipRequest, RelationshipSummary, RelationshipView,
    RelationshipsRequest, TimelinePage, TimelineRequest,
};
use liaison_proto::{AsOf, EventType, Slug, Status};
use liaison_relations::PairTopic;
use serde::Serialize;

use crate::read_models::relationships::FactPage;
use crate::read_models::{links, organizations, relationships, timeline};
use crate::store::{Store, StoreError};
use crate::switch::StoreSwitch;

/// The default page size of timelines.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page size of timelines.
pub const MAX_LIMIT: u32 = 1000;

/// Why a query has no answer.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// An organization is unknown (404).
    #[error("{0}")]
    NotFound(String),
    /// A parameter is malformed (400).
    #[error("{0}")]
    BadRequest(String),
    /// `min_sequence` was not applied within the bound (503 with `Retry-After`).
    #[error("{detail}")]
    Unavailable {
        /// What was waited for.
        detail: String,
        /// Seconds after which to retry.
        retry_after: u64,
    },
    /// The database failed (500).
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for QueryError {
    fn from(e: StoreError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl QueryError {
    /// The HTTP status code of this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound(_) => 404,
            Self::BadRequest(_) => 400,
            Self::Unavailable { .. } => 503,
            Self::Internal(_) => 500,
        }
    }
}

/// The answer of the relationship query: one topic, or every topic of the pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RelationshipAnswer {
    /// `topic` was given.
    One(RelationshipView),
    /// Every topic.
    Pair(PairView),
}

/// The query side of the projection.
pub struct Queries {
    stores: Arc<StoreSwitch>,
    follower: OnceLock<Follower>,
    max_wait: Duration,
    instance: String,
}

impl std::fmt::Debug for Queries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queries")
            .field("max_wait", &self.max_wait)
            .finish_non_exhaustive()
    }
}

impl Queries {
    /// Queries over `stores`; `min_sequence` waits at most `max_wait`.
    pub fn new(stores: Arc<StoreSwitch>, max_wait: Duration) -> Self {
        Self {
            stores,
            follower: OnceLock::new(),
            max_wait,
            instance: uuid::Uuid::now_v7().to_string(),
        }
    }

    /// Attaches the follower that `min_sequence` waits on (without one, the checkpoint is read).
    pub fn set_follower(&self, follower: Follower) {
        let _ = self.follower.set(follower);
    }

    /// This instance's id (random at each start).
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The live database.
    pub fn store(&self) -> Arc<Store> {
        self.stores.current()
    }

    /// Waits for `min_sequence` (bounded), then gives the `as_of` bound and the database to read.
    async fn prepare(&self, c: &Consistency) -> Result<(Option<AsOf>, Arc<Store>), QueryError> {
        if let Some(min) = c.min_sequence {
            let reached = match self.follower.get() {
                Some(f) => f.wait_applied(min, self.max_wait).await,
                None => self.store().checkpoint()? >= min,
            };
            if !reached {
                return Err(QueryError::Unavailable {
                    detail: format!(
                        "the projection has not applied the log up to sequence {min} within {:?}",
                        self.max_wait
                    ),
                    retry_after: 1,
                });
            }
        }
        let as_of = c
            .as_of
            .map(|t| AsOf::parse(&t.to_string()))
            .transpose()
            .map_err(|e| QueryError::BadRequest(format!("as_of: {e}")))?;
        Ok((as_of, self.store()))
    }

    /// `GET /v1/relationships/{a}/{b}[?topic=]`.
    pub async fn relationship(
        &self,
        req: &RelationshipRequest,
    ) -> Result<RelationshipAnswer, QueryError> {
        let (as_of, store) = self.prepare(&req.consistency).await?;
        for org in [&req.a, &req.b] {
            known(&store, org)?;
        }
        if req.a == req.b {
            return Err(QueryError::BadRequest(format!(
                "a relationship needs two distinct organizations, got {} twice",
                req.a
            )));
        }
        let (a, b) = if req.a < req.b {
            (&req.a, &req.b)
        } else {
            (&req.b, &req.a)
        };
        if req.before.is_some() && req.topic.is_none() {
            return Err(QueryError::BadRequest(
                "before: pages one relationship; give a topic too".into(),
            ));
        }
        let page = FactPage::new(as_of, req.before.as_deref(), checked_limit(req.limit)?)
            .map_err(|e| QueryError::BadRequest(e.to_string()))?;
        Ok(match &req.topic {
            Some(topic) => {
                let key = PairTopic::new(a.clone(), b.clone(), topic.clone())
                    .expect("distinct organizations");
                RelationshipAnswer::One(relationships::view(&store, &key, &page)?)
            }
            None => RelationshipAnswer::Pair(PairView {
                organizations: [a.clone(), b.clone()],
                topics: relationships::pair_views(&store, a, b, &page)?,
            }),
        })
    }

    /// `GET /v1/relationships?org=&topic=&status=`: every relationship that matches, with a
    /// status above `none` (or exactly `none` when asked for, which lists those with signals only).
    pub async fn relationships(
        &self,
        req: &RelationshipsRequest,
    ) -> Result<RelationshipList, QueryError> {
        let (as_of, store) = self.prepare(&req.consistency).await?;
        let page = FactPage::new(as_of, None, checked_limit(req.limit)?)
            .map_err(|e| QueryError::BadRequest(e.to_string()))?;
        let candidates = match (&req.org, &req.topic) {
            (Some(org), _) => {
                known(&store, org)?;
                relationships::of_organization(&store, org)?
            }
            (None, Some(topic)) => relationships::of_topic(&store, topic)?,
            (None, None) => relationships::all(&store)?,
        };
        let wanted = |s: Status| match req.status {
            Some(w) => s == w,
            None => s != Status::None,
        };
        let mut out = Vec::new();
        for key in candidates {
            if req.topic.as_ref().is_some_and(|t| *t != key.topic) {
                continue;
            }
            if as_of.is_none() {
                let status =
                    relationships::summary(&store, &key)?.map_or(Status::None, |s| s.status);
                if !wanted(status) {
                    continue;
                }
            }
            let view = relationships::view(&store, &key, &page)?;
            if wanted(view.status) && (!view.events.is_empty() || !view.signals.is_empty()) {
                out.push(view);
            }
        }
        Ok(RelationshipList { relationships: out })
    }

    /// `GET /v1/organizations/{id}`.
    pub async fn organization(
        &self,
        req: &OrganizationRequest,
    ) -> Result<OrganizationView, QueryError> {
        let (as_of, store) = self.prepare(&req.consistency).await?;
        let profile = organizations::profile(&store, &req.id)?
            .ok_or_else(|| not_found(&req.id))?
            .data;
        let mut cooperation = Vec::new();
        for key in relationships::of_organization(&store, &req.id)? {
            let (status, since) = match as_of {
                None => relationships::summary(&store, &key)?
                    .map_or((Status::None, None), |s| (s.status, s.since)),
                Some(_) => {
                    let page = FactPage::new(as_of, None, 1).expect("no cursor");
                    let v = relationships::view(&store, &key, &page)?;
                    (v.status, v.since)
                }
            };
            if status == Status::None {
                continue;
            }
            let other = if key.a == req.id { key.b } else { key.a };
            cooperation.push(CooperationSummary {
                organization: other,
                topic: key.topic,
                status,
                since,
            });
        }
        let (supplier, customer, competitor) = links::summaries(&store, &req.id, as_of)?;
        Ok(OrganizationView {
            id: profile.id,
            name: profile.name,
            aliases: profile.aliases,
            kind: profile.kind,
            parent: profile.parent,
            country: profile.country,
            people: organizations::people(&store, &req.id)?,
            relationships: RelationshipSummary {
                cooperation,
                supplier,
                customer,
                competitor,
            },
        })
    }

    /// `GET /v1/organizations/{id}/timeline`; with `meetings_only`, the meetings (held and
    /// scheduled) that name it.
    pub async fn timeline(
        &self,
        req: &TimelineRequest,
        meetings_only: bool,
    ) -> Result<TimelinePage, QueryError> {
        let (as_of, store) = self.prepare(&req.consistency).await?;
        known(&store, &req.id)?;
        let limit = checked_limit(req.limit)?;
        let types = [EventType::MeetingHeld, EventType::MeetingScheduled];
        let (items, next_cursor) = timeline::page(
            &store,
            &req.id,
            req.cursor.as_deref(),
            limit,
            as_of,
            meetings_only.then_some(&types[..]),
        )?
        .map_err(|e| QueryError::BadRequest(e.to_string()))?;
        Ok(TimelinePage { items, next_cursor })
    }

    /// `GET /v1/meetings`: every meeting, held and scheduled, in time order, paged.
    pub async fn meetings(
        &self,
        cursor: Option<&str>,
        limit: Option<u32>,
        consistency: &Consistency,
    ) -> Result<TimelinePage, QueryError> {
        let (as_of, store) = self.prepare(consistency).await?;
        let limit = checked_limit(limit)?;
        let (items, next_cursor) = timeline::meetings(&store, cursor, limit, as_of)?
            .map_err(|e| QueryError::BadRequest(e.to_string()))?;
        Ok(TimelinePage { items, next_cursor })
    }
}

fn checked_limit(limit: Option<u32>) -> Result<usize, QueryError> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        0 => Err(QueryError::BadRequest("limit: must be at least 1".into())),
        n if n > MAX_LIMIT => Err(QueryError::BadRequest(format!(
            "limit: must be at most {MAX_LIMIT}"
        ))),
        n => Ok(n as usize),
    }
}

fn not_found(org: &Slug) -> QueryError {
    QueryError::NotFound(format!("unknown organization '{org}'"))
}

fn known(store: &Store, org: &Slug) -> Result<(), QueryError> {
    if organizations::is_known(store, org)? {
        Ok(())
    } else {
        Err(not_found(org))
    }
}
