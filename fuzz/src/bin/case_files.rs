//! Case files as `tandem import` reads them: one JSON case file, and JSON Lines.
use tandem_app::interchange::{Format, for_each_case};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        for format in [Format::Json, Format::JsonLines] {
            let mut cases = Vec::new();
            let problems = for_each_case(format, data, |case| cases.push(case));
            // Every case read is held to the forms' limits, as the importer does next.
            for case in &cases {
                let _ = tandem_core::input::case_file_problems(&case.value);
                let _ = tandem_core::timeline::compute(&case.value, tandem_fuzz::today());
            }
            let _ = problems;
        }
    });
}
