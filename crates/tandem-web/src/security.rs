//! Security headers on every response, and the CSRF token check on every state-changing request.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::session::{Cookie, csrf_token_for};
use crate::state::AppState;

/// Scripts, styles, images and fonts from this site's own files only: no inline code, nothing
/// from elsewhere, no framing, forms posting only here.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The content security policy, whose forms may also send the browser on to the single sign-on
/// provider at `provider_origin`: browsers apply `form-action` to a form's redirects too.
pub(crate) fn content_security_policy(provider_origin: Option<&str>) -> HeaderValue {
    provider_origin
        .map(|origin| {
            CONTENT_SECURITY_POLICY.replace(
                "form-action 'self'",
                &format!("form-action 'self' {origin}"),
            )
        })
        // An origin is visible ASCII (`ascii_serialization`), so this is always a header value.
        .and_then(|policy| HeaderValue::from_str(&policy).ok())
        .unwrap_or(HeaderValue::from_static(CONTENT_SECURITY_POLICY))
}

const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), \
     magnetometer=(), microphone=(), payment=(), usb=()";

/// The forms posted before there is a session, whose token comes from the pre-sign-in cookie:
/// signing in, with a password or through the organisation's provider (`/sign-in/oidc`), its
/// second step (a code, a recovery code, setting two-factor sign-in up: the
/// cookie then names the pending sign-in), setting a password from an invitation link
/// (`/invitations/{token}`), asking for a password reset link and using it (`/password-reset`,
/// `/password-reset/{token}`), and answering a survey from its link (`/feedback/{token}`).
fn before_sign_in(path: &str) -> bool {
    matches!(
        path,
        "/sign-in"
            | "/sign-in/oidc"
            | "/password-reset"
            | crate::pages::two_factor::CODE_PATH
            | crate::pages::two_factor::RECOVERY_PATH
            | crate::pages::two_factor::SET_UP_PATH
    ) || path
        .strip_prefix("/invitations/")
        .is_some_and(|token| !token.is_empty() && !token.contains('/') && token != "new")
        || ["/feedback/", "/password-reset/"].iter().any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|token| !token.is_empty() && !token.contains('/'))
        })
}

/// The form field and header that carry the CSRF token.
const CSRF_FIELD: &str = "csrf_token";
const CSRF_HEADER: &str = "x-csrf-token";

/// Adds the security headers, and `Cache-Control: no-store` unless the handler chose its own
/// caching (only the content-hashed assets do): pages show children's records and must not stay
/// in shared or back-button caches.
pub(crate) async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed = [
        (
            header::CONTENT_SECURITY_POLICY,
            state.content_security_policy().clone(),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (
            header::HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, value);
    }
    if state.config().secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses a state-changing request (anything but GET, HEAD, OPTIONS) unless it carries the
/// CSRF token of one of its cookies: the session's, or before sign-in the sign-in cookie's. The
/// token comes in the `csrf_token` field of a URL-encoded form, in the `csrf_token` query
/// parameter of a multipart form (a file upload, whose body is not read here: the form's
/// address carries the token), or in an `X-CSRF-Token` header (scripts, other body types). Cross-site requests are refused before this by the Origin and
/// Sec-Fetch-Site check; this check also covers browsers that send neither header.
pub(crate) async fn require_csrf_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || is_scripted_sign_in(&request)
    {
        return next.run(request).await;
    }
    let secure = state.config().secure_cookies;
    if !origin_is_this_site(&request, secure) {
        tracing::info!("refused a state-changing request from another origin");
        return StatusCode::FORBIDDEN.into_response();
    }
    // The pre-sign-in cookie's token signs in and nothing else: a signed-in request must carry
    // its own session's token.
    let cookies: &[Cookie] = if before_sign_in(request.uri().path()) {
        &[Cookie::Session, Cookie::SignIn]
    } else {
        &[Cookie::Session]
    };
    let expected: Vec<String> = cookies
        .iter()
        .filter_map(|cookie| cookie.read(request.headers(), secure))
        .map(csrf_token_for)
        .collect();
    if expected.is_empty() {
        // Without a cookie there is no session to forge a request with: the API answers 401
        // (sign in first) rather than 403.
        if request.uri().path().starts_with("/api/") {
            return next.run(request).await;
        }
        return StatusCode::FORBIDDEN.into_response();
    }
    let (parts, body) = request.into_parts();
    let (submitted, body) = match header_token(&parts.headers) {
        Some(token) => (Some(token), body),
        None if is_form(&parts.headers) => {
            let Ok(bytes) = to_bytes(body, state.config().body_limit).await else {
                return StatusCode::PAYLOAD_TOO_LARGE.into_response();
            };
            let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .ok()
                .and_then(|pairs| {
                    pairs
                        .into_iter()
                        .find(|(name, _)| name == CSRF_FIELD)
                        .map(|(_, value)| value)
                });
            (token, Body::from(bytes))
        }
        None if is_multipart(&parts.headers) => (query_token(&parts.uri), body),
        None => (None, body),
    };
    let valid = submitted.is_some_and(|submitted| {
        expected
            .iter()
            .any(|e| bool::from(e.as_bytes().ct_eq(submitted.as_bytes())))
    });
    if !valid {
        tracing::info!("refused a state-changing request without a valid CSRF token");
        return StatusCode::FORBIDDEN.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

/// A sign-in posted by a program rather than a browser (contracts/cli.md: `POST /sign-in` with
/// `email` and `password`). Login CSRF needs a victim's browser, and every browser marks a form
/// post with `Sec-Fetch-Site` or `Origin`; a request with neither cannot have been forged by
/// another site, so it may sign in without the sign-in page's token.
fn is_scripted_sign_in(request: &Request) -> bool {
    let headers = request.headers();
    request.uri().path() == "/sign-in"
        && !headers.contains_key(header::ORIGIN)
        && !headers.contains_key("sec-fetch-site")
}

/// Whether a state-changing request's `Origin`, if it sent one, is exactly this site: scheme,
/// host and port. tower-http's `CsrfLayer` (outside this check) compares the host only. With
/// secure cookies the scheme must be `https`, except on a loopback host, where browsers treat
/// plain `http` as secure (a developer's machine, the browser tests).
fn origin_is_this_site(request: &Request, secure: bool) -> bool {
    let Some(origin) = request.headers().get(header::ORIGIN) else {
        return true;
    };
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    let (Ok(origin), Some(host)) = (origin.to_str(), host) else {
        return false;
    };
    let Some((scheme, origin_host)) = origin.split_once("://") else {
        return false;
    };
    let scheme_allowed = match scheme {
        "https" => true,
        "http" => !secure || is_loopback(host),
        _ => false,
    };
    scheme_allowed && origin_host.eq_ignore_ascii_case(host)
}

/// `localhost`, `127.x.x.x` or `[::1]`, with or without a port.
fn is_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn header_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

fn query_token(uri: &Uri) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(uri.query()?)
        .ok()?
        .into_iter()
        .find(|(name, _)| name == CSRF_FIELD)
        .map(|(_, value)| value)
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}
