//! From what the extractor found to the candidates the reader proposes: each candidate's id (the
//! id of the event it proposes, UUID v5 of the article's id and the extractor's key), its event
//! as `POST /v1/events` takes it with `data.evidence` filled from the article, checked with the
//! events' own validation (shape and limits) so that a candidate ingest would refuse on its face
//! is never proposed. Pure.

use liaison_extract::Candidate;
use liaison_proto::limits::{MAX_QUOTE_BYTES, MAX_STRING_BYTES};
use liaison_proto::reader::{
    Article, MAX_CANDIDATES_PER_ARTICLE, ProposedCandidate, Rationale, candidate_id,
};
use liaison_proto::validate_submission;
use serde_json::{Map, Value, json};

use crate::text::truncate;

/// The candidates proposed for `article` from the extractor's `found`, in text order: at most
/// [`MAX_CANDIDATES_PER_ARTICLE`], one per key, each valid as an event on its own (names it
/// refers to are checked by ingest when it is accepted). The others are logged and dropped.
pub fn propose(article: &Article, found: Vec<Candidate>) -> Vec<ProposedCandidate> {
    let mut out: Vec<ProposedCandidate> = Vec::new();
    for candidate in found {
        if out.len() == MAX_CANDIDATES_PER_ARTICLE {
            tracing::warn!(article = %article.id, "more candidates than kept; the rest dropped");
            break;
        }
        if out.iter().any(|c| c.key == candidate.key) {
            continue;
        }
        let proposed = proposal(article, candidate);
        match validate_submission(&proposed.event) {
            Ok(_) => out.push(proposed),
            Err(errors) => tracing::warn!(article = %article.id, key = proposed.key,
                errors = %errors.errors().iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
                "the extractor proposed an event that is not valid; dropped"),
        }
    }
    out
}

fn proposal(article: &Article, candidate: Candidate) -> ProposedCandidate {
    let id = candidate_id(article.id, &candidate.key);
    let confidence = if candidate.confidence.is_finite() {
        candidate.confidence.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut data: Map<String, Value> = candidate.data;
    data.insert(
        "evidence".to_owned(),
        evidence(article, &candidate.quote, confidence),
    );
    let event = json!({
        "type": candidate.event_type.as_str(),
        "id": id,
        "time": candidate.time,
        "data": data,
    });
    ProposedCandidate {
        id,
        key: truncate(&candidate.key, MAX_STRING_BYTES).to_owned(),
        confidence,
        event,
        rationale: Rationale {
            rule: truncate(&candidate.rationale.rule, MAX_STRING_BYTES).to_owned(),
            trigger: truncate(&candidate.rationale.trigger, MAX_STRING_BYTES).to_owned(),
            mentions: candidate.rationale.mentions,
            cues: candidate.rationale.cues,
        },
    }
}

/// The evidence of a candidate: where the article is, the quoted sentence, the language and the
/// confidence.
fn evidence(article: &Article, quote: &str, confidence: f64) -> Value {
    let mut evidence = Map::new();
    let mut put = |name: &str, value: Option<&str>, max: usize| {
        if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
            evidence.insert(name.to_owned(), json!(truncate(value, max)));
        }
    };
    put("url", article.url.as_deref(), 2048);
    put("publisher", article.publisher.as_deref(), MAX_STRING_BYTES);
    put("title", article.title.as_deref(), MAX_STRING_BYTES);
    put("quote", Some(quote), MAX_QUOTE_BYTES);
    evidence.insert("published_at".to_owned(), json!(article.published_at));
    evidence.insert("language".to_owned(), json!(article.language.code()));
    evidence.insert("confidence".to_owned(), json!(confidence));
    Value::Object(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use liaison_extract::Rationale as Why;
    use liaison_proto::EventType;
    use liaison_proto::reader::Language;

    fn article() -> Article {
        Article {
            id: uuid::Uuid::from_u128(1),
            url: Some("https://example.com/a".into()),
            title: Some("Deal".into()),
            publisher: None,
            published_at: liaison_proto::BusinessTime::parse("2024-03-05").unwrap(),
            language: Language::En,
            text: "Microsoft and OpenAI signed an agreement on AI on Monday.".into(),
            read_at: Utc::now(),
            feed: None,
        }
    }

    fn candidate(key: &str, data: Value) -> Candidate {
        Candidate {
            key: key.into(),
            event_type: EventType::AgreementSigned,
            time: "2024-03-04".into(),
            data: data.as_object().unwrap().clone(),
            confidence: 1.7,
            quote: "Microsoft and OpenAI signed an agreement on AI on Monday.".into(),
            quote_span: (0, 10),
            rationale: Why {
                rule: "agreement".into(),
                trigger: "signed".into(),
                mentions: vec!["Microsoft".into(), "OpenAI".into()],
                cues: vec![],
            },
        }
    }

    #[test]
    fn a_candidate_carries_its_evidence_and_ids() {
        let found = vec![
            candidate(
                "k1",
                json!({"organizations": ["microsoft", "openai"], "topics": ["ai"]}),
            ),
            candidate(
                "k1",
                json!({"organizations": ["microsoft", "openai"], "topics": ["ai"]}),
            ),
            candidate(
                "bad",
                json!({"organizations": ["Not A Slug"], "topics": []}),
            ),
        ];
        let proposed = propose(&article(), found);
        assert_eq!(proposed.len(), 1, "one per key, invalid ones dropped");
        let c = &proposed[0];
        assert_eq!(c.id, candidate_id(article().id, "k1"));
        assert_eq!(c.event["id"], json!(c.id));
        assert_eq!(c.confidence, 1.0);
        let evidence = &c.event["data"]["evidence"];
        assert_eq!(evidence["url"], "https://example.com/a");
        assert_eq!(evidence["language"], "en");
        assert_eq!(evidence["published_at"], "2024-03-05");
        assert!(evidence["quote"].as_str().unwrap().contains("signed"));
    }
}
