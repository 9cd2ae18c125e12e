//! Every query of the contract, independent of the transport: the HTTP API and the NATS
//! request-reply API both parse their parameters into the `*Request` types of
//! `liaison_proto::query` and call these, which answer proto types or a [`QueryError`].

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use liaison_log::Follower;
use liaison_proto::query::params::ParamError;
use liaison_proto::query::{
    Consistency, CooperationSummary, EventPlaces, EventPlacesRequest, Flag, MeetingsRequest,
    OrganizationList, OrganizationRequest, OrganizationView, OrganizationsRequest, PairView,
    RelationshipList, RelationshipRequest, RelationshipSummary, RelationshipsRequest, TimelinePage,
    TimelineRequest,
};
pub use liaison_proto::query::{
    DEFAULT_LIMIT, DEFAULT_LIST_LIMIT, MAX_FACTS_PER_ANSWER, MAX_LIMIT, MAX_LIST_LIMIT,
    MAX_PAIR_TOPICS, MAX_SEARCH_BYTES, RelationshipAnswer,
};
use liaison_proto::{AsOf, Slug, Status};
use liaison_relations::PairTopic;

use crate::read_models::relationships::{FactPage, Listing};
use crate::read_models::{Bounds, links, organizations, page_of, places, relationships, timeline};
use crate::store::{Store, StoreError};
use crate::switch::StoreSwitch;

/// The most entries one request examines in a listing (index entries, timeline entries,
/// relationships of an organization): a filter that matches rarely ends its page early, with a
/// cursor, rather than reading a whole table.
pub const MAX_SCAN: usize = 5_000;

/// Why a query has no answer.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// An organization is unknown (404).
    #[error("{0}")]
    NotFound(String),
    /// A parameter is malformed (400).
    #[error("{0}")]
    BadRequest(String),
    /// A parameter is unknown, repeated, missing or malformed (400, naming it).
    #[error(transparent)]
    Parameter(#[from] ParamError),
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
            Self::BadRequest(_) | Self::Parameter(_) => 400,
            Self::Unavailable { .. } => 503,
            Self::Internal(_) => 500,
        }
    }
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

    /// `GET /v1/relationships/{a}/{b}[?topic=]`: one topic, or a page of the pair's topics.
    pub async fn relationship(
        &self,
        req: &RelationshipRequest,
    ) -> Result<RelationshipAnswer, QueryError> {
        let (as_of, store) = self.prepare(&req.consistency()).await?;
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
        if req.cursor.is_some() && req.topic.is_some() {
            return Err(QueryError::BadRequest(
                "cursor: pages the topics of a pair, without topic; before pages the facts of one topic".into(),
            ));
        }
        let limit = checked_limit("limit", req.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
        let page = FactPage::new(as_of, req.before.as_deref(), limit as usize)
            .map_err(|e| QueryError::BadRequest(e.to_string()))?;
        if let Some(topic) = &req.topic {
            let key = PairTopic::new(a.clone(), b.clone(), topic.clone())
                .expect("distinct organizations");
            return Ok(RelationshipAnswer::One(relationships::view(
                &store,
                &key,
                &page.whole(),
            )?));
        }
        let after = req
            .cursor
            .as_deref()
            .map(|c| {
                read_cursor(c)
                    .and_then(|t| Slug::parse(&t).ok())
                    .ok_or_else(|| bad_cursor(c))
            })
            .transpose()?;
        let bounds = Bounds {
            limit: (MAX_FACTS_PER_ANSWER / limit).clamp(1, MAX_PAIR_TOPICS) as usize,
            max_scan: MAX_SCAN,
        };
        let (topics, last) =
            relationships::pair_views(&store, a, b, &page, after.as_ref(), bounds)?;
        Ok(RelationshipAnswer::Pair(PairView {
            organizations: [a.clone(), b.clone()],
            topics,
            next_cursor: last.as_deref().map(write_cursor),
        }))
    }

    /// `GET /v1/relationships?org=&topic=&status=`: a page of the relationships that match,
    /// with a status above `none` (or exactly `none` when asked for, which lists those with
    /// signals only), in pair-topic order.
    pub async fn relationships(
        &self,
        req: &RelationshipsRequest,
    ) -> Result<RelationshipList, QueryError> {
        let (as_of, store) = self.prepare(&req.consistency()).await?;
        let facts = checked_limit("facts", req.facts, DEFAULT_LIMIT, MAX_LIMIT)?;
        let limit = list_limit(req.limit, facts)?;
        let mut page = FactPage::new(as_of, None, facts as usize)
            .map_err(|e| QueryError::BadRequest(e.to_string()))?;
        page.ladder = req.ladder == Some(Flag::Yes);
        let listing = match (&req.org, &req.topic) {
            (Some(org), _) => {
                known(&store, org)?;
                Listing::Organization(org)
            }
            (None, Some(topic)) => Listing::Topic(topic),
            (None, None) => Listing::All,
        };
        let after = req
            .cursor
            .as_deref()
            .map(|c| {
                read_cursor(c)
                    .and_then(|k| PairTopic::parse_storage_key(&k))
                    .ok_or_else(|| bad_cursor(c))
            })
            .transpose()?;
        let wanted = |s: Status| match req.status {
            Some(w) => s == w,
            None => s != Status::None,
        };
        let bounds = Bounds {
            limit: limit as usize,
            max_scan: MAX_SCAN,
        };
        let keys = relationships::list_after(&store, listing, after.as_ref());
        let (relationships, last) = page_of(keys, bounds, PairTopic::storage_key, |key| {
            if req.topic.as_ref().is_some_and(|t| *t != key.topic) {
                return Ok(None);
            }
            if as_of.is_none() {
                // Without as_of the stored summary has the status: no fact is read for a
                // relationship that does not match.
                let status =
                    relationships::summary(&store, &key)?.map_or(Status::None, |s| s.status);
                if !wanted(status) {
                    return Ok(None);
                }
            }
            let view = relationships::view(&store, &key, &page)?;
            let has_facts = !view.events.is_empty() || !view.signals.is_empty();
            Ok((wanted(view.status) && has_facts).then_some(view))
        })?;
        Ok(RelationshipList {
            relationships,
            next_cursor: last.as_deref().map(write_cursor),
        })
    }

    /// `GET /v1/organizations/{id}`: its lists hold at most [`MAX_SCAN`] entries each
    /// (`truncated` says when one was cut).
    pub async fn organization(
        &self,
        req: &OrganizationRequest,
    ) -> Result<OrganizationView, QueryError> {
        let (as_of, store) = self.prepare(&req.consistency()).await?;
        let profile = organizations::profile(&store, &req.id)?
            .ok_or_else(|| not_found(&req.id))?
            .data;
        let mut cooperation = Vec::new();
        let mut truncated = false;
        let listing = Listing::Organization(&req.id);
        for (i, key) in relationships::list_after(&store, listing, None).enumerate() {
            if i == MAX_SCAN {
                truncated = true;
                break;
            }
            let key = key?;
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
        let ((supplier, customer, competitor), links_cut) =
            links::summaries(&store, &req.id, as_of, MAX_SCAN)?;
        let (people, people_cut) = organizations::people(&store, &req.id, MAX_SCAN)?;
        Ok(OrganizationView {
            id: profile.id,
            name: profile.name,
            aliases: profile.aliases,
            kind: profile.kind,
            parent: profile.parent,
            country: profile.country,
            people,
            relationships: RelationshipSummary {
                cooperation,
                supplier,
                customer,
                competitor,
            },
            truncated: truncated || links_cut || people_cut,
        })
    }

    /// `GET /v1/organizations?q=`: registered organizations whose id, name or an alias contains
    /// `q`, in id order, a page at a time.
    pub async fn organizations(
        &self,
        req: &OrganizationsRequest,
    ) -> Result<OrganizationList, QueryError> {
        let consistency = Consistency {
            as_of: None,
            min_sequence: req.min_sequence,
        };
        let (_, store) = self.prepare(&consistency).await?;
        let limit = checked_limit("limit", req.limit, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT)
            .map_err(|e| ParamError::invalid("limit", e.to_string()))?;
        let q = req.q.as_deref().map(str::trim).unwrap_or_default();
        if q.len() > MAX_SEARCH_BYTES {
            return Err(ParamError::invalid(
                "q",
                format!("q: at most {MAX_SEARCH_BYTES} bytes, got {}", q.len()),
            )
            .into());
        }
        let after = req
            .cursor
            .as_deref()
            .map(|c| {
                read_cursor(c)
                    .and_then(|t| Slug::parse(&t).ok())
                    .ok_or_else(|| ParamError::invalid("cursor", bad_cursor(c).to_string()))
            })
            .transpose()?;
        let bounds = Bounds {
            limit: limit as usize,
            max_scan: MAX_SCAN,
        };
        let (organizations, last) =
            organizations::search(&store, &q.to_lowercase(), after.as_ref(), bounds)?;
        Ok(OrganizationList {
            organizations,
            next_cursor: last.as_deref().map(write_cursor),
        })
    }

    /// `GET /v1/events/{id}/relationships`: the relationships an applied event is a fact of and
    /// the organizations whose timeline lists it (404 when it is not applied, or retracted).
    pub async fn event_places(&self, req: &EventPlacesRequest) -> Result<EventPlaces, QueryError> {
        let consistency = Consistency {
            as_of: None,
            min_sequence: req.min_sequence,
        };
        let (_, store) = self.prepare(&consistency).await?;
        places::places(&store, req.id)?
            .ok_or_else(|| QueryError::NotFound(format!("no applied event '{}'", req.id)))
    }

    /// `GET /v1/organizations/{id}/timeline`; with `meetings_only`, the meetings (held and
    /// scheduled) that name it.
    pub async fn timeline(
        &self,
        req: &TimelineRequest,
        meetings_only: bool,
    ) -> Result<TimelinePage, QueryError> {
        let (as_of, store) = self.prepare(&req.consistency()).await?;
        known(&store, &req.id)?;
        let bounds = page_bounds(req.limit)?;
        let (items, next_cursor) = timeline::page(
            &store,
            &req.id,
            req.cursor.as_deref(),
            as_of,
            meetings_only,
            bounds,
        )?
        .map_err(|e| QueryError::BadRequest(format!("cursor: {e}")))?;
        Ok(TimelinePage { items, next_cursor })
    }

    /// `GET /v1/meetings`: every meeting, held and scheduled, in time order, paged.
    pub async fn meetings(&self, req: &MeetingsRequest) -> Result<TimelinePage, QueryError> {
        let (as_of, store) = self.prepare(&req.consistency()).await?;
        let bounds = page_bounds(req.limit)?;
        let (items, next_cursor) =
            timeline::meetings(&store, req.cursor.as_deref(), as_of, bounds)?
                .map_err(|e| QueryError::BadRequest(format!("cursor: {e}")))?;
        Ok(TimelinePage { items, next_cursor })
    }
}

/// `limit` (named `name`) within `1..=max`, `default` when absent.
fn checked_limit(
    name: &str,
    limit: Option<u32>,
    default: u32,
    max: u32,
) -> Result<u32, QueryError> {
    match limit.unwrap_or(default) {
        0 => Err(QueryError::BadRequest(format!(
            "{name}: must be at least 1"
        ))),
        n if n > max => Err(QueryError::BadRequest(format!(
            "{name}: must be at most {max}, got {n}"
        ))),
        n => Ok(n),
    }
}

/// The bounds of a timeline or meetings page of `limit` events.
fn page_bounds(limit: Option<u32>) -> Result<Bounds, QueryError> {
    Ok(Bounds {
        limit: checked_limit("limit", limit, DEFAULT_LIMIT, MAX_LIMIT)? as usize,
        max_scan: MAX_SCAN,
    })
}

/// The page size of `GET /v1/relationships` listing `facts` facts per relationship: at most
/// [`MAX_FACTS_PER_ANSWER`] facts in all (the default page shrinks to fit; a `limit` that does
/// not fit is refused).
fn list_limit(limit: Option<u32>, facts: u32) -> Result<u32, QueryError> {
    let fits = (MAX_FACTS_PER_ANSWER / facts).max(1);
    let Some(n) = limit else {
        return Ok(DEFAULT_LIST_LIMIT.min(fits));
    };
    let n = checked_limit("limit", Some(n), DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT)?;
    if n > fits {
        return Err(QueryError::BadRequest(format!(
            "limit: {n} relationships of {facts} facts each exceed {MAX_FACTS_PER_ANSWER} facts per answer; \
             ask for at most {fits} (or fewer facts)"
        )));
    }
    Ok(n)
}

/// A cursor over keys that are text (pair-topics, topics): the text, hex-encoded, so that it
/// reads as opaque and travels in a URL as is.
fn write_cursor(key: &str) -> String {
    hex::encode(key)
}

fn read_cursor(cursor: &str) -> Option<String> {
    String::from_utf8(hex::decode(cursor).ok()?).ok()
}

fn bad_cursor(cursor: &str) -> QueryError {
    QueryError::BadRequest(format!(
        "cursor: {cursor:?} is not a cursor from a previous page"
    ))
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
