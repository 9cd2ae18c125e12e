//! Word patterns of the data files and their matching on a sentence's tokens — one small
//! language for every lexicon (triggers, cues, topics, references), so that each lexicon is data.
//!
//! A pattern is words in a row (`auf den markt gebracht`); `word*` matches a prefix, `*word` a
//! suffix, `*word*` an infix; `…` (or `...`) is a gap within the clause, and the part after the
//! last gap must close the clause (German separable verbs: `kündigte … an`).

use std::collections::HashMap;

use crate::tokens::Token;

/// One word of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Word {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Infix(String),
}

impl Word {
    fn parse(w: &str) -> Self {
        match (w.strip_prefix('*'), w.strip_suffix('*')) {
            (Some(_), Some(_)) if w.len() > 2 => Self::Infix(w[1..w.len() - 1].to_owned()),
            (Some(rest), _) => Self::Suffix(rest.to_owned()),
            (_, Some(rest)) => Self::Prefix(rest.to_owned()),
            _ => Self::Exact(w.to_owned()),
        }
    }

    fn matches(&self, token: &str) -> bool {
        match self {
            Self::Exact(w) => token == w,
            Self::Prefix(p) => token.starts_with(p.as_str()),
            Self::Suffix(s) => token.len() > s.len() && token.ends_with(s.as_str()),
            Self::Infix(i) => token.contains(i.as_str()),
        }
    }
}

/// A compiled pattern: parts separated by gaps, each part words in a row.
#[derive(Debug, Clone)]
struct Pattern {
    parts: Vec<Vec<Word>>,
}

impl Pattern {
    fn parse(text: &str) -> Option<Self> {
        let text = text.to_lowercase().replace('…', " ... ");
        let parts: Vec<Vec<Word>> = text
            .split("...")
            .map(|part| {
                part.split(|c: char| c.is_whitespace() || c == '-' || c == '\'')
                    .filter(|w| !w.is_empty())
                    .map(Word::parse)
                    .collect::<Vec<_>>()
            })
            .collect();
        if parts.iter().any(Vec::is_empty) {
            return None;
        }
        Some(Self { parts })
    }

    /// The token indices matched when the pattern starts at token `i`.
    fn match_at(&self, tokens: &[Token], i: usize) -> Option<Vec<usize>> {
        let mut matched = Vec::new();
        let first = &self.parts[0];
        if !run_at(first, tokens, i) {
            return None;
        }
        matched.extend(i..i + first.len());
        let mut next = i + first.len();
        let clause = tokens[i].clause;
        for (k, part) in self.parts.iter().enumerate().skip(1) {
            let last = k == self.parts.len() - 1;
            let found = (next..tokens.len())
                .take_while(|&j| tokens[j].clause == clause)
                .find(|&j| {
                    run_at(part, tokens, j) && (!last || tokens[j + part.len() - 1].closes_clause)
                })?;
            matched.extend(found..found + part.len());
            next = found + part.len();
        }
        Some(matched)
    }
}

fn run_at(words: &[Word], tokens: &[Token], i: usize) -> bool {
    i + words.len() <= tokens.len()
        && words
            .iter()
            .zip(&tokens[i..])
            .all(|(w, t)| w.matches(&t.lower))
}

/// A match of a pattern in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit<L> {
    /// What the pattern stands for (a class, a topic, a cue).
    pub label: L,
    /// The matched token indices, in order (the first is where the hit stands).
    pub tokens: Vec<usize>,
    /// The pattern as written in the data file.
    pub pattern: String,
}

impl<L> Hit<L> {
    /// The first matched token.
    pub fn first(&self) -> usize {
        self.tokens[0]
    }

    /// Whether the hit covers token `i`.
    pub fn covers(&self, i: usize) -> bool {
        self.tokens.contains(&i)
    }
}

/// Labelled patterns, indexed by their first word when it is exact.
#[derive(Debug, Clone)]
pub(crate) struct PatternSet<L> {
    patterns: Vec<(Pattern, L, String)>,
    by_first: HashMap<String, Vec<usize>>,
    wildcard_first: Vec<usize>,
}

impl<L: Clone> Default for PatternSet<L> {
    fn default() -> Self {
        Self {
            patterns: Vec::new(),
            by_first: HashMap::new(),
            wildcard_first: Vec::new(),
        }
    }
}

impl<L: Clone> PatternSet<L> {
    /// Adds `text` with `label`. Panics on an empty pattern: the data files are ours, and their
    /// tests load every one of them.
    pub fn add(&mut self, text: &str, label: L) {
        let pattern =
            Pattern::parse(text).unwrap_or_else(|| panic!("empty pattern {text:?} in a data file"));
        let idx = self.patterns.len();
        match &pattern.parts[0][0] {
            Word::Exact(w) => self.by_first.entry(w.clone()).or_default().push(idx),
            _ => self.wildcard_first.push(idx),
        }
        self.patterns.push((pattern, label, text.to_owned()));
    }

    /// Adds every pattern of `texts` with `label`.
    pub fn extend<'a>(&mut self, texts: impl IntoIterator<Item = &'a String>, label: L) {
        for t in texts {
            self.add(t, label.clone());
        }
    }

    /// Every match in `tokens`, in token order (at one token, in the order the patterns were
    /// added).
    pub fn find_all(&self, tokens: &[Token]) -> Vec<Hit<L>> {
        let mut hits = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            let exact = self
                .by_first
                .get(&t.lower)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            for &p in exact.iter().chain(&self.wildcard_first) {
                let (pattern, label, text) = &self.patterns[p];
                if let Some(matched) = pattern.match_at(tokens, i) {
                    hits.push(Hit {
                        label: label.clone(),
                        tokens: matched,
                        pattern: text.clone(),
                    });
                }
            }
        }
        hits
    }

    /// How many patterns it holds.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.patterns.len()
    }
}

/// Keeps, of overlapping hits, the longest (the earliest among equals).
pub(crate) fn longest_first<L: Clone>(mut hits: Vec<Hit<L>>) -> Vec<Hit<L>> {
    hits.sort_by(|a, b| {
        b.tokens
            .len()
            .cmp(&a.tokens.len())
            .then(a.first().cmp(&b.first()))
    });
    let mut kept: Vec<Hit<L>> = Vec::new();
    for h in hits {
        if !kept
            .iter()
            .any(|k| h.tokens.iter().any(|t| k.tokens.contains(t)))
        {
            kept.push(h);
        }
    }
    kept.sort_by_key(Hit::first);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::tokenize;

    fn set(patterns: &[&str]) -> PatternSet<usize> {
        let mut s = PatternSet::default();
        for (i, p) in patterns.iter().enumerate() {
            s.add(p, i);
        }
        s
    }

    fn find(patterns: &[&str], text: &str) -> Vec<(usize, String)> {
        let tokens = tokenize(text, 0, text.len());
        set(patterns)
            .find_all(&tokens)
            .into_iter()
            .map(|h| (h.label, h.pattern))
            .collect()
    }

    #[test]
    fn words_in_a_row_prefixes_and_suffixes() {
        let p = [
            "auf den markt gebracht",
            "kooperation*",
            "*partnerschaft",
            "ki",
        ];
        let hits = find(
            &p,
            "KI-Kooperationen und eine XR-Partnerschaft auf den Markt gebracht",
        );
        let labels: Vec<usize> = hits.iter().map(|h| h.0).collect();
        assert_eq!(labels, [3, 1, 0]);
        assert!(find(&["*partnerschaft"], "Partnerschaft").is_empty());
    }

    #[test]
    fn a_gap_needs_the_particle_at_the_end_of_the_clause() {
        let p = ["kündigte … an"];
        assert_eq!(
            find(&p, "Meta kündigte am Mittwoch eine Partnerschaft an.").len(),
            1
        );
        assert!(find(&p, "Meta kündigte an diesem Tag nichts").is_empty());
        assert!(find(&p, "Meta kündigte, dass LG an").is_empty());
    }

    #[test]
    fn the_longest_overlapping_hit_wins() {
        let text = "eine Quelle, die nicht genannt werden wollte";
        let tokens = tokenize(text, 0, text.len());
        let hits = set(&["nicht", "nicht genannt werden wollte"]).find_all(&tokens);
        let kept = longest_first(hits);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].label, 1);
    }
}
