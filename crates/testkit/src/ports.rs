//! Loopback ports for the stack's servers.
//!
//! The OS hands out an unused port when binding to port 0; the listener is closed right away so
//! the server can bind it. Another process may grab the port in between, so starting a server
//! on free ports retries with fresh ones when it fails to bind. A port bound by a running server
//! is never handed out again, but ports chosen one after the other and not yet bound can repeat:
//! processes started together take theirs from one [`free_ports`] call.

use std::net::{SocketAddr, TcpListener};

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("no free loopback port")
}

/// `count` distinct TCP ports on 127.0.0.1 that were free a moment ago: every listener is held
/// until all are chosen, so the OS cannot hand the same port out twice (a cluster's nine ports
/// must differ; one taken twice makes a node exit at start).
pub fn free_ports(count: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..count)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("no free loopback port"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("a bound listener's address").port())
        .collect()
}

/// `127.0.0.1:<a free port>`.
pub fn free_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], free_port()))
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

/// Whether `addr` can be listened on now (nothing holds it).
pub fn is_free(addr: SocketAddr) -> bool {
    TcpListener::bind(addr).is_ok()
}
