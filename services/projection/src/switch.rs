//! Which database is live: `<data_dir>/CURRENT` names it (written by rename, so it switches
//! atomically on disk), and an in-process lock holds the open handle, so that a rebuild can
//! switch while queries keep reading the old one (a query holds its `Arc<Store>` to the end).
//!
//! sled allows one process per database directory: a second `liaison-projection` on the same
//! data directory fails at start with a clear error.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::store::{Store, StoreError};

/// The pointer file naming the live database directory.
pub const CURRENT: &str = "CURRENT";
/// The name of the first database directory.
pub const FIRST: &str = "db";

/// The live database and where its siblings go.
#[derive(Debug)]
pub struct StoreSwitch {
    data_dir: PathBuf,
    cache_mib: u64,
    current: RwLock<Arc<Store>>,
}

impl StoreSwitch {
    /// Opens the database that `CURRENT` names in `data_dir` (`db` when there is none) and
    /// deletes the leftovers of interrupted or finished rebuilds.
    pub fn open(data_dir: &Path, cache_mib: u64) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::Open(e.to_string()))?;
        let name = std::fs::read_to_string(data_dir.join(CURRENT))
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| FIRST.to_owned());
        let store = match Store::open(&data_dir.join(&name), cache_mib) {
            Err(e @ (StoreError::Format { .. } | StoreError::BodiesLost { .. })) => {
                // Derived state only (docs/decisions/001-one-log.md): rebuild it from the log.
                tracing::warn!(error = %e, "deleting a database that cannot be read; it is rebuilt from the log");
                std::fs::remove_dir_all(data_dir.join(&name))
                    .map_err(|e| StoreError::Open(e.to_string()))?;
                Store::open(&data_dir.join(&name), cache_mib)?
            }
            other => other?,
        };
        if let Ok(entries) = std::fs::read_dir(data_dir) {
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                let stale = (file == FIRST || file.starts_with("rebuild-")) && file != name;
                if stale && entry.path().is_dir() {
                    tracing::info!(dir = %entry.path().display(), "removing a database that is no longer live");
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        Ok(Self {
            data_dir: data_dir.to_owned(),
            cache_mib,
            current: RwLock::new(Arc::new(store)),
        })
    }

    /// The live database.
    pub fn current(&self) -> Arc<Store> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A new, empty database directory beside the live one, for a rebuild.
    pub fn fresh(&self) -> Result<Store, StoreError> {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%3f");
        let dir = self.data_dir.join(format!("rebuild-{stamp}"));
        let _ = std::fs::remove_dir_all(&dir);
        Store::open(&dir, self.cache_mib)
    }

    /// Makes `store` the live database: flushes it, points `CURRENT` at it (write a temporary
    /// file, then rename), swaps the handle; the old directory is deleted once no query uses it.
    pub fn switch_to(&self, store: Store) -> Result<(), StoreError> {
        store.flush()?;
        let name = store
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| StoreError::Open("a database directory has no name".into()))?;
        let tmp = self.data_dir.join(format!("{CURRENT}.tmp"));
        let io = |e: std::io::Error| StoreError::Open(format!("writing {CURRENT}: {e}"));
        std::fs::write(&tmp, format!("{name}\n")).map_err(io)?;
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        std::fs::rename(&tmp, self.data_dir.join(CURRENT)).map_err(io)?;
        if let Ok(dir) = std::fs::File::open(&self.data_dir) {
            let _ = dir.sync_all();
        }
        let old = {
            let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
            std::mem::replace(&mut *current, Arc::new(store))
        };
        tracing::info!(live = %name, old = %old.path().display(), "switched to the rebuilt database");
        std::thread::spawn(move || {
            for _ in 0..600 {
                if Arc::strong_count(&old) == 1 {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let path = old.path().to_owned();
            drop(old);
            // sled's flusher lets go of the directory shortly after the last handle is dropped.
            std::thread::sleep(Duration::from_millis(200));
            let _ = std::fs::remove_dir_all(path);
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_of_another_format_is_deleted_and_rebuilt_not_misread() {
        let dir = tempfile::tempdir().unwrap();
        {
            // A database from before the format marker: data, no marker.
            let db = sled::Config::new()
                .path(dir.path().join(FIRST))
                .open()
                .unwrap();
            let tree = db.open_tree(crate::store::TREE).unwrap();
            tree.insert(b"sa/b/xr", br#"{"status":"contact"}"#.as_slice())
                .unwrap();
            tree.insert(b"__liaison_checkpoint", &42u64.to_be_bytes())
                .unwrap();
            db.flush().unwrap();
        }
        // The data directory's own marker is current; the projection's format is not.
        std::fs::write(
            dir.path()
                .join(FIRST)
                .join(liaison_runtime::storage::FORMAT_FILE),
            liaison_runtime::storage::FORMAT,
        )
        .unwrap();
        let err = Store::open(&dir.path().join(FIRST), 8).unwrap_err();
        assert!(
            matches!(err, StoreError::Format { found: None, .. }),
            "{err}"
        );
        let switch = StoreSwitch::open(dir.path(), 8).unwrap();
        let store = switch.current();
        assert_eq!(store.checkpoint().unwrap(), 0, "rebuilt from the log");
        assert_eq!(store.dump().unwrap(), "");
        drop(store);
        drop(switch);
        // Reopened in its own format, it is kept.
        let store = Store::open(&dir.path().join(FIRST), 8).unwrap();
        assert_eq!(store.dump().unwrap(), "");
    }

    #[test]
    fn a_database_whose_bodies_were_lost_is_deleted_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(&dir.path().join(FIRST), 8).unwrap();
            store
                .tree()
                .insert(b"__liaison_log/checkpoint", &9u64.to_be_bytes())
                .unwrap();
            store
                .tree()
                .insert(crate::store::bodies::COMMITTED_KEY, &100u64.to_be_bytes())
                .unwrap();
            store.flush().unwrap();
        }
        // The tree references 100 bytes; the file holds none (a power cut lost them).
        let err = Store::open(&dir.path().join(FIRST), 8).unwrap_err();
        assert!(matches!(err, StoreError::BodiesLost { .. }), "{err}");
        let switch = StoreSwitch::open(dir.path(), 8).unwrap();
        assert_eq!(
            switch.current().checkpoint().unwrap(),
            0,
            "rebuilt from the log"
        );
    }
}
