//! One test per row and rule of the contract's "ReferenceModelhip status" section.

mod common;

use common::*;
use liaison_proto::{AsOf, EventType, Factuality, Status};
use liaison_relations::{Effect, ReferenceModel};

fn status_after(facts: &[liaison_relations::Fact]) -> Status {
    let mut r = ReferenceModel::new();
    for f in facts {
        r.apply(f);
    }
    r.status(&slug("meta"), &slug("lg"), &slug("xr"), None)
        .status
}

fn via_type(event_type: &str) -> Effect {
    Effect::of(EventType::parse(event_type).unwrap()).unwrap()
}

#[test]
fn meeting_held_moves_to_contact() {
    assert_eq!(
        status_after(&[ml("e1", 1, "2024-01-01", via_type("meeting.held"))]),
        Status::Contact
    );
}

#[test]
fn meeting_without_topics_counts_for_general() {
    let mut r = ReferenceModel::new();
    r.apply(&fact(
        "e1",
        1,
        "2024-01-01",
        Effect::Contact,
        &["meta", "lg"],
        &[],
    ));
    assert_eq!(
        r.status(&slug("lg"), &slug("meta"), &slug("general"), None)
            .status,
        Status::Contact
    );
    assert_eq!(
        r.status(&slug("lg"), &slug("meta"), &slug("xr"), None)
            .status,
        Status::None
    );
}

#[test]
fn cooperation_discussed_moves_to_exploring() {
    let e = via_type("cooperation.discussed");
    assert_eq!(
        status_after(&[ml("e1", 1, "2024-01-01", e)]),
        Status::Exploring
    );
}

#[test]
fn interest_expressed_moves_to_exploring() {
    let e = via_type("interest.expressed");
    assert_eq!(
        status_after(&[ml("e1", 1, "2024-01-01", e)]),
        Status::Exploring
    );
}

#[test]
fn negotiation_reported_moves_to_negotiating() {
    let e = via_type("negotiation.reported");
    assert_eq!(
        status_after(&[ml("e1", 1, "2024-01-01", e)]),
        Status::Negotiating
    );
}

#[test]
fn agreement_signed_moves_to_agreed() {
    let e = via_type("agreement.signed");
    assert_eq!(
        status_after(&[ml("e1", 1, "2024-01-01", e)]),
        Status::Agreed
    );
}

#[test]
fn partnership_announced_moves_to_active() {
    let e = via_type("partnership.announced");
    assert_eq!(
        status_after(&[ml("e1", 1, "2024-01-01", e)]),
        Status::Active
    );
}

#[test]
fn partnership_ended_sets_ended() {
    let facts = [
        ml("e1", 1, "2024-01-01", Effect::Active),
        ml("e2", 2, "2024-01-02", via_type("partnership.ended")),
    ];
    assert_eq!(status_after(&facts), Status::Ended);
}

#[test]
fn ended_with_no_prior_status_is_ended() {
    assert_eq!(
        status_after(&[ml("e1", 1, "2024-01-01", Effect::Ended)]),
        Status::Ended
    );
}

#[test]
fn after_ended_a_later_event_starts_the_climb_again() {
    let facts = [
        ml("e1", 1, "2024-01-01", Effect::Active),
        ml("e2", 2, "2024-01-02", Effect::Ended),
        ml("e3", 3, "2024-01-03", Effect::Contact),
    ];
    assert_eq!(status_after(&facts), Status::Contact);
}

#[test]
fn a_weaker_event_never_lowers_the_status() {
    let facts = [
        ml("e1", 1, "2024-01-01", Effect::Agreed),
        ml("e2", 2, "2024-01-02", Effect::Contact),
        ml("e3", 3, "2024-01-03", Effect::Exploring),
    ];
    assert_eq!(status_after(&facts), Status::Agreed);
}

#[test]
fn meeting_scheduled_and_competition_noted_are_listed_but_move_nothing() {
    let mut r = ReferenceModel::new();
    r.apply(&ml("e1", 1, "2024-01-01", via_type("meeting.scheduled")));
    r.apply(&ml("e2", 2, "2024-01-02", via_type("competition.noted")));
    let v = r.status(&slug("meta"), &slug("lg"), &slug("xr"), None);
    assert_eq!(v.status, Status::None);
    assert_eq!(v.events.len(), 2);
}

#[test]
fn a_late_fact_is_placed_where_it_happened() {
    // Arrives last, happened first: the end that came later in time still wins.
    let facts = [
        ml("e1", 1, "2024-01-03", Effect::Ended),
        ml("e2", 2, "2024-01-01", Effect::Active),
    ];
    assert_eq!(status_after(&facts), Status::Ended);
    // And a late end before an announcement leaves the pair active.
    let facts = [
        ml("e1", 1, "2024-01-03", Effect::Active),
        ml("e2", 2, "2024-01-01", Effect::Ended),
    ];
    assert_eq!(status_after(&facts), Status::Active);
}

#[test]
fn same_time_is_ordered_by_sequence() {
    let facts = [
        ml("e2", 2, "2024-01-01", Effect::Contact),
        ml("e1", 1, "2024-01-01T00:00:00Z", Effect::Ended),
    ];
    // e1 (ended) then e2 (contact): the climb restarts.
    assert_eq!(status_after(&facts), Status::Contact);
}

#[test]
fn since_is_the_fact_that_moved_the_status_to_its_value() {
    let mut r = ReferenceModel::new();
    r.apply(&ml("e1", 1, "2024-01-01", Effect::Contact));
    r.apply(&ml("e2", 2, "2024-01-02", Effect::Exploring));
    r.apply(&ml("e3", 3, "2024-01-03", Effect::Contact));
    r.apply(&ml("e4", 4, "2024-01-04", Effect::Exploring));
    let v = r.status(&slug("meta"), &slug("lg"), &slug("xr"), None);
    assert_eq!(v.status, Status::Exploring);
    assert_eq!(v.since, Some(time("2024-01-02")));
    assert_eq!(v.since_event, Some(id("e2")));
}

#[test]
fn none_has_no_since() {
    let v = ReferenceModel::new().status(&slug("meta"), &slug("lg"), &slug("xr"), None);
    assert_eq!(
        (v.status, v.since, v.since_event),
        (Status::None, None, None)
    );
}

#[test]
fn only_asserted_facts_move_the_status_the_others_are_signals() {
    for factuality in [
        Factuality::Planned,
        Factuality::Possible,
        Factuality::Reported,
        Factuality::Negated,
    ] {
        let mut r = ReferenceModel::new();
        r.apply(&ml("e1", 1, "2024-01-01", Effect::Contact));
        r.apply(&with_factuality(
            "e2",
            2,
            "2024-01-02",
            Effect::Active,
            factuality,
            &["meta", "lg"],
            &["xr"],
        ));
        let v = r.status(&slug("meta"), &slug("lg"), &slug("xr"), None);
        assert_eq!(v.status, Status::Contact, "{factuality}");
        assert_eq!(v.events.len(), 1, "{factuality}");
        assert_eq!(v.signals.len(), 1, "{factuality}");
        assert_eq!(v.signals[0].event_id, id("e2"));
    }
}

#[test]
fn a_meeting_of_three_moves_all_three_pairs() {
    let mut r = ReferenceModel::new();
    let t = r.apply(&fact(
        "e1",
        1,
        "2024-01-01",
        Effect::Contact,
        &["meta", "lg", "sony"],
        &["xr"],
    ));
    assert_eq!(t.len(), 3);
    for (x, y) in [("meta", "lg"), ("meta", "sony"), ("lg", "sony")] {
        assert_eq!(
            r.status(&slug(x), &slug(y), &slug("xr"), None).status,
            Status::Contact
        );
    }
}

#[test]
fn each_topic_has_its_own_status() {
    let mut r = ReferenceModel::new();
    r.apply(&fact(
        "e1",
        1,
        "2024-01-01",
        Effect::Agreed,
        &["meta", "lg"],
        &["xr"],
    ));
    r.apply(&fact(
        "e2",
        2,
        "2024-01-01",
        Effect::Contact,
        &["meta", "lg"],
        &["ai"],
    ));
    assert_eq!(
        r.status(&slug("meta"), &slug("lg"), &slug("xr"), None)
            .status,
        Status::Agreed
    );
    assert_eq!(
        r.status(&slug("meta"), &slug("lg"), &slug("ai"), None)
            .status,
        Status::Contact
    );
}

#[test]
fn retraction_removes_the_effect_everywhere() {
    let mut r = ReferenceModel::new();
    r.apply(&ml("e1", 1, "2024-01-01", Effect::Contact));
    r.apply(&fact(
        "e2",
        2,
        "2024-01-02",
        Effect::Agreed,
        &["meta", "lg", "sony"],
        &["xr", "ai"],
    ));
    r.retract(id("e2"), id("r1"));
    assert_eq!(
        r.status(&slug("meta"), &slug("lg"), &slug("xr"), None)
            .status,
        Status::Contact
    );
    assert_eq!(
        r.views(None).len(),
        1,
        "only the meeting's pair-topic is left"
    );
    assert!(r.pair_topics_of(id("e2")).is_none());
}

#[test]
fn a_retraction_before_its_target_still_removes_it() {
    let mut r = ReferenceModel::new();
    r.retract(id("e1"), id("r1"));
    r.apply(&ml("e1", 1, "2024-01-01", Effect::Active));
    assert_eq!(r.views(None).len(), 0);
}

#[test]
fn as_of_counts_only_facts_that_happened_by_then() {
    let mut r = ReferenceModel::new();
    r.apply(&ml("e1", 1, "2024-01-01", Effect::Contact));
    r.apply(&ml("e2", 2, "2024-01-02T18:00:00Z", Effect::Agreed));
    r.apply(&ml("e3", 3, "2024-01-03", Effect::Ended));
    let at = |s: &str| {
        r.status(
            &slug("meta"),
            &slug("lg"),
            &slug("xr"),
            Some(AsOf::parse(s).unwrap()),
        )
    };
    assert_eq!(at("2023-12-31").status, Status::None);
    assert_eq!(at("2024-01-01").status, Status::Contact);
    assert_eq!(at("2024-01-02T17:59:59Z").status, Status::Contact);
    // A date means the whole day.
    assert_eq!(at("2024-01-02").status, Status::Agreed);
    assert_eq!(at("2024-01-02").events.len(), 2);
    assert_eq!(at("2024-01-03").status, Status::Ended);
}

#[test]
fn the_order_of_the_pair_does_not_matter() {
    let mut r = ReferenceModel::new();
    r.apply(&ml("e1", 1, "2024-01-01", Effect::Exploring));
    assert_eq!(
        r.status(&slug("meta"), &slug("lg"), &slug("xr"), None),
        r.status(&slug("lg"), &slug("meta"), &slug("xr"), None)
    );
}

#[test]
fn applying_the_same_event_id_twice_keeps_the_first() {
    let mut r = ReferenceModel::new();
    r.apply(&ml("e1", 1, "2024-01-01", Effect::Contact));
    assert!(
        r.apply(&ml("e1", 1, "2024-01-01", Effect::Contact))
            .is_empty()
    );
    assert_eq!(
        r.status(&slug("meta"), &slug("lg"), &slug("xr"), None)
            .events
            .len(),
        1
    );
}
