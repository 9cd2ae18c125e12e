//! The other relation kinds: supplier/customer (from `procurement.planned`) and competitor (from
//! `competition.noted`), routed by the domain core's [`LinkFact`] and stored one fact per key,
//! with an index per organization.

use liaison_proto::query::{CompetitorSummary, TradeSummary};
use liaison_proto::{AsOf, Factuality, Slug};
use liaison_relations::{LinkFact, LinkKey, OrderKey};

use crate::store::{LinkRecord, Store, StoreError, Writes, decode, encode, keys};

fn link_prefix(link: &str) -> Vec<u8> {
    keys::prefix(keys::LINK_FACT, link.as_bytes())
}

fn orgs_of(key: &LinkKey) -> [&Slug; 2] {
    match key {
        LinkKey::Supplies { supplier, customer } => [supplier, customer],
        LinkKey::Competes(k) => [&k.a, &k.b],
    }
}

fn org_link_key(org: &str, link: &str) -> Vec<u8> {
    keys::key(keys::ORG_LINK, &[org.as_bytes(), link.as_bytes()])
}

/// Adds `fact` (with its stored `record`) to every link it concerns; returns their storage keys.
pub fn add(w: &mut Writes<'_>, fact: &LinkFact, record: &LinkRecord) -> Vec<String> {
    let order = keys::order(fact.time, fact.sequence);
    let mut out = Vec::new();
    for key in &fact.keys {
        let link = key.storage_key();
        let mut k = link_prefix(&link);
        k.extend_from_slice(&order);
        w.insert(k, encode(record));
        for org in orgs_of(key) {
            w.insert(org_link_key(org.as_str(), &link), Vec::new());
        }
        out.push(link);
    }
    out
}

/// Removes the fact at `order` from `link`, and the link from its organizations' indexes
/// when no fact is left.
pub fn remove(w: &mut Writes<'_>, link: &str, order: OrderKey) -> Result<(), StoreError> {
    let prefix = link_prefix(link);
    let mut k = prefix.clone();
    k.extend_from_slice(&order.to_bytes());
    w.remove(k);
    if !w.any_with_prefix(&prefix)? {
        let mut parts = link.split('/');
        let orgs: Vec<&str> = match parts.next() {
            Some("supplies") => parts.take(2).collect(),
            Some("competes") => parts.take(2).collect(),
            _ => Vec::new(),
        };
        for org in orgs {
            w.remove(org_link_key(org, link));
        }
    }
    Ok(())
}

/// `(suppliers, customers, competitors)` of an organization.
pub type LinkSummaries = (Vec<TradeSummary>, Vec<TradeSummary>, Vec<CompetitorSummary>);

/// The supplier, customer and competitor summaries of `org` as of `as_of`: one trade entry per
/// `procurement.planned` that is not denied (with its factuality: most are announced as
/// planned), one competitor entry per other organization with the topics of asserted
/// `competition.noted` facts. Reads at most `max_scan` entries (links and their facts); the
/// flag says whether it stopped there, with summaries of the links read so far.
pub fn summaries(
    store: &Store,
    org: &Slug,
    as_of: Option<AsOf>,
    max_scan: usize,
) -> Result<(LinkSummaries, bool), StoreError> {
    let prefix = keys::prefix(keys::ORG_LINK, org.as_str().as_bytes());
    let bound = as_of.map(keys::as_of_bound);
    let (mut suppliers, mut customers) = (Vec::new(), Vec::new());
    let mut competitors: Vec<CompetitorSummary> = Vec::new();
    let mut budget = max_scan;
    let mut truncated = false;
    'links: for k in store.tree().scan_prefix(&prefix).keys() {
        let k = k?;
        if budget == 0 {
            truncated = true;
            break;
        }
        budget -= 1;
        let link = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
        let parts: Vec<&str> = link.split('/').collect();
        let is_trade = parts.first() == Some(&"supplies");
        let mut listed = Vec::new();
        for item in store.tree().scan_prefix(link_prefix(&link)) {
            let (fk, v) = item?;
            if budget == 0 {
                truncated = true;
                break 'links;
            }
            budget -= 1;
            if bound.is_some_and(|b| fk[fk.len() - keys::ORDER_LEN..] > b[..]) {
                break;
            }
            let record: LinkRecord = decode(&fk, &v)?;
            let shown = if is_trade {
                record.factuality != Factuality::Negated
            } else {
                record.factuality.moves_status()
            };
            if shown {
                listed.push(record);
            }
        }
        if listed.is_empty() {
            continue;
        }
        let slug = |s: &str| Slug::parse(s).ok();
        match parts.as_slice() {
            ["supplies", supplier, customer] => {
                let (Some(supplier), Some(customer)) = (slug(supplier), slug(customer)) else {
                    continue;
                };
                for r in listed {
                    let (list, other) = if &customer == org {
                        (&mut suppliers, supplier.clone())
                    } else {
                        (&mut customers, customer.clone())
                    };
                    list.push(TradeSummary {
                        organization: other,
                        item: r.item.unwrap_or_default(),
                        quantity: r.quantity,
                        time: r.time,
                        factuality: r.factuality,
                        by: r.by,
                    });
                }
            }
            ["competes", a, b, topic] => {
                let other = if *a == org.as_str() { b } else { a };
                let (Some(other), Some(topic)) = (slug(other), slug(topic)) else {
                    continue;
                };
                match competitors.iter_mut().find(|c| c.organization == other) {
                    Some(c) => c.topics.push(topic),
                    None => competitors.push(CompetitorSummary {
                        organization: other,
                        topics: vec![topic],
                    }),
                }
            }
            _ => {}
        }
    }
    suppliers.sort_by(|x, y| (x.time, &x.organization).cmp(&(y.time, &y.organization)));
    customers.sort_by(|x, y| (x.time, &x.organization).cmp(&(y.time, &y.organization)));
    competitors.sort_by(|x, y| x.organization.cmp(&y.organization));
    for c in &mut competitors {
        c.topics.sort();
    }
    Ok(((suppliers, customers, competitors), truncated))
}
