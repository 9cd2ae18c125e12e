//! Deciding on candidates: accepting appends the candidate's event (or the reviewer's edit of
//! it) through ingest with the candidate's id as the event id — so accepting twice appends once
//! — preceded, in one atomic batch, by the registrations of organizations it names that another
//! pending candidate of the same article proposes; then the decisions are written to the
//! articles stream. Rejecting writes the decision with its reason. Each answers once the review
//! queue holds the decision.

use chrono::Utc;
use liaison_proto::EventType;
use liaison_proto::reader::{
    ArticlesEntry, CandidateState, CandidateView, Decision, MAX_REASON_BYTES,
};
use liaison_proto::validate_submission;
use liaison_runtime::{FieldError, Problem};
use serde_json::Value;
use uuid::Uuid;

use crate::ingest::IngestClient;
use crate::reading::publish_problem;
use crate::registry::RegistryModel;
use crate::review::store::CandidateRecord;
use crate::review::{Publisher, ReviewStore};

/// Accepts and rejects candidates.
#[derive(Debug, Clone)]
pub struct Decider {
    store: ReviewStore,
    registry: RegistryModel,
    ingest: IngestClient,
    publisher: Publisher,
}

/// A decision's answer: `200` with the candidate as it now stands.
pub type Decided = Result<CandidateView, Problem>;

impl Decider {
    /// The decider on `store`, appending through `ingest`, writing through `publisher`.
    pub fn new(
        store: ReviewStore,
        registry: RegistryModel,
        ingest: IngestClient,
        publisher: Publisher,
    ) -> Self {
        Self {
            store,
            registry,
            ingest,
            publisher,
        }
    }

    fn candidate(&self, id: Uuid) -> Result<CandidateRecord, Problem> {
        self.store
            .candidate(id)
            .map_err(|e| Problem::internal(format!("reading the review queue failed: {e}")))?
            .ok_or_else(|| Problem::not_found(format!("no candidate {id}")))
    }

    /// Accepts candidate `id` (as `state`: accepted or auto-accepted), with the reviewer's
    /// `edited` event if any.
    pub async fn accept(&self, id: Uuid, edited: Option<Value>, state: CandidateState) -> Decided {
        let record = self.candidate(id)?;
        if record.state().is_accepted() {
            return Ok(record.view());
        }
        let event = match edited {
            Some(event) => edited_event(event, id, &record.proposed.event)?,
            None => record.proposed.event.clone(),
        };
        let edited = (event != record.proposed.event).then(|| event.clone());
        let dependencies = self.dependencies(&record, &event)?;
        let mut batch: Vec<Value> = dependencies
            .iter()
            .map(|d| d.proposed.event.clone())
            .collect();
        batch.push(event);
        let answer = self.ingest.append(&batch).await?;
        let sequence_of = |id: Uuid| {
            answer
                .events
                .iter()
                .find(|e| e.id == id)
                .map(|e| e.sequence)
        };
        for dependency in &dependencies {
            self.write(
                dependency,
                Decision {
                    state,
                    reason: Some(format!("registered for candidate {id}")),
                    sequence: sequence_of(dependency.proposed.id),
                    edited: None,
                    at: Utc::now(),
                },
            )
            .await?;
        }
        self.write(
            &record,
            Decision {
                state,
                reason: None,
                sequence: sequence_of(id),
                edited,
                at: Utc::now(),
            },
        )
        .await?;
        Ok(self.candidate(id)?.view())
    }

    /// Rejects candidate `id` for `reason`. A candidate already accepted is a `409`: its event is
    /// in the log (retract it through ingest with `event.retracted`).
    pub async fn reject(&self, id: Uuid, reason: String) -> Decided {
        let reason = reason.trim().to_owned();
        if reason.is_empty() || reason.len() > MAX_REASON_BYTES {
            return Err(Problem::unprocessable(vec![FieldError::new(
                "/reason",
                format!("a reason of 1 to {MAX_REASON_BYTES} bytes is required"),
            )]));
        }
        let record = self.candidate(id)?;
        match record.state() {
            CandidateState::Rejected => return Ok(record.view()),
            s if s.is_accepted() => {
                return Err(Problem::conflict(format!(
                    "candidate {id} was {}: its event {id} is in the log; retract it through \
                     ingest (an event.retracted naming it) instead",
                    s.as_str()
                )));
            }
            _ => {}
        }
        self.write(
            &record,
            Decision {
                state: CandidateState::Rejected,
                reason: Some(reason),
                sequence: None,
                edited: None,
                at: Utc::now(),
            },
        )
        .await?;
        Ok(self.candidate(id)?.view())
    }

    async fn write(&self, record: &CandidateRecord, decision: Decision) -> Result<(), Problem> {
        let entry = ArticlesEntry::CandidateDecided {
            candidate_id: record.proposed.id,
            article_id: record.article_id,
            decision,
        };
        self.publisher
            .publish(&entry)
            .await
            .map(|_| ())
            .map_err(publish_problem)
    }

    /// The pending `organization.registered` candidates of the same article that register an
    /// organization `event` names and the log does not know yet, in the article's order.
    fn dependencies(
        &self,
        record: &CandidateRecord,
        event: &Value,
    ) -> Result<Vec<CandidateRecord>, Problem> {
        let named = organizations_named(event);
        if named.is_empty() || event_type(event) == Some(EventType::OrganizationRegistered) {
            return Ok(Vec::new());
        }
        let internal = |e: liaison_log::ApplyError| Problem::internal(e.to_string());
        let Some(article) = self.store.article(record.article_id).map_err(internal)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for id in article.candidates {
            let Some(other) = self.store.candidate(id).map_err(internal)? else {
                continue;
            };
            let registers = other
                .proposed
                .event
                .pointer("/data/id")
                .and_then(Value::as_str);
            if other.state() == CandidateState::Pending
                && event_type(&other.proposed.event) == Some(EventType::OrganizationRegistered)
                && let Some(org) = registers
                && named.iter().any(|n| n == org)
                && !self.registry.organization_known(org).map_err(internal)?
            {
                out.push(other);
            }
        }
        Ok(out)
    }
}

fn event_type(event: &Value) -> Option<EventType> {
    event
        .get("type")
        .and_then(Value::as_str)
        .and_then(|t| t.parse().ok())
}

/// The organization ids an event's data names (`organizations`, `organization`,
/// `counterpart`, `buyer`, `supplier`, `parent`, affiliations).
pub fn organizations_named(event: &Value) -> Vec<String> {
    let Some(data) = event.get("data") else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let mut add = |v: Option<&Value>| {
        if let Some(s) = v.and_then(Value::as_str)
            && !out.iter().any(|o| o == s)
        {
            out.push(s.to_owned());
        }
    };
    if let Some(list) = data.get("organizations").and_then(Value::as_array) {
        list.iter().for_each(|v| add(Some(v)));
    }
    for name in ["organization", "counterpart", "buyer", "supplier", "parent"] {
        add(data.get(name));
    }
    if let Some(list) = data.get("affiliations").and_then(Value::as_array) {
        list.iter().for_each(|a| add(a.get("organization")));
    }
    out
}

/// The reviewer's edit of candidate `id`'s event: one event, valid on its own, whose id is the
/// candidate's (it is set when absent), so that accepting it again appends it once; the
/// evidence of the `proposed` event is kept when the edit gives none.
fn edited_event(mut event: Value, id: Uuid, proposed: &Value) -> Result<Value, Problem> {
    let Some(object) = event.as_object_mut() else {
        return Err(Problem::unprocessable(vec![FieldError::new(
            "",
            "the edited event must be one event (a JSON object), as POST /v1/events takes it",
        )]));
    };
    match object.get("id") {
        None | Some(Value::Null) => {
            object.insert("id".to_owned(), Value::String(id.to_string()));
        }
        Some(Value::String(given)) if given == &id.to_string() => {}
        Some(_) => {
            return Err(Problem::unprocessable(vec![FieldError::new(
                "/id",
                format!("the event's id is the candidate's, {id}; leave it out or give that"),
            )]));
        }
    }
    if let (Some(data), Some(evidence)) = (
        event.get_mut("data").and_then(Value::as_object_mut),
        proposed.pointer("/data/evidence"),
    ) && !data.contains_key("evidence")
    {
        data.insert("evidence".to_owned(), evidence.clone());
    }
    validate_submission(&event).map_err(Problem::from_validation)?;
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_names_of_an_event() {
        let event = json!({"type": "procurement.planned", "data": {"buyer": "a", "supplier": "b",
            "item": "x"}});
        assert_eq!(organizations_named(&event), ["a", "b"]);
        let event = json!({"data": {"organizations": ["a", "b", "a"]}});
        assert_eq!(organizations_named(&event), ["a", "b"]);
    }

    #[test]
    fn an_edit_keeps_the_candidates_id() {
        let id = Uuid::from_u128(9);
        let event = json!({"type": "meeting.held", "time": "2024-03-04",
            "data": {"organizations": ["a", "b"]}});
        let proposed = json!({"data": {"evidence": {"quote": "q"}}});
        let edited = edited_event(event.clone(), id, &proposed).unwrap();
        assert_eq!(edited["id"], id.to_string());
        assert_eq!(edited["data"]["evidence"]["quote"], "q");
        let mut other = event;
        other["id"] = json!(Uuid::from_u128(1).to_string());
        assert_eq!(edited_event(other, id, &proposed).unwrap_err().status, 422);
        assert_eq!(
            edited_event(json!([1]), id, &proposed).unwrap_err().status,
            422
        );
    }
}
