//! The events CSV of contracts/metrics.md, as `tandem import` reads it.
use tandem_app::interchange::{Format, for_each_case};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let mut cases = Vec::new();
        let _problems = for_each_case(Format::EventsCsv, data, |case| cases.push(case));
        for case in &cases {
            let _ = tandem_core::timeline::compute(&case.value, tandem_fuzz::today());
        }
    });
}
