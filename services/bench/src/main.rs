//! Placeholder; see the README.

fn main() {}
