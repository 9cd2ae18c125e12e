//! The ledger's reads over ordered bytes in its [`layout`]: what every store of the ledger shares
//! (the projection's staged and committed trees, the notifier's staged tree, the in-memory store),
//! so that each store implements only how it gets a value and scans a range.

use crate::fact::FactEntry;
use crate::ledger::header::FoldHeader;
use crate::ledger::layout::{self, LayoutError};
use crate::ledger::summary::Summary;
use crate::ledger::{LedgerStore, LedgerView};
use crate::order::OrderKey;
use crate::pair::PairTopic;

/// What a scan calls with each entry (key, value); false stops it.
pub type Visit<'v, E> = dyn FnMut(&[u8], &[u8]) -> Result<bool, E> + 'v;

/// An ordered map of bytes, as the ledger reads it. A store that implements it (and
/// [`FactBytes`]) is a [`LedgerView`]; with [`EntryBytesMut`] a [`LedgerStore`].
pub trait OrderedBytes {
    /// Why a read failed.
    type Error;

    /// The value under `key`.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, Self::Error>;

    /// Feeds `visit` every entry whose key is from `first` to `last` (both included), greatest
    /// key first, until it returns false.
    fn scan_rev(
        &self,
        first: &[u8],
        last: &[u8],
        visit: &mut Visit<'_, Self::Error>,
    ) -> Result<(), Self::Error>;

    /// The error of an entry under `key` that does not read as the layout says.
    fn corrupt(&self, key: &[u8], error: LayoutError) -> Self::Error;
}

/// How a store reads one fact back: as the bare [`FactEntry`] by default; a store that keeps
/// more of a fact (the projection: its event type and summary) decodes its own form.
pub trait FactBytes: OrderedBytes {
    /// `key`'s fact at `at`.
    fn fact_at(&self, key: &PairTopic, at: OrderKey) -> Result<Option<FactEntry>, Self::Error> {
        entry_in(self, key, at)
    }
}

impl<T: FactBytes> LedgerView for T {
    type Error = T::Error;

    fn summary(&self, key: &PairTopic) -> Result<Option<Summary>, T::Error> {
        summary_in(self, key)
    }

    fn newest_first(
        &self,
        key: &PairTopic,
        upto: Option<OrderKey>,
        visit: impl FnMut(OrderKey, FoldHeader) -> bool,
    ) -> Result<(), T::Error> {
        newest_first_in(self, key, upto, visit)
    }

    fn fact(&self, key: &PairTopic, at: OrderKey) -> Result<Option<FactEntry>, T::Error> {
        self.fact_at(key, at)
    }
}

/// A store whose writes are plain puts and removals of the layout's bytes, each fact kept as
/// the bare [`FactEntry`]: it is a [`LedgerStore`] with nothing else to keep.
pub trait EntryBytesMut: FactBytes {
    /// Sets `key` to `value`.
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>);

    /// Removes `key`.
    fn remove(&mut self, key: Vec<u8>);
}

impl<T: EntryBytesMut> LedgerStore for T {
    type Record = ();

    fn put_fact(&mut self, key: &PairTopic, entry: &FactEntry, _: &()) {
        self.put(
            layout::fact_key(key, entry.order_key()),
            layout::encode_entry(entry),
        );
    }

    fn remove_fact(&mut self, key: &PairTopic, at: OrderKey) {
        self.remove(layout::fact_key(key, at));
    }

    fn put_summary(&mut self, key: &PairTopic, summary: &Summary) {
        self.put(layout::summary_key(key), layout::encode_summary(summary));
    }

    fn remove_summary(&mut self, key: &PairTopic) {
        self.remove(layout::summary_key(key));
    }
}

/// The summary of `key` in `bytes`.
pub fn summary_in<B: OrderedBytes + ?Sized>(
    bytes: &B,
    key: &PairTopic,
) -> Result<Option<Summary>, B::Error> {
    let k = layout::summary_key(key);
    bytes
        .get(&k)?
        .map(|v| layout::decode_summary(&v).map_err(|e| bytes.corrupt(&k, e)))
        .transpose()
}

/// Feeds `visit` the order and fold header of `key`'s facts in `bytes`, newest first, from the
/// newest at or before `upto`, until it returns false ([`crate::LedgerView::newest_first`]).
pub fn newest_first_in<B: OrderedBytes + ?Sized>(
    bytes: &B,
    key: &PairTopic,
    upto: Option<OrderKey>,
    mut visit: impl FnMut(OrderKey, FoldHeader) -> bool,
) -> Result<(), B::Error> {
    let first = layout::fact_prefix(key);
    let last = match upto {
        Some(at) => layout::fact_key(key, at),
        None => [first.as_slice(), &[0xff; OrderKey::LEN]].concat(),
    };
    bytes.scan_rev(&first, &last, &mut |k, v| {
        let at = layout::order_of(k).map_err(|e| bytes.corrupt(k, e))?;
        let header = layout::header_of(v).map_err(|e| bytes.corrupt(k, e))?;
        Ok(visit(at, header))
    })
}

/// `key`'s fact at `at` in `bytes`, stored as the bare [`FactEntry`] ([`layout::encode_entry`]).
pub fn entry_in<B: OrderedBytes + ?Sized>(
    bytes: &B,
    key: &PairTopic,
    at: OrderKey,
) -> Result<Option<FactEntry>, B::Error> {
    let k = layout::fact_key(key, at);
    bytes
        .get(&k)?
        .map(|v| layout::decode_entry(&v).map_err(|e| bytes.corrupt(&k, e)))
        .transpose()
}
