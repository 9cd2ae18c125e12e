//! Companies the registry does not know: a capitalised name before a legal form ("Aleph Alpha
//! GmbH", "Rivian Automotive Inc."), after a noun that introduces a company ("mit dem Start-up
//! Aleph Alpha", "the startup Mistral"), or — in English, in a sentence with a trigger — in an
//! organization's slot ("signed with Rivian"). Each gets the slug of the guidelines' rule; the
//! reader proposes its registration when it takes part in an event.

use crate::data::{LanguageData, UnknownData};
use crate::slug::slug;
use crate::tokens::Token;

/// A company found in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewOrg {
    /// Its name as written, without the legal form.
    pub name: String,
    /// Its slug.
    pub id: String,
}

/// The most words a new company's name has.
const MAX_WORDS: usize = 4;

/// The new companies of one sentence. `known(i)` says whether token `i` is part of a registered
/// name; `triggered` whether the sentence holds a trigger.
pub(crate) fn discover(
    text: &str,
    tokens: &[Token],
    known: &dyn Fn(usize) -> bool,
    triggered: bool,
    lang: &LanguageData,
    data: &UnknownData,
) -> Vec<NewOrg> {
    let surface = |i: usize| &text[tokens[i].start..tokens[i].end];
    let stop = |i: usize| data.stop_words.iter().any(|s| s == surface(i));
    let nameish = |i: usize| {
        let t = &tokens[i];
        // A bare number ("from 2026") is no name; "3M" is.
        let number = t.lower.chars().all(|c| c.is_ascii_digit());
        (t.capitalized || t.lower.chars().next().is_some_and(|c| c.is_ascii_digit()))
            && !number
            && !stop(i)
            && !known(i)
    };
    let starts = |i: usize| nameish(i) && !data.never_first.iter().any(|s| s == surface(i));
    // Tokens i and i+1 are written together (only spaces, '-' or '&' between them).
    let joined = |i: usize| {
        text[tokens[i].end..tokens[i + 1].start]
            .chars()
            .all(|c| c == ' ' || c == '-' || c == '&')
    };
    let is_legal = |i: usize| data.legal_suffixes.iter().any(|s| s == surface(i));
    let descriptor_ends: Vec<usize> = lang
        .descriptors
        .find_all(tokens)
        .iter()
        .filter_map(|h| h.tokens.last().copied())
        .collect();
    let mut found = Vec::new();
    let mut take = |from: usize, to: usize| {
        let name = text[tokens[from].start..tokens[to].end].trim().to_owned();
        if let Some(id) = slug(&name)
            && !found.iter().any(|f: &NewOrg| f.id == id)
        {
            found.push(NewOrg { name, id });
        }
    };
    for i in 1..tokens.len() {
        // A legal form: the name is the capitalised words before it.
        if is_legal(i) && nameish(i - 1) && joined(i - 1) {
            let mut from = i - 1;
            while from > 0
                && i - from < MAX_WORDS
                && nameish(from - 1)
                && joined(from - 1)
                && !descriptor_ends.contains(&(from - 1))
            {
                from -= 1;
            }
            take(from, i - 1);
            continue;
        }
        // After a descriptor or (English, with a trigger) an organization's slot.
        let between = &text[tokens[i - 1].end..tokens[i].start];
        let slot = triggered && !lang.slots.is_empty();
        // "competes with Switzerland's ABB": a company after a country's genitive.
        let country_genitive = slot
            && i > 1
            && tokens[i - 1].lower == "s"
            && text[tokens[i - 2].end..tokens[i - 1].start].trim() == "'"
            && stop(i - 2);
        // "competes with Google, Quantinuum and …": the next name of a list of companies.
        let listed = slot && between.trim() == "," && known(i - 1);
        let opens = descriptor_ends.contains(&(i - 1))
            || (slot && lang.slots.contains(&tokens[i - 1].lower) && i > 1)
            || country_genitive
            || listed;
        if opens && starts(i) && (listed || tokens[i].clause == tokens[i - 1].clause) {
            let mut to = i;
            while to + 1 < tokens.len()
                && to + 1 - i < MAX_WORDS
                && nameish(to + 1)
                && joined(to)
                && !is_legal(to + 1)
            {
                to += 1;
            }
            take(i, to);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;
    use crate::data::data;
    use crate::tokens::tokenize;

    fn names(lang: Language, text: &str, known: &[&str]) -> Vec<(String, String)> {
        let tokens = tokenize(text, 0, text.len());
        let is_known = |i: usize| known.contains(&&text[tokens[i].start..tokens[i].end]);
        discover(
            text,
            &tokens,
            &is_known,
            true,
            data().lang(lang),
            &data().unknown,
        )
        .into_iter()
        .map(|n| (n.name, n.id))
        .collect()
    }

    #[test]
    fn legal_forms_descriptors_and_slots() {
        assert_eq!(
            names(
                Language::De,
                "Meta arbeitet mit dem Start-up Aleph Alpha zusammen.",
                &["Meta"]
            ),
            [("Aleph Alpha".to_owned(), "aleph-alpha".to_owned())]
        );
        assert_eq!(
            names(
                Language::En,
                "Volkswagen signed with Rivian Automotive Inc. on Monday.",
                &["Volkswagen"]
            ),
            [(
                "Rivian Automotive".to_owned(),
                "rivian-automotive".to_owned()
            )]
        );
        assert_eq!(
            names(
                Language::En,
                "Meta signed a deal with Rivian on Monday.",
                &["Meta"]
            ),
            [("Rivian".to_owned(), "rivian".to_owned())]
        );
        assert_eq!(
            names(
                Language::En,
                "Siemens competes with Switzerland's ABB and with Google, Quantinuum and others.",
                &["Siemens", "Google"]
            ),
            [
                ("ABB".to_owned(), "abb".to_owned()),
                ("Quantinuum".to_owned(), "quantinuum".to_owned())
            ]
        );
    }

    #[test]
    fn known_names_and_stop_words_are_not_new() {
        assert!(
            names(
                Language::De,
                "Der Konzern Samsung traf am Montag Meta.",
                &["Samsung", "Meta"]
            )
            .is_empty()
        );
        assert!(
            names(
                Language::En,
                "The company met with Samsung on Monday.",
                &["Samsung"]
            )
            .is_empty()
        );
    }
}
