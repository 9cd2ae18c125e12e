//! The projection's sled database: one tree of prefixed tables ([`keys`]), the records stored in
//! them, a write overlay for applying a batch ([`Writes`]) and a deterministic [`Store::dump`].
//!
//! Facts are stored one per key (`pair-topic | time | sequence`) beside a small per-pair-topic
//! [`liaison_relations::Summary`], in the layout of the domain's ledger
//! ([`liaison_relations::Ledger`]), so that an in-order fact costs one fold step and one small
//! write, whatever the size of its pair; only a late fact or a retraction re-folds the
//! pair-topic's range.

pub mod bodies;
pub mod keys;
mod writes;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use liaison_proto::events::Quantity;
use liaison_proto::{BusinessTime, Envelope, EventId, EventType, Factuality};
use liaison_relations::ledger::layout::{self, LayoutError};
use liaison_relations::{Effect, FactEntry, FoldHeader, Route};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use bodies::{Bodies, BodyRef};
pub use writes::{PendingBodies, Writes};

/// The name of the tree that holds every table.
pub const TREE: &str = "projection";

/// The key of the stored-format marker (outside every table: no table byte is `_`).
pub const FORMAT_KEY: &[u8] = b"__liaison_projection_format";
/// The stored format this code reads and writes. A database of another format (or of none,
/// from before the marker) is not read: [`Store::open`] fails with [`StoreError::Format`], and
/// [`crate::switch::StoreSwitch::open`] then deletes it and rebuilds from the log.
/// 2: fact values start with a fold header ([`FactRecord::to_bytes`]);
/// 3: retracted ids are marked under [`keys::INDEX`], no `x` table;
/// 4: event bodies in the [`bodies`] file, timeline and meeting entries hold a [`BodyRef`];
/// 5: the applier of `liaison-log` keeps the checkpoint, the log's identity, the registered
/// names and the quarantine under its reserved prefix.
pub const FORMAT: &[u8] = b"5";

/// Opening or reading the database failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed.
    #[error("sled: {0}")]
    Sled(#[from] sled::Error),
    /// Opening the database failed (e.g. another process holds it).
    #[error("{0}")]
    Open(String),
    /// The database was written in another stored format.
    #[error("the database in {dir} has stored format {found:?}, this version reads {FORMAT:?}")]
    Format {
        /// The database directory.
        dir: String,
        /// The format found (`None`: from before the format marker).
        found: Option<String>,
    },
    /// The bodies file is shorter than the tree says (the machine lost written pages): the
    /// database is rebuilt from the log.
    #[error("{file} holds {len} bytes, but the database references {committed}")]
    BodiesLost {
        /// The file.
        file: String,
        /// Its length.
        len: u64,
        /// The length the tree references.
        committed: u64,
    },
    /// Reading or writing the bodies file failed.
    #[error("{0}")]
    Io(String),
    /// A stored record is not the JSON it should be (a bug, or a database of another version).
    #[error("corrupt record under {key}: {source}")]
    Decode {
        /// The key, escaped.
        key: String,
        /// Why it does not decode.
        #[source]
        source: serde_json::Error,
    },
    /// A stored fact or summary is not in the ledger's layout.
    #[error("corrupt ledger entry under {key}: {source}")]
    Layout {
        /// The key, escaped.
        key: String,
        /// What is wrong with it.
        #[source]
        source: LayoutError,
    },
    /// A stored value is malformed in a way no decoder reports (a bug, or a database of
    /// another version).
    #[error("corrupt value under {key}: {message}")]
    Corrupt {
        /// The key, escaped.
        key: String,
        /// What went wrong.
        message: String,
    },
}

/// One fact of a pair-topic, under [`keys::FACT`] behind its fold header (its time and sequence
/// are in the key too, but the time is kept here in its original form, a date or an instant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactRecord {
    /// The event id.
    pub id: EventId,
    /// When it happened.
    pub time: BusinessTime,
    /// The event type.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// How certain it is.
    pub factuality: Factuality,
    /// The event's summary, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

impl FactRecord {
    /// What the projection keeps of `envelope` as a fact.
    pub fn of(envelope: &Envelope) -> Self {
        Self {
            id: envelope.id.into(),
            time: envelope.time,
            event_type: envelope.event_type(),
            factuality: envelope.event.factuality(),
            summary: envelope.event.summary().map(str::to_owned),
        }
    }

    /// The stored bytes of `entry`, this record: the ledger's one-byte fold header, then the
    /// record as JSON. A re-fold reads the header only.
    pub fn to_bytes(&self, entry: &FactEntry) -> Vec<u8> {
        let json = serde_json::to_vec(self).expect("records serialize");
        layout::fact_value(FoldHeader::of(entry), &json)
    }

    /// Decodes [`FactRecord::to_bytes`], stored under `key`.
    pub fn from_bytes(key: &[u8], bytes: &[u8]) -> Result<Self, StoreError> {
        let json = layout::record_of(bytes).map_err(|source| StoreError::Layout {
            key: escape(key),
            source,
        })?;
        decode(key, json)
    }

    /// The domain's view of this fact at `sequence`.
    pub fn entry(&self, sequence: u64) -> FactEntry {
        FactEntry {
            event_id: self.id,
            sequence,
            time: self.time,
            // Only types with an effect are stored as facts.
            effect: Effect::of(self.event_type).unwrap_or(Effect::Other),
            factuality: self.factuality,
        }
    }
}

/// One fact of a link (supplier/customer or competitor), under [`keys::LINK_FACT`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkRecord {
    /// The event id.
    pub id: uuid::Uuid,
    /// When it happened.
    pub time: BusinessTime,
    /// How certain it is.
    pub factuality: Factuality,
    /// The procured item, for a supply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The quantity, for a supply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    /// By when a procurement is to be done, if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<BusinessTime>,
}

/// An organization's registration, under [`keys::PROFILE`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The registering event.
    pub event_id: uuid::Uuid,
    /// What it registered.
    pub data: liaison_proto::events::OrganizationRegistered,
}

/// A person's role at an organization, under [`keys::ROLE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRecord {
    /// The registering event.
    pub event_id: uuid::Uuid,
    /// The person, as the profile shows them.
    pub person: liaison_proto::query::PersonRole,
}

/// What an applied event wrote, under [`keys::INDEX`], so that a retraction can undo exactly that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventIndex {
    /// Its log sequence.
    pub sequence: u64,
    /// Its order (`order`, the hex of its [`liaison_relations::OrderKey`]) and the pair-topics
    /// it is a fact of (`pair_topics`, `a/b/topic`), as the ledger routes a retraction.
    #[serde(flatten)]
    pub route: Route,
    /// The links it is a fact of ([`liaison_relations::LinkKey::storage_key`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// The organizations whose timeline lists it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<String>,
    /// Whether it is listed among the meetings.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub meeting: bool,
    /// The organization whose profile it registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The `(organization, person)` roles it registered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<(String, String)>,
}

/// Encodes a record as stored (compact JSON).
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("records serialize")
}

/// Decodes a stored record.
pub fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|source| StoreError::Decode {
        key: escape(key),
        source,
    })
}

/// A key as readable text: printable ASCII as is, other bytes as `\xNN`.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_graphic() || b == b' ' {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// One projection database (a directory), opened.
#[derive(Debug, Clone)]
pub struct Store {
    db: sled::Db,
    tree: sled::Tree,
    bodies: Arc<Bodies>,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the database in `dir` with a cache of `cache_mib` MiB.
    pub fn open(dir: &Path, cache_mib: u64) -> Result<Self, StoreError> {
        let db = liaison_runtime::storage::open_db(dir, cache_mib, "projection")
            .map_err(|e| StoreError::Open(e.to_string()))?;
        let tree = db.open_tree(TREE)?;
        match tree.get(FORMAT_KEY)? {
            Some(found) if found.as_ref() == FORMAT => {}
            None if tree.is_empty() => {
                tree.insert(FORMAT_KEY, FORMAT)?;
            }
            found => {
                return Err(StoreError::Format {
                    dir: dir.display().to_string(),
                    found: found.map(|f| String::from_utf8_lossy(&f).into_owned()),
                });
            }
        }
        let committed = tree
            .get(bodies::COMMITTED_KEY)?
            .and_then(|v| v.as_ref().try_into().ok())
            .map_or(0, u64::from_be_bytes);
        let bodies = Arc::new(Bodies::open(dir, committed)?);
        Ok(Self {
            db,
            tree,
            bodies,
            path: dir.to_owned(),
        })
    }

    /// The directory of this database.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tree that holds every table.
    pub fn tree(&self) -> &sled::Tree {
        &self.tree
    }

    /// The event bodies file.
    pub fn bodies(&self) -> &Bodies {
        &self.bodies
    }

    /// The last applied log sequence (0: nothing yet).
    pub fn checkpoint(&self) -> Result<u64, StoreError> {
        liaison_log::apply::checkpoint(&self.tree).map_err(|e| StoreError::Corrupt {
            key: "checkpoint".to_owned(),
            message: e.to_string(),
        })
    }

    /// Flushes to disk (the bodies first: the tree references them).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.bodies.sync()?;
        self.db.flush()?;
        Ok(())
    }

    /// Reads one record.
    pub fn get<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>, StoreError> {
        self.tree.get(key)?.map(|v| decode(key, &v)).transpose()
    }

    /// Whether a key exists.
    pub fn contains(&self, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self.tree.contains_key(key)?)
    }

    /// Every read model as deterministic text, one `key = value` line per entry in key order:
    /// equal for two databases built from the same log, however they were built (incrementally,
    /// after a crash, or by a rebuild). The applier's records (checkpoint, identity of the log,
    /// quarantine) are left out.
    pub fn dump(&self) -> Result<String, StoreError> {
        let mut out = String::new();
        for item in self.tree.iter() {
            let (k, v) = item?;
            if [FORMAT_KEY, bodies::COMMITTED_KEY].contains(&k.as_ref())
                || k.starts_with(liaison_log::apply::RESERVED_PREFIX)
            {
                continue;
            }
            out.push_str(&escape(&k));
            out.push_str(" = ");
            if [keys::TIMELINE, keys::MEETING].contains(&k[0]) {
                // The body, not where it is: equal whatever else the file holds.
                let at = BodyRef::from_bytes(&v).ok_or_else(|| StoreError::Corrupt {
                    key: escape(&k),
                    message: "not a body reference".into(),
                })?;
                out.push_str(&String::from_utf8_lossy(&self.bodies.read(at)?));
            } else {
                out.push_str(&String::from_utf8_lossy(&v));
            }
            out.push('\n');
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use liaison_relations::{OrderKey, PairTopic};

    use super::*;

    const ID: &str = "0190a000-0000-7000-8000-00000000002a";

    /// The records keep the bytes that databases of [`FORMAT`] hold, so that no rebuild is
    /// needed: the typed ids, orders and routes serialize as the strings they replaced.
    #[test]
    fn stored_records_keep_the_bytes_of_this_format() {
        let time = BusinessTime::parse("2024-02-28").unwrap();
        let order = OrderKey::new(time, 7);
        let s = |x: &str| liaison_proto::Slug::parse(x).unwrap();
        let index = EventIndex {
            sequence: 7,
            route: Route {
                order,
                pair_topics: vec![PairTopic::new(s("meta"), s("lg"), s("xr")).unwrap()],
            },
            links: Vec::new(),
            timeline: vec!["lg".into(), "meta".into()],
            meeting: true,
            profile: None,
            roles: Vec::new(),
        };
        let json = String::from_utf8(encode(&index)).unwrap();
        let hex = hex::encode(keys::order(time, 7));
        assert_eq!(
            json,
            format!(
                r#"{{"sequence":7,"order":"{hex}","pair_topics":["lg/meta/xr"],"timeline":["lg","meta"],"meeting":true}}"#
            )
        );
        assert_eq!(decode::<EventIndex>(b"i", json.as_bytes()).unwrap(), index);
        let registration = format!(r#"{{"sequence":1,"order":"{hex}","profile":"meta"}}"#);
        let read: EventIndex = decode(b"i", registration.as_bytes()).unwrap();
        assert!(read.route.pair_topics.is_empty());
        assert_eq!(read.profile.as_deref(), Some("meta"));

        let record = FactRecord {
            id: ID.parse().unwrap(),
            time,
            event_type: EventType::MeetingHeld,
            factuality: Factuality::Asserted,
            summary: None,
        };
        let bytes = record.to_bytes(&record.entry(7));
        assert_eq!(bytes[0], 0x80, "contact, moves the status");
        assert_eq!(
            &bytes[1..],
            format!(r#"{{"id":"{ID}","time":"2024-02-28","type":"meeting.held","factuality":"asserted"}}"#)
                .as_bytes()
        );
        assert_eq!(FactRecord::from_bytes(b"f", &bytes).unwrap(), record);
        assert!(matches!(
            FactRecord::from_bytes(b"f", &[0x7f]),
            Err(StoreError::Layout { .. })
        ));
    }
}
