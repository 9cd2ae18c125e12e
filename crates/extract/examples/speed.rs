//! How many articles of about 500 words the extractor reads per second on one core: articles
//! built from the gold texts (each gold text repeated and cut at 500 words), N = 2000, with the
//! gold registry. Prints articles/s; the bench's bar is 200.

#[path = "common/gold.rs"]
mod gold;

use std::time::Instant;

use liaison_extract::{Article, Extractor, Language, Registry};

const WORDS: usize = 500;
const N: usize = 2000;

fn main() {
    let (registry, articles) = gold::load();
    let extractor = Extractor::new(Registry::from_events(&registry));
    let texts: Vec<(String, Language, chrono::NaiveDate)> = articles
        .iter()
        .map(|a| {
            let words: Vec<&str> = a.text.split_whitespace().collect();
            let text: Vec<&str> = words.iter().cycle().take(WORDS).copied().collect();
            let lang = if a.language == "de" {
                Language::De
            } else {
                Language::En
            };
            (text.join(" "), lang, a.published_at)
        })
        .collect();
    let start = Instant::now();
    let mut candidates = 0;
    for i in 0..N {
        let (text, language, published_at) = &texts[i % texts.len()];
        // Every other article detects its language, as the reader does when none is given.
        let language = (i % 2 == 0).then_some(*language);
        let article = Article {
            text,
            language,
            published_at: *published_at,
        };
        candidates += extractor
            .extract(&article)
            .map_or(0, |x| x.candidates.len());
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{N} articles of {WORDS} words in {secs:.2} s: {:.0} articles/s on one core ({candidates} candidates)",
        N as f64 / secs
    );
}
