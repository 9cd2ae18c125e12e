//! Placeholder; see the README.
