//! What the fuzz targets share: the fixed "today" the parsers judge dates against, and turning
//! AFL's bytes into text the way the readers receive it.

use tandem_core::Date;

/// The date the targets check dates against (a fixed day, so a crash reproduces).
pub fn today() -> Date {
    Date::from_ymd_opt(2026, 12, 6).unwrap_or_default()
}

/// The input as text, when it is UTF-8 (the web layer only ever sees UTF-8 strings).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
