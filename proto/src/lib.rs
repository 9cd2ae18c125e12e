//! The Liaison wire contract: every type that crosses a process boundary.
//!
//! Services never invent wire types of their own; they use these. The crate is pure data and
//! pure validation — no IO — so that every service, the CLI and the tests agree on one definition.

pub mod admin;
pub mod alert;
pub mod envelope;
pub mod events;
pub mod ids;
pub mod ingest;
pub mod limits;
pub mod log;
pub mod notifier;
pub mod preview;
pub mod problem;
pub mod query;
pub mod reader;
pub mod schema;
pub mod services;
pub mod status;
pub mod subjects;
pub mod time;
pub mod validate;

pub use alert::{Alert, AlertEvent};
pub use envelope::{ClientEvent, Envelope, StoredEvent, content_digest};
pub use events::{EventData, EventType};
pub use ids::{EventId, Slug, SlugError};
pub use limits::*;
pub use problem::ProblemDetails;
pub use status::{Factuality, Status};
pub use time::{AsOf, BusinessTime, TimeError};
pub use validate::{
    FieldError, NameRegistry, Registry, ValidationErrors, check_references, unknown_names,
    validate_stored, validate_submission,
};
