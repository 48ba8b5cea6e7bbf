//! The code sets of the SEN2 person-level return and the identifiers it carries, as transcribed
//! in `../shared/docs/statutory-returns.md` §5 (2026 collection; source tags there).

/// CBDS ethnicity codes: the main codes and the extended codes (fact sheet §5.1).
pub const ETHNICITY: &[&str] = &[
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
    "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT", "WCOR", "WENG", "WNIR", "WSCO",
    "WWEL", "WOWB", "WALB", "WBOS", "WCRO", "WGRE", "WGRK", "WGRC", "WITA", "WKOS", "WPOR", "WSER",
    "WTUR", "WTUK", "WTUC", "WEUR", "WEEU", "WWEU", "WOTW", "WROG", "WROR", "WROO", "MWAP", "MWAI",
    "MWAO", "ABRI", "AWEL", "MAOE", "MABL", "MACH", "MBOE", "MBCH", "MCOE", "MWOE", "MWCH", "MOTM",
    "AMPK", "AKPA", "AOPK", "AAFR", "AKAO", "ANEP", "ASNL", "ASLT", "ASRO", "AOTA", "BBRI", "BWEL",
    "BANN", "BCON", "BGHA", "BNGN", "BSLN", "BSOM", "BSUD", "BAOF", "BEUR", "BNAM", "BOTB", "CHKC",
    "CMAL", "CSNG", "CTWN", "COCH", "OAFG", "ORAB", "OARA", "OEGY", "OFIL", "OIRN", "OIRQ", "OJPN",
    "OKOR", "OKRD", "OLAM", "OLEB", "OLIB", "OMAL", "OMRC", "OPOL", "OTHA", "OVIE", "OYEM", "OOEG",
];

/// `Sex` (2024 onwards).
pub const SEX: &[&str] = &["M", "F"];

/// `SENtype`: primary and secondary need (§5.10; `DS` from 2025).
pub const SEN_TYPE: &[&str] = &[
    "SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "DS", "OTH",
];

/// `UPNunknown` reasons (§5.3; there is no UN4, UN6 or UN7).
pub const UPN_UNKNOWN: &[&str] = &["UN1", "UN2", "UN3", "UN5", "UN8", "UN9", "UN10"];

/// `RequestSource` (§5.4, mandatory from 2026).
pub const REQUEST_SOURCE: &[&str] = &["1", "2", "3", "4", "5"];

/// `CeaseReason` (§5.7).
pub const CEASE_REASON: &[&str] = &["1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// `DP`, direct payments of a personal budget (§5.12): education, social care, health,
/// integrated.
pub const DIRECT_PAYMENTS: &[&str] = &["E", "S", "H", "I"];

/// `PlanRes` and `Res`, residential provision (§5.11; the 2026 definitions of `A` and `B` are
/// RFC 1299's, unverified against DfE's own text).
pub const RESIDENTIAL: &[&str] = &["A", "B"];

/// `PlanWBP` and `WBP`, work-based learning (§5.12): apprenticeship, traineeship, supported
/// internship.
pub const WORK_BASED: &[&str] = &["A", "T", "S"];

/// `DMO`, `DCO`, `DSCO`: a designated officer in post, not, or the role is being recruited
/// (§5.12).
pub const OFFICER: &[&str] = &["Y", "N", "R"];

/// `SENSetting` allowed in a plan's named settings (4.7c).
pub const PLAN_SETTING: &[&str] = &["OLA", "OPA", "EHE", "EYP", "OTH"];

/// `SENSetting` allowed for a placement attended (5.7c): the plan's codes and three more.
pub const PLACEMENT_SETTING: &[&str] = &["OLA", "OPA", "EHE", "EYP", "OTH", "NEET", "NIEC", "NIEO"];

/// Establishment phase as Get Information about Schools names it: what Annex A's "phase"
/// columns hold. The fact sheet does not list them; these are GIAS's `PhaseOfEducation (name)`
/// values (the GIAS establishment field guide), which Annex A templates ask for.
pub const PHASE: &[&str] = &[
    "Nursery",
    "Primary",
    "Middle deemed primary",
    "Secondary",
    "Middle deemed secondary",
    "16 plus",
    "All-through",
    "Not applicable",
];

/// CBDS local authority numbers: the 155 old LA codes of the statistics table in the fact
/// sheet's appendix (including the codes of authorities since reorganised, which a transfer
/// may still name).
pub const LA: &[&str] = &[
    "201", "202", "203", "204", "205", "206", "207", "208", "209", "210", "211", "212", "213",
    "301", "302", "303", "304", "305", "306", "307", "308", "309", "310", "311", "312", "313",
    "314", "315", "316", "317", "318", "319", "320", "330", "331", "332", "333", "334", "335",
    "336", "340", "341", "342", "343", "344", "350", "351", "352", "353", "354", "355", "356",
    "357", "358", "359", "370", "371", "372", "373", "380", "381", "382", "383", "384", "390",
    "391", "392", "393", "394", "420", "800", "801", "802", "803", "805", "806", "807", "808",
    "810", "811", "812", "813", "815", "816", "821", "822", "823", "825", "826", "830", "831",
    "838", "839", "840", "841", "845", "846", "850", "851", "852", "855", "856", "857", "860",
    "861", "865", "866", "867", "868", "869", "870", "871", "872", "873", "874", "876", "877",
    "878", "879", "880", "881", "882", "883", "884", "885", "886", "887", "888", "889", "890",
    "891", "892", "893", "894", "895", "896", "908", "909", "916", "919", "921", "925", "926",
    "928", "929", "931", "933", "935", "936", "937", "938", "940", "941", "942", "943",
];

/// Whether `code` is one of `set`.
pub fn known(set: &[&str], code: &str) -> bool {
    set.contains(&code)
}

/// The letters of the UPN check character, A–Z without I, O and S.
const UPN_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// Whether `upn` is a well-formed Unique Pupil Number: 13 characters, a check letter, 11
/// digits, then a digit (permanent UPN) or a letter of the check alphabet (temporary UPN), with
/// the check letter right.
///
/// The check letter (fact sheet §5.2 leaves the algorithm UNVERIFIED): characters 2–13 are
/// weighted 2 to 13 (a letter in position 13 counts as its index in the check alphabet), the sum
/// taken modulo 23 indexes the alphabet. Source: the CBDS algorithm as implemented in
/// python-stdnum `stdnum/gb/upn.py` and quhack/dfeqa `src/dfeqa/data_validation.py`
/// (`valid_upn`), which agree.
pub fn valid_upn(upn: &str) -> bool {
    let bytes = upn.as_bytes();
    if bytes.len() != 13 || !bytes[1..12].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let value = |b: u8| -> Option<usize> {
        if b.is_ascii_digit() {
            Some(usize::from(b - b'0'))
        } else {
            UPN_LETTERS.iter().position(|l| *l == b)
        }
    };
    let mut sum = 0;
    for (weight, b) in (2..).zip(&bytes[1..]) {
        match value(*b) {
            Some(v) => sum += v * weight,
            None => return false,
        }
    }
    UPN_LETTERS[sum % 23] == bytes[0]
}

/// The check letter that makes `rest` (12 characters: 11 digits and a digit or check-alphabet
/// letter) a valid UPN, for generating test data; `None` when `rest` cannot be one.
pub fn upn_check_letter(rest: &str) -> Option<char> {
    ('A'..='Z').find(|letter| valid_upn(&format!("{letter}{rest}")))
}

/// Whether `uln` looks like a Unique Learner Number: 10 digits, the first not 0. The fact sheet
/// (§4.2, 1.7b) notes the community XSD's 8-digit pattern is wrong and leaves the ULN's check
/// digit unverified, so only the shape is checked.
pub fn valid_uln(uln: &str) -> bool {
    uln.len() == 10 && uln.bytes().all(|b| b.is_ascii_digit()) && !uln.starts_with('0')
}

/// Whether `urn` is a GIAS Unique Reference Number: current URNs are 6 digits (§5.9; the
/// community XSD allows 1–6, we require the 6 that GIAS issues).
pub fn valid_urn(urn: &str) -> bool {
    urn.len() == 6 && urn.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `ukprn` is a UK Register of Learning Providers number: 8 digits starting with 1
/// (§5.9 says 8 digits; every UKPRN issued starts with 1).
pub fn valid_ukprn(ukprn: &str) -> bool {
    ukprn.len() == 8 && ukprn.bytes().all(|b| b.is_ascii_digit()) && ukprn.starts_with('1')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upn_check_letters() {
        // python-stdnum's documented example: 8×2 + 1×4 + 2×5 + 5×10 + 1×13 = 93 ≡ 1 → B.
        assert!(valid_upn("B801200005001"));
        assert!(!valid_upn("A801200005001"));
        assert!(!valid_upn("B80120000500"));
        // A temporary UPN ends in a letter of the check alphabet, never I, O or S.
        assert!(!valid_upn("B80120000500I"));
        let letter = upn_check_letter("801203001010").unwrap();
        assert!(valid_upn(&format!("{letter}801203001010")));
    }

    #[test]
    fn shapes() {
        assert!(valid_uln("1234567890") && !valid_uln("0234567890") && !valid_uln("12345678"));
        assert!(valid_urn("100001") && !valid_urn("10001") && !valid_urn("10000A"));
        assert!(valid_ukprn("10012345") && !valid_ukprn("20012345"));
    }
}
