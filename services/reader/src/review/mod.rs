//! The review queue: the reader's own stream `LIAISON_ARTICLES` (articles read with their
//! candidates, decisions, feeds), checked by [`gate`], folded by [`model`] into [`store`], and
//! written by [`publish`] — a write is answered only once the queue applied it.

pub mod gate;
pub mod model;
pub mod publish;
pub mod store;

pub use gate::ArticlesGate;
pub use model::ReviewModel;
pub use publish::{PublishError, Publisher};
pub use store::{CandidateFilter, CandidatePage, ReviewStore};
