//! The language of an article when the caller does not say: whatlang's trigram detector,
//! restricted to German, English and the languages most often confused with them — so that a
//! French or Spanish article is refused by name (docs/decisions/016-reading-the-news.md says why
//! whatlang and not lingua).

use whatlang::{Detector, Lang};

use crate::{ExtractError, Language};

/// How much of the text the detector reads (enough for a trigram profile, bounded work).
const SAMPLE_BYTES: usize = 4096;

/// The languages told apart.
const CANDIDATES: [Lang; 10] = [
    Lang::Deu,
    Lang::Eng,
    Lang::Fra,
    Lang::Spa,
    Lang::Ita,
    Lang::Nld,
    Lang::Por,
    Lang::Pol,
    Lang::Swe,
    Lang::Tur,
];

/// Detects German or English; anything else is [`ExtractError::UnsupportedLanguage`] — but only
/// when the detector is sure of it: a short text ("Microsoft and OpenAI met.") has too few
/// trigrams to be told from Dutch reliably, so an unsure guess of a third language falls back to
/// the closer of German and English rather than refusing an article the reader can read.
pub(crate) fn detect(text: &str) -> Result<Language, ExtractError> {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    let detector = Detector::with_allowlist(CANDIDATES.to_vec());
    match detector.detect(sample) {
        Some(info) if info.lang() == Lang::Deu => Ok(Language::De),
        Some(info) if info.lang() == Lang::Eng => Ok(Language::En),
        Some(info) if info.is_reliable() => Err(ExtractError::UnsupportedLanguage {
            detected: info.lang().eng_name().to_owned(),
        }),
        _ => match function_words(sample) {
            (de, en) if de > en => Ok(Language::De),
            (de, en) if en > de => Ok(Language::En),
            _ => match Detector::with_allowlist(vec![Lang::Deu, Lang::Eng]).detect_lang(sample) {
                Some(Lang::Deu) => Ok(Language::De),
                Some(Lang::Eng) => Ok(Language::En),
                _ => Err(ExtractError::UnsupportedLanguage {
                    detected: "no language".to_owned(),
                }),
            },
        },
    }
}

/// The most frequent function words of each language: in a text too short for trigrams they
/// decide, the way a reader would.
const GERMAN_WORDS: [&str; 16] = [
    "der", "die", "das", "und", "mit", "von", "den", "sich", "hat", "ist", "ein", "eine", "im",
    "auf", "für", "wird",
];
const ENGLISH_WORDS: [&str; 16] = [
    "the", "and", "of", "to", "with", "by", "on", "for", "has", "is", "a", "an", "said", "met",
    "its", "will",
];

/// How many German and English function words `text` holds.
fn function_words(text: &str) -> (usize, usize) {
    let mut counts = (0, 0);
    for word in text.split(|c: char| !c.is_alphabetic()) {
        let word = word.to_lowercase();
        counts.0 += usize::from(GERMAN_WORDS.contains(&word.as_str()));
        counts.1 += usize::from(ENGLISH_WORDS.contains(&word.as_str()));
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_and_english_are_read_others_refused() {
        let de = "Der Konzern hat sich am Mittwoch mit den Führungskräften getroffen, um eine \
                  stärkere Partnerschaft im Bereich der künstlichen Intelligenz zu besprechen.";
        let en = "The company met the executives on Wednesday to discuss a stronger partnership \
                  on artificial intelligence, the company said.";
        let fr = "Le groupe a rencontré mercredi les dirigeants pour discuter d'un partenariat \
                  renforcé dans le domaine de l'intelligence artificielle.";
        let es = "La empresa se reunió el miércoles con los directivos para discutir una \
                  asociación más fuerte en inteligencia artificial.";
        assert_eq!(detect(de), Ok(Language::De));
        assert_eq!(detect(en), Ok(Language::En));
        assert!(
            matches!(detect(fr), Err(ExtractError::UnsupportedLanguage { detected }) if detected == "French")
        );
        assert!(matches!(
            detect(es),
            Err(ExtractError::UnsupportedLanguage { .. })
        ));
    }

    #[test]
    fn a_short_sentence_is_read_not_refused_on_an_unsure_guess() {
        assert_eq!(detect("Microsoft and OpenAI met."), Ok(Language::En));
        assert_eq!(detect("Siemens und SAP trafen sich."), Ok(Language::De));
    }
}
