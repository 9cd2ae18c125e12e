//! Normalisation of an article's text with an offset map: typographic quotes, dashes, soft hyphens
//! and unusual spaces are made plain so that the lexicons need one spelling, while every position
//! in the normalised text can still be mapped back to the original — quotes and spans of
//! candidates point into the text as the caller gave it.

/// An article's text made plain, with the way back to the original.
#[derive(Debug, Clone)]
pub(crate) struct Normalized {
    /// The plain text.
    pub text: String,
    /// For every byte of `text` (and one past its end), the byte offset in the original text of
    /// the character it came from.
    map: Vec<usize>,
}

/// What one original character becomes.
fn replacement(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => "",
        '\u{00A0}'
        | '\u{2000}'..='\u{200A}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{3000}'
        | '\t'
        | '\r' => " ",
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => "-",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
        | '\u{2033}' => "\"",
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2039}' | '\u{203A}'
        | '\u{2032}' | '`' | '\u{00B4}' => "'",
        '\u{2026}' => "...",
        _ => return None,
    })
}

impl Normalized {
    /// Normalises `original`.
    pub fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut map = Vec::with_capacity(original.len() + 1);
        for (at, c) in original.char_indices() {
            match replacement(c) {
                Some(r) => {
                    text.push_str(r);
                    map.extend(std::iter::repeat_n(at, r.len()));
                }
                None => {
                    text.push(c);
                    map.extend(std::iter::repeat_n(at, c.len_utf8()));
                }
            }
        }
        map.push(original.len());
        Self { text, map }
    }

    /// The span in the original text of the normalised span `start..end`.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.map[start];
        // The end is where the last character of the span ends in the original: the start of
        // the original character of the next normalised byte that is not the same character.
        let e = if end == 0 {
            0
        } else {
            let last = self.map[end - 1];
            self.map[end..]
                .iter()
                .copied()
                .find(|&o| o > last)
                .unwrap_or(*self.map.last().unwrap_or(&0))
        };
        (s, e.max(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_dashes_and_spaces_are_made_plain() {
        let n = Normalized::new("„Meta“ – LG\u{00A0}Electronics’ Ko\u{00AD}operation…");
        assert_eq!(n.text, "\"Meta\" - LG Electronics' Kooperation...");
    }

    #[test]
    fn spans_map_back_to_the_original() {
        let original = "Sie sagte: „Meta – ein Kon\u{00AD}zern“. Ende";
        let n = Normalized::new(original);
        let from = n.text.find("Meta").unwrap();
        let to = n.text.find(". Ende").unwrap();
        let (s, e) = n.original_span(from, to);
        assert_eq!(&original[s..e], "Meta – ein Kon\u{00AD}zern“");
        let (s, e) = n.original_span(0, n.text.len());
        assert_eq!(&original[s..e], original);
    }
}
