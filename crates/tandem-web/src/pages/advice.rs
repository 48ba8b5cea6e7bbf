//! The work of a service asked for advice: its tray of open requests, and the standard advice
//! form for each, saved as a draft as often as wanted and submitted once.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::services::{
    AdviceRequestView, AdviceSaved, CasePageReads, DraftState, ServiceError, Source, TrayItem,
};
use tandem_core::access::provider_key;
use tandem_core::advice::{AdviceForm, FormLabels, MAX_PROVISION, Provision};
use tandem_core::caseload::{RagStatus, describe_days_left};
use tandem_core::{Date, Reference, Status, dates};

use crate::Html;
use crate::components::{Fieldset, Input, InsetText, Label, Legend};
use crate::error::{WebError, html};
use crate::pages::case::{case_child_name, send_message_action};
use crate::pages::case_fields::Values;
use crate::pages::caseload::child_name;
use crate::pages::forms::{
    FormErrors, FormPage, back_link, button, capitalised, reference, textarea,
};
use crate::pages::layout::Layout;
use crate::pages::messages::MessageLine;
use crate::session::CurrentUser;
use crate::state::AppState;

/// The tray's address, and the navigation section of every page here.
pub(crate) const SECTION: &str = "/advice";

/// A request's address: `advice:health:2` is answered at `/advice/EHC-1/health:2`.
fn form_address(reference: &Reference, request_key: &str) -> String {
    let part = request_key.strip_prefix("advice:").unwrap_or(request_key);
    format!("{SECTION}/{reference}/{part}")
}

/// One request as the tray shows it.
struct TrayCard {
    child: String,
    advice: &'static str,
    reference: String,
    requested: String,
    due: String,
    days_left: String,
    tag_class: &'static str,
    draft: &'static str,
    action: &'static str,
    href: String,
}

impl TrayCard {
    fn of(item: &TrayItem, today: Date) -> Self {
        let rag = item.due.map(|due| RagStatus::of(due, today));
        let tag_class = match rag {
            Some(RagStatus::Overdue) => "govuk-tag--red",
            Some(RagStatus::DueSoon) => "govuk-tag--yellow",
            Some(RagStatus::OnTrack) => "govuk-tag--green",
            None => "govuk-tag--grey",
        };
        let (draft, action) = match item.draft {
            DraftState::NotStarted => ("Not started", "Write advice"),
            DraftState::Draft => ("Draft saved, not yet submitted", "Continue advice"),
        };
        Self {
            child: child_name(item.given_name.as_deref(), item.family_name.as_deref()),
            advice: item.advice.label(),
            reference: item.reference.to_string(),
            requested: dates::long(item.requested),
            due: item.due.map_or_else(|| "No date".to_owned(), dates::long),
            days_left: item.due.map_or_else(
                || "No due date".to_owned(),
                |d| describe_days_left(d, today),
            ),
            tag_class,
            draft,
            action,
            href: form_address(&item.reference, &item.request_key),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/advice-tray.html")]
struct TrayPage {
    layout: Layout,
    done: Option<&'static str>,
    service: Option<String>,
    items: Vec<TrayCard>,
}

#[derive(Deserialize)]
pub(crate) struct TrayParams {
    done: Option<String>,
}

/// `GET /advice`: the requests waiting for the signed-in professional's service.
pub(crate) async fn tray(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<TrayParams>,
) -> Result<Response, WebError> {
    let items = state
        .services()
        .work_tray(&user.caller(Source::Form))
        .await?;
    let today = state.today();
    let page = TrayPage {
        layout: Layout::signed_in(&user, "Advice requests", SECTION),
        done: (params.done.as_deref() == Some("submitted"))
            .then_some("Your advice was submitted and recorded on the case"),
        // A service's name as people write it, from its stored key ("community paediatrics").
        service: user.user.provider.as_deref().map(capitalised),
        items: items.iter().map(|i| TrayCard::of(i, today)).collect(),
    };
    Ok(html(StatusCode::OK, page.render()?))
}

/// The form as typed, with how many provision rows to show.
struct Typed {
    form: AdviceForm,
    rows: usize,
    version: i64,
}

impl Typed {
    /// The saved draft (or a blank form), with one spare provision row.
    fn saved(view: &AdviceRequestView) -> Self {
        let (form, version) = view
            .response
            .as_ref()
            .map_or_else(Default::default, |r| (r.form.clone(), r.version));
        let rows = form.provision.len() + 1;
        Self {
            form,
            rows,
            version,
        }
    }

    /// What the form sent: every provision row, blank ones kept so the page shows them again.
    fn sent(values: &Values) -> Self {
        let text = |name: &str| values.get(name).cloned().unwrap_or_default();
        let provision: Vec<Provision> = (1..=MAX_PROVISION + 1)
            .take_while(|n| values.contains_key(&format!("provision-{n}-what")))
            .map(|n| Provision {
                what: text(&format!("provision-{n}-what")),
                who: text(&format!("provision-{n}-who")),
                how_often: text(&format!("provision-{n}-how_often")),
                how_long: text(&format!("provision-{n}-how_long")),
            })
            .collect();
        let rows = provision.len().max(1);
        Self {
            form: AdviceForm {
                needs: text("needs"),
                outcomes: text("outcomes"),
                provision,
                consulted: text("consulted"),
            },
            rows,
            version: text("version").parse().unwrap_or(-1),
        }
    }
}

/// Provision row `n` (from 1): what, who, how often and how long, grouped under one legend.
fn provision_row(n: usize, row: &Provision, errors: &FormErrors) -> askama::Result<Html> {
    let input = |part: &str, label: &str, value: &str| {
        let name = format!("provision-{n}-{part}");
        Html::render(&Input {
            id: Some(name.clone()),
            error_message: errors.message(&name),
            name,
            input_type: Some("text".into()),
            value: Some(value.to_owned()).filter(|v| !v.is_empty()),
            label: Some(Label {
                text: Some(label.to_owned()),
                ..Label::default()
            }),
            ..Input::default()
        })
    };
    let inner = [
        input("what", "What is to be provided", &row.what)?,
        input(
            "who",
            "Who will provide it (role or qualification)",
            &row.who,
        )?,
        input("how_often", "How often", &row.how_often)?,
        input(
            "how_long",
            "For how long each time, and over what period",
            &row.how_long,
        )?,
    ]
    .iter()
    .map(Html::as_str)
    .collect::<String>();
    Html::render(&Fieldset {
        legend: Some(Legend {
            text: Some(format!("Provision {n}")),
            classes: Some("govuk-fieldset__legend--s".into()),
            ..Legend::default()
        }),
        html: Some(Html::trusted(inner)),
        ..Fieldset::default()
    })
}

fn form_page(
    user: &CurrentUser,
    today: Date,
    view: &AdviceRequestView,
    typed: &Typed,
    errors: &FormErrors,
    notices: Vec<Html>,
) -> Result<FormPage, WebError> {
    let reference = &view.case.record.reference;
    let advice = view.request.advice.ok_or(WebError::NotFound)?;
    let labels = FormLabels::for_kind(advice);
    let child = case_child_name(&view.case.case_file());
    let born = view
        .case
        .child
        .date_of_birth
        .map_or_else(String::new, |d| format!(" (born {})", dates::long(d)));
    let due = view.request.due.map_or_else(String::new, |d| {
        format!(
            " It is due by {} ({}).",
            dates::long(d),
            describe_days_left(d, today).to_lowercase()
        )
    });
    let text = if labels.strict {
        format!(
            "{} for {child}{born}, asked of your service on {}.{due} Write for the family as well \
             as for professionals: they will read it. Provision you recommend goes to section {} of \
             the plan, so say exactly what, who, how often and for how long.",
            advice.label(),
            dates::long(view.request.start),
            labels.provision_section,
        )
    } else {
        format!(
            "The council asked for your views about {child} on {}.{due} Write in your own words: \
             there are no right or wrong answers, and only the first question must be answered. \
             Your views go into the plan, beside the professionals’ advice.",
            dates::long(view.request.start),
        )
    };
    let intro = Html::render(&InsetText {
        text: Some(text),
        ..InsetText::default()
    })?;
    let mut intro = vec![intro];
    // Services may attach a report (their own, or one they were sent) beside the form.
    if user.user.role.gives_advice() {
        let part = form_address(reference, &view.request.key);
        let part = part.rsplit('/').next().unwrap_or_default();
        intro.push(Html::trusted(format!(
            "<p class=\"govuk-body\">You can attach a report as well as, or instead of, \
             writing here: <a class=\"govuk-link\" href=\"/cases/{reference}/documents/new?advice={part}\">\
             attach a report to this case</a>. Save your draft first: attaching opens another page.</p>"
        )));
    }
    let (home, home_text, section) = return_to(user, reference);
    let mut fields = vec![textarea(
        "needs",
        labels.needs,
        labels.needs_hint,
        &typed.form.needs,
        errors,
    )?];
    fields.push(textarea(
        "outcomes",
        labels.outcomes,
        labels.outcomes_hint,
        &typed.form.outcomes,
        errors,
    )?);
    let blank = Provision::default();
    for n in 1..=typed.rows.min(MAX_PROVISION) {
        let row = typed.form.provision.get(n - 1).unwrap_or(&blank);
        fields.push(provision_row(n, row, errors)?);
    }
    fields.push(textarea(
        "consulted",
        labels.consulted,
        labels.consulted_hint,
        &typed.form.consulted,
        errors,
    )?);
    let mut buttons = vec![button("Submit advice", Some("submit"), None)?];
    buttons.push(button(
        "Save as draft",
        Some("save"),
        Some("govuk-button--secondary"),
    )?);
    if typed.rows < MAX_PROVISION {
        buttons.push(button(
            "Add another provision",
            Some("add"),
            Some("govuk-button--secondary"),
        )?);
    }
    Ok(FormPage {
        layout: Layout::signed_in(user, format!("{} for {child}", advice.label()), section)
            .with_errors(!errors.is_empty()),
        back_link: back_link(&home, home_text)?,
        caption: format!("Case {reference}"),
        heading: format!("{}: {child}", advice.label()),
        error_summary: errors.summary()?,
        notices,
        intro,
        action: form_address(reference, &view.request.key),
        csrf_token: user.csrf_token(),
        hidden: vec![("version", typed.version.to_string())],
        fields,
        buttons,
        cancel: home,
    })
}

/// Where the form leads back to, and its navigation section: a service's tray, or a family's
/// page of their child's case.
fn return_to(user: &CurrentUser, reference: &Reference) -> (String, &'static str, &'static str) {
    if user.user.role.gives_advice() {
        (SECTION.to_owned(), "Back to advice requests", SECTION)
    } else {
        (
            format!("/cases/{reference}"),
            "Back to your child’s case",
            "/cases",
        )
    }
}

fn request_key(part: &str) -> String {
    format!("advice:{part}")
}

#[derive(Deserialize)]
pub(crate) struct FormParams {
    done: Option<String>,
}

/// `GET /advice/{reference}/{request}`: the standard advice form, with the draft saved so far.
pub(crate) async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference_text, part)): Path<(String, String)>,
    Query(params): Query<FormParams>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let view = request_view(&state, &user, &reference, &part).await?;
    let notices = match (params.done.as_deref(), &view.response) {
        (Some("saved"), Some(saved)) => vec![saved_banner(saved.updated_at)?],
        (Some("report"), _) => vec![Html::render(&DoneBanner {
            done: Some(
                "Report attached to the case. Your advice is not sent until you submit it."
                    .to_owned(),
            ),
        })?],
        _ => Vec::new(),
    };
    let page = form_page(
        &user,
        state.today(),
        &view,
        &Typed::saved(&view),
        &FormErrors::default(),
        notices,
    )?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// The request, or "not found" when it is not (or no longer) open to the caller's service.
async fn request_view(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
    part: &str,
) -> Result<AdviceRequestView, WebError> {
    match state
        .services()
        .advice_request(&user.caller(Source::Form), reference, &request_key(part))
        .await
    {
        Err(ServiceError::Invalid(_)) => Err(WebError::NotFound),
        other => Ok(other?),
    }
}

/// The success banner every page shows after a change, here on its own.
#[derive(Template)]
#[template(path = "pages/_done.html")]
struct DoneBanner {
    done: Option<String>,
}

fn saved_banner(at: chrono::DateTime<chrono::Utc>) -> askama::Result<Html> {
    Html::render(&DoneBanner {
        done: Some(format!(
            "Draft saved at {}. It is not sent until you submit it.",
            dates::england_time(at)
        )),
    })
}

/// `POST /advice/{reference}/{request}`: save the draft, add a provision row, or submit.
pub(crate) async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference_text, part)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let view = request_view(&state, &user, &reference, &part).await?;
    let mut typed = Typed::sent(&values);
    let action = values.get("action").map_or("save", String::as_str);
    if action == "add" {
        typed.rows = (typed.rows + 1).min(MAX_PROVISION);
    }
    let submit = action == "submit";
    let result = state
        .services()
        .save_advice(
            &user.caller(Source::Form),
            &reference,
            &request_key(&part),
            typed.form.clone(),
            typed.version,
            submit,
        )
        .await;
    let address = form_address(&reference, &view.request.key);
    match result {
        Ok(AdviceSaved::Submitted) => {
            let (home, _, _) = return_to(&user, &reference);
            let done = if home == SECTION {
                "submitted"
            } else {
                "views"
            };
            Ok(Redirect::to(&format!("{home}?done={done}")).into_response())
        }
        // "Add another" saves as it goes and shows the form again with the new row.
        Ok(AdviceSaved::Draft(version)) if action == "add" => {
            typed.version = version;
            let page = form_page(
                &user,
                state.today(),
                &view,
                &typed,
                &FormErrors::default(),
                Vec::new(),
            )?;
            Ok(html(StatusCode::OK, page.render()?))
        }
        Ok(AdviceSaved::Draft(_)) => {
            Ok(Redirect::to(&format!("{address}?done=saved")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = form_page(
                &user,
                state.today(),
                &view,
                &typed,
                &FormErrors::new(errors),
                Vec::new(),
            )?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(ServiceError::Conflict { current_version }) => {
            // Someone else in the service saved first: keep every word typed here, say so,
            // and let the next save knowingly replace theirs.
            typed.version = current_version;
            let errors = FormErrors::one(
                "needs",
                "Someone else in your service saved this advice after you opened it. What you \
                 typed is below and was not saved: check it, then save or submit again to \
                 replace their version",
            );
            let page = form_page(&user, state.today(), &view, &typed, &errors, Vec::new())?;
            Ok(html(StatusCode::CONFLICT, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

/// One of the service's requests on a case, as its case page lists them.
struct RequestLine {
    advice: &'static str,
    requested: String,
    status: String,
    href: Option<String>,
}

/// What a professional or setting sees of a case: the child, and their own service's requests.
/// Other services' advice and the council's working record are not theirs to read.
#[derive(Template)]
#[template(path = "pages/case-professional.html")]
struct ProfessionalCasePage {
    layout: Layout,
    reference: String,
    name: String,
    born: String,
    case_manager: Option<String>,
    requests: Vec<RequestLine>,
    done: Option<&'static str>,
    messages: Vec<MessageLine>,
    message_action: Option<(String, &'static str)>,
    /// The documents their service added.
    documents: Html,
}

/// `GET /cases/{reference}` for a professional or setting.
pub(crate) async fn case_page(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
    done: Option<&'static str>,
) -> Result<Response, WebError> {
    let services = state.services();
    let CasePageReads {
        view,
        messages,
        documents,
    } = services
        .case_page(&user.caller(Source::Form), reference)
        .await?;
    let today = state.today();
    let own = user.user.provider.as_deref();
    let requests = view
        .timeline
        .milestones
        .iter()
        .filter(|m| m.provider.as_deref().map(provider_key).as_deref() == own && own.is_some())
        .filter_map(|m| {
            let advice = m.advice?;
            let open = matches!(m.status, Status::Pending | Status::Overdue);
            let status = match (m.done, m.due) {
                (Some(done), _) => format!("Advice received on {}", dates::long(done)),
                (None, Some(due)) if open => {
                    format!(
                        "Due by {} ({})",
                        dates::long(due),
                        describe_days_left(due, today).to_lowercase()
                    )
                }
                _ => "No longer needed".to_owned(),
            };
            Some(RequestLine {
                advice: advice.label(),
                requested: dates::long(m.start),
                status,
                href: open.then(|| form_address(reference, &m.key)),
            })
        })
        .collect();
    let case_manager = match view.case.record.case_manager {
        Some(id) => services
            .staff()
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .map(|s| s.name),
        None => None,
    };
    let page = ProfessionalCasePage {
        layout: Layout::signed_in(user, format!("Case {reference}"), "/cases"),
        reference: reference.to_string(),
        name: case_child_name(&view.case.case_file()),
        born: view
            .case
            .child
            .date_of_birth
            .map_or_else(|| "Not recorded".to_owned(), dates::long),
        case_manager,
        requests,
        done,
        messages: messages
            .iter()
            .map(|m| MessageLine::of(m, today, false))
            .collect(),
        message_action: Some(send_message_action(reference)),
        documents: crate::pages::documents::section(user, reference, documents)?,
    };
    Ok(html(StatusCode::OK, page.render()?))
}
