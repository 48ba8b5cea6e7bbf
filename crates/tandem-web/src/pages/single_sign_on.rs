//! Signing staff in through the organisation's identity provider: OpenID Connect's
//! authorisation code flow with PKCE (docs/web.md, "Single sign-on").
//!
//! `POST /sign-in/oidc` gives the browser a short-lived HttpOnly cookie holding 256 random bits
//! and sends it to the provider with the `state`, `nonce` and PKCE challenge derived from them.
//! `GET /sign-in/oidc/callback` derives them again from the cookie of the browser that comes
//! back: a `state` from any other browser does not match, and the code cannot be exchanged
//! without the verifier only that cookie yields. Nothing is stored on the server until a session
//! starts, so any server behind a load balancer can answer the callback.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, CsrfToken, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, Scope, TokenResponse as _,
};
use serde::Deserialize;
use subtle::ConstantTimeEq;
use tandem_app::accounts::{self, ProviderRefusal, SessionToken, digest};

use crate::error::{ErrorPage, WebError, error_chain, html};
use crate::pages::sign_in::signed_in_response;
use crate::session::{Cookie, CurrentUser, local_path};
use crate::single_sign_on::Provider;
use crate::state::AppState;

/// How long the browser keeps the cookie tying a sign-in to it: long enough to sign in at the
/// provider, short enough that an abandoned sign-in cannot be finished later.
const FLOW_LASTS_SECONDS: u32 = 10 * 60;

/// One sign-in at the provider, as the browser's cookie holds it: a random token and where to
/// go afterwards. The `state`, `nonce` and PKCE verifier are digests of the token under their
/// own labels, so the cookie needs no server secret and no server keeps anything.
struct Flow {
    token: String,
    next: Option<String>,
}

impl Flow {
    fn new(next: Option<&str>) -> Result<Self, WebError> {
        Ok(Self {
            token: SessionToken::generate()?.as_str().to_owned(),
            next: local_path(next).map(str::to_owned),
        })
    }

    /// The cookie's value: the token, then `.` and the `next` path in base64url, if any.
    fn cookie(&self) -> String {
        match &self.next {
            Some(next) => format!("{}.{}", self.token, URL_SAFE_NO_PAD.encode(next)),
            None => self.token.clone(),
        }
    }

    fn from_cookie(value: &str) -> Self {
        let (token, next) = value.split_once('.').unwrap_or((value, ""));
        let next = URL_SAFE_NO_PAD
            .decode(next)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok());
        Self {
            token: token.to_owned(),
            next: local_path(next.as_deref()).map(str::to_owned),
        }
    }

    fn state(&self) -> String {
        digest("tandem oidc state", &self.token)
    }

    fn nonce(&self) -> Nonce {
        Nonce::new(digest("tandem oidc nonce", &self.token))
    }

    /// 43 base64url characters: a verifier of the length RFC 7636 asks for.
    fn verifier(&self) -> PkceCodeVerifier {
        PkceCodeVerifier::new(digest("tandem oidc pkce", &self.token))
    }
}

#[derive(Deserialize)]
pub(crate) struct StartForm {
    next: Option<String>,
}

/// `POST /sign-in/oidc` (the sign-in page's "Sign in with your organisation's account"): off to
/// the provider, with the cookie that ties the sign-in to this browser.
pub(crate) async fn start(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    Form(form): Form<StartForm>,
) -> Result<Response, WebError> {
    let Some(provider) = state.single_sign_on() else {
        return Err(WebError::NotFound);
    };
    if let Some(user) = user {
        let to = local_path(form.next.as_deref()).unwrap_or(user.home());
        return Ok(Redirect::to(to).into_response());
    }
    let client = match provider.client().await {
        Ok((client, _)) => client,
        Err(error) => return refuse(&state, Refusal::Unavailable, Some(&error)).await,
    };
    let flow = Flow::new(form.next.as_deref())?;
    let (csrf, nonce) = (CsrfToken::new(flow.state()), flow.nonce());
    let (url, _, _) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            move || csrf,
            move || nonce,
        )
        .add_scope(Scope::new("email".to_owned()))
        .set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(
            &flow.verifier(),
        ))
        .url();
    let mut response = Redirect::to(url.as_str()).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        Cookie::SingleSignOn.set_for(
            Some(&flow.cookie()),
            state.config().secure_cookies,
            Some(FLOW_LASTS_SECONDS),
        ),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub(crate) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    /// The provider's refusal (the person cancelled, or may not use the application).
    error: Option<String>,
}

/// `GET /sign-in/oidc/callback`: the provider sends the browser back here with a code. Checks
/// it and signs in, or answers a page saying why not; either way the flow's cookie is deleted.
pub(crate) async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, WebError> {
    let Some(provider) = state.single_sign_on() else {
        return Err(WebError::NotFound);
    };
    let secure = state.config().secure_cookies;
    let flow = Cookie::SingleSignOn
        .read(&headers, secure)
        .map(Flow::from_cookie);
    let mut response = match finish(&state, provider, flow.as_ref(), query).await? {
        Ok(signed_in) => signed_in_response(
            &state,
            &signed_in,
            flow.as_ref().and_then(|f| f.next.as_deref()),
        ),
        Err((refusal, error)) => refuse(&state, refusal, error.as_deref()).await?,
    };
    response
        .headers_mut()
        .append(header::SET_COOKIE, Cookie::SingleSignOn.set(None, secure));
    Ok(response)
}

/// A refusal, with the error behind it for the log.
type Refused = (Refusal, Option<String>);

/// The callback's checks, in order, ending in a session or the first refusal.
async fn finish(
    state: &AppState,
    provider: &Provider,
    flow: Option<&Flow>,
    query: CallbackQuery,
) -> Result<Result<accounts::SignedIn, Refused>, WebError> {
    let Some(flow) = flow else {
        return Ok(Err((Refusal::NoFlow, None)));
    };
    let state_matches = query
        .state
        .as_deref()
        .is_some_and(|given| bool::from(given.as_bytes().ct_eq(flow.state().as_bytes())));
    if !state_matches {
        return Ok(Err((Refusal::WrongState, None)));
    }
    if let Some(error) = query.error {
        // The provider's error code only (its description may name the person), and only when
        // it is a plain code, so that nobody can write their own text into the log.
        let plain = error.len() <= 64 && error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        let error = if plain {
            error
        } else {
            "unrecognised".to_owned()
        };
        return Ok(Err((Refusal::Cancelled, Some(error))));
    }
    let Some(code) = query.code else {
        return Ok(Err((Refusal::WrongState, Some("no code".to_owned()))));
    };
    let (client, http) = match provider.client().await {
        Ok(found) => found,
        Err(error) => return Ok(Err((Refusal::Unavailable, Some(error)))),
    };
    let exchanged = match client.exchange_code(AuthorizationCode::new(code)) {
        Ok(request) => {
            request
                .set_pkce_verifier(flow.verifier())
                .request_async(&http)
                .await
        }
        Err(error) => return Ok(Err((Refusal::Unavailable, Some(error.to_string())))),
    };
    let tokens = match exchanged {
        Ok(tokens) => tokens,
        Err(error) => return Ok(Err((Refusal::Exchange, Some(error_chain(&error))))),
    };
    let Some(id_token) = tokens.id_token() else {
        return Ok(Err((
            Refusal::IdToken("id_token_missing"),
            Some("no ID token".to_owned()),
        )));
    };
    // Expiry by the application's clock, as sessions are.
    let now = state.now();
    let verifier = client.id_token_verifier().set_time_fn(move || now);
    let claims = match id_token.claims(&verifier, &flow.nonce()) {
        Ok(claims) => claims,
        Err(error) => {
            let check = match &error {
                ClaimsVerificationError::Expired(_) => "id_token_expired",
                ClaimsVerificationError::InvalidAudience(_) => "id_token_audience",
                ClaimsVerificationError::InvalidIssuer(_) => "id_token_issuer",
                ClaimsVerificationError::InvalidNonce(_) => "id_token_nonce",
                ClaimsVerificationError::SignatureVerification(_) => "id_token_signature",
                _ => "id_token_invalid",
            };
            return Ok(Err((Refusal::IdToken(check), Some(error_chain(&error)))));
        }
    };
    let verified =
        claims.email_verified() == Some(true) || claims.additional_claims().domain_owner_verified();
    let email = match claims.email() {
        Some(email) if verified => email.as_str(),
        _ => return Ok(Err((Refusal::Unverified, None))),
    };
    if !provider.settings.email_domains.allow(email) {
        return Ok(Err((Refusal::Domain, None)));
    }
    let role = provider.settings.role_from(claims.additional_claims());
    let signed_in = accounts::sign_in_with_provider(
        state.store(),
        email,
        role,
        state.config().sessions,
        state.now(),
    )
    .await?;
    Ok(signed_in.map_err(|refusal| (Refusal::Account(refusal), None)))
}

/// Why a single sign-on ended without a session.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// No cookie: the sign-in was started in another browser, or too long ago.
    NoFlow,
    /// The `state` is not the one this browser's sign-in sent (or there is no code).
    WrongState,
    /// The provider did not sign the person in (they cancelled, or it refused them).
    Cancelled,
    /// The provider's discovery document or keys could not be fetched.
    Unavailable,
    /// The provider would not exchange the code.
    Exchange,
    /// The ID token is missing or failed a check (signature, issuer, audience, expiry or
    /// nonce), named for the audit log.
    IdToken(&'static str),
    /// The provider did not say it verified the email address.
    Unverified,
    /// The address is not at a domain that may sign in this way.
    Domain,
    /// The person has no account that may sign in this way (decided by `tandem-app`, which
    /// audited it).
    Account(ProviderRefusal),
}

impl Refusal {
    fn reason(self) -> &'static str {
        match self {
            Self::NoFlow => "no_flow_cookie",
            Self::WrongState => "state_mismatch",
            Self::Cancelled => "provider_error",
            Self::Unavailable => "provider_unavailable",
            Self::Exchange => "code_exchange_failed",
            Self::IdToken(check) => check,
            Self::Unverified => "email_not_verified",
            Self::Domain => "email_domain",
            Self::Account(refusal) => refusal.as_str(),
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Self::NoFlow | Self::WrongState | Self::Cancelled => StatusCode::BAD_REQUEST,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Exchange => StatusCode::BAD_GATEWAY,
            Self::IdToken(_) | Self::Unverified | Self::Domain | Self::Account(_) => {
                StatusCode::FORBIDDEN
            }
        }
    }

    /// The page's heading and what to do next.
    fn page(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Self::NoFlow => (
                "Your sign-in has expired",
                &[
                    "Signing in with your organisation’s account took too long, or was started \
                     in another browser.",
                    "Start again from the sign-in page.",
                ],
            ),
            Self::WrongState | Self::IdToken(_) | Self::Exchange => (
                "Sorry, there is a problem with your sign-in",
                &[
                    "Your organisation’s sign-in service did not give an answer Tandem can \
                     trust, so you have not been signed in.",
                    "Start again from the sign-in page. If it happens again, tell your IT \
                     service desk.",
                ],
            ),
            Self::Cancelled => (
                "You have not been signed in",
                &[
                    "Your organisation’s sign-in service did not sign you in to Tandem.",
                    "Start again from the sign-in page, or ask your IT service desk for help.",
                ],
            ),
            Self::Unavailable => (
                "Signing in with your organisation’s account is not working",
                &[
                    "Tandem cannot reach your organisation’s sign-in service at the moment.",
                    "Try again later, or sign in with your email address and password if you \
                     have one.",
                ],
            ),
            Self::Unverified => (
                "Your email address has not been confirmed",
                &[
                    "Your organisation’s sign-in service did not confirm your email address, \
                     so Tandem cannot tell which account is yours.",
                    "Ask your IT service desk for help.",
                ],
            ),
            Self::Domain => (
                "You cannot sign in to Tandem this way",
                &[
                    "Accounts from your organisation do not sign in to Tandem with the \
                     organisation’s sign-in service.",
                    "Sign in with your email address and password instead.",
                ],
            ),
            Self::Account(ProviderRefusal::NoAccount) => (
                "You do not have a Tandem account",
                &[
                    "There is no Tandem account for your email address, or it has been \
                     switched off.",
                    "Ask your Tandem administrator to add you or switch your account on.",
                ],
            ),
            Self::Account(ProviderRefusal::External) => (
                "Sign in with your email address and password",
                &[
                    "Your Tandem account is for someone outside the council’s SEND service, \
                     and signs in with its password and authenticator app.",
                    "Go to the sign-in page and enter your email address and password.",
                ],
            ),
            Self::Account(ProviderRefusal::NoGroup) => (
                "You do not have access to Tandem",
                &[
                    "Your organisation’s account is not in any of the groups that give access \
                     to Tandem.",
                    "Ask your Tandem administrator or IT service desk for access.",
                ],
            ),
        }
    }
}

/// Audits the refusal (the account service has already audited its own), logs it with the
/// error behind it (never the person), and answers its page.
async fn refuse(
    state: &AppState,
    refusal: Refusal,
    error: Option<&str>,
) -> Result<Response, WebError> {
    if !matches!(refusal, Refusal::Account(_)) {
        accounts::refuse_single_sign_on(state.store(), refusal.reason(), state.now()).await?;
    }
    match error {
        Some(error) => tracing::warn!(reason = refusal.reason(), error, "single sign-on refused"),
        None => tracing::info!(reason = refusal.reason(), "single sign-on refused"),
    }
    let (title, paragraphs) = refusal.page();
    Ok(html(
        refusal.status(),
        ErrorPage::signed_out(title, paragraphs).render()?,
    ))
}
