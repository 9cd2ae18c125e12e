//! The bodies of the events that read models list (timelines, meetings), kept in one
//! append-only file beside the sled tree instead of one sled key each.
//!
//! A body is the event as read from the log, about 1.4 KB with a news-size evidence quote.
//! Stored under its own sled key it was the largest write of every event: replaying 200,000
//! events went from 5.8k to 9.0k events/s with the bodies out of the tree, and the database
//! shrinks by their size times sled's write amplification. Read models keep a [`BodyRef`]
//! (offset and length) where they used to keep nothing, so a timeline page is a range scan
//! and one positioned read per event.
//!
//! Crash safety follows the tree: a batch's bodies are written to the file *before* the sled
//! batch that references them, and that batch records the file's new committed length
//! ([`COMMITTED_KEY`]). After a crash the file may be longer than the tree says — the tail is
//! cut off on open — never shorter, unless the machine lost its page cache (a power cut before
//! the kernel wrote the file), which [`Bodies::open`] reports as [`StoreError::BodiesLost`]:
//! the database is then deleted and rebuilt from the log, like one of another format.
//!
//! A committed body never changes (the file only grows; what a crash left beyond the committed
//! length is cut off before anything references it), so its decoded event can be kept: queries
//! ask for the same popular timelines and relationships over and over, and reading and decoding a
//! body was most of their time (decision 027). [`Bodies::event`] keeps the events it decoded in a
//! bounded cache that needs no invalidation; a rebuild opens another database, and another cache.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use liaison_proto::Envelope;

use super::StoreError;

/// The file's name inside a database directory.
pub const FILE: &str = "bodies";

/// The sled key (outside every table) holding the committed length of the file, big-endian.
pub const COMMITTED_KEY: &[u8] = b"__liaison_projection_bodies";

/// Where one body is in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyRef {
    /// Its first byte.
    pub offset: u64,
    /// Its length.
    pub len: u32,
}

impl BodyRef {
    /// The stored form: offset then length, big-endian (12 bytes).
    pub fn to_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12);
        out.extend_from_slice(&self.offset.to_be_bytes());
        out.extend_from_slice(&self.len.to_be_bytes());
        out
    }

    /// Decodes [`BodyRef::to_bytes`]; `None` when `bytes` is not 12 bytes long.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let offset = u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
        let len = u32::from_be_bytes(bytes.get(8..12)?.try_into().ok()?);
        (bytes.len() == 12).then_some(Self { offset, len })
    }
}

/// The open bodies file of one database.
#[derive(Debug)]
pub struct Bodies {
    file: File,
    committed: AtomicU64,
    decoded: Mutex<Decoded>,
}

/// The body bytes whose decoded events one generation of [`Decoded`] holds: two generations
/// hold at most twice this (about as much again decoded), whatever the queries ask for.
pub const DECODED_GENERATION_BYTES: u64 = 8 << 20;

/// The events [`Bodies::event`] decoded, by offset, in two generations: a lookup finds the event
/// in either (and moves it into the current one); when the current one holds
/// [`DECODED_GENERATION_BYTES`], it becomes the previous one and the previous one is dropped. What
/// is asked for again stays; what is not, goes within two generations (an LRU's effect, without
/// its bookkeeping per hit).
#[derive(Debug, Default)]
struct Decoded {
    current: HashMap<u64, Arc<Envelope>>,
    current_bytes: u64,
    previous: HashMap<u64, Arc<Envelope>>,
}

impl Decoded {
    fn get(&mut self, at: BodyRef) -> Option<Arc<Envelope>> {
        if let Some(event) = self.current.get(&at.offset) {
            return Some(event.clone());
        }
        let event = self.previous.remove(&at.offset)?;
        self.insert(at, event.clone());
        Some(event)
    }

    fn insert(&mut self, at: BodyRef, event: Arc<Envelope>) {
        if self.current_bytes + u64::from(at.len) > DECODED_GENERATION_BYTES {
            self.previous = std::mem::take(&mut self.current);
            self.current_bytes = 0;
        }
        self.current_bytes += u64::from(at.len);
        self.current.insert(at.offset, event);
    }
}

impl Bodies {
    /// Opens (or creates) the file in `dir`, whose tree says `committed` bytes are written:
    /// a longer file (a crash between the file write and the sled batch) is cut back.
    pub fn open(dir: &Path, committed: u64) -> Result<Self, StoreError> {
        let path = dir.join(FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?;
        let len = file
            .metadata()
            .map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?
            .len();
        if len < committed {
            return Err(StoreError::BodiesLost {
                file: path.display().to_string(),
                len,
                committed,
            });
        }
        if len > committed {
            file.set_len(committed)
                .map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?;
        }
        Ok(Self {
            file,
            committed: AtomicU64::new(committed),
            decoded: Mutex::default(),
        })
    }

    /// The committed length: where the next batch's bodies start.
    pub fn committed(&self) -> u64 {
        self.committed.load(Ordering::Acquire)
    }

    /// Writes a batch's bodies at the committed length (not yet committed: see
    /// [`Bodies::commit`]). Writing again after a failure overwrites the same range.
    pub fn write(&self, bytes: &[u8]) -> Result<(), StoreError> {
        self.file
            .write_all_at(bytes, self.committed())
            .map_err(|e| StoreError::Io(format!("writing event bodies: {e}")))
    }

    /// Records that the tree now references `len` bytes.
    pub fn commit(&self, len: u64) {
        self.committed.store(len, Ordering::Release);
    }

    /// Reads one body.
    pub fn read(&self, at: BodyRef) -> Result<Vec<u8>, StoreError> {
        let mut out = vec![0; at.len as usize];
        self.file
            .read_exact_at(&mut out, at.offset)
            .map_err(|e| StoreError::Io(format!("reading the event body at {at:?}: {e}")))?;
        Ok(out)
    }

    /// The event of one committed body, decoded by `decode` unless a recent call decoded it
    /// already (see [`Decoded`]).
    pub fn event(
        &self,
        at: BodyRef,
        decode: impl FnOnce(&[u8]) -> Result<Envelope, StoreError>,
    ) -> Result<Arc<Envelope>, StoreError> {
        let cached = self
            .decoded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(at);
        if let Some(event) = cached {
            return Ok(event);
        }
        let event = Arc::new(decode(&self.read(at)?)?);
        // Not held while reading and decoding: two queries may both decode a body, once.
        self.decoded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(at, event.clone());
        Ok(event)
    }

    /// Forces the written bodies to disk.
    pub fn sync(&self) -> Result<(), StoreError> {
        self.file
            .sync_data()
            .map_err(|e| StoreError::Io(format!("syncing event bodies: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tail_beyond_the_committed_length_is_cut_and_a_short_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let bodies = Bodies::open(dir.path(), 0).unwrap();
        bodies.write(b"hello").unwrap();
        bodies.commit(5);
        bodies.write(b"lost").unwrap(); // written, never committed
        let at = BodyRef { offset: 0, len: 5 };
        assert_eq!(bodies.read(at).unwrap(), b"hello");
        drop(bodies);

        let bodies = Bodies::open(dir.path(), 5).unwrap();
        assert_eq!(std::fs::metadata(dir.path().join(FILE)).unwrap().len(), 5);
        assert_eq!(bodies.read(at).unwrap(), b"hello");
        drop(bodies);
        assert!(matches!(
            Bodies::open(dir.path(), 6),
            Err(StoreError::BodiesLost { .. })
        ));
        assert_eq!(BodyRef::from_bytes(&at.to_bytes()), Some(at));
        assert_eq!(BodyRef::from_bytes(b"short"), None);
    }

    /// An envelope whose `source` is `text`, as bytes.
    fn body(text: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "specversion": "1.0", "id": "0190a0a0-0000-7000-8000-000000000000",
            "source": text, "time": "2024-02-28", "datacontenttype": "application/json",
            "recordedat": "2024-03-01T09:00:00Z", "type": "organization.registered",
            "data": {"id": "a", "name": "A"},
        }))
        .unwrap()
    }

    #[test]
    fn a_body_is_decoded_once_while_asked_for_and_again_once_evicted() {
        let dir = tempfile::tempdir().unwrap();
        let bodies = Bodies::open(dir.path(), 0).unwrap();
        // Bodies of 1/16 of a generation each: 40 of them make two generations and more.
        let pad = "x".repeat(DECODED_GENERATION_BYTES as usize / 16);
        let mut file = Vec::new();
        let mut refs = Vec::new();
        for i in 0..40 {
            let b = body(&format!("{i}{pad}"));
            refs.push(BodyRef {
                offset: file.len() as u64,
                len: b.len() as u32,
            });
            file.extend_from_slice(&b);
        }
        bodies.write(&file).unwrap();
        bodies.commit(file.len() as u64);
        let decodes = std::cell::Cell::new(0);
        let event = |at: BodyRef| {
            bodies
                .event(at, |bytes| {
                    decodes.set(decodes.get() + 1);
                    Ok(serde_json::from_slice(bytes).unwrap())
                })
                .unwrap()
        };
        let first = event(refs[0]);
        assert!(first.source.starts_with('0'));
        for _ in 0..3 {
            assert_eq!(event(refs[0]), first);
        }
        assert_eq!(decodes.get(), 1, "decoded once, then kept");
        for (i, at) in refs.iter().enumerate() {
            assert!(event(*at).source.starts_with(&format!("{i}x")));
        }
        assert_eq!(decodes.get(), 40, "the first was still kept");
        event(refs[0]);
        assert_eq!(
            decodes.get(),
            41,
            "the first was dropped, two generations later"
        );
        event(refs[39]);
        assert_eq!(decodes.get(), 41, "the latest is kept");
    }
}
