//! The statutory-return details of a child, read from the child record's keys. Facts of one
//! request (who asked, mediation, cease reason…) are the case's, in
//! [`crate::request::RequestDetails`].
//!
//! They are kept as *validated keys* of the case file's `child` object (contracts/case-file.md
//! allows more fields there) rather than typed columns: an import takes in what a tracker or
//! another system holds, including codes that are wrong, and the data-quality rules
//! ([`super::rules`]) then say what to put right, all year round, instead of the import refusing
//! the case. This module is the one typed reading of those keys; `docs/statutory-returns.md`
//! lists them.

use serde_json::{Map, Value};

use crate::case_file::Child;
use crate::dates::{self, Date};

/// Key names in the child record.
pub mod keys {
    /// Given name (SEN2 `Forename`).
    pub const GIVEN_NAME: &str = "given_name";
    /// Family name (SEN2 `Surname`).
    pub const FAMILY_NAME: &str = "family_name";
    /// The local authority's own identifier for the child (Annex A "Unique ID").
    pub const UNIQUE_ID: &str = "unique_id";
    /// Unique Pupil Number.
    pub const UPN: &str = "upn";
    /// Unique Learner Number.
    pub const ULN: &str = "uln";
    /// Why neither UPN nor ULN is known (`UN1`…`UN10`).
    pub const UPN_UNKNOWN: &str = "upn_unknown";
    /// `M` or `F`.
    pub const SEX: &str = "sex";
    /// CBDS ethnicity code.
    pub const ETHNICITY: &str = "ethnicity";
    /// Postcode.
    pub const POSTCODE: &str = "postcode";
    /// Primary SEN need (SEN2 `SENtype`).
    pub const PRIMARY_NEED: &str = "primary_need";
    /// Secondary SEN need.
    pub const SECONDARY_NEED: &str = "secondary_need";
    /// Receives SEN support (without a plan): Annex A list 2.
    pub const SEN_SUPPORT: &str = "sen_support";
    /// Settings attended: an array of placement objects.
    pub const PLACEMENTS: &str = "placements";
    /// Annex A columns Tandem does not derive, passed through as given.
    pub const ANNEX_A_EXTRAS: [&str; 7] = [
        "suspensions",
        "permanent_exclusions",
        "absence",
        "pupil_premium",
        "known_to_social_care",
        "social_care_team",
        "disability",
    ];
}

/// A date as recorded: a real date, or the text that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A real calendar date.
    Date(Date),
    /// Text that is not an ISO date.
    Bad(String),
}

impl Recorded {
    /// The date, when it is one.
    pub fn date(&self) -> Option<Date> {
        match self {
            Self::Date(d) => Some(*d),
            Self::Bad(_) => None,
        }
    }
}

/// One setting the child attends or attended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    /// The setting's name, for people to read.
    pub name: Option<String>,
    /// GIAS URN of a school or setting.
    pub urn: Option<String>,
    /// UKPRN of a college or training provider.
    pub ukprn: Option<String>,
    /// `SENSetting` code where there is no URN or UKPRN.
    pub setting: Option<String>,
    /// Free text describing an `OTH` or `NIEO` setting.
    pub setting_other: Option<String>,
    /// GIAS phase of education.
    pub phase: Option<String>,
    /// GIAS establishment type, for people to read.
    pub kind: Option<String>,
    /// `1` main (primary) or `2` subsidiary (dual registration).
    pub rank: Option<String>,
    /// The first day there.
    pub entry: Option<Recorded>,
    /// The last day there, when it has ended.
    pub leaving: Option<Recorded>,
    /// In an SEN unit.
    pub sen_unit: bool,
    /// In resourced provision.
    pub resourced_provision: bool,
    /// Residential placement (`Res`): `A` or `B`.
    pub residential: Option<String>,
    /// Work-based learning (`WBP`): `A`, `T` or `S`.
    pub work_based: Option<String>,
}

impl Placement {
    /// Whether the placement is attended on `day` (entry on or before, leaving not before).
    pub fn attended_on(&self, day: Date) -> bool {
        let entered = self.entry.as_ref().and_then(Recorded::date);
        let left = self.leaving.as_ref().and_then(Recorded::date);
        entered.is_some_and(|e| e <= day) && left.is_none_or(|l| l >= day)
    }

    /// Whether the placement is attended at some time from `from` to `to`.
    pub fn overlaps(&self, from: Date, to: Date) -> bool {
        let entered = self.entry.as_ref().and_then(Recorded::date);
        let left = self.leaving.as_ref().and_then(Recorded::date);
        entered.is_some_and(|e| e <= to) && left.is_none_or(|l| l >= from)
    }

    /// Whether this is the main placement (rank 1, or no rank given).
    pub fn is_main(&self) -> bool {
        self.rank.as_deref().is_none_or(|r| r == "1")
    }
}

/// A yes/no item as recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Flag {
    /// Not recorded: counts as no.
    #[default]
    Absent,
    /// Recorded yes or no.
    Given(bool),
    /// Recorded as something that is neither.
    Bad,
}

impl Flag {
    /// Yes only when recorded yes.
    pub fn yes(self) -> bool {
        self == Self::Given(true)
    }
}

/// Everything the returns read about a child, typed; codes are kept as given so that the
/// rules can report unknown ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReturnDetails {
    /// Given name.
    pub forename: Option<String>,
    /// Family name.
    pub surname: Option<String>,
    /// Date of birth (typed in the case file itself).
    pub date_of_birth: Option<Date>,
    /// The LA's own identifier.
    pub unique_id: Option<String>,
    /// Unique Pupil Number.
    pub upn: Option<String>,
    /// Unique Learner Number.
    pub uln: Option<String>,
    /// Why neither identifier is known.
    pub upn_unknown: Option<String>,
    /// `M` / `F`.
    pub sex: Option<String>,
    /// CBDS ethnicity.
    pub ethnicity: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Primary need.
    pub primary_need: Option<String>,
    /// Secondary need.
    pub secondary_need: Option<String>,
    /// On SEN support.
    pub sen_support: Flag,
    /// Settings, in the order recorded.
    pub placements: Vec<Placement>,
    /// Entries of `placements` that are not objects (their position).
    pub unreadable_placements: Vec<usize>,
    /// The Annex A pass-through columns of [`keys::ANNEX_A_EXTRAS`], in that order.
    pub annex_a_extras: [Option<String>; 7],
}

impl ReturnDetails {
    /// Reads the child record.
    pub fn of(child: &Child) -> Self {
        let other = &child.other;
        let placements = match other.get(keys::PLACEMENTS) {
            Some(Value::Array(items)) => items.as_slice(),
            _ => &[],
        };
        let mut unreadable_placements = Vec::new();
        let placements = placements
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Value::Object(fields) => Some(placement(fields)),
                _ => {
                    unreadable_placements.push(i);
                    None
                }
            })
            .collect();
        Self {
            forename: text(other, keys::GIVEN_NAME),
            surname: text(other, keys::FAMILY_NAME),
            date_of_birth: child.date_of_birth,
            unique_id: text(other, keys::UNIQUE_ID),
            upn: text(other, keys::UPN),
            uln: text(other, keys::ULN),
            upn_unknown: text(other, keys::UPN_UNKNOWN),
            sex: text(other, keys::SEX),
            ethnicity: text(other, keys::ETHNICITY),
            postcode: text(other, keys::POSTCODE),
            primary_need: text(other, keys::PRIMARY_NEED),
            secondary_need: text(other, keys::SECONDARY_NEED),
            sen_support: flag(other, keys::SEN_SUPPORT),
            placements,
            unreadable_placements,
            annex_a_extras: keys::ANNEX_A_EXTRAS.map(|k| text(other, k)),
        }
    }

    /// The main placement attended on `day`, if any.
    pub fn main_placement_on(&self, day: Date) -> Option<&Placement> {
        let mut on_day = self.placements.iter().filter(|p| p.attended_on(day));
        let first = on_day.clone().next();
        on_day.find(|p| p.is_main()).or(first)
    }

    /// The subsidiary (dual-registration) placement attended on `day`, if any.
    pub fn subsidiary_placement_on(&self, day: Date) -> Option<&Placement> {
        self.placements
            .iter()
            .find(|p| p.attended_on(day) && p.rank.as_deref() == Some("2"))
    }

    /// Whether the child is electively home educated on `day`.
    pub fn home_educated_on(&self, day: Date) -> bool {
        self.main_placement_on(day)
            .is_some_and(|p| p.setting.as_deref() == Some("EHE"))
    }
}

/// Whole years from `born` to `day` (negative before birth).
pub fn age(born: Date, day: Date) -> i32 {
    use chrono::Datelike;
    let mut years = day.year() - born.year();
    if (day.month(), day.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

/// A text value (a number is taken as its digits), trimmed; `None` when absent or blank.
fn text(fields: &Map<String, Value>, key: &str) -> Option<String> {
    match fields.get(key)? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn flag(fields: &Map<String, Value>, key: &str) -> Flag {
    match fields.get(key) {
        None | Some(Value::Null) => Flag::Absent,
        Some(Value::Bool(b)) => Flag::Given(*b),
        Some(other) => match text_of(other)
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("1" | "y" | "yes" | "true") => Flag::Given(true),
            Some("0" | "n" | "no" | "false") => Flag::Given(false),
            Some("") => Flag::Absent,
            _ => Flag::Bad,
        },
    }
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn date(fields: &Map<String, Value>, key: &str) -> Option<Recorded> {
    let given = text(fields, key)?;
    Some(match dates::parse_iso(&given) {
        Ok(d) => Recorded::Date(d),
        Err(_) => Recorded::Bad(given),
    })
}

fn placement(fields: &Map<String, Value>) -> Placement {
    Placement {
        name: text(fields, "name"),
        urn: text(fields, "urn"),
        ukprn: text(fields, "ukprn"),
        setting: text(fields, "setting"),
        setting_other: text(fields, "setting_other"),
        phase: text(fields, "phase"),
        kind: text(fields, "type"),
        rank: text(fields, "rank"),
        entry: date(fields, "entry_date"),
        leaving: date(fields, "leaving_date"),
        sen_unit: flag(fields, "sen_unit").yes(),
        resourced_provision: flag(fields, "resourced_provision").yes(),
        residential: text(fields, "res"),
        work_based: text(fields, "wbp"),
    }
}

/// A placement as the child record's JSON holds it (the inverse of the reading above, for the
/// generator and the edit form).
pub fn placement_json(p: &Placement) -> Value {
    let mut fields = Map::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            fields.insert(key.to_owned(), Value::String(v));
        }
    };
    let shown = |r: &Option<Recorded>| {
        r.as_ref().map(|r| match r {
            Recorded::Date(d) => d.to_string(),
            Recorded::Bad(s) => s.clone(),
        })
    };
    put("name", p.name.clone());
    put("urn", p.urn.clone());
    put("ukprn", p.ukprn.clone());
    put("setting", p.setting.clone());
    put("setting_other", p.setting_other.clone());
    put("phase", p.phase.clone());
    put("type", p.kind.clone());
    put("rank", p.rank.clone());
    put("entry_date", shown(&p.entry));
    put("leaving_date", shown(&p.leaving));
    put("res", p.residential.clone());
    put("wbp", p.work_based.clone());
    if p.sen_unit {
        fields.insert("sen_unit".into(), Value::Bool(true));
    }
    if p.resourced_provision {
        fields.insert("resourced_provision".into(), Value::Bool(true));
    }
    Value::Object(fields)
}
