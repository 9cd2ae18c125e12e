//! The global allocator of the three service binaries: mimalloc.
//!
//! Profiling the projection while it replays a large log showed glibc malloc (`_int_malloc`,
//! `malloc_consolidate`, arena lock waits) at about 30 % of the apply CPU: sled allocates and
//! frees a node copy on every write. mimalloc's thread-local free lists remove most of that cost
//! and return memory to the system more eagerly, which also lowers peak RSS.
//!
//! A `#[global_allocator]` in a library applies to every binary that links the library: here
//! `liaison-ingest`, `liaison-projection`, `liaison-notifier` and the test binaries of the
//! crates that depend on this one. The command line (`liaison`), the bench driver and the
//! end-to-end tests do not link this crate and keep the system allocator: they hold no sled
//! database, and the bench and `liaison dev` run the services as their own processes, so what
//! they measure and run is the services with mimalloc.

/// The allocator (see the module documentation for why).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
