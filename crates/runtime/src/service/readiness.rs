//! The one readiness rule: a service is ready when NATS is connected, each of its followers (of
//! the log, and of a stream of its own if it has one) is following the stream it was built from,
//! within `--ready-max-lag` entries of its end, and every check the service added passes.

use liaison_log::Follower;

use crate::http::Check;

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
