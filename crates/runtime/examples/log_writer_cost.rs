//! What a log line costs the thread that logs: `tracing-subscriber`'s text format writing to
//! stderr directly, against the same format through [`LossyWriter`] (the services' writer).
//!
//! Run it with stderr where a service's would be, e.g.
//! `cargo run --release -p liaison-runtime --example log_writer_cost 2>/dev/null` or
//! `… 2>&1 >/dev/tty | cat >/dev/null` (a pipe that is read). It prints, per writer, the time the
//! logging thread spent per line and the time until every line was written.

use std::time::{Duration, Instant};

use liaison_runtime::telemetry::LossyWriter;
use tracing_subscriber::fmt::MakeWriter;

const LINES: u32 = 200_000;

fn log_lines() {
    for i in 0..LINES {
        tracing::info!(
            sequence = i,
            organization = "lg-electronics",
            "applied a batch of the log"
        );
    }
}

/// Logs [`LINES`] lines through `writer`; `finish` waits until they are written and says what
/// was lost.
fn measure<W>(name: &str, writer: W, finish: impl Fn() -> String)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .finish();
    let started = Instant::now();
    tracing::subscriber::with_default(subscriber, log_lines);
    let logged = started.elapsed();
    let lost = finish();
    let written = started.elapsed();
    let per_line = |d: Duration| d.as_secs_f64() * 1e9 / f64::from(LINES);
    println!(
        "{name:>14}: {:>6.0} ns/line in the logging thread, {:>6.0} ns/line until written{lost}",
        per_line(logged),
        per_line(written)
    );
}

fn main() {
    for _ in 0..2 {
        measure("stderr direct", std::io::stderr, String::new);
        let lossy = LossyWriter::stderr().expect("the writer thread");
        let flusher = lossy.clone();
        measure("lossy queue", lossy, move || {
            assert!(
                flusher.flush(Duration::from_secs(60)),
                "the output took the lines"
            );
            format!(", {} of {LINES} dropped", flusher.dropped_lines())
        });
    }
}
