//! A legacy tracker spreadsheet (CSV), cleansed as `tandem import --format tracker` reads it.
use tandem_app::interchange::tracker;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let known = |email: &str| email.ends_with("@council.test");
        let cleanse = tracker::read(data, &known, tandem_fuzz::today());
        let mut rejected = Vec::new();
        let _ = cleanse.write_rejected(&mut rejected);
    });
}
