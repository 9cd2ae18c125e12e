//! Opening a service's sled database.
//!
//! Each service keeps its own sled database (0.34.7), derived from the log. sled needs an
//! explicit page-cache size (its default is small and not what we measured with), and it
//! locks its directory: a second process opening it gets an opaque I/O error. [`open_db`]
//! sets the cache, creates the directory, and turns the lock failure into an error that
//! says which service already uses which directory.

use std::path::{Path, PathBuf};

/// Why a database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// Another process (or another open in this one) holds the directory's lock.
    #[error(
        "another liaison-{service} is already using {}; stop it or pass another --data-dir",
        dir.display()
    )]
    Locked {
        /// The service name, as in `liaison-<service>`.
        service: String,
        /// The data directory.
        dir: PathBuf,
    },
    /// The directory could not be created.
    #[error("cannot create data directory {}: {source}", dir.display())]
    CreateDir {
        /// The data directory.
        dir: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// sled refused to open the database (corruption, permissions, incompatible version).
    #[error("cannot open the database in {}: {source}", dir.display())]
    Open {
        /// The data directory.
        dir: PathBuf,
        /// sled's error.
        source: sled::Error,
    },
}

/// How often sled forces its log to disk in the background: sled's own default, kept on
/// purpose and measured (bench, 200,000 events, projection catching up).
///
/// sled cannot evict a page it has not written, so the interval bounds how many dirty pages a
/// catching-up service holds: projection peak RSS 386 MiB at 200 ms, 408 at 500, 538 at 1 s,
/// 695 at 2 s, 1,626 at 30 s. The flush's fsync was suspected of the end-to-end latency tail
/// under `sync_interval: always`, but over repeated quick runs the p99 at 1,000 events/s
/// (7–26 ms) did not follow the interval. Every service's database is derived from the log,
/// so what a crash loses of it is replayed, never lost.
pub const FLUSH_EVERY_MS: u64 = 500;

/// The file beside a service's database that names the stored format of its data directory.
pub const FORMAT_FILE: &str = "liaison-format";

/// The stored format this version writes. A data directory of another format (or of none: from
/// before the marker) is emptied when opened, and the service rebuilds it from the log — every
/// service's state is derived from the log (docs/decisions/001-one-log.md).
/// 2: the applier of `liaison-log` keeps its checkpoint, the log's identity, the registered names
/// and the quarantine under its own prefix.
pub const FORMAT: &str = "2";

/// Opens (creating if needed) the sled database of `liaison-<service>` in `dir`, with a
/// page cache of `cache_mib` MiB; a directory of another stored format is emptied first.
///
/// The database uses sled's `HighThroughput` mode: services write small checkpointed
/// batches continuously and the data is rebuildable from the log, so speed wins over space.
pub fn open_db(dir: &Path, cache_mib: u64, service: &str) -> Result<sled::Db, StorageError> {
    open_db_with_segments(dir, cache_mib, service, SLED_SEGMENT_BYTES)
}

/// sled's own segment size (its log's files are written in segments of this size).
pub const SLED_SEGMENT_BYTES: usize = 512 * 1024;

/// [`open_db`], a new database getting log segments of `segment_bytes` (a power of two, at most
/// 16 MiB). sled refuses to open a database with another segment size than it was created with,
/// so an existing database keeps its own (read from the `conf` file sled keeps beside it).
pub fn open_db_with_segments(
    dir: &Path,
    cache_mib: u64,
    service: &str,
    segment_bytes: usize,
) -> Result<sled::Db, StorageError> {
    let create = |source| StorageError::CreateDir {
        dir: dir.to_owned(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(create)?;
    reset_other_format(dir).map_err(create)?;
    let segment_bytes = existing_segment_size(dir).unwrap_or(segment_bytes);
    let result = sled::Config::new()
        .path(dir)
        .cache_capacity(cache_mib.saturating_mul(1024 * 1024))
        .mode(sled::Mode::HighThroughput)
        .flush_every_ms(Some(FLUSH_EVERY_MS))
        .segment_size(segment_bytes)
        .open();
    match result {
        Ok(db) => {
            std::fs::write(dir.join(FORMAT_FILE), format!("{FORMAT}\n")).map_err(create)?;
            tracing::info!(dir = %dir.display(), cache_mib, "opened sled database");
            Ok(db)
        }
        Err(sled::Error::Io(ref e)) if e.to_string().contains("could not acquire lock") => {
            Err(StorageError::Locked {
                service: service.to_owned(),
                dir: dir.to_owned(),
            })
        }
        Err(source) => Err(StorageError::Open {
            dir: dir.to_owned(),
            source,
        }),
    }
}

/// The segment size of the database in `dir`, as sled's `conf` file records it (lines of text,
/// then a checksum in binary).
fn existing_segment_size(dir: &Path) -> Option<usize> {
    let conf = std::fs::read(dir.join("conf")).ok()?;
    String::from_utf8_lossy(&conf)
        .lines()
        .find_map(|line| line.strip_prefix("segment_size: "))?
        .trim()
        .parse()
        .ok()
}

/// Empties `dir` when it holds anything but a database of [`FORMAT`].
fn reset_other_format(dir: &Path) -> std::io::Result<()> {
    let marker = std::fs::read_to_string(dir.join(FORMAT_FILE)).ok();
    if marker.as_deref().map(str::trim) == Some(FORMAT) {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(dir)?.peekable();
    if entries.peek().is_none() {
        return Ok(());
    }
    tracing::warn!(dir = %dir.display(), found = ?marker, expected = FORMAT,
        "the data directory holds another stored format; emptying it to rebuild from the log");
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_keeps_the_segment_size_it_was_created_with() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("notifier");
        {
            let db = open_db_with_segments(&dir, 16, "notifier", 1 << 21).unwrap();
            db.insert(b"k", b"v").unwrap();
            db.flush().unwrap();
        }
        assert_eq!(existing_segment_size(&dir), Some(1 << 21));
        // Opened with another size (sled would refuse it), it keeps its own.
        let db = open_db(&dir, 16, "notifier").unwrap();
        assert_eq!(db.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
        drop(db);
        assert_eq!(existing_segment_size(&dir), Some(1 << 21));
    }

    #[test]
    fn opens_creates_and_persists() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("nested").join("ingest");
        {
            let db = open_db(&dir, 16, "ingest").unwrap();
            db.insert(b"k", b"v").unwrap();
            db.flush().unwrap();
        }
        let db = open_db(&dir, 16, "ingest").unwrap();
        assert_eq!(db.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
    }

    #[test]
    fn a_directory_of_another_format_is_emptied() {
        let tmp = tempfile::tempdir().unwrap();
        {
            let db = open_db(tmp.path(), 16, "ingest").unwrap();
            db.insert(b"k", b"v").unwrap();
            db.flush().unwrap();
        }
        std::fs::write(tmp.path().join(FORMAT_FILE), "1\n").unwrap();
        let db = open_db(tmp.path(), 16, "ingest").unwrap();
        assert_eq!(db.get(b"k").unwrap(), None, "rebuilt from nothing");
        assert_eq!(
            std::fs::read_to_string(tmp.path().join(FORMAT_FILE)).unwrap(),
            format!("{FORMAT}\n")
        );
    }

    #[test]
    fn a_second_open_names_the_service_and_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let _db = open_db(tmp.path(), 16, "projection").unwrap();
        let err = open_db(tmp.path(), 16, "projection").unwrap_err();
        assert!(matches!(err, StorageError::Locked { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "another liaison-projection is already using {}",
                tmp.path().display()
            )),
            "{message}"
        );
    }
}
