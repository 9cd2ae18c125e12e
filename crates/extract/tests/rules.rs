//! The rule classes one invented sentence at a time, in German and English: what each rule reads
//! out of a short text and what it leaves alone.

use liaison_extract::{Article, Candidate, Extractor, Language, Registry};
use serde_json::{Value, json};

fn org(id: &str, name: &str, country: &str, kind: &str) -> Value {
    json!({"type": "organization.registered", "time": "2024-01-01",
           "data": {"id": id, "name": name, "kind": kind, "country": country}})
}

fn extractor() -> Extractor {
    let events = vec![
        org("meta", "Meta", "US", "company"),
        org("samsung", "Samsung", "KR", "company"),
        org("nvidia", "Nvidia", "US", "company"),
        org("bosch", "Bosch", "DE", "company"),
        org("tesla", "Tesla", "US", "company"),
        org("apple", "Apple", "US", "company"),
        org("google", "Google", "US", "company"),
        org("korea-government", "Südkorea", "KR", "government"),
        json!({"type": "person.registered", "time": "2024-01-01",
               "data": {"id": "jay-lee", "name": "Jay Lee", "aliases": ["Lee"],
                        "affiliations": [{"organization": "samsung", "role": "Chairman"}]}}),
        json!({"type": "person.registered", "time": "2024-01-01",
               "data": {"id": "mark-zuckerberg", "name": "Mark Zuckerberg", "aliases": ["Zuckerberg"],
                        "affiliations": [{"organization": "meta", "role": "CEO"}]}}),
    ];
    Extractor::new(Registry::from_events(&events))
}

/// `type [orgs sorted] factuality` of every candidate of `text`.
fn read(language: Language, text: &str) -> Vec<String> {
    let article = Article {
        text,
        language: Some(language),
        published_at: "2025-03-12".parse().unwrap(),
    };
    extractor()
        .extract(&article)
        .unwrap()
        .candidates
        .iter()
        .map(describe)
        .collect()
}

fn describe(c: &Candidate) -> String {
    let mut orgs: Vec<&str> = match c.data.get("organizations") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => ["id", "organization", "counterpart", "buyer", "supplier"]
            .iter()
            .filter_map(|k| c.data.get(*k).and_then(Value::as_str))
            .collect(),
    };
    orgs.sort();
    let f = c
        .data
        .get("factuality")
        .and_then(Value::as_str)
        .unwrap_or("asserted");
    format!("{} {} {f}", c.event_type.as_str(), orgs.join(","))
}

fn has(found: &[String], what: &str) -> bool {
    found.iter().any(|f| f == what)
}

#[test]
fn a_past_discussion_needs_no_cooperation_noun_but_a_future_agenda_is_none() {
    let en = read(
        Language::En,
        "Zuckerberg met Lee in Seoul on Monday, and the two discussed chips for headsets.",
    );
    assert!(
        has(&en, "cooperation.discussed meta,samsung asserted"),
        "{en:?}"
    );
    let de = read(
        Language::De,
        "Zuckerberg traf Lee am Montag. Die beiden Manager sprachen über Halbleiter für Headsets.",
    );
    assert!(
        has(&de, "cooperation.discussed meta,samsung asserted"),
        "{de:?}"
    );
    let future = read(
        Language::En,
        "Zuckerberg will meet Lee next week to discuss chips for headsets.",
    );
    assert!(
        !future
            .iter()
            .any(|f| f.starts_with("cooperation.discussed")),
        "{future:?}"
    );
    let terms = read(
        Language::En,
        "Under the arrangement being discussed, Meta would pay Samsung for chips.",
    );
    assert!(
        !terms.iter().any(|f| f.starts_with("cooperation.discussed")),
        "{terms:?}"
    );
}

#[test]
fn not_renewed_ends_a_partnership_without_negating_it() {
    let en = read(
        Language::En,
        "Meta said its agreement with Samsung would not be renewed when it expires.",
    );
    assert!(has(&en, "partnership.ended meta,samsung planned"), "{en:?}");
    let de = read(
        Language::De,
        "Die Zusammenarbeit von Meta und Samsung wird nicht verlängert.",
    );
    assert!(has(&de, "partnership.ended meta,samsung planned"), "{de:?}");
}

#[test]
fn launches_as_nouns_and_market_entries_belong_to_their_subject() {
    let en = read(
        Language::En,
        "Meta launched its Quest 3 headset in June, before Apple entered the market with its Vision Pro this month.",
    );
    assert!(has(&en, "product.launched meta asserted"), "{en:?}");
    assert!(has(&en, "product.launched apple asserted"), "{en:?}");
    let de = read(
        Language::De,
        "Einen Bericht, wonach Apple ein faltbares iPhone vorstellen werde, dementierte das Unternehmen.",
    );
    assert!(has(&de, "product.launched apple negated"), "{de:?}");
}

#[test]
fn using_a_suppliers_product_is_a_procurement_only_when_planned() {
    let en = read(
        Language::En,
        "Tesla may consider using Nvidia's chips in its cars, the company said.",
    );
    assert!(
        has(&en, "procurement.planned nvidia,tesla possible"),
        "{en:?}"
    );
    let de = read(
        Language::De,
        "Bosch will ab 2026 in allen Steuergeräten Chips von Nvidia einsetzen.",
    );
    assert!(
        has(&de, "procurement.planned bosch,nvidia planned"),
        "{de:?}"
    );
    let ongoing = read(Language::En, "Tesla uses Nvidia's chips in its cars.");
    assert!(ongoing.is_empty(), "{ongoing:?}");
}

#[test]
fn the_supplier_stands_in_the_clause_of_the_purchase_and_an_effort_to_supply_is_none() {
    let en = read(
        Language::En,
        "Meta, which overtook rival Apple last year, plans to source chips from Nvidia.",
    );
    assert!(
        has(&en, "procurement.planned meta,nvidia planned"),
        "{en:?}"
    );
    assert!(
        !en.iter()
            .any(|f| f.starts_with("procurement.planned apple"))
    );
    let de = read(
        Language::De,
        "Samsung bemüht sich seit einem Jahr darum, an Nvidia liefern zu dürfen.",
    );
    assert!(
        !de.iter().any(|f| f.starts_with("procurement.planned")),
        "{de:?}"
    );
}

#[test]
fn a_visitors_meetings_during_a_trip_are_each_apart() {
    let en = read(
        Language::En,
        "Zuckerberg is expected to meet Südkorea's president and Samsung chairman Jay Lee during the trip.",
    );
    assert!(
        has(&en, "meeting.scheduled korea-government,meta planned"),
        "{en:?}"
    );
    assert!(has(&en, "meeting.scheduled meta,samsung planned"), "{en:?}");
    let de = read(
        Language::De,
        "Zuckerberg will während der Reise Vertreter von Südkorea und Samsung-Chef Jay Lee treffen.",
    );
    assert!(has(&de, "meeting.scheduled meta,samsung planned"), "{de:?}");
}

#[test]
fn rivals_listed_after_a_comma_and_after_a_countrys_genitive() {
    let en = read(
        Language::En,
        "Meta competes with Google, Quantinuum and Switzerland's ABB in quantum computing.",
    );
    for pair in ["google,meta", "meta,quantinuum", "abb,meta"] {
        assert!(
            has(&en, &format!("competition.noted {pair} asserted")),
            "{en:?}"
        );
    }
    assert!(
        has(&en, "organization.registered quantinuum asserted"),
        "{en:?}"
    );
    let de = read(
        Language::De,
        "Meta konkurriert mit Google, Apple und dem Start-up Aleph Alpha.",
    );
    assert!(has(&de, "competition.noted apple,meta asserted"), "{de:?}");
}

#[test]
fn held_talks_and_settlements() {
    let en = read(
        Language::En,
        "Meta will hold talks with Samsung in January. The two sides could still reach a settlement with Apple, a person close to Meta said.",
    );
    assert!(has(&en, "meeting.scheduled meta,samsung planned"), "{en:?}");
    assert!(
        en.iter()
            .any(|f| f.starts_with("agreement.signed") && f.ends_with("reported")),
        "{en:?}"
    );
}
