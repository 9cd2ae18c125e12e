//! The factuality of a fact from the cues of its sentence (`data/factuality.toml`), with the
//! guidelines' precedence negated > reported > possible > planned > asserted (the order of
//! [`Factuality`]), each cue counting only in its scope (the sentence, the trigger's clause, or
//! the words just before the trigger); and whether the clause speaks of the future, which makes a
//! meeting a scheduled one.

use liaison_proto::Factuality;

use crate::data::{CueValue, LanguageData, Scope};
use crate::lexicon::{Hit, longest_first};
use crate::tokens::Token;

/// The cues of one sentence, overlaps resolved (the longest wins).
pub(crate) fn cues(tokens: &[Token], lang: &LanguageData) -> Vec<Hit<(CueValue, Scope)>> {
    let hits = lang
        .cues
        .find_all(tokens)
        .into_iter()
        // A capitalised cue inside a sentence is a name ("May", "Will").
        .filter(|h| h.first() == 0 || !tokens[h.first()].capitalized || h.tokens.len() > 1)
        .collect();
    longest_first(hits)
}

/// What the cues say of a trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Judgement {
    /// The factuality.
    pub factuality: Factuality,
    /// Whether it lies in the future.
    pub future: bool,
    /// The cues that counted, as written in the data files.
    pub cues: Vec<String>,
}

/// Judges the trigger whose tokens are `trigger`.
pub(crate) fn judge(
    tokens: &[Token],
    cues: &[Hit<(CueValue, Scope)>],
    trigger: &[usize],
) -> Judgement {
    let at = trigger[0];
    let t = &tokens[at];
    let mut factuality = Factuality::Asserted;
    let mut future = false;
    let mut used = Vec::new();
    for h in cues {
        let (CueValue::Is(value), scope) = h.label else {
            continue;
        };
        if h.tokens.iter().any(|i| trigger.contains(i)) {
            continue;
        }
        let last = *h.tokens.last().unwrap_or(&h.first());
        // A plan or a possibility frames what follows it ("Meta plant, … zu beschaffen"), not
        // what came before ("gaben eine Partnerschaft bekannt, in deren Rahmen Bayer … wird").
        let framing = matches!(value, Factuality::Planned | Factuality::Possible);
        let counts = match scope {
            Scope::Sentence if framing => h.first() < at,
            Scope::Sentence => true,
            Scope::Clause => tokens[h.first()].clause == t.clause,
            Scope::Phrase => tokens[last].phrase == t.phrase && last < at && at - last <= 3,
        };
        if !counts {
            continue;
        }
        factuality = factuality.max(value);
        // A possible thing in a phrase ("eine mögliche Zusammenarbeit") is not a future clause.
        future |=
            scope != Scope::Phrase && matches!(value, Factuality::Planned | Factuality::Possible);
        used.push(h.pattern.clone());
    }
    Judgement {
        factuality,
        future,
        cues: used,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;
    use crate::data::data;
    use crate::tokens::tokenize;

    fn judge_at(lang: Language, text: &str, trigger: &str) -> (Factuality, bool) {
        let tokens = tokenize(text, 0, text.len());
        let c = cues(&tokens, data().lang(lang));
        let at = tokens.iter().position(|t| t.lower == trigger).unwrap();
        let j = judge(&tokens, &c, &[at]);
        (j.factuality, j.future)
    }

    #[test]
    fn precedence_and_scopes() {
        use Factuality::*;
        let de = Language::De;
        assert_eq!(judge_at(de, "Meta traf LG.", "traf"), (Asserted, false));
        assert_eq!(
            judge_at(de, "Meta will LG treffen.", "treffen"),
            (Planned, true)
        );
        let rumour = "Er werde Lee treffen, sagte eine Quelle, die nicht genannt werden wollte.";
        assert_eq!(judge_at(de, rumour, "treffen"), (Reported, true));
        assert_eq!(
            judge_at(de, "Meta hat LG nicht getroffen.", "getroffen"),
            (Negated, false)
        );
        assert_eq!(
            judge_at(de, "Meta traf LG, nicht Samsung.", "traf"),
            (Asserted, false)
        );
        let phrase =
            "eine Partnerschaft bei XR sowie eine mögliche Zusammenarbeit bei KI besprechen";
        assert_eq!(judge_at(de, phrase, "partnerschaft").0, Asserted);
        assert_eq!(judge_at(de, phrase, "zusammenarbeit").0, Possible);
        let en = Language::En;
        assert_eq!(
            judge_at(
                en,
                "Meta could sign a deal with LG, people familiar with the matter said.",
                "sign"
            )
            .0,
            Reported
        );
        assert_eq!(
            judge_at(en, "Meta did not only meet LG.", "meet").0,
            Asserted
        );
        assert_eq!(
            judge_at(en, "In May Meta met LG.", "met"),
            (Asserted, false)
        );
    }
}
