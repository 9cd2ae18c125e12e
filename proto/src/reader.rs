//! Wire types of `liaison-reader` ("Reading the news" in the contract): the article it is asked
//! to read and its answer, the candidate events with their review state, the decisions on them,
//! the feeds it polls, the listing pages — and the entries of its own stream,
//! [`crate::subjects::ARTICLES_STREAM`], from which the review queue is folded
//! (docs/decisions/017-the-reader-service.md).
//!
//! Limits are constants here, like the events' (docs/decisions/012-limits.md).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::BusinessTime;
use crate::limits::{MAX_QUOTE_BYTES, MAX_STRING_BYTES};
use crate::subjects::{ARTICLES_PREFIX, article_subject, decision_subject, feed_subject};

/// Largest article text the reader reads, in UTF-8 bytes (after HTML was reduced to its text).
pub const MAX_ARTICLE_TEXT_BYTES: usize = 256 * 1024;
/// Largest `html` of an article request, in bytes; a larger one is a `413`.
pub const MAX_ARTICLE_HTML_BYTES: usize = 5 * 1024 * 1024;
/// Largest body of `POST /v1/articles`: the largest HTML and room for the other members (JSON
/// escapes may grow the HTML; the members are checked one by one after parsing).
pub const MAX_ARTICLE_REQUEST_BYTES: usize = MAX_ARTICLE_HTML_BYTES + MAX_ARTICLE_HTML_BYTES / 4;
/// Largest URL of an article or a feed, in bytes.
pub const MAX_URL_BYTES: usize = 2048;
/// Most candidates kept of one article (the extractor's first ones, in text order).
pub const MAX_CANDIDATES_PER_ARTICLE: usize = 64;
/// Largest entry of the articles stream, in bytes: an article of the largest text with its
/// candidates fits; a larger one is refused before it is published and quarantined if found.
pub const MAX_ARTICLES_ENTRY_BYTES: usize = 960 * 1024;
/// Largest reason of a decision, in bytes.
pub const MAX_REASON_BYTES: usize = MAX_STRING_BYTES;
/// Most feeds the reader polls.
pub const MAX_FEEDS: usize = 1_000;
/// Shortest feed interval, in seconds.
pub const MIN_FEED_INTERVAL_SECONDS: u64 = 60;
/// Longest feed interval, in seconds (a week).
pub const MAX_FEED_INTERVAL_SECONDS: u64 = 7 * 24 * 3600;
/// Candidates on a page when `limit` is not given.
pub const DEFAULT_CANDIDATES_PAGE: u32 = 100;
/// The largest `limit` of `GET /v1/candidates`.
pub const MAX_CANDIDATES_PAGE: u32 = 1000;

/// The namespace of the reader's UUID v5 ids (articles, feeds).
pub const READER_NAMESPACE: Uuid = Uuid::from_u128(0x6c69_6169_736f_6e2d_7265_6164_6572_0001);

/// The id of the article at `url`: reading the same address again finds the same article.
pub fn article_id_of_url(url: &str) -> Uuid {
    Uuid::new_v5(&READER_NAMESPACE, format!("url:{}", url.trim()).as_bytes())
}

/// The id of an article without an address, from its text with whitespace runs collapsed: the
/// same text, however wrapped, is the same article.
pub fn article_id_of_text(text: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut first = true;
    for word in text.split_whitespace() {
        if !first {
            hasher.update(b" ");
        }
        hasher.update(word.as_bytes());
        first = false;
    }
    let digest = hasher.finalize();
    let mut name = b"text:".to_vec();
    name.extend_from_slice(&digest);
    Uuid::new_v5(&READER_NAMESPACE, &name)
}

/// The id of the candidate of `article` with extractor key `key`, which is also the id of the
/// event it proposes: accepting it again appends nothing new.
pub fn candidate_id(article: Uuid, key: &str) -> Uuid {
    Uuid::new_v5(&article, key.as_bytes())
}

/// The id of the feed at `url`.
pub fn feed_id(url: &str) -> Uuid {
    Uuid::new_v5(&READER_NAMESPACE, format!("feed:{}", url.trim()).as_bytes())
}

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

    /// The language of code `code` (`de`, `en`), if the reader reads it.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "de" => Some(Self::De),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

/// The body of `POST /v1/articles`: `text` or `html` (exactly one), and where it comes from; or
/// its `url` alone, and the reader fetches the page itself (http or https, `text/html` or
/// `text/plain`, at most 5 MiB, under the feeds' address policy and timeout).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    {"required": ["text"]},
    {"required": ["html"]},
    {"required": ["url"], "not": {"anyOf": [{"required": ["text"]}, {"required": ["html"]}]}}
]))]
pub struct ArticleRequest {
    /// The article's plain text, paragraphs separated by blank lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_ARTICLE_TEXT_BYTES))]
    pub text: Option<String>,
    /// The article's web page; reduced to its main text before it is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_ARTICLE_HTML_BYTES))]
    pub html: Option<String>,
    /// When it was published (a date or an RFC 3339 time): relative dates in the text are read
    /// against it.
    pub published_at: BusinessTime,
    /// Where it was published (http or https); the article's identity when given. Given alone
    /// (no `text`, no `html`), the reader fetches the page and reads its main text, once: the
    /// same url again is answered from the review queue without fetching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_URL_BYTES))]
    pub url: Option<String>,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
    pub title: Option<String>,
    /// Who published it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
    pub publisher: Option<String>,
    /// Its language (`de` or `en`); detected when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

/// An article as the reader read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Article {
    /// UUID v5 of its URL, or of its normalised text when it has none: reading it again finds it.
    pub id: Uuid,
    /// Where it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_URL_BYTES))]
    pub url: Option<String>,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
    pub title: Option<String>,
    /// Who published it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
    pub publisher: Option<String>,
    /// When it was published.
    pub published_at: BusinessTime,
    /// The language it was read in.
    pub language: Language,
    /// The text read (the main text of the page for HTML).
    #[schemars(length(max = MAX_ARTICLE_TEXT_BYTES))]
    pub text: String,
    /// When the reader read it.
    pub read_at: DateTime<Utc>,
    /// The feed it came from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed: Option<Uuid>,
}

/// Where a candidate stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CandidateState {
    /// Waiting for a reviewer.
    Pending,
    /// Accepted by a reviewer: its event was appended through ingest.
    Accepted,
    /// Rejected by a reviewer, with a reason.
    Rejected,
    /// Accepted because its confidence reached the reader's `--auto-accept` threshold.
    AutoAccepted,
}

impl CandidateState {
    /// Every state.
    pub const ALL: [Self; 4] = [
        Self::Pending,
        Self::Accepted,
        Self::Rejected,
        Self::AutoAccepted,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::AutoAccepted => "auto-accepted",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }

    /// Whether its event was appended (accepted or auto-accepted).
    pub fn is_accepted(self) -> bool {
        matches!(self, Self::Accepted | Self::AutoAccepted)
    }
}

/// What in the text produced a candidate, for the reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rationale {
    /// The extractor's rule.
    #[schemars(length(max = MAX_STRING_BYTES))]
    pub rule: String,
    /// The trigger word or phrase, as in the text.
    #[schemars(length(max = MAX_STRING_BYTES))]
    pub trigger: String,
    /// The names in the text resolved to the event's organizations, in text order.
    #[serde(default)]
    pub mentions: Vec<String>,
    /// The factuality and date cues found (`soll`, `last week`).
    #[serde(default)]
    pub cues: Vec<String>,
}

/// A candidate as the reader proposed it (stored with its article; its state is folded from the
/// decisions that follow).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposedCandidate {
    /// The candidate's id, which is also the id of the event it proposes: UUID v5 of the
    /// article's id and [`ProposedCandidate::key`], so accepting it twice appends it once.
    pub id: Uuid,
    /// The extractor's key of the candidate, unique within the article.
    #[schemars(length(max = MAX_STRING_BYTES))]
    pub key: String,
    /// How sure the extractor is, 0–1.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub confidence: f64,
    /// The event as `POST /v1/events` takes it, with `id` and `data.evidence` filled.
    pub event: serde_json::Value,
    /// What produced it.
    pub rationale: Rationale,
}

/// A decision on a candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// What was decided: `accepted`, `rejected` or `auto-accepted` (never `pending`).
    pub state: CandidateState,
    /// Why (for a rejection, the reviewer's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = MAX_REASON_BYTES))]
    pub reason: Option<String>,
    /// Where the accepted event is in the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    /// The event as appended, when the reviewer edited it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<serde_json::Value>,
    /// When it was decided.
    pub at: DateTime<Utc>,
}

/// A candidate event as the reader answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CandidateView {
    /// Its id, also the id of its event in the log once accepted.
    pub id: Uuid,
    /// The article it was read from.
    pub article_id: Uuid,
    /// Where it stands in review.
    pub state: CandidateState,
    /// How sure the extractor is, 0–1.
    pub confidence: f64,
    /// The event as `POST /v1/events` takes it (the edited one once accepted with an edit), with
    /// `data.evidence` filled.
    pub event: serde_json::Value,
    /// What in the text produced it.
    pub rationale: Rationale,
    /// The decision taken on it, once one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

/// The answer of `POST /v1/articles` and `GET /v1/articles/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ArticleAnswer {
    /// The article.
    pub article: Article,
    /// Its candidates, in text order.
    pub candidates: Vec<CandidateView>,
}

/// The query of `POST /v1/articles`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleQuery {
    /// `true`: extract and answer, store nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

/// The body of `POST /v1/candidates/{id}/reject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why the candidate is wrong.
    #[schemars(length(min = 1, max = MAX_REASON_BYTES))]
    pub reason: String,
}

/// The query of `GET /v1/candidates`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidatesRequest {
    /// Only candidates in this state: `pending`, `accepted`, `rejected` or `auto-accepted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Only candidates of this article (its id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// Candidates on the page (default 100, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_CANDIDATES_PAGE))]
    pub limit: Option<u64>,
    /// The next page ([`CandidateList::next_cursor`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A page of candidates, oldest article first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CandidateList {
    /// The candidates.
    pub candidates: Vec<CandidateView>,
    /// The `cursor` of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The body of `POST /v1/feeds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedRequest {
    /// The RSS or Atom feed's address (http or https).
    #[schemars(length(min = 1, max = MAX_URL_BYTES))]
    pub url: String,
    /// How often to poll it: seconds (`900`) or a duration (`30s`, `15m`, `1h`, `1d`).
    pub interval: FeedInterval,
}

/// A feed's polling interval, as seconds or as a duration with a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum FeedInterval {
    /// Seconds.
    Seconds(u64),
    /// A number with a unit: `s`, `m`, `h` or `d` (`15m`).
    Text(String),
}

impl FeedInterval {
    /// The interval in seconds, or why it is not one.
    pub fn seconds(&self) -> Result<u64, String> {
        match self {
            Self::Seconds(s) => Ok(*s),
            Self::Text(text) => {
                let text = text.trim();
                let split = text
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(text.len());
                let (number, unit) = text.split_at(split);
                let number: u64 = number
                    .parse()
                    .map_err(|_| format!("'{text}' is not a number of seconds or a duration"))?;
                let factor = match unit {
                    "" | "s" => 1,
                    "m" => 60,
                    "h" => 3600,
                    "d" => 86_400,
                    _ => return Err(format!("'{text}': the unit must be s, m, h or d")),
                };
                number
                    .checked_mul(factor)
                    .ok_or_else(|| format!("'{text}' is too long an interval"))
            }
        }
    }
}

/// A feed the reader polls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Feed {
    /// UUID v5 of its URL.
    pub id: Uuid,
    /// Its address.
    #[schemars(length(min = 1, max = MAX_URL_BYTES))]
    pub url: String,
    /// Seconds between two polls.
    pub interval_seconds: u64,
    /// When it was registered.
    pub registered_at: DateTime<Utc>,
}

/// A feed with how its polling goes, as `GET /v1/feeds` answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FeedView {
    /// The feed.
    #[serde(flatten)]
    pub feed: Feed,
    /// When it was last polled by this instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_polled: Option<DateTime<Utc>>,
    /// What the last poll gave (`200, 3 new items`, `304 not modified`, an error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_outcome: Option<String>,
}

/// The answer of `GET /v1/feeds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FeedList {
    /// Every feed, in the order they were registered.
    pub feeds: Vec<FeedView>,
}

/// One entry of the articles stream: what the review queue is folded from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ArticlesEntry {
    /// An article was read, with the candidates proposed (all pending), on
    /// [`article_subject`]`(article id)`.
    ArticleRead {
        /// The article.
        article: Article,
        /// Its candidates.
        candidates: Vec<ProposedCandidate>,
    },
    /// A candidate was decided, on [`decision_subject`]`(candidate id)`.
    CandidateDecided {
        /// The candidate.
        candidate_id: Uuid,
        /// Its article.
        article_id: Uuid,
        /// The decision.
        decision: Decision,
    },
    /// A feed was registered, on [`feed_subject`]`(feed id)`.
    FeedRegistered {
        /// The feed.
        feed: Feed,
    },
}

impl ArticlesEntry {
    /// The subject its content belongs on.
    pub fn subject(&self) -> String {
        match self {
            Self::ArticleRead { article, .. } => article_subject(article.id),
            Self::CandidateDecided { candidate_id, .. } => decision_subject(*candidate_id),
            Self::FeedRegistered { feed } => feed_subject(feed.id),
        }
    }

    /// The `Nats-Msg-Id` it is published with: publishing it again within the stream's
    /// duplicate window stores nothing.
    pub fn message_id(&self) -> String {
        match self {
            Self::ArticleRead { article, .. } => format!("article:{}", article.id),
            Self::CandidateDecided {
                candidate_id,
                decision,
                ..
            } => format!("decided:{candidate_id}:{}", decision.state.as_str()),
            Self::FeedRegistered { feed } => format!("feed:{}", feed.id),
        }
    }

    /// The problems of an entry read from the stream beyond its JSON shape: sizes, bounds,
    /// states (the candidates' events are checked by the reader with the events' validation).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut long = |what: &str, value: Option<&str>, max: usize| {
            if let Some(value) = value
                && value.len() > max
            {
                out.push(format!("{what} is longer than {max} bytes"));
            }
        };
        match self {
            Self::ArticleRead {
                article,
                candidates,
            } => {
                long("/article/url", article.url.as_deref(), MAX_URL_BYTES);
                long("/article/title", article.title.as_deref(), MAX_STRING_BYTES);
                long(
                    "/article/publisher",
                    article.publisher.as_deref(),
                    MAX_STRING_BYTES,
                );
                long("/article/text", Some(&article.text), MAX_ARTICLE_TEXT_BYTES);
                for (i, c) in candidates.iter().enumerate() {
                    long(
                        &format!("/candidates/{i}/key"),
                        Some(&c.key),
                        MAX_STRING_BYTES,
                    );
                    long(
                        &format!("/candidates/{i}/rationale/trigger"),
                        Some(&c.rationale.trigger),
                        MAX_QUOTE_BYTES,
                    );
                }
                if candidates.len() > MAX_CANDIDATES_PER_ARTICLE {
                    out.push(format!(
                        "/candidates: more than {MAX_CANDIDATES_PER_ARTICLE} candidates"
                    ));
                }
                for (i, c) in candidates.iter().enumerate() {
                    if !(0.0..=1.0).contains(&c.confidence) {
                        out.push(format!("/candidates/{i}/confidence: not from 0 to 1"));
                    }
                }
            }
            Self::CandidateDecided { decision, .. } => {
                long(
                    "/decision/reason",
                    decision.reason.as_deref(),
                    MAX_REASON_BYTES,
                );
                if decision.state == CandidateState::Pending {
                    out.push("/decision/state: a decision cannot be 'pending'".to_owned());
                }
            }
            Self::FeedRegistered { feed } => {
                long("/feed/url", Some(&feed.url), MAX_URL_BYTES);
                if !(1..=MAX_FEED_INTERVAL_SECONDS).contains(&feed.interval_seconds) {
                    out.push("/feed/interval_seconds: out of bounds".to_owned());
                }
            }
        }
        out
    }
}

/// Whether `subject` is one of the articles stream.
pub fn is_articles_subject(subject: &str) -> bool {
    subject
        .strip_prefix(ARTICLES_PREFIX)
        .is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable() {
        assert_eq!(
            article_id_of_text("Siemens und  SAP\n haben"),
            article_id_of_text(" Siemens und SAP haben ")
        );
        assert_ne!(article_id_of_text("a b"), article_id_of_text("ab"));
        assert_eq!(
            article_id_of_url("https://example.com/a"),
            article_id_of_url(" https://example.com/a")
        );
        let article = article_id_of_url("https://example.com/a");
        assert_eq!(candidate_id(article, "k"), candidate_id(article, "k"));
        assert_ne!(candidate_id(article, "k"), candidate_id(article, "l"));
        assert_ne!(feed_id("https://example.com/a"), article);
    }

    #[test]
    fn intervals_read_as_seconds() {
        assert_eq!(FeedInterval::Seconds(900).seconds(), Ok(900));
        assert_eq!(FeedInterval::Text("15m".into()).seconds(), Ok(900));
        assert_eq!(FeedInterval::Text("2h".into()).seconds(), Ok(7200));
        assert_eq!(FeedInterval::Text("30".into()).seconds(), Ok(30));
        assert!(FeedInterval::Text("15 minutes".into()).seconds().is_err());
        assert!(FeedInterval::Text("m".into()).seconds().is_err());
    }

    #[test]
    fn states_have_their_wire_names() {
        for state in CandidateState::ALL {
            let json = serde_json::to_value(state).unwrap();
            assert_eq!(json, state.as_str());
            assert_eq!(CandidateState::parse(state.as_str()), Some(state));
        }
        assert_eq!(CandidateState::AutoAccepted.as_str(), "auto-accepted");
    }

    #[test]
    fn entries_sit_on_their_subjects() {
        let feed = Feed {
            id: Uuid::from_u128(7),
            url: "https://example.com/feed".into(),
            interval_seconds: 900,
            registered_at: DateTime::UNIX_EPOCH,
        };
        let entry = ArticlesEntry::FeedRegistered { feed };
        assert_eq!(entry.subject(), feed_subject(Uuid::from_u128(7)));
        assert!(is_articles_subject(&entry.subject()));
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["kind"], "feed_registered");
        assert!(entry.problems().is_empty());
    }
}
