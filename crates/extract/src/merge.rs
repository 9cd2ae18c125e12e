//! Duplicates within an article merged: a fact restated (the lead and a later paragraph) is one
//! candidate. Two candidates are the same fact when they have the same type and factuality and
//! the same organizations — or, for the events of a group (`organizations[]`), when one's
//! organizations are a part of the other's (the lead names two parties, a later paragraph all
//! three). The first sentence's quote stays; topics are united, missing fields filled.

use crate::rules::Raw;

/// Whether the event type names its organizations as a group.
fn grouped(raw: &Raw) -> bool {
    raw.fields.get("organizations").is_some()
}

/// Merges the duplicates of `raws`, keeping the order of first appearance.
pub(crate) fn merge(raws: Vec<Raw>) -> Vec<Raw> {
    let mut out: Vec<Raw> = Vec::new();
    for raw in raws {
        let same = out.iter_mut().find(|o| {
            o.event_type == raw.event_type
                && o.factuality == raw.factuality
                && if grouped(o) {
                    raw.orgs.iter().all(|x| o.orgs.contains(x))
                        || o.orgs.iter().all(|x| raw.orgs.contains(x))
                } else {
                    o.orgs == raw.orgs
                }
        });
        let Some(kept) = same else {
            out.push(raw);
            continue;
        };
        let is_group = grouped(&raw);
        for t in raw.topics {
            if !kept.topics.contains(&t) {
                kept.topics.push(t);
            }
        }
        if is_group && raw.orgs.len() > kept.orgs.len() {
            kept.orgs = raw.orgs;
            kept.fields
                .insert("organizations".into(), kept.orgs.clone().into());
        }
        for (k, v) in raw.fields {
            kept.fields.entry(k).or_insert(v);
        }
        for m in raw.mentions {
            if !kept.mentions.contains(&m) {
                kept.mentions.push(m);
            }
        }
        kept.new_orgs.extend(raw.new_orgs);
        kept.confidence = kept.confidence.max(raw.confidence);
    }
    out
}
