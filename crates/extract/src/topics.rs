//! Topics of an event: the topic lexicon's slugs found nearest to the trigger — in its phrase,
//! else its clause, else the sentence — so that "eine Partnerschaft bei XR sowie eine
//! Zusammenarbeit bei KI" gives `xr` to the one and `ai` to the other.

use crate::lexicon::Hit;
use crate::tokens::Token;

/// The topics for a trigger at token `at`, from the sentence's topic hits, in text order.
pub(crate) fn near(tokens: &[Token], hits: &[Hit<String>], at: usize) -> Vec<String> {
    let t = &tokens[at];
    let scopes: [&dyn Fn(&Token) -> bool; 3] = [
        &|x: &Token| x.phrase == t.phrase,
        &|x: &Token| x.clause == t.clause,
        &|_: &Token| true,
    ];
    for scope in scopes {
        let mut out: Vec<String> = Vec::new();
        for h in hits {
            if scope(&tokens[h.first()]) && !out.contains(&h.label) {
                out.push(h.label.clone());
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;
    use crate::data::data;
    use crate::tokens::tokenize;

    fn topics(lang: Language, text: &str, trigger: &str) -> Vec<String> {
        let tokens = tokenize(text, 0, text.len());
        let hits = data().lang(lang).topics.find_all(&tokens);
        let at = tokens.iter().position(|t| t.lower == trigger).unwrap();
        near(&tokens, &hits, at)
    }

    #[test]
    fn the_phrase_of_the_trigger_first() {
        let text = "um eine Partnerschaft bei Mixed-Reality-Geräten sowie eine mögliche \
                    Zusammenarbeit im Bereich der künstlichen Intelligenz (KI) zu besprechen";
        assert_eq!(topics(Language::De, text, "partnerschaft"), ["xr"]);
        assert_eq!(topics(Language::De, text, "zusammenarbeit"), ["ai"]);
    }

    #[test]
    fn else_the_sentence_and_english_words() {
        let text = "Meta met Samsung, and they talked about semiconductors and generative AI";
        assert_eq!(topics(Language::En, text, "met"), ["chips", "ai"]);
        assert!(topics(Language::En, "Meta met Samsung", "met").is_empty());
    }
}
