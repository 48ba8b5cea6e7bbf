//! Decision panels (issue 17 item 1): the list of panels with their figures, one panel with its
//! members and meetings, a meeting's agenda (or a member's papers) with its minutes, and the
//! form recording a panel's decision onto a case. Every change goes through
//! `tandem_app::services`, which checks the permission and audits it; a decision is recorded
//! through the case services, so it moves the case's milestones as any decision does.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::services::{
    AgendaEntry, MeetingView, PanelDecisionInput, PanelDetail, PanelSummary, ServiceError, Source,
};
use tandem_core::panels::{Count, GroupOutcomes, KindFigures, PanelDecides};
use tandem_core::{Action, dates};

use crate::Html;
use crate::components::{ChoiceItem, Fieldset, Label, Legend, Radios, Select, SelectItem};
use crate::error::{WebError, html};
use crate::pages::dashboard::suppressed_note;
use crate::pages::forms::{self, FormErrors, FormPage, TextField, textarea};
use crate::pages::layout::Layout;
use crate::pages::period::{Typed, date_input};
use crate::session::CurrentUser;
use crate::state::AppState;

/// The panels' address, and the navigation section of every panel page.
pub(crate) const LIST: &str = "/panels";

/// What was just done, for the success banner.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Done {
    Added,
    Member,
    MemberRemoved,
    Meeting,
    Decision,
    Minutes,
}

impl Done {
    fn message(self) -> &'static str {
        match self {
            Self::Added => "The panel was set up",
            Self::Member => "The panel's members were changed",
            Self::MemberRemoved => "The member was taken off the panel",
            Self::Meeting => "The meeting was planned",
            Self::Decision => "The decision was recorded on the case",
            Self::Minutes => "The minutes were saved",
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<Done>,
}

fn done(query: &DoneQuery) -> Option<&'static str> {
    query.done.map(Done::message)
}

fn long(date: tandem_core::Date) -> String {
    dates::long(date)
}

/// A count as a table shows it.
fn count(count: Count, small_words: &str) -> String {
    match count {
        Count::Shown(n) => n.to_string(),
        Count::Hidden => small_words.to_owned(),
    }
}

fn radios(
    name: &str,
    legend: &str,
    items: &[(&str, &str)],
    value: Option<&str>,
    errors: &FormErrors,
) -> askama::Result<Html> {
    Html::render(&Radios {
        name: name.to_owned(),
        items: items
            .iter()
            .map(|(value, text)| {
                Some(ChoiceItem {
                    value: Some((*value).to_owned()),
                    text: Some((*text).to_owned()),
                    ..ChoiceItem::default()
                })
            })
            .collect(),
        value: value.map(str::to_owned),
        error_message: errors.message(name),
        fieldset: Some(Fieldset {
            legend: Some(Legend {
                text: Some(legend.to_owned()),
                classes: Some("govuk-fieldset__legend--s".into()),
                ..Legend::default()
            }),
            ..Fieldset::default()
        }),
        ..Radios::default()
    })
}

// ---- The list of panels -------------------------------------------------------------------

struct PanelRow {
    id: i64,
    name: String,
    decides: &'static str,
    next_meeting: Option<(i64, String)>,
    members: usize,
}

impl PanelRow {
    fn of(summary: &PanelSummary) -> Self {
        Self {
            id: summary.panel.id,
            name: summary.panel.name.clone(),
            decides: summary.panel.decides.label(),
            next_meeting: summary
                .next_meeting
                .as_ref()
                .map(|m| (m.id, long(m.meets_on))),
            members: summary.members,
        }
    }
}

/// Each outcome's name with its count, as shown.
type OutcomeCounts = Vec<(&'static str, String)>;

/// One table of figures: a row per group, a column per outcome.
struct FigureTable {
    caption: String,
    group_heading: &'static str,
    outcomes: Vec<&'static str>,
    /// Each group: its name, cases heard, and each outcome's name with its count.
    rows: Vec<(String, String, OutcomeCounts)>,
}

struct KindBlock {
    title: &'static str,
    heard: String,
    outcomes: OutcomeCounts,
    median_days: String,
    tables: Vec<FigureTable>,
}

fn kind_block(figures: &KindFigures, small_words: &str) -> KindBlock {
    let outcomes: Vec<&'static str> = figures.decides.outcomes().iter().map(|(_, t)| *t).collect();
    let table = |caption: String, group_heading, groups: &[GroupOutcomes]| FigureTable {
        caption,
        group_heading,
        outcomes: outcomes.clone(),
        rows: groups
            .iter()
            .map(|g| {
                (
                    g.group.clone(),
                    count(g.heard, small_words),
                    outcomes
                        .iter()
                        .zip(&g.outcomes)
                        .map(|(name, c)| (*name, count(*c, small_words)))
                        .collect(),
                )
            })
            .collect(),
    };
    let title = match figures.decides {
        PanelDecides::Assess => "Decisions whether to assess",
        PanelDecides::Issue => "Decisions whether to issue a plan",
    };
    KindBlock {
        title,
        heard: count(figures.heard, small_words),
        outcomes: outcomes
            .iter()
            .zip(&figures.outcomes)
            .map(|(name, c)| (*name, count(*c, small_words)))
            .collect(),
        median_days: figures
            .median_days_to_panel
            .map_or_else(|| "Not shown".to_owned(), |d| format!("{d} days")),
        tables: vec![
            table(
                format!("{title}, by primary need"),
                "Primary need",
                &figures.by_need,
            ),
            table(
                format!("{title}, by setting"),
                "Setting",
                &figures.by_setting,
            ),
        ],
    }
}

#[derive(Template)]
#[template(path = "pages/panels.html")]
struct PanelsPage {
    layout: Layout,
    error_summary: Option<Html>,
    done: Option<&'static str>,
    csrf_token: String,
    may_manage: bool,
    fields: Vec<Html>,
    rows: Vec<PanelRow>,
    figures: Vec<KindBlock>,
    suppressed: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct NewPanelForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    decides: String,
    #[serde(default)]
    terms_of_reference: String,
}

async fn panels_page(
    state: &AppState,
    user: &CurrentUser,
    done: Option<&'static str>,
    errors: &FormErrors,
    typed: &NewPanelForm,
) -> Result<PanelsPage, WebError> {
    let configured = state.config().reporting.small_numbers;
    let overview = state
        .services()
        .panels_overview(&user.caller(Source::Form), configured)
        .await?;
    let small = if user.can(Action::ListCases) {
        tandem_core::disclosure::SmallNumbers::SHOWN
    } else {
        configured
    };
    let small_words = small.words();
    let decides: Vec<(&str, &str)> = PanelDecides::ALL
        .iter()
        .map(|d| (d.as_str(), d.label()))
        .collect();
    let fields = if overview.may_manage {
        vec![
            TextField {
                name: "name",
                label: "Name",
                kind: "text",
                autocomplete: "off",
                value: Some(typed.name.as_str()).filter(|n| !n.is_empty()),
                classes: None,
            }
            .render(errors)?,
            radios(
                "decides",
                "What the panel decides",
                &decides,
                Some(typed.decides.as_str()),
                errors,
            )?,
            textarea(
                "terms_of_reference",
                "Terms of reference",
                "Its purpose, who sits on it, how often it meets and how it decides",
                &typed.terms_of_reference,
                errors,
            )?,
        ]
    } else {
        Vec::new()
    };
    Ok(PanelsPage {
        layout: Layout::signed_in(user, "Decision panels", LIST).with_errors(!errors.is_empty()),
        error_summary: errors.summary()?,
        done,
        csrf_token: user.csrf_token(),
        may_manage: overview.may_manage,
        fields,
        rows: overview.panels.iter().map(PanelRow::of).collect(),
        figures: overview
            .figures
            .iter()
            .flatten()
            .map(|f| kind_block(f, &small_words))
            .collect(),
        suppressed: overview
            .figures
            .as_ref()
            .and_then(|_| suppressed_note(small)),
    })
}

/// `GET /panels`: the panels the user runs or sits on, and the panels' figures.
pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let page = panels_page(
        &state,
        &user,
        done(&query),
        &FormErrors::default(),
        &NewPanelForm::default(),
    )
    .await?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /panels`: sets a panel up.
pub(crate) async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewPanelForm>,
) -> Result<Response, WebError> {
    let added = state
        .services()
        .add_panel(
            &user.caller(Source::Form),
            &form.name,
            &form.decides,
            &form.terms_of_reference,
        )
        .await;
    match added {
        Ok(id) => Ok(Redirect::to(&format!("{LIST}/{id}?done=added")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let errors = FormErrors::new(errors);
            let page = panels_page(&state, &user, None, &errors, &form).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

// ---- One panel ----------------------------------------------------------------------------

struct MemberRow {
    user_id: i64,
    name: String,
    sees_identity: bool,
}

struct MeetingRow {
    id: i64,
    on: String,
    past: bool,
    minuted: bool,
}

#[derive(Template)]
#[template(path = "pages/panel.html")]
struct PanelPage {
    layout: Layout,
    error_summary: Option<Html>,
    done: Option<&'static str>,
    csrf_token: String,
    id: i64,
    name: String,
    decides: &'static str,
    terms: String,
    members: Vec<MemberRow>,
    member_fields: Vec<Html>,
    meetings: Vec<MeetingRow>,
    meeting_field: Html,
}

#[derive(Deserialize, Default)]
pub(crate) struct MemberForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    sees_identity: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct MeetingForm {
    #[serde(rename = "meets_on-day", default)]
    day: Option<String>,
    #[serde(rename = "meets_on-month", default)]
    month: Option<String>,
    #[serde(rename = "meets_on-year", default)]
    year: Option<String>,
}

impl MeetingForm {
    fn typed(&self) -> Typed {
        [self.day.clone(), self.month.clone(), self.year.clone()]
    }
}

const SEES_IDENTITY: &[(&str, &str)] = &[
    ("yes", "Yes: their papers name each child"),
    ("no", "No: their papers leave out names and dates of birth"),
];

async fn panel_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    done: Option<&'static str>,
    errors: &FormErrors,
    member: &MemberForm,
    meeting: &MeetingForm,
) -> Result<PanelPage, WebError> {
    let PanelDetail {
        panel,
        members,
        meetings,
        candidates,
    } = state
        .services()
        .panel_detail(&user.caller(Source::Form), id)
        .await?;
    let today = state.today();
    let people = std::iter::once(Some(SelectItem {
        value: Some(String::new()),
        text: Some("Choose a member of staff".into()),
        ..SelectItem::default()
    }))
    .chain(candidates.iter().map(|c| {
        Some(SelectItem {
            value: Some(c.id.to_string()),
            text: Some(format!("{} ({})", c.name, c.role.label())),
            ..SelectItem::default()
        })
    }))
    .collect();
    let member_fields = vec![
        Html::render(&Select {
            id: Some("member".into()),
            name: "member".into(),
            items: people,
            value: Some(member.member.clone()),
            label: Some(Label {
                text: Some("Member of staff".into()),
                classes: Some("govuk-label--s".into()),
                ..Label::default()
            }),
            error_message: errors.message("member"),
            ..Select::default()
        })?,
        radios(
            "sees_identity",
            "May they see who each child is?",
            SEES_IDENTITY,
            Some(member.sees_identity.as_str()).filter(|v| !v.is_empty()),
            errors,
        )?,
    ];
    Ok(PanelPage {
        layout: Layout::signed_in(user, panel.name.clone(), LIST).with_errors(!errors.is_empty()),
        error_summary: errors.summary()?,
        done,
        csrf_token: user.csrf_token(),
        id: panel.id,
        name: panel.name.clone(),
        decides: panel.decides.label(),
        terms: panel.terms_of_reference.clone(),
        members: members
            .iter()
            .map(|m| MemberRow {
                user_id: m.user_id,
                name: m.name.clone(),
                sees_identity: m.sees_identity,
            })
            .collect(),
        member_fields,
        meetings: meetings
            .iter()
            .map(|m| MeetingRow {
                id: m.id,
                on: long(m.meets_on),
                past: m.meets_on < today,
                minuted: m.minutes.is_some(),
            })
            .collect(),
        meeting_field: date_input(
            "meets_on",
            "Date of the meeting",
            "For example, 26 3 2026",
            &meeting.typed(),
            errors,
        )?,
    })
}

/// `GET /panels/{id}`: a panel's terms of reference, members and meetings.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let page = panel_page(
        &state,
        &user,
        id,
        done(&query),
        &FormErrors::default(),
        &MemberForm::default(),
        &MeetingForm::default(),
    )
    .await?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /panels/{id}/members`: adds a member, or changes whether they see identity.
pub(crate) async fn add_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MemberForm>,
) -> Result<Response, WebError> {
    let mut errors = FormErrors::default();
    let member = form.member.trim().parse::<i64>().ok();
    if member.is_none() {
        errors.push(
            "member",
            "member".into(),
            "Choose a member of staff to add".into(),
        );
    }
    let sees = match form.sees_identity.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.push(
                "sees_identity",
                "sees_identity".into(),
                "Say whether they may see who each child is".into(),
            );
            None
        }
    };
    let result = match (member, sees) {
        (Some(member), Some(sees)) => state
            .services()
            .set_panel_member(&user.caller(Source::Form), id, member, sees)
            .await
            .map_err(|e| match e {
                ServiceError::Invalid(found) => {
                    errors = FormErrors::new(found);
                    None
                }
                other => Some(other),
            }),
        _ => Err(None),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{LIST}/{id}?done=member")).into_response()),
        Err(Some(other)) => Err(other.into()),
        Err(None) => {
            let page = panel_page(
                &state,
                &user,
                id,
                None,
                &errors,
                &form,
                &MeetingForm::default(),
            )
            .await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
    }
}

/// `POST /panels/{id}/members/{user}/remove`.
pub(crate) async fn remove_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, member)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    state
        .services()
        .remove_panel_member(&user.caller(Source::Form), id, member)
        .await?;
    Ok(Redirect::to(&format!("{LIST}/{id}?done=member_removed")).into_response())
}

/// `POST /panels/{id}/meetings`: plans a meeting.
pub(crate) async fn add_meeting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MeetingForm>,
) -> Result<Response, WebError> {
    let typed = form.typed();
    let parts = typed.each_ref().map(|p| p.as_deref().unwrap_or(""));
    let errors = match forms::read_date("Date of the meeting", parts) {
        Ok(Some(date)) => match state
            .services()
            .plan_panel_meeting(&user.caller(Source::Form), id, date)
            .await
        {
            Ok(meeting) => {
                return Ok(
                    Redirect::to(&format!("{LIST}/meetings/{meeting}?done=meeting"))
                        .into_response(),
                );
            }
            Err(ServiceError::Invalid(errors)) => FormErrors::new(errors),
            Err(other) => return Err(other.into()),
        },
        Ok(None) => FormErrors::one("meets_on", "Enter the date of the meeting"),
        Err((message, _)) => FormErrors::one("meets_on", message),
    };
    let page = panel_page(
        &state,
        &user,
        id,
        None,
        &errors,
        &MemberForm::default(),
        &form,
    )
    .await?;
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
}

// ---- A meeting ----------------------------------------------------------------------------

struct AgendaRow {
    label: String,
    reference: Option<String>,
    born: Option<String>,
    need: String,
    received: String,
    due: String,
    late: bool,
    misses: bool,
}

impl AgendaRow {
    fn of(entry: &AgendaEntry, identified: bool) -> Self {
        Self {
            label: entry.label.clone(),
            reference: identified.then(|| entry.item.reference.to_string()),
            born: entry.date_of_birth.map(long),
            need: entry.need.clone().unwrap_or_else(|| "Not recorded".into()),
            received: long(entry.item.received),
            due: long(entry.item.due),
            late: entry.item.late_at_meeting,
            misses: entry.item.misses_if_deferred,
        }
    }
}

struct DecisionRow {
    reference: String,
    outcome: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "pages/panel-meeting.html")]
struct MeetingPage {
    layout: Layout,
    error_summary: Option<Html>,
    done: Option<&'static str>,
    csrf_token: String,
    id: i64,
    panel_id: i64,
    panel: String,
    on: String,
    next_meeting: Option<String>,
    identified: bool,
    may_manage: bool,
    agenda: Vec<AgendaRow>,
    flagged: usize,
    decisions: Vec<DecisionRow>,
    minutes: Option<String>,
    minutes_field: Option<Html>,
}

#[derive(Deserialize, Default)]
pub(crate) struct MinutesForm {
    #[serde(default)]
    minutes: String,
}

fn outcome_words(decides: PanelDecides, outcome: &str) -> String {
    decides
        .outcomes()
        .iter()
        .find(|(name, _)| *name == outcome)
        .map_or_else(|| outcome.to_owned(), |(_, words)| (*words).to_owned())
}

fn meeting_page(
    user: &CurrentUser,
    view: &MeetingView,
    done: Option<&'static str>,
    errors: &FormErrors,
    typed: Option<&str>,
) -> Result<MeetingPage, WebError> {
    let on = long(view.meeting.meets_on);
    let minutes_field = if view.may_manage {
        let value = typed.or(view.meeting.minutes.as_deref()).unwrap_or("");
        Some(textarea(
            "minutes",
            "Minutes",
            "Who attended, what was discussed and agreed, and actions",
            value,
            errors,
        )?)
    } else {
        None
    };
    Ok(MeetingPage {
        layout: Layout::signed_in(user, format!("{}, {on}", view.panel.name), LIST)
            .with_errors(!errors.is_empty()),
        error_summary: errors.summary()?,
        done,
        csrf_token: user.csrf_token(),
        id: view.meeting.id,
        panel_id: view.panel.id,
        panel: view.panel.name.clone(),
        on,
        next_meeting: view.next_meeting.map(long),
        identified: view.identified,
        may_manage: view.may_manage,
        agenda: view
            .agenda
            .iter()
            .map(|e| AgendaRow::of(e, view.identified))
            .collect(),
        flagged: view
            .agenda
            .iter()
            .filter(|e| e.item.misses_if_deferred)
            .count(),
        decisions: view
            .decisions
            .iter()
            .map(|d| DecisionRow {
                reference: d.reference.clone(),
                outcome: outcome_words(view.panel.decides, &d.outcome),
                reason: d.reason.clone(),
            })
            .collect(),
        // Minutes may name children: only for readers of named papers.
        minutes: view.meeting.minutes.clone().filter(|_| view.identified),
        minutes_field,
    })
}

/// `GET /panels/meetings/{id}`: the meeting's agenda (pseudonymised papers for members who need
/// not see identity), its decisions and minutes.
pub(crate) async fn meeting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let view = state
        .services()
        .panel_meeting(&user.caller(Source::Form), id)
        .await?;
    let page = meeting_page(&user, &view, done(&query), &FormErrors::default(), None)?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /panels/meetings/{id}/minutes`.
pub(crate) async fn save_minutes(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MinutesForm>,
) -> Result<Response, WebError> {
    let caller = user.caller(Source::Form);
    match state
        .services()
        .save_panel_minutes(&caller, id, &form.minutes)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{LIST}/meetings/{id}?done=minutes")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let view = state.services().panel_meeting(&caller, id).await?;
            let errors = FormErrors::new(errors);
            let page = meeting_page(&user, &view, None, &errors, Some(&form.minutes))?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

// ---- Recording a decision -----------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(crate) struct DecisionForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason: String,
}

fn decision_page(
    user: &CurrentUser,
    view: &MeetingView,
    entry: &AgendaEntry,
    errors: &FormErrors,
    typed: &DecisionForm,
) -> Result<FormPage, WebError> {
    let meeting = format!("{LIST}/meetings/{}", view.meeting.id);
    let reference = entry.item.reference.as_str();
    let mut intro = vec![Html::render(&crate::components::InsetText {
        text: Some(format!(
            "Request received {}. The decision is due by {} ({}).",
            long(entry.item.received),
            long(entry.item.due),
            tandem_core::rules::rule(view.panel.decides.rule()).citation,
        )),
        ..crate::components::InsetText::default()
    })?];
    if entry.item.late_at_meeting {
        intro.push(Html::render(&crate::components::WarningText {
            text: Some("The decision is already late on the day of the meeting".into()),
            ..crate::components::WarningText::default()
        })?);
    }
    Ok(FormPage {
        layout: Layout::signed_in(user, format!("Decision for {}", entry.label), LIST)
            .with_errors(!errors.is_empty()),
        back_link: forms::back_link(&meeting, "Back to the agenda")?,
        caption: format!(
            "{}, {} ({reference})",
            view.panel.name,
            long(view.meeting.meets_on)
        ),
        heading: format!("Decision for {}", entry.label),
        error_summary: errors.summary()?,
        notices: Vec::new(),
        intro,
        action: format!("{meeting}/cases/{reference}"),
        csrf_token: user.csrf_token(),
        hidden: vec![("version", entry.version.to_string())],
        fields: vec![
            radios(
                "outcome",
                view.panel.decides.label(),
                view.panel.decides.outcomes(),
                Some(typed.outcome.as_str()).filter(|o| !o.is_empty()),
                errors,
            )?,
            textarea(
                "reason",
                "The panel's reason",
                "Kept with the decision in the case's history and in the minutes",
                &typed.reason,
                errors,
            )?,
        ],
        buttons: vec![forms::button("Record decision", None, None)?],
        cancel: meeting,
    })
}

/// The meeting and the case's entry on its agenda, for the decision form: a case that is not
/// awaiting this panel's decision has no form.
async fn agenda_entry(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    reference: &str,
) -> Result<(MeetingView, AgendaEntry), WebError> {
    if !user.can(Action::ManagePanels) {
        return Err(WebError::Forbidden);
    }
    let view = state
        .services()
        .panel_meeting(&user.caller(Source::Form), id)
        .await?;
    let entry = view
        .agenda
        .iter()
        .find(|e| e.item.reference.as_str() == reference)
        .cloned()
        .ok_or(WebError::NotFound)?;
    Ok((view, entry))
}

/// `GET /panels/meetings/{id}/cases/{reference}`: the form recording the panel's decision.
pub(crate) async fn decision_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, reference)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let (view, entry) = agenda_entry(&state, &user, id, &reference).await?;
    let page = decision_page(
        &user,
        &view,
        &entry,
        &FormErrors::default(),
        &DecisionForm::default(),
    )?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /panels/meetings/{id}/cases/{reference}`: records the decision onto the case.
pub(crate) async fn record_decision(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, reference)): Path<(i64, String)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, WebError> {
    let (view, entry) = agenda_entry(&state, &user, id, &reference).await?;
    let version = form.version.trim().parse::<i64>().unwrap_or(entry.version);
    let recorded = state
        .services()
        .record_panel_decision(
            &user.caller(Source::Form),
            id,
            &PanelDecisionInput {
                reference: &entry.item.reference,
                version,
                outcome: &form.outcome,
                reason: &form.reason,
            },
        )
        .await;
    let errors = match recorded {
        Ok(_) => {
            return Ok(Redirect::to(&format!("{LIST}/meetings/{id}?done=decision")).into_response());
        }
        Err(ServiceError::Invalid(errors)) => FormErrors::new(errors),
        Err(ServiceError::Conflict { .. }) => FormErrors::one(
            "outcome",
            "The case was changed while the panel met: check it and record the decision again",
        ),
        Err(other) => return Err(other.into()),
    };
    let page = decision_page(&user, &view, &entry, &errors, &form)?;
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
}
