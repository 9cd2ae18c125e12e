//! The English demo article of the Meta–LG scenario (`deploy/articles/meta-lg-2024.en.txt`, our
//! own text), read with the scenario's registrations: the same facts as the German seed article,
//! and nothing from the share-price sentence.

use liaison_extract::{Article, Candidate, Extractor, Language, Registry};
use serde_json::Value;
use support::{factuality, topics};

mod support;

const ARTICLE: &str = include_str!("../../../deploy/articles/meta-lg-2024.en.txt");
const SCENARIO: &str = include_str!("../../../deploy/scenarios/meta-lg-2024.json");

#[test]
fn the_english_demo_article_yields_the_scenario_facts() {
    let scenario: Vec<Value> = serde_json::from_str(SCENARIO).unwrap();
    let extractor = Extractor::new(Registry::from_events(&scenario));
    let article = Article {
        text: ARTICLE,
        language: None,
        published_at: "2024-02-28".parse().unwrap(),
    };
    let extraction = extractor.extract(&article).unwrap();
    assert_eq!(extraction.language, Language::En);
    let found = extraction.candidates;
    let listing = support::listing(&found);
    let has = |t: &str, o: &[&str], pred: &dyn Fn(&Candidate) -> bool| {
        support::assert_has(&found, t, o, pred)
    };
    has(
        "meeting.held",
        &["meta", "lg-electronics", "lg-corp"],
        &|_| true,
    );
    has("cooperation.discussed", &["meta", "lg-electronics"], &|c| {
        topics(c).contains(&"xr") && factuality(c) == "asserted"
    });
    has("interest.expressed", &["meta", "lg-electronics"], &|c| {
        c.data["organization"] == "lg-electronics"
            && c.data["counterpart"] == "meta"
            && topics(c).contains(&"ai")
    });
    has("cooperation.discussed", &["meta", "lg-electronics"], &|c| {
        (topics(c).contains(&"ai") || topics(c).contains(&"on-device-ai"))
            && factuality(c) == "possible"
    });
    has(
        "meeting.scheduled",
        &["meta", "samsung-electronics"],
        &|c| factuality(c) == "reported",
    );
    has("meeting.scheduled", &["meta", "korea-government"], &|c| {
        factuality(c) == "reported"
    });
    has("procurement.planned", &["meta", "nvidia"], &|c| {
        c.data["buyer"] == "meta"
            && c.data["supplier"] == "nvidia"
            && c.data.get("quantity") == Some(&Value::from(350_000))
            && c.data.get("by").and_then(Value::as_str) == Some("2024-12-31")
            && factuality(c) == "planned"
    });
    has("product.launched", &["meta"], &|c| {
        c.data["product"] == "Quest 3" && c.time == "2023-06-01"
    });
    has("product.launched", &["apple"], &|c| {
        c.data["product"] == "Vision Pro"
    });
    has("competition.noted", &["meta", "apple"], &|c| {
        topics(c).contains(&"xr")
    });
    assert!(
        !found.iter().any(|c| c.quote.contains("Shares of")),
        "nothing from the share-price sentence:\n{listing}"
    );
    assert!(
        found.iter().all(|c| factuality(c) != "negated"),
        "nothing is denied in the article:\n{listing}"
    );
    for c in &found {
        assert_eq!(&ARTICLE[c.quote_span.0..c.quote_span.1], c.quote);
    }
    assert_eq!(found.len(), 10, "{listing}");
}
