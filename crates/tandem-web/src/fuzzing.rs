//! Entry points for the coverage-guided fuzz targets under `fuzz/` (the `fuzzing` feature): the
//! web layer's readers of outside input, reached without a server. Not an API: each runs what a
//! request would, and panics only where a request would have failed with a server error.

use tandem_core::{Date, EventType};

use crate::pages::case_fields::{self, Values};
use crate::pages::forms::read_date;
use crate::session::local_path;

/// A `next` address given to the sign-in page: where it would redirect, if anywhere. Building
/// the redirect is what a request does with it (it panics on a value a header cannot hold).
pub fn sign_in_next(next: &str) -> Option<String> {
    let path = local_path(Some(next))?;
    let _redirect = axum::response::Redirect::to(path);
    Some(path.to_owned())
}

/// The day, month and year fields of a GOV.UK date input, as one reads them.
pub fn date_fields(day: &str, month: &str, year: &str) -> Result<Option<Date>, String> {
    read_date("The date", [day, month, year]).map_err(|(message, _)| message)
}

/// A form body sent to record an event (`application/x-www-form-urlencoded`): decoded as the
/// form extractor decodes it, then read as each kind of event's form reads it. Returns how many
/// kinds made an event of it.
pub fn event_form(body: &[u8], today: Date) -> usize {
    let Ok(values) = serde_urlencoded::from_bytes::<Values>(body) else {
        return 0;
    };
    EventType::ALL
        .iter()
        .filter(|kind| {
            let fields = case_fields::fields(**kind);
            case_fields::read(&fields, &values, today)
                .and_then(|read| case_fields::event(**kind, &fields, &read))
                .is_ok()
        })
        .count()
}
