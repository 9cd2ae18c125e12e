//! The one readiness rule: a service is ready when NATS is connected, each of its followers (of
//! the log, and of a stream of its own if it has one) is following the stream it was built from,
//! within `--ready-max-lag` entries of its end, the stream answers, and every check the service
//! added passes.
//!
//! A log that stops answering — on a cluster, no stream leader or no quorum (two of three nodes
//! gone) — makes the service not ready, with the reason, once it has been silent for
//! [`LOG_SILENCE`]; what it applied keeps answering queries meanwhile
//! (docs/decisions/022-the-cluster.md).

use std::time::Duration;

use liaison_log::Follower;

use crate::http::Check;

/// How long the log may be silent before a service says it is not ready: longer than a leader
/// election in a healthy cluster takes (a few seconds at most), so that one does not flap.
pub const LOG_SILENCE: Duration = Duration::from_secs(3);

/// The `log` check of a follower: healthy, on the right log, and not too far behind.
pub fn log_check(follower: &Follower, max_lag: u64) -> Check {
    stream_check("log", follower, max_lag)
}

/// The check named `name` of the follower of a stream: healthy, on the right stream, and not too
/// far behind.
pub fn stream_check(name: &str, follower: &Follower, max_lag: u64) -> Check {
    let status = follower.status();
    let applied = follower.applied();
    if let Some(reason) = follower.wrong_log() {
        return Check::fail(name, format!("{reason} (applied {applied})"));
    }
    if let Some((silent, why)) = follower.log_unanswered()
        && silent >= LOG_SILENCE
    {
        return Check::fail(
            name,
            format!(
                "the log has not answered for {} s: no leader or no quorum in the NATS cluster, \
                 or NATS is away ({why}); applied {applied}, still answering from it",
                silent.as_secs()
            ),
        );
    }
    if !status.is_healthy() {
        return Check::fail(name, format!("{status} (applied {applied})"));
    }
    let quarantined = match follower.quarantined() {
        0 => String::new(),
        n => format!(", {n} quarantined since start"),
    };
    match follower.lag() {
        None => Check::fail(
            name,
            format!("the log's length is not known yet ({status}, applied {applied})"),
        ),
        Some(lag) if lag > max_lag => Check::fail(
            name,
            format!("applied {applied}, lag {lag} > {max_lag}{quarantined}"),
        ),
        Some(lag) => Check::pass(
            name,
            format!("applied {applied}, lag {lag} <= {max_lag}{quarantined}"),
        ),
    }
}
