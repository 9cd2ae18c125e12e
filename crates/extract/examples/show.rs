//! `cargo run -p liaison-extract --example show -- FILE [REGISTRY.json] [YYYY-MM-DD]`: the
//! candidates of one article with their rule, trigger, mentions and cues, to see why a rule did or
//! did not fire. FILE is a gold article (`gold/de/01-….toml`, read with the gold registry) or a
//! plain text (read with REGISTRY, a JSON array of registration events, and the date).

use liaison_extract::gold;

use liaison_extract::{Article, Extractor, Registry};
use serde_json::Value;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: show FILE [REGISTRY.json] [YYYY-MM-DD]");
        std::process::exit(2);
    };
    let raw = std::fs::read_to_string(file).expect("the article");
    let (registry, text, published) = if file.ends_with(".toml") {
        let a: gold::GoldArticle = toml::from_str(&raw).expect("a gold article");
        (gold::load().0, a.text, a.published_at)
    } else {
        let reg = args.get(1).expect("a registry for a plain text");
        let registry: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(reg).expect("the registry"))
                .expect("a JSON array of events");
        let day = args.get(2).map_or("2024-02-28", String::as_str);
        (registry, raw, day.parse().expect("YYYY-MM-DD"))
    };
    let extractor = Extractor::new(Registry::from_events(&registry));
    let article = Article {
        text: &text,
        language: None,
        published_at: published,
    };
    for c in extractor.extract(&article).expect("readable").candidates {
        println!(
            "{} {:?} {} {:?} [{}: {} | {:?} | {:?}] {}\n    « {} »",
            c.event_type.as_str(),
            gold::orgs(&c),
            gold::factuality(&c),
            gold::topics(&c),
            c.rationale.rule,
            c.rationale.trigger,
            c.rationale.mentions,
            c.rationale.cues,
            serde_json::to_string(&c.data).unwrap_or_default(),
            c.quote
        );
    }
}
