//! The day, month and year fields of a GOV.UK date input: the input's lines are the three
//! fields.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Some(text) = tandem_fuzz::text(data) else {
            return;
        };
        let mut parts = text.splitn(3, '\n');
        let day = parts.next().unwrap_or_default();
        let month = parts.next().unwrap_or_default();
        let year = parts.next().unwrap_or_default();
        if let Ok(Some(date)) = tandem_web::fuzzing::date_fields(day, month, year) {
            // A date read is one the pages can print and do date arithmetic on.
            let _ = tandem_core::dates::long(date);
        }
    });
}
