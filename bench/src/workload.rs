//! The synthetic, seeded workload every section measures: the same generator feeds the HTTP
//! sections, the direct log loads and the raw-engine baselines, so their figures compare.
//!
//! Shape: every organization and person is registered first, then events follow the contract's
//! mix of types; organizations are picked with a Zipf popularity (a few giants appear in most
//! news), about 5% of facts arrive late (their `time` is earlier than the event before), about 1%
//! of events retract an earlier one, and most carry evidence with a news-article-sized quote.
//!
//! The generator is a stream, not a list: a million events of ~1.5 KB would not fit comfortably
//! in memory next to the stack being measured.

use bytes::Bytes;
use chrono::{DateTime, Duration, TimeZone, Utc};
use liaison_log::OutgoingEvent;
use liaison_proto::envelope::INGEST_SOURCE;
use liaison_proto::{ClientEvent, Envelope};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Zipf};
use serde_json::{Value, json};
use uuid::Uuid;

/// Share of events whose business time is earlier than the previous event's.
pub const LATE_SHARE: f64 = 0.05;
/// Share of events that retract an earlier event.
pub const RETRACTION_SHARE: f64 = 0.01;
/// A retraction names a fact at least this many facts older, so that under concurrent sending
/// its target has been acknowledged before it arrives.
pub const RETRACTION_LAG: usize = 2_000;
/// Zipf exponent of organization popularity.
pub const ZIPF_EXPONENT: f64 = 1.1;

/// The sizes of a workload's universe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkloadConfig {
    /// Seed of every random choice; the same seed gives the same events, ids included.
    pub seed: u64,
    /// Organizations registered.
    pub organizations: usize,
    /// People registered.
    pub people: usize,
    /// Distinct topics.
    pub topics: usize,
}

impl WorkloadConfig {
    /// The universe of a `--quick` run.
    pub fn quick(seed: u64) -> Self {
        WorkloadConfig {
            seed,
            organizations: 200,
            people: 300,
            topics: 30,
        }
    }

    /// The universe of a full run.
    pub fn full(seed: u64) -> Self {
        WorkloadConfig {
            seed,
            organizations: 2_000,
            people: 3_000,
            topics: 60,
        }
    }
}

/// What kind of generated event this is, for the mix checks and the alert section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// An `organization.registered` or `person.registered`.
    Registration,
    /// A fact in business-time order.
    Fact,
    /// A fact whose time is earlier than the event generated before it.
    Late,
    /// An `event.retracted`.
    Retraction,
}

/// One generated event, in its client form.
#[derive(Debug, Clone)]
pub struct GenEvent {
    /// The client-chosen id (deterministic for the seed).
    pub id: Uuid,
    /// The client JSON document: `{"type", "id", "time", "data"}`.
    pub body: Value,
    /// Its flavor.
    pub flavor: Flavor,
    /// The organizations it names, first the most relevant pair.
    pub organizations: Vec<String>,
}

impl GenEvent {
    /// The body as `POST /v1/events` sends it.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.body).expect("a generated event serializes")
    }

    /// The envelope ingest would append, as an outgoing log message (for direct loads and the
    /// baselines, which must carry the same bytes the log holds).
    pub fn to_outgoing(&self, recorded_at: DateTime<Utc>) -> OutgoingEvent {
        let client: ClientEvent =
            serde_json::from_value(self.body.clone()).expect("a generated event is a ClientEvent");
        let envelope = Envelope::with_id(client, self.id, INGEST_SOURCE, recorded_at);
        let payload = serde_json::to_vec(&envelope).expect("an envelope serializes");
        OutgoingEvent::new(
            envelope.subject(),
            self.id.to_string(),
            Bytes::from(payload),
        )
    }
}

const TYPE_MIX: &[(&str, u32)] = &[
    ("meeting.held", 20),
    ("meeting.scheduled", 6),
    ("cooperation.discussed", 14),
    ("interest.expressed", 8),
    ("negotiation.reported", 8),
    ("agreement.signed", 6),
    ("partnership.announced", 5),
    ("partnership.ended", 2),
    ("procurement.planned", 8),
    ("product.launched", 8),
    ("competition.noted", 6),
];

const FACTUALITY_MIX: &[(&str, u32)] = &[
    ("asserted", 85),
    ("planned", 5),
    ("reported", 4),
    ("possible", 3),
    ("negated", 3),
];

const WORDS: &[&str] = &[
    "the",
    "company",
    "said",
    "on",
    "tuesday",
    "that",
    "it",
    "would",
    "expand",
    "its",
    "partnership",
    "with",
    "according",
    "to",
    "people",
    "familiar",
    "matter",
    "executives",
    "met",
    "in",
    "seoul",
    "last",
    "week",
    "discuss",
    "joint",
    "development",
    "of",
    "mixed",
    "reality",
    "headsets",
    "chips",
    "supply",
    "agreement",
    "analysts",
    "expect",
    "deal",
    "worth",
    "billions",
    "over",
    "next",
    "five",
    "years",
    "spokesperson",
    "declined",
    "comment",
    "further",
    "details",
    "negotiations",
    "are",
    "ongoing",
    "and",
    "could",
    "conclude",
    "by",
    "end",
    "quarter",
    "market",
    "share",
    "competition",
    "intensified",
    "regulators",
    "approval",
    "memorandum",
    "understanding",
    "signed",
    "factory",
    "plant",
];

/// The seeded event stream: registrations first, then the mix, forever.
#[derive(Debug)]
pub struct Generator {
    config: WorkloadConfig,
    rng: StdRng,
    zipf: Zipf<f64>,
    produced: u64,
    clock: DateTime<Utc>,
    /// Ids of every fact so far, in order (retraction targets).
    facts: Vec<Uuid>,
    /// Facts already retracted.
    retracted: std::collections::HashSet<Uuid>,
}

impl Generator {
    /// A generator for `config`.
    pub fn new(config: WorkloadConfig) -> Self {
        Generator {
            config,
            rng: StdRng::seed_from_u64(config.seed),
            zipf: Zipf::new(config.organizations as f64, ZIPF_EXPONENT)
                .expect("at least one organization"),
            produced: 0,
            clock: Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
            facts: Vec::new(),
            retracted: std::collections::HashSet::new(),
        }
    }

    /// How many registrations open the stream.
    pub fn registrations(&self) -> u64 {
        (self.config.organizations + self.config.people) as u64
    }

    /// The slug of organization `rank` (0 is the most popular).
    pub fn org(rank: usize) -> String {
        format!("org-{rank}")
    }

    /// The slug of topic `i`.
    pub fn topic(i: usize) -> String {
        format!("topic-{i}")
    }

    /// An organization rank drawn from the Zipf popularity.
    pub fn popular_rank(&mut self) -> usize {
        (self.zipf.sample(&mut self.rng) as usize - 1).min(self.config.organizations - 1)
    }

    /// A topic index, itself mildly skewed toward the first topics.
    pub fn topic_index(&mut self) -> usize {
        let a = self.rng.random_range(0..self.config.topics);
        let b = self.rng.random_range(0..self.config.topics);
        a.min(b)
    }

    /// The next `n` events.
    pub fn take(&mut self, n: usize) -> Vec<GenEvent> {
        (0..n).map(|_| self.next_event()).collect()
    }

    /// The next event.
    pub fn next_event(&mut self) -> GenEvent {
        let index = self.produced;
        self.produced += 1;
        let id = uuid::Builder::from_random_bytes(self.rng.random()).into_uuid();
        let orgs = self.config.organizations as u64;
        if index < orgs {
            return self.organization(id, index as usize);
        }
        if index < self.registrations() {
            return self.person(id, (index - orgs) as usize);
        }
        let eligible = self.facts.len().saturating_sub(RETRACTION_LAG);
        if eligible > 0
            && self.rng.random_bool(RETRACTION_SHARE)
            && let Some(target) = self.retraction_target(eligible)
        {
            let time = self.advance();
            return GenEvent {
                id,
                body: json!({"type": "event.retracted", "id": id, "time": time,
                    "data": {"event_id": target, "reason": "the source withdrew the report"}}),
                flavor: Flavor::Retraction,
                organizations: Vec::new(),
            };
        }
        let late = self.rng.random_bool(LATE_SHARE);
        let time = if late {
            let back = Duration::hours(self.rng.random_range(24..24 * 365));
            (self.clock - back).to_rfc3339()
        } else {
            self.advance()
        };
        let event_type = pick(&mut self.rng, TYPE_MIX);
        let (data, organizations) = self.fact_data(event_type);
        self.facts.push(id);
        GenEvent {
            id,
            body: json!({"type": event_type, "id": id, "time": time, "data": data}),
            flavor: if late { Flavor::Late } else { Flavor::Fact },
            organizations,
        }
    }

    /// A fact among the first `eligible` that is not retracted yet (a few tries).
    fn retraction_target(&mut self, eligible: usize) -> Option<Uuid> {
        for _ in 0..4 {
            let target = self.facts[self.rng.random_range(0..eligible)];
            if self.retracted.insert(target) {
                return Some(target);
            }
        }
        None
    }

    fn advance(&mut self) -> String {
        self.clock += Duration::seconds(self.rng.random_range(1..6 * 3600));
        self.clock.to_rfc3339()
    }

    fn organization(&mut self, id: Uuid, rank: usize) -> GenEvent {
        let slug = Self::org(rank);
        let kind = if rank % 17 == 3 {
            "government"
        } else {
            "company"
        };
        GenEvent {
            id,
            body: json!({"type": "organization.registered", "id": id, "time": "2019-01-01",
                "data": {"id": slug, "name": format!("Organization {rank}"), "kind": kind,
                    "aliases": [format!("Org{rank}")], "country": "KR"}}),
            flavor: Flavor::Registration,
            organizations: vec![slug],
        }
    }

    fn person(&mut self, id: Uuid, i: usize) -> GenEvent {
        let org = Self::org(self.popular_rank());
        GenEvent {
            id,
            body: json!({"type": "person.registered", "id": id, "time": "2019-01-01",
                "data": {"id": format!("person-{i}"), "name": format!("Person {i}"),
                    "affiliations": [{"organization": org, "role": "executive"}]}}),
            flavor: Flavor::Registration,
            organizations: vec![org],
        }
    }

    /// Two distinct organizations, by popularity.
    pub fn random_pair(&mut self) -> (String, String) {
        let a = self.popular_rank();
        let mut b = self.popular_rank();
        for _ in 0..8 {
            if b != a {
                break;
            }
            b = self.popular_rank();
        }
        if b == a {
            b = (a + 1) % self.config.organizations;
        }
        (Self::org(a), Self::org(b))
    }

    fn topics(&mut self) -> Vec<String> {
        let first = self.topic_index();
        let mut topics = vec![Self::topic(first)];
        if self.rng.random_bool(0.25) {
            let second = self.topic_index();
            if second != first {
                topics.push(Self::topic(second));
            }
        }
        topics
    }

    fn fact_data(&mut self, event_type: &str) -> (Value, Vec<String>) {
        let (a, b) = self.random_pair();
        let topics = self.topics();
        let mut data = match event_type {
            "meeting.held" | "meeting.scheduled" => {
                let mut d = json!({"organizations": [a, b], "topics": topics,
                    "location": "Seoul"});
                if self.config.people > 0 && self.rng.random_bool(0.5) {
                    let p = self.rng.random_range(0..self.config.people);
                    d["participants"] = json!([format!("person-{p}")]);
                }
                d
            }
            "interest.expressed" => json!({"organization": a, "counterpart": b, "topics": topics}),
            "agreement.signed" => json!({"organizations": [a, b], "topics": topics, "kind": "mou"}),
            "partnership.ended" => json!({"organizations": [a, b], "topics": topics,
                "reason": "strategy change"}),
            "procurement.planned" => json!({"buyer": a, "supplier": b,
                "item": format!("{} components", topics[0])}),
            "product.launched" => json!({"organization": a,
                "product": format!("Product {}", self.rng.random_range(0..10_000)),
                "topics": topics}),
            _ => json!({"organizations": [a, b], "topics": topics}),
        };
        let factuality = if event_type == "meeting.scheduled" {
            "planned"
        } else {
            pick(&mut self.rng, FACTUALITY_MIX)
        };
        data["factuality"] = json!(factuality);
        if self.rng.random_bool(0.9) {
            data["evidence"] = self.evidence();
        }
        let organizations = if event_type == "product.launched" {
            vec![a]
        } else {
            vec![a, b]
        };
        (data, organizations)
    }

    fn evidence(&mut self) -> Value {
        let target = self.rng.random_range(600..1500);
        let mut quote = String::with_capacity(target + 16);
        while quote.len() < target {
            if !quote.is_empty() {
                quote.push(' ');
            }
            quote.push_str(WORDS[self.rng.random_range(0..WORDS.len())]);
        }
        let n = self.rng.random_range(0..1_000_000);
        json!({"url": format!("https://news.example.com/articles/{n}"),
            "publisher": "Example News", "title": format!("Report {n}"),
            "published_at": self.clock.format("%Y-%m-%d").to_string(),
            "quote": quote, "language": "en",
            "confidence": (self.rng.random_range(50..100) as f64) / 100.0})
    }
}

fn pick(rng: &mut StdRng, mix: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = mix.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (name, weight) in mix {
        if roll < *weight {
            return name;
        }
        roll -= weight;
    }
    mix[mix.len() - 1].0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn same_seed_same_events() {
        let a = Generator::new(WorkloadConfig::quick(7)).take(3_000);
        let b = Generator::new(WorkloadConfig::quick(7)).take(3_000);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.id, y.id);
            assert_eq!(x.body, y.body);
        }
        let c = Generator::new(WorkloadConfig::quick(8)).take(3_000);
        assert_ne!(a[2_000].body, c[2_000].body);
    }

    #[test]
    fn mix_late_retractions_and_skew() {
        let config = WorkloadConfig::quick(42);
        let mut generator = Generator::new(config);
        let registrations = generator.registrations() as usize;
        let events = generator.take(registrations + 40_000);
        assert!(
            events[..registrations]
                .iter()
                .all(|e| e.flavor == Flavor::Registration)
        );
        let mix = &events[registrations..];
        let share =
            |f: Flavor| mix.iter().filter(|e| e.flavor == f).count() as f64 / mix.len() as f64;
        let late = share(Flavor::Late);
        let retractions = share(Flavor::Retraction);
        assert!((0.04..0.06).contains(&late), "late share {late}");
        assert!(
            (0.007..0.013).contains(&retractions),
            "retractions {retractions}"
        );
        let mut per_org: HashMap<&str, usize> = HashMap::new();
        for e in mix {
            for o in &e.organizations {
                *per_org.entry(o.as_str()).or_default() += 1;
            }
        }
        let mut counts: Vec<usize> = per_org.values().copied().collect();
        counts.sort_unstable();
        let top = *counts.last().unwrap();
        let median = counts[counts.len() / 2];
        assert!(top > 20 * median, "top {top}, median {median}");
        for (name, _) in TYPE_MIX {
            assert!(mix.iter().any(|e| e.body["type"] == *name), "no {name}");
        }
    }

    #[test]
    fn events_validate_and_quotes_are_article_sized() {
        let mut generator = Generator::new(WorkloadConfig::quick(3));
        let events = generator.take(2_000);
        let batch: Vec<Value> = events.iter().map(|e| e.body.clone()).collect();
        for chunk in batch.chunks(liaison_proto::limits::MAX_BATCH_EVENTS) {
            liaison_proto::validate_submission(&Value::Array(chunk.to_vec()))
                .unwrap_or_else(|e| panic!("invalid generated event: {e:?}"));
        }
        let quotes: Vec<usize> = events
            .iter()
            .filter_map(|e| e.body["data"]["evidence"]["quote"].as_str())
            .map(str::len)
            .collect();
        assert!(!quotes.is_empty());
        assert!(quotes.iter().all(|n| (600..1600).contains(n)));
        let out = events[600].to_outgoing(Utc::now());
        assert!(out.subject.starts_with("liaison.events."));
    }
}
