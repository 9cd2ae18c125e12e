//! The names of the registry — organizations, people and their aliases — found in a text with one
//! Aho-Corasick automaton (leftmost-longest, so "LG Electronics" wins over "LG"), at word
//! boundaries that allow German inflection: a genitive `s` ("Samsungs", "Metas"), an English
//! `'s`, and compounds after a hyphen ("LG-Konzern", "Meta-Chef", "VW-Chef").

use aho_corasick::{AhoCorasick, MatchKind};

use crate::registry::Registry;

/// What a name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Named {
    /// An organization, by id.
    Org(String),
    /// A person, by id, with the organization of their first registered affiliation.
    Person(String, Option<String>),
}

/// A name found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Start in the text searched.
    pub start: usize,
    /// End (exclusive), without an inflection suffix.
    pub end: usize,
    /// Who it is.
    pub named: Named,
}

/// The automaton over every name of a registry.
#[derive(Debug, Clone)]
pub(crate) struct Gazetteer {
    automaton: Option<AhoCorasick>,
    targets: Vec<Named>,
}

impl Gazetteer {
    /// Builds the automaton for `registry`. A name claimed twice keeps its first owner
    /// (organizations before people).
    pub fn new(registry: &Registry) -> Self {
        let mut names: Vec<String> = Vec::new();
        let mut targets = Vec::new();
        let mut add = |name: &str, target: Named| {
            let name = name.trim();
            if name.is_empty() || names.iter().any(|n| n == name) {
                return;
            }
            names.push(name.to_owned());
            targets.push(target);
        };
        for org in &registry.organizations {
            for name in std::iter::once(&org.name).chain(&org.aliases) {
                add(name, Named::Org(org.id.clone()));
                // "LG Electronics Inc." is also written without its period.
                if let Some(bare) = name.strip_suffix('.') {
                    add(bare, Named::Org(org.id.clone()));
                }
            }
        }
        for person in &registry.people {
            let org = person
                .affiliations
                .iter()
                .map(|(o, _)| o)
                .find(|o| registry.organization(o).is_some())
                .cloned();
            for name in std::iter::once(&person.name).chain(&person.aliases) {
                add(name, Named::Person(person.id.clone(), org.clone()));
            }
        }
        let automaton = (!names.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&names)
                .expect("registry names build an automaton")
        });
        Self { automaton, targets }
    }

    /// Every name in `text`, in order.
    pub fn find(&self, text: &str) -> Vec<Found> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        ac.find_iter(text)
            .filter(|m| at_boundaries(text, m.start(), m.end()))
            .map(|m| Found {
                start: m.start(),
                end: m.end(),
                named: self.targets[m.pattern().as_usize()].clone(),
            })
            .collect()
    }
}

/// Whether `text[start..end]` stands as a word: nothing alphanumeric before it, and after it
/// nothing alphanumeric but a genitive `s`.
pub(crate) fn at_boundaries(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    if before.is_some_and(char::is_alphanumeric) {
        return false;
    }
    let mut after = text[end..].chars();
    match after.next() {
        None => true,
        Some(c) if !c.is_alphanumeric() => true,
        Some('s') => !after.next().is_some_and(char::is_alphanumeric),
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{OrgEntry, PersonEntry};

    fn org(id: &str, name: &str, aliases: &[&str]) -> OrgEntry {
        OrgEntry {
            id: id.into(),
            name: name.into(),
            aliases: aliases.iter().map(|a| (*a).into()).collect(),
            kind: None,
            parent: None,
            country: None,
        }
    }

    fn registry() -> Registry {
        Registry {
            organizations: vec![
                org("lg-corp", "LG Corp.", &["LG"]),
                org("lg-electronics", "LG Electronics", &[]),
                org("meta", "Meta Platforms", &["Meta"]),
                org("samsung-electronics", "Samsung Electronics", &["Samsung"]),
            ],
            people: vec![PersonEntry {
                id: "jay-y-lee".into(),
                name: "Jay Y. Lee".into(),
                aliases: vec![],
                affiliations: vec![("samsung-electronics".into(), "Chairman".into())],
            }],
        }
    }

    fn ids(text: &str) -> Vec<String> {
        Gazetteer::new(&registry())
            .find(text)
            .into_iter()
            .map(|f| match f.named {
                Named::Org(id) => id,
                Named::Person(id, org) => format!("{id}@{}", org.unwrap_or_default()),
            })
            .collect()
    }

    #[test]
    fn longest_names_inflections_and_compounds() {
        assert_eq!(
            ids("LG Electronics, der LG-Konzern, Metas Chef und Samsung-Chef Jay Y. Lee"),
            [
                "lg-electronics",
                "lg",
                "meta",
                "samsung-electronics",
                "jay-y-lee@samsung-electronics"
            ]
            .map(|s| if s == "lg" { "lg-corp" } else { s })
        );
    }

    #[test]
    fn names_inside_words_are_not_names() {
        assert!(ids("Metallica und Samsungite, ein Metaversum").is_empty());
        assert_eq!(ids("Meta's plan"), ["meta"]);
    }
}
