//! Writing rule events to the log from an HTTP request: wait until this instance has applied
//! the log as it stands (so a rule is checked against everything appended before it), append
//! the event, and wait until it is applied (so a read right after the answer shows it).

use chrono::{DateTime, Utc};
use liaison_log::{Outcome, OutgoingEvent};
use liaison_proto::alert::NOTIFIER_SOURCE;
use liaison_proto::{ClientEvent, Envelope};
use liaison_runtime::Problem;

use super::ApiState;

/// Waits until this instance applied the whole log as it is now, so that a rule is checked
/// against every organization and rule appended before the request.
pub(super) async fn catch_up(state: &ApiState) -> Result<(), Problem> {
    let last = liaison_log::last_sequence(&state.js)
        .await
        .map_err(|e| Problem::unavailable(format!("the log cannot be reached: {e}"), Some(1)))?;
    if state.follower.wait_applied(last, state.apply_timeout).await {
        Ok(())
    } else {
        Err(Problem::unavailable(
            format!("the notifier has not applied the log up to {last} yet"),
            Some(1),
        ))
    }
}

/// Appends a rule event (its id a fresh UUID v7, which is also the `Nats-Msg-Id`), with
/// `Nats-Expected-Last-Subject-Sequence` = `expected` when given, and waits until this instance
/// applied it; the log sequence, or `None` when the expectation failed (error 10071: another
/// event on the subject came first, nothing was appended).
pub(super) async fn append(
    state: &ApiState,
    event: ClientEvent,
    now: DateTime<Utc>,
    expected: Option<u64>,
) -> Result<Option<u64>, Problem> {
    let envelope = Envelope::record(event, NOTIFIER_SOURCE, now);
    let mut outgoing = OutgoingEvent::new(
        envelope.subject(),
        envelope.id.to_string(),
        serde_json::to_vec(&envelope)
            .expect("events serialize")
            .into(),
    );
    outgoing.expected_last_subject_sequence = expected;
    let appended = match state.appender.append(outgoing).await {
        Ok(appended) => appended,
        Err(e) if e.is_wrong_last_sequence() => return Ok(None),
        Err(e) => {
            tracing::warn!(error = %e, "appending a rule event failed");
            // Only a known outcome may say that nothing was appended
            // (docs/decisions/020-unknown-outcomes.md).
            return Err(match e.outcome() {
                Outcome::Unknown => Problem::unavailable(
                    format!(
                        "the log did not settle the rule event ({e}); it may or may not have \
                         been appended — read the rules before trying again"
                    ),
                    Some(1),
                ),
                Outcome::NotAppended => Problem::unavailable(
                    format!("the log cannot take the rule event now ({e}); nothing was appended"),
                    Some(1),
                ),
                Outcome::Refused(_) | Outcome::AlreadyAppended => Problem::internal(format!(
                    "the log refused the rule event: {e}; nothing was appended"
                )),
            });
        }
    };
    state.follower.observe_log_sequence(appended.sequence);
    if !state
        .follower
        .wait_applied(appended.sequence, state.apply_timeout)
        .await
    {
        return Err(Problem::unavailable(
            format!(
                "the rule was appended at sequence {} but is not applied yet; retry the read later",
                appended.sequence
            ),
            Some(1),
        ));
    }
    Ok(Some(appended.sequence))
}
