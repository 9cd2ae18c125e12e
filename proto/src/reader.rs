//! Wire types of `liaison-reader` ("Reading the news" in the contract): the languages it reads.
//! The article, candidate and feed documents join them here as the reader lands.

use serde::{Deserialize, Serialize};

/// A language the reader reads; an article in any other language is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// German.
    De,
    /// English.
    En,
}

impl Language {
    /// The ISO 639-1 code, as in `evidence.language`.
    pub fn code(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
        }
    }
}
