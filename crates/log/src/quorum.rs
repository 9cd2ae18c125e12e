//! Whether a replicated stream can take writes, from what its leader says about its replicas.
//!
//! When two of three nodes are gone, the survivor may go on answering `STREAM.INFO` as the
//! stream's leader for a long while — stalled, committing nothing — so an answered poll does not
//! mean a working log. The answer's cluster section tells: a leader that reaches fewer current
//! replicas than a quorum (itself included) cannot append, and a stream with no leader cannot
//! either. The follower treats such an answer as the log not answering, so that `/readyz` says
//! why (docs/decisions/022-the-cluster.md).

use async_nats::jetstream::stream::ClusterInfo;

/// Why a stream of `replicas` replicas has no working quorum, from its `cluster` section; `None`
/// when it has one, or when it is not replicated (one replica, or no cluster section: one server).
pub fn quorum_lost(replicas: usize, cluster: Option<&ClusterInfo>) -> Option<String> {
    let cluster = cluster?;
    if replicas <= 1 {
        return None;
    }
    let Some(leader) = cluster.leader.as_deref() else {
        return Some("the stream has no leader".to_owned());
    };
    let current = cluster
        .replicas
        .iter()
        .filter(|peer| peer.current && !peer.offline)
        .count();
    let needed = replicas / 2 + 1;
    (1 + current < needed).then(|| {
        format!(
            "the stream's leader {leader} reaches {current} of its {} other replicas, a quorum \
             needs {}",
            replicas - 1,
            needed - 1
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(json: serde_json::Value) -> ClusterInfo {
        serde_json::from_value(json).expect("a cluster section")
    }

    fn peer(name: &str, current: bool, offline: bool) -> serde_json::Value {
        serde_json::json!({"name": name, "current": current, "active": 1_000_000, "offline": offline})
    }

    #[test]
    fn a_leader_with_a_current_replica_has_its_quorum() {
        let c = cluster(serde_json::json!({
            "name": "liaison", "leader": "n1",
            "replicas": [peer("n2", true, false), peer("n3", false, true)],
        }));
        assert_eq!(quorum_lost(3, Some(&c)), None);
    }

    #[test]
    fn a_leader_alone_has_none() {
        let c = cluster(serde_json::json!({
            "name": "liaison", "leader": "n1",
            "replicas": [peer("n2", false, true), peer("n3", true, true)],
        }));
        let why = quorum_lost(3, Some(&c)).expect("no quorum");
        assert!(
            why.contains("n1 reaches 0 of its 2 other replicas"),
            "{why}"
        );
    }

    #[test]
    fn no_leader_is_no_quorum() {
        let c = cluster(serde_json::json!({"name": "liaison", "replicas": []}));
        assert_eq!(
            quorum_lost(3, Some(&c)).as_deref(),
            Some("the stream has no leader")
        );
    }

    #[test]
    fn one_server_or_one_replica_is_never_a_lost_quorum() {
        assert_eq!(quorum_lost(3, None), None);
        let c = cluster(serde_json::json!({"leader": "n1", "replicas": []}));
        assert_eq!(quorum_lost(1, Some(&c)), None);
    }
}
