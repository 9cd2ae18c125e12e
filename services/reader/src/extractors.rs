//! The extractor of the registry as it stands: built once per registry (its name automaton is
//! not cheap) and rebuilt only when the registry changed, on the blocking pool.

use std::sync::{Arc, Mutex};

use liaison_extract::Extractor;
use liaison_log::ApplyError;

use crate::registry::RegistryModel;

/// The extractor built last, with the registry generation it was built from.
type Built = Option<(u64, Arc<Extractor>)>;

/// The extractor, cached per registry generation.
#[derive(Debug, Clone)]
pub struct Extractors {
    registry: RegistryModel,
    current: Arc<Mutex<Built>>,
}

impl Extractors {
    /// The extractors of `registry`.
    pub fn new(registry: RegistryModel) -> Self {
        Self {
            registry,
            current: Arc::default(),
        }
    }

    /// The extractor of the registry as it is now (call from a blocking thread: it may build).
    pub fn get(&self) -> Result<Arc<Extractor>, ApplyError> {
        let generation = self.registry.generation();
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((built, extractor)) = current.as_ref()
            && *built == generation
        {
            return Ok(extractor.clone());
        }
        let registry = self.registry.registry()?;
        tracing::debug!(
            organizations = registry.organizations.len(),
            people = registry.people.len(),
            generation,
            "building the extractor"
        );
        let extractor = Arc::new(Extractor::new(registry));
        *current = Some((generation, extractor.clone()));
        Ok(extractor)
    }
}
