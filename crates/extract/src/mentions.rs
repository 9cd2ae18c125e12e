//! Who a sentence speaks of: the organizations named (directly, through a person, or as a new
//! company), and the ones it only points back to — "der südkoreanische Konzern", "the company",
//! "die beiden Unternehmen", "er", "sein Unternehmen" — resolved to the last organization that
//! fits (or the previous sentence's subject, when the reference is the subject). Each mention
//! also says whether a role word stands beside it ("Samsung-Chef") and whether it only names a
//! place ("in Südkorea").

use crate::data::{LanguageData, RefHead};
use crate::lexicon::Hit;
use crate::registry::Registry;
use crate::tokens::Token;

/// How a mention was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// The organization's name.
    Name,
    /// A person of the organization.
    Person,
    /// A definite description or possessive pointing back.
    BackRef,
    /// A personal pronoun.
    Pronoun,
    /// A company the registry does not know.
    New,
}

/// An organization (or person) the sentence speaks of.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mention {
    /// First token.
    pub first: usize,
    /// Last token (inclusive).
    pub last: usize,
    /// The organization, if known (a person without affiliation has none).
    pub org: Option<String>,
    /// The person, when a person was named.
    pub person: Option<String>,
    /// How.
    pub via: Via,
    /// The words as in the (normalised) text.
    pub surface: String,
    /// A role word stands beside it.
    pub role: bool,
    /// It names a place, not a party.
    pub place: bool,
}

/// A name found before resolution, as token range.
#[derive(Debug, Clone)]
pub(crate) struct Named {
    /// First token.
    pub first: usize,
    /// Last token.
    pub last: usize,
    /// The organization.
    pub org: Option<String>,
    /// The person.
    pub person: Option<String>,
    /// Name, person or new.
    pub via: Via,
}

/// What the earlier sentences leave for the next one.
#[derive(Debug, Default, Clone)]
pub(crate) struct Context {
    /// Organizations in the order they were mentioned.
    history: Vec<String>,
    /// The organization of the previous sentence's subject.
    previous_subject: Option<String>,
    /// The person who was last a sentence's subject, with their organization.
    subject_person: Option<(String, Option<String>)>,
}

/// A reference waiting for resolution.
enum Pending {
    Named(Named),
    Ref {
        first: usize,
        last: usize,
        head: RefHead,
        country: Option<String>,
    },
    PersonOrg {
        first: usize,
        last: usize,
    },
    Pronoun(usize),
}

impl Pending {
    fn first(&self) -> usize {
        match self {
            Self::Named(n) => n.first,
            Self::Ref { first, .. } | Self::PersonOrg { first, .. } => *first,
            Self::Pronoun(i) => *i,
        }
    }
}

/// Resolves the mentions of one sentence, `named` being its names in token order.
pub(crate) fn resolve(
    text: &str,
    tokens: &[Token],
    named: Vec<Named>,
    lang: &LanguageData,
    registry: &Registry,
    ctx: &mut Context,
) -> Vec<Mention> {
    let covered = |i: usize, named: &[Named]| named.iter().any(|n| n.first <= i && i <= n.last);
    let mut pending: Vec<Pending> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if !covered(i, &named) && lang.pronouns.contains(&t.lower) {
            pending.push(Pending::Pronoun(i));
        }
    }
    for h in lang.person_org.find_all(tokens) {
        if !h.tokens.iter().any(|&i| covered(i, &named)) {
            pending.push(Pending::PersonOrg {
                first: h.first(),
                last: *h.tokens.last().unwrap_or(&h.first()),
            });
        }
    }
    let nationalities = lang.nationalities.find_all(tokens);
    for h in crate::lexicon::longest_first(lang.ref_heads.find_all(tokens)) {
        if let Some(p) = backref(tokens, &h, &named, &nationalities, lang) {
            pending.push(p);
        }
    }
    pending.extend(named.into_iter().map(Pending::Named));
    pending.sort_by_key(Pending::first);

    let roles: Vec<Hit<()>> = lang.roles.find_all(tokens);
    let mut mentions = Vec::new();
    let mut subject_person_here: Option<(String, Option<String>)> = None;
    let subject_org_before = ctx.previous_subject.clone();
    for (n, p) in pending.into_iter().enumerate() {
        let subject = n == 0;
        let (first, last, orgs, person, via) = match p {
            Pending::Named(named) => (
                named.first,
                named.last,
                named.org.into_iter().collect::<Vec<_>>(),
                named.person,
                named.via,
            ),
            Pending::Pronoun(i) => {
                let Some((person, org)) = ctx.subject_person.clone() else {
                    continue;
                };
                (i, i, org.into_iter().collect(), Some(person), Via::Pronoun)
            }
            Pending::PersonOrg { first, last } => {
                let Some((_, Some(org))) = ctx.subject_person.clone() else {
                    continue;
                };
                (first, last, vec![org], None, Via::BackRef)
            }
            Pending::Ref {
                first,
                last,
                head,
                country,
            } => {
                let fits = |id: &str| fits(registry, id, head, country.as_deref());
                let orgs: Vec<String> = match head {
                    RefHead::Pair => {
                        let mut two: Vec<String> = Vec::new();
                        for id in ctx.history.iter().rev() {
                            if fits(id) && !two.contains(id) {
                                two.push(id.clone());
                            }
                            if two.len() == 2 {
                                break;
                            }
                        }
                        if two.len() < 2 {
                            continue;
                        }
                        two.reverse();
                        two
                    }
                    _ => {
                        let previous = subject_org_before.as_ref().filter(|id| subject && fits(id));
                        let Some(id) = previous
                            .cloned()
                            .or_else(|| ctx.history.iter().rev().find(|id| fits(id)).cloned())
                        else {
                            continue;
                        };
                        vec![id]
                    }
                };
                (first, last, orgs, None, Via::BackRef)
            }
        };
        if let Some(person) = &person
            && subject_person_here.is_none()
        {
            subject_person_here = Some((person.clone(), orgs.first().cloned()));
        }
        let role = roles.iter().any(|r| {
            let (a, b) = (r.first(), *r.tokens.last().unwrap_or(&r.first()));
            b + 3 >= first && a <= last + 3 && tokens[a].clause == tokens[first].clause
        });
        let place = first > 0
            && lang.locations.contains(&tokens[first - 1].lower)
            && orgs.iter().all(|o| {
                registry
                    .organization(o)
                    .is_some_and(|e| e.kind.as_deref() == Some("government"))
            });
        let surface = text[tokens[first].start..tokens[last].end].to_owned();
        if orgs.is_empty() {
            mentions.push(Mention {
                first,
                last,
                org: None,
                person,
                via,
                surface,
                role,
                place,
            });
            continue;
        }
        for org in orgs {
            if !place {
                ctx.history.push(org.clone());
            }
            mentions.push(Mention {
                first,
                last,
                org: Some(org),
                person: person.clone(),
                via,
                surface: surface.clone(),
                role,
                place,
            });
        }
    }
    if let Some(s) = subject_person_here {
        ctx.subject_person = Some(s);
    }
    if let Some(first) = mentions.iter().find(|m| m.org.is_some() && !m.place) {
        ctx.previous_subject = first.org.clone();
    }
    mentions
}

/// Whether organization `id` fits a reference with `head` and `country`.
fn fits(registry: &Registry, id: &str, head: RefHead, country: Option<&str>) -> bool {
    let entry = registry.organization(id);
    let government = entry.is_some_and(|e| e.kind.as_deref() == Some("government"));
    let kind_fits = match head {
        RefHead::Government => government,
        RefHead::Company | RefHead::Pair => !government,
    };
    let country_fits = match country {
        None => true,
        Some(c) => entry.is_some_and(|e| e.country.as_deref() == Some(c)),
    };
    kind_fits && country_fits
}

/// A back-reference at head hit `h`: a determiner at most three words before it in its clause,
/// no name between, and no name right after it (then it introduces that name instead).
fn backref(
    tokens: &[Token],
    h: &Hit<RefHead>,
    named: &[Named],
    nationalities: &[Hit<String>],
    lang: &LanguageData,
) -> Option<Pending> {
    let head_first = h.first();
    let head_last = *h.tokens.last()?;
    let is_named = |i: usize| named.iter().any(|n| n.first <= i && i <= n.last);
    if head_last + 1 < tokens.len() && is_named(head_last + 1) {
        return None;
    }
    let clause = tokens[head_first].clause;
    // "Beide Unternehmen", "both companies": the quantifier is the determiner.
    if h.label == RefHead::Pair
        && matches!(
            tokens[head_first].lower.as_str(),
            "beide" | "beiden" | "both"
        )
    {
        return Some(Pending::Ref {
            first: head_first,
            last: head_last,
            head: h.label,
            country: None,
        });
    }
    let det = (head_first.saturating_sub(4)..head_first)
        .rev()
        .take_while(|&i| tokens[i].clause == clause && !is_named(i))
        .find(|&i| lang.determiners.contains(&tokens[i].lower))?;
    let country = nationalities
        .iter()
        .find(|n| n.first() > det && n.first() < head_first)
        .map(|n| n.label.clone());
    Some(Pending::Ref {
        first: det,
        last: head_last,
        head: h.label,
        country,
    })
}
