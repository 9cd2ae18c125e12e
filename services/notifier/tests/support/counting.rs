//! A receiver that counts every request it gets, on any path, and answers as it is told: a
//! status, a redirect, or nothing for a while. It shows that a refused webhook reached nothing
//! and that a redirect was not followed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// How a [`CountingReceiver`] answers.
#[derive(Debug, Clone)]
pub enum Answer {
    /// With this status.
    Status(u16),
    /// `302 Found` to this location.
    RedirectTo(String),
    /// `204` after this long.
    After(Duration),
}

/// A receiver on `127.0.0.1` that counts requests.
#[derive(Clone)]
pub struct CountingReceiver {
    pub addr: SocketAddr,
    requests: Arc<AtomicUsize>,
}

impl CountingReceiver {
    pub async fn start(answer: Answer) -> Self {
        let requests = Arc::new(AtomicUsize::new(0));
        let app = axum::Router::new()
            .fallback(receive)
            .with_state((requests.clone(), answer));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, requests }
    }

    /// `http://127.0.0.1:<port>/hook`.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Requests received so far, on any path.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn receive(State((requests, answer)): State<(Arc<AtomicUsize>, Answer)>) -> Response {
    requests.fetch_add(1, Ordering::SeqCst);
    match answer {
        Answer::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Answer::RedirectTo(location) => {
            (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
        }
        Answer::After(delay) => {
            tokio::time::sleep(delay).await;
            StatusCode::NO_CONTENT.into_response()
        }
    }
}
