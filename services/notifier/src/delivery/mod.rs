//! Delivering alerts, after the applier recorded them: to the alerts stream on NATS
//! ([`nats`], driven by the [`worker`] over the `pending` tree), and to webhooks ([`webhook`],
//! signed per [`signature`], retried per [`backoff`]) through the durable consumer that every
//! instance shares ([`shared`]).

pub mod backoff;
pub mod nats;
pub mod shared;
pub mod signature;
pub mod webhook;
pub mod worker;
