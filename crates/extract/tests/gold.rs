//! The gold set as a test: strict precision at least 0.90 and strict recall at least 0.80 overall
//! (`just eval` prints the details), and every candidate of every gold article a valid event for
//! ingest, its organizations registered before it (in the registry or by a proposed
//! registration earlier in the batch).

use liaison_extract::gold;

use std::collections::HashSet;

use gold::Level;
use liaison_extract::{Article, Extractor, Language, Registry};
use liaison_proto::{ClientEvent, NameRegistry, unknown_names, validate_submission};
use serde_json::json;

// The bar the reader is held to; `just eval --verbose` shows what it misses.
#[test]
fn strict_precision_and_recall_hold() {
    let (registry, articles) = gold::load();
    assert!(!articles.is_empty(), "no gold articles");
    let ev = gold::evaluate(&registry, &articles);
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
    let strict = ev.total(Level::Strict, None, None);
    assert!(
        strict.precision() >= 0.90 && strict.recall() >= 0.80,
        "strict P {:.3} R {:.3} (run `just eval --verbose`)",
        strict.precision(),
        strict.recall()
    );
}

struct Names(HashSet<String>, HashSet<String>);

impl NameRegistry for Names {
    fn organization_known(&self, id: &str) -> bool {
        self.0.contains(id)
    }
    fn person_known(&self, id: &str) -> bool {
        self.1.contains(id)
    }
}

#[test]
fn every_candidate_is_a_valid_event() {
    let (registry, articles) = gold::load();
    let extractor = Extractor::new(Registry::from_events(&registry));
    let r = extractor.registry();
    for a in &articles {
        let language = if a.language == "de" {
            Language::De
        } else {
            Language::En
        };
        let article = Article {
            text: &a.text,
            language: Some(language),
            published_at: a.published_at,
        };
        let candidates = extractor.extract(&article).unwrap().candidates;
        if candidates.is_empty() {
            continue;
        }
        let batch: Vec<_> = candidates
            .iter()
            .map(|c| json!({"type": c.event_type.as_str(), "time": c.time, "data": c.data}))
            .collect();
        let events: Vec<ClientEvent> = validate_submission(&json!(batch))
            .unwrap_or_else(|e| panic!("{}: {e:?}\n{batch:#?}", a.file));
        let mut names = Names(
            r.organizations.iter().map(|o| o.id.clone()).collect(),
            r.people.iter().map(|p| p.id.clone()).collect(),
        );
        for (e, c) in events.iter().zip(&candidates) {
            let unknown = unknown_names(&e.event, &names);
            assert!(
                unknown.is_empty(),
                "{}: {unknown:?} in {:?}",
                a.file,
                c.data
            );
            if let Some(id) = c.data.get("id").and_then(|v| v.as_str()) {
                names.0.insert(id.to_owned());
            }
            assert_eq!(
                &a.text[c.quote_span.0..c.quote_span.1],
                c.quote,
                "{}",
                a.file
            );
            assert!((0.0..=1.0).contains(&c.confidence));
        }
        let keys: HashSet<&str> = candidates.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys.len(), candidates.len(), "{}: keys are unique", a.file);
    }
}
