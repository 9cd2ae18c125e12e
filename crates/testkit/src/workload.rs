//! The one seeded, synthetic workload: the bench measures with it, the end-to-end tests replay it
//! with crashes in the middle, the projection's tests fold it against the reference model, and
//! the projection's catch-up example loads it. Same seed, same events, ids included.
//!
//! Shape: every organization and person is registered first, then facts follow the contract's
//! mix of types; organizations are picked with a Zipf popularity (a few giants appear in most
//! news), a share of facts arrive late (their `time` is earlier than the event before), a share of
//! events retract an earlier fact, most carry evidence with a news-article-sized quote. Each
//! [`WorkloadConfig`] preset says what it is for.
//!
//! The generator is a stream, not a list: a million events of ~1.5 KB would not fit comfortably
//! in memory next to the stack being measured.

use std::collections::HashSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use liaison_proto::envelope::INGEST_SOURCE;
use liaison_proto::{ClientEvent, Envelope};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Zipf};
use serde_json::{Value, json};
use uuid::Uuid;

/// The sizes and shares of a workload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkloadConfig {
    /// Seed of every random choice; the same seed gives the same events, ids included.
    pub seed: u64,
    /// Organizations registered.
    pub organizations: usize,
    /// People registered.
    pub people: usize,
    /// Distinct topics.
    pub topics: usize,
    /// Organization slugs are this and their popularity rank (`org-0`, the most popular).
    pub organization_prefix: &'static str,
    /// Zipf exponent of organization popularity (0 is uniform).
    pub zipf_exponent: f64,
    /// The business time the facts start from.
    pub start: DateTime<Utc>,
    /// Each fact in order moves the business clock on by 1 s to this many seconds.
    pub max_step_seconds: i64,
    /// Share of facts whose business time is earlier than the previous event's.
    pub late_share: f64,
    /// How far back a late fact goes: 1 to this many days.
    pub late_days: i64,
    /// Share of events that retract an earlier fact.
    pub retraction_share: f64,
    /// A retraction names a fact at least this many facts older, so that under concurrent sending
    /// its target has been acknowledged before it arrives.
    pub retraction_lag: usize,
    /// Share of facts with evidence (a quote of 600 to 1500 bytes).
    pub evidence_share: f64,
    /// Share of relation facts that name a third organization.
    pub third_party_share: f64,
    /// Share of meetings without topics (they count for `general`).
    pub untopical_meeting_share: f64,
}

impl WorkloadConfig {
    /// The universe of a `--quick` bench run.
    pub fn quick(seed: u64) -> Self {
        WorkloadConfig {
            seed,
            organizations: 200,
            people: 300,
            topics: 30,
            organization_prefix: "org-",
            zipf_exponent: 1.1,
            start: Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
            max_step_seconds: 6 * 3600,
            late_share: 0.05,
            late_days: 365,
            retraction_share: 0.01,
            retraction_lag: 2_000,
            evidence_share: 0.9,
            third_party_share: 0.0,
            untopical_meeting_share: 0.0,
        }
    }

    /// The universe of a full bench run.
    pub fn full(seed: u64) -> Self {
        WorkloadConfig {
            organizations: 2_000,
            people: 3_000,
            topics: 60,
            ..WorkloadConfig::quick(seed)
        }
    }

    /// A handful of organizations over a few months of 2024, sent one request at a time: the
    /// end-to-end tests. Retractions come often and close behind their targets; more late facts.
    pub fn small(seed: u64) -> Self {
        WorkloadConfig {
            organizations: 5,
            people: 3,
            topics: 3,
            zipf_exponent: 0.5,
            start: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            max_step_seconds: 36 * 3600,
            late_share: 0.06,
            late_days: 60,
            retraction_share: 0.04,
            retraction_lag: 8,
            evidence_share: 0.3,
            ..WorkloadConfig::quick(seed)
        }
    }

    /// Few organizations (`o0` to `o11`) and topics, so every pair-topic gets many facts, a third of them late
    /// by up to four months, some naming three organizations, meetings without topics, and
    /// retractions of any earlier fact; about a year of business time from 2024 per 3,000 events,
    /// no evidence. For checking folds against a reference model.
    pub fn dense(seed: u64) -> Self {
        WorkloadConfig {
            seed,
            organizations: 12,
            people: 0,
            topics: 4,
            organization_prefix: "o",
            zipf_exponent: 0.5,
            start: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            max_step_seconds: 6 * 3600,
            late_share: 0.3,
            late_days: 120,
            retraction_share: 0.025,
            retraction_lag: 1,
            evidence_share: 0.0,
            third_party_share: 0.125,
            untopical_meeting_share: 0.33,
        }
    }
}

/// What kind of generated event this is, for the mix checks and the measurements.
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
#[derive(Debug, Clone, PartialEq)]
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

    /// The envelope ingest would append for it, recorded at `recorded_at` (for loads straight
    /// into the log, which must carry the bytes the log holds).
    pub fn to_envelope(&self, recorded_at: DateTime<Utc>) -> Envelope {
        let client: ClientEvent =
            serde_json::from_value(self.body.clone()).expect("a generated event is a ClientEvent");
        Envelope::with_id(client, self.id, INGEST_SOURCE, recorded_at)
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
    retracted: HashSet<Uuid>,
}

impl Generator {
    /// A generator for `config`.
    pub fn new(config: WorkloadConfig) -> Self {
        Generator {
            config,
            rng: StdRng::seed_from_u64(config.seed),
            zipf: Zipf::new(config.organizations as f64, config.zipf_exponent)
                .expect("at least one organization and a non-negative exponent"),
            produced: 0,
            clock: config.start,
            facts: Vec::new(),
            retracted: HashSet::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &WorkloadConfig {
        &self.config
    }

    /// How many registrations open the stream.
    pub fn registrations(&self) -> u64 {
        (self.config.organizations + self.config.people) as u64
    }

    /// The slug of organization `rank` (0 is the most popular).
    pub fn org(&self, rank: usize) -> String {
        format!("{}{rank}", self.config.organization_prefix)
    }

    /// The slug of topic `i`.
    pub fn topic(i: usize) -> String {
        format!("topic-{i}")
    }

    /// Every organization slug of the workload, most popular first.
    pub fn organization_slugs(&self) -> Vec<String> {
        (0..self.config.organizations)
            .map(|rank| self.org(rank))
            .collect()
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

    /// The next event of the seeded sequence (the same for the same seed).
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
        let eligible = self.facts.len().saturating_sub(self.config.retraction_lag);
        if eligible > 0
            && self.rng.random_bool(self.config.retraction_share)
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
        let late = self.rng.random_bool(self.config.late_share);
        let time = if late {
            let back =
                Duration::hours(self.rng.random_range(24..24 * self.config.late_days.max(2)));
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
        let step = self
            .rng
            .random_range(1..self.config.max_step_seconds.max(2));
        self.clock += Duration::seconds(step);
        self.clock.to_rfc3339()
    }

    fn organization(&mut self, id: Uuid, rank: usize) -> GenEvent {
        let slug = self.org(rank);
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
        let rank = self.popular_rank();
        let org = self.org(rank);
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
        (self.org(a), self.org(b))
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

    /// The organizations of a relation fact: the pair, and sometimes a third.
    fn parties(&mut self, a: &str, b: &str) -> Vec<String> {
        let mut parties = vec![a.to_owned(), b.to_owned()];
        if self.config.third_party_share > 0.0
            && self.rng.random_bool(self.config.third_party_share)
        {
            let rank = self.popular_rank();
            let c = self.org(rank);
            if !parties.contains(&c) {
                parties.push(c);
            }
        }
        parties
    }

    fn fact_data(&mut self, event_type: &str) -> (Value, Vec<String>) {
        let (a, b) = self.random_pair();
        let topics = self.topics();
        let mut data = match event_type {
            "meeting.held" | "meeting.scheduled" => {
                let parties = self.parties(&a, &b);
                let mut d = json!({"organizations": parties, "location": "Seoul"});
                if self.config.untopical_meeting_share == 0.0
                    || !self.rng.random_bool(self.config.untopical_meeting_share)
                {
                    d["topics"] = json!(topics);
                }
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
            _ => json!({"organizations": self.parties(&a, &b), "topics": topics}),
        };
        let factuality = if event_type == "meeting.scheduled" {
            "planned"
        } else {
            pick(&mut self.rng, FACTUALITY_MIX)
        };
        data["factuality"] = json!(factuality);
        if self.config.evidence_share > 0.0 && self.rng.random_bool(self.config.evidence_share) {
            data["evidence"] = self.evidence();
        }
        let organizations = match event_type {
            "product.launched" => vec![a],
            "interest.expressed" | "procurement.planned" => vec![a, b],
            _ => data["organizations"]
                .as_array()
                .map(|o| {
                    o.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
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

/// The first `facts` facts of `generator`'s workload (after its registrations) as the bodies of
/// `POST /v1/events` requests, to be sent one after the other: the registrations in one batch,
/// then every third event gathered into batches of four and the others sent alone. A pending
/// batch is sent before a retraction, so a retraction's target is always acknowledged before it.
pub fn requests(generator: &mut Generator, facts: usize) -> Vec<Value> {
    let registrations = generator.take(generator.registrations() as usize);
    let mut requests = vec![Value::Array(
        registrations.into_iter().map(|e| e.body).collect(),
    )];
    let mut batch: Vec<Value> = Vec::new();
    for (i, event) in generator.take(facts).into_iter().enumerate() {
        if event.flavor == Flavor::Retraction {
            if !batch.is_empty() {
                requests.push(Value::Array(std::mem::take(&mut batch)));
            }
            requests.push(event.body);
        } else if i % 3 == 0 {
            batch.push(event.body);
            if batch.len() == 4 {
                requests.push(Value::Array(std::mem::take(&mut batch)));
            }
        } else {
            requests.push(event.body);
        }
    }
    if !batch.is_empty() {
        requests.push(Value::Array(batch));
    }
    requests
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

    fn share(events: &[GenEvent], f: Flavor) -> f64 {
        events.iter().filter(|e| e.flavor == f).count() as f64 / events.len() as f64
    }

    fn validate(events: &[Value]) {
        for chunk in events.chunks(500) {
            liaison_proto::validate_submission(&Value::Array(chunk.to_vec()))
                .unwrap_or_else(|e| panic!("invalid generated event: {e:?}"));
        }
    }

    #[test]
    fn same_seed_same_events() {
        for config in [
            WorkloadConfig::quick,
            WorkloadConfig::small,
            WorkloadConfig::dense,
        ] {
            let a = Generator::new(config(7)).take(3_000);
            let b = Generator::new(config(7)).take(3_000);
            assert_eq!(a, b);
            let c = Generator::new(config(8)).take(3_000);
            assert_ne!(a[2_000].body, c[2_000].body);
        }
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
        let late = share(mix, Flavor::Late);
        let retractions = share(mix, Flavor::Retraction);
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
        let bodies: Vec<Value> = events.iter().map(|e| e.body.clone()).collect();
        validate(&bodies);
        let quotes: Vec<usize> = events
            .iter()
            .filter_map(|e| e.body["data"]["evidence"]["quote"].as_str())
            .map(str::len)
            .collect();
        assert!(!quotes.is_empty());
        assert!(quotes.iter().all(|n| (600..1600).contains(n)));
        let envelope = events[600].to_envelope(Utc::now());
        assert!(envelope.subject().starts_with("liaison.events."));
        assert_eq!(envelope.id, events[600].id);
    }

    /// What the end-to-end crash tests rely on: a few requests of every shape, late facts,
    /// retractions of facts acknowledged earlier, and facts that raise alerts.
    #[test]
    fn the_small_workload_has_every_feature_of_the_crash_tests() {
        let mut generator = Generator::new(WorkloadConfig::small(20_240_228));
        let requests = requests(&mut generator, 120);
        assert_eq!(
            requests[0].as_array().map(Vec::len),
            Some(8),
            "5 organizations, 3 people"
        );
        let events: Vec<&Value> = requests
            .iter()
            .flat_map(|r| match r {
                Value::Array(events) => events.iter().collect(),
                event => vec![event],
            })
            .collect();
        assert_eq!(events.len(), 128);
        validate(&events.iter().map(|e| (*e).clone()).collect::<Vec<_>>());
        assert!(
            requests.iter().filter(|r| r.is_array()).count() > 5,
            "batches"
        );
        assert!(
            requests.iter().filter(|r| r.is_object()).count() > 50,
            "single events"
        );
        let count = |t: &str| events.iter().filter(|e| e["type"] == t).count();
        assert!(count("event.retracted") >= 2, "retractions");
        assert!(
            count("partnership.announced") + count("agreement.signed") >= 5,
            "alerts"
        );
        assert!(count("partnership.ended") >= 1, "ended partnerships");
        // Every retraction names an event sent in an earlier request.
        let mut sent: HashSet<String> = HashSet::new();
        let mut late = 0;
        let mut latest = String::new();
        for request in &requests {
            let batch: Vec<&Value> = match request {
                Value::Array(events) => events.iter().collect(),
                event => vec![event],
            };
            for event in &batch {
                if event["type"] == "event.retracted" {
                    let target = event["data"]["event_id"].as_str().unwrap();
                    assert!(
                        sent.contains(target),
                        "{target} retracted before it was sent"
                    );
                }
                let time = event["time"].as_str().unwrap().to_owned();
                if time < latest {
                    late += 1;
                }
                latest = latest.max(time);
            }
            sent.extend(batch.iter().map(|e| e["id"].as_str().unwrap().to_owned()));
        }
        assert!(late >= 3, "only {late} late facts");
    }

    /// What the projection's fold tests rely on: many facts per pair-topic over 2024, many late,
    /// three-party facts, meetings without topics, signals and retractions.
    #[test]
    fn the_dense_workload_folds_every_way() {
        let events = Generator::new(WorkloadConfig::dense(11)).take(3_000);
        assert_eq!(events[0].body["data"]["id"], "o0");
        validate(&events.iter().map(|e| e.body.clone()).collect::<Vec<_>>());
        let facts = &events[12..];
        let late = share(facts, Flavor::Late);
        assert!((0.25..0.35).contains(&late), "late share {late}");
        assert!(share(facts, Flavor::Retraction) > 0.015);
        let three = facts
            .iter()
            .filter(|e| {
                e.body["data"]["organizations"]
                    .as_array()
                    .is_some_and(|o| o.len() == 3)
            })
            .count();
        assert!(three > 50, "{three} three-party facts");
        let untopical = facts
            .iter()
            .filter(|e| e.body["type"] == "meeting.held" && e.body["data"].get("topics").is_none())
            .count();
        assert!(untopical > 50, "{untopical} meetings without topics");
        let times: Vec<&str> = facts
            .iter()
            .map(|e| e.body["time"].as_str().unwrap())
            .collect();
        assert!(times.iter().any(|t| t < &"2024-03-15") && times.iter().any(|t| t > &"2024-09-01"));
        assert!(
            times.iter().all(|t| t > &"2023-08-01" && t < &"2025-03-01"),
            "{:?}",
            times.last()
        );
    }
}
