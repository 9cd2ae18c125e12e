//! The relationship status rules of the contract, as two pure functions.
//!
//! [`step`] is one move of the machine; [`fold`] runs it over a pair-topic's facts in order.
//! Everything else in the crate (incremental state, `as_of`, transitions) is built on these two,
//! so the contract's table lives in exactly one place. [`NewestFirst`] reaches [`fold`]'s
//! outcome reading the facts newest first, and stops as soon as older ones cannot change it.

use liaison_proto::Status;

use crate::effect::Effect;
use crate::fact::FactEntry;

/// The status after an asserted fact with `effect` meets `current`, or `None` when it stays.
///
/// - `ended` sets `ended` (from any status, `none` included);
/// - any other status effect moves to *at least* its target: it applies only when its target
///   ranks higher than `current` (`ended` ranks 0, so after `ended` the climb starts again);
/// - [`Effect::Other`] never moves anything.
pub fn step(current: Status, effect: Effect) -> Option<Status> {
    let target = effect.target()?;
    if target == Status::Ended {
        return (current != Status::Ended).then_some(Status::Ended);
    }
    (target.rank() > current.rank()).then_some(target)
}

/// The outcome of [`fold`]: the status and the fact that moved it there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Folded<'a> {
    /// The status reached.
    pub status: Status,
    /// The fact that moved the status to `status`; `None` while the status is `none`.
    pub since: Option<&'a FactEntry>,
}

/// Runs [`step`] over `entries`, which must already be in [`FactEntry::order_key`] order.
/// Facts that are not asserted are skipped.
///
/// `since` is the fact that *changed* the status to its final value: a later fact of equal or
/// lower strength does not move it (a second meeting keeps the first one's date).
pub fn fold<'a>(entries: impl IntoIterator<Item = &'a FactEntry>) -> Folded<'a> {
    let mut folded = Folded {
        status: Status::None,
        since: None,
    };
    for entry in entries {
        if !entry.factuality.moves_status() {
            continue;
        }
        if let Some(next) = step(folded.status, entry.effect) {
            folded = Folded {
                status: next,
                since: Some(entry),
            };
        }
    }
    folded
}

/// [`fold`] read backwards: facts are fed newest first, and [`NewestFirst::older`] says when
/// no older fact can change the outcome, so a projection re-folding a long history after a
/// late fact reads only its recent part.
///
/// Why it works: an asserted `ended` always leaves the status `ended` (it moves from any other
/// status, and `ended` stays), so the outcome depends only on the facts after the newest
/// `ended` — a climb from rank 0 to the highest target among them, `since` the first fact that
/// reached it — and, when there are none, on the run of `ended` facts it closes (`since` is the
/// run's first: the later ones did not move the status).
#[derive(Debug, Clone)]
pub struct NewestFirst<T> {
    status: Status,
    since: Option<T>,
    done: bool,
}

impl<T> Default for NewestFirst<T> {
    fn default() -> Self {
        Self {
            status: Status::None,
            since: None,
            done: false,
        }
    }
}

impl<T> NewestFirst<T> {
    /// Nothing read yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next older fact: `effect` when it is asserted and can move the status (its
    /// effect has a target), `None` otherwise; `item` names it, called only when this fact
    /// becomes the one that moved the status (so a caller copies only those). Returns whether
    /// older facts can still change the outcome (false: stop reading).
    pub fn older(&mut self, effect: Option<Effect>, item: impl FnOnce() -> T) -> bool {
        if self.done {
            return false;
        }
        let Some(target) = effect.and_then(Effect::target) else {
            return true;
        };
        match (self.status, target) {
            // The newest `ended` and nothing after it: `ended`, since the first of its run.
            (Status::None, Status::Ended) | (Status::Ended, Status::Ended) => {
                self.status = Status::Ended;
                self.since = Some(item());
            }
            // Before the run of `ended` facts: it started the run.
            (Status::Ended, _) => self.done = true,
            // An `ended` before the climb: the climb is all that counts.
            (_, Status::Ended) => self.done = true,
            // The climb: the highest target, and the earliest fact that reached it.
            (current, _) => {
                if current == Status::None || target.rank() >= current.rank() {
                    self.status = target;
                    self.since = Some(item());
                }
            }
        }
        !self.done
    }

    /// The status [`fold`] reaches over the facts fed, and the item of the fact that moved it
    /// there (`None` while `none`).
    pub fn finish(self) -> (Status, Option<T>) {
        (self.status, self.since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_follows_the_table() {
        use Effect::*;
        assert_eq!(step(Status::None, Contact), Some(Status::Contact));
        assert_eq!(step(Status::Contact, Contact), None);
        assert_eq!(step(Status::Active, Contact), None);
        assert_eq!(step(Status::Contact, Agreed), Some(Status::Agreed));
        assert_eq!(step(Status::Agreed, Active), Some(Status::Active));
        assert_eq!(step(Status::Active, Agreed), None);
        assert_eq!(step(Status::Active, Ended), Some(Status::Ended));
        assert_eq!(step(Status::None, Ended), Some(Status::Ended));
        assert_eq!(step(Status::Ended, Ended), None);
        assert_eq!(step(Status::Ended, Contact), Some(Status::Contact));
        for s in Status::ALL {
            assert_eq!(step(s, Other), None);
        }
    }
}
