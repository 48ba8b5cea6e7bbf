//! Ofsted and CQC's Annex A lists for an area SEND inspection: list 1 (children and young people
//! with an EHC plan) and list 2 (SEN support), one row per child, with exactly the template's
//! headings (fact sheet, "Annex A lists").

use super::record::ReturnDetails;
use super::{AnnexList, CaseFacts};
use crate::dates::Date;

/// List 1's headings, in order, as the Annex A template has them.
pub const LIST_1_HEADINGS: [&str; 21] = [
    "Unique ID",
    "UPN",
    "ULN",
    "Date of birth",
    "Gender",
    "Ethnicity",
    "Date initial EHC plan issued",
    "Date updated EHC plan issued",
    "Date EHC plan last reviewed",
    "SEN primary need",
    "Main education establishment \u{2013} URN",
    "Main education establishment \u{2013} phase",
    "Subsidiary education establishment \u{2013} phase (dual registration)",
    "Elective home education",
    "Suspensions",
    "Permanent exclusions",
    "Absence",
    "Pupil Premium",
    "Known to children's social care?",
    "Which children's social care team?",
    "Does the child or young person have a disability?",
];

/// List 1's columns that list 2 does not have (items 7, 8, 9 and 14, counted from 1).
const NOT_IN_LIST_2: [usize; 4] = [6, 7, 8, 13];

/// The headings of a list, in order.
pub fn headings(list: AnnexList) -> Vec<&'static str> {
    LIST_1_HEADINGS
        .iter()
        .enumerate()
        .filter(|(i, _)| list == AnnexList::Plans || !NOT_IN_LIST_2.contains(i))
        .map(|(_, h)| *h)
        .collect()
}

/// The sheet (and CSV) name of a list.
pub fn sheet_name(list: AnnexList) -> &'static str {
    match list {
        AnnexList::Plans => "List 1",
        AnnexList::SenSupport => "List 2",
    }
}

/// One cell of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Nothing recorded.
    Empty,
    /// Text or a code.
    Text(String),
    /// A date (an Excel date in the workbook).
    Date(Date),
}

/// One child's row on `list` as at `day`, under [`headings`]. `fallback_id` is the Unique ID
/// when the record has none of its own (Tandem's case reference).
pub fn row(
    list: AnnexList,
    facts: &CaseFacts,
    details: &ReturnDetails,
    fallback_id: &str,
    day: Date,
) -> Vec<Cell> {
    let text = |v: &Option<String>| v.clone().map_or(Cell::Empty, Cell::Text);
    let date = |d: Option<Date>| d.map_or(Cell::Empty, Cell::Date);
    let main = details.main_placement_on(day);
    // The URN column holds the URN, else the UKPRN of a college without one (Annex A names no
    // other identifier), else nothing.
    let main_id = main.and_then(|p| p.urn.clone().or_else(|| p.ukprn.clone()));
    let subsidiary = details.subsidiary_placement_on(day);
    let yes_no = |b: bool| Cell::Text(if b { "Y" } else { "N" }.into());
    let mut all = vec![
        Cell::Text(
            details
                .unique_id
                .clone()
                .unwrap_or_else(|| fallback_id.to_owned()),
        ),
        text(&details.upn),
        text(&details.uln),
        date(details.date_of_birth),
        text(&details.sex),
        text(&details.ethnicity),
        date(facts.final_plan.filter(|d| *d <= day)),
        date(facts.amended_plan.filter(|d| *d <= day)),
        date(facts.review_meeting.filter(|d| *d <= day)),
        text(&details.primary_need),
        text(&main_id),
        text(&main.and_then(|p| p.phase.clone())),
        text(&subsidiary.and_then(|p| p.phase.clone())),
        yes_no(details.home_educated_on(day)),
    ];
    all.extend(details.annex_a_extras.iter().map(text));
    all.into_iter()
        .enumerate()
        .filter(|(i, _)| list == AnnexList::Plans || !NOT_IN_LIST_2.contains(i))
        .map(|(_, c)| c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_2_is_list_1_without_items_7_8_9_14() {
        let two = headings(AnnexList::SenSupport);
        assert_eq!(two.len(), 17);
        assert!(!two.contains(&"Date initial EHC plan issued"));
        assert!(!two.contains(&"Elective home education"));
        assert_eq!(two[6], "SEN primary need");
    }
}
