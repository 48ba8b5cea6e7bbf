//! The statutory returns made from the store's cases: every case's return facts and data
//! problems, the SEN2 XML (with a CSV per module) checked against the specification's
//! structure, and the Annex A workbook (with a CSV per list).

use std::collections::BTreeMap;

use quick_xml::events::Event as XmlEvent;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use tandem_core::CaseFile;
use tandem_core::Reference;
use tandem_core::returns::annex_a::{self, Cell};
use tandem_core::returns::rules::{self, DataProblem, Severity};
use tandem_core::returns::sen2::{self, Header, Node};
use tandem_core::returns::{
    AnnexList, CaseFacts, Collection, ReturnDetails, annex_list, person_key,
};

/// One case read for the returns.
#[derive(Debug, Clone)]
pub struct ReturnCase {
    /// The case.
    pub reference: Reference,
    /// Who it is about ([`person_key`]).
    pub person: String,
    /// What its history says.
    pub facts: CaseFacts,
    /// The child's return details.
    pub details: ReturnDetails,
    /// Whether it goes into the SEN2 return.
    pub in_sen2: bool,
    /// The Annex A list it puts its child on, as at today.
    pub list: Option<AnnexList>,
    /// Its data problems, those shared with other cases included.
    pub problems: Vec<DataProblem>,
    /// Its timeliness flags in the collection period, for local monitoring
    /// ([`rules::timeliness`]); never data problems.
    pub flags: Vec<DataProblem>,
}

/// Reads every case for `collection` and checks it, then checks identifiers across cases.
pub fn assess(
    cases: impl IntoIterator<Item = CaseFile>,
    collection: &Collection,
) -> Vec<ReturnCase> {
    let mut read: Vec<ReturnCase> = cases
        .into_iter()
        .map(|case| assess_one(&case, collection))
        .collect();
    let shared = rules::duplicates(
        read.iter()
            .filter(|c| c.in_sen2 || c.list.is_some())
            .map(|c| (&c.reference, c.person.clone(), &c.details)),
    );
    let mut by_reference: BTreeMap<Reference, Vec<DataProblem>> = BTreeMap::new();
    for (reference, problem) in shared {
        by_reference.entry(reference).or_default().push(problem);
    }
    for case in &mut read {
        if let Some(more) = by_reference.remove(&case.reference) {
            case.problems.extend(more);
            case.problems.sort();
        }
    }
    read
}

/// Reads and checks one case, without the checks across cases.
pub fn assess_one(case: &CaseFile, collection: &Collection) -> ReturnCase {
    let facts = CaseFacts::of(case, collection);
    let details = ReturnDetails::of(&case.child);
    let problems = rules::check_case(&facts, &details, collection);
    let in_sen2 = facts.in_sen2(collection);
    let flags = if in_sen2 {
        rules::timeliness(&facts, collection)
    } else {
        Vec::new()
    };
    ReturnCase {
        reference: case.reference.clone(),
        person: person_key(case),
        in_sen2,
        list: annex_list(&facts, &details, collection.today),
        facts,
        details,
        problems,
        flags,
    }
}

/// Whether any case has a problem that blocks a return.
pub fn has_errors(cases: &[ReturnCase]) -> bool {
    cases
        .iter()
        .flat_map(|c| &c.problems)
        .any(|p| p.rule.severity() == Severity::Error)
}

/// The data-quality report as CSV: one line per problem.
pub fn report_csv(cases: &[ReturnCase]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "reference",
        "rule",
        "severity",
        "basis",
        "problem",
        "detail",
        "what to do",
    ])?;
    for case in cases {
        for p in case.problems.iter().chain(&case.flags) {
            let severity = match p.rule.severity() {
                Severity::Error => "error",
                Severity::Query => "query",
                Severity::Info => "info",
            };
            out.write_record([
                case.reference.as_str(),
                p.rule.id(),
                severity,
                p.rule.basis(),
                p.rule.title(),
                &p.detail,
                p.rule.fix(),
            ])?;
        }
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// The SEN2 return: the XML message and each module as CSV.
#[derive(Debug)]
pub struct Sen2Files {
    /// The XML message.
    pub xml: String,
    /// `(module, CSV)` for each module table, in module order.
    pub modules: Vec<(&'static str, Vec<u8>)>,
    /// How many persons and requests it holds.
    pub persons: usize,
}

/// Builds the SEN2 return from the cases that go into it: one `Person` per child, one
/// `Requests` per case.
pub fn sen2(
    cases: &[ReturnCase],
    header: &Header,
    collection: &Collection,
) -> Result<Sen2Files, csv::Error> {
    let mut persons: BTreeMap<&str, (Vec<Reference>, Node)> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for case in cases.iter().filter(|c| c.in_sen2) {
        let entry = persons.entry(case.person.as_str()).or_insert_with(|| {
            order.push(case.person.as_str());
            (Vec::new(), sen2::person(&case.details))
        });
        entry.0.push(case.reference.clone());
        sen2::add_request(
            &mut entry.1,
            sen2::request(&case.facts, &case.details, collection),
        );
    }
    let persons: Vec<(Vec<Reference>, Node)> = order
        .into_iter()
        .filter_map(|key| persons.remove(key))
        .collect();
    let header = sen2::header(header, collection);
    let xml = sen2::write_xml(&header, &persons);
    let modules = module_csvs(&persons)?;
    Ok(Sen2Files {
        xml,
        modules,
        persons: persons.len(),
    })
}

/// The module tables, as the DfE's COLLECT exports them (fact sheet §3.3): each row has its own
/// id and its parent's, then the module's items under their lower-cased XML names.
fn module_csvs(
    persons: &[(Vec<Reference>, Node)],
) -> Result<Vec<(&'static str, Vec<u8>)>, csv::Error> {
    let mut tables: Vec<(&'static str, csv::Writer<Vec<u8>>)> = Vec::new();
    for module in MODULES {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut head = vec![format!("{}id", module.to_lowercase())];
        if let Some(parent) = parent_of(module) {
            head.push(format!("{}id", parent.to_lowercase()));
        }
        head.extend(leaves(module).iter().map(|l| l.to_lowercase()));
        writer.write_record(&head)?;
        tables.push((module, writer));
    }
    let mut next_id = [0u64; MODULES.len()];
    fn walk(
        node: &Node,
        parent: Option<u64>,
        tables: &mut [(&'static str, csv::Writer<Vec<u8>>)],
        next_id: &mut [u64],
    ) -> Result<(), csv::Error> {
        let Some(index) = MODULES.iter().position(|m| *m == node.name) else {
            return Ok(());
        };
        next_id[index] += 1;
        let id = next_id[index];
        let mut row = vec![id.to_string()];
        if let Some(parent) = parent {
            row.push(parent.to_string());
        }
        row.extend(
            leaves(node.name)
                .iter()
                .map(|l| node.text(l).unwrap_or("").to_owned()),
        );
        tables[index].1.write_record(&row)?;
        for child in node.children() {
            walk(child, Some(id), tables, next_id)?;
        }
        Ok(())
    }
    for (_, person) in persons {
        walk(person, None, &mut tables, &mut next_id)?;
    }
    tables
        .into_iter()
        .map(|(m, w)| Ok((m, w.into_inner().map_err(|e| e.into_error())?)))
        .collect()
}

/// The module tables, in order.
const MODULES: [&str; 8] = [
    "Person",
    "Requests",
    "Assessment",
    "NamedPlan",
    "PlanDetail",
    "ActivePlans",
    "PlacementDetail",
    "SENneed",
];

fn parent_of(module: &str) -> Option<&'static str> {
    SCHEMA.iter().find_map(|(parent, content)| match content {
        Content::Seq(particles)
            if particles.iter().any(|p| p.name == module) && *parent != "Persons" =>
        {
            Some(*parent)
        }
        _ => None,
    })
}

/// The simple elements of a complex one, in order.
fn leaves(element: &str) -> Vec<&'static str> {
    match content(element) {
        Some(Content::Seq(particles)) => particles
            .iter()
            .filter(|p| matches!(content(p.name), Some(Content::Text(_))))
            .map(|p| p.name)
            .collect(),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// The structure of the message, written from the specification as the fact sheet transcribes
// it (§3.1 tree and element order for 2026, §4 items, §5 code sets). Cardinalities follow the
// community XSD the fact sheet cites (R8), tightened where the guide says an item is required.

/// What an element may hold.
enum Content {
    /// Child elements in this order, each between its minimum and maximum times.
    Seq(&'static [Particle]),
    /// Text of a kind.
    Text(Kind),
}

struct Particle {
    name: &'static str,
    min: usize,
    max: usize,
}

const fn p(name: &'static str, min: usize, max: usize) -> Particle {
    Particle { name, min, max }
}

const MANY: usize = usize::MAX;

enum Kind {
    Text,
    Date,
    DateTime,
    Year,
    Flag,
    Codes(&'static [&'static str]),
    Check(fn(&str) -> bool),
}

use tandem_core::returns::codes;

const OUTCOME: &[&str] = &["Y", "N", "A", "W", "H"];
const RANK: &[&str] = &["1", "2"];

fn la_or_unknown(text: &str) -> bool {
    text == "XXX" || codes::known(codes::LA, text)
}

fn serial(text: &str) -> bool {
    text.len() == 3 && text.bytes().all(|b| b.is_ascii_digit())
}

const SCHEMA: &[(&str, Content)] = &[
    (
        "Message",
        Content::Seq(&[p("Header", 1, 1), p("Persons", 1, 1)]),
    ),
    (
        "Header",
        Content::Seq(&[p("CollectionDetails", 1, 1), p("Source", 1, 1)]),
    ),
    (
        "CollectionDetails",
        Content::Seq(&[
            p("Collection", 1, 1),
            p("Year", 1, 1),
            p("ReferenceDate", 1, 1),
        ]),
    ),
    ("Collection", Content::Text(Kind::Codes(&["SEN2"]))),
    ("Year", Content::Text(Kind::Year)),
    ("ReferenceDate", Content::Text(Kind::Date)),
    (
        "Source",
        Content::Seq(&[
            p("SourceLevel", 1, 1),
            p("LEA", 1, 1),
            p("SoftwareCode", 1, 1),
            p("Release", 1, 1),
            p("SerialNo", 1, 1),
            p("DateTime", 1, 1),
            p("DMO", 1, 1),
            p("DCO", 1, 1),
            p("DSCO", 1, 1),
        ]),
    ),
    ("SourceLevel", Content::Text(Kind::Codes(&["L"]))),
    ("LEA", Content::Text(Kind::Codes(codes::LA))),
    ("SoftwareCode", Content::Text(Kind::Text)),
    ("Release", Content::Text(Kind::Text)),
    ("SerialNo", Content::Text(Kind::Check(serial))),
    ("DateTime", Content::Text(Kind::DateTime)),
    ("DMO", Content::Text(Kind::Codes(codes::OFFICER))),
    ("DCO", Content::Text(Kind::Codes(codes::OFFICER))),
    ("DSCO", Content::Text(Kind::Codes(codes::OFFICER))),
    ("Persons", Content::Seq(&[p("Person", 1, MANY)])),
    (
        "Person",
        Content::Seq(&[
            p("Surname", 1, 1),
            p("Forename", 1, 1),
            p("PersonBirthDate", 1, 1),
            p("Sex", 1, 1),
            p("Ethnicity", 1, 1),
            p("PostCode", 0, 1),
            p("UPN", 0, 1),
            p("UniqueLearnerNumber", 0, 1),
            p("UPNunknown", 0, 1),
            p("Requests", 0, MANY),
        ]),
    ),
    ("Surname", Content::Text(Kind::Text)),
    ("Forename", Content::Text(Kind::Text)),
    ("PersonBirthDate", Content::Text(Kind::Date)),
    ("Sex", Content::Text(Kind::Codes(codes::SEX))),
    ("Ethnicity", Content::Text(Kind::Codes(codes::ETHNICITY))),
    ("PostCode", Content::Text(Kind::Text)),
    ("UPN", Content::Text(Kind::Check(codes::valid_upn))),
    (
        "UniqueLearnerNumber",
        Content::Text(Kind::Check(codes::valid_uln)),
    ),
    ("UPNunknown", Content::Text(Kind::Codes(codes::UPN_UNKNOWN))),
    (
        "Requests",
        Content::Seq(&[
            p("ReceivedDate", 0, 1),
            p("RequestSource", 0, 1),
            p("RYA", 0, 1),
            p("RequestOutcomeDate", 0, 1),
            p("RequestOutcome", 1, 1),
            p("RequestMediation", 1, 1),
            p("RequestTribunal", 1, 1),
            p("Exported", 0, 1),
            p("Assessment", 0, 1),
            p("ActivePlans", 0, 1),
        ]),
    ),
    ("ReceivedDate", Content::Text(Kind::Date)),
    (
        "RequestSource",
        Content::Text(Kind::Codes(codes::REQUEST_SOURCE)),
    ),
    ("RYA", Content::Text(Kind::Flag)),
    ("RequestOutcomeDate", Content::Text(Kind::Date)),
    ("RequestOutcome", Content::Text(Kind::Codes(OUTCOME))),
    ("RequestMediation", Content::Text(Kind::Flag)),
    ("RequestTribunal", Content::Text(Kind::Flag)),
    ("Exported", Content::Text(Kind::Check(la_or_unknown))),
    (
        "Assessment",
        Content::Seq(&[
            p("AssessmentOutcome", 1, 1),
            p("AssessmentOutcomeDate", 0, 1),
            p("AssessmentMediation", 1, 1),
            p("AssessmentTribunal", 1, 1),
            p("OtherMediation", 1, 1),
            p("OtherTribunal", 1, 1),
            p("Week20", 0, 1),
            p("NamedPlan", 0, 1),
        ]),
    ),
    ("AssessmentOutcome", Content::Text(Kind::Codes(OUTCOME))),
    ("AssessmentOutcomeDate", Content::Text(Kind::Date)),
    ("AssessmentMediation", Content::Text(Kind::Flag)),
    ("AssessmentTribunal", Content::Text(Kind::Flag)),
    ("OtherMediation", Content::Text(Kind::Flag)),
    ("OtherTribunal", Content::Text(Kind::Flag)),
    ("Week20", Content::Text(Kind::Flag)),
    (
        "NamedPlan",
        Content::Seq(&[
            p("StartDate", 1, 1),
            p("PlanDetail", 0, 2),
            p("PlanRes", 0, 1),
            p("PlanWBP", 0, 1),
            p("PB", 1, 1),
            p("OA", 0, 1),
            p("DP", 0, 1),
            p("CeaseDate", 0, 1),
            p("CeaseReason", 0, 1),
        ]),
    ),
    ("StartDate", Content::Text(Kind::Date)),
    (
        "PlanDetail",
        Content::Seq(&[
            p("URN", 0, 1),
            p("UKPRN", 0, 1),
            p("SENSetting", 0, 1),
            p("SENSettingOther", 0, 1),
            p("PlacementRank", 1, 1),
            p("SENunitIndicator", 0, 1),
            p("ResourcedProvisionIndicator", 0, 1),
        ]),
    ),
    ("PlanRes", Content::Text(Kind::Codes(codes::RESIDENTIAL))),
    ("PlanWBP", Content::Text(Kind::Codes(codes::WORK_BASED))),
    ("PB", Content::Text(Kind::Flag)),
    ("OA", Content::Text(Kind::Flag)),
    ("DP", Content::Text(Kind::Codes(codes::DIRECT_PAYMENTS))),
    ("CeaseDate", Content::Text(Kind::Date)),
    (
        "CeaseReason",
        Content::Text(Kind::Codes(codes::CEASE_REASON)),
    ),
    ("URN", Content::Text(Kind::Check(codes::valid_urn))),
    ("UKPRN", Content::Text(Kind::Check(codes::valid_ukprn))),
    (
        "SENSetting",
        Content::Text(Kind::Codes(codes::PLACEMENT_SETTING)),
    ),
    ("SENSettingOther", Content::Text(Kind::Text)),
    ("PlacementRank", Content::Text(Kind::Codes(RANK))),
    ("SENunitIndicator", Content::Text(Kind::Flag)),
    ("ResourcedProvisionIndicator", Content::Text(Kind::Flag)),
    (
        "ActivePlans",
        Content::Seq(&[
            p("TransferLA", 0, 1),
            p("PlacementDetail", 0, MANY),
            p("SENneed", 0, 2),
            p("ReviewMeeting", 0, 1),
            p("ReviewOutcome", 0, 1),
            p("ReviewDraft", 0, 1),
            p("PhaseTransferDueDate", 0, 1),
            p("PhaseTransferFinalDate", 0, 1),
            p("LastReview", 0, 1),
        ]),
    ),
    ("TransferLA", Content::Text(Kind::Check(la_or_unknown))),
    (
        "PlacementDetail",
        Content::Seq(&[
            p("URN", 0, 1),
            p("UKPRN", 0, 1),
            p("SENSetting", 0, 1),
            p("SENSettingOther", 0, 1),
            p("PlacementRank", 1, 1),
            p("EntryDate", 1, 1),
            p("LeavingDate", 0, 1),
            p("SENunitIndicator", 0, 1),
            p("ResourcedProvisionIndicator", 0, 1),
            p("Res", 0, 1),
            p("WBP", 0, 1),
        ]),
    ),
    ("EntryDate", Content::Text(Kind::Date)),
    ("LeavingDate", Content::Text(Kind::Date)),
    ("Res", Content::Text(Kind::Codes(codes::RESIDENTIAL))),
    ("WBP", Content::Text(Kind::Codes(codes::WORK_BASED))),
    (
        "SENneed",
        Content::Seq(&[p("SENtype", 1, 1), p("SENtypeRank", 1, 1)]),
    ),
    ("SENtype", Content::Text(Kind::Codes(codes::SEN_TYPE))),
    ("SENtypeRank", Content::Text(Kind::Codes(RANK))),
    ("ReviewMeeting", Content::Text(Kind::Date)),
    (
        "ReviewOutcome",
        Content::Text(Kind::Codes(&["M", "C", "A"])),
    ),
    ("ReviewDraft", Content::Text(Kind::Date)),
    ("PhaseTransferDueDate", Content::Text(Kind::Date)),
    ("PhaseTransferFinalDate", Content::Text(Kind::Date)),
    ("LastReview", Content::Text(Kind::Date)),
];

fn content(element: &str) -> Option<&'static Content> {
    SCHEMA
        .iter()
        .find(|(name, _)| *name == element)
        .map(|(_, c)| c)
}

/// An element as read back from the XML text.
struct Parsed {
    name: String,
    text: String,
    children: Vec<Parsed>,
}

/// Checks an SEN2 XML message against the specification's structure: element names, order and
/// how often each occurs, the kind of every value (dates, flags, code sets, identifiers), and
/// the rules of choice the guide states ("complete only one of" URN, UKPRN and setting; a
/// person identified by UPN, ULN or a reason). Every breach, with where it is.
pub fn check_sen2_xml(xml: &str) -> Vec<String> {
    let root = match parse(xml) {
        Ok(root) => root,
        Err(problem) => return vec![problem],
    };
    let mut problems = Vec::new();
    if root.name != "Message" {
        problems.push(format!("the root element is {}, not Message", root.name));
        return problems;
    }
    check(&root, "/Message", &mut problems);
    problems
}

fn parse(xml: &str) -> Result<Parsed, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Parsed> = Vec::new();
    let mut root = None;
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.buffer_position()
            )
        })?;
        match event {
            XmlEvent::Start(start) => stack.push(Parsed {
                name: start.name().as_ref().to_owned(),
                text: String::new(),
                children: Vec::new(),
            }),
            XmlEvent::Empty(start) => {
                let node = Parsed {
                    name: start.name().as_ref().to_owned(),
                    text: String::new(),
                    children: Vec::new(),
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            XmlEvent::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            XmlEvent::GeneralRef(reference) => {
                let resolved = match &*reference {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => reference.resolve_char_ref().ok().flatten(),
                };
                let Some(c) = resolved else {
                    return Err(format!("unknown entity &{};", &*reference));
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
            XmlEvent::End(_) => {
                let node = stack.pop().ok_or("an end tag with no start")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            XmlEvent::Eof => {
                if let Some(open) = stack.last() {
                    return Err(format!("not well-formed XML: {} is not closed", open.name));
                }
                break;
            }
            _ => {}
        }
    }
    root.ok_or_else(|| "no root element".to_owned())
}

fn check(node: &Parsed, path: &str, problems: &mut Vec<String>) {
    let Some(content) = content(&node.name) else {
        problems.push(format!("{path}: no such element in the specification"));
        return;
    };
    match content {
        Content::Text(kind) => {
            if !node.children.is_empty() {
                problems.push(format!("{path}: holds elements, must hold a value"));
            } else if let Some(why) = wrong_value(kind, &node.text) {
                problems.push(format!("{path}: {:?} {why}", node.text));
            }
        }
        Content::Seq(particles) => {
            if !node.text.trim().is_empty() {
                problems.push(format!("{path}: text where only elements belong"));
            }
            let mut children = node.children.iter().peekable();
            for particle in *particles {
                let mut count = 0;
                while let Some(child) = children.next_if(|c| c.name == particle.name) {
                    count += 1;
                    check(child, &format!("{path}/{}[{count}]", child.name), problems);
                }
                if count < particle.min {
                    problems.push(format!("{path}: {} missing", particle.name));
                } else if count > particle.max {
                    problems.push(format!(
                        "{path}: {} more than {} times",
                        particle.name, particle.max
                    ));
                }
            }
            if let Some(extra) = children.next() {
                problems.push(format!(
                    "{path}: {} out of place (allowed here, in order: {})",
                    extra.name,
                    particles
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            choices(node, path, problems);
        }
    }
}

/// The guide's rules of choice between siblings.
fn choices(node: &Parsed, path: &str, problems: &mut Vec<String>) {
    let has = |name: &str| node.children.iter().any(|c| c.name == name);
    match node.name.as_str() {
        "PlanDetail" | "PlacementDetail" => {
            let given = ["URN", "UKPRN", "SENSetting"]
                .iter()
                .filter(|n| has(n))
                .count();
            if given != 1 {
                problems.push(format!(
                    "{path}: exactly one of URN, UKPRN and SENSetting (item 4.7/5.7)"
                ));
            }
        }
        "Person" => {
            let identified = has("UPN") || has("UniqueLearnerNumber");
            if identified == has("UPNunknown") {
                problems.push(format!(
                    "{path}: a UPN or ULN, or else UPNunknown (item 1.7)"
                ));
            }
        }
        "Requests" => {
            let outcome = node
                .children
                .iter()
                .find(|c| c.name == "RequestOutcome")
                .map(|c| c.text.as_str());
            let decided = matches!(outcome, Some("Y" | "N"));
            if !decided && has("RequestOutcomeDate") {
                problems.push(format!(
                    "{path}: RequestOutcomeDate only with outcome Y or N (item 2.4)"
                ));
            }
            if outcome != Some("H") && !has("ReceivedDate") {
                problems.push(format!("{path}: ReceivedDate missing (item 2.1)"));
            }
        }
        _ => {}
    }
}

fn wrong_value(kind: &Kind, text: &str) -> Option<&'static str> {
    let ok = match kind {
        Kind::Text => !text.trim().is_empty(),
        Kind::Date => tandem_core::dates::parse_iso(text).is_ok(),
        Kind::DateTime => {
            text.len() == 19
                && chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").is_ok()
        }
        Kind::Year => text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()),
        Kind::Flag => matches!(text, "0" | "1"),
        Kind::Codes(set) => set.contains(&text),
        Kind::Check(valid) => valid(text),
    };
    (!ok).then_some(match kind {
        Kind::Text => "is empty",
        Kind::Date => "is not a date YYYY-MM-DD",
        Kind::DateTime => "is not a date and time YYYY-MM-DDThh:mm:ss",
        Kind::Year => "is not a year",
        Kind::Flag => "is not 0 or 1",
        Kind::Codes(_) => "is not in the code set",
        Kind::Check(_) => "is malformed",
    })
}

// ---------------------------------------------------------------------------------------------

/// The Annex A lists: one row per child, the child's latest case deciding the list.
pub struct AnnexA {
    /// List 1 rows.
    pub list_1: Vec<Vec<Cell>>,
    /// List 2 rows.
    pub list_2: Vec<Vec<Cell>>,
}

/// The two lists as at `collection.today`.
pub fn annex_a(cases: &[ReturnCase], collection: &Collection) -> AnnexA {
    // One row per child: a plan (list 1) wins over SEN support, then the latest case.
    let rank = |c: &ReturnCase| (c.list == Some(AnnexList::Plans), c.reference.clone());
    let mut chosen: BTreeMap<&str, &ReturnCase> = BTreeMap::new();
    for case in cases.iter().filter(|c| c.list.is_some()) {
        let held = chosen.entry(case.person.as_str()).or_insert(case);
        if rank(case) > rank(held) {
            *held = case;
        }
    }
    let mut rows: Vec<&ReturnCase> = chosen.into_values().collect();
    rows.sort_by(|a, b| a.reference.cmp(&b.reference));
    let row = |c: &ReturnCase, list| {
        annex_a::row(
            list,
            &c.facts,
            &c.details,
            c.reference.as_str(),
            collection.today,
        )
    };
    AnnexA {
        list_1: rows
            .iter()
            .filter(|c| c.list == Some(AnnexList::Plans))
            .map(|c| row(c, AnnexList::Plans))
            .collect(),
        list_2: rows
            .iter()
            .filter(|c| c.list == Some(AnnexList::SenSupport))
            .map(|c| row(c, AnnexList::SenSupport))
            .collect(),
    }
}

/// The workbook: sheets `List 1` and `List 2` with the template's headings in bold, dates as
/// Excel dates.
pub fn annex_a_workbook(lists: &AnnexA) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (list, rows) in [
        (AnnexList::Plans, &lists.list_1),
        (AnnexList::SenSupport, &lists.list_2),
    ] {
        let sheet = workbook.add_worksheet();
        sheet.set_name(annex_a::sheet_name(list))?;
        for (col, heading) in (0u16..).zip(annex_a::headings(list)) {
            sheet.write_string_with_format(0, col, heading, &bold)?;
            sheet.set_column_width(col, 18)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (r, cells) in (1u32..).zip(rows.iter()) {
            for (col, cell) in (0u16..).zip(cells) {
                match cell {
                    Cell::Empty => {}
                    Cell::Text(text) => {
                        sheet.write_string(r, col, text)?;
                    }
                    Cell::Date(d) => {
                        use chrono::Datelike;
                        let (y, m, dd) = (d.year(), d.month(), d.day());
                        let excel = ExcelDateTime::from_ymd(
                            u16::try_from(y)
                                .map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?,
                            u8::try_from(m).unwrap_or(1),
                            u8::try_from(dd).unwrap_or(1),
                        )?;
                        sheet.write_datetime_with_format(r, col, &excel, &date)?;
                    }
                }
            }
        }
    }
    workbook.save_to_buffer()
}

/// A list as CSV, dates as `YYYY-MM-DD`.
pub fn annex_a_csv(list: AnnexList, rows: &[Vec<Cell>]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(annex_a::headings(list))?;
    for cells in rows {
        out.write_record(cells.iter().map(|c| match c {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Date(d) => d.to_string(),
        }))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}
