//! The legacy tracker cleanse: each kind of bad row gives its own message, with its line.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use tandem_app::interchange::tracker::{self, Cleanse};
use tandem_core::{Date, dates, timeline};

const HEADER: &str = "reference,given_name,family_name,date_of_birth,request_received,decision_date,decision,education_advice_requested,education_advice_received,health_advice_requested,health_advice_received,social_care_advice_requested,social_care_advice_received,draft_issued,final_issued,case_manager";

fn today() -> Date {
    dates::parse_iso("2026-11-01").unwrap()
}

fn cleanse(rows: &[&str]) -> Cleanse {
    let text = format!("{HEADER}\n{}\n", rows.join("\n"));
    tracker::read(
        text.as_bytes(),
        &|email| email.ends_with("@council.test"),
        today(),
    )
}

fn messages(c: &Cleanse) -> Vec<String> {
    c.problems()
        .iter()
        .map(|p| format!("{}: {}", p.line, p.message))
        .collect()
}

#[test]
fn a_sound_row_becomes_a_case_with_its_history() {
    let c = cleanse(&[
        "T-1,Sam,Example,12/03/2015,2026-01-05,10/02/2026,yes,2026-02-11,2026-03-01,11/02/2026,20/03/2026,,,2026-04-20,2026-05-18,Ann@Council.test",
    ]);
    assert!(c.problems().is_empty(), "{:?}", messages(&c));
    let case = &c.accepted[0];
    assert_eq!(case.case_manager.as_deref(), Some("ann@council.test"));
    assert_eq!(case.case.child.text("given_name"), Some("Sam"));
    assert_eq!(case.case.events.len(), 8);
    let t = timeline::compute(&case.case, today());
    assert_eq!(t.milestone("final_plan").unwrap().status.as_str(), "met");
    assert_eq!(
        t.milestone("advice:health")
            .unwrap()
            .due
            .unwrap()
            .to_string(),
        "2026-03-25"
    );
}

#[test]
fn each_kind_of_problem_has_its_own_message() {
    let rows = [
        // 2: impossible date
        "T-1,Sam,Example,31/02/2015,2026-01-05,,,,,,,,,,,",
        // 3: missing required values
        "T-2,,Example,2015-01-01,,,,,,,,,,,,",
        // 4: dates out of order
        "T-3,Alex,Example,2015-01-01,2026-03-01,2026-02-01,assess,,,,,,,,,",
        // 5: advice received before requested
        "T-4,Alex,Example,2015-01-01,2026-01-05,2026-02-01,assess,,,2026-03-01,2026-02-20,,,,,",
        // 6: unknown case manager
        "T-5,Alex,Example,2015-01-01,2026-01-05,,,,,,,,,,,someone@elsewhere.test",
        // 7: duplicate of line 6's reference
        "T-5,Alex,Other,2015-01-01,2026-01-05,,,,,,,,,,,",
        // 8: unknown decision value, and a date in the future
        "T-6,Alex,Example,2015-01-01,2026-01-05,2026-02-01,maybe,,,,,,,,2027-01-01,",
        // 9: refused but plan dates filled in; a reference unsafe for web addresses
        "T 7,Alex,Example,2015-01-01,2026-01-05,2026-02-01,not_assess,,,,,,,,2026-05-01,",
        // 10: received without requested; decision without its date
        "T-8,Alex,Example,2015-01-01,2026-01-05,,assess,,2026-02-01,,,,,,,",
    ];
    let c = cleanse(&rows);
    let all = messages(&c);
    let expect = [
        "2: date_of_birth \"31/02/2015\" is not a real date",
        "3: given_name is required but empty",
        "3: request_received is required but empty",
        "4: decision_date (2026-02-01) is before request_received (2026-03-01)",
        "5: health_advice_received (2026-02-20) is before health_advice_requested (2026-03-01)",
        "6: case_manager \"someone@elsewhere.test\" is not a known case manager",
        "7: reference \"T-5\" is already used on line 6",
        "8: decision \"maybe\" must be assess or not_assess",
        "8: final_issued \"2027-01-01\" is in the future",
        "9: decision is not_assess but advice or plan dates are filled in",
        "9: reference \"T 7\" must be",
        "10: education_advice_received is given but education_advice_requested is empty",
        "10: decision and decision_date must be given together",
    ];
    for expected in expect {
        assert!(
            all.iter().any(|m| m.starts_with(expected)),
            "missing {expected:?} in {all:#?}"
        );
    }
    assert!(c.accepted.is_empty(), "no row here is sound");
    assert_eq!(c.rejected.len(), rows.len());
}

#[test]
fn rejected_rows_are_written_back_with_their_problems() {
    let c = cleanse(&[
        "T-1,Sam,Example,2015-01-01,2026-01-05,,,,,,,,,,,",
        "T-2,,Example,2015-01-01,2026-01-05,,,,,,,,,,,",
    ]);
    assert_eq!(c.accepted.len(), 1);
    let mut out = Vec::new();
    c.write_rejected(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with(&format!("{HEADER},problems\n")));
    assert!(text.contains("T-2,,Example") && text.contains("given_name is required but empty"));
}

#[test]
fn header_problems_stop_the_read() {
    let text = "reference,given_name,family_nmae,date_of_birth,request_received\nT-1,A,B,2015-01-01,2026-01-05\n";
    let c = tracker::read(text.as_bytes(), &|_| true, today());
    let all = messages(&c);
    assert_eq!(
        all,
        [
            "1: unknown column \"family_nmae\"",
            "1: missing column \"family_name\""
        ]
    );
    assert!(c.accepted.is_empty() && c.rejected.is_empty());
}

#[test]
fn uk_and_iso_dates() {
    assert_eq!(
        tracker::parse_tracker_date("1/2/2026"),
        dates::parse_iso("2026-02-01").ok()
    );
    assert_eq!(
        tracker::parse_tracker_date("29/02/2028"),
        dates::parse_iso("2028-02-29").ok()
    );
    for bad in ["29/02/2027", "2026/02/01", "01/02/26", "1-2-2026", ""] {
        assert_eq!(tracker::parse_tracker_date(bad), None, "{bad}");
    }
}

#[test]
fn the_returns_columns_go_to_the_child_record_as_given() {
    let header = format!(
        "{HEADER},upn,sex,ethnicity,primary_need,request_source,setting_urn,setting_phase,setting_entry_date"
    );
    let text = format!(
        "{header}\nT-2,Sam,Example,12/03/2015,2026-01-05,,,,,,,,,,,,B801200005001,F,wbri,ASD,2,123456,Primary,01/09/2019\n"
    );
    let c = tracker::read(text.as_bytes(), &|_| true, today());
    assert!(c.problems().is_empty(), "{:?}", messages(&c));
    let child = &c.accepted[0].case.child;
    assert_eq!(child.text("upn"), Some("B801200005001"));
    assert_eq!(child.text("sex"), Some("F"));
    // Kept as given: the data-quality rules, not the import, say that "wbri" is not a code.
    assert_eq!(child.text("ethnicity"), Some("wbri"));
    // Who asked is the case's, read from its SEN2 code.
    assert_eq!(
        c.accepted[0].case.request.requested_by,
        Some(tandem_core::request::Requester::School)
    );
    let refused = format!(
        "{header}\nT-3,Sam,Example,12/03/2015,2026-01-05,,,,,,,,,,,,B801200005001,F,WBRI,ASD,neighbour,123456,Primary,01/09/2019\n"
    );
    let c2 = tracker::read(refused.as_bytes(), &|_| true, today());
    assert!(
        messages(&c2)
            .iter()
            .any(|m| m.contains("request_source \"neighbour\"")),
        "{:?}",
        messages(&c2)
    );
    let details = tandem_core::returns::ReturnDetails::of(child);
    let setting = &details.placements[0];
    assert_eq!(setting.urn.as_deref(), Some("123456"));
    assert_eq!(setting.phase.as_deref(), Some("Primary"));
    assert_eq!(setting.rank.as_deref(), Some("1"));
    assert!(setting.attended_on(dates::parse_iso("2026-01-05").unwrap()));
}
