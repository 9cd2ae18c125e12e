//! The limits of `HttpServer` against real sockets: slow request heads, idle keep-alive
//! connections, hanging handlers, more requests or connections than the caps, event streams and
//! graceful shutdown. Each test runs its own server on port 0 with limits made short for it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::response::sse::{Event, Sse};
use axum::routing::get;
use futures::StreamExt;
use liaison_runtime::http::{self, Check, HttpLimits, HttpServer, RouteTimeout};
use liaison_runtime::problem::PROBLEM_JSON;
use liaison_runtime::shutdown::Shutdown;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// A generous bound on "it happens": far above every limit set in these tests.
const PATIENCE: Duration = Duration::from_secs(15);

struct Server {
    address: SocketAddr,
    base: String,
    shutdown: Shutdown,
    task: JoinHandle<()>,
}

async fn serve(app: Router, limits: HttpLimits, grace: Duration) -> Server {
    let router = http::service_router(app, || vec![Check::pass("test", "ok")]);
    let server = HttpServer::build(SocketAddr::from(([127, 0, 0, 1], 0)), router)
        .await
        .expect("bind port 0")
        .with_limits(limits)
        .with_grace_period(grace);
    let address = server.address();
    let shutdown = Shutdown::new();
    let stop = shutdown.clone();
    let task = tokio::spawn(async move { server.run_until_stopped(stop).await.unwrap() });
    Server {
        address,
        base: format!("http://{address}"),
        shutdown,
        task,
    }
}

impl Server {
    /// Triggers shutdown and waits (boundedly) for the server to return.
    async fn stop(self) {
        self.shutdown.trigger();
        tokio::time::timeout(PATIENCE, self.task)
            .await
            .expect("the server stops")
            .expect("the server task does not panic");
    }
}

/// Reads one HTTP/1.1 response with a `content-length` body from `stream`; `None` when the
/// connection ends (or fails) before a whole response arrived.
async fn read_response(stream: &mut TcpStream) -> Option<String> {
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if received.len() >= end + 4 + length {
                return Some(String::from_utf8_lossy(&received[..end + 4 + length]).into_owned());
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Whether the server closed `stream`: a read sees the end (or a reset) within [`PATIENCE`].
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut chunk = [0u8; 1024];
    matches!(
        tokio::time::timeout(PATIENCE, stream.read(&mut chunk)).await,
        Ok(Ok(0) | Err(_))
    )
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nhost: test\r\n\r\n";

#[tokio::test]
async fn a_request_head_sent_a_byte_every_200_ms_is_cut_off_at_the_header_timeout() {
    let limits = HttpLimits {
        header_read_timeout: Duration::from_secs(1),
        ..HttpLimits::default()
    };
    let server = serve(Router::new(), limits, Duration::from_secs(1)).await;
    let stream = TcpStream::connect(server.address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let answer = tokio::spawn(async move {
        let mut got = Vec::new();
        let _ = tokio::time::timeout(PATIENCE, reader.read_to_end(&mut got)).await;
        got
    });
    // 38 bytes at 5 bytes/s would take 7.6 s; the server must hang up after about 1 s.
    let mut sent = 0;
    for byte in HEALTHZ {
        if answer.is_finished() || writer.write_all(&[*byte]).await.is_err() {
            break;
        }
        sent += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let got = answer.await.unwrap();
    assert!(
        sent < HEALTHZ.len(),
        "the whole head ({sent} bytes) went through: the slow client was never cut off"
    );
    assert!(
        !String::from_utf8_lossy(&got).contains(" 200 "),
        "a cut-off client got an answer: {}",
        String::from_utf8_lossy(&got)
    );
    server.stop().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let limits = HttpLimits {
        header_read_timeout: Duration::from_millis(500),
        ..HttpLimits::default()
    };
    let server = serve(Router::new(), limits, Duration::from_secs(1)).await;
    let mut stream = TcpStream::connect(server.address).await.unwrap();
    stream.write_all(HEALTHZ).await.unwrap();
    let response = read_response(&mut stream).await.expect("an answer");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        !response.to_lowercase().contains("connection: close"),
        "the connection must have been kept alive first: {response}"
    );
    // Then nothing: the server hangs up on the idle connection.
    assert!(
        closed_by_server(&mut stream).await,
        "the idle connection stayed open"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_hanging_handler_answers_a_timeout_problem_and_a_route_can_take_longer() {
    let limits = HttpLimits {
        request_timeout: Duration::from_millis(300),
        ..HttpLimits::default()
    };
    let app = Router::new()
        .route("/hang", get(futures::future::pending::<&'static str>))
        .route(
            "/rebuild",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(900)).await;
                "rebuilt"
            })
            .layer(RouteTimeout::new(Duration::from_secs(60))),
        );
    let server = serve(app, limits, Duration::from_secs(1)).await;
    let client = reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .unwrap();

    let response = client
        .get(format!("{}/hang", server.base))
        .send()
        .await
        .expect("the hanging route answers");
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["content-type"], PROBLEM_JSON);
    assert_eq!(response.headers()["retry-after"], "1");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 503);
    assert!(
        problem["detail"].as_str().unwrap().contains("300ms"),
        "the detail names the limit: {problem}"
    );

    let response = client
        .get(format!("{}/rebuild", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        200,
        "RouteTimeout gives the route longer"
    );
    assert_eq!(response.text().await.unwrap(), "rebuilt");
    server.stop().await;
}

/// A route that counts the requests inside it and holds them until the gate opens.
fn holding_app(inside: Arc<AtomicUsize>, gate: Arc<Semaphore>) -> Router {
    Router::new().route(
        "/hold",
        get(move || {
            let (inside, gate) = (inside.clone(), gate.clone());
            async move {
                inside.fetch_add(1, Ordering::SeqCst);
                let _pass = gate.acquire().await.unwrap();
                "held"
            }
        }),
    )
}

#[tokio::test]
async fn requests_beyond_the_cap_are_shed_at_once_while_health_answers() {
    const CAP: usize = 3;
    let limits = HttpLimits {
        max_concurrent_requests: CAP,
        ..HttpLimits::default()
    };
    let inside = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(Semaphore::new(0));
    let server = serve(
        holding_app(inside.clone(), gate.clone()),
        limits,
        Duration::from_secs(1),
    )
    .await;
    let client = reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .unwrap();
    let url = format!("{}/hold", server.base);
    let held: Vec<_> = (0..CAP)
        .map(|_| tokio::spawn(client.get(&url).send()))
        .collect();
    tokio::time::timeout(PATIENCE, async {
        while inside.load(Ordering::SeqCst) < CAP {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the first requests reach the handler");

    // The cap is reached: one more is refused at once, with a problem and Retry-After.
    let shed = client.get(&url).send().await.unwrap();
    assert_eq!(shed.status(), 503);
    assert_eq!(shed.headers()["content-type"], PROBLEM_JSON);
    assert_eq!(shed.headers()["retry-after"], "1");
    assert_eq!(
        inside.load(Ordering::SeqCst),
        CAP,
        "the shed request never reached the handler"
    );
    for path in ["/healthz", "/readyz", "/metrics"] {
        let r = client
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path} answers under load");
    }
    let metrics = client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(http::REQUESTS_SHED_TOTAL),
        "shed requests are counted: {metrics}"
    );

    gate.add_permits(CAP);
    for request in held {
        let response = request.await.unwrap().unwrap();
        assert_eq!(response.status(), 200, "the admitted requests complete");
    }
    server.stop().await;
}

#[tokio::test]
async fn connections_beyond_the_cap_are_refused_and_the_cap_frees_up() {
    const CAP: usize = 2;
    let limits = HttpLimits {
        max_connections: CAP,
        ..HttpLimits::default()
    };
    let server = serve(Router::new(), limits, Duration::from_secs(1)).await;
    let mut open = Vec::new();
    for _ in 0..CAP {
        let mut stream = TcpStream::connect(server.address).await.unwrap();
        // A full exchange proves the server took the connection; keep-alive keeps it open.
        stream.write_all(HEALTHZ).await.unwrap();
        let response = read_response(&mut stream).await.expect("an answer");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        open.push(stream);
    }

    let mut extra = TcpStream::connect(server.address).await.unwrap();
    let _ = extra.write_all(HEALTHZ).await;
    match read_response(&mut extra).await {
        None => {} // closed (or reset) without an answer: refused
        Some(response) => {
            assert!(
                response.starts_with("HTTP/1.1 503"),
                "a connection over the cap was served: {response}"
            );
            assert!(response.contains(PROBLEM_JSON), "{response}");
            assert!(closed_by_server(&mut extra).await, "and then closed");
        }
    }

    drop(open.pop());
    let served_again = tokio::time::timeout(PATIENCE, async {
        loop {
            let mut stream = TcpStream::connect(server.address).await.unwrap();
            if stream.write_all(HEALTHZ).await.is_ok()
                && let Some(response) = read_response(&mut stream).await
                && response.starts_with("HTTP/1.1 200")
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        served_again.is_ok(),
        "a closed connection gives its place back"
    );
    server.stop().await;
}

#[tokio::test]
async fn graceful_shutdown_lets_a_request_in_flight_finish_and_stops_accepting() {
    let inside = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(Semaphore::new(0));
    let server = serve(
        holding_app(inside.clone(), gate.clone()),
        HttpLimits::default(),
        Duration::from_secs(30),
    )
    .await;
    let client = reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .unwrap();
    let request = tokio::spawn(client.get(format!("{}/hold", server.base)).send());
    tokio::time::timeout(PATIENCE, async {
        while inside.load(Ordering::SeqCst) < 1 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the request reaches the handler");

    server.shutdown.trigger();
    tokio::time::timeout(PATIENCE, async {
        while TcpStream::connect(server.address).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the server stops accepting once shutdown is requested");
    assert!(
        !server.task.is_finished(),
        "it waits for the request in flight"
    );

    gate.add_permits(1);
    let response = request
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "held");
    server.stop().await;
}

#[tokio::test]
async fn an_event_stream_outlives_the_request_timeout_and_ends_at_shutdown() {
    let limits = HttpLimits {
        request_timeout: Duration::from_millis(200),
        ..HttpLimits::default()
    };
    let app = Router::new().route(
        "/stream",
        get(|| async {
            let ticks = futures::stream::unfold(0u32, |n| async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Some((
                    Ok::<_, std::convert::Infallible>(Event::default().data(n.to_string())),
                    n + 1,
                ))
            });
            Sse::new(ticks)
        }),
    );
    // A grace far beyond PATIENCE: the server may only return in time if the stream ends.
    let server = serve(app, limits, Duration::from_secs(600)).await;
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{}/stream", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.bytes_stream();
    let mut events = 0;
    // Ten events at 100 ms take five times the request timeout.
    while events < 10 {
        let chunk = tokio::time::timeout(PATIENCE, body.next())
            .await
            .expect("the stream goes on")
            .expect("the stream is not over")
            .expect("the stream does not fail");
        events += String::from_utf8_lossy(&chunk).matches("data:").count();
    }

    server.shutdown.trigger();
    let ended = tokio::time::timeout(PATIENCE, async {
        while let Some(Ok(_)) = body.next().await {}
    })
    .await;
    assert!(
        ended.is_ok(),
        "the event stream ends once shutdown is requested"
    );
    server.stop().await;
}
