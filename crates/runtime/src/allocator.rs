//! The global allocator of every Liaison binary: mimalloc.
//!
//! Profiling the projection while it replays a large log showed glibc malloc (`_int_malloc`,
//! `malloc_consolidate`, arena lock waits) at about 30 % of the apply CPU: sled allocates and
//! frees a node copy on every write. mimalloc's thread-local free lists remove most of that cost
//! and return memory to the system more eagerly, which also lowers peak RSS. Declaring it here,
//! in the crate every service links, sets it once for the services, the CLI, the bench and the
//! tests alike.

/// The allocator (see the module documentation for why).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
