//! The organizations and people registered in the log, as the reader needs them to read names:
//! a read model of the log (the one applier of `liaison-log` gates, applies and checkpoints it),
//! kept in sled, and turned into the extractor's [`Registry`] when it changed.
//!
//! The first registration of an id wins, as in ingest's registry; a later one (only two ingest
//! instances racing could append it) is ignored.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use liaison_extract::{OrgEntry, PersonEntry, Registry};
use liaison_log::{ApplyError, Checked, ReadModel, Staged};
use liaison_proto::EventData;
use liaison_proto::events::{OrganizationRegistered, PersonRegistered};

/// The sled tree of the registry (and of its applier's records).
pub const TREE: &str = "registry";

const ORG: &[u8] = b"o/";
const PERSON: &[u8] = b"p/";

/// The registry as a read model of the log.
#[derive(Debug, Clone)]
pub struct RegistryModel {
    tree: sled::Tree,
    /// Bumped after every committed batch that registered something.
    generation: Arc<AtomicU64>,
    /// Whether the batch being staged registers something.
    touched: Arc<AtomicBool>,
}

impl RegistryModel {
    /// The model in `db`.
    pub fn open(db: &sled::Db) -> Result<Self, sled::Error> {
        Ok(Self {
            tree: db.open_tree(TREE)?,
            generation: Arc::new(AtomicU64::new(1)),
            touched: Arc::new(AtomicBool::new(false)),
        })
    }

    /// A number that changes whenever the registry does (not persisted: it starts anew with
    /// the process, which builds its extractor anew anyway).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Every registered organization and person, as the extractor takes them.
    pub fn registry(&self) -> Result<Registry, ApplyError> {
        let mut registry = Registry::default();
        for item in self.tree.scan_prefix(ORG) {
            let (key, value) = item?;
            let org: OrganizationRegistered =
                serde_json::from_slice(&value).map_err(|e| ApplyError::corrupt(&key, e))?;
            registry.organizations.push(org_entry(org));
        }
        for item in self.tree.scan_prefix(PERSON) {
            let (key, value) = item?;
            let person: PersonRegistered =
                serde_json::from_slice(&value).map_err(|e| ApplyError::corrupt(&key, e))?;
            registry.people.push(person_entry(person));
        }
        Ok(registry)
    }

    /// Whether organization `id` is registered (as far as this reader applied the log).
    pub fn organization_known(&self, id: &str) -> Result<bool, ApplyError> {
        Ok(self.tree.contains_key(key(ORG, id))?)
    }
}

fn key(prefix: &[u8], id: &str) -> Vec<u8> {
    [prefix, id.as_bytes()].concat()
}

/// The extractor's entry of a registered organization.
pub fn org_entry(org: OrganizationRegistered) -> OrgEntry {
    OrgEntry {
        id: org.id.to_string(),
        name: org.name,
        aliases: org.aliases,
        kind: org.kind.map(|k| k.as_str().to_owned()),
        parent: org.parent.map(|p| p.to_string()),
        country: org.country,
    }
}

/// The extractor's entry of a registered person.
pub fn person_entry(person: PersonRegistered) -> PersonEntry {
    PersonEntry {
        id: person.id.to_string(),
        name: person.name,
        aliases: person.aliases,
        affiliations: person
            .affiliations
            .into_iter()
            .map(|a| (a.organization.to_string(), a.role.unwrap_or_default()))
            .collect(),
    }
}

impl ReadModel for RegistryModel {
    fn home(&self) -> sled::Tree {
        self.tree.clone()
    }

    fn begin(&self) {
        self.touched.store(false, Ordering::Release);
    }

    fn apply(&self, staged: &mut Staged, event: &Checked<'_>) -> Result<(), ApplyError> {
        let (k, value) = match &event.event.event {
            EventData::OrganizationRegistered(d) => {
                (key(ORG, d.id.as_str()), serde_json::to_vec(d))
            }
            EventData::PersonRegistered(d) => (key(PERSON, d.id.as_str()), serde_json::to_vec(d)),
            _ => return Ok(()),
        };
        let value = value.map_err(|e| ApplyError::refused(e.to_string()))?;
        let tree = staged.on(&self.tree);
        if !tree.contains(&k)? {
            tree.insert(k, value);
            self.touched.store(true, Ordering::Release);
        }
        Ok(())
    }

    fn after_commit(&self, _last: u64) {
        if self.touched.swap(false, Ordering::AcqRel) {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
    }
}
