//! The read models, one module each: how the applier writes them (through [`crate::store::Writes`])
//! and how queries read them (from a [`crate::store::Store`]).

pub mod links;
pub mod organizations;
pub mod relationships;
pub mod timeline;
