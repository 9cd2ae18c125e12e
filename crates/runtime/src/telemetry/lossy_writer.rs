//! A log writer that never blocks, never fails and never panics the thread that logs.
//!
//! The thread that logs (a Tokio worker, the signal thread) only copies the formatted line into
//! a queue bounded in bytes ([`MAX_QUEUED_BYTES`]); one background thread writes the queue to
//! stderr. When stderr is a pipe nobody reads, only that thread blocks and new lines are dropped
//! (and counted); when it is closed, the writes fail and the lines are dropped. Either way the
//! process goes on and can stop.
//!
//! Why not `tracing-appender`'s `non_blocking` with `lossy(true)`, which does the same queueing:
//! its `WorkerGuard`, the only way to flush it, stops the writer thread when dropped, and when
//! its queue is full (exactly when the output is stuck) the drop reports with `println!`, which
//! panics on a closed stdout and blocks on a full one — the two cases this exists for. Here a
//! flush is a marker in the queue with a bounded wait for its acknowledgement
//! ([`LossyWriter::flush`]), and nothing writes anywhere but from the writer thread.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// The most log bytes waiting for the output; lines beyond it are dropped.
///
/// 4 MiB is minutes of a busy service's logs (its lines are a few hundred bytes) and a bound
/// on the memory a stuck output can take.
pub const MAX_QUEUED_BYTES: usize = 4 << 20;

/// The writer thread writes in batches of up to this many bytes (one `write` call each).
const BATCH_BYTES: usize = 64 << 10;

enum Message {
    Line(Vec<u8>),
    Flush(mpsc::Sender<()>),
}

#[derive(Debug, Default)]
struct Counters {
    queued_bytes: AtomicUsize,
    dropped_lines: AtomicU64,
}

/// A [`MakeWriter`] for `tracing-subscriber` that queues each formatted event for a background
/// thread (see the module documentation). Cloning it shares the queue.
#[derive(Debug, Clone)]
pub struct LossyWriter {
    queue: mpsc::Sender<Message>,
    counters: Arc<Counters>,
    limit: usize,
}

impl LossyWriter {
    /// A writer to stderr, with its writer thread.
    pub fn stderr() -> io::Result<Self> {
        Self::to(io::stderr(), MAX_QUEUED_BYTES)
    }

    /// A writer to `output`, queueing at most `limit` bytes; starts the writer thread.
    pub fn to(output: impl Write + Send + 'static, limit: usize) -> io::Result<Self> {
        let (queue, lines) = mpsc::channel();
        let counters = Arc::new(Counters::default());
        let shared = counters.clone();
        std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || write_lines(lines, output, &shared))?;
        Ok(Self {
            queue,
            counters,
            limit,
        })
    }

    /// Waits until every line queued before this call was handed to the output, for at most
    /// `timeout`; `false` when it was not (the output is stuck, or the thread is gone).
    pub fn flush(&self, timeout: Duration) -> bool {
        let (done, acknowledged) = mpsc::channel();
        if self.queue.send(Message::Flush(done)).is_err() {
            return false;
        }
        acknowledged.recv_timeout(timeout).is_ok()
    }

    /// How many lines were dropped since the start because the queue was full.
    pub fn dropped_lines(&self) -> u64 {
        self.counters.dropped_lines.load(Ordering::Relaxed)
    }

    /// Queues `line`, or drops it when the queue holds [`MAX_QUEUED_BYTES`] already.
    fn enqueue(&self, line: &[u8]) {
        let len = line.len();
        let before = self.counters.queued_bytes.fetch_add(len, Ordering::AcqRel);
        if before.saturating_add(len) > self.limit
            || self.queue.send(Message::Line(line.to_vec())).is_err()
        {
            self.counters.queued_bytes.fetch_sub(len, Ordering::AcqRel);
            self.counters.dropped_lines.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The writer handed to `tracing-subscriber` for one event; it formats the whole event and
/// writes it with one `write_all`, so one write is one line.
#[derive(Debug)]
pub struct QueuedLine<'a>(&'a LossyWriter);

impl Write for QueuedLine<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.enqueue(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LossyWriter {
    type Writer = QueuedLine<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        QueuedLine(self)
    }
}

/// The writer thread: batches queued lines into one write, ignores write errors (a closed
/// output loses the lines, nothing else), acknowledges flushes once what came before them is
/// written, and reports dropped lines through the log itself once the output takes lines again.
fn write_lines(lines: mpsc::Receiver<Message>, mut output: impl Write, counters: &Counters) {
    let mut batch = Vec::with_capacity(BATCH_BYTES);
    let mut reported_dropped = 0;
    while let Ok(first) = lines.recv() {
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Line(line) => batch.extend_from_slice(&line),
                Message::Flush(done) => flushes.push(done),
            }
            if batch.len() >= BATCH_BYTES {
                break;
            }
            next = lines.try_recv().ok();
        }
        if !batch.is_empty() {
            let _ = output.write_all(&batch).and_then(|()| output.flush());
            counters
                .queued_bytes
                .fetch_sub(batch.len(), Ordering::AcqRel);
            batch.clear();
        }
        for done in flushes {
            let _ = done.send(());
        }
        let dropped = counters.dropped_lines.load(Ordering::Relaxed);
        if dropped > reported_dropped {
            tracing::warn!(
                dropped = dropped - reported_dropped,
                "log lines were dropped: the log output did not take them in time"
            );
            reported_dropped = dropped;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// An output that blocks every write until it is opened, and records what it got.
    #[derive(Clone, Default)]
    struct Gate {
        open: Arc<(Mutex<bool>, std::sync::Condvar)>,
        written: Arc<Mutex<Vec<u8>>>,
    }

    impl Gate {
        fn open(&self) {
            *self.open.0.lock().unwrap() = true;
            self.open.1.notify_all();
        }
    }

    impl Write for Gate {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let (lock, opened) = &*self.open;
            let _open = opened
                .wait_while(lock.lock().unwrap(), |open| !*open)
                .unwrap();
            self.written.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// An output whose reader is gone.
    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }

        fn flush(&mut self) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }

    fn log(writer: &LossyWriter, line: &str) {
        writer.make_writer().write_all(line.as_bytes()).unwrap();
    }

    #[test]
    fn a_stuck_output_never_blocks_the_logger_and_drops_past_the_limit() {
        let gate = Gate::default();
        let writer = LossyWriter::to(gate.clone(), 100).unwrap();
        // The writer thread takes the first line and blocks in the output; the queue holds at
        // most 100 bytes behind it, the rest is dropped, and not one call blocks.
        for i in 0..1_000 {
            log(&writer, &format!("line {i:04} .......\n"));
        }
        assert!(
            writer.dropped_lines() >= 1_000 - 1 - 100 / 18,
            "dropped {}",
            writer.dropped_lines()
        );
        assert!(
            !writer.flush(Duration::from_millis(100)),
            "a stuck output cannot flush"
        );
        gate.open();
        assert!(writer.flush(Duration::from_secs(10)));
        let written = String::from_utf8(gate.written.lock().unwrap().clone()).unwrap();
        assert!(written.starts_with("line 0000"), "{written}");
        assert!(written.lines().count() <= 1 + 100 / 18, "{written}");
    }

    #[test]
    fn a_closed_output_loses_lines_and_nothing_else() {
        let writer = LossyWriter::to(Closed, MAX_QUEUED_BYTES).unwrap();
        for _ in 0..100 {
            log(&writer, "to nobody\n");
        }
        assert!(writer.flush(Duration::from_secs(10)));
        assert_eq!(
            writer.dropped_lines(),
            0,
            "dropped only when the queue is full"
        );
    }

    #[test]
    fn a_flush_waits_for_the_lines_before_it() {
        let gate = Gate::default();
        gate.open();
        let writer = LossyWriter::to(gate.clone(), MAX_QUEUED_BYTES).unwrap();
        for i in 0..500 {
            log(&writer, &format!("{i}\n"));
        }
        assert!(writer.flush(Duration::from_secs(10)));
        let written = String::from_utf8(gate.written.lock().unwrap().clone()).unwrap();
        let expected: String = (0..500).map(|i| format!("{i}\n")).collect();
        assert_eq!(written, expected);
    }
}
