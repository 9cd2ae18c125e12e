//! The gold set (`gold/registry.json`, `gold/{de,en}/*.toml`) and its scoring: precision, recall
//! and F1 per event type and language, relaxed (type and organization set) and strict (also
//! factuality, and a common topic when the gold names topics), with greedy one-to-one matching.
//! Behind the `gold` feature (it reads files), for `just eval` (`examples/eval.rs`), the crate's
//! tests and `just bench`; the extractor itself never uses it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{Article, Candidate, Extractor, Language, Registry};
use serde::Deserialize;
use serde_json::Value;

/// The gold directory of the crate.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("gold")
}

/// One expected event.
#[derive(Debug, Clone, Deserialize)]
pub struct Expected {
    /// Its type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Its organizations, as a set.
    pub organizations: Vec<String>,
    /// Its factuality.
    #[serde(default = "asserted")]
    pub factuality: String,
    /// Its topics (empty: the text names none).
    #[serde(default)]
    pub topics: Vec<String>,
    /// The words that justify it.
    #[serde(default)]
    pub quote: String,
}

fn asserted() -> String {
    "asserted".to_owned()
}

/// One article of the gold set.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldArticle {
    /// Its file, relative to the gold directory.
    #[serde(skip)]
    pub file: String,
    /// `de` or `en`.
    pub language: String,
    /// The publication day.
    pub published_at: chrono::NaiveDate,
    /// The text.
    pub text: String,
    /// What an analyst codes.
    #[serde(default)]
    pub expected: Vec<Expected>,
}

/// The registry events and every article, in file order.
pub fn load() -> (Vec<Value>, Vec<GoldArticle>) {
    let d = dir();
    let registry: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(d.join("registry.json")).expect("gold/registry.json"),
    )
    .expect("gold/registry.json is a JSON array of events");
    let mut articles = Vec::new();
    for lang in ["de", "en"] {
        let Ok(entries) = std::fs::read_dir(d.join(lang)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("a gold article");
            let mut a: GoldArticle =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            a.file = format!(
                "{lang}/{}",
                f.file_name().unwrap_or_default().to_string_lossy()
            );
            articles.push(a);
        }
    }
    (registry, articles)
}

/// The organization set of a candidate, sorted.
pub fn orgs(c: &Candidate) -> Vec<String> {
    let mut v: Vec<String> = match c.data.get("organizations") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => ["id", "organization", "counterpart", "buyer", "supplier"]
            .iter()
            .filter_map(|k| c.data.get(*k).and_then(Value::as_str).map(str::to_owned))
            .collect(),
    };
    v.sort();
    v.dedup();
    v
}

/// The topics of a candidate.
pub fn topics(c: &Candidate) -> Vec<String> {
    c.data
        .get("topics")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The factuality of a candidate (`asserted` when absent).
pub fn factuality(c: &Candidate) -> String {
    c.data
        .get("factuality")
        .and_then(Value::as_str)
        .unwrap_or("asserted")
        .to_owned()
}

/// True and false positives and negatives.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Matched.
    pub tp: usize,
    /// Found, not expected.
    pub fp: usize,
    /// Expected, not found.
    pub fn_: usize,
}

impl Counts {
    /// Precision (1 when nothing was found).
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    /// Recall (1 when nothing was expected).
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    /// F1.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

/// The matching level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Type and organization set.
    Relaxed,
    /// Also factuality and a common topic when the gold has topics.
    Strict,
}

/// A miss or a false positive, for `--verbose`.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The article.
    pub file: String,
    /// The level.
    pub level: Level,
    /// `miss` or `false positive`.
    pub what: &'static str,
    /// The event, in short.
    pub event: String,
    /// The sentence (a candidate's quote, or the gold quote).
    pub sentence: String,
}

/// The result of an evaluation: counts per (level, language, type).
#[derive(Debug, Default)]
pub struct Evaluation {
    /// Counts by level, language (`de`, `en`) and event type.
    pub counts: BTreeMap<(Level, String, String), Counts>,
    /// Misses and false positives.
    pub problems: Vec<Problem>,
    /// Articles that failed to be read.
    pub errors: Vec<String>,
}

impl Evaluation {
    /// The total of `level`, for language `lang` (`None`: both) and type `ty` (`None`: all).
    pub fn total(&self, level: Level, lang: Option<&str>, ty: Option<&str>) -> Counts {
        let mut c = Counts::default();
        for ((l, g, t), n) in &self.counts {
            if *l == level && lang.is_none_or(|x| x == g) && ty.is_none_or(|x| x == t) {
                c.add(*n);
            }
        }
        c
    }

    /// The event types seen.
    pub fn types(&self) -> Vec<String> {
        let mut v: Vec<String> = self.counts.keys().map(|k| k.2.clone()).collect();
        v.sort();
        v.dedup();
        v
    }
}

fn short(ty: &str, orgs: &[String], fact: &str, topics: &[String]) -> String {
    format!("{ty} {orgs:?} {fact} {topics:?}")
}

/// Runs the extractor over every article and scores it.
pub fn evaluate(registry: &[Value], articles: &[GoldArticle]) -> Evaluation {
    let extractor = Extractor::new(Registry::from_events(registry));
    let mut ev = Evaluation::default();
    for a in articles {
        let language = match a.language.as_str() {
            "de" => Language::De,
            _ => Language::En,
        };
        let article = Article {
            text: &a.text,
            language: Some(language),
            published_at: a.published_at,
        };
        let found = match extractor.extract(&article) {
            Ok(x) => x.candidates,
            Err(e) => {
                ev.errors.push(format!("{}: {e}", a.file));
                Vec::new()
            }
        };
        for level in [Level::Relaxed, Level::Strict] {
            score(&mut ev, a, &found, level);
        }
    }
    ev
}

fn matches(level: Level, c: &Candidate, g: &Expected) -> bool {
    let mut gorgs = g.organizations.clone();
    gorgs.sort();
    gorgs.dedup();
    if c.event_type.as_str() != g.event_type || orgs(c) != gorgs {
        return false;
    }
    // Topics count where the event's data has them (a procurement has none in the contract).
    let has_topics = !matches!(
        g.event_type.as_str(),
        "procurement.planned" | "organization.registered"
    );
    level == Level::Relaxed
        || (factuality(c) == g.factuality
            && (!has_topics
                || g.topics.is_empty()
                || topics(c).iter().any(|t| g.topics.contains(t))))
}

fn score(ev: &mut Evaluation, a: &GoldArticle, found: &[Candidate], level: Level) {
    let mut used = vec![false; a.expected.len()];
    for c in found {
        let ty = c.event_type.as_str().to_owned();
        let slot = ev
            .counts
            .entry((level, a.language.clone(), ty.clone()))
            .or_default();
        match (0..a.expected.len()).find(|&i| !used[i] && matches(level, c, &a.expected[i])) {
            Some(i) => {
                used[i] = true;
                slot.tp += 1;
            }
            None => {
                slot.fp += 1;
                ev.problems.push(Problem {
                    file: a.file.clone(),
                    level,
                    what: "false positive",
                    event: short(&ty, &orgs(c), &factuality(c), &topics(c)),
                    sentence: c.quote.clone(),
                });
            }
        }
    }
    for (i, g) in a.expected.iter().enumerate() {
        if used[i] {
            continue;
        }
        ev.counts
            .entry((level, a.language.clone(), g.event_type.clone()))
            .or_default()
            .fn_ += 1;
        ev.problems.push(Problem {
            file: a.file.clone(),
            level,
            what: "miss",
            event: short(&g.event_type, &g.organizations, &g.factuality, &g.topics),
            sentence: g.quote.clone(),
        });
    }
}
