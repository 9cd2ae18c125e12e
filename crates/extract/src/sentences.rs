//! Sentence splitting that survives abbreviations ("Dr.", "z. B.", "u.a.", "Mrd.", "Inc."),
//! initials ("Jay Y. Lee"), ordinals before months ("am 12. März") and numbers ("350.000"): a
//! period ends a sentence only before whitespace and an uppercase letter, a digit or a quote, and
//! not after a word of the abbreviation list (`data/sentences.toml`). Blank lines always end one.

use crate::data::SentenceData;

/// The sentences of `text`, as byte spans, trimmed.
pub(crate) fn split(text: &str, data: &SentenceData) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            // A blank line ends a paragraph.
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\r') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'\n' {
                push(text, start, i, &mut out);
                start = j + 1;
                i = j + 1;
                continue;
            }
        }
        if matches!(b, b'.' | b'!' | b'?') {
            // Closing quotes and brackets belong to the sentence.
            let mut end = i + 1;
            while end < bytes.len() && matches!(bytes[end], b'"' | b'\'' | b')') {
                end += 1;
            }
            if ends_here(text, i, end, b, data) {
                push(text, start, end, &mut out);
                start = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    push(text, start, text.len(), &mut out);
    out
}

fn push(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trimmed = s.trim();
    if !trimmed.is_empty() {
        out.push((start + lead, start + lead + trimmed.len()));
    }
}

/// Whether the mark at `at` (sentence text continuing at `after`) ends a sentence.
fn ends_here(text: &str, at: usize, after: usize, mark: u8, data: &SentenceData) -> bool {
    let rest = &text[after..];
    let trimmed = rest.trim_start_matches([' ', '\n', '\r', '\t']);
    if trimmed.len() == rest.len() && !rest.is_empty() {
        return false; // no whitespace after: "350.000", "u.a", "z.B"
    }
    let Some(next) = trimmed.chars().next() else {
        return true;
    };
    if !(next.is_uppercase() || next.is_ascii_digit() || matches!(next, '"' | '\'' | '(')) {
        return false;
    }
    if mark != b'.' {
        return true;
    }
    let next_word: String = trimmed
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    let word = word_before(text, at);
    let lower = word.to_lowercase();
    let bare = lower.trim_end_matches('.');
    if data.never_end.iter().any(|a| a == bare) {
        return false;
    }
    let opener = data.openers.contains(&next_word);
    if data.may_end.iter().any(|a| a == bare) || bare.contains('.') {
        return opener;
    }
    // An initial ("Jay Y. Lee").
    if word.chars().count() == 1 && word.chars().all(char::is_uppercase) {
        return opener;
    }
    // An ordinal before a month ("am 12. März").
    if !bare.is_empty()
        && bare.len() <= 2
        && bare.chars().all(|c| c.is_ascii_digit())
        && data.months.contains(&next_word)
    {
        return false;
    }
    true
}

/// The word (with inner periods: "u.a", "z.B") that ends at `at`.
fn word_before(text: &str, at: usize) -> &str {
    let head = &text[..at];
    let start = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '.'))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    &head[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::data;

    fn sentences(text: &str) -> Vec<&str> {
        split(text, &data().sentences)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn abbreviations_initials_and_numbers_do_not_end_sentences() {
        let text = "Dr. Kim traf Jay Y. Lee, u.a. zu Chips, z. B. 350.000 Stück für 2 Mrd. Euro. \
                    Samsung Electronics Inc. sagte nichts. The deal was signed by LG Corp. The \
                    company said so.";
        assert_eq!(
            sentences(text),
            [
                "Dr. Kim traf Jay Y. Lee, u.a. zu Chips, z. B. 350.000 Stück für 2 Mrd. Euro.",
                "Samsung Electronics Inc. sagte nichts.",
                "The deal was signed by LG Corp.",
                "The company said so."
            ]
        );
    }

    #[test]
    fn ordinals_before_months_and_paragraphs() {
        let text = "Am 12. März trafen sie sich\n\nNeuer Absatz! Noch einer? Ja.";
        assert_eq!(
            sentences(text),
            [
                "Am 12. März trafen sie sich",
                "Neuer Absatz!",
                "Noch einer?",
                "Ja."
            ]
        );
    }

    #[test]
    fn a_wrapped_line_is_not_a_sentence_end() {
        assert_eq!(
            sentences("Meta traf\nLG in Seoul."),
            ["Meta traf\nLG in Seoul."]
        );
    }
}
