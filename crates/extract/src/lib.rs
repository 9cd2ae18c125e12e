//! Liaison's news reader, the pure part: the text of a German or English article and the registry
//! of organizations and people in, the candidate events a careful analyst would code out — each
//! with the sentence it quotes, a confidence and the trigger and rule that produced it, so that a
//! reviewer can see why (docs/decisions/016-reading-the-news.md).
//!
//! No IO and nothing downloaded at run time: the lexicons and rules are data files of this crate,
//! compiled in. The same input always gives the same candidates.
//!
//! The pipeline, one module each: [`normalize`](crate) the text with an offset map; split it
//! into sentences and words; find the registry's names (gazetteer), new companies (unknown) and
//! what points back to them (mentions); apply the rules (rules: triggers, factuality, topics,
//! dates, fields, confidence); merge duplicates (merge); propose the new companies' registration.

mod candidate;
mod confidence;
mod data;
mod dates;
mod factuality;
mod fields;
mod gazetteer;
#[cfg(feature = "gold")]
pub mod gold;
mod language;
mod lexicon;
mod mentions;
mod merge;
mod normalize;
mod registry;
mod rules;
mod sentences;
mod slug;
mod tokens;
mod topics;
mod unknown;

pub use candidate::{Candidate, Rationale};
pub use liaison_proto::reader::Language;
pub use registry::{OrgEntry, PersonEntry, Registry};

use chrono::NaiveDate;
use liaison_proto::EventType;
use serde_json::{Map, Value};

use crate::gazetteer::{Gazetteer, Named as Target, at_boundaries};
use crate::mentions::{Context, Named, Via};
use crate::normalize::Normalized;
use crate::rules::{Raw, Sentence};
use crate::unknown::NewOrg;

/// An article as the extractor reads it: plain text (HTML is reduced to its main text before).
#[derive(Debug, Clone, Copy)]
pub struct Article<'a> {
    /// The article's text, paragraphs separated by blank lines.
    pub text: &'a str,
    /// The language, when the caller knows it; detected otherwise.
    pub language: Option<Language>,
    /// The day the article was published: relative dates (`am Mittwoch`, `last week`) are resolved
    /// against it, and it is the business time of a fact the text does not date.
    pub published_at: NaiveDate,
}

/// What the extractor found in one article.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    /// The language read (given or detected).
    pub language: Language,
    /// The candidates, in the order of the sentences that produced them; duplicates within the
    /// article merged.
    pub candidates: Vec<Candidate>,
}

/// Why an article could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// The text is in neither German nor English.
    #[error("the article's language is not German or English (it reads as {detected})")]
    UnsupportedLanguage {
        /// What the text was taken for, for the error message.
        detected: String,
    },
}

/// The extractor for one registry: its name automaton and lexicons built once, then used for
/// every article until the registry changes. Cheap to share between threads.
#[derive(Debug)]
pub struct Extractor {
    registry: Registry,
    gazetteer: Gazetteer,
}

/// The confidence of a proposed registration.
const REGISTRATION_CONFIDENCE: f64 = 0.6;

impl Extractor {
    /// Builds the extractor for `registry`.
    pub fn new(registry: Registry) -> Self {
        let gazetteer = Gazetteer::new(&registry);
        // Parse the data files now rather than in the first article.
        let _ = data::data();
        Self {
            registry,
            gazetteer,
        }
    }

    /// The registry it resolves names against.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Reads `article`.
    pub fn extract(&self, article: &Article<'_>) -> Result<Extraction, ExtractError> {
        let language = match article.language {
            Some(l) => l,
            None => language::detect(article.text)?,
        };
        let d = data::data();
        let lang = d.lang(language);
        let norm = Normalized::new(article.text);
        let text = norm.text.as_str();
        let trigger_classes: Vec<&str> = d.rules.iter().map(|r| r.trigger.as_str()).collect();

        let mut sentences: Vec<Sentence<'_>> = sentences::split(text, &d.sentences)
            .into_iter()
            .map(|span| {
                let tokens = tokens::tokenize(text, span.0, span.1);
                let classes = lang.classes.find_all(&tokens);
                Sentence {
                    text,
                    span,
                    tokens,
                    mentions: Vec::new(),
                    classes,
                }
            })
            .collect();

        // Registered names, then new companies (which win over a registered name inside them:
        // "LG Display Co." is not LG).
        let found = self.gazetteer.find(text);
        let mut new_orgs: Vec<(NewOrg, (usize, usize))> = Vec::new();
        for s in &sentences {
            let known = |i: usize| {
                let t = &s.tokens[i];
                found.iter().any(|f| f.start < t.end && t.start < f.end)
            };
            let triggered = s
                .classes
                .iter()
                .any(|h| trigger_classes.contains(&h.label.as_str()));
            for n in unknown::discover(text, &s.tokens, &known, triggered, lang, &d.unknown) {
                if self.registry.organization(&n.id).is_none()
                    && !new_orgs.iter().any(|(o, _)| o.id == n.id)
                {
                    new_orgs.push((n, s.span));
                }
            }
        }
        let mut spans: Vec<(usize, usize, Target, Via)> = Vec::new();
        for (n, _) in &new_orgs {
            let mut from = 0;
            while let Some(pos) = text[from..].find(&n.name) {
                let (a, b) = (from + pos, from + pos + n.name.len());
                if at_boundaries(text, a, b) {
                    spans.push((a, b, Target::Org(n.id.clone()), Via::New));
                }
                from = b;
            }
        }
        for f in found {
            if !spans.iter().any(|(a, b, _, _)| *a < f.end && f.start < *b) {
                let via = match f.named {
                    Target::Org(_) => Via::Name,
                    Target::Person(..) => Via::Person,
                };
                spans.push((f.start, f.end, f.named, via));
            }
        }
        spans.sort_by_key(|s| s.0);

        let mut ctx = Context::default();
        let mut raws: Vec<Raw> = Vec::new();
        for s in &mut sentences {
            let named: Vec<Named> = spans
                .iter()
                .filter(|(a, _, _, _)| s.span.0 <= *a && *a < s.span.1)
                .filter_map(|(a, b, target, via)| {
                    let first = s.tokens.iter().position(|t| t.end > *a)?;
                    let last = s.tokens.iter().rposition(|t| t.start < *b)?;
                    let (org, person) = match target {
                        Target::Org(id) => (Some(id.clone()), None),
                        Target::Person(id, org) => (org.clone(), Some(id.clone())),
                    };
                    Some(Named {
                        first,
                        last: last.max(first),
                        org,
                        person,
                        via: *via,
                    })
                })
                .collect();
            s.mentions = mentions::resolve(text, &s.tokens, named, lang, &self.registry, &mut ctx);
            raws.extend(rules::apply(s, lang, &d.rules, article.published_at));
        }

        // A fact whose sentence names no topic takes those of the next sentence, which usually
        // says what it was about ("Huang met Wei last week. They discussed packaging for AI chips").
        for raw in &mut raws {
            if !raw.topics.is_empty() || raw.event_type == EventType::ProcurementPlanned {
                continue;
            }
            let next = sentences
                .iter()
                .position(|s| s.span == raw.sentence)
                .and_then(|i| sentences.get(i + 1));
            if let Some(next) = next {
                for h in lang.topics.find_all(&next.tokens) {
                    if !raw.topics.contains(&h.label) {
                        raw.topics.push(h.label);
                    }
                }
            }
        }
        // Still none: the article's most frequent topics (its subject).
        let mut frequency: Vec<(String, usize)> = Vec::new();
        for s in &sentences {
            for h in lang.topics.find_all(&s.tokens) {
                match frequency.iter_mut().find(|(t, _)| *t == h.label) {
                    Some((_, n)) => *n += 1,
                    None => frequency.push((h.label, 1)),
                }
            }
        }
        frequency.sort_by_key(|f| std::cmp::Reverse(f.1));
        for raw in &mut raws {
            if raw.topics.is_empty() && raw.event_type != EventType::ProcurementPlanned {
                raw.topics = frequency.iter().take(2).map(|(t, _)| t.clone()).collect();
            }
        }
        let merged = merge::merge(raws);
        let mut candidates = Vec::new();
        let mut registered: Vec<String> = Vec::new();
        for raw in merged {
            for id in &raw.new_orgs {
                if registered.contains(id) {
                    continue;
                }
                if let Some((n, span)) = new_orgs.iter().find(|(n, _)| &n.id == id) {
                    registered.push(id.clone());
                    candidates.push(registration(
                        n,
                        *span,
                        &norm,
                        article.text,
                        article.published_at,
                    ));
                }
            }
            candidates.push(candidate(raw, &norm, article.text));
        }
        Ok(Extraction {
            language,
            candidates,
        })
    }
}

/// The quote and span of the normalised sentence `span` in the original text.
fn quote(norm: &Normalized, original: &str, span: (usize, usize)) -> (String, (usize, usize)) {
    let (s, e) = norm.original_span(span.0, span.1);
    (original[s..e].to_owned(), (s, e))
}

/// The proposed registration of a new company.
fn registration(
    n: &NewOrg,
    span: (usize, usize),
    norm: &Normalized,
    original: &str,
    published: NaiveDate,
) -> Candidate {
    let (quote, quote_span) = quote(norm, original, span);
    let mut data = Map::new();
    data.insert("id".into(), n.id.clone().into());
    data.insert("name".into(), n.name.clone().into());
    data.insert("kind".into(), "company".into());
    Candidate {
        key: format!("organization.registered|{}", n.id),
        event_type: EventType::OrganizationRegistered,
        time: published.to_string(),
        data,
        confidence: REGISTRATION_CONFIDENCE,
        quote,
        quote_span,
        rationale: Rationale {
            rule: "new-organization".into(),
            trigger: n.name.clone(),
            mentions: vec![n.name.clone()],
            cues: Vec::new(),
        },
    }
}

/// The candidate of a merged event.
fn candidate(raw: Raw, norm: &Normalized, original: &str) -> Candidate {
    let (quote, quote_span) = quote(norm, original, raw.sentence);
    let mut data = raw.fields;
    let mut topics = raw.topics;
    if topics.is_empty() && raw.topics_required {
        topics.push("general".into());
    }
    if !topics.is_empty() {
        data.insert("topics".into(), topics.clone().into());
    }
    data.insert("factuality".into(), raw.factuality.as_str().into());
    let mut orgs = raw.orgs.clone();
    orgs.sort();
    let mut sorted_topics = topics;
    sorted_topics.sort();
    let key = format!(
        "{}|{}|{}|{}",
        raw.event_type.as_str(),
        orgs.join(","),
        sorted_topics.join(","),
        raw.factuality.as_str()
    );
    Candidate {
        key,
        event_type: raw.event_type,
        time: raw.time.to_string(),
        data,
        confidence: raw.confidence,
        quote,
        quote_span,
        rationale: Rationale {
            rule: raw.rule,
            trigger: raw.trigger,
            mentions: raw.mentions,
            cues: raw.cues,
        },
    }
}

/// The value of a data field as the candidate holds it (for callers that compare).
pub fn field<'a>(candidate: &'a Candidate, name: &str) -> Option<&'a Value> {
    candidate.data.get(name)
}
