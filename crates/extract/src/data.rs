//! The data files of `data/` — lexicons and rules — compiled into the binary, parsed and compiled
//! once into pattern sets per language, shared by every extractor.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use liaison_proto::{EventType, Factuality};
use serde::Deserialize;

use crate::Language;
use crate::lexicon::PatternSet;

const SENTENCES: &str = include_str!("../data/sentences.toml");
const TOPICS: &str = include_str!("../data/topics.toml");
const RULES: &str = include_str!("../data/rules.toml");
const FACTUALITY: &str = include_str!("../data/factuality.toml");
const MENTIONS: &str = include_str!("../data/mentions.toml");
const DATES: &str = include_str!("../data/dates.toml");

/// Patterns of one class or list, per language.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PerLanguage {
    #[serde(default)]
    de: Vec<String>,
    #[serde(default)]
    en: Vec<String>,
}

impl PerLanguage {
    fn of(&self, lang: Language) -> &[String] {
        match lang {
            Language::De => &self.de,
            Language::En => &self.en,
        }
    }
}

/// `data/sentences.toml`.
#[derive(Debug, Deserialize)]
pub(crate) struct SentenceData {
    /// Abbreviations after which a period never ends a sentence.
    pub never_end: Vec<String>,
    /// Abbreviations that end one only before a typical opener.
    pub may_end: Vec<String>,
    /// Typical sentence openers.
    pub openers: Vec<String>,
    /// Month names.
    pub months: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct TopicsFile {
    topics: BTreeMap<String, Vec<String>>,
}

/// How a rule fills the event from the sentence's organizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Args {
    /// Every organization, as `organizations[]`.
    Group,
    /// Subject as `organization`, another as `counterpart`.
    Directed,
    /// Subject buys from another.
    BuyerFirst,
    /// Subject supplies another.
    SellerFirst,
    /// The subject alone.
    Single,
}

/// One rule of `data/rules.toml`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Rule {
    /// Its name, as in the rationale.
    pub name: String,
    /// An event type, or `meeting` (held or scheduled by tense).
    #[serde(rename = "type")]
    pub kind: String,
    /// The class whose hits trigger it.
    pub trigger: String,
    /// Classes that must occur in the sentence.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Classes that must not occur in the sentence.
    #[serde(default)]
    pub blocks: Vec<String>,
    /// Classes whose hits must not cover the trigger.
    #[serde(default)]
    pub unless: Vec<String>,
    /// How the organizations fill the event.
    pub args: Args,
    /// One event per pair of the subject with each other organization.
    #[serde(default)]
    pub pairwise: bool,
    /// The organizations besides the subject must stand in the trigger's clause.
    #[serde(default)]
    pub clause: bool,
    /// Only for what has happened: not when the trigger's clause speaks of the future.
    #[serde(default)]
    pub past: bool,
    /// Only for what is planned, possible, reported or denied: not for a plain assertion.
    #[serde(default)]
    pub modal: bool,
    /// The confidence before adjustments.
    pub base: f64,
}

impl Rule {
    /// The event type, given whether the clause speaks of the future.
    pub fn event_type(&self, future: bool) -> EventType {
        match self.kind.as_str() {
            "meeting" if future => EventType::MeetingScheduled,
            "meeting" => EventType::MeetingHeld,
            other => EventType::parse(other).unwrap_or(EventType::CooperationDiscussed),
        }
    }
}

#[derive(Debug, Deserialize)]
struct RulesFile {
    classes: BTreeMap<String, PerLanguage>,
    rule: Vec<Rule>,
}

/// Where a factuality cue counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Scope {
    /// Anywhere in the sentence.
    Sentence,
    /// In the trigger's clause.
    Clause,
    /// Just before the trigger, in its phrase.
    Phrase,
}

/// What a cue says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CueValue {
    /// A factuality.
    Is(Factuality),
    /// Nothing: it only hides the words it covers.
    Neutral,
}

#[derive(Debug, Deserialize)]
struct CueEntry {
    value: String,
    scope: Scope,
    #[serde(flatten)]
    patterns: PerLanguage,
}

#[derive(Debug, Deserialize)]
struct FactualityFile {
    cue: Vec<CueEntry>,
}

#[derive(Debug, Deserialize)]
struct BackrefLang {
    determiners: Vec<String>,
    company_heads: Vec<String>,
    government_heads: Vec<String>,
    pair_heads: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Attribution {
    de_openers: Vec<String>,
    en_openers: Vec<String>,
    de_verbs: Vec<String>,
    en_verbs: Vec<String>,
}

/// The `[unknown]` table of `data/mentions.toml`.
#[derive(Debug, Deserialize)]
pub(crate) struct UnknownData {
    /// Legal forms, as written.
    pub legal_suffixes: Vec<String>,
    de_descriptors: Vec<String>,
    en_descriptors: Vec<String>,
    en_slots: Vec<String>,
    /// Capitalised words that are never a company's name.
    pub stop_words: Vec<String>,
    /// Capitalised words that never start a company's name but may end one ("Mistral AI").
    #[serde(default)]
    pub never_first: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct MentionsFile {
    backrefs: BTreeMap<String, BackrefLang>,
    person_org: PerLanguage,
    pronouns: PerLanguage,
    nationalities: BTreeMap<String, Vec<String>>,
    locations: PerLanguage,
    attribution: Attribution,
    roles: PerLanguage,
    unknown: UnknownData,
}

#[derive(Debug, Deserialize)]
struct DatesFile {
    weekdays: PerLanguage,
    months: PerLanguage,
    relative: BTreeMap<String, Vec<(String, i64)>>,
    year_end: PerLanguage,
}

/// What a back-reference pattern's head says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefHead {
    /// A company.
    Company,
    /// A government.
    Government,
    /// The last two companies.
    Pair,
}

/// Everything one language needs, compiled.
#[derive(Debug)]
pub(crate) struct LanguageData {
    /// The language.
    pub language: Language,
    /// Trigger classes, labelled with the class name.
    pub classes: PatternSet<String>,
    /// The topic lexicon, labelled with the slug.
    pub topics: PatternSet<String>,
    /// Factuality cues.
    pub cues: PatternSet<(CueValue, Scope)>,
    /// Definite determiners of back-references.
    pub determiners: Vec<String>,
    /// Heads of back-references.
    pub ref_heads: PatternSet<RefHead>,
    /// "sein Unternehmen".
    pub person_org: PatternSet<()>,
    /// "er", "he".
    pub pronouns: Vec<String>,
    /// Nationality words → country code.
    pub nationalities: PatternSet<String>,
    /// Prepositions of place.
    pub locations: Vec<String>,
    /// Openers of attribution clauses.
    pub attribution_openers: Vec<String>,
    /// Verbs of attribution clauses.
    pub attribution_verbs: PatternSet<()>,
    /// Role words.
    pub roles: PatternSet<()>,
    /// Nouns that introduce an unknown company's name.
    pub descriptors: PatternSet<()>,
    /// Prepositions of an organization's slot (English).
    pub slots: Vec<String>,
    /// Weekday names, Monday first.
    pub weekdays: Vec<String>,
    /// Month names, January first.
    pub months: Vec<String>,
    /// Relative day expressions with their offset.
    pub relative: PatternSet<i64>,
    /// "bis Ende des Jahres".
    pub year_end: PatternSet<()>,
}

/// All data, compiled.
#[derive(Debug)]
pub(crate) struct Data {
    /// Sentence splitting.
    pub sentences: SentenceData,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// Unknown organizations.
    pub unknown: UnknownData,
    de: LanguageData,
    en: LanguageData,
}

impl Data {
    /// The data of `lang`.
    pub fn lang(&self, lang: Language) -> &LanguageData {
        match lang {
            Language::De => &self.de,
            Language::En => &self.en,
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> T {
    toml::from_str(text).unwrap_or_else(|e| panic!("data/{name} is broken: {e}"))
}

fn set<L: Clone>(texts: &[String], label: L) -> PatternSet<L> {
    let mut s = PatternSet::default();
    s.extend(texts, label);
    s
}

fn language(
    lang: Language,
    rules: &RulesFile,
    topics: &TopicsFile,
    cues: &FactualityFile,
    m: &MentionsFile,
    dates: &DatesFile,
) -> LanguageData {
    let code = lang.code();
    let mut classes = PatternSet::default();
    for (name, patterns) in &rules.classes {
        classes.extend(patterns.of(lang), name.clone());
    }
    let mut topic_set = PatternSet::default();
    for (slug, patterns) in &topics.topics {
        topic_set.extend(patterns, slug.clone());
    }
    let mut cue_set = PatternSet::default();
    for c in &cues.cue {
        let value = match c.value.as_str() {
            "neutral" => CueValue::Neutral,
            "negated" => CueValue::Is(Factuality::Negated),
            "reported" => CueValue::Is(Factuality::Reported),
            "possible" => CueValue::Is(Factuality::Possible),
            "planned" => CueValue::Is(Factuality::Planned),
            other => panic!("data/factuality.toml: unknown value {other:?}"),
        };
        cue_set.extend(c.patterns.of(lang), (value, c.scope));
    }
    let b = m
        .backrefs
        .get(code)
        .unwrap_or_else(|| panic!("data/mentions.toml: no backrefs for {code}"));
    let mut ref_heads = PatternSet::default();
    ref_heads.extend(&b.pair_heads, RefHead::Pair);
    ref_heads.extend(&b.company_heads, RefHead::Company);
    ref_heads.extend(&b.government_heads, RefHead::Government);
    let mut nationalities = PatternSet::default();
    for (country, patterns) in &m.nationalities {
        nationalities.extend(patterns, country.clone());
    }
    let (openers, verbs, descriptors, slots) = match lang {
        Language::De => (
            &m.attribution.de_openers,
            &m.attribution.de_verbs,
            &m.unknown.de_descriptors,
            &Vec::new(),
        ),
        Language::En => (
            &m.attribution.en_openers,
            &m.attribution.en_verbs,
            &m.unknown.en_descriptors,
            &m.unknown.en_slots,
        ),
    };
    let mut relative = PatternSet::default();
    for (text, days) in dates.relative.get(code).into_iter().flatten() {
        relative.add(text, *days);
    }
    LanguageData {
        language: lang,
        classes,
        topics: topic_set,
        cues: cue_set,
        determiners: b.determiners.clone(),
        ref_heads,
        person_org: set(m.person_org.of(lang), ()),
        pronouns: m.pronouns.of(lang).to_vec(),
        nationalities,
        locations: m.locations.of(lang).to_vec(),
        attribution_openers: openers.clone(),
        attribution_verbs: set(verbs, ()),
        roles: set(m.roles.of(lang), ()),
        descriptors: set(descriptors, ()),
        slots: slots.clone(),
        weekdays: dates.weekdays.of(lang).to_vec(),
        months: dates.months.of(lang).to_vec(),
        relative,
        year_end: set(dates.year_end.of(lang), ()),
    }
}

fn load() -> Data {
    let rules: RulesFile = parse("rules.toml", RULES);
    let topics: TopicsFile = parse("topics.toml", TOPICS);
    let cues: FactualityFile = parse("factuality.toml", FACTUALITY);
    let mentions: MentionsFile = parse("mentions.toml", MENTIONS);
    let dates: DatesFile = parse("dates.toml", DATES);
    for r in &rules.rule {
        for class in std::iter::once(&r.trigger)
            .chain(&r.requires)
            .chain(&r.blocks)
            .chain(&r.unless)
        {
            assert!(
                rules.classes.contains_key(class),
                "data/rules.toml: rule {} names the unknown class {class}",
                r.name
            );
        }
        if r.kind != "meeting" {
            assert!(
                EventType::parse(&r.kind).is_ok(),
                "data/rules.toml: rule {} has the unknown type {}",
                r.name,
                r.kind
            );
        }
    }
    let de = language(Language::De, &rules, &topics, &cues, &mentions, &dates);
    let en = language(Language::En, &rules, &topics, &cues, &mentions, &dates);
    Data {
        sentences: parse("sentences.toml", SENTENCES),
        rules: rules.rule,
        unknown: mentions.unknown,
        de,
        en,
    }
}

/// The data, parsed on first use.
pub(crate) fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(load)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_file_parses_and_every_rule_names_known_classes() {
        let d = data();
        assert!(d.rules.len() >= 10);
        for lang in [Language::De, Language::En] {
            let l = d.lang(lang);
            assert!(l.classes.len() > 100);
            assert!(l.topics.len() > 50);
            assert!(l.cues.len() > 30);
            assert_eq!(l.weekdays.len(), 7);
            assert_eq!(l.months.len(), 12);
        }
        assert!(d.sentences.never_end.contains(&"dr".to_owned()));
    }

    #[test]
    fn the_topic_slugs_are_the_guidelines_slugs() {
        let topics: TopicsFile = parse("topics.toml", TOPICS);
        for slug in topics.topics.keys() {
            assert!(liaison_proto::Slug::parse(slug).is_ok(), "{slug}");
        }
        for slug in [
            "xr",
            "ai",
            "on-device-ai",
            "chips",
            "ev",
            "cloud",
            "5g",
            "cybersecurity",
        ] {
            assert!(topics.topics.contains_key(slug), "{slug}");
        }
    }
}
