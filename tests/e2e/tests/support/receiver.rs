//! A webhook receiver on `127.0.0.1` that counts every call by its `webhook-id` (the alert id,
//! the same on every retry), so that a test can tell each alert was delivered once in effect.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};

/// Calls received, by `webhook-id`.
type Calls = Arc<Mutex<HashMap<String, usize>>>;

/// The receiver; it stops with the test's runtime.
pub struct Receiver {
    /// `http://127.0.0.1:<port>/hook`.
    pub url: String,
    calls: Calls,
}

impl Receiver {
    /// Starts the receiver on a free port; every call is answered `204`.
    pub async fn start() -> Self {
        let calls = Calls::default();
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(calls.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let url = format!("http://{}/hook", listener.local_addr().expect("bound"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("the receiver") });
        Receiver { url, calls }
    }

    /// The calls so far, by alert id.
    pub fn calls(&self) -> HashMap<String, usize> {
        self.calls.lock().expect("the calls").clone()
    }
}

async fn receive(
    axum::extract::State(calls): axum::extract::State<Calls>,
    headers: HeaderMap,
) -> StatusCode {
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(none)")
        .to_owned();
    *calls.lock().expect("the calls").entry(id).or_default() += 1;
    StatusCode::NO_CONTENT
}
