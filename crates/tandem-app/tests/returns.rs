//! The statutory returns made from generated data: the data-quality rules find exactly the
//! problems the generator planted; the SEN2 XML keeps the specification's structure (checked on
//! 20,000 cases); the checker itself catches breaches; the Annex A workbook has the template's
//! headings in order, real dates, and gives its values back through an XLSX reader.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::BTreeSet;
use std::time::Instant;

use calamine::{Data, Reader};
use tandem_app::generate::{GenerateOptions, generate};
use tandem_app::returns::{
    self, ReturnCase, annex_a, annex_a_csv, annex_a_workbook, assess, check_sen2_xml, sen2,
};
use tandem_core::returns::annex_a::{Cell, LIST_1_HEADINGS, headings};
use tandem_core::returns::rules::Rule;
use tandem_core::returns::sen2::Header;
use tandem_core::returns::{AnnexList, Collection};
use tandem_core::{Date, Reference, dates};

fn d(s: &str) -> Date {
    dates::parse_iso(s).unwrap()
}

fn header() -> Header {
    Header {
        la: "212".into(),
        software: "Tandem".into(),
        release: "test".into(),
        serial: 1,
        created: "2026-12-01T09:30:00".into(),
        dmo: "Y".into(),
        dco: "Y".into(),
        dsco: "R".into(),
    }
}

/// The 2027 collection, made on the day the generated histories run to.
fn collection() -> Collection {
    Collection::of_year(2027, d("2026-12-01"))
}

fn generated(cases: usize, seed: u64) -> Vec<(tandem_core::CaseFile, Vec<Rule>)> {
    let options = GenerateOptions {
        cases,
        seed,
        as_of: d("2026-12-01"),
        case_managers: 10,
    };
    generate(&options).map(|g| (g.case, g.planted)).collect()
}

#[test]
fn twenty_thousand_generated_cases_show_only_the_planted_problems_and_a_well_formed_sen2() {
    let started = Instant::now();
    let cases = generated(20_000, 16);
    let planted: Vec<(Reference, Vec<Rule>)> = cases
        .iter()
        .map(|(c, p)| (c.reference.clone(), p.clone()))
        .collect();
    let collection = collection();
    let read = assess(cases.into_iter().map(|(c, _)| c), &collection);
    let mut shown = 0;
    let mut planted_in_scope = 0;
    for (case, (reference, planted)) in read.iter().zip(&planted) {
        assert_eq!(&case.reference, reference);
        let found: BTreeSet<Rule> = case.problems.iter().map(|p| p.rule).collect();
        let expected: BTreeSet<Rule> = if case.in_sen2 || case.list.is_some() {
            planted.iter().copied().collect()
        } else {
            BTreeSet::new()
        };
        assert_eq!(found, expected, "{reference}: {:?}", case.problems);
        shown += found.len();
        planted_in_scope += expected.len();
    }
    // A small share of missing UPNs and a few impossible dates were planted, and are shown.
    let kinds: BTreeSet<Rule> = read
        .iter()
        .flat_map(|c| c.problems.iter().map(|p| p.rule))
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([Rule::UpnMissing, Rule::PlacementDates])
    );
    assert!((100..=400).contains(&shown), "{shown} problems shown");
    assert_eq!(shown, planted_in_scope);
    let assessed = started.elapsed();

    let made = sen2(&read, &header(), &collection).unwrap();
    let structure = check_sen2_xml(&made.xml);
    // The only breaches: persons without UPN, ULN or reason, exactly the planted ones in it.
    let missing: usize = persons_with(&read, Rule::UpnMissing);
    assert_eq!(
        structure.len(),
        missing,
        "{:?}",
        &structure[..structure.len().min(10)]
    );
    assert!(
        structure
            .iter()
            .all(|p| p.contains("a UPN or ULN, or else UPNunknown")),
        "{structure:?}"
    );
    // Without the planted cases the file is clean.
    let clean: Vec<ReturnCase> = read
        .iter()
        .filter(|c| c.problems.is_empty())
        .cloned()
        .collect();
    let clean_file = sen2(&clean, &header(), &collection).unwrap();
    assert_eq!(check_sen2_xml(&clean_file.xml), Vec::<String>::new());
    assert!(
        clean_file.persons > 10_000,
        "{} persons",
        clean_file.persons
    );
    // Every module has rows, one CSV per module.
    assert_eq!(clean_file.modules.len(), 8);
    for (module, csv) in &clean_file.modules {
        assert!(
            csv.iter().filter(|b| **b == b'\n').count() > 100,
            "{module}"
        );
    }
    let lists = annex_a(&read, &collection);
    assert!(lists.list_1.len() > 5_000 && lists.list_2.len() > 2_000);
    eprintln!(
        "20,000 cases: assessed in {assessed:?}, SEN2 of {} persons built and checked by {:?}",
        made.persons,
        started.elapsed()
    );
}

fn persons_with(read: &[ReturnCase], rule: Rule) -> usize {
    let mut persons: Vec<&str> = read
        .iter()
        .filter(|c| c.in_sen2 && c.problems.iter().any(|p| p.rule == rule))
        .map(|c| c.person.as_str())
        .collect();
    persons.sort_unstable();
    persons.dedup();
    persons.len()
}

#[test]
fn the_same_seed_plants_the_same_problems() {
    let first: Vec<Vec<Rule>> = generated(2_000, 5).into_iter().map(|(_, p)| p).collect();
    let again: Vec<Vec<Rule>> = generated(2_000, 5).into_iter().map(|(_, p)| p).collect();
    assert_eq!(first, again);
    assert!(first.iter().any(|p| !p.is_empty()));
}

/// A small clean SEN2 file to break in the checker tests.
fn small_xml() -> String {
    let collection = collection();
    let read = assess(generated(300, 3).into_iter().map(|(c, _)| c), &collection);
    let clean: Vec<ReturnCase> = read.into_iter().filter(|c| c.problems.is_empty()).collect();
    let xml = sen2(&clean, &header(), &collection).unwrap().xml;
    assert_eq!(check_sen2_xml(&xml), Vec::<String>::new());
    xml
}

#[test]
fn the_structural_check_catches_breaches() {
    let xml = small_xml();
    let broken = |from: &str, to: &str| {
        assert!(xml.contains(from), "{from}");
        check_sen2_xml(&xml.replacen(from, to, 1))
    };
    let has = |problems: Vec<String>, text: &str| {
        assert!(
            problems.iter().any(|p| p.contains(text)),
            "{text} not in {problems:?}"
        );
    };
    has(
        broken(
            "<Collection>SEN2</Collection>",
            "<Collection>SEN3</Collection>",
        ),
        "not in the code set",
    );
    has(
        broken(
            "<ReferenceDate>2027-01-21</ReferenceDate>",
            "<ReferenceDate>21/01/2027</ReferenceDate>",
        ),
        "not a date",
    );
    has(broken("<DSCO>R</DSCO>", ""), "DSCO missing");
    has(
        broken("<SerialNo>001</SerialNo>", "<SerialNo>1</SerialNo>"),
        "malformed",
    );
    // An item ahead of its place: out of the specification's order.
    has(
        broken("<Sex>", "<Ethnicity>WBRI</Ethnicity><Sex>"),
        "Sex out of place",
    );
    has(broken("<RYA>0</RYA>", "<RYA>2</RYA>"), "not 0 or 1");
    has(
        broken("<SENtype>", "<Colour>red</Colour><SENtype>"),
        "out of place",
    );
    has(
        broken(
            "<PlacementRank>1</PlacementRank>",
            "<SENSetting>OTH</SENSetting><PlacementRank>1</PlacementRank>",
        ),
        "exactly one of URN, UKPRN and SENSetting",
    );
    has(
        broken("<UPN>", "<UPNunknown>UN1</UPNunknown><UPN>"),
        "out of place",
    );
    has(
        broken("</Persons>", "</Persons><Persons/>"),
        "Persons more than 1 times",
    );
    has(check_sen2_xml("<Message><Header>"), "not well-formed");
}

#[test]
fn annex_a_workbook_has_the_template_headings_real_dates_and_gives_its_values_back() {
    let collection = collection();
    let read = assess(
        generated(1_500, 11).into_iter().map(|(c, _)| c),
        &collection,
    );
    let lists = annex_a(&read, &collection);
    let bytes = annex_a_workbook(&lists).unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["List 1".to_owned(), "List 2".to_owned()]
    );
    for (list, rows, sheet) in [
        (AnnexList::Plans, &lists.list_1, "List 1"),
        (AnnexList::SenSupport, &lists.list_2, "List 2"),
    ] {
        let range = book.worksheet_range(sheet).unwrap();
        let mut sheet_rows = range.rows();
        let head: Vec<String> = sheet_rows
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(head, headings(list));
        assert!(!rows.is_empty());
        let mut dates_seen = 0;
        for (cells, read_back) in rows.iter().zip(sheet_rows) {
            for (cell, back) in cells
                .iter()
                .zip(read_back.iter().chain(std::iter::repeat(&Data::Empty)))
            {
                match (cell, back) {
                    (Cell::Empty, Data::Empty) => {}
                    (Cell::Text(t), Data::String(s)) => assert_eq!(t, s),
                    (Cell::Date(date), Data::DateTime(excel)) => {
                        assert!(excel.is_datetime());
                        // Excel's day 0 is 30 December 1899.
                        let day = d("1899-12-30") + chrono::Days::new(excel.as_f64() as u64);
                        assert_eq!(*date, day);
                        dates_seen += 1;
                    }
                    other => panic!("{sheet}: {other:?}"),
                }
            }
        }
        // Every row has its date of birth as a date, list 1 its plan dates too.
        assert!(dates_seen >= rows.len(), "{sheet}: dates are Excel dates");
        // The CSV has the same headings and one line per row.
        let csv = String::from_utf8(annex_a_csv(list, rows).unwrap()).unwrap();
        let mut lines = csv.lines();
        let first = lines.next().unwrap();
        assert_eq!(first.split(',').count(), headings(list).len());
        assert_eq!(lines.count(), rows.len());
    }
}

#[test]
fn list_headings_are_exactly_the_templates() {
    assert_eq!(LIST_1_HEADINGS.len(), 21);
    assert_eq!(LIST_1_HEADINGS[10], "Main education establishment – URN");
    assert_eq!(
        LIST_1_HEADINGS[12],
        "Subsidiary education establishment – phase (dual registration)"
    );
    assert_eq!(LIST_1_HEADINGS[18], "Known to children's social care?");
    assert_eq!(headings(AnnexList::SenSupport).len(), 17);
    let _ = returns::has_errors(&[]);
}
