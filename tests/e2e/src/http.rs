//! The HTTP calls of the end-to-end tests that must ride out a moment of unavailability: a `503`
//! (or no answer) is retried after its `Retry-After`, bounded, as the contract tells clients to.

use std::time::{Duration, Instant};

use serde_json::Value;

/// How long a call is retried through `503`s and lost answers.
const RETRY_FOR: Duration = Duration::from_secs(60);

/// `GET {base}{path}`: the status and the JSON answer, once it is not `503` (a `min_sequence`
/// wait that ran out, a service catching up) or [`RETRY_FOR`] ran out.
pub async fn query(http: &reqwest::Client, base: &str, path: &str) -> (u16, Value) {
    let deadline = Instant::now() + RETRY_FOR;
    loop {
        let (status, retry_after, body) = once(http.get(format!("{base}{path}"))).await;
        match status {
            Some(503) | None if Instant::now() < deadline => {
                tokio::time::sleep(retry_after).await;
            }
            Some(status) => return (status, body),
            None => panic!("GET {base}{path}: no answer within {RETRY_FOR:?}: {body}"),
        }
    }
}

/// `POST url` with `body` until it is answered `200` or `201`; panics on another answer or
/// after [`RETRY_FOR`].
pub async fn post_until_accepted(http: &reqwest::Client, url: &str, body: &Value) -> Value {
    let deadline = Instant::now() + RETRY_FOR;
    loop {
        let (status, retry_after, answer) = once(http.post(url).json(body)).await;
        match status {
            Some(200 | 201) => return answer,
            Some(503) | None if Instant::now() < deadline => {
                tokio::time::sleep(retry_after).await;
            }
            _ => panic!("POST {url} answered {status:?}: {answer}"),
        }
    }
}

/// Sends `request`: the status (`None` without an answer), how long to wait before a retry, and
/// the JSON answer (or the error).
pub async fn once(request: reqwest::RequestBuilder) -> (Option<u16>, Duration, Value) {
    match request.timeout(Duration::from_secs(15)).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .map_or(Duration::from_millis(200), |s| {
                    Duration::from_secs(s.clamp(1, 5))
                });
            let body = response.json::<Value>().await.unwrap_or(Value::Null);
            (Some(status), retry_after, body)
        }
        Err(e) => (
            None,
            Duration::from_millis(200),
            Value::String(e.to_string()),
        ),
    }
}
