//! The SEN2 person-level return: each case's modules built from its facts and its child's
//! details, as a tree of elements in the 2026 specification's order (fact sheet §3.1, §4), and
//! written as XML.
//!
//! The tree is the one source of the XML and of the CSV of each module, so the two never
//! disagree. Choices where the specification is open are noted where they are made, and listed
//! in `docs/statutory-returns.md`.

use std::fmt::Write as _;

use super::record::{Placement, Recorded, ReturnDetails};
use super::{CaseFacts, Collection, codes};
use crate::case_file::Reference;
use crate::names::{AssessOutcome, IssueOutcome, ReviewOutcome};

/// One element: leaves (name and text) and child elements, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The element's name.
    pub name: &'static str,
    /// What it holds, in order.
    pub items: Vec<Item>,
}

/// Part of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A simple element holding text.
    Leaf(&'static str, String),
    /// A complex element.
    Node(Node),
}

impl Node {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            items: Vec::new(),
        }
    }

    fn leaf(&mut self, name: &'static str, value: Option<impl ToString>) {
        if let Some(value) = value {
            self.items.push(Item::Leaf(name, value.to_string()));
        }
    }

    fn child(&mut self, node: Option<Node>) {
        if let Some(node) = node {
            self.items.push(Item::Node(node));
        }
    }

    /// The text of the leaf `name`, if present.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.items.iter().find_map(|item| match item {
            Item::Leaf(n, v) if *n == name => Some(v.as_str()),
            _ => None,
        })
    }

    /// The child elements, in order.
    pub fn children(&self) -> impl Iterator<Item = &Node> {
        self.items.iter().filter_map(|item| match item {
            Item::Node(n) => Some(n),
            Item::Leaf(..) => None,
        })
    }
}

/// The LA-level facts of the header (fact sheet §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The LA's 3-digit CBDS number.
    pub la: String,
    /// Software name.
    pub software: String,
    /// Software release.
    pub release: String,
    /// Serial number of this file, 1–999.
    pub serial: u16,
    /// When the file was made, `YYYY-MM-DDThh:mm:ss`.
    pub created: String,
    /// Designated Medical Officer in post: `Y`, `N` or `R`.
    pub dmo: String,
    /// Designated Clinical Officer.
    pub dco: String,
    /// Designated Social Care Officer (mandatory from 2026).
    pub dsco: String,
}

fn flag(yes: bool) -> &'static str {
    if yes { "1" } else { "0" }
}

/// The header element.
pub fn header(header: &Header, collection: &Collection) -> Node {
    let mut details = Node::new("CollectionDetails");
    details.leaf("Collection", Some("SEN2"));
    details.leaf("Year", Some(collection.year));
    details.leaf("ReferenceDate", Some(collection.census));
    let mut source = Node::new("Source");
    source.leaf("SourceLevel", Some("L"));
    source.leaf("LEA", Some(&header.la));
    source.leaf("SoftwareCode", Some(&header.software));
    source.leaf("Release", Some(&header.release));
    source.leaf("SerialNo", Some(format!("{:03}", header.serial)));
    source.leaf("DateTime", Some(&header.created));
    source.leaf("DMO", Some(&header.dmo));
    source.leaf("DCO", Some(&header.dco));
    source.leaf("DSCO", Some(&header.dsco));
    let mut node = Node::new("Header");
    node.child(Some(details));
    node.child(Some(source));
    node
}

/// Module 1 for a child, without requests (the caller adds one per case).
pub fn person(details: &ReturnDetails) -> Node {
    let mut node = Node::new("Person");
    node.leaf("Surname", details.surname.as_ref());
    node.leaf("Forename", details.forename.as_ref());
    node.leaf("PersonBirthDate", details.date_of_birth);
    node.leaf("Sex", details.sex.as_ref());
    node.leaf("Ethnicity", details.ethnicity.as_ref());
    node.leaf("PostCode", details.postcode.as_ref());
    node.leaf("UPN", details.upn.as_ref());
    node.leaf("UniqueLearnerNumber", details.uln.as_ref());
    node.leaf("UPNunknown", details.upn_unknown.as_ref());
    node
}

/// Adds a request to a person element.
pub fn add_request(person: &mut Node, request: Node) {
    person.child(Some(request));
}

/// Module 2 (with modules 3 to 5 beneath it) for one case: one request for an assessment.
pub fn request(facts: &CaseFacts, details: &ReturnDetails, collection: &Collection) -> Node {
    let (from, _) = collection.period();
    let asked = &facts.request_details;
    let mut node = Node::new("Requests");
    node.leaf("ReceivedDate", facts.request);
    node.leaf("RequestSource", asked.requested_by.map(|r| r.sen2_code()));
    node.leaf("RYA", Some(flag(asked.rya)));
    let transferred = asked.transfer_la.is_some();
    // "H" for a request decided before the period, and (guide, fact sheet §2) for a plan
    // transferred in from another LA.
    let (outcome, date) = match facts.assess {
        _ if transferred => ("H", None),
        Some((decided, _)) if decided < from => ("H", None),
        Some((decided, AssessOutcome::Assess)) => ("Y", Some(decided)),
        Some((decided, AssessOutcome::NotAssess)) => ("N", Some(decided)),
        None if facts.withdrawn.is_some() => ("W", None),
        // A plan with no decision to assess recorded: the decision is implied, before the
        // plan; reported as historical when the plan predates the period.
        None if facts.final_plan.is_some_and(|f| f < from) => ("H", None),
        None if facts.final_plan.is_some() => ("Y", None),
        None => ("A", None),
    };
    node.leaf("RequestOutcomeDate", date);
    node.leaf("RequestOutcome", Some(outcome));
    node.leaf("RequestMediation", Some(flag(asked.request_mediation)));
    node.leaf("RequestTribunal", Some(flag(asked.request_tribunal)));
    node.leaf("Exported", asked.exported_la.as_ref());
    // Item 2.8: a child who moved away before the assessment finished; "the exporting LA then
    // supplies nothing further" (fact sheet §2, §4.3), so no module 3 to 5 (rule R-06).
    if asked.exported_la.is_some() {
        return node;
    }
    let assessed = matches!(facts.assess, Some((_, AssessOutcome::Assess)))
        || facts.final_plan.is_some()
        || transferred;
    if matches!(outcome, "Y" | "H") && assessed {
        node.child(Some(assessment(facts, details, collection)));
    }
    node.child(active_plans(facts, details, collection));
    node
}

fn assessment(facts: &CaseFacts, details: &ReturnDetails, collection: &Collection) -> Node {
    let (from, _) = collection.period();
    let asked = &facts.request_details;
    let (outcome, date) = match (facts.final_plan, facts.issue) {
        _ if asked.transfer_la.is_some() => ("H", None),
        (Some(plan), _) if plan < from => ("H", None),
        (Some(plan), _) => ("Y", Some(plan)),
        (None, Some((decided, IssueOutcome::NotIssue))) if decided < from => ("H", None),
        (None, Some((decided, IssueOutcome::NotIssue))) => ("N", Some(decided)),
        // Decided to issue, no plan yet: "leave blank" (guide, fact sheet §4.4 item 3.2).
        (None, Some((_, IssueOutcome::Issue))) => ("Y", None),
        (None, None) if facts.withdrawn.is_some() => ("W", None),
        (None, None) => ("A", None),
    };
    let mut node = Node::new("Assessment");
    node.leaf("AssessmentOutcome", Some(outcome));
    node.leaf("AssessmentOutcomeDate", date);
    node.leaf(
        "AssessmentMediation",
        Some(flag(asked.assessment_mediation)),
    );
    node.leaf("AssessmentTribunal", Some(flag(asked.assessment_tribunal)));
    node.leaf("OtherMediation", Some(flag(asked.other_mediation)));
    node.leaf("OtherTribunal", Some(flag(asked.other_tribunal)));
    // Open point 8 of the fact sheet: which records carry Week20. We give it wherever an
    // assessment closed with a date in the return (a plan issued or a notice not to issue),
    // the two outcomes the 20-week (and 16-week) measures are computed on, derived from the
    // engine's verdict on the exceptions recorded (§7.4's design consequence).
    node.leaf("Week20", date.map(|_| flag(facts.week20)));
    if matches!(outcome, "Y" | "H") {
        node.child(named_plan(facts, details, collection));
    }
    node
}

fn named_plan(facts: &CaseFacts, details: &ReturnDetails, collection: &Collection) -> Option<Node> {
    let census = collection.as_of();
    let start = facts.current_plan_date().filter(|d| *d <= census)?;
    let mut node = Node::new("NamedPlan");
    node.leaf("StartDate", Some(start));
    // Section I names the settings; Tandem holds the settings attended, so the plan's named
    // settings are those attended on census day (or the day before the plan ceased), limited
    // to the codes allowed in a plan (no NEET, NIEC, NIEO). Ranks 1 and 2 at most.
    let day = facts
        .ceased
        .filter(|c| *c <= census)
        .map_or(census, |c| c.pred_opt().unwrap_or(c));
    let mut named: Vec<&Placement> = details
        .placements
        .iter()
        .filter(|p| p.attended_on(day))
        .filter(|p| {
            p.setting
                .as_deref()
                .is_none_or(|s| codes::known(codes::PLAN_SETTING, s))
        })
        .collect();
    named.sort_by_key(|p| p.rank.clone());
    named.dedup_by(|a, b| a.rank == b.rank);
    for p in named.into_iter().take(2) {
        node.child(Some(setting("PlanDetail", p, false)));
    }
    let asked = &facts.request_details;
    node.leaf("PlanRes", asked.plan_residential.as_ref());
    node.leaf("PlanWBP", asked.plan_work_based.as_ref());
    node.leaf("PB", Some(flag(asked.personal_budget)));
    // OA and DP describe the personal budget, so only with one (rule N-03).
    if asked.personal_budget {
        node.leaf("OA", Some(flag(asked.organised_arrangements)));
        node.leaf("DP", asked.direct_payments.as_ref());
    }
    if let Some(ceased) = facts.ceased.filter(|c| *c <= census) {
        node.leaf("CeaseDate", Some(ceased));
        node.leaf("CeaseReason", asked.cease_reason.as_ref());
    }
    Some(node)
}

fn setting(name: &'static str, p: &Placement, attended: bool) -> Node {
    let mut node = Node::new(name);
    node.leaf("URN", p.urn.as_ref());
    node.leaf("UKPRN", p.ukprn.as_ref());
    node.leaf("SENSetting", p.setting.as_ref());
    node.leaf("SENSettingOther", p.setting_other.as_ref());
    node.leaf("PlacementRank", p.rank.as_ref());
    if attended {
        let date = |r: &Option<Recorded>| {
            r.as_ref().map(|r| match r {
                Recorded::Date(d) => d.to_string(),
                Recorded::Bad(text) => text.clone(),
            })
        };
        node.leaf("EntryDate", date(&p.entry));
        node.leaf("LeavingDate", date(&p.leaving));
    }
    node.leaf("SENunitIndicator", p.sen_unit.then_some("1"));
    node.leaf(
        "ResourcedProvisionIndicator",
        p.resourced_provision.then_some("1"),
    );
    // Res and WBP are items of the placement attended (5.2, 5.3; moved there in 2024); the plan's
    // own are PlanRes and PlanWBP.
    if attended {
        node.leaf("Res", p.residential.as_ref());
        node.leaf("WBP", p.work_based.as_ref());
    }
    node
}

fn active_plans(
    facts: &CaseFacts,
    details: &ReturnDetails,
    collection: &Collection,
) -> Option<Node> {
    let (from, _) = collection.period();
    let census = collection.as_of();
    // Module 5's inclusion (Capita's "Criteria for inclusion in Module 5", fact sheet §2.5): a
    // plan in force on census day or at any time in the period.
    facts.final_plan.filter(|f| *f <= census)?;
    if facts.ceased.is_some_and(|c| c < from) {
        return None;
    }
    let mut node = Node::new("ActivePlans");
    node.leaf("TransferLA", facts.request_details.transfer_la.as_ref());
    for p in details
        .placements
        .iter()
        .filter(|p| p.overlaps(from, census))
    {
        node.child(Some(setting("PlacementDetail", p, true)));
    }
    for (need, rank) in [(&details.primary_need, "1"), (&details.secondary_need, "2")] {
        if let Some(need) = need {
            let mut n = Node::new("SENneed");
            n.leaf("SENtype", Some(need));
            n.leaf("SENtypeRank", Some(rank));
            node.child(Some(n));
        }
    }
    // Item 5.4a: the latest meeting on or before census day; nothing when none since the plan
    // (Capita's item 5.4 page, fact sheet §4.6).
    node.leaf("ReviewMeeting", facts.review_meeting);
    let outcome = facts.review_decision.map(|(_, o)| match o {
        ReviewOutcome::Maintain => "M",
        ReviewOutcome::Amend => "A",
        ReviewOutcome::Cease => "C",
    });
    node.leaf("ReviewOutcome", outcome);
    // A draft amended plan after the review: the proposed amendments (reg 22(2)).
    node.leaf(
        "ReviewDraft",
        facts
            .amendment_notice
            .filter(|_| matches!(facts.review_decision, Some((_, ReviewOutcome::Amend)))),
    );
    node.leaf(
        "PhaseTransferDueDate",
        facts.phase_transfer.map(|(due, _)| due),
    );
    node.leaf(
        "PhaseTransferFinalDate",
        facts.phase_transfer.and_then(|(_, done)| done),
    );
    // 2026 order: LastReview last (fact sheet §3.1, §6).
    node.leaf("LastReview", facts.review_decision.map(|(d, _)| d));
    Some(node)
}

/// Writes the whole message: the header, then each person in the order given.
pub fn write_xml(header: &Node, persons: &[(Vec<Reference>, Node)]) -> String {
    let mut out = String::with_capacity(1024 + persons.len() * 1500);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Message>\n");
    write_node(&mut out, header, 1);
    out.push_str("  <Persons>\n");
    for (_, person) in persons {
        write_node(&mut out, person, 2);
    }
    out.push_str("  </Persons>\n</Message>\n");
    out
}

fn write_node(out: &mut String, node: &Node, depth: usize) {
    let indent = "  ".repeat(depth);
    let _ = writeln!(out, "{indent}<{}>", node.name);
    for item in &node.items {
        match item {
            Item::Leaf(name, value) => {
                let _ = writeln!(out, "{indent}  <{name}>{}</{name}>", escape(value));
            }
            Item::Node(child) => write_node(out, child, depth + 1),
        }
    }
    let _ = writeln!(out, "{indent}</{}>", node.name);
}

/// Escapes text for XML content.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}
