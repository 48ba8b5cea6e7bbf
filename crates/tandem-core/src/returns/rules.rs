//! Data-quality rules for the statutory returns, as pure functions: the SEN2 rules of the fact
//! sheet's §8.2 (our numbering there, not DfE's: DfE's own rule spreadsheet was not readable) and
//! the usual Annex A checks (its closing list). Each rule says what is wrong and what to do.

use std::collections::HashMap;

use super::codes::{self, known};
use super::record::{Flag, Recorded, ReturnDetails};
use super::{AnnexList, CaseFacts, Collection, annex_list};
use crate::case_file::Reference;
use crate::dates::Date;

/// How serious a problem is. DfE's COLLECT will not authorise a return with an error; a query
/// needs an explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Blocks the return until put right.
    Error,
    /// To be checked and explained.
    Query,
    /// For local monitoring only: not a fault in the data (the timeliness flags).
    Info,
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $variant:ident => ($id:literal, $sev:ident, $basis:literal, $title:literal, $fix:literal), )*) => {
        /// One data-quality rule.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $( $(#[$doc])* $variant, )*
        }

        impl Rule {
            /// Every rule, in the order the data-quality page lists them.
            pub const ALL: &'static [Rule] = &[$( Rule::$variant, )*];

            /// The rule's stable identifier, used in reports and addresses.
            pub fn id(self) -> &'static str {
                match self { $( Rule::$variant => $id, )* }
            }

            /// How serious it is.
            pub fn severity(self) -> Severity {
                match self { $( Rule::$variant => Severity::$sev, )* }
            }

            /// Where it comes from: the fact sheet's rule number, or Annex A.
            pub fn basis(self) -> &'static str {
                match self { $( Rule::$variant => $basis, )* }
            }

            /// What it checks, as a heading.
            pub fn title(self) -> &'static str {
                match self { $( Rule::$variant => $title, )* }
            }

            /// What to do about it.
            pub fn fix(self) -> &'static str {
                match self { $( Rule::$variant => $fix, )* }
            }

            /// The rule with identifier `id`.
            pub fn from_id(id: &str) -> Option<Rule> {
                Rule::ALL.iter().copied().find(|r| r.id() == id)
            }
        }
    };
}

rules! {
    /// Given name or family name missing.
    NameMissing => ("name-missing", Error, "SEN2 P-01",
        "Name missing", "Record the child's given and family names."),
    /// No date of birth.
    BirthDateMissing => ("birth-date-missing", Error, "SEN2 P-01; Annex A",
        "Date of birth missing", "Record the child's date of birth."),
    /// Born after census day, or 26 or over on census day.
    BirthDateOutOfRange => ("birth-date-out-of-range", Error, "SEN2 P-04; Annex A",
        "Date of birth outside 0 to 25 at census",
        "Check the date of birth: the child must be born by census day and under 26 on it."),
    /// Sex missing or not M/F.
    SexInvalid => ("sex-invalid", Error, "SEN2 P-01; Annex A",
        "Sex missing or not a code", "Record the child's sex as M or F."),
    /// Ethnicity missing or not a CBDS code.
    EthnicityInvalid => ("ethnicity-invalid", Error, "SEN2 P-01; Annex A",
        "Ethnicity missing or not a code",
        "Record a CBDS ethnicity code (REFU if refused, NOBT if not yet obtained)."),
    /// Neither UPN nor ULN, and no reason.
    UpnMissing => ("upn-missing", Error, "SEN2 P-02; Annex A",
        "No UPN or ULN, and no reason",
        "Record the UPN (or ULN), or the reason neither is known (UN1 to UN10)."),
    /// The UPN is not 13 characters with the right check letter.
    UpnInvalid => ("upn-invalid", Error, "SEN2 P-03",
        "UPN malformed", "Correct the UPN: a check letter, 11 digits and a digit or letter, 13 in all."),
    /// The ULN is not 10 digits.
    UlnInvalid => ("uln-invalid", Error, "SEN2 P-03",
        "ULN malformed", "Correct the ULN: 10 digits."),
    /// The reason for no UPN is not a code, or is given with a UPN or ULN.
    UpnUnknownInvalid => ("upn-unknown-invalid", Error, "SEN2 P-02",
        "Reason for no UPN wrong",
        "Use a reason code UN1, UN2, UN3, UN5, UN8, UN9 or UN10, and only when there is neither UPN nor ULN."),
    /// No primary need for a child with a plan or on SEN support.
    NeedMissing => ("need-missing", Error, "SEN2 M-04; Annex A",
        "Primary need missing", "Record the primary SEN need."),
    /// Primary or secondary need not a code, or the secondary the same as the primary.
    NeedInvalid => ("need-invalid", Error, "SEN2 M-04",
        "Need not a code", "Use the SEN2 need codes (ASD, SLCN, SEMH…), a secondary need different from the primary."),
    /// A setting without exactly one of URN, UKPRN or setting code, or with one malformed.
    PlacementInvalid => ("placement-invalid", Error, "SEN2 M-02, N-04",
        "Setting incomplete or malformed",
        "Give each setting exactly one of a 6-digit URN, an 8-digit UKPRN or a setting code, its rank (1 or 2), its phase and its entry date; residential A or B, work-based learning A, T or S."),
    /// Impossible placement dates.
    PlacementDates => ("placement-dates", Error, "SEN2 M-02",
        "Impossible setting dates",
        "Correct the setting's dates: it cannot start before the child was born or end before it started."),
    /// A plan in force on census day, and no setting attended that day.
    NoPlacementOnCensus => ("no-placement-on-census", Error, "SEN2 M-01; Annex A",
        "Plan in force with no setting on census day",
        "Record the setting attended on census day (or NEET, NIEC, NIEO, EHE where there is none)."),
    /// A child of compulsory school age on SEN support with no main setting.
    NoEstablishment => ("no-establishment", Error, "Annex A",
        "School-age child with no establishment",
        "Record the child's main school or setting."),
    /// Plan dates out of order.
    PlanDatesOrder => ("plan-dates-order", Error, "SEN2 N-02; Annex A",
        "Plan dates in the wrong order",
        "Check the history: the plan comes after the request, reviews and amendments after the plan, the end after the start."),
    /// Dates after today.
    DatesInFuture => ("dates-in-future", Error, "SEN2 R-02, N-02; Annex A",
        "Dates in the future", "Correct the dates recorded after today."),
    /// Ceased plan without a reason, a reason not a code, or a reason with no ceased plan.
    CeaseReason => ("cease-reason", Error, "SEN2 N-02",
        "Reason for ceasing missing or wrong",
        "Record why the plan ceased (codes 1 to 9), and only for a plan that ceased."),
    /// A request in the period without its source.
    RequestSource => ("request-source", Error, "SEN2 R-05",
        "Who made the request missing",
        "Record who made the request on the case; mandatory from the 2026 return."),
    /// A yes/no item of the child record recorded as something else.
    FlagInvalid => ("flag-invalid", Error, "SEN2 R-04",
        "Yes/no item unreadable", "Record yes or no."),
    /// A request marked as exported to another LA whose plan was issued here.
    ExportedWithPlan => ("exported-with-plan", Error, "SEN2 R-06",
        "Moved away, yet a plan was issued",
        "Either the child moved before the assessment finished (keep the LA moved to and check the plan's events) or the plan was issued here (remove the LA moved to)."),
    /// Organised arrangements or direct payments without a personal budget.
    PersonalBudget => ("personal-budget", Error, "SEN2 N-03",
        "Budget arrangements without a personal budget",
        "Record that a personal budget was taken up, or remove its organised arrangements and direct payments."),
    /// The header's fixed items are wrong.
    HeaderInvalid => ("header-invalid", Error, "SEN2 H-01",
        "Return header malformed",
        "The serial number must be 1 to 999 and the creation time a real date and time."),
    /// The header is for another year or census day.
    HeaderYear => ("header-year", Error, "SEN2 H-02",
        "Return header for the wrong collection",
        "Make the return for a collection whose census day is DfE's published one."),
    /// The header's LA is not an LA number.
    HeaderLa => ("header-la", Error, "SEN2 H-03",
        "LA number wrong", "Give the LA's 3-digit number (TANDEM_LA_CODE or --la)."),
    /// The designated officers are not Y, N or R.
    HeaderOfficers => ("header-officers", Error, "SEN2 H-04",
        "Designated officers not recorded",
        "Give Y, N or R for the designated medical, clinical and social care officers."),
    /// A decision whether to assess more than 6 weeks after the request (reg 5(1)).
    LateDecision => ("late-decision", Info, "SEN2 R-07",
        "Decision to assess after 6 weeks", "For local monitoring: no change to the data is needed."),
    /// A plan issued after 20 weeks with no exception applying (reg 13(2)).
    LatePlan => ("late-plan", Info, "SEN2 A-07",
        "Plan issued after 20 weeks, no exception",
        "For local review: check whether an exception applied and was recorded."),
    /// A phase-transfer amended plan issued after its deadline (reg 18(1)).
    LatePhaseTransfer => ("late-phase-transfer", Info, "SEN2 M-07",
        "Phase transfer plan late", "For local monitoring: no change to the data is needed."),
    /// Another child has the same UPN, ULN or unique id.
    DuplicateId => ("duplicate-id", Error, "SEN2 P-05; Annex A",
        "Identifier shared with another child",
        "Check both records: one of them has another child's identifier, or they are the same child."),
}

/// One problem found on a case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DataProblem {
    /// The rule broken.
    pub rule: Rule,
    /// What exactly, naming the value.
    pub detail: String,
}

impl DataProblem {
    fn new(rule: Rule, detail: impl Into<String>) -> Self {
        Self {
            rule,
            detail: detail.into(),
        }
    }
}

/// Whether a case is checked at all: only cases that go into a return (its SEN2 file, or an
/// Annex A list as at today) are.
pub fn in_scope(facts: &CaseFacts, details: &ReturnDetails, collection: &Collection) -> bool {
    facts.in_sen2(collection) || annex_list(facts, details, collection.today).is_some()
}

/// Every problem of one case, except those between cases ([`duplicates`]); none for a case
/// that goes into no return.
pub fn check_case(
    facts: &CaseFacts,
    details: &ReturnDetails,
    collection: &Collection,
) -> Vec<DataProblem> {
    if !in_scope(facts, details, collection) {
        return Vec::new();
    }
    let mut found = Vec::new();
    person(facts, details, collection, &mut found);
    identifiers(details, &mut found);
    let list = annex_list(facts, details, collection.today);
    let census = collection.as_of();
    let needs_need = facts.plan_active_on(census) || list.is_some();
    needs(details, needs_need, &mut found);
    placements(details, &mut found);
    if facts.plan_active_on(census) && !details.placements.iter().any(|p| p.attended_on(census)) {
        found.push(DataProblem::new(
            Rule::NoPlacementOnCensus,
            format!("no setting recorded for {census}"),
        ));
    }
    if list == Some(AnnexList::SenSupport)
        && compulsory_school_age(details, collection.today)
        && details.main_placement_on(collection.today).is_none()
    {
        found.push(DataProblem::new(
            Rule::NoEstablishment,
            format!("no main setting on {}", collection.today),
        ));
    }
    plan_dates(facts, &mut found);
    if let Some(first) = facts.future_events.iter().min() {
        found.push(DataProblem::new(
            Rule::DatesInFuture,
            format!("an event is dated {first}, after today"),
        ));
    }
    cease_reason(facts, collection, &mut found);
    request_source(facts, collection, &mut found);
    if details.sen_support == Flag::Bad {
        found.push(DataProblem::new(
            Rule::FlagInvalid,
            "sen_support is not yes or no",
        ));
    }
    let asked = &facts.request_details;
    if let Some(la) = &asked.exported_la
        && facts.final_plan.is_some()
    {
        found.push(DataProblem::new(
            Rule::ExportedWithPlan,
            format!("moved to LA {la}"),
        ));
    }
    if !asked.personal_budget && (asked.organised_arrangements || asked.direct_payments.is_some()) {
        found.push(DataProblem::new(
            Rule::PersonalBudget,
            "organised arrangements or direct payments recorded",
        ));
    }
    found.sort();
    found.dedup();
    found
}

fn person(
    facts: &CaseFacts,
    details: &ReturnDetails,
    collection: &Collection,
    found: &mut Vec<DataProblem>,
) {
    if details.forename.is_none() || details.surname.is_none() {
        found.push(DataProblem::new(
            Rule::NameMissing,
            "given or family name not recorded",
        ));
    }
    match details.date_of_birth {
        None => found.push(DataProblem::new(Rule::BirthDateMissing, "not recorded")),
        Some(born) => {
            // Age at census day, or for a plan that ended before it, on the day it ended: a
            // plan may run to the end of the school year of the 25th birthday (fact sheet
            // P-04), so a young person of 26 at census whose plan ceased at 25 is right.
            let census = collection.census;
            let on = facts.ceased.filter(|c| *c <= census).unwrap_or(census);
            let age = super::record::age(born, on);
            if born > census || age > 25 {
                found.push(DataProblem::new(
                    Rule::BirthDateOutOfRange,
                    format!("born {born}: aged {age} on {on}"),
                ));
            }
        }
    }
    if !details.sex.as_deref().is_some_and(|s| known(codes::SEX, s)) {
        found.push(DataProblem::new(Rule::SexInvalid, shown(&details.sex)));
    }
    if !details
        .ethnicity
        .as_deref()
        .is_some_and(|e| known(codes::ETHNICITY, e))
    {
        found.push(DataProblem::new(
            Rule::EthnicityInvalid,
            shown(&details.ethnicity),
        ));
    }
}

fn identifiers(details: &ReturnDetails, found: &mut Vec<DataProblem>) {
    if let Some(upn) = &details.upn
        && !codes::valid_upn(upn)
    {
        found.push(DataProblem::new(Rule::UpnInvalid, format!("{upn:?}")));
    }
    if let Some(uln) = &details.uln
        && !codes::valid_uln(uln)
    {
        found.push(DataProblem::new(Rule::UlnInvalid, format!("{uln:?}")));
    }
    let identified = details.upn.is_some() || details.uln.is_some();
    match &details.upn_unknown {
        None if !identified => {
            found.push(DataProblem::new(
                Rule::UpnMissing,
                "no UPN, ULN or reason recorded",
            ));
        }
        Some(reason) if !known(codes::UPN_UNKNOWN, reason) => {
            found.push(DataProblem::new(
                Rule::UpnUnknownInvalid,
                format!("{reason:?} is not a reason code"),
            ));
        }
        Some(reason) if identified => {
            found.push(DataProblem::new(
                Rule::UpnUnknownInvalid,
                format!("{reason} given although a UPN or ULN is recorded"),
            ));
        }
        _ => {}
    }
}

fn needs(details: &ReturnDetails, required: bool, found: &mut Vec<DataProblem>) {
    match &details.primary_need {
        None if required => found.push(DataProblem::new(Rule::NeedMissing, "not recorded")),
        Some(need) if !known(codes::SEN_TYPE, need) => {
            found.push(DataProblem::new(
                Rule::NeedInvalid,
                format!("primary need {need:?}"),
            ));
        }
        _ => {}
    }
    if let Some(need) = &details.secondary_need {
        if !known(codes::SEN_TYPE, need) {
            found.push(DataProblem::new(
                Rule::NeedInvalid,
                format!("secondary need {need:?}"),
            ));
        } else if details.primary_need.as_ref() == Some(need) {
            found.push(DataProblem::new(
                Rule::NeedInvalid,
                format!("secondary need {need} is the primary need"),
            ));
        }
    }
}

fn placements(details: &ReturnDetails, found: &mut Vec<DataProblem>) {
    for index in &details.unreadable_placements {
        found.push(DataProblem::new(
            Rule::PlacementInvalid,
            format!("setting {} is not a setting", index + 1),
        ));
    }
    for (n, p) in (1..).zip(&details.placements) {
        let invalid =
            |what: String| DataProblem::new(Rule::PlacementInvalid, format!("setting {n}: {what}"));
        let given = [p.urn.is_some(), p.ukprn.is_some(), p.setting.is_some()];
        if given.iter().filter(|g| **g).count() != 1 {
            found.push(invalid(
                "give exactly one of URN, UKPRN or setting code".into(),
            ));
        }
        if let Some(urn) = &p.urn
            && !codes::valid_urn(urn)
        {
            found.push(invalid(format!("URN {urn:?}")));
        }
        if let Some(ukprn) = &p.ukprn
            && !codes::valid_ukprn(ukprn)
        {
            found.push(invalid(format!("UKPRN {ukprn:?}")));
        }
        if let Some(setting) = &p.setting
            && !known(codes::PLACEMENT_SETTING, setting)
        {
            found.push(invalid(format!("setting code {setting:?}")));
        }
        if !p.rank.as_deref().is_some_and(|r| r == "1" || r == "2") {
            found.push(invalid(format!("rank {}", shown(&p.rank))));
        }
        if let Some(phase) = &p.phase
            && !known(codes::PHASE, phase)
        {
            found.push(invalid(format!("phase {phase:?}")));
        }
        if let Some(res) = &p.residential
            && !known(codes::RESIDENTIAL, res)
        {
            found.push(invalid(format!("residential code {res:?}")));
        }
        if let Some(wbp) = &p.work_based
            && !known(codes::WORK_BASED, wbp)
        {
            found.push(invalid(format!("work-based learning code {wbp:?}")));
        }
        for (what, date) in [("entry date", &p.entry), ("leaving date", &p.leaving)] {
            if let Some(Recorded::Bad(text)) = date {
                found.push(invalid(format!("{what} {text:?} is not a date")));
            }
        }
        let entry = p.entry.as_ref().and_then(Recorded::date);
        if p.entry.is_none() {
            found.push(invalid("no entry date".into()));
        }
        let leaving = p.leaving.as_ref().and_then(Recorded::date);
        if let (Some(entry), Some(leaving)) = (entry, leaving)
            && leaving < entry
        {
            found.push(DataProblem::new(
                Rule::PlacementDates,
                format!("setting {n} ends {leaving}, before it starts {entry}"),
            ));
        }
        if let (Some(entry), Some(born)) = (entry, details.date_of_birth)
            && entry < born
        {
            found.push(DataProblem::new(
                Rule::PlacementDates,
                format!("setting {n} starts {entry}, before the child was born {born}"),
            ));
        }
    }
}

fn plan_dates(facts: &CaseFacts, found: &mut Vec<DataProblem>) {
    let Some(plan) = facts.final_plan else {
        return;
    };
    let mut wrong = |what: String| found.push(DataProblem::new(Rule::PlanDatesOrder, what));
    if let Some(request) = facts.request
        && plan < request
    {
        wrong(format!("plan issued {plan}, before the request {request}"));
    }
    if let Some(amended) = facts.amended_plan
        && amended < plan
    {
        wrong(format!(
            "plan updated {amended}, before it was first issued {plan}"
        ));
    }
    if let Some(meeting) = facts.review_meeting
        && meeting < plan
    {
        wrong(format!(
            "plan reviewed {meeting}, before it was issued {plan}"
        ));
    }
    if let Some(ceased) = facts.ceased
        && ceased < plan
    {
        wrong(format!("plan ceased {ceased}, before it was issued {plan}"));
    }
}

fn cease_reason(facts: &CaseFacts, collection: &Collection, found: &mut Vec<DataProblem>) {
    let (from, _) = collection.period();
    let ceased_in_return = facts.ceased.is_some_and(|c| c >= from) && facts.final_plan.is_some();
    match &facts.request_details.cease_reason {
        None if ceased_in_return => {
            found.push(DataProblem::new(
                Rule::CeaseReason,
                "the plan ceased; no reason recorded",
            ));
        }
        Some(reason) if facts.ceased.is_none() => {
            found.push(DataProblem::new(
                Rule::CeaseReason,
                format!("reason {reason} recorded for a plan that has not ceased"),
            ));
        }
        _ => {}
    }
}

fn request_source(facts: &CaseFacts, collection: &Collection, found: &mut Vec<DataProblem>) {
    let (from, _) = collection.period();
    // Needed for a request decided in the period or still open (RequestOutcome other than H);
    // a plan transferred in is H whatever its dates.
    let reported = facts.request.is_some()
        && facts.request_details.transfer_la.is_none()
        && facts.assess.is_none_or(|(decided, _)| decided >= from);
    if reported && facts.request_details.requested_by.is_none() {
        found.push(DataProblem::new(Rule::RequestSource, "not recorded"));
    }
}

/// The header's problems (fact sheet §8.2 H-01 to H-04). Tandem writes `Collection` and
/// `SourceLevel` itself; what comes from the operator (LA, serial, officers) and the census
/// day are checked here.
pub fn check_header(header: &super::sen2::Header, collection: &Collection) -> Vec<DataProblem> {
    let mut found = Vec::new();
    let created_ok =
        chrono::NaiveDateTime::parse_from_str(&header.created, "%Y-%m-%dT%H:%M:%S").is_ok();
    if !(1..=999).contains(&header.serial) || !created_ok {
        found.push(DataProblem::new(
            Rule::HeaderInvalid,
            format!("serial {}, created {:?}", header.serial, header.created),
        ));
    }
    if let Some(published) = super::published_census(collection.year)
        && published != collection.census
    {
        found.push(DataProblem::new(
            Rule::HeaderYear,
            format!("census {} but DfE published {published}", collection.census),
        ));
    }
    if !known(codes::LA, &header.la) {
        found.push(DataProblem::new(Rule::HeaderLa, format!("{:?}", header.la)));
    }
    for (name, value) in [
        ("DMO", &header.dmo),
        ("DCO", &header.dco),
        ("DSCO", &header.dsco),
    ] {
        if !known(codes::OFFICER, value) {
            found.push(DataProblem::new(
                Rule::HeaderOfficers,
                format!("{name} {value:?}"),
            ));
        }
    }
    found
}

/// The timeliness flags of one case in a collection's period, for local monitoring (fact
/// sheet §8.2, M-07): not faults in the data, so not among [`check_case`]'s problems
/// and never blocking a return. A decision to assess more than 6 weeks after the request
/// (reg 5(1)); a plan issued in the period more than 20 weeks after it with no exception
/// applying (reg 13(2)); a phase-transfer amended plan issued after its deadline (reg 18(1)).
pub fn timeliness(facts: &CaseFacts, collection: &Collection) -> Vec<DataProblem> {
    let (from, to) = collection.period();
    let in_period = |d: Date| (from..=to).contains(&d);
    let mut found = Vec::new();
    let Some(request) = facts.request else {
        return found;
    };
    if let Some((decided, _)) = facts.assess
        && in_period(decided)
        && decided > request + chrono::Days::new(6 * 7)
    {
        found.push(DataProblem::new(
            Rule::LateDecision,
            format!("requested {request}, decided {decided}"),
        ));
    }
    if let Some(plan) = facts.final_plan
        && in_period(plan)
        && plan > request + chrono::Days::new(20 * 7)
        && !facts.week20
    {
        found.push(DataProblem::new(
            Rule::LatePlan,
            format!("requested {request}, plan issued {plan}"),
        ));
    }
    if let Some((due, Some(done))) = facts.phase_transfer
        && done > due
    {
        found.push(DataProblem::new(
            Rule::LatePhaseTransfer,
            format!("due {due}, issued {done}"),
        ));
    }
    found
}

/// Compulsory school age on `day`, approximated by the school year: from the September after
/// the fifth birthday's school year begins (children born September to August start together)
/// to the end of year 11. Education Act 1996 s.8 starts it the term after the fifth birthday;
/// the school year is the coarser reading Annex A validators use.
pub fn compulsory_school_age(details: &ReturnDetails, day: Date) -> bool {
    use chrono::Datelike;
    let Some(born) = details.date_of_birth else {
        return false;
    };
    let cohort = born.year() + i32::from(born.month() >= 9);
    let school_year_start = if day.month() >= 9 {
        day.year()
    } else {
        day.year() - 1
    };
    // Reception starts at cohort + 4; year 1 (compulsory) at cohort + 5; year 11 ends before
    // the September of cohort + 16.
    (cohort + 5..cohort + 16).contains(&school_year_start)
}

/// Problems between cases: a UPN, ULN or unique id recorded for two different children (cases
/// of one child, by [`super::person_key`], may share them).
pub fn duplicates<'a>(
    cases: impl IntoIterator<Item = (&'a Reference, String, &'a ReturnDetails)>,
) -> Vec<(Reference, DataProblem)> {
    let mut seen: HashMap<(&'static str, String), Vec<(&Reference, String)>> = HashMap::new();
    for (reference, person, details) in cases {
        for (what, value) in [
            ("UPN", &details.upn),
            ("ULN", &details.uln),
            ("unique id", &details.unique_id),
        ] {
            if let Some(value) = value {
                seen.entry((what, value.clone()))
                    .or_default()
                    .push((reference, person.clone()));
            }
        }
    }
    let mut found = Vec::new();
    for ((what, value), holders) in seen {
        let mut people: Vec<&String> = holders.iter().map(|(_, p)| p).collect();
        people.sort();
        people.dedup();
        if people.len() > 1 {
            for (reference, _) in &holders {
                let others = holders.len() - 1;
                found.push((
                    (*reference).clone(),
                    DataProblem::new(
                        Rule::DuplicateId,
                        format!("{what} {value} is also recorded on {others} other case(s)"),
                    ),
                ));
            }
        }
    }
    found.sort();
    found
}

fn shown(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("{v:?}"),
        None => "not recorded".into(),
    }
}
