//! How the web application behaves: cookies, session lengths, sign-in limits and request limits.

use std::time::Duration;

use tandem_app::accounts::{SessionPolicy, SignInLimit};

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Serve cookies with `Secure` and the `__Host-` prefix. Turn off only for plain-HTTP
    /// development on a host browsers do not treat as secure (they do treat `localhost` and
    /// `127.0.0.1` as secure, so the default works there too).
    pub secure_cookies: bool,
    pub sessions: SessionPolicy,
    pub sign_in_limit: SignInLimit,
    /// A request taking longer than this is answered with 503 (408 while reading the body).
    pub request_timeout: Duration,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            sessions: SessionPolicy::default(),
            sign_in_limit: SignInLimit::default(),
            request_timeout: Duration::from_secs(30),
            body_limit: 2 * 1024 * 1024,
        }
    }
}
