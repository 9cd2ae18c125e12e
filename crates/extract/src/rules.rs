//! The rules of `data/rules.toml` applied to one sentence: every hit of a rule's trigger class, in
//! a sentence that holds what the rule requires and nothing it is blocked by, becomes an event
//! whose organizations are the sentence's parties (mentions that are neither places nor the
//! source of an attribution clause like "wie LG mitteilte" or "LG said"), filled in as the rule's
//! `args` say, with topics near the trigger, factuality from the cues in scope, and the date of
//! the sentence.

use chrono::NaiveDate;
use liaison_proto::{EventType, Factuality};
use serde_json::{Map, Value};

use crate::Language;
use crate::confidence;
use crate::data::{Args, LanguageData, Rule};
use crate::dates;
use crate::factuality;
use crate::fields;
use crate::lexicon::Hit;
use crate::mentions::{Mention, Via};
use crate::tokens::Token;
use crate::topics;

/// One sentence, ready for the rules.
#[derive(Debug)]
pub(crate) struct Sentence<'a> {
    /// The article's normalised text.
    pub text: &'a str,
    /// The sentence's span in it.
    pub span: (usize, usize),
    /// Its words.
    pub tokens: Vec<Token>,
    /// Its mentions, in text order.
    pub mentions: Vec<Mention>,
    /// Its hits of the trigger lexicon.
    pub classes: Vec<Hit<String>>,
}

/// An event found in a sentence, before merging and before it becomes a candidate.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    /// The type.
    pub event_type: EventType,
    /// Its organizations in role order (a group's in text order).
    pub orgs: Vec<String>,
    /// Its data fields besides `topics` and `factuality`.
    pub fields: Map<String, Value>,
    /// Its topics.
    pub topics: Vec<String>,
    /// Whether the type requires topics.
    pub topics_required: bool,
    /// Its factuality.
    pub factuality: Factuality,
    /// The business time.
    pub time: NaiveDate,
    /// The sentence it was found in.
    pub sentence: (usize, usize),
    /// The rule.
    pub rule: String,
    /// The trigger as written.
    pub trigger: String,
    /// The mentions that gave its organizations.
    pub mentions: Vec<String>,
    /// The cues that counted.
    pub cues: Vec<String>,
    /// The confidence.
    pub confidence: f64,
    /// Organizations of it that the registry does not know.
    pub new_orgs: Vec<String>,
}

/// Clauses that only say who said it.
fn attribution_clauses(
    s: &Sentence<'_>,
    lang: &LanguageData,
    triggers: &[&str],
    cues: &[Hit<(crate::data::CueValue, crate::data::Scope)>],
) -> Vec<u16> {
    // "Insidern zufolge" is a source cue, not a speaker naming a party.
    let verbs: Vec<_> = lang
        .attribution_verbs
        .find_all(&s.tokens)
        .into_iter()
        .filter(|v| {
            !cues.iter().any(|c| {
                matches!(c.label.0, crate::data::CueValue::Is(Factuality::Reported))
                    && c.covers(v.first())
            })
        })
        .collect();
    let mut out = Vec::new();
    let last = s.tokens.last().map_or(0, |t| t.clause);
    for clause in 0..=last {
        let Some(first) = s.tokens.iter().position(|t| t.clause == clause) else {
            continue;
        };
        let triggered = s
            .classes
            .iter()
            .any(|h| s.tokens[h.first()].clause == clause && triggers.contains(&h.label.as_str()));
        if triggered {
            continue;
        }
        let opener = lang.attribution_openers.contains(&s.tokens[first].lower);
        let verb = verbs.iter().any(|h| s.tokens[h.first()].clause == clause);
        if opener || verb {
            out.push(clause);
        }
    }
    out
}

/// The events of sentence `s`.
pub(crate) fn apply(
    s: &Sentence<'_>,
    lang: &LanguageData,
    rules: &[Rule],
    published: NaiveDate,
) -> Vec<Raw> {
    if s.classes.is_empty() {
        return Vec::new();
    }
    let triggers: Vec<&str> = rules.iter().map(|r| r.trigger.as_str()).collect();
    let cues = factuality::cues(&s.tokens, lang);
    let attribution = attribution_clauses(s, lang, &triggers, &cues);
    // The parties, one mention per organization, in text order.
    let mut parties: Vec<&Mention> = Vec::new();
    for m in &s.mentions {
        let Some(org) = &m.org else { continue };
        if m.place || attribution.contains(&s.tokens[m.first].clause) {
            continue;
        }
        if !parties.iter().any(|p| p.org.as_ref() == Some(org)) {
            parties.push(m);
        }
    }
    if parties.is_empty() {
        return Vec::new();
    }
    let has = |class: &str| s.classes.iter().any(|h| h.label == class);
    let in_mention = |i: usize| s.mentions.iter().any(|m| m.first <= i && i <= m.last);
    let distributive = s
        .classes
        .iter()
        .any(|h| h.label == "distributive" && !in_mention(h.first()));
    let topic_hits = lang.topics.find_all(&s.tokens);
    let mut out = Vec::new();
    for rule in rules {
        if !rule.requires.iter().all(|c| has(c)) || rule.blocks.iter().any(|c| has(c)) {
            continue;
        }
        for hit in s.classes.iter().filter(|h| h.label == rule.trigger) {
            let at = hit.first();
            if in_mention(at)
                || s.classes
                    .iter()
                    .any(|u| rule.unless.contains(&u.label) && u.covers(at))
            {
                continue;
            }
            let judgement = factuality::judge(&s.tokens, &cues, &hit.tokens);
            if (rule.past && judgement.future)
                || (rule.modal && judgement.factuality == Factuality::Asserted)
            {
                continue;
            }
            let event_type = rule.event_type(judgement.future);
            let local: Vec<&Mention>;
            let parties: &[&Mention] = if rule.clause {
                // The trigger's clause, and the names listed on from it ("competes with Google,
                // Quantinuum and …": the comma of a list ends no clause).
                let mut clauses = vec![s.tokens[at].clause];
                let mut kept: Vec<&Mention> = Vec::new();
                for (n, m) in parties.iter().enumerate() {
                    let clause = s.tokens[m.first].clause;
                    let listed = kept.last().is_some_and(|p| {
                        clauses.contains(&s.tokens[p.first].clause)
                            && p.last + 1 == m.first
                            && s.text[s.tokens[p.last].end..s.tokens[m.first].start].trim() == ","
                    });
                    if listed {
                        clauses.push(clause);
                    }
                    if n == 0 || clauses.contains(&clause) {
                        kept.push(m);
                    }
                }
                local = kept;
                &local
            } else {
                &parties
            };
            let pairwise = distributive || (rule.pairwise && rule.args == Args::Group);
            for used in fill(rule.args, parties, pairwise, &s.tokens, at) {
                let orgs: Vec<String> = used.iter().filter_map(|m| m.org.clone()).collect();
                let Some(fields) = fields_of(rule.args, &orgs, s, hit, parties, lang, published)
                else {
                    continue;
                };
                let topics = topics::near(&s.tokens, &topic_hits, at);
                // The date in the trigger's clause first ("Meta launched … in June, before Apple
                // entered the market … this month"), else the sentence's.
                let clause = s.tokens[at].clause;
                let from = s
                    .tokens
                    .iter()
                    .position(|t| t.clause == clause)
                    .unwrap_or(0);
                let to = s
                    .tokens
                    .iter()
                    .rposition(|t| t.clause == clause)
                    .map_or(0, |i| i + 1);
                let time = dates::resolve(
                    s.text,
                    &s.tokens[from..to],
                    lang,
                    published,
                    judgement.future,
                )
                .or_else(|| dates::resolve(s.text, &s.tokens, lang, published, judgement.future));
                let mut cues_used = judgement.cues.clone();
                if let Some((_, words)) = &time {
                    cues_used.push(words.clone());
                }
                let trigger = hit
                    .tokens
                    .iter()
                    .map(|&i| &s.text[s.tokens[i].start..s.tokens[i].end])
                    .collect::<Vec<_>>()
                    .join(" ");
                out.push(Raw {
                    event_type,
                    topics_required: !matches!(
                        event_type,
                        EventType::MeetingHeld
                            | EventType::MeetingScheduled
                            | EventType::ProductLaunched
                            | EventType::ProcurementPlanned
                    ),
                    orgs,
                    fields,
                    topics: if event_type == EventType::ProcurementPlanned {
                        Vec::new()
                    } else {
                        topics
                    },
                    factuality: judgement.factuality,
                    time: time.map_or(published, |(d, _)| d),
                    sentence: s.span,
                    rule: rule.name.clone(),
                    trigger,
                    mentions: used.iter().map(|m| m.surface.clone()).collect(),
                    cues: cues_used,
                    confidence: confidence::score(rule.base, &used, at),
                    new_orgs: used
                        .iter()
                        .filter(|m| m.via == Via::New)
                        .filter_map(|m| m.org.clone())
                        .collect(),
                });
            }
        }
    }
    out
}

/// Words that open a relative clause.
const RELATIVE: &[&str] = &[
    "der", "die", "das", "dessen", "deren", "which", "who", "that", "whose",
];

/// The parties of each event a trigger at token `at` makes. A single organization is the one
/// named last before the trigger in its clause (its subject: "…, before Apple entered the market
/// with its Vision Pro"), else the first in its clause, else the sentence's first. A buyer's or
/// seller's other side is the first other party in the trigger's clause ("The Chinese company,
/// which overtook rival Tesla …, plans to source … from Bosch"), else the sentence's second.
fn fill<'m>(
    args: Args,
    parties: &[&'m Mention],
    distributive: bool,
    tokens: &[Token],
    at: usize,
) -> Vec<Vec<&'m Mention>> {
    let clause = tokens[at].clause;
    let in_clause = |m: &&&Mention| tokens[m.first].clause == clause;
    match args {
        Args::Group if parties.len() < 2 => Vec::new(),
        Args::Group if distributive && parties.len() >= 3 => parties[1..]
            .iter()
            .map(|other| vec![parties[0], *other])
            .collect(),
        Args::Group => vec![parties.to_vec()],
        Args::Directed | Args::BuyerFirst | Args::SellerFirst if parties.len() < 2 => Vec::new(),
        Args::Directed | Args::BuyerFirst | Args::SellerFirst if distributive => parties[1..]
            .iter()
            .map(|other| vec![parties[0], *other])
            .collect(),
        Args::BuyerFirst | Args::SellerFirst => {
            let other = parties[1..].iter().find(in_clause).unwrap_or(&parties[1]);
            vec![vec![parties[0], *other]]
        }
        Args::Directed => vec![vec![parties[0], parties[1]]],
        Args::Single => {
            // A relative clause's subject is the name it follows ("mit Google, das im Dezember
            // seinen Chip präsentiert hatte").
            let opens = tokens.iter().position(|t| t.clause == clause);
            let relative = opens.is_some_and(|i| RELATIVE.contains(&tokens[i].lower.as_str()));
            let antecedent = opens.and_then(|i| parties.iter().rfind(|m| m.last < i));
            let subject = parties
                .iter()
                .filter(in_clause)
                .rfind(|m| m.last < at)
                .or_else(|| parties.iter().find(in_clause))
                .or(antecedent.filter(|_| relative && opens > Some(0)))
                .unwrap_or(&parties[0]);
            vec![vec![*subject]]
        }
    }
}

/// The data fields of an event with organizations `orgs`.
fn fields_of(
    args: Args,
    orgs: &[String],
    s: &Sentence<'_>,
    hit: &Hit<String>,
    parties: &[&Mention],
    lang: &LanguageData,
    published: NaiveDate,
) -> Option<Map<String, Value>> {
    let mut f = Map::new();
    let in_mention = |i: usize| parties.iter().any(|m| m.first <= i && i <= m.last);
    match args {
        Args::Group => {
            f.insert("organizations".into(), orgs.to_vec().into());
            if let Some(kind) = s
                .classes
                .iter()
                .find(|h| h.label == "agreement")
                .and_then(|h| fields::agreement_kind(&h.pattern))
                .filter(|_| hit.label == "agreement")
            {
                f.insert("kind".into(), kind.into());
            }
        }
        Args::Directed => {
            f.insert("organization".into(), orgs[0].clone().into());
            f.insert("counterpart".into(), orgs[1].clone().into());
        }
        Args::BuyerFirst | Args::SellerFirst => {
            let (buyer, supplier) = if args == Args::BuyerFirst {
                (&orgs[0], &orgs[1])
            } else {
                (&orgs[1], &orgs[0])
            };
            f.insert("buyer".into(), buyer.clone().into());
            f.insert("supplier".into(), supplier.clone().into());
            let quantity = fields::quantity(s.text, &s.tokens);
            let after = quantity.map_or(*hit.tokens.last()?, |(_, at)| at);
            let item = fields::item(s.text, &s.tokens, after, &in_mention)
                .unwrap_or_else(|| default_item(lang).to_owned());
            f.insert("item".into(), item.into());
            if let Some((q, _)) = quantity {
                f.insert("quantity".into(), q.into());
            }
            if let Some(by) = dates::by(&s.tokens, lang, published) {
                f.insert("by".into(), by.to_string().into());
            }
        }
        Args::Single => {
            f.insert("organization".into(), orgs[0].clone().into());
            let english = lang.language == Language::En;
            let product = fields::product(s.text, &s.tokens, hit.first(), &in_mention, english)
                .unwrap_or_else(|| default_product(lang).to_owned());
            f.insert("product".into(), product.into());
        }
    }
    Some(f)
}

fn default_item(lang: &LanguageData) -> &'static str {
    match lang.language {
        Language::De => "nicht genannt",
        Language::En => "unspecified",
    }
}

fn default_product(lang: &LanguageData) -> &'static str {
    match lang.language {
        Language::De => "neues Produkt",
        Language::En => "new product",
    }
}
