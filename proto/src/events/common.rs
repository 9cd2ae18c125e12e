//! Pieces shared by every event's `data`: the evidence a fact rests on, and the default topic.

use serde::{Deserialize, Serialize};

use crate::BusinessTime;
use crate::limits::{MAX_QUOTE_BYTES, MAX_STRING_BYTES};

/// The topic a meeting with no topics counts for.
pub const GENERAL_TOPIC: &str = "general";

/// Where a fact comes from: an article, a filing, a press release.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Address of the source (http or https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 2048))]
    pub url: Option<String>,
    /// Who published it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
    pub publisher: Option<String>,
    /// Title of the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
    pub title: Option<String>,
    /// When the source was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<BusinessTime>,
    /// The passage that states the fact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_QUOTE_BYTES))]
    pub quote: Option<String>,
    /// Language of the source (a BCP 47 tag such as `en` or `ko`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
    pub language: Option<String>,
    /// How confident the extractor is, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub confidence: Option<f64>,
}
