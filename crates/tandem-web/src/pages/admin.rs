//! Account administration: list, create, change role, disable or enable, sign out everywhere.
//! Every action goes through `tandem_app::accounts`, which checks the permission and audits.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::accounts::UserRecord;
use tandem_app::accounts::{self, AccountError, NewAccount};
use tandem_app::services::{FieldError, Source};
use tandem_core::{Action, Reference, Role, UserId, dates};

use crate::Html;
use crate::components::Select;
use crate::error::{WebError, html};
use crate::pages::forms::{FormErrors, TextField, listed_select};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

const SECTION: &str = "/admin/users";

#[derive(Template)]
#[template(path = "pages/admin-users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRecord>,
}

/// `GET /admin/users`.
pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let users = accounts::list_accounts(state.store(), &user.actor()).await?;
    let page = UsersPage {
        layout: Layout::signed_in(&user, "Accounts", SECTION),
        users,
    };
    Ok(html(StatusCode::OK, page.render()?))
}

#[derive(Template)]
#[template(path = "pages/admin-notifications.html")]
struct NotificationsPage {
    layout: Layout,
    sent: u64,
    unsent: Vec<UnsentLine>,
}

/// One email not sent yet, as the administrator's table shows it.
struct UnsentLine {
    kind: &'static str,
    email: String,
    failed: bool,
    attempts: u32,
    next_attempt: String,
    last_error: Option<String>,
    queued: String,
}

/// A moment as people in England read it: "5 December 2026, 07:00".
fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "{}, {}",
        dates::long(dates::england_date(at)),
        dates::england_time(at)
    )
}

/// `GET /admin/notifications`: emails waiting to be sent or tried again, and why the last
/// attempt failed, so that an administrator sees a mail server problem; never their text.
pub(crate) async fn notifications(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let outbox = state.services().outbox(&user.caller(Source::Form)).await?;
    let page = NotificationsPage {
        layout: Layout::signed_in(&user, "Notifications", SECTION),
        sent: outbox.sent,
        unsent: outbox
            .unsent
            .into_iter()
            .map(|n| UnsentLine {
                kind: n.kind.label(),
                email: n.email,
                failed: n.status == "failed",
                attempts: n.attempts,
                next_attempt: when(n.next_attempt_at),
                last_error: n.last_error,
                queued: when(n.created_at),
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, page.render()?))
}

/// What the new-account form sends.
#[derive(Deserialize, Default)]
pub(crate) struct NewAccountForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    password: String,
    /// The child's case reference, for a parent invited by email.
    #[serde(default)]
    case: String,
}

impl NewAccountForm {
    fn account(&self, role: Role) -> NewAccount {
        NewAccount {
            email: self.email.clone(),
            name: self.name.clone(),
            role,
            team: Some(self.team.clone()),
            provider: Some(self.provider.clone()),
            password: self.password.clone(),
        }
    }
}

/// Whether the form makes an account with a password now, or invites the person by email.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Making {
    Account,
    Invitation,
}

#[derive(Template)]
#[template(path = "pages/admin-new-user.html")]
struct NewUserPage {
    layout: Layout,
    error_summary: Option<Html>,
    fields: Vec<Html>,
    csrf_token: String,
    action: &'static str,
    button: &'static str,
}

fn new_user_page(
    user: &CurrentUser,
    form: &NewAccountForm,
    making: Making,
    errors: &FormErrors,
    teams: &[String],
) -> Result<NewUserPage, WebError> {
    let text = |name, label, kind, value: &str| {
        TextField {
            name,
            label,
            kind,
            autocomplete: "off",
            value: Some(value).filter(|v| !v.is_empty()),
            classes: None,
        }
        .render(errors)
    };
    let fields = vec![
        text("name", "Full name", "text", &form.name)?,
        text("email", "Email address", "email", &form.email)?,
        role_select(Some(&form.role), errors)?,
        team_select(teams, &form.team, errors)?,
        text(
            "provider",
            "Service, for a professional or setting (optional)",
            "text",
            &form.provider,
        )?,
        match making {
            // Never echoed back: a form shown again asks for the password again.
            Making::Account => TextField {
                name: "password",
                label: "Password",
                kind: "password",
                autocomplete: "new-password",
                value: None,
                classes: None,
            }
            .render(errors)?,
            Making::Invitation => text(
                "case",
                "Case reference, for a parent or carer (optional)",
                "text",
                &form.case,
            )?,
        },
    ];
    let (title, action, button) = match making {
        Making::Account => ("Create an account", "/admin/users/new", "Create account"),
        Making::Invitation => ("Invite someone", "/invitations/new", "Send invitation"),
    };
    Ok(NewUserPage {
        layout: Layout::signed_in(user, title, SECTION).with_errors(!errors.is_empty()),
        error_summary: errors.summary()?,
        fields,
        csrf_token: user.csrf_token(),
        action,
        button,
    })
}

/// The role chooser, with the current choice selected.
fn role_select(selected: Option<&str>, errors: &FormErrors) -> askama::Result<Html> {
    let roles = Role::ALL
        .iter()
        .map(|role| (role.as_str().to_owned(), role.label().to_owned()));
    Html::render(&listed_select(
        "role",
        "Role",
        "Choose a role",
        roles,
        selected.map(str::to_owned),
        errors,
    ))
}

/// The service's teams (the managed list on `/admin/teams`).
fn team_select(teams: &[String], selected: &str, errors: &FormErrors) -> askama::Result<Html> {
    let teams = teams.iter().map(|t| (t.clone(), t.clone()));
    let selected = Some(selected).filter(|t| !t.is_empty());
    Html::render(&listed_select(
        "team",
        "Team (optional)",
        "No team",
        teams,
        selected.map(str::to_owned),
        errors,
    ))
}

/// Whom a disabled account's cases may go to: active case managers and team managers.
fn hand_to_select(
    people: &[UserRecord],
    leaving: UserId,
    errors: &FormErrors,
) -> askama::Result<Html> {
    let people = people
        .iter()
        .filter(|p| {
            p.id != leaving
                && !p.disabled
                && matches!(p.role, Role::CaseManager | Role::TeamManager)
        })
        .map(|p| (p.id.to_string(), format!("{} ({})", p.name, p.role.label())));
    let prompt = "Nobody yet: a team manager reassigns them";
    Html::render(&Select {
        // Names can be long: the list takes the column's width, never more.
        classes: Some("govuk-!-width-full".into()),
        ..listed_select(
            "hand_to",
            "Give their cases to",
            prompt,
            people,
            None,
            errors,
        )
    })
}

fn require_manager(user: &CurrentUser) -> Result<(), WebError> {
    if user.can(Action::ManageAccounts) {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

/// `GET /admin/users/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    require_manager(&user)?;
    let page = new_user_page(
        &user,
        &NewAccountForm::default(),
        Making::Account,
        &FormErrors::default(),
        &state.store().team_names().await?,
    )?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /admin/users/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewAccountForm>,
) -> Result<Response, WebError> {
    require_manager(&user)?;
    let result = match Role::parse(&form.role) {
        Some(role) => {
            accounts::create_account(
                state.store(),
                Some(&user.actor()),
                form.account(role),
                state.now(),
            )
            .await
        }
        None => Err(choose_a_role()),
    };
    made(
        &state,
        &user,
        &form,
        Making::Account,
        result,
        "/admin/users",
    )
    .await
}

fn choose_a_role() -> AccountError {
    AccountError::Invalid(vec![FieldError::new("role", "Choose a role")])
}

/// Off to the new account (or, for a case manager's invitation, their caseload), or the form
/// again with what to put right.
async fn made(
    state: &AppState,
    user: &CurrentUser,
    form: &NewAccountForm,
    making: Making,
    result: Result<UserId, AccountError>,
    done_at: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(id) if user.can(Action::ManageAccounts) => {
            let done = match making {
                Making::Account => "created",
                Making::Invitation => "invited",
            };
            Ok(Redirect::to(&format!("/admin/users/{id}?done={done}")).into_response())
        }
        Ok(_) => Ok(Redirect::to(done_at).into_response()),
        Err(AccountError::Invalid(errors)) => {
            let teams = state.store().team_names().await?;
            let page = new_user_page(user, form, making, &FormErrors::new(errors), &teams)?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

/// Administrators and case managers invite (the service decides whom).
fn require_inviter(user: &CurrentUser) -> Result<(), WebError> {
    if user.can(Action::ManageAccounts) || user.actor().role == Role::CaseManager {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

#[derive(Deserialize)]
pub(crate) struct InviteQuery {
    case: Option<String>,
}

/// `GET /invitations/new`: invite someone by email; `?case=REF` (the case page's link) invites
/// a parent or carer to that case.
pub(crate) async fn invite_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<InviteQuery>,
) -> Result<Response, WebError> {
    require_inviter(&user)?;
    let form = match query.case {
        Some(case) => NewAccountForm {
            case,
            role: Role::Parent.as_str().to_owned(),
            ..NewAccountForm::default()
        },
        None => NewAccountForm::default(),
    };
    let teams = state.store().team_names().await?;
    let page = new_user_page(
        &user,
        &form,
        Making::Invitation,
        &FormErrors::default(),
        &teams,
    )?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /invitations/new`.
pub(crate) async fn invite(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewAccountForm>,
) -> Result<Response, WebError> {
    require_inviter(&user)?;
    let case = form.case.trim();
    let result = match (Role::parse(&form.role), case) {
        (None, _) => Err(choose_a_role()),
        (Some(role), "") => invite_to(&state, &user, &form, role, None).await,
        (Some(role), case) => match Reference::parse(case) {
            Ok(reference) => invite_to(&state, &user, &form, role, Some(&reference)).await,
            Err(_) => Err(AccountError::Invalid(vec![FieldError::new(
                "case",
                format!("There is no case with the reference {case}"),
            )])),
        },
    };
    let done_at = match case {
        "" => "/cases".to_owned(),
        case => format!("/cases/{case}?done=invited"),
    };
    made(&state, &user, &form, Making::Invitation, result, &done_at).await
}

async fn invite_to(
    state: &AppState,
    user: &CurrentUser,
    form: &NewAccountForm,
    role: Role,
    case: Option<&Reference>,
) -> Result<UserId, AccountError> {
    accounts::invite(
        state.store(),
        &user.actor(),
        form.account(role),
        case,
        &state.config().invite_policy(),
        state.now(),
    )
    .await
}

/// What the account page's success banner says after each action.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Done {
    Created,
    Invited,
    Role,
    Disabled,
    Enabled,
    SignedOut,
    Unlocked,
    Reinvited,
    InvitationWithdrawn,
    TwoFactorReset,
    Details,
    HandedOver,
}

impl Done {
    fn message(self) -> &'static str {
        match self {
            Self::Created => "Account created",
            Self::Invited => "Invitation sent: the account works once its password is set",
            Self::Role => "Role changed",
            Self::Disabled => "Account disabled and signed out everywhere",
            Self::Enabled => "Account enabled",
            Self::SignedOut => "Signed out everywhere",
            Self::Unlocked => "Sign-in lock lifted: failed attempts forgotten",
            Self::Reinvited => "New invitation sent: earlier links no longer work",
            Self::Details => "Name and email address saved",
            Self::HandedOver => {
                "Account disabled and signed out everywhere; its cases were handed over"
            }
            Self::InvitationWithdrawn => "Invitation withdrawn: its link no longer works",
            Self::TwoFactorReset => {
                "Two-factor sign-in reset and signed out everywhere: it is set up again at the \
                 next sign-in"
            }
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<Done>,
}

#[derive(Template)]
#[template(path = "pages/admin-user.html")]
struct UserPage {
    layout: Layout,
    account: UserRecord,
    /// Its invitation and two-factor sign-in.
    sign_in: accounts::SignInSettings,
    /// What the invitation's state is, in words, if the account was invited.
    invitation: Option<String>,
    /// Whether its invitation link works now.
    invitation_open: bool,
    /// Administrators cannot change their own role or disable themselves.
    is_self: bool,
    done: Option<&'static str>,
    error_summary: Option<Html>,
    role_select: Html,
    team: Html,
    name_field: Html,
    email_field: Html,
    /// How many cases are assigned to the account, and whom they may be handed to on disabling.
    cases_held: usize,
    hand_to: Option<Html>,
    csrf_token: String,
}

async fn user_page(
    state: &AppState,
    user: &CurrentUser,
    id: UserId,
    done: Option<Done>,
    errors: &FormErrors,
) -> Result<UserPage, WebError> {
    user_page_with(state, user, id, done, errors, None).await
}

/// The account's page; `typed` keeps the name and email as typed when they are shown again with
/// what to correct.
async fn user_page_with(
    state: &AppState,
    user: &CurrentUser,
    id: UserId,
    done: Option<Done>,
    errors: &FormErrors,
    typed: Option<&DetailsForm>,
) -> Result<UserPage, WebError> {
    let account = accounts::account(state.store(), &user.actor(), id).await?;
    let sign_in = accounts::sign_in_settings(state.store(), &user.actor(), id).await?;
    let now = state.now();
    let day = |at: chrono::DateTime<chrono::Utc>| dates::long(dates::england_date(at));
    let invitation = sign_in.invitation.as_ref().map(|i| match i.used_at {
        Some(at) => format!("Accepted on {}", day(at)),
        None if i.open_at(now) => format!(
            "Sent on {}; the link works until {}",
            day(i.created_at),
            day(i.expires_at)
        ),
        None => format!(
            "Sent on {}; the link stopped working on {}",
            day(i.created_at),
            day(i.expires_at)
        ),
    });
    let invitation_open = sign_in.invitation.as_ref().is_some_and(|i| i.open_at(now));
    let cases_held = accounts::cases_held(state.store(), &user.actor(), id, now).await?;
    let hand_to = if cases_held > 0 && !account.disabled {
        let people = accounts::list_accounts(state.store(), &user.actor()).await?;
        Some(hand_to_select(&people, id, errors)?)
    } else {
        None
    };
    Ok(UserPage {
        cases_held,
        hand_to,
        sign_in,
        invitation,
        invitation_open,
        layout: Layout::signed_in(user, account.name.clone(), SECTION)
            .with_errors(!errors.is_empty()),
        is_self: account.id == user.user.id,
        done: done.map(Done::message),
        error_summary: errors.summary()?,
        role_select: role_select(Some(account.role.as_str()), errors)?,
        team: team_select(
            &state.store().team_names().await?,
            account.team.as_deref().unwrap_or_default(),
            errors,
        )?,
        name_field: TextField {
            name: "name",
            label: "Full name",
            kind: "text",
            autocomplete: "off",
            value: Some(typed.map_or(account.name.as_str(), |t| t.name.as_str())),
            classes: None,
        }
        .render(errors)?,
        email_field: TextField {
            name: "email",
            label: "Email address",
            kind: "email",
            autocomplete: "off",
            value: Some(typed.map_or(account.email.as_str(), |t| t.email.as_str())),
            classes: None,
        }
        .render(errors)?,
        csrf_token: user.csrf_token(),
        account,
    })
}

#[derive(Deserialize)]
pub(crate) struct DetailsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

/// `POST /admin/users/{id}/details`: corrects the account's name and email address.
pub(crate) async fn change_details(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<UserId>,
    Form(form): Form<DetailsForm>,
) -> Result<Response, WebError> {
    let result = accounts::set_name_and_email(
        state.store(),
        &user.actor(),
        id,
        &form.name,
        &form.email,
        state.now(),
    )
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}?done=details")).into_response()),
        Err(AccountError::Invalid(errors)) => {
            let errors = FormErrors::new(errors);
            let page = user_page_with(&state, &user, id, None, &errors, Some(&form)).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /admin/users/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<UserId>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let page = user_page(&state, &user, id, query.done, &FormErrors::default()).await?;
    Ok(html(StatusCode::OK, page.render()?))
}

#[derive(Deserialize)]
pub(crate) struct RoleForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    team: String,
}

/// `POST /admin/users/{id}/role`.
pub(crate) async fn change_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<UserId>,
    Form(form): Form<RoleForm>,
) -> Result<Response, WebError> {
    let result = match Role::parse(&form.role) {
        Some(role) => {
            accounts::set_role(
                state.store(),
                &user.actor(),
                id,
                role,
                Some(&form.team),
                state.now(),
            )
            .await
        }
        None => Err(AccountError::Invalid(vec![FieldError::new(
            "role",
            "Choose a role",
        )])),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}?done=role")).into_response()),
        Err(AccountError::Invalid(errors)) => {
            let page = user_page(&state, &user, id, None, &FormErrors::new(errors)).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub(crate) struct DisableForm {
    #[serde(default)]
    hand_to: String,
}

/// `POST /admin/users/{id}/disable`: disables the account, handing its cases to the person
/// chosen, if any.
pub(crate) async fn disable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<UserId>,
    Form(form): Form<DisableForm>,
) -> Result<Response, WebError> {
    let hand_to = match form.hand_to.trim() {
        "" => Ok(None),
        text => text.parse::<UserId>().map(Some).map_err(|_| {
            AccountError::Invalid(vec![FieldError::new(
                "hand_to",
                "Choose a case manager or team manager whose account is active",
            )])
        }),
    };
    let result = match hand_to {
        Ok(hand_to) => {
            accounts::disable_and_hand_over(state.store(), &user.actor(), id, hand_to, state.now())
                .await
        }
        Err(refused) => Err(refused),
    };
    match result {
        Ok(0) => Ok(Redirect::to(&format!("/admin/users/{id}?done=disabled")).into_response()),
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}?done=handed_over")).into_response()),
        Err(AccountError::Invalid(errors)) => {
            let page = user_page(&state, &user, id, None, &FormErrors::new(errors)).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/users/{id}/enable`.
pub(crate) async fn enable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<Response, WebError> {
    accounts::set_account_disabled(state.store(), &user.actor(), id, false, state.now()).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?done=enabled")).into_response())
}

/// `POST /admin/users/{id}/sign-out-everywhere`.
pub(crate) async fn sign_out_everywhere(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<Response, WebError> {
    require_manager(&user)?;
    accounts::sign_out_everywhere(state.store(), &user.actor(), id, state.now()).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?done=signed_out")).into_response())
}

/// `POST /admin/users/{id}/lift-sign-in-lock`: forgets the account's failed sign-ins, from
/// every client address, so that its owner can sign in at once.
pub(crate) async fn lift_sign_in_lock(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<Response, WebError> {
    require_manager(&user)?;
    accounts::lift_sign_in_lock(state.store(), &user.actor(), id, state.now()).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?done=unlocked")).into_response())
}

/// `POST /admin/users/{id}/reinvite`: a new invitation for someone who has not joined yet.
pub(crate) async fn reinvite(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<Response, WebError> {
    let policy = state.config().invite_policy();
    let result = accounts::reinvite(state.store(), &user.actor(), id, &policy, state.now()).await;
    after_invitation_change(&state, &user, id, result, "reinvited").await
}

/// `POST /admin/users/{id}/withdraw-invitation`.
pub(crate) async fn withdraw_invitation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<Response, WebError> {
    let result = accounts::withdraw_invitation(state.store(), &user.actor(), id, state.now()).await;
    after_invitation_change(&state, &user, id, result, "invitation_withdrawn").await
}

/// Back to the account with `done`, or the account page again with what was refused.
async fn after_invitation_change(
    state: &AppState,
    user: &CurrentUser,
    id: UserId,
    result: Result<(), AccountError>,
    done: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}?done={done}")).into_response()),
        Err(AccountError::Invalid(errors)) => {
            let page = user_page(state, user, id, None, &FormErrors::new(errors)).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/users/{id}/reset-two-factor`: for a lost phone with its recovery codes.
pub(crate) async fn reset_two_factor(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<Response, WebError> {
    accounts::reset_two_factor(state.store(), &user.actor(), id, state.now()).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?done=two_factor_reset")).into_response())
}
