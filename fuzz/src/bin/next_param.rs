//! The `next` address of the sign-in page: whatever is accepted must be a plain path on this
//! site (issue 14, findings 3 and 7).
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Some(next) = tandem_fuzz::text(data) else {
            return;
        };
        if let Some(path) = tandem_web::fuzzing::sign_in_next(next) {
            assert!(path.starts_with('/') && !path.starts_with("//"), "{path:?}");
            assert!(path.bytes().all(|b| b.is_ascii_graphic()), "{path:?}");
            assert!(!path.contains('\\'), "{path:?}");
        }
    });
}
