//! Delivering alerts, after the applier recorded them: to the alerts stream on NATS
//! ([`nats`]) and to webhooks ([`webhook`], signed per [`signature`], retried per [`backoff`]),
//! driven by the [`worker`] over the `pending` tree.

pub mod backoff;
pub mod nats;
pub mod signature;
pub mod webhook;
pub mod worker;
