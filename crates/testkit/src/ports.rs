//! Loopback ports for the stack's servers.
//!
//! The OS hands out an unused port when binding to port 0; the listener is closed right away so
//! the server can bind it. Another process may grab the port in between, so starting a server
//! on free ports retries with fresh ones when it fails to bind.

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

/// Whether `addr` can be listened on now (nothing holds it).
pub fn is_free(addr: SocketAddr) -> bool {
    TcpListener::bind(addr).is_ok()
}
