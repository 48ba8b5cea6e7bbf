//! The second step of signing in for accounts that use two-factor sign-in: a code from the
//! authenticator app, or a recovery code, and setting the app up the first time.
//!
//! A right password for such an account gives no session. The browser's pre-sign-in cookie is
//! replaced by a new random token naming a pending sign-in in the store (see
//! `tandem_app::accounts::complete_sign_in`); these pages read it from that cookie, and their
//! forms carry the CSRF token derived from it, as the sign-in form's do. Nothing here needs
//! JavaScript: the set-up secret is given as a link for the phone's app, a QR code and text.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::accounts::{
    self, AccountError, HalfSignedIn, SecondFactor, TwoFactorSetup, TwoFactorSignedIn,
};

use crate::Html;
use crate::client::ClientAddress;
use crate::components::{Hint, Input, Label};
use crate::error::{WebError, html};
use crate::pages::forms::FormErrors;
use crate::pages::layout::Layout;
use crate::pages::sign_in::{minutes_until, signed_in_response, with_session};
use crate::session::{Cookie, csrf_token_for, home, local_path};
use crate::state::AppState;

/// Where a person with a code to give goes.
pub(crate) const CODE_PATH: &str = "/sign-in/two-factor";
/// Where a person who has lost their phone goes.
pub(crate) const RECOVERY_PATH: &str = "/sign-in/recovery-code";
/// Where a person who must set two-factor sign-in up goes.
pub(crate) const SET_UP_PATH: &str = "/sign-in/set-up-two-factor";

const EMPTY_CODE: &str = "Enter the 6-digit code from your authenticator app";
const MALFORMED_CODE: &str = "Enter the code as 6 digits, like 123456";
const WRONG_CODE: &str = "The code is not right or has expired. Enter the code your \
                          authenticator app shows now";
const EMPTY_RECOVERY: &str = "Enter one of your recovery codes";
const WRONG_RECOVERY: &str = "The recovery code is not right or has already been used";

/// After a right password: off to give a code (or to set the app up), with the pre-sign-in
/// cookie now naming the pending sign-in.
pub(crate) fn half_signed_in_response(
    state: &AppState,
    half: &HalfSignedIn,
    next: Option<&str>,
) -> Response {
    let path = if half.enrol { SET_UP_PATH } else { CODE_PATH };
    let target = match local_path(next) {
        Some(next) => format!(
            "{path}?{}",
            serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
        ),
        None => path.to_owned(),
    };
    let mut response = Redirect::to(&target).into_response();
    response.headers_mut().insert(
        axum::http::header::SET_COOKIE,
        Cookie::SignIn.set(Some(half.token.as_str()), state.config().secure_cookies),
    );
    response
}

#[derive(Deserialize)]
pub(crate) struct Next {
    next: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
    next: Option<String>,
}

/// Which of the three pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Code,
    RecoveryCode,
    SetUp,
}

impl Step {
    fn path(self) -> &'static str {
        match self {
            Self::Code => CODE_PATH,
            Self::RecoveryCode => RECOVERY_PATH,
            Self::SetUp => SET_UP_PATH,
        }
    }

    fn factor(self, code: &str) -> SecondFactor<'_> {
        match self {
            Self::RecoveryCode => SecondFactor::RecoveryCode(code),
            Self::Code | Self::SetUp => SecondFactor::Code(code),
        }
    }

    /// The message for a code that cannot be right as typed, before anything is checked.
    fn malformed(self, code: &str) -> Option<&'static str> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        match self {
            Self::RecoveryCode if code.is_empty() => Some(EMPTY_RECOVERY),
            Self::RecoveryCode => None,
            _ if code.is_empty() => Some(EMPTY_CODE),
            _ if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) => {
                Some(MALFORMED_CODE)
            }
            _ => None,
        }
    }

    fn wrong(self) -> &'static str {
        match self {
            Self::RecoveryCode => WRONG_RECOVERY,
            Self::Code | Self::SetUp => WRONG_CODE,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/two-factor.html")]
struct CodePage {
    layout: Layout,
    error_summary: Option<Html>,
    recovery: bool,
    action: &'static str,
    code: Html,
    csrf_token: String,
    next: Option<String>,
    /// The other way in: `?next=` kept.
    other: String,
}

#[derive(Template)]
#[template(path = "pages/two-factor-set-up.html")]
struct SetUpPage {
    layout: Layout,
    error_summary: Option<Html>,
    uri: String,
    qr_code: Option<Html>,
    /// The secret in groups of four, easier to read and type.
    secret: String,
    code: Html,
    csrf_token: String,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/two-factor-recovery-codes.html")]
struct RecoveryCodesPage {
    layout: Layout,
    codes: Vec<String>,
    continue_to: String,
}

/// The code input: GOV.UK's pattern for security codes (numeric keyboard on phones, the code
/// offered from a text message or app by the browser), or a plain text input for a recovery code.
fn code_input(step: Step, errors: &FormErrors) -> askama::Result<Html> {
    let (label, hint, numeric) = match step {
        Step::RecoveryCode => (
            "Recovery code",
            "One of the recovery codes you were given when you set up two-factor sign-in, \
             like 1a2b-3c4d-5e6f",
            false,
        ),
        Step::Code | Step::SetUp => (
            "Code from your authenticator app",
            "The 6-digit code, like 123456",
            true,
        ),
    };
    Html::render(&Input {
        id: Some("code".into()),
        name: "code".into(),
        input_type: Some("text".into()),
        inputmode: numeric.then(|| "numeric".into()),
        label: Some(Label {
            text: Some(label.into()),
            classes: Some("govuk-label--s".into()),
            ..Label::default()
        }),
        hint: Some(Hint {
            text: Some(hint.into()),
            ..Hint::default()
        }),
        error_message: errors.message("code"),
        autocomplete: Some(if numeric { "one-time-code" } else { "off" }.into()),
        spellcheck: Some(false),
        autocapitalize: (!numeric).then(|| "none".into()),
        classes: Some(
            if numeric {
                "govuk-input--width-5"
            } else {
                "govuk-input--width-20"
            }
            .into(),
        ),
        ..Input::default()
    })
}

/// The set-up QR code as inline SVG, hidden from screen readers: the link and the text key
/// beside it say the same.
fn qr_code(uri: &str) -> Option<Html> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg")?;
    let svg = svg[start..].replacen(
        "<svg ",
        "<svg class=\"tandem-qr-code\" aria-hidden=\"true\" focusable=\"false\" ",
        1,
    );
    Some(Html::trusted(svg))
}

fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The pending sign-in's token from the pre-sign-in cookie, and which page it belongs on; or
/// the way back to signing in.
async fn pending(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Result<(String, Step), Response>, WebError> {
    let back = || Redirect::to("/sign-in").into_response();
    let Some(token) = Cookie::SignIn.read(headers, state.config().secure_cookies) else {
        return Ok(Err(back()));
    };
    let Some(found) = accounts::pending_sign_in(state.store(), token, state.now()).await? else {
        return Ok(Err(back()));
    };
    let step = if found.enrol { Step::SetUp } else { Step::Code };
    Ok(Ok((token.to_owned(), step)))
}

/// The page for `step`, with `errors` if there are any.
async fn page(
    state: &AppState,
    token: &str,
    step: Step,
    next: Option<&str>,
    errors: &FormErrors,
) -> Result<Response, WebError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let next = local_path(next).map(str::to_owned);
    let csrf_token = csrf_token_for(token);
    let code = code_input(step, errors)?;
    let error_summary = errors.summary()?;
    let body = if step == Step::SetUp {
        let TwoFactorSetup { secret, uri } =
            accounts::two_factor_setup(state.store(), token, state.now()).await?;
        SetUpPage {
            layout: Layout::bare("Set up two-factor sign-in").with_errors(!errors.is_empty()),
            error_summary,
            qr_code: qr_code(&uri),
            uri,
            secret: grouped(&secret),
            code,
            csrf_token,
            next,
        }
        .render()?
    } else {
        let recovery = step == Step::RecoveryCode;
        let other_path = if recovery { CODE_PATH } else { RECOVERY_PATH };
        let other = match &next {
            Some(next) => format!(
                "{other_path}?{}",
                serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
            ),
            None => other_path.to_owned(),
        };
        let title = if recovery {
            "Enter a recovery code"
        } else {
            "Enter the code from your authenticator app"
        };
        CodePage {
            layout: Layout::bare(title).with_errors(!errors.is_empty()),
            error_summary,
            recovery,
            action: step.path(),
            code,
            csrf_token,
            next,
            other,
        }
        .render()?
    };
    Ok(html(status, body))
}

async fn show(state: &AppState, headers: &HeaderMap, want: Step, next: Option<&str>) -> Response {
    let result = async {
        let (token, step) = match pending(state, headers).await? {
            Ok(found) => found,
            Err(back) => return Ok(back),
        };
        // A recovery code stands in for the app's code, never for setting the app up.
        let step = if want == Step::RecoveryCode && step == Step::Code {
            want
        } else {
            step
        };
        if step != want {
            return Ok(Redirect::to(step.path()).into_response());
        }
        page(state, &token, step, next, &FormErrors::default()).await
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}

async fn submit(
    state: &AppState,
    headers: &HeaderMap,
    client: &str,
    want: Step,
    form: CodeForm,
) -> Result<Response, WebError> {
    let (token, step) = match pending(state, headers).await? {
        Ok(found) => found,
        Err(back) => return Ok(back),
    };
    let allowed = step == want || (step == Step::Code && want == Step::RecoveryCode);
    if !allowed {
        return Ok(Redirect::to(step.path()).into_response());
    }
    let next = form.next.as_deref();
    if let Some(message) = want.malformed(&form.code) {
        return page(state, &token, want, next, &FormErrors::one("code", message)).await;
    }
    let config = state.config();
    let result = accounts::complete_sign_in(
        state.store(),
        &token,
        want.factor(&form.code),
        client,
        config.sessions,
        config.sign_in_limit,
        state.now(),
    )
    .await;
    match result {
        Ok(TwoFactorSignedIn {
            signed_in,
            recovery_codes,
        }) if recovery_codes.is_empty() => Ok(signed_in_response(state, &signed_in, next)),
        Ok(TwoFactorSignedIn {
            signed_in,
            recovery_codes,
        }) => {
            // Shown once, in the answer to the form: never stored, never in an address.
            let continue_to = local_path(next)
                .unwrap_or(home(&signed_in.user.actor()))
                .to_owned();
            let body = RecoveryCodesPage {
                layout: Layout::bare("Two-factor sign-in is set up"),
                codes: recovery_codes,
                continue_to,
            }
            .render()?;
            Ok(with_session(state, &signed_in, html(StatusCode::OK, body)))
        }
        Err(AccountError::WrongCode) => {
            page(
                state,
                &token,
                want,
                next,
                &FormErrors::one("code", want.wrong()),
            )
            .await
        }
        Err(AccountError::RateLimited { until }) => {
            let message = format!(
                "There have been too many attempts to sign in. Wait {} and try again, \
                 or ask your administrator to lift the lock",
                minutes_until(until, state.now())
            );
            let mut response =
                page(state, &token, want, next, &FormErrors::one("code", message)).await?;
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            Ok(response)
        }
        Err(AccountError::SignInExpired) => Ok(Redirect::to("/sign-in").into_response()),
        Err(other) => Err(other.into()),
    }
}

/// `GET /sign-in/two-factor`.
pub(crate) async fn show_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Next>,
) -> Response {
    show(&state, &headers, Step::Code, query.next.as_deref()).await
}

/// `POST /sign-in/two-factor`.
pub(crate) async fn submit_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddress(client): ClientAddress,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    submit(&state, &headers, &client, Step::Code, form).await
}

/// `GET /sign-in/recovery-code`.
pub(crate) async fn show_recovery(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Next>,
) -> Response {
    show(&state, &headers, Step::RecoveryCode, query.next.as_deref()).await
}

/// `POST /sign-in/recovery-code`.
pub(crate) async fn submit_recovery(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddress(client): ClientAddress,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    submit(&state, &headers, &client, Step::RecoveryCode, form).await
}

/// `GET /sign-in/set-up-two-factor`.
pub(crate) async fn show_set_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Next>,
) -> Response {
    show(&state, &headers, Step::SetUp, query.next.as_deref()).await
}

/// `POST /sign-in/set-up-two-factor`.
pub(crate) async fn submit_set_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddress(client): ClientAddress,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    submit(&state, &headers, &client, Step::SetUp, form).await
}
