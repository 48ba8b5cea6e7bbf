//! Each data-quality rule of the statutory returns fires where it must and not where it must
//! not (docs/statutory-returns.md lists the rules).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::BTreeSet;

use serde_json::{Value, json};
use tandem_core::CaseFile;
use tandem_core::returns::rules::{Rule, check_case, duplicates};
use tandem_core::returns::{CaseFacts, Collection, ReturnDetails, person_key};

fn d(s: &str) -> tandem_core::Date {
    tandem_core::dates::parse_iso(s).unwrap()
}

/// The 2027 collection (census 21 January 2027), made on 1 December 2026.
fn collection() -> Collection {
    Collection::of_year(2027, d("2026-12-01"))
}

/// A child with a plan in force and every detail right.
fn sound() -> Value {
    json!({
        "reference": "EHC-2025-0001",
        "child": {
            "date_of_birth": "2015-03-02",
            "given_name": "Alex",
            "family_name": "Smith",
            "sex": "M",
            "ethnicity": "WBRI",
            "upn": "B801200005001",
            "primary_need": "ASD",
            "request_source": "1",
            "placements": [
                { "urn": "123456", "phase": "Primary", "rank": "1", "entry_date": "2019-09-01" }
            ]
        },
        "events": [
            { "type": "request_received", "date": "2025-01-06" },
            { "type": "decision_to_assess", "date": "2025-02-10", "outcome": "assess" },
            { "type": "draft_plan_issued", "date": "2025-04-20" },
            { "type": "final_plan_issued", "date": "2025-05-20" },
            { "type": "review_meeting_held", "date": "2026-05-01" },
            { "type": "review_decision", "date": "2026-05-10", "outcome": "maintain" }
        ]
    })
}

/// A child on SEN support whose request was refused this year.
fn support() -> Value {
    json!({
        "reference": "EHC-2026-0002",
        "child": {
            "date_of_birth": "2016-05-02",
            "given_name": "Sam",
            "family_name": "Jones",
            "sex": "F",
            "ethnicity": "BAFR",
            "upn": "B801200005001",
            "primary_need": "SLCN",
            "request_source": "2",
            "sen_support": true,
            "placements": [
                { "urn": "654321", "phase": "Primary", "rank": "1", "entry_date": "2020-09-01" }
            ]
        },
        "events": [
            { "type": "request_received", "date": "2026-01-12" },
            { "type": "decision_to_assess", "date": "2026-02-20", "outcome": "not_assess" }
        ]
    })
}

fn rules_of(case: &Value) -> BTreeSet<Rule> {
    let case = CaseFile::from_value(case.clone()).unwrap();
    let collection = collection();
    let facts = CaseFacts::of(&case, &collection);
    let details = ReturnDetails::of(&case.child);
    check_case(&facts, &details, &collection)
        .into_iter()
        .map(|p| p.rule)
        .collect()
}

/// `base` changed by `change`, then the rules broken.
fn with(base: fn() -> Value, change: impl FnOnce(&mut Value)) -> BTreeSet<Rule> {
    let mut case = base();
    change(&mut case);
    rules_of(&case)
}

fn only(rule: Rule) -> BTreeSet<Rule> {
    BTreeSet::from([rule])
}

fn child(case: &mut Value) -> &mut serde_json::Map<String, Value> {
    case["child"].as_object_mut().unwrap()
}

fn set(case: &mut Value, key: &str, value: Value) {
    child(case).insert(key.into(), value);
}

fn event(case: &mut Value, event: Value) {
    case["events"].as_array_mut().unwrap().push(event);
}

#[test]
fn sound_records_have_no_problems() {
    assert_eq!(rules_of(&sound()), BTreeSet::new());
    assert_eq!(rules_of(&support()), BTreeSet::new());
}

#[test]
fn names_and_date_of_birth() {
    assert_eq!(
        with(sound, |c| {
            child(c).remove("family_name");
        }),
        only(Rule::NameMissing)
    );
    assert_eq!(
        with(sound, |c| {
            child(c).remove("date_of_birth");
        }),
        only(Rule::BirthDateMissing)
    );
    // 26 on census day: too old; 25 is still within the range.
    let aged = |born: &'static str| {
        with(sound, move |c| {
            set(c, "date_of_birth", json!(born));
            set(
                c,
                "placements",
                json!([{ "urn": "123456", "phase": "Secondary", "rank": "1", "entry_date": "2024-09-01" }]),
            );
        })
    };
    assert_eq!(aged("2000-12-01"), only(Rule::BirthDateOutOfRange));
    assert_eq!(aged("2001-06-01"), BTreeSet::new());
    // 26 at census, but the plan ceased at 25: its age is taken when it ended.
    let ceased_at_25 = with(sound, |c| {
        set(c, "date_of_birth", json!("2001-01-05"));
        set(c, "cease_reason", json!("1"));
        event(c, json!({ "type": "plan_ceased", "date": "2026-01-05" }));
    });
    assert_eq!(ceased_at_25, BTreeSet::new());
    // Born after census day (with no setting, so only the date is wrong).
    let unborn = with(support, |c| {
        set(c, "date_of_birth", json!("2027-02-01"));
        set(c, "placements", json!([]));
    });
    assert!(unborn.contains(&Rule::BirthDateOutOfRange), "{unborn:?}");
}

#[test]
fn sex_and_ethnicity_codes() {
    assert_eq!(
        with(sound, |c| set(c, "sex", json!("X"))),
        only(Rule::SexInvalid)
    );
    assert_eq!(
        with(sound, |c| {
            child(c).remove("sex");
        }),
        only(Rule::SexInvalid)
    );
    assert_eq!(
        with(sound, |c| set(c, "ethnicity", json!("White"))),
        only(Rule::EthnicityInvalid)
    );
    assert_eq!(
        with(sound, |c| set(c, "ethnicity", json!("NOBT"))),
        BTreeSet::new()
    );
}

#[test]
fn identifiers_and_reasons() {
    let no_upn = |c: &mut Value| {
        child(c).remove("upn");
    };
    assert_eq!(with(sound, no_upn), only(Rule::UpnMissing));
    assert_eq!(
        with(sound, |c| {
            no_upn(c);
            set(c, "upn_unknown", json!("UN2"));
        }),
        BTreeSet::new()
    );
    assert_eq!(
        with(sound, |c| {
            no_upn(c);
            set(c, "uln", json!("1234567890"));
        }),
        BTreeSet::new()
    );
    assert_eq!(
        with(sound, |c| set(c, "upn", json!("A801200005001"))),
        only(Rule::UpnInvalid)
    );
    assert_eq!(
        with(sound, |c| set(c, "uln", json!("12345"))),
        only(Rule::UlnInvalid)
    );
    assert_eq!(
        with(sound, |c| {
            no_upn(c);
            set(c, "upn_unknown", json!("UN4"));
        }),
        only(Rule::UpnUnknownInvalid)
    );
    assert_eq!(
        with(sound, |c| set(c, "upn_unknown", json!("UN1"))),
        only(Rule::UpnUnknownInvalid)
    );
}

#[test]
fn needs() {
    assert_eq!(
        with(sound, |c| {
            child(c).remove("primary_need");
        }),
        only(Rule::NeedMissing)
    );
    assert_eq!(
        with(support, |c| {
            child(c).remove("primary_need");
        }),
        only(Rule::NeedMissing)
    );
    assert_eq!(
        with(sound, |c| set(c, "primary_need", json!("NSA"))),
        only(Rule::NeedInvalid)
    );
    assert_eq!(
        with(sound, |c| set(c, "secondary_need", json!("ASD"))),
        only(Rule::NeedInvalid)
    );
    assert_eq!(
        with(sound, |c| set(c, "secondary_need", json!("SLCN"))),
        BTreeSet::new()
    );
}

#[test]
fn settings() {
    let placement = |p: Value| move |c: &mut Value| set(c, "placements", json!([p]));
    let valid =
        json!({ "urn": "123456", "phase": "Primary", "rank": "1", "entry_date": "2019-09-01" });
    assert_eq!(with(sound, placement(valid.clone())), BTreeSet::new());
    let mut two_ids = valid.clone();
    two_ids["setting"] = json!("OTH");
    assert_eq!(
        with(sound, placement(two_ids)),
        only(Rule::PlacementInvalid)
    );
    let mut short_urn = valid.clone();
    short_urn["urn"] = json!("12345");
    assert_eq!(
        with(sound, placement(short_urn)),
        only(Rule::PlacementInvalid)
    );
    let mut no_rank = valid.clone();
    no_rank.as_object_mut().unwrap().remove("rank");
    assert_eq!(
        with(sound, placement(no_rank)),
        only(Rule::PlacementInvalid)
    );
    let mut bad_phase = valid.clone();
    bad_phase["phase"] = json!("Infants");
    assert_eq!(
        with(sound, placement(bad_phase)),
        only(Rule::PlacementInvalid)
    );
    let setting = json!({ "setting": "NEET", "rank": "1", "entry_date": "2019-09-01" });
    assert_eq!(with(sound, placement(setting)), BTreeSet::new());
    let mut before_birth = valid.clone();
    before_birth["entry_date"] = json!("2014-09-01");
    assert_eq!(
        with(sound, placement(before_birth)),
        only(Rule::PlacementDates)
    );
    let mut ends_first = valid.clone();
    ends_first["entry_date"] = json!("2024-09-01");
    ends_first["leaving_date"] = json!("2024-07-01");
    let found = with(sound, |c| {
        set(
            c,
            "placements",
            json!([ends_first, { "urn": "123457", "phase": "Primary", "rank": "1", "entry_date": "2024-09-02" }]),
        );
    });
    assert_eq!(found, only(Rule::PlacementDates));
}

#[test]
fn a_plan_in_force_needs_a_setting_on_census_day() {
    let left = json!([{ "urn": "123456", "phase": "Primary", "rank": "1", "entry_date": "2019-09-01", "leaving_date": "2026-07-31" }]);
    assert_eq!(
        with(sound, |c| set(c, "placements", left.clone())),
        only(Rule::NoPlacementOnCensus)
    );
    // Not for a plan that ceased before census day.
    let ceased = with(sound, |c| {
        set(c, "placements", left.clone());
        set(c, "cease_reason", json!("5"));
        event(c, json!({ "type": "plan_ceased", "date": "2026-07-31" }));
    });
    assert_eq!(ceased, BTreeSet::new());
}

#[test]
fn a_school_age_child_on_sen_support_needs_an_establishment() {
    assert_eq!(
        with(support, |c| set(c, "placements", json!([]))),
        only(Rule::NoEstablishment)
    );
    // Not before school age.
    let young = with(support, |c| {
        set(c, "placements", json!([]));
        set(c, "date_of_birth", json!("2022-10-01"));
    });
    assert_eq!(young, BTreeSet::new());
}

#[test]
fn plan_dates_in_order_and_not_in_the_future() {
    let reviewed_first = with(sound, |c| {
        event(
            c,
            json!({ "type": "review_meeting_held", "date": "2025-05-01" }),
        );
        c["events"][4]["date"] = json!("2025-05-01");
        c["events"][5]["date"] = json!("2025-05-10");
    });
    assert!(
        reviewed_first.contains(&Rule::PlanDatesOrder),
        "{reviewed_first:?}"
    );
    let future = with(sound, |c| {
        event(
            c,
            json!({ "type": "review_meeting_held", "date": "2026-12-15" }),
        )
    });
    assert_eq!(future, only(Rule::DatesInFuture));
    // A planned move is dated ahead on purpose.
    let planned = with(sound, |c| {
        event(
            c,
            json!({ "type": "phase_transfer", "date": "2026-09-01", "kind": "school" }),
        )
    });
    assert_eq!(planned, BTreeSet::new());
}

#[test]
fn cease_reasons() {
    let ceased = |c: &mut Value| event(c, json!({ "type": "plan_ceased", "date": "2026-09-30" }));
    assert_eq!(with(sound, ceased), only(Rule::CeaseReason));
    assert_eq!(
        with(sound, |c| {
            ceased(c);
            set(c, "cease_reason", json!("6"));
        }),
        BTreeSet::new()
    );
    assert_eq!(
        with(sound, |c| {
            ceased(c);
            set(c, "cease_reason", json!("10"));
        }),
        only(Rule::CeaseReason)
    );
    assert_eq!(
        with(sound, |c| set(c, "cease_reason", json!("2"))),
        only(Rule::CeaseReason)
    );
}

#[test]
fn request_source() {
    // Needed for a request decided in the period…
    assert_eq!(
        with(support, |c| {
            child(c).remove("request_source");
        }),
        only(Rule::RequestSource)
    );
    assert_eq!(
        with(support, |c| set(c, "request_source", json!("6"))),
        only(Rule::RequestSource)
    );
    // …not for one decided before it (reported as historical).
    assert_eq!(
        with(sound, |c| {
            child(c).remove("request_source");
        }),
        BTreeSet::new()
    );
}

#[test]
fn flags_and_la_codes() {
    assert_eq!(
        with(sound, |c| set(c, "request_mediation", json!("maybe"))),
        only(Rule::FlagInvalid)
    );
    assert_eq!(
        with(sound, |c| set(c, "request_mediation", json!("Y"))),
        BTreeSet::new()
    );
    assert_eq!(
        with(sound, |c| set(c, "transfer_la", json!("999"))),
        only(Rule::TransferLaInvalid)
    );
    assert_eq!(
        with(sound, |c| set(c, "transfer_la", json!("XXX"))),
        BTreeSet::new()
    );
}

#[test]
fn cases_outside_every_return_are_not_checked() {
    // Refused long before the period, no plan, not on SEN support: in no return.
    let old = with(support, |c| {
        child(c).remove("sen_support");
        child(c).remove("sex");
        c["events"][0]["date"] = json!("2023-01-12");
        c["events"][1]["date"] = json!("2023-02-20");
    });
    assert_eq!(old, BTreeSet::new());
}

#[test]
fn identifiers_shared_between_children() {
    let read = |v: Value| {
        let case = CaseFile::from_value(v).unwrap();
        (
            case.reference.clone(),
            person_key(&case),
            ReturnDetails::of(&case.child),
        )
    };
    let (a, b) = (read(sound()), read(support()));
    // sound() and support() are two children with the same UPN.
    let found = duplicates([(&a.0, a.1.clone(), &a.2), (&b.0, b.1.clone(), &b.2)]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|(_, p)| p.rule == Rule::DuplicateId));
    // Two cases of one child may share it.
    let mut again = sound();
    again["reference"] = json!("EHC-2026-0009");
    let c = read(again);
    assert_eq!(
        duplicates([(&a.0, a.1.clone(), &a.2), (&c.0, c.1.clone(), &c.2)]),
        vec![]
    );
}

#[test]
fn every_rule_is_tested_here() {
    // The rules above, by id: a new rule must get its test.
    let tested = [
        "name-missing",
        "birth-date-missing",
        "birth-date-out-of-range",
        "sex-invalid",
        "ethnicity-invalid",
        "upn-missing",
        "upn-invalid",
        "uln-invalid",
        "upn-unknown-invalid",
        "need-missing",
        "need-invalid",
        "placement-invalid",
        "placement-dates",
        "no-placement-on-census",
        "no-establishment",
        "plan-dates-order",
        "dates-in-future",
        "cease-reason",
        "request-source",
        "flag-invalid",
        "transfer-la-invalid",
        "duplicate-id",
    ];
    let all: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(all, tested);
}
