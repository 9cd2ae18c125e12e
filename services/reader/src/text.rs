//! The article's text, before the extractor reads it: HTML reduced to its main text (readability,
//! `dom_smoothie`), whitespace tidied, and text that is not text (binary junk) told apart. Pure.

use liaison_proto::reader::MAX_ARTICLE_TEXT_BYTES;

/// The most HTML elements parsed of one page (bounds the work of a hostile page).
pub const MAX_HTML_ELEMENTS: usize = 100_000;

/// Why a body cannot be read as an article's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Nothing readable is left.
    #[error("holds no readable text")]
    Empty,
    /// Control characters or replacement characters make up too much of it.
    #[error("does not read as text (binary data?)")]
    NotText,
    /// The text read is longer than the reader reads.
    #[error("its text is {0} bytes, more than the {MAX_ARTICLE_TEXT_BYTES} bytes read")]
    TooLong(usize),
    /// The page could not be reduced to a main text.
    #[error("cannot be reduced to a main text: {0}")]
    Html(String),
}

/// The main text of an HTML page, paragraphs separated by blank lines; and its title if it has one.
pub fn html_to_text(html: &str) -> Result<(String, Option<String>), TextError> {
    let config = dom_smoothie::Config {
        max_elements_to_parse: MAX_HTML_ELEMENTS,
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let mut readability = dom_smoothie::Readability::new(html, None, Some(config))
        .map_err(|e| TextError::Html(e.to_string()))?;
    let article = match readability.parse() {
        Ok(article) => article,
        // A page too plain for readability's scoring (a bare fragment) is read as it is.
        Err(dom_smoothie::ReadabilityError::GrabFailed) => readability
            .parse_with_policy(dom_smoothie::ParsePolicy::Raw)
            .map_err(|e| TextError::Html(e.to_string()))?,
        Err(e) => return Err(TextError::Html(e.to_string())),
    };
    let title = Some(article.title.trim().to_owned()).filter(|t| !t.is_empty());
    Ok((tidy(&article.text_content)?, title))
}

/// `text` with trailing spaces gone, runs of blank lines made one, and checked: not empty, not
/// binary, not longer than [`MAX_ARTICLE_TEXT_BYTES`].
pub fn tidy(text: &str) -> Result<String, TextError> {
    if looks_binary(text) {
        return Err(TextError::NotText);
    }
    let mut out = String::with_capacity(text.len().min(MAX_ARTICLE_TEXT_BYTES));
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    if !out.chars().any(char::is_alphabetic) {
        return Err(TextError::Empty);
    }
    if out.len() > MAX_ARTICLE_TEXT_BYTES {
        return Err(TextError::TooLong(out.len()));
    }
    Ok(out)
}

/// Whether more than one character in fifty is a control character (besides line breaks and
/// tabs) or a replacement character: what decoded binary data looks like.
pub fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut odd = 0usize;
    for c in text.chars() {
        total += 1;
        if c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            odd += 1;
        }
    }
    total > 0 && odd * 50 > total
}

/// `s` cut to at most `max` bytes, on a character boundary (the contract crate's one cut).
pub use liaison_proto::admin::truncate_to as truncate;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_its_main_text() {
        let html = "<html><head><title>Deal</title></head><body><nav>Home | News</nav>\
            <article><h1>Deal</h1><p>Microsoft and OpenAI signed an agreement on AI on Monday, \
            the companies said.</p><p>It runs for five years, according to the statement.</p>\
            </article></body></html>";
        let (text, _title) = html_to_text(html).unwrap();
        assert!(
            text.contains("Microsoft and OpenAI signed an agreement"),
            "{text}"
        );
        assert!(!text.contains('<'));
    }

    #[test]
    fn junk_is_not_text() {
        assert_eq!(tidy("\u{0}\u{1}\u{2}abc\u{3}"), Err(TextError::NotText));
        assert_eq!(tidy("   \n\n 123 "), Err(TextError::Empty));
        assert_eq!(tidy("a\n\n\n\nb  "), Ok("a\n\nb".to_owned()));
        assert!(matches!(
            tidy(&"word ".repeat(60_000)),
            Err(TextError::TooLong(_))
        ));
    }

    #[test]
    fn truncation_keeps_characters_whole() {
        assert_eq!(truncate("Straße", 5), "Stra");
        assert_eq!(truncate("abc", 5), "abc");
    }
}
