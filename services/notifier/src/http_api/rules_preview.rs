//! `POST /v1/rules/preview`: which rules would fire for the transitions an event would cause (the
//! projection's `POST /v1/preview` answers them), matched by the same pure [`fires`] the
//! notifier applies to the log, over the rules in force now. Nothing is stored or delivered.
//! A read of the rules, so it is behind the rules' confidential scope.

use axum::Json;
use axum::extract::State;
use liaison_proto::MAX_PAIR_TOPICS;
use liaison_proto::alert::new_partnership_rule;
use liaison_proto::events::RuleCreated;
use liaison_proto::preview::{RuleFiring, RulesPreview, RulesPreviewRequest};
use liaison_relations::{PairTopic, Transition};
use liaison_runtime::json_body::JsonBody;
use liaison_runtime::{FieldError, Problem};

use super::ApiState;
use crate::rules::{Cause, fires};

/// Answers the rules that would fire; a transition of one organization with itself, or more
/// than [`MAX_PAIR_TOPICS`] transitions, is a `422` naming it.
pub(super) async fn preview_rules(
    State(state): State<ApiState>,
    body: Result<JsonBody<RulesPreviewRequest>, Problem>,
) -> Result<Json<RulesPreview>, Problem> {
    let JsonBody(req) = body?;
    if req.transitions.len() > MAX_PAIR_TOPICS {
        return Err(Problem::unprocessable(vec![FieldError::new(
            "/transitions",
            format!("at most {MAX_PAIR_TOPICS} transitions (an event's pair-topics)"),
        )]));
    }
    let mut errors = Vec::new();
    let transitions: Vec<Transition> = req
        .transitions
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let key = PairTopic::new(t.a.clone(), t.b.clone(), t.topic.clone());
            if key.is_none() {
                errors.push(FieldError::new(
                    format!("/transitions/{i}/b"),
                    "a pair needs two distinct organizations",
                ));
            }
            Some(Transition {
                key: key?,
                before: t.before,
                after: t.after,
                cause_event_id: Default::default(),
                since: None,
                since_event: None,
            })
        })
        .collect();
    if !errors.is_empty() {
        return Err(Problem::unprocessable(errors));
    }
    let cause = Cause {
        event_type: req.event_type,
        factuality: req.factuality,
    };
    let builtin = new_partnership_rule();
    let stored = state.rules.snapshot();
    let rules: Vec<(&RuleCreated, bool)> = std::iter::once((&builtin, true))
        .chain(
            stored
                .values()
                .filter(|r| !r.deleted)
                .map(|r| (&r.rule, false)),
        )
        .collect();
    let mut firings = Vec::new();
    for (index, t) in transitions.iter().enumerate() {
        for (rule, builtin) in &rules {
            if fires(rule, cause, t) {
                firings.push(RuleFiring {
                    rule: rule.id.clone(),
                    name: rule.name.clone(),
                    builtin: *builtin,
                    transition: index,
                });
            }
        }
    }
    Ok(Json(RulesPreview { firings }))
}
