//! What the command-line tests share: running the `liaison` binary while the services it talks to
//! run on the test's own async workers, and reading what a successful run printed.

use std::process::{Command, Output};

/// Runs `command` to its end on the blocking pool, so that the services the test runs in this
/// process keep answering it meanwhile.
pub async fn output(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// What `output` printed on stdout, once asserted that the run succeeded (its stderr otherwise).
#[allow(dead_code)] // not every test binary that includes this module reads stdout this way
pub fn succeeded(output: &Output) -> &[u8] {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    &output.stdout
}

/// The settings every in-process service of these tests shares: NATS at `nats`, its data in
/// `dir`, a free port, a small sled cache.
#[allow(dead_code)] // not every test binary that includes this module runs services in-process
pub fn common(nats: &str, dir: &std::path::Path) -> liaison_runtime::config::CommonArgs {
    liaison_runtime::config::CommonArgs {
        nats_urls: vec![nats.to_owned()],
        data_dir: Some(dir.to_owned()),
        http_addr: Some("127.0.0.1:0".parse().unwrap()),
        sled_cache_mib: Some(16),
        ..liaison_runtime::config::CommonArgs::default()
    }
}

/// A nats-server with the log stream, and a JetStream context on it.
#[allow(dead_code)]
pub async fn log_server() -> (liaison_testkit::NatsServer, async_nats::jetstream::Context) {
    let nats = liaison_testkit::NatsServer::start().await;
    let js = async_nats::jetstream::new(nats.client().await);
    liaison_log::ensure_events_stream(&js, &liaison_log::LogSettings::default())
        .await
        .unwrap();
    (nats, js)
}

/// Ingest in this process against `nats`, its data in `dir`, running until the returned signal
/// fires: its base URL once it is ready.
#[allow(dead_code)]
pub async fn start_ingest(
    nats: &str,
    dir: &std::path::Path,
) -> (String, liaison_runtime::shutdown::Shutdown) {
    use liaison_runtime::service::App;
    let ingest = App::<liaison_ingest::IngestService>::build(
        liaison_ingest::Config {
            common: common(nats, dir),
            ..liaison_ingest::Config::default()
        },
        liaison_runtime::shutdown::Shutdown::new(),
    )
    .await
    .unwrap();
    let url = format!("http://{}", ingest.address());
    let stop = ingest.shutdown_handle();
    tokio::spawn(ingest.run_until_stopped());
    ready(&url).await;
    (url, stop)
}

/// Waits until the service at `url` answers `/readyz` with 200 (30 s at most).
#[allow(dead_code)]
pub async fn ready(url: &str) {
    for _ in 0..300 {
        if let Ok(r) = reqwest::get(format!("{url}/readyz")).await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{url} not ready");
}
