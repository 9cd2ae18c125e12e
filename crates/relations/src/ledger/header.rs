//! The one byte of a stored fact that a re-fold reads.
//!
//! A late fact or a retraction re-folds a pair-topic newest first ([`crate::NewestFirst`]); it
//! needs of each fact only whether it moves the status and with what effect. Stored facts start
//! with this byte, so a re-fold decodes nothing else, and only the fact that brought the status
//! is read whole.

use crate::effect::Effect;
use crate::fact::FactEntry;

/// The bit set when the fact moves the status (asserted, with a status effect).
const MOVES: u8 = 0x80;

/// The fold header of a stored fact: its effect's [`Effect::code`], with the high bit set when
/// the fact moves the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FoldHeader(u8);

/// A byte that is no fold header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0:#04x} is no fold header")]
pub struct BadFoldHeader(pub u8);

impl FoldHeader {
    /// The header of a fact with `effect` that moves the status or not.
    pub fn new(effect: Effect, moves: bool) -> Self {
        Self(effect.code() | if moves { MOVES } else { 0 })
    }

    /// The header of `entry`.
    pub fn of(entry: &FactEntry) -> Self {
        Self::new(entry.effect, entry.moves_status())
    }

    /// Reads a stored header.
    pub fn from_byte(byte: u8) -> Result<Self, BadFoldHeader> {
        Effect::from_code(byte & !MOVES)
            .map(|_| Self(byte))
            .ok_or(BadFoldHeader(byte))
    }

    /// The stored byte.
    pub fn to_byte(self) -> u8 {
        self.0
    }

    /// The fact's effect.
    pub fn effect(self) -> Effect {
        Effect::from_code(self.0 & !MOVES).expect("checked when built")
    }

    /// The effect when the fact moves the status, `None` otherwise: what
    /// [`crate::NewestFirst::older`] takes.
    pub fn moves(self) -> Option<Effect> {
        (self.0 & MOVES != 0).then(|| self.effect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_round_trips_and_other_bytes_are_refused() {
        for effect in Effect::ALL {
            for moves in [false, true] {
                let h = FoldHeader::new(effect, moves);
                assert_eq!(FoldHeader::from_byte(h.to_byte()), Ok(h));
                assert_eq!(h.effect(), effect);
                assert_eq!(h.moves(), moves.then_some(effect));
            }
        }
        // The bytes stored before this type existed: `meeting.held` asserted, `other` not.
        assert_eq!(FoldHeader::new(Effect::Contact, true).to_byte(), 0x80);
        assert_eq!(FoldHeader::new(Effect::Other, false).to_byte(), 0x06);
        assert_eq!(FoldHeader::from_byte(0x07), Err(BadFoldHeader(0x07)));
        assert_eq!(FoldHeader::from_byte(0xff), Err(BadFoldHeader(0xff)));
    }
}
