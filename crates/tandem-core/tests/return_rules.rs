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
use tandem_core::returns::rules::{Rule, check_case, check_header, duplicates, timeliness};
use tandem_core::returns::sen2::Header;
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
        ],
        "request": { "requested_by": "parent" }
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
            "sen_support": true,
            "placements": [
                { "urn": "654321", "phase": "Primary", "rank": "1", "entry_date": "2020-09-01" }
            ]
        },
        "events": [
            { "type": "request_received", "date": "2026-01-12" },
            { "type": "decision_to_assess", "date": "2026-02-20", "outcome": "not_assess" }
        ],
        "request": { "requested_by": "school" }
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

/// Sets a fact of the case's request.
fn ask(case: &mut Value, key: &str, value: Value) {
    case["request"][key] = value;
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
        ask(c, "cease_reason", json!("1"));
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
        ask(c, "cease_reason", json!("5"));
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
            ask(c, "cease_reason", json!("6"));
        }),
        BTreeSet::new()
    );
    assert_eq!(
        with(sound, |c| ask(c, "cease_reason", json!("2"))),
        only(Rule::CeaseReason)
    );
}

#[test]
fn request_source() {
    // Needed for a request decided in the period…
    let unasked = |c: &mut Value| {
        c.as_object_mut().unwrap().remove("request");
    };
    assert_eq!(with(support, unasked), only(Rule::RequestSource));
    // …not for one decided before it (reported as historical)…
    assert_eq!(with(sound, unasked), BTreeSet::new());
    // …nor for a plan transferred in (H whatever its dates).
    let transferred = with(support, |c| {
        unasked(c);
        ask(c, "transfer_la", json!("201"));
    });
    assert_eq!(transferred, BTreeSet::new());
}

#[test]
fn yes_no_items_of_the_child() {
    assert_eq!(
        with(support, |c| set(c, "sen_support", json!("maybe"))),
        only(Rule::FlagInvalid)
    );
    assert_eq!(
        with(support, |c| set(c, "sen_support", json!("Y"))),
        BTreeSet::new()
    );
}

#[test]
fn a_child_who_moved_away_has_no_plan_here() {
    assert_eq!(
        with(sound, |c| ask(c, "exported_la", json!("XXX"))),
        only(Rule::ExportedWithPlan)
    );
    assert_eq!(
        with(support, |c| ask(c, "exported_la", json!("201"))),
        BTreeSet::new()
    );
}

#[test]
fn budget_arrangements_need_a_personal_budget() {
    assert_eq!(
        with(sound, |c| ask(c, "organised_arrangements", json!(true))),
        only(Rule::PersonalBudget)
    );
    assert_eq!(
        with(sound, |c| ask(c, "direct_payments", json!("E"))),
        only(Rule::PersonalBudget)
    );
    let with_budget = with(sound, |c| {
        ask(c, "personal_budget", json!(true));
        ask(c, "organised_arrangements", json!(true));
        ask(c, "direct_payments", json!("I"));
    });
    assert_eq!(with_budget, BTreeSet::new());
}

#[test]
fn residential_and_work_based_codes_of_a_setting() {
    let placed = |res: &str, wbp: &str| {
        with(sound, |c| {
            c["child"]["placements"][0]["res"] = json!(res);
            c["child"]["placements"][0]["wbp"] = json!(wbp);
        })
    };
    assert_eq!(placed("A", "S"), BTreeSet::new());
    assert_eq!(placed("C", "S"), only(Rule::PlacementInvalid));
    assert_eq!(placed("B", "X"), only(Rule::PlacementInvalid));
}

fn header() -> Header {
    Header {
        la: "201".into(),
        software: "Tandem".into(),
        release: "1".into(),
        serial: 1,
        created: "2027-01-22T09:30:00".into(),
        dmo: "Y".into(),
        dco: "N".into(),
        dsco: "R".into(),
    }
}

fn header_rules(header: &Header, collection: &Collection) -> BTreeSet<Rule> {
    check_header(header, collection)
        .into_iter()
        .map(|p| p.rule)
        .collect()
}

#[test]
fn header_rules_fire_on_their_items_only() {
    let c = collection();
    assert_eq!(header_rules(&header(), &c), BTreeSet::new());
    let serial = Header {
        serial: 0,
        ..header()
    };
    assert_eq!(header_rules(&serial, &c), only(Rule::HeaderInvalid));
    let created = Header {
        created: "22/01/2027".into(),
        ..header()
    };
    assert_eq!(header_rules(&created, &c), only(Rule::HeaderInvalid));
    let moved = Collection {
        census: d("2027-01-14"),
        ..c
    };
    assert_eq!(header_rules(&header(), &moved), only(Rule::HeaderYear));
    // A year DfE has not published: the third Thursday is taken, and not queried.
    assert_eq!(
        header_rules(&header(), &Collection::of_year(2029, d("2028-12-01"))),
        BTreeSet::new()
    );
    let la = Header {
        la: "999".into(),
        ..header()
    };
    assert_eq!(header_rules(&la, &c), only(Rule::HeaderLa));
    let officer = Header {
        dsco: String::new(),
        ..header()
    };
    assert_eq!(header_rules(&officer, &c), only(Rule::HeaderOfficers));
}

fn flags_of(case: &Value) -> BTreeSet<Rule> {
    let case = CaseFile::from_value(case.clone()).unwrap();
    let collection = collection();
    timeliness(&CaseFacts::of(&case, &collection), &collection)
        .into_iter()
        .map(|p| p.rule)
        .collect()
}

/// A plan requested and issued in the 2026 period, with the dates given.
fn issued(decided: &str, plan: &str) -> Value {
    let mut case = sound();
    case["events"] = json!([
        { "type": "request_received", "date": "2026-01-05" },
        { "type": "decision_to_assess", "date": decided, "outcome": "assess" },
        { "type": "draft_plan_issued", "date": "2026-04-01" },
        { "type": "final_plan_issued", "date": plan }
    ]);
    case
}

#[test]
fn timeliness_flags_fire_on_late_steps_only() {
    // On time: decided in week 6 (16 February), plan by 25 May.
    assert_eq!(
        flags_of(&issued("2026-02-16", "2026-05-25")),
        BTreeSet::new()
    );
    assert_eq!(
        flags_of(&issued("2026-02-17", "2026-05-25")),
        only(Rule::LateDecision)
    );
    assert_eq!(
        flags_of(&issued("2026-02-16", "2026-05-26")),
        only(Rule::LatePlan)
    );
    // A qualifying exception (four weeks away) means the late plan is not flagged.
    let mut excused = issued("2026-02-16", "2026-06-20");
    event(
        &mut excused,
        json!({ "type": "exception", "kind": "absent_from_area", "from": "2026-03-01", "to": "2026-04-05" }),
    );
    assert_eq!(flags_of(&excused), BTreeSet::new());
    // The flags are not data problems: the case's own checks stay clean.
    assert_eq!(
        rules_of(&issued("2026-02-17", "2026-06-20")),
        BTreeSet::new()
    );
    // A phase transfer due 14 February 2026 with its amended plan issued after.
    let mut transfer = sound();
    event(
        &mut transfer,
        json!({ "type": "phase_transfer", "date": "2026-09-01", "kind": "school" }),
    );
    event(
        &mut transfer,
        json!({ "type": "amended_plan_issued", "date": "2026-03-02" }),
    );
    assert_eq!(flags_of(&transfer), only(Rule::LatePhaseTransfer));
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
        "exported-with-plan",
        "personal-budget",
        "header-invalid",
        "header-year",
        "header-la",
        "header-officers",
        "late-decision",
        "late-plan",
        "late-phase-transfer",
        "duplicate-id",
    ];
    let all: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(all, tested);
}
