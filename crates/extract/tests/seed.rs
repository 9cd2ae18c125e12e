//! The seed article of the Meta–LG scenario (shared beside the repository, never copied into it),
//! read with the scenario's registrations: the facts an analyst codes out of it.

use liaison_extract::{Article, Candidate, Extractor, Language, Registry};
use serde_json::Value;
use support::{factuality, topics};

mod support;

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/seeds/000_228333aa659cbf23.txt"
);
const SCENARIO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../deploy/scenarios/meta-lg-2024.json"
);

#[test]
fn the_seed_article_yields_the_scenario_facts() {
    // A git worktree elsewhere can point at the shared directory with LIAISON_SHARED_DIR.
    let path = std::env::var("LIAISON_SHARED_DIR")
        .map(|d| format!("{d}/seeds/000_228333aa659cbf23.txt"))
        .unwrap_or_else(|_| SEED.to_owned());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the seed article of the Meta–LG scenario is missing: looked for {path} ({e}). \
             CI has `../shared` beside the clone; elsewhere (a git worktree) point \
             LIAISON_SHARED_DIR at the shared directory"
        )
    });
    let scenario: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(SCENARIO).unwrap()).unwrap();
    let extractor = Extractor::new(Registry::from_events(&scenario));
    let article = Article {
        text: &text,
        language: Some(Language::De),
        published_at: "2024-02-28".parse().unwrap(),
    };
    let found = extractor.extract(&article).unwrap().candidates;
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
    has("competition.noted", &["meta", "apple"], &|c| {
        topics(c).contains(&"xr")
    });
    for c in &found {
        assert_eq!(&text[c.quote_span.0..c.quote_span.1], c.quote);
    }
    eprintln!("{listing}");
}
