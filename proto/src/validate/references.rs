//! Referential integrity of a submission against what is already stored: every organization
//! and person an event names must be registered (before, or earlier in the same batch), a
//! retraction must name a retractable event, a rule deletion a live rule; and registrations
//! must not contradict earlier ones (a [`ErrorKind::Conflict`](super::ErrorKind::Conflict)).
//!
//! Pure: the service answers the [`Registry`] questions from its own store. Which fields of an
//! event are references to organizations and people is written once, in [`unknown_names`],
//! which the services that follow the log also use ([`NameRegistry`]).
//!
//! Linear: every look-up is in a hash map (of the batch) or a question to the registry, one
//! per reference.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::errors::{Collector, FieldError, ValidationErrors};
use crate::events::{BUILTIN_RULES, OrganizationRegistered, PersonRegistered, RuleCreated};
use crate::{ClientEvent, EventData, EventType, Slug};

/// What an event that is already in the log is, as far as retraction cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownEvent {
    /// Its type.
    pub event_type: EventType,
    /// Whether an `event.retracted` already names it.
    pub retracted: bool,
}

/// A rule that is already in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownRule {
    /// Its latest definition.
    pub rule: RuleCreated,
    /// Whether a `rule.deleted` came after it.
    pub deleted: bool,
}

/// What the log already holds, as the referential checks need it.
pub trait Registry {
    /// The registration of organization `id`, if registered.
    fn organization(&self, id: &str) -> Option<OrganizationRegistered>;
    /// The registration of person `id`, if registered.
    fn person(&self, id: &str) -> Option<PersonRegistered>;
    /// The event `id`, if appended.
    fn event(&self, id: &Uuid) -> Option<KnownEvent>;
    /// The rule `id`, if ever created. Built-in rules need not be reported.
    fn rule(&self, id: &str) -> Option<KnownRule>;
}

/// Which organizations and people are registered, as [`unknown_names`] asks it: the
/// referential check of the services that follow the log (every entry must name only what was
/// registered earlier in the log).
pub trait NameRegistry {
    /// Whether organization `id` is registered.
    fn organization_known(&self, id: &str) -> bool;
    /// Whether person `id` is registered.
    fn person_known(&self, id: &str) -> bool;
}

/// The organization and person references of `data` that `names` does not know, each with its
/// pointer (`/data/organizations/1`, `/data/participants/0`, `/data/parent`,
/// `/data/affiliations/2/organization`, `/data/match/organizations/0`, …): organizations first,
/// then people, each in list order.
///
/// The references are the organizations of every kind of event (`organizations[]`,
/// `organization`, `counterpart`, `buyer`, `supplier`), a registration's `parent`, a person's
/// affiliations, a meeting's participants and a rule's `match.organizations`. A registration's
/// own `id` is a definition, not a reference. One question to `names` per reference.
pub fn unknown_names(data: &EventData, names: &impl NameRegistry) -> Vec<FieldError> {
    let organizations = organization_refs(data)
        .into_iter()
        .filter(|(_, id)| !names.organization_known(id.as_str()))
        .map(|(at, id)| {
            FieldError::invalid(format!("/data{at}"), format!("unknown organization '{id}'"))
        });
    let persons = person_refs(data)
        .into_iter()
        .filter(|(_, id)| !names.person_known(id.as_str()))
        .map(|(at, id)| {
            FieldError::invalid(format!("/data{at}"), format!("unknown person '{id}'"))
        });
    organizations.chain(persons).collect()
}

/// [`check_references_with`], where the events form a batch unless there is exactly one.
/// Prefer [`check_references_with`] with [`super::is_batch`] of the body, which also gets a
/// one-element batch right.
pub fn check_references(
    events: &[ClientEvent],
    registry: &impl Registry,
) -> Result<(), ValidationErrors> {
    check_references_with(events, registry, events.len() != 1)
}

/// Checks every reference of `events` (in order, each seeing the ones before it) against
/// `registry`. Pointers are prefixed with the event's index when `batch` is true.
///
/// Errors are [`ErrorKind::Invalid`](super::ErrorKind::Invalid) for unknown or unusable
/// references and [`ErrorKind::Conflict`](super::ErrorKind::Conflict) for a registration
/// (organization, person, rule) of an id that exists with different content. Registering an
/// existing id with the same content passes (see [`is_noop`]).
pub fn check_references_with(
    events: &[ClientEvent],
    registry: &impl Registry,
    batch: bool,
) -> Result<(), ValidationErrors> {
    let mut state = Batch::default();
    let mut errors = Collector::default();
    for (i, event) in events.iter().enumerate() {
        let root = if batch {
            format!("/{i}")
        } else {
            String::new()
        };
        state.check(event, registry, &root, &mut errors);
        state.record(event);
    }
    errors.finish().map_or(Ok(()), Err)
}

/// Whether appending `event` would change nothing: a registration or a rule identical to the
/// one in force.
pub fn is_noop(event: &ClientEvent, registry: &impl Registry) -> bool {
    match &event.event {
        EventData::OrganizationRegistered(d) => {
            registry.organization(d.id.as_str()).as_ref() == Some(d)
        }
        EventData::PersonRegistered(d) => registry.person(d.id.as_str()).as_ref() == Some(d),
        EventData::RuleCreated(d) => registry
            .rule(d.id.as_str())
            .is_some_and(|k| !k.deleted && k.rule == *d),
        _ => false,
    }
}

/// What earlier events of the same batch established.
#[derive(Default)]
struct Batch<'a> {
    organizations: HashMap<&'a str, &'a OrganizationRegistered>,
    persons: HashMap<&'a str, &'a PersonRegistered>,
    events: HashMap<Uuid, EventType>,
    retracted: HashSet<Uuid>,
    /// Rule id → its definition, or `None` once deleted.
    rules: HashMap<&'a str, Option<&'a RuleCreated>>,
}

impl<'a> Batch<'a> {
    fn record(&mut self, event: &'a ClientEvent) {
        if let Some(id) = event.id {
            self.events.insert(id, event.event_type());
        }
        match &event.event {
            EventData::OrganizationRegistered(d) => {
                self.organizations.entry(d.id.as_str()).or_insert(d);
            }
            EventData::PersonRegistered(d) => {
                self.persons.entry(d.id.as_str()).or_insert(d);
            }
            EventData::EventRetracted(d) => {
                self.retracted.insert(d.event_id);
            }
            EventData::RuleCreated(d) => {
                self.rules.insert(d.id.as_str(), Some(d));
            }
            EventData::RuleDeleted(d) => {
                self.rules.insert(d.id.as_str(), None);
            }
            _ => {}
        }
    }

    /// The rule `id` as in force before this event: `Some(Some(def))` live, `Some(None)`
    /// deleted, `None` never created.
    fn rule(&self, id: &str, registry: &impl Registry) -> Option<Option<RuleCreated>> {
        if let Some(r) = self.rules.get(id) {
            return Some(r.cloned());
        }
        registry
            .rule(id)
            .map(|k| if k.deleted { None } else { Some(k.rule) })
    }

    /// Checks `event`, whose pointers start with `root` (`""`, or `/3` in a batch).
    fn check(
        &self,
        event: &ClientEvent,
        registry: &impl Registry,
        root: &str,
        errors: &mut Collector,
    ) {
        let known = Known {
            batch: self,
            registry,
        };
        for mut e in unknown_names(&event.event, &known) {
            e.pointer.insert_str(0, root);
            errors.push(e);
        }
        let data = format!("{root}/data");
        let id_at = format!("{data}/id");
        match &event.event {
            EventData::OrganizationRegistered(d) => {
                let existing = self
                    .organizations
                    .get(d.id.as_str())
                    .map(|e| (*e).clone())
                    .or_else(|| registry.organization(d.id.as_str()));
                if existing.is_some_and(|e| e != *d) {
                    errors.push(FieldError::conflict(
                        id_at,
                        format!(
                            "organization '{}' is already registered with different content",
                            d.id
                        ),
                    ));
                }
            }
            EventData::PersonRegistered(d) => {
                let existing = self
                    .persons
                    .get(d.id.as_str())
                    .map(|e| (*e).clone())
                    .or_else(|| registry.person(d.id.as_str()));
                if existing.is_some_and(|e| e != *d) {
                    errors.push(FieldError::conflict(
                        id_at,
                        format!(
                            "person '{}' is already registered with different content",
                            d.id
                        ),
                    ));
                }
            }
            EventData::RuleCreated(d) => {
                if BUILTIN_RULES.contains(&d.id.as_str()) {
                    errors.push(FieldError::conflict(
                        id_at,
                        format!("rule '{}' is built in and cannot be redefined", d.id),
                    ));
                } else if let Some(Some(existing)) = self.rule(d.id.as_str(), registry)
                    && existing != *d
                {
                    errors.push(FieldError::conflict(
                        id_at,
                        format!(
                            "rule '{}' already exists with a different definition; delete it first",
                            d.id
                        ),
                    ));
                }
            }
            EventData::RuleDeleted(d) => {
                let detail = if BUILTIN_RULES.contains(&d.id.as_str()) {
                    Some(format!("rule '{}' is built in and cannot be deleted", d.id))
                } else {
                    match self.rule(d.id.as_str(), registry) {
                        None => Some(format!("unknown rule '{}'", d.id)),
                        Some(None) => Some(format!("rule '{}' is already deleted", d.id)),
                        Some(Some(_)) => None,
                    }
                };
                if let Some(detail) = detail {
                    errors.push(FieldError::invalid(id_at, detail));
                }
            }
            EventData::EventRetracted(d) => {
                if let Some(detail) = self.retraction_problem(d.event_id, registry) {
                    errors.push(FieldError::invalid(format!("{data}/event_id"), detail));
                }
            }
            _ => {}
        }
    }

    fn retraction_problem(&self, target: Uuid, registry: &impl Registry) -> Option<String> {
        let (event_type, retracted) = match self.events.get(&target) {
            Some(t) => (*t, false),
            None => match registry.event(&target) {
                Some(k) => (k.event_type, k.retracted),
                None => return Some(format!("unknown event '{target}'")),
            },
        };
        if retracted || self.retracted.contains(&target) {
            Some(format!("event '{target}' is already retracted"))
        } else if event_type == EventType::EventRetracted {
            Some(format!(
                "event '{target}' is of type event.retracted; a retraction cannot be retracted"
            ))
        } else if event_type.is_registration() {
            Some(format!(
                "event '{target}' is of type {event_type}; registrations cannot be retracted"
            ))
        } else if event_type.is_rule() {
            Some(format!(
                "event '{target}' is of type {event_type}; rules are removed with rule.deleted, not retracted"
            ))
        } else {
            None
        }
    }
}

/// What the batch so far and the registry know, as [`unknown_names`] asks it.
struct Known<'s, 'a, R> {
    batch: &'s Batch<'a>,
    registry: &'s R,
}

impl<R: Registry> NameRegistry for Known<'_, '_, R> {
    fn organization_known(&self, id: &str) -> bool {
        self.batch.organizations.contains_key(id) || self.registry.organization(id).is_some()
    }

    fn person_known(&self, id: &str) -> bool {
        self.batch.persons.contains_key(id) || self.registry.person(id).is_some()
    }
}

/// Every organization reference of `data`, with its pointer below `/data`. A registration's own
/// `id` is a definition, not a reference.
fn organization_refs(data: &EventData) -> Vec<(String, &Slug)> {
    fn list<'a>(field: &str, ids: &'a [Slug]) -> Vec<(String, &'a Slug)> {
        ids.iter()
            .enumerate()
            .map(|(i, id)| (format!("/{field}/{i}"), id))
            .collect()
    }
    match data {
        EventData::OrganizationRegistered(d) => {
            d.parent.iter().map(|p| ("/parent".to_owned(), p)).collect()
        }
        EventData::PersonRegistered(d) => d
            .affiliations
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("/affiliations/{i}/organization"), &a.organization))
            .collect(),
        EventData::MeetingHeld(d) | EventData::MeetingScheduled(d) => {
            list("organizations", &d.organizations)
        }
        EventData::CooperationDiscussed(d) => list("organizations", &d.organizations),
        EventData::NegotiationReported(d) => list("organizations", &d.organizations),
        EventData::AgreementSigned(d) => list("organizations", &d.organizations),
        EventData::PartnershipAnnounced(d) => list("organizations", &d.organizations),
        EventData::PartnershipEnded(d) => list("organizations", &d.organizations),
        EventData::CompetitionNoted(d) => list("organizations", &d.organizations),
        EventData::InterestExpressed(d) => vec![
            ("/organization".to_owned(), &d.organization),
            ("/counterpart".to_owned(), &d.counterpart),
        ],
        EventData::ProcurementPlanned(d) => vec![
            ("/buyer".to_owned(), &d.buyer),
            ("/supplier".to_owned(), &d.supplier),
        ],
        EventData::ProductLaunched(d) => vec![("/organization".to_owned(), &d.organization)],
        EventData::RuleCreated(d) => list("match/organizations", &d.matcher.organizations),
        EventData::EventRetracted(_) | EventData::RuleDeleted(_) => Vec::new(),
    }
}

/// Every person reference of `data`, with its pointer below `/data`.
fn person_refs(data: &EventData) -> Vec<(String, &Slug)> {
    match data {
        EventData::MeetingHeld(d) | EventData::MeetingScheduled(d) => d
            .participants
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("/participants/{i}"), p))
            .collect(),
        _ => Vec::new(),
    }
}
