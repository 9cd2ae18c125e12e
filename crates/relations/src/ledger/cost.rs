//! What ledger operations cost their store, counted by the store: a measure of work that tests
//! can assert on (the cost of a fact must not grow with its pair-topic's history) without timing
//! anything.

/// Reads and writes one store served, with their bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreCost {
    /// Values read: point reads that found something, and entries a scan visited.
    pub reads: u64,
    /// The bytes of the keys and values read.
    pub bytes_read: u64,
    /// Keys written or removed.
    pub writes: u64,
    /// The bytes of the keys and values written (a removal counts its key).
    pub bytes_written: u64,
}

impl StoreCost {
    /// Counts one value read under a key.
    pub fn read(&mut self, key: &[u8], value: &[u8]) {
        self.reads += 1;
        self.bytes_read += (key.len() + value.len()) as u64;
    }

    /// Counts one key written with its value (an empty value for a removal).
    pub fn wrote(&mut self, key: &[u8], value: &[u8]) {
        self.writes += 1;
        self.bytes_written += (key.len() + value.len()) as u64;
    }

    /// What was counted since `earlier` (a copy of this counter taken before).
    pub fn since(&self, earlier: &Self) -> Self {
        Self {
            reads: self.reads - earlier.reads,
            bytes_read: self.bytes_read - earlier.bytes_read,
            writes: self.writes - earlier.writes,
            bytes_written: self.bytes_written - earlier.bytes_written,
        }
    }
}

impl std::ops::AddAssign for StoreCost {
    fn add_assign(&mut self, other: Self) {
        self.reads += other.reads;
        self.bytes_read += other.bytes_read;
        self.writes += other.writes;
        self.bytes_written += other.bytes_written;
    }
}

/// A [`StoreCost`] that reads count through a shared reference (a store's `&self` reads).
#[derive(Debug, Clone, Default)]
pub struct CostCounter(std::cell::Cell<StoreCost>);

impl CostCounter {
    /// What was counted so far.
    pub fn get(&self) -> StoreCost {
        self.0.get()
    }

    /// Counts one value read under a key.
    pub fn read(&self, key: &[u8], value: &[u8]) {
        let mut cost = self.0.get();
        cost.read(key, value);
        self.0.set(cost);
    }

    /// Counts one key written with its value (an empty value for a removal).
    pub fn wrote(&mut self, key: &[u8], value: &[u8]) {
        self.0.get_mut().wrote(key, value);
    }
}
