//! The parts of the fail-over tests: the stack on a 3-node cluster ([`rig`]), writers that append
//! under load and keep what each client was told ([`writers`]), a webhook receiver
//! ([`receiver`]), a projection reader that runs through the disturbance ([`queries`]), the
//! retrying HTTP calls (`liaison_e2e::http`), the assertions every scenario shares ([`checks`]) and its
//! figures ([`tally`]).

pub mod checks;
pub mod queries;
pub mod receiver;
pub mod rig;
pub mod tally;
pub mod writers;
