//! The review queue as a read model of the articles stream: each checked entry (an article read,
//! a decision, a feed) folded into [`super::store`]'s records through the applier, so the queue
//! survives restarts and is rebuilt from the stream like any read model.
//!
//! What is kept when entries disagree: the first reading of an article (a second one can only
//! come from two instances racing) and the first registration of a feed; the decision in force
//! is the latest one, except that nothing replaces an acceptance — its event is in the log, and a
//! rejection after it cannot take it out (a retraction does that, through ingest).

use liaison_log::{ApplyError, Checked, ReadModel, Staged, StagedTree};
use liaison_proto::reader::{ArticlesEntry, Decision};
use uuid::Uuid;

use super::store::{
    ARTICLE, ArticleRecord, CANDIDATE, CandidateRecord, FEED, FEED_ORDER, FeedRecord, decode,
    encode, key, order_key,
};

/// The review queue's read model.
#[derive(Debug, Clone)]
pub struct ReviewModel {
    tree: sled::Tree,
}

impl ReviewModel {
    /// The model writing `tree`.
    pub fn new(tree: sled::Tree) -> Self {
        Self { tree }
    }
}

fn get<T: serde::de::DeserializeOwned>(
    tree: &StagedTree,
    key: &[u8],
) -> Result<Option<T>, ApplyError> {
    tree.get(key)?.map(|b| decode(key, &b)).transpose()
}

impl ReadModel<ArticlesEntry> for ReviewModel {
    fn home(&self) -> sled::Tree {
        self.tree.clone()
    }

    fn apply(
        &self,
        staged: &mut Staged,
        entry: &Checked<'_, ArticlesEntry>,
    ) -> Result<(), ApplyError> {
        let tree = staged.on(&self.tree);
        match entry.event {
            ArticlesEntry::ArticleRead {
                article,
                candidates,
            } => {
                let k = key(ARTICLE, article.id);
                if tree.contains(&k)? {
                    return Ok(());
                }
                for (index, c) in candidates.iter().enumerate() {
                    let record = CandidateRecord {
                        article_id: article.id,
                        proposed: c.clone(),
                        decision: None,
                    };
                    tree.insert(key(CANDIDATE, c.id), encode(&record));
                    let index = u16::try_from(index)
                        .map_err(|_| ApplyError::refused("too many candidates"))?;
                    tree.insert(order_key(entry.sequence, index), c.id.as_bytes().to_vec());
                }
                let record = ArticleRecord {
                    article: article.clone(),
                    sequence: entry.sequence,
                    candidates: candidates.iter().map(|c| c.id).collect(),
                };
                tree.insert(k, encode(&record));
            }
            ArticlesEntry::CandidateDecided {
                candidate_id,
                article_id,
                decision,
            } => decide(tree, *candidate_id, *article_id, decision)?,
            ArticlesEntry::FeedRegistered { feed } => {
                let k = key(FEED, feed.id);
                if !tree.contains(&k)? {
                    let record = FeedRecord {
                        feed: feed.clone(),
                        sequence: entry.sequence,
                    };
                    tree.insert(k, encode(&record));
                    tree.insert(
                        [FEED_ORDER, &entry.sequence.to_be_bytes()].concat(),
                        feed.id.as_bytes().to_vec(),
                    );
                }
            }
        }
        Ok(())
    }
}

/// Records `decision` on the candidate, or refuses an entry that names no candidate of the
/// article (it is quarantined).
fn decide(
    tree: &mut StagedTree,
    candidate: Uuid,
    article: Uuid,
    decision: &Decision,
) -> Result<(), ApplyError> {
    let k = key(CANDIDATE, candidate);
    let Some(mut record) = get::<CandidateRecord>(tree, &k)? else {
        return Err(ApplyError::refused(format!(
            "a decision on candidate {candidate}, which no article read proposed"
        )));
    };
    if record.article_id != article {
        return Err(ApplyError::refused(format!(
            "a decision on candidate {candidate} of article {article}, but it is of article {}",
            record.article_id
        )));
    }
    let current = record.state();
    if current == decision.state || current.is_accepted() {
        return Ok(());
    }
    record.decision = Some(decision.clone());
    tree.insert(k, encode(&record));
    Ok(())
}
