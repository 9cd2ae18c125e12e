//! Loopback ports for the stack's servers.
//!
//! A port is chosen below the kernel's ephemeral range (`ip_local_port_range`, 32768–60999 by
//! default), where outgoing connections never take their local port: a node or service that is
//! stopped and started again on its port (fail-over and crash tests) cannot find it taken by a
//! client's connection in between, which ports handed out by binding port 0 — ephemeral ones —
//! could. Each candidate is bound to check that it is free; the listener is closed right away so
//! the server can bind it. Another process may grab the port in between, so starting a server on
//! free ports retries with fresh ones when it fails to bind. Ports are handed out from a
//! process-wide counter that starts at a random offset, so one process never hands out a port
//! twice before the range wraps, and two processes rarely meet; processes started together take
//! theirs from one [`free_ports`] call, which holds every listener until all are chosen.
//! docs/decisions/006-real-parts-in-tests.md.

use std::net::{SocketAddr, TcpListener};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The lowest port handed out: above the well-known ports and the shipped defaults (4222,
/// 6222–6224, 8080–8084, 8222–8224).
const LOWEST: u16 = 12_000;

/// The first port of the kernel's ephemeral range when it cannot be read.
const EPHEMERAL_DEFAULT: u16 = 32_768;

/// `count` distinct TCP ports on 127.0.0.1 that were free a moment ago: every listener is held
/// until all are chosen, so the same port is never handed out twice (a cluster's nine ports
/// must differ; one taken twice makes a node exit at start).
pub fn free_ports(count: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..count).map(|_| bind_free()).collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("a bound listener's address").port())
        .collect()
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    free_ports(1)[0]
}

/// `count` distinct `127.0.0.1:<a free port>` addresses (see [`free_ports`]): the addresses of
/// processes started together, which must not be handed the same port — the second would exit,
/// and a health check of its port would be answered by the first.
pub fn free_addrs(count: usize) -> Vec<SocketAddr> {
    free_ports(count)
        .into_iter()
        .map(|port| SocketAddr::from(([127, 0, 0, 1], port)))
        .collect()
}

/// `127.0.0.1:<a free port>`.
pub fn free_addr() -> SocketAddr {
    free_addrs(1)[0]
}

/// Whether `addr` can be listened on now (nothing holds it).
pub fn is_free(addr: SocketAddr) -> bool {
    TcpListener::bind(addr).is_ok()
}

/// A listener on the next free port below the ephemeral range; on an ephemeral port when that
/// range leaves no room below it (or every port there is taken).
fn bind_free() -> TcpListener {
    let (lowest, end) = (LOWEST, ephemeral_start());
    if end > lowest {
        let span = u32::from(end - lowest);
        for _ in 0..span {
            let port = lowest + (next() % span) as u16;
            if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)) {
                return listener;
            }
        }
    }
    TcpListener::bind("127.0.0.1:0").expect("no free loopback port")
}

/// The next value of the process-wide counter, which starts at a random offset.
fn next() -> u32 {
    static COUNTER: OnceLock<AtomicU32> = OnceLock::new();
    COUNTER
        .get_or_init(|| AtomicU32::new(rand::random()))
        .fetch_add(1, Ordering::Relaxed)
}

/// The first port of the kernel's ephemeral range.
fn ephemeral_start() -> u16 {
    static START: OnceLock<u16> = OnceLock::new();
    *START.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
            .ok()
            .and_then(|range| range.split_whitespace().next()?.parse().ok())
            .unwrap_or(EPHEMERAL_DEFAULT)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_are_distinct_and_below_the_ephemeral_range() {
        let mut ports = free_ports(300);
        assert!(
            ports
                .iter()
                .all(|p| (LOWEST..ephemeral_start()).contains(p)),
            "{ports:?}"
        );
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), 300);
    }
}
