//! The confidence of a candidate: the rule's base weight, less for every organization found only
//! through a back-reference or pronoun (0.1) or new to the registry (0.05), less when the nearest
//! organization stands far from the trigger (0.05 beyond 12 words), more when an organization is
//! named with an explicit role ("Samsung-Chef", "CEO von LG Electronics", 0.05). Simple enough to
//! explain to a reviewer in one line.

use crate::mentions::{Mention, Via};

/// Words between a trigger and its nearest organization beyond which the link is weaker.
const FAR: usize = 12;

/// The confidence for a rule of weight `base` whose organizations were found as `used`, its
/// trigger at token `at`.
pub(crate) fn score(base: f64, used: &[&Mention], at: usize) -> f64 {
    let mut c = base;
    for m in used {
        c -= match m.via {
            Via::BackRef | Via::Pronoun => 0.1,
            Via::New => 0.05,
            Via::Name | Via::Person => 0.0,
        };
    }
    let nearest = used
        .iter()
        .map(|m| {
            if m.last < at {
                at - m.last
            } else {
                m.first.saturating_sub(at)
            }
        })
        .min()
        .unwrap_or(0);
    if nearest > FAR {
        c -= 0.05;
    }
    if used.iter().any(|m| m.role) {
        c += 0.05;
    }
    (c.clamp(0.05, 0.95) * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(at: usize, via: Via, role: bool) -> Mention {
        Mention {
            first: at,
            last: at,
            org: Some("x".into()),
            person: None,
            via,
            surface: String::new(),
            role,
            place: false,
        }
    }

    #[test]
    fn back_references_and_distance_lower_roles_raise() {
        let named = mention(1, Via::Name, false);
        let back = mention(2, Via::BackRef, false);
        let role = mention(3, Via::Person, true);
        assert_eq!(score(0.7, &[&named, &role], 2), 0.75);
        assert_eq!(score(0.7, &[&named, &back], 3), 0.6);
        assert_eq!(score(0.7, &[&named], 30), 0.65);
    }
}
