//! A form body posted to record an event, decoded and read as each kind of event's form.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let _ = tandem_web::fuzzing::event_form(data, tandem_fuzz::today());
    });
}
