//! Words of a sentence as the lexicons see them: lowercased, hyphens and apostrophes splitting
//! them ("KI-Chips" is `ki` `chips`), each with its place, its clause (between commas, semicolons,
//! colons and dashes) and its phrase (clauses cut again at "und", "and", "sowie", …), so that a
//! cue can be scoped to the trigger it belongs to.

/// One word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte offset in the normalised text.
    pub start: usize,
    /// End (exclusive) in the normalised text.
    pub end: usize,
    /// The word lowercased.
    pub lower: String,
    /// Whether it starts with an uppercase letter.
    pub capitalized: bool,
    /// Its clause within the sentence, counted from 0.
    pub clause: u16,
    /// Its phrase within the sentence, counted from 0.
    pub phrase: u16,
    /// Whether punctuation or the end of the sentence follows it (where a separable verb's
    /// particle stands: "kündigte … an.").
    pub closes_clause: bool,
}

/// Words that open a new phrase within a clause.
const COORDINATORS: &[&str] = &[
    "und", "sowie", "oder", "aber", "sondern", "bevor", "nachdem", "während", "and", "or", "but",
    "while", "before", "after", "whereas",
];

/// The words of `text[start..end]`.
pub(crate) fn tokenize(text: &str, start: usize, end: usize) -> Vec<Token> {
    let slice = &text[start..end];
    let mut tokens: Vec<Token> = Vec::new();
    let mut clause = 0u16;
    let mut phrase = 0u16;
    let mut word_start: Option<usize> = None;
    let mut chars = slice.char_indices().peekable();
    let mut prev: char = ' ';
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() {
            if word_start.is_none() {
                word_start = Some(i);
            }
            prev = c;
            continue;
        }
        if let Some(ws) = word_start.take() {
            push(&mut tokens, slice, start, ws, i, clause, &mut phrase);
        }
        let next = chars.peek().map(|&(_, n)| n).unwrap_or(' ');
        let breaks = match c {
            ',' | ';' | ':' | '!' | '?' => true,
            // A period inside a sentence ends an abbreviation ("Corp.", "Jay Y. Lee"), not a clause.
            '-' => prev == ' ' && next == ' ',
            _ => false,
        };
        if breaks {
            if let Some(last) = tokens.last_mut() {
                last.closes_clause = true;
            }
            clause += 1;
            phrase += 1;
        }
        prev = c;
    }
    if let Some(ws) = word_start.take() {
        push(
            &mut tokens,
            slice,
            start,
            ws,
            slice.len(),
            clause,
            &mut phrase,
        );
    }
    if let Some(last) = tokens.last_mut() {
        last.closes_clause = true;
    }
    tokens
}

fn push(
    tokens: &mut Vec<Token>,
    slice: &str,
    offset: usize,
    from: usize,
    to: usize,
    clause: u16,
    phrase: &mut u16,
) {
    let word = &slice[from..to];
    let lower = word.to_lowercase();
    if COORDINATORS.contains(&lower.as_str()) {
        *phrase += 1;
    }
    tokens.push(Token {
        start: offset + from,
        end: offset + to,
        capitalized: word.chars().next().is_some_and(char::is_uppercase),
        lower,
        clause,
        phrase: *phrase,
        closes_clause: false,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokenize(text, 0, text.len())
            .into_iter()
            .map(|t| t.lower)
            .collect()
    }

    #[test]
    fn hyphens_split_words_and_case_is_folded() {
        assert_eq!(
            words("KI-Chips von Nvidia"),
            ["ki", "chips", "von", "nvidia"]
        );
    }

    #[test]
    fn clauses_and_phrases_are_counted() {
        let text = "Meta traf LG, wie LG mitteilte, und Samsung kündigte es an.";
        let t = tokenize(text, 0, text.len());
        let lg = &t[2];
        assert_eq!(
            (lg.lower.as_str(), lg.clause, lg.closes_clause),
            ("lg", 0, true)
        );
        assert_eq!(t[3].clause, 1);
        let und = t.iter().find(|t| t.lower == "und").unwrap();
        assert_eq!(und.clause, 2);
        assert!(und.phrase > t[3].phrase);
        assert!(t.last().unwrap().closes_clause);
    }

    #[test]
    fn decimals_do_not_break_clauses() {
        let t = tokenize("etwa 350.000 Chips", 0, 18);
        assert!(t.iter().all(|t| t.clause == 0));
    }
}
