//! The alert cases of the contract's "Alerts" section, one test each, on the transitions that
//! applying facts and retractions returns.

mod common;

use common::*;
use liaison_proto::{Factuality, Status};
use liaison_relations::{
    Effect, Fact, ReferenceModel, Transition, alert_id_for, partnership_formed, status_entered,
};

/// Applies the facts in the given (arrival) order and returns every `new-partnership` alert.
fn alerts(facts: &[Fact]) -> Vec<Transition> {
    let mut r = ReferenceModel::new();
    facts
        .iter()
        .flat_map(|f| r.apply(f))
        .filter(partnership_formed)
        .collect()
}

#[test]
fn agreed_then_active_gives_one_alert() {
    let a = alerts(&[
        ml("e1", 1, "2024-01-01", Effect::Agreed),
        ml("e2", 2, "2024-01-02", Effect::Active),
    ]);
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].before, a[0].after), (Status::None, Status::Agreed));
    assert_eq!(a[0].cause_event_id, id("e1"));
}

#[test]
fn a_repeated_announcement_gives_no_second_alert() {
    let a = alerts(&[
        ml("e1", 1, "2024-01-01", Effect::Active),
        ml("e2", 2, "2024-01-02", Effect::Active),
    ]);
    assert_eq!(a.len(), 1);
}

#[test]
fn ended_then_announced_again_gives_a_second_alert() {
    let a = alerts(&[
        ml("e1", 1, "2024-01-01", Effect::Active),
        ml("e2", 2, "2024-01-02", Effect::Ended),
        ml("e3", 3, "2024-01-03", Effect::Active),
    ]);
    assert_eq!(a.len(), 2);
    assert_eq!(a[1].before, Status::Ended);
    assert_eq!(a[1].cause_event_id, id("e3"));
    assert_ne!(
        alert_id_for("new-partnership", &a[0]),
        alert_id_for("new-partnership", &a[1])
    );
}

#[test]
fn a_late_older_announcement_before_ended_gives_no_alert() {
    let a = alerts(&[
        ml("e1", 1, "2024-01-02", Effect::Ended),
        ml("e2", 2, "2024-01-01", Effect::Active),
    ]);
    assert!(a.is_empty());
}

#[test]
fn a_rumoured_announcement_gives_no_alert() {
    for factuality in [
        Factuality::Reported,
        Factuality::Possible,
        Factuality::Planned,
        Factuality::Negated,
    ] {
        let rumour = with_factuality(
            "e1",
            1,
            "2024-01-01",
            Effect::Active,
            factuality,
            &["meta", "lg"],
            &["xr"],
        );
        assert!(alerts(&[rumour]).is_empty(), "{factuality}");
    }
}

#[test]
fn a_late_fact_that_leaves_the_current_status_fires_nothing() {
    let mut r = ReferenceModel::new();
    r.apply(&ml("e1", 1, "2024-01-03", Effect::Active));
    let t = r.apply(&ml("e2", 2, "2024-01-01", Effect::Agreed));
    assert_eq!(t.len(), 1);
    assert!(!t[0].changed());
    assert!(!partnership_formed(&t[0]));
}

#[test]
fn a_late_agreement_that_raises_the_current_status_fires_with_its_own_time() {
    let mut r = ReferenceModel::new();
    r.apply(&ml("e1", 1, "2024-01-03", Effect::Contact));
    let t = r.apply(&ml("e2", 2, "2024-01-01", Effect::Agreed));
    assert!(partnership_formed(&t[0]));
    assert_eq!(t[0].since, Some(time("2024-01-01")));
    assert_eq!(t[0].since_event, Some(id("e2")));
}

#[test]
fn a_three_party_agreement_alerts_each_pair() {
    let a = alerts(&[fact(
        "e1",
        1,
        "2024-01-01",
        Effect::Agreed,
        &["meta", "lg", "sony"],
        &["xr"],
    )]);
    assert_eq!(a.len(), 3);
}

#[test]
fn retracting_the_end_restores_the_partnership_and_fires_with_the_retraction_as_cause() {
    let mut r = ReferenceModel::new();
    r.apply(&ml("e1", 1, "2024-01-01", Effect::Active));
    r.apply(&ml("e2", 2, "2024-01-02", Effect::Ended));
    let t = r.retract(id("e2"), id("r1"));
    assert_eq!(t.len(), 1);
    assert!(partnership_formed(&t[0]));
    assert_eq!(t[0].cause_event_id, id("r1"));
    assert_eq!(t[0].since_event, Some(id("e1")));
}

#[test]
fn retracting_the_agreement_fires_nothing_for_new_partnership() {
    let mut r = ReferenceModel::new();
    r.apply(&ml("e1", 1, "2024-01-01", Effect::Agreed));
    let t = r.retract(id("e1"), id("r1"));
    assert_eq!((t[0].before, t[0].after), (Status::Agreed, Status::None));
    assert!(!partnership_formed(&t[0]));
}

#[test]
fn a_status_rule_fires_when_the_current_status_enters_what_it_watches() {
    let mut r = ReferenceModel::new();
    let watched = [Status::Negotiating];
    let t1 = r.apply(&ml("e1", 1, "2024-01-01", Effect::Negotiating));
    let t2 = r.apply(&ml("e2", 2, "2024-01-02", Effect::Negotiating));
    let t3 = r.apply(&ml("e3", 3, "2024-01-03", Effect::Agreed));
    assert!(status_entered(&t1[0], &watched));
    assert!(!status_entered(&t2[0], &watched));
    assert!(!status_entered(&t3[0], &watched));
}

#[test]
fn a_replay_derives_the_same_alert_ids() {
    let facts = [
        ml("e1", 1, "2024-01-01", Effect::Agreed),
        ml("e2", 2, "2024-01-02", Effect::Ended),
        ml("e3", 3, "2024-01-03", Effect::Active),
    ];
    let ids = |facts: &[Fact]| {
        alerts(facts)
            .iter()
            .map(|t| alert_id_for("new-partnership", t))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&facts), ids(&facts));
    assert_eq!(ids(&facts).len(), 2);
}
