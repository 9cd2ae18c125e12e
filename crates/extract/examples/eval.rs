//! `just eval`: the extractor against the gold set — precision, recall and F1 per event type and
//! overall, German and English apart and together, relaxed (type + organization set) and strict
//! (+ factuality, + a common topic when the gold has topics). `--verbose` lists the misses and
//! false positives with their sentence.

use liaison_extract::gold;

use gold::{Counts, Level};

fn line(name: &str, c: Counts) {
    println!(
        "  {name:<26} P {:>5.3}  R {:>5.3}  F1 {:>5.3}   (tp {:>3}, fp {:>3}, fn {:>3})",
        c.precision(),
        c.recall(),
        c.f1(),
        c.tp,
        c.fp,
        c.fn_
    );
}

fn main() {
    let verbose = std::env::args().any(|a| a == "--verbose" || a == "-v");
    let (registry, articles) = gold::load();
    let ev = gold::evaluate(&registry, &articles);
    println!(
        "{} articles ({} de, {} en)",
        articles.len(),
        articles.iter().filter(|a| a.language == "de").count(),
        articles.iter().filter(|a| a.language == "en").count()
    );
    for e in &ev.errors {
        println!("error: {e}");
    }
    for level in [Level::Relaxed, Level::Strict] {
        for lang in [Some("de"), Some("en"), None] {
            println!("\n{level:?} — {}", lang.unwrap_or("de+en"));
            for ty in ev.types() {
                let c = ev.total(level, lang, Some(&ty));
                if c.tp + c.fp + c.fn_ > 0 {
                    line(&ty, c);
                }
            }
            line("OVERALL", ev.total(level, lang, None));
        }
    }
    if verbose {
        println!();
        for p in ev.problems.iter().filter(|p| p.level == Level::Strict) {
            println!("{} {}: {}\n    « {} »", p.file, p.what, p.event, p.sentence);
        }
    }
}
