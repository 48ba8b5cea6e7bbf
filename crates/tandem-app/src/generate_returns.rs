//! The statutory-return details of a generated child: identifiers, sex, ethnicity, needs,
//! settings from early years to now; and of its request: who made it, why a plan ceased, the
//! mediation and tribunal indicators and the personal budget; all valid, except for a few problems planted on purpose: a small
//! share of missing UPNs (no ULN, no reason) and a few impossible setting dates. The details are
//! drawn from a generator of their own, seeded from (seed, case), so the case histories are the
//! same as before they existed.

use chrono::{Datelike, Days};
use serde_json::{Map, Value};
use tandem_core::request::{RequestDetails, Requester};
use tandem_core::returns::Rule;
use tandem_core::returns::codes;
use tandem_core::returns::record::{Placement, Recorded, age, keys, placement_json};
use tandem_core::{Child, Date, Event, EventDetail, ReviewOutcome};

use crate::generate::{Dice, GenerateOptions};

/// Shares of children with a problem planted.
const MISSING_UPN: f64 = 0.01;
const SETTING_BEFORE_BIRTH: f64 = 0.003;
/// Keeps the stream of these draws apart from the histories'.
const STREAM: u64 = 0x05E2_2027;

const ETHNICITIES: [(&str, u32); 16] = [
    ("WBRI", 560),
    ("WOTH", 50),
    ("WIRI", 5),
    ("WROM", 6),
    ("MWBC", 25),
    ("MWAS", 15),
    ("MOTH", 20),
    ("AIND", 30),
    ("APKN", 45),
    ("ABAN", 20),
    ("BAFR", 45),
    ("BCRB", 20),
    ("CHNE", 4),
    ("OOTH", 20),
    ("REFU", 5),
    ("NOBT", 5),
];

const REQUESTERS: [(Requester, u32); 6] = [
    (Requester::Parent, 38),
    (Requester::YoungPerson, 7),
    (Requester::School, 40),
    (Requester::Health, 8),
    (Requester::SocialCare, 4),
    (Requester::Other, 3),
];

/// Why plans that a review decided to cease ended (codes 2, 3, 4 and 6 of `CeaseReason`).
const REVIEW_CEASE_REASONS: [(&str, u32); 4] = [("2", 30), ("3", 10), ("4", 15), ("6", 45)];

/// Needs a secondary need is drawn from.
const SECONDARY_NEEDS: [&str; 8] = ["SLCN", "SEMH", "MLD", "SPLD", "ASD", "PD", "HI", "VI"];

/// Adds the return details to `child`, and the facts of its request to `asked`; the rules of
/// the problems planted.
pub(crate) fn add(
    options: &GenerateOptions,
    index: usize,
    child: &mut Child,
    events: &[Event],
    asked: &mut RequestDetails,
) -> Vec<Rule> {
    let mut dice = Dice::for_case(options.seed ^ STREAM, index as u64);
    let Some(born) = child.date_of_birth else {
        return Vec::new();
    };
    let as_of = options.as_of;
    let request = events.first().map_or(as_of, |e| e.date);
    let plan = events
        .iter()
        .any(|e| e.detail == EventDetail::FinalPlanIssued);
    let ceased = events
        .iter()
        .find(|e| e.detail == EventDetail::PlanCeased)
        .map(|e| e.date);
    let cease_decided = events.iter().any(|e| {
        e.detail
            == EventDetail::ReviewDecision {
                outcome: ReviewOutcome::Cease,
            }
    });
    let mut planted = Vec::new();
    let mut add = Map::new();
    let mut put = |key: &str, value: &str| {
        add.insert(key.to_owned(), Value::String(value.to_owned()));
    };
    put(keys::UNIQUE_ID, &format!("TND{:07}", index + 1));
    put(keys::SEX, if dice.chance(0.72) { "M" } else { "F" });
    put(keys::ETHNICITY, dice.weighted(&ETHNICITIES));
    asked.requested_by = Some(dice.weighted(&REQUESTERS));

    // Identifiers: a UPN once the child has started school, a ULN from 14; before school, the
    // reason "under 6 and no UPN yet".
    let cohort = born.year() + i32::from(born.month() >= 9);
    let reception = ymd(cohort + 4, 9, 1);
    let age_now = age(born, as_of);
    if dice.chance(MISSING_UPN) {
        planted.push(Rule::UpnMissing);
    } else {
        if reception <= as_of {
            // LA 801, then an establishment number and serial no two cases share.
            let rest = format!(
                "801{:04}{:02}{:03}",
                2000 + index / 1000 % 8000,
                cohort.rem_euclid(100),
                index % 1000
            );
            if let Some(letter) = codes::upn_check_letter(&rest) {
                put(keys::UPN, &format!("{letter}{rest}"));
            }
        }
        if age_now >= 14 {
            put(keys::ULN, &format!("{}", 1_000_000_000 + index));
        }
        if reception > as_of && age_now < 14 {
            put(keys::UPN_UNKNOWN, "UN1");
        }
    }
    let primary = child.text(keys::PRIMARY_NEED).map(str::to_owned);
    if dice.chance(0.3) {
        let secondary = *dice.pick(&SECONDARY_NEEDS);
        if primary.as_deref() != Some(secondary) {
            put(keys::SECONDARY_NEED, secondary);
        }
    }
    if let Some(ceased) = ceased {
        let reason = if cease_decided {
            dice.weighted(&REVIEW_CEASE_REASONS)
        } else if age(born, ceased) >= 25 {
            "1"
        } else {
            // The family moved and another council took the plan over.
            "5"
        };
        asked.cease_reason = Some(reason.to_owned());
    }
    for (flag, share) in [
        (&mut asked.request_mediation, 0.02),
        (&mut asked.request_tribunal, 0.01),
        (&mut asked.assessment_mediation, 0.02),
        (&mut asked.assessment_tribunal, 0.01),
        (&mut asked.other_tribunal, 0.02),
        (&mut asked.personal_budget, if plan { 0.06 } else { 0.0 }),
    ] {
        *flag = dice.chance(share);
    }
    // Most personal budgets include direct payments, a few through organised arrangements.
    if asked.personal_budget {
        asked.direct_payments = Some((*dice.pick(&["E", "S", "H", "I"])).to_owned());
        asked.organised_arrangements = dice.chance(0.3);
    }
    // Children without a plan who are still at school are on SEN support (Annex A list 2).
    if !plan && age_now < 18 {
        add.insert(keys::SEN_SUPPORT.to_owned(), Value::Bool(true));
    }
    if dice.chance(0.15) {
        add.insert("known_to_social_care".to_owned(), Value::String("Y".into()));
    }

    let mut settings = placements(&mut dice, born, request, as_of, &primary);
    if dice.chance(SETTING_BEFORE_BIRTH)
        && let Some(first) = settings.first_mut()
    {
        first.entry = Some(Recorded::Date(born - Days::new(dice.days(30..=400))));
        planted.push(Rule::PlacementDates);
    }
    add.insert(
        keys::PLACEMENTS.to_owned(),
        Value::Array(settings.iter().map(placement_json).collect()),
    );
    child.other.extend(add);
    planted
}

/// The settings a child attends from shortly after birth (or the request, if sooner) to now:
/// early years, primary, secondary, post-16 and beyond, changing phase each September with the
/// child's school year; a special school from reception for a child with severe or profound
/// learning difficulties; now and then elective home education. The last is still attended.
fn placements(
    dice: &mut Dice,
    born: Date,
    request: Date,
    as_of: Date,
    primary: &Option<String>,
) -> Vec<Placement> {
    let cohort = born.year() + i32::from(born.month() >= 9);
    let special = matches!(primary.as_deref(), Some("SLD" | "PMLD")) || dice.chance(0.25);
    let home_educated = dice.chance(0.01);
    let urn = |dice: &mut Dice| format!("{}", 100_000 + dice.below(50_000));
    let ukprn = |dice: &mut Dice| format!("{}", 10_000_000 + dice.below(90_000));
    let mut spans: Vec<(Date, Placement)> = Vec::new();
    let early = Placement {
        setting: Some("EYP".into()),
        phase: Some("Nursery".into()),
        name: Some("Early years provider".into()),
        ..Placement::default()
    };
    spans.push((born, early));
    let school = |phase: &str, urn: String, name: &str| Placement {
        urn: Some(urn),
        phase: Some(phase.into()),
        name: Some(name.into()),
        ..Placement::default()
    };
    if special {
        spans.push((
            ymd(cohort + 4, 9, 1),
            school("All-through", urn(dice), "Special school"),
        ));
    } else {
        spans.push((
            ymd(cohort + 4, 9, 1),
            school("Primary", urn(dice), "Primary school"),
        ));
        spans.push((
            ymd(cohort + 11, 9, 1),
            school("Secondary", urn(dice), "Secondary school"),
        ));
    }
    spans.push((
        ymd(cohort + if special { 19 } else { 16 }, 9, 1),
        Placement {
            ukprn: Some(ukprn(dice)),
            phase: Some("16 plus".into()),
            name: Some("College".into()),
            ..Placement::default()
        },
    ));
    if home_educated {
        // Taken out of school the autumn before the request.
        let from = ymd(request.year() - 1, 10, 1).max(ymd(cohort + 5, 9, 1));
        if from < ymd(cohort + 16, 9, 1) {
            spans.retain(|(start, _)| *start < from);
            spans.push((
                from,
                Placement {
                    setting: Some("EHE".into()),
                    name: Some("Elective home education".into()),
                    ..Placement::default()
                },
            ));
        }
    }
    // From six months old, or the request if sooner: what the returns can ask about.
    let first = (born + Days::new(183)).min(request);
    let mut out = Vec::new();
    for (i, (start, mut p)) in spans.iter().cloned().enumerate() {
        let next = spans.get(i + 1).map(|(s, _)| *s);
        if start > as_of || next.is_some_and(|n| n <= first) {
            continue;
        }
        p.rank = Some("1".into());
        p.entry = Some(Recorded::Date(start.max(first)));
        p.leaving = next
            .filter(|n| *n <= as_of)
            .and_then(|n| n.pred_opt())
            .map(Recorded::Date);
        out.push(p);
    }
    out
}

fn ymd(year: i32, month: u32, day: u32) -> Date {
    Date::from_ymd_opt(year, month, day).unwrap_or(Date::MIN)
}
