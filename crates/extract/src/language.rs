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

/// Detects German or English; anything else is [`ExtractError::UnsupportedLanguage`].
pub(crate) fn detect(text: &str) -> Result<Language, ExtractError> {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let detector = Detector::with_allowlist(CANDIDATES.to_vec());
    match detector.detect_lang(&text[..end]) {
        Some(Lang::Deu) => Ok(Language::De),
        Some(Lang::Eng) => Ok(Language::En),
        Some(other) => Err(ExtractError::UnsupportedLanguage {
            detected: other.eng_name().to_owned(),
        }),
        None => Err(ExtractError::UnsupportedLanguage {
            detected: "no language".to_owned(),
        }),
    }
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
}
