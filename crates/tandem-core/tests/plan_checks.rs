//! The plan quality checks (shared/docs/plan-quality.md) on three synthetic plans, and each rule
//! made to fire, and not to fire, by changing one thing in the good plan.
//!
//! The good plan (`fixtures/plans/good.json`) is a final plan for a Year 10 pupil with every
//! fact the checks can use, and must give no finding at all: any false positive fails here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use serde_json::{Value, json};
use support::date;
use tandem_core::plan::{Finding, Grade, Plan, PlanCheckConfig, PlanReport, Rule, check};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/plans/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn good() -> Value {
    fixture("good")
}

/// Checks a plan given as JSON, with the default configuration, on 1 May 2026 (for plans with no
/// issue date).
fn report(plan: &Value) -> PlanReport {
    report_with(plan, &PlanCheckConfig::default())
}

fn report_with(plan: &Value, config: &PlanCheckConfig) -> PlanReport {
    let plan = Plan::from_json(&plan.to_string()).unwrap();
    check(&plan, config, date("2026-05-01"))
}

/// Each finding as "RULE SECTION ITEM SEVERITY", "-" for no item.
fn lines(report: &PlanReport) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f.rule,
                f.section,
                f.item.as_deref().unwrap_or("-"),
                f.severity
            )
        })
        .collect()
}

/// The findings of `rule` only, as [`lines`].
fn of(report: &PlanReport, rule: Rule) -> Vec<String> {
    lines(report)
        .into_iter()
        .filter(|l| l.starts_with(&format!("{rule} ")))
        .collect()
}

/// The one finding of `rule`; fails unless there is exactly one.
fn only(report: &PlanReport, rule: Rule) -> Finding {
    let found: Vec<_> = report.findings.iter().filter(|f| f.rule == rule).collect();
    assert_eq!(found.len(), 1, "{:#?}", report.findings);
    found[0].clone()
}

/// The item with `id` in `section` of a plan's JSON.
fn item<'a>(plan: &'a mut Value, section: &str, id: &str) -> &'a mut Value {
    plan["sections"][section]["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id} in {section}"))
}

/// The good plan changed by `change`.
fn good_with(change: impl FnOnce(&mut Value)) -> Value {
    let mut plan = good();
    change(&mut plan);
    plan
}

#[test]
fn the_good_plan_has_no_findings_and_every_rule_is_checked() {
    let r = report(&good());
    assert_eq!(lines(&r), Vec::<String>::new(), "{:#?}", r.findings);
    assert_eq!((r.score, r.grade), (100, Grade::Outstanding));
    assert_eq!(r.not_checked, []);
}

#[test]
fn the_weak_plan_is_vague_unlinked_and_hard_to_read() {
    let r = report(&fixture("weak"));
    assert_eq!(
        lines(&r),
        [
            "S3 K k4 warning", // parent advice with no date
            "G2 F p3 error",   // provision for no need
            "G3 E o3 error",   // outcome for no need…
            "G3 E o3 error",   // …and supported by no provision
            "P1 F p1 warning", // who, how often, how long, group: none given
            "P1 F p3 warning", // how often, how long, group
            "P2 F p1 error",   // "Access to", "as appropriate"
            "P2 F p3 error",   // "Regular", "input"
            "O1 E o1 warning", // no date…
            "O1 E o1 warning", // …and "will receive" a service
            "O1 E o3 warning", // no date
            "L1 A - warning",  // ASD unexplained
            "L1 A - warning",  // a 35-word sentence
            "L1 F p3 warning", // SENCo unexplained
        ]
    );
    // Met: S1 S2 S4 G1 G4 P3 L2 (8+4+3+8+5+4+2 = 34); half: S3 P1 O1 L1 (3+4+3+1.5 = 11.5);
    // failed: G2 G3 P2. 45.5 of 77 = 59.
    assert_eq!((r.score, r.grade), (59, Grade::RequiresImprovement));
    assert_eq!(
        r.not_checked,
        [Rule::S5, Rule::S6, Rule::P4, Rule::L3, Rule::T1]
    );
    // The specific provision of the contract's example passes, with its fields or from its text.
    assert!(
        !lines(&r)
            .iter()
            .any(|l| l.contains(" p2 ") || l.contains(" p4 "))
    );
    let p2 = r.findings.iter().find(|f| f.rule == Rule::P2).unwrap();
    assert_eq!(
        p2.evidence.as_deref(),
        Some("\"Access to\", \"as appropriate\"")
    );
}

#[test]
fn the_unlawful_plan_breaks_the_law_in_many_places() {
    let r = report(&fixture("unlawful"));
    assert_eq!(
        lines(&r),
        [
            "S1 G - error",    // no section G
            "S2 I - error",    // a final plan with no placement
            "S3 K - error",    // social care advice not listed
            "S3 K - error",    // educational psychology advice not listed
            "S3 K - error",    // no preparing-for-adulthood advice from Year 9
            "S4 H1 s1 error",  // H1 for a 19-year-old
            "S5 J - error",    // personal budget requested, J blank
            "S6 E - error",    // no adulthood outcome
            "S6 F - error",    // no adulthood provision
            "G1 B n2 error",   // need with no provision
            "G4 C c1 error",   // health need with no health provision
            "L2 C c1 warning", // a medicine
            "L2 C c1 warning", // a doctor's name
            "L3 A - error",    // the name differs from the record
            "T1 K k2 error",   // advice dated after the plan
            "T1 K - error",    // 56 days late, no exception
        ]
    );
    assert_eq!((r.score, r.grade), (44, Grade::Inadequate));
    assert_eq!(r.not_checked, [Rule::P4]);
    let late = r.findings.last().unwrap();
    assert!(
        late.message
            .starts_with("The final plan was issued on 20 July 2026, 56 day(s) after the 20-week limit (25 May 2026"),
        "{}",
        late.message
    );
    assert!(late.message.contains("reg 13(2)"));
}

#[test]
fn every_finding_says_where_what_and_why() {
    for name in ["weak", "unlawful"] {
        for f in report(&fixture(name)).findings {
            assert!(f.message.len() > 40 && f.message.ends_with('.'), "{f:?}");
            let json = serde_json::to_value(&f).unwrap();
            let keys: Vec<&str> = json
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(
                &keys[..5],
                ["rule", "section", "item", "severity", "message"]
            );
        }
    }
}

#[test]
fn s1_sections_present_or_said_to_be_empty() {
    let r = report(&good_with(|p| {
        p["sections"].as_object_mut().unwrap().remove("K");
        p["sections"]["D"] = json!({ "items": [] });
        p["sections"]["H2"]["items"] =
            json!([{ "id": "x1", "needs": ["d1"], "text": "Day care." }]);
        p["sections"]["A"]["text"] = json!("  ");
    }));
    assert_eq!(
        of(&r, Rule::S1),
        [
            "S1 K - error",
            "S1 A - error",
            "S1 D - error",
            "S1 H2 - warning"
        ]
    );
    // An adult's plan may leave H1 out (it is for under-18s only).
    let adult = good_with(|p| {
        p["child"]["date_of_birth"] = json!("2008-01-01");
        p["case"]["date_of_birth"] = json!("2008-01-01");
        p["sections"].as_object_mut().unwrap().remove("H1");
    });
    assert_eq!(of(&report(&adult), Rule::S1), Vec::<String>::new());
}

#[test]
fn s2_placement_blank_in_a_draft_and_named_in_a_final() {
    let draft_naming = good_with(|p| p["status"] = json!("draft"));
    let f = only(&report(&draft_naming), Rule::S2);
    assert!(f.message.contains("s.38(5)"), "{}", f.message);
    assert_eq!(
        f.evidence.as_deref(),
        Some("Riverside Academy, a mainstream secondary academy.")
    );
    let draft_blank = good_with(|p| {
        p["status"] = json!("draft");
        p["sections"]["I"]["text"] = json!("");
    });
    assert_eq!(of(&report(&draft_blank), Rule::S2), Vec::<String>::new());
    for placeholder in ["", "TBC", "To be confirmed."] {
        let final_tbc = good_with(|p| p["sections"]["I"]["text"] = json!(placeholder));
        assert_eq!(
            of(&report(&final_tbc), Rule::S2),
            ["S2 I - error"],
            "{placeholder:?}"
        );
    }
    // An amended plan is a final plan.
    let amended_blank = good_with(|p| {
        p["status"] = json!("amended");
        p["sections"]["I"]["text"] = json!("");
    });
    assert_eq!(of(&report(&amended_blank), Rule::S2), ["S2 I - error"]);
}

#[test]
fn s3_advice_received_is_listed_with_preparing_for_adulthood_from_year_9() {
    let r = report(&good_with(|p| {
        p["advice_received"]
            .as_array_mut()
            .unwrap()
            .push(json!("other"));
        p["advice_received"]
            .as_array_mut()
            .unwrap()
            .push(json!("other"));
        item(p, "K", "k3")["from"] = json!("");
    }));
    assert_eq!(of(&r, Rule::S3), ["S3 K - error", "S3 K k3 warning"]);
    // Received but not listed: said once, as for any advice.
    let unlisted_pfa = good_with(|p| {
        p["sections"]["K"]["items"].as_array_mut().unwrap().pop();
    });
    let f = only(&report(&unlisted_pfa), Rule::S3);
    assert!(
        f.message
            .starts_with("Preparing for adulthood advice was received but is not listed")
    );
    // Never sought at all.
    let no_pfa = good_with(|p| {
        p["sections"]["K"]["items"].as_array_mut().unwrap().pop();
        p["advice_received"].as_array_mut().unwrap().pop();
    });
    let f = only(&report(&no_pfa), Rule::S3);
    assert!(f.message.contains("reg 6(1)(g)"), "{}", f.message);
    // In Year 8 no preparing-for-adulthood advice is due.
    let year_8 = good_with(|p| {
        p["child"]["year_group"] = json!(8);
        p["sections"]["K"]["items"].as_array_mut().unwrap().pop();
        p["advice_received"].as_array_mut().unwrap().pop();
    });
    assert_eq!(of(&report(&year_8), Rule::S3), Vec::<String>::new());
}

#[test]
fn s4_h1_is_for_under_18s_counted_on_the_issue_date() {
    // 18 on 15 June 2026, the issue date: H1 no longer applies.
    let eighteen = good_with(|p| {
        p["child"]["date_of_birth"] = json!("2008-06-15");
        p["case"]["date_of_birth"] = json!("2008-06-15");
    });
    assert_eq!(of(&report(&eighteen), Rule::S4), ["S4 H1 s1 error"]);
    let seventeen = good_with(|p| {
        p["child"]["date_of_birth"] = json!("2008-06-16");
        p["case"]["date_of_birth"] = json!("2008-06-16");
    });
    assert_eq!(of(&report(&seventeen), Rule::S4), Vec::<String>::new());
    // Without an issue date, the date given to the check (1 May 2026).
    let draft = good_with(|p| {
        p.as_object_mut().unwrap().remove("issued_on");
        p["child"]["date_of_birth"] = json!("2008-05-01");
        p["case"]["date_of_birth"] = json!("2008-05-01");
    });
    assert_eq!(of(&report(&draft), Rule::S4), ["S4 H1 s1 error"]);
    let unknown_age = good_with(|p| {
        p["child"].as_object_mut().unwrap().remove("date_of_birth");
    });
    assert!(report(&unknown_age).not_checked.contains(&Rule::S4));
}

#[test]
fn s5_the_personal_budget_agrees_with_the_request() {
    let blank = good_with(|p| p["sections"]["J"]["text"] = json!(""));
    assert_eq!(of(&report(&blank), Rule::S5), ["S5 J - error"]);
    let not_requested = good_with(|p| p["case"]["personal_budget_requested"] = json!(false));
    assert_eq!(of(&report(&not_requested), Rule::S5), ["S5 J - warning"]);
    let none = good_with(|p| {
        p["case"]["personal_budget_requested"] = json!(false);
        p["sections"]["J"]["text"] = json!("No personal budget was requested.");
    });
    assert_eq!(of(&report(&none), Rule::S5), Vec::<String>::new());
    let unknown = good_with(|p| {
        p["case"]
            .as_object_mut()
            .unwrap()
            .remove("personal_budget_requested");
        p["sections"]["J"]["text"] = json!("");
    });
    assert!(report(&unknown).not_checked.contains(&Rule::S5));
}

#[test]
fn s6_preparing_for_adulthood_from_year_9() {
    let unmarked = |year: Value| {
        good_with(|p| {
            p["child"]["year_group"] = year;
            item(p, "E", "o4")["preparing_for_adulthood"] = json!(false);
            item(p, "E", "o4")["text"] = json!("By the end of Year 11, Tomos will catch a bus.");
            item(p, "F", "p5")["preparing_for_adulthood"] = json!(false);
            item(p, "F", "p5")["text"] = json!("Bus training on the route to the local college.");
        })
    };
    assert_eq!(
        of(&report(&unmarked(json!(9))), Rule::S6),
        ["S6 E - error", "S6 F - error"]
    );
    assert!(report(&unmarked(json!(8))).not_checked.contains(&Rule::S6));
    // Without a year group, it comes from the date of birth: born May 2011, Year 10 in June 2026.
    let derived = unmarked(Value::Null);
    assert_eq!(of(&report(&derived), Rule::S6).len(), 2);
    // An adulthood word marks an item as well as the flag does.
    let by_words = good_with(|p| {
        item(p, "E", "o4")["preparing_for_adulthood"] = json!(false);
        item(p, "F", "p5")["preparing_for_adulthood"] = json!(false);
    });
    assert_eq!(of(&report(&by_words), Rule::S6), Vec::<String>::new());
}

#[test]
fn g1_every_special_educational_need_has_provision_in_f() {
    let r = report(&good_with(|p| item(p, "F", "p3")["needs"] = json!(["n1"])));
    assert_eq!(lines(&r), ["G1 B n2 error"]);
    // Provision in G does not meet a need in B.
    let in_g = good_with(|p| {
        item(p, "F", "p3")["needs"] = json!(["n1"]);
        item(p, "G", "g1")["needs"] = json!(["c1", "n2"]);
    });
    assert_eq!(of(&report(&in_g), Rule::G1), ["G1 B n2 error"]);
}

#[test]
fn g2_every_provision_in_f_meets_a_need_that_exists() {
    let r = report(&good_with(|p| {
        item(p, "F", "p4")["needs"] = json!([]);
        item(p, "F", "p5")["needs"] = json!(["n1", "o3", "n7"]);
    }));
    assert_eq!(
        lines(&r),
        [
            "G1 B n3 error",
            "G2 F p4 error",
            "G2 F p5 error",
            "G2 F p5 error"
        ]
    );
    let evidence: Vec<_> = r.findings[2..]
        .iter()
        .map(|f| f.evidence.clone().unwrap())
        .collect();
    assert_eq!(evidence, ["o3", "n7"]);
}

#[test]
fn g3_every_outcome_has_a_need_and_provision() {
    let r = report(&good_with(|p| {
        item(p, "E", "o2")["needs"] = json!(["n9"]);
        item(p, "F", "p1")["outcomes"] = json!(["o1", "o4", "o9"]);
        item(p, "G", "g1")["outcomes"] = json!([]);
    }));
    assert_eq!(
        lines(&r),
        ["G3 E o2 error", "G3 E o5 error", "G3 F p1 error"]
    );
}

#[test]
fn g4_health_needs_have_health_provision_and_care_needs_care_provision() {
    let r = report(&good_with(|p| {
        item(p, "G", "g1")["needs"] = json!([]);
        item(p, "H1", "s1")["needs"] = json!(["d9"]);
    }));
    assert_eq!(
        lines(&r),
        [
            "G4 C c1 error",
            "G4 D d1 error",
            "G4 G g1 error",
            "G4 H1 s1 error"
        ]
    );
    // Social care provision in H2 meets a need in D as well as H1 does.
    let in_h2 = good_with(|p| {
        let s1 = item(p, "H1", "s1").clone();
        p["sections"]["H1"] = json!({ "items": [], "none_identified": true });
        p["sections"]["H2"] = json!({ "items": [s1] });
    });
    assert_eq!(lines(&report(&in_h2)), Vec::<String>::new());
}

#[test]
fn p1_provision_says_who_how_often_how_long_and_in_what_group() {
    // The contract's specific example passes with its fields, and from its text alone.
    let specific = "1:1 support from a teaching assistant for 30 minutes daily";
    let with_fields = good_with(|p| {
        let p4 = item(p, "F", "p4");
        p4["text"] = json!(specific);
        p4["who"] = json!("teaching assistant");
        p4["frequency"] = json!("daily");
        p4["duration"] = json!("30 minutes");
        p4.as_object_mut().unwrap().remove("group");
    });
    let text_only = good_with(|p| {
        let p4 = item(p, "F", "p4");
        p4["text"] = json!(specific);
        for field in ["who", "frequency", "duration", "group"] {
            p4.as_object_mut().unwrap().remove(field);
        }
    });
    for plan in [with_fields, text_only] {
        let r = report(&plan);
        assert_eq!(of(&r, Rule::P1), Vec::<String>::new());
        assert_eq!(of(&r, Rule::P2), Vec::<String>::new());
    }
    // A field that is given must say what it is for; a missing one is named.
    let r = report(&good_with(|p| {
        item(p, "F", "p4")["frequency"] = json!("when needed");
        item(p, "F", "p3")["who"] = json!("school staff");
        item(p, "F", "p2")
            .as_object_mut()
            .unwrap()
            .remove("duration");
    }));
    assert_eq!(
        of(&r, Rule::P1),
        ["P1 F p2 warning", "P1 F p3 warning", "P1 F p4 warning"]
    );
    let messages: Vec<&str> = r.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(messages[0].starts_with("Provision p2: it does not say how long each session lasts."));
    assert!(messages[1].starts_with(
        "Provision p3: its who \"school staff\" does not say who delivers it (a role or qualification)."
    ));
    assert!(messages[2].contains("its frequency \"when needed\" does not say how often"));
    // `until` is required only when configured so.
    let mut config = PlanCheckConfig::default();
    config
        .p1
        .required
        .push(tandem_core::plan::config::ProvisionField::Until);
    assert_eq!(
        of(&report_with(&good(), &config), Rule::P1),
        ["P1 F p2 warning", "P1 F p3 warning", "P1 F p4 warning"]
    );
}

#[test]
fn p2_vague_words_unless_the_provision_is_quantified() {
    let vague = good_with(|p| {
        let p2 = item(p, "F", "p2");
        p2["text"] = json!("access to speech and language therapy as appropriate");
        for field in ["who", "frequency", "duration", "group"] {
            p2.as_object_mut().unwrap().remove(field);
        }
    });
    let f = only(&report(&vague), Rule::P2);
    assert_eq!(f.item.as_deref(), Some("p2"));
    assert_eq!(
        f.evidence.as_deref(),
        Some("\"access to\", \"as appropriate\"")
    );
    // How often but not how long is not quantified; a vague word in a field counts too.
    let half = good_with(|p| {
        item(p, "F", "p4")
            .as_object_mut()
            .unwrap()
            .remove("duration");
        item(p, "F", "p4")["group"] = json!("1:1 where possible");
    });
    assert_eq!(
        only(&report(&half), Rule::P2).evidence.as_deref(),
        Some("\"where possible\"")
    );
    // Quantified provision may say "support".
    let quantified = good_with(|p| {
        item(p, "F", "p4")["text"] =
            json!("Ongoing support from a key adult at the start of each day.");
    });
    assert_eq!(of(&report(&quantified), Rule::P2), Vec::<String>::new());
    // The lexicon is configurable.
    let config = PlanCheckConfig::from_toml("[P2]\nterms = [\"timetable\"]\n").unwrap();
    let r = report_with(&half, &config);
    assert_eq!(
        only(&r, Rule::P2).evidence.as_deref(),
        Some("\"timetable\"")
    );
}

#[test]
fn p3_therapy_that_educates_is_in_f_not_only_in_g() {
    let only_in_g = good_with(|p| {
        item(p, "F", "p1")["text"] =
            json!("A programme to understand spoken instructions and find words.");
        item(p, "F", "p1")["who"] = json!("teaching assistant");
        item(p, "F", "p2")["text"] = json!("A review of the programme, with new targets.");
        item(p, "F", "p2")["who"] = json!("specialist teacher");
        item(p, "G", "g1")["text"] =
            json!("Speech and language therapy for eating and drinking safely.");
    });
    let f = only(&report(&only_in_g), Rule::P3);
    assert_eq!(
        (f.item.as_deref(), f.evidence.as_deref()),
        (Some("g1"), Some("Speech and language therapy"))
    );
    // In both F and G: fine.
    let in_both = good_with(|p| {
        item(p, "G", "g1")["text"] =
            json!("Speech and language therapy for eating and drinking safely.");
    });
    assert_eq!(of(&report(&in_both), Rule::P3), Vec::<String>::new());
    // Named by its acronym or by who delivers it.
    let by_who = good_with(|p| item(p, "G", "g1")["who"] = json!("occupational therapist"));
    assert_eq!(of(&report(&by_who), Rule::P3), ["P3 G g1 warning"]);
}

#[test]
fn p4_quantities_are_traced_to_the_advice_both_ways() {
    let r = report(&good_with(|p| {
        item(p, "F", "p3")["duration"] = json!("45 minutes")
    }));
    assert_eq!(of(&r, Rule::P4), ["P4 F p3 warning", "P4 K k2 warning"]);
    let evidence: Vec<_> = r
        .findings
        .iter()
        .map(|f| f.evidence.clone().unwrap())
        .collect();
    assert_eq!(evidence, ["45 minutes", "40 minutes"]);
    // An hour is 60 minutes.
    let same = good_with(|p| item(p, "F", "p2")["duration"] = json!("60 minutes"));
    assert_eq!(of(&report(&same), Rule::P4), Vec::<String>::new());
    let unquoted = good_with(|p| {
        for advice in p["sections"]["K"]["items"].as_array_mut().unwrap() {
            advice.as_object_mut().unwrap().remove("text");
        }
    });
    let r = report(&unquoted);
    assert!(r.not_checked.contains(&Rule::P4));
    assert_eq!(lines(&r), Vec::<String>::new());
}

#[test]
fn o1_outcomes_are_time_bound_and_about_the_child() {
    let r = report(&good_with(|p| {
        item(p, "E", "o2")["text"] = json!("Tomos will read a recipe aloud.");
        item(p, "E", "o3")["text"] =
            json!("By the end of Year 11, Tomos will have access to a quiet room.");
    }));
    assert_eq!(of(&r, Rule::O1), ["O1 E o2 warning", "O1 E o3 warning"]);
    assert_eq!(
        r.findings[1].evidence.as_deref(),
        Some("will have access to")
    );
    let with_by = good_with(|p| {
        item(p, "E", "o2")["text"] = json!("Tomos will read a recipe aloud.");
        item(p, "E", "o2")["by"] = json!("end of Key Stage 4");
    });
    assert_eq!(of(&report(&with_by), Rule::O1), Vec::<String>::new());
}

#[test]
fn l1_acronyms_explained_at_first_use_and_short_sentences() {
    let r = report(&good_with(|p| {
        p["sections"]["A"]["text"] =
            json!("Tomos sees his GP and the NHS dentist. He used to see a SALT.");
        item(p, "B", "n1")["text"] =
            json!("He has SALT twice a week and sees an EP (educational psychologist).");
        item(p, "B", "n2")["text"] = json!(
            "Tomos reads at KS2 level, below his age group, and he avoids writing things down whenever he can, because his spelling is weak and he gets upset when he is corrected."
        );
    }));
    // SALT once, where first used (A); GP and NHS are well known; EP is explained; KS is not.
    assert_eq!(
        of(&r, Rule::L1),
        ["L1 A - warning", "L1 B n2 warning", "L1 B n2 warning"]
    );
    let evidence: Vec<_> = r
        .findings
        .iter()
        .map(|f| f.evidence.clone().unwrap())
        .collect();
    assert_eq!(evidence[..2], ["SALT", "KS"]);
    assert!(
        r.findings[0]
            .message
            .contains("\"speech and language therapy (SALT)\"")
    );
    assert!(
        r.findings[2].message.starts_with("A sentence of 32 words"),
        "{}",
        r.findings[2].message
    );
    // KS in "KS2 (Key Stage 2)" is explained.
    let explained = good_with(|p| {
        item(p, "B", "n2")["text"] = json!("Tomos reads at KS2 (Key Stage 2) level.");
    });
    assert_eq!(of(&report(&explained), Rule::L1), Vec::<String>::new());
}

#[test]
fn l2_house_rules_no_names_no_medicines_outside_k() {
    let r = report(&good_with(|p| {
        p["sections"]["A"]["text"] =
            json!("Tomos was seen by Dr. Okafor. He takes melatonin at night.");
        item(p, "K", "k4")["from"] = json!("Dr Okafor, community paediatrician");
        p["sections"]["F"]["text"] = json!("Agreed with Ms Reyes, the school's co-ordinator.");
    }));
    assert_eq!(
        of(&r, Rule::L2),
        ["L2 A - warning", "L2 A - warning", "L2 F - warning"]
    );
    let evidence: Vec<_> = r
        .findings
        .iter()
        .map(|f| f.evidence.clone().unwrap())
        .collect();
    assert_eq!(evidence, ["melatonin", "Dr. Okafor", "Ms Reyes"]);
    let config =
        PlanCheckConfig::from_toml("[L2]\nbanned_terms = [\"short-break home\"]\n").unwrap();
    let r = report_with(&good(), &config);
    assert_eq!(of(&r, Rule::L2), ["L2 H1 s1 warning"]);
}

#[test]
fn l3_facts_match_the_case_record() {
    let r = report(&good_with(|p| {
        p["case"]["date_of_birth"] = json!("2011-05-15");
        p["case"]["primary_need"] = json!("Specific learning difficulty");
        p["case"]["setting"] = json!("Hilltop School");
        p["case"]["name"] = json!("tomos  FAIRWEATHER");
    }));
    assert_eq!(
        of(&r, Rule::L3),
        ["L3 A - error", "L3 B - error", "L3 I - error"]
    );
    assert_eq!(r.findings[0].evidence.as_deref(), Some("14 May 2011"));
    let nothing_to_compare = good_with(|p| {
        p["case"] = json!({ "personal_budget_requested": true });
    });
    assert!(report(&nothing_to_compare).not_checked.contains(&Rule::L3));
    let no_case = good_with(|p| {
        p.as_object_mut().unwrap().remove("case");
    });
    let r = report(&no_case);
    assert_eq!(r.not_checked, [Rule::S5, Rule::L3]);
    assert_eq!(lines(&r), Vec::<String>::new());
}

#[test]
fn t1_advice_before_the_plan_and_the_20_weeks() {
    let r = report(&good_with(|p| {
        item(p, "K", "k6")["date"] = json!("2026-06-16");
        p["issued_on"] = json!("2026-06-23");
    }));
    // 2 February + 20 weeks = 22 June: a day late, and k6 is fine now (16 June is before 23 June).
    assert_eq!(of(&r, Rule::T1), ["T1 K - error"]);
    let advice_after = good_with(|p| item(p, "K", "k6")["date"] = json!("2026-06-16"));
    assert_eq!(of(&report(&advice_after), Rule::T1), ["T1 K k6 error"]);
    let excepted = good_with(|p| {
        p["issued_on"] = json!("2026-07-01");
        p["case"]["exception_recorded"] = json!(true);
    });
    assert_eq!(of(&report(&excepted), Rule::T1), Vec::<String>::new());
    // The 20 weeks are for the first final plan, not an amended one.
    let amended = good_with(|p| {
        p["issued_on"] = json!("2026-12-01");
        p["status"] = json!("amended");
    });
    assert_eq!(of(&report(&amended), Rule::T1), Vec::<String>::new());
    let undated = good_with(|p| {
        p.as_object_mut().unwrap().remove("issued_on");
    });
    assert!(report(&undated).not_checked.contains(&Rule::T1));
}

#[test]
fn q1_weights_and_boundaries_are_configurable() {
    let weak = fixture("weak");
    assert_eq!(report(&weak).score, 59);
    // Only P2 weighed: it failed, so 0.
    let mut config = PlanCheckConfig::default();
    for weight in config.weights.values_mut() {
        *weight = 0;
    }
    config.weights.insert(Rule::P2, 1);
    let r = report_with(&weak, &config);
    assert_eq!((r.score, r.grade), (0, Grade::Inadequate));
    let lenient = PlanCheckConfig::from_toml(
        "[grades]\noutstanding = 95\ngood = 80\nrequires_improvement = 20\n[weights]\nG2 = 0\nG3 = 0\nP2 = 0\n",
    )
    .unwrap();
    let r = report_with(&weak, &lenient);
    // 45.5 of 57.
    assert_eq!(
        (r.score, r.grade),
        (80, Grade::RequiresImprovement),
        "errors cap the grade"
    );
    let good_plan_with_warning = good_with(|p| {
        p["sections"]["A"]["text"] = json!("Tomos says ASD is a word he does not like.");
    });
    let r = report_with(&good_plan_with_warning, &lenient);
    // L1 half met: 100 - 1.5 of 84 = 98.
    assert_eq!((r.score, r.grade), (98, Grade::Outstanding));
}
