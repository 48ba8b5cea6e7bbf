//! A case (`/cases/{reference}`): the child's details, every statutory deadline with its
//! explanation and regulation, exceptions, warnings, what happened and the history of
//! corrections; and reassigning it (`POST /cases/{reference}/assign`). Reading goes through
//! `services.view_case`, which audits it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use tandem_app::services::FieldError;
use tandem_app::services::Source;
use tandem_app::services::{CasePageReads, CaseView, ServiceError, StaffMember};
use tandem_app::services::{Correction, EventRecord};
use tandem_core::Milestone;
use tandem_core::caseload::{advice_not_sought, describe_days_left, describe_event};
use tandem_core::guidance::{self, Reading};
use tandem_core::rules::label as step_label;
use tandem_core::{Date, RagStatus, Reference, Role, Status, dates};

use crate::Html;
use crate::components::{
    Label, Select, SelectItem, SummaryCell, SummaryList, SummaryRow, Tag, WarningText,
};
use crate::error::{WebError, html};
use crate::pages::caseload::{child_name, staff_name};
use crate::pages::forms::FormErrors;
use crate::pages::layout::{Layout, family_signposts};
use crate::pages::listing::rag_tag;
use crate::pages::messages::MessageLine;
use crate::session::CurrentUser;
use crate::state::AppState;
use tandem_core::signposts::Signpost;

const SECTION: &str = "/cases";

fn parse_reference(text: &str) -> Result<Reference, WebError> {
    Reference::parse(text).map_err(|_| WebError::NotFound)
}

/// One statutory deadline.
struct DeadlineRow {
    step: String,
    due: String,
    done: String,
    tag: Html,
    rule: &'static str,
    explanation: String,
    exception: Option<String>,
}

/// One claimed exception and what the engine made of it.
struct ExceptionRow {
    kind: String,
    /// "From 2 March 2026 to 5 April 2026", the setting's closure, or the missed appointment.
    dates: String,
    outcome: String,
    reason: Option<String>,
    evidence: Option<String>,
}

/// The "what to do next" panel at the top of a case.
struct NextPanel {
    /// "Decide whether to assess by 16 February 2026".
    action: String,
    /// "3 days left", "2 days overdue".
    when: String,
    overdue: bool,
    /// The final plan's 20-week date, while an assessment is open.
    final_due: Option<String>,
    /// The earliest lawful final plan when that is after its 20 weeks.
    at_risk: Option<String>,
    /// The form that records the next step, for those who may record.
    record: Option<String>,
}

/// One fact that counts now.
struct HappenedRow {
    id: i64,
    date: String,
    what: String,
    recorded: String,
    /// Why it was recorded despite a warning shown before saving.
    despite_warning: Option<String>,
    /// The panel meeting that decided it, with the panel's reason.
    panel: Option<String>,
}

/// A correction or withdrawal, with the fact it replaced.
struct ChangeRow {
    change: &'static str,
    original: String,
    replacement: Option<String>,
    reason: String,
    recorded: String,
}

#[derive(Template)]
#[template(path = "pages/case.html")]
struct CasePage {
    layout: Layout,
    reference: String,
    name: String,
    /// The success banner after a change, if one was just made.
    done: Option<&'static str>,
    error_summary: Option<Html>,
    details: Html,
    /// Problems in the data the statutory returns need, with what to do.
    data_problems: Vec<DataProblemRow>,
    may_record: bool,
    /// The case's own case manager may invite the family by email.
    may_invite: bool,
    warnings: Vec<Html>,
    /// What to do next, and the final plan's date.
    next: Option<NextPanel>,
    deadlines: Vec<DeadlineRow>,
    exceptions: Vec<ExceptionRow>,
    happened: Vec<HappenedRow>,
    /// Advice the services submitted on the standard form.
    advice: Vec<AdviceSection>,
    messages: Vec<MessageLine>,
    /// Where to record a call, email, letter or meeting, for those who may.
    message_action: Option<(String, &'static str)>,
    /// The documents on the case.
    documents: Html,
    changes: Vec<ChangeRow>,
    /// The reassign form's select, when the reader may reassign.
    assign: Option<Html>,
    /// Every change of case manager, for those who may reassign.
    assignments: Vec<AssignmentRow>,
    /// Every change of the case's details after it was opened, for those who may record.
    detail_changes: Vec<DetailChangeRow>,
    version: i64,
    csrf_token: String,
    /// The local offer and schemes, on a family's pages.
    signposts: Vec<Signpost>,
}

fn text_row(key: &str, value: String) -> Option<SummaryRow> {
    Some(SummaryRow {
        key: SummaryCell {
            text: Some(key.to_owned()),
            ..SummaryCell::default()
        },
        value: SummaryCell {
            text: Some(value),
            ..SummaryCell::default()
        },
        ..SummaryRow::default()
    })
}

/// "primary_need" → "Primary need".
fn field_label(key: &str) -> String {
    let spaced = key.replace('_', " ");
    let mut chars = spaced.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn details(view: &CaseView, staff: &[StaffMember]) -> askama::Result<Html> {
    let child = &view.case.child;
    let name_of = |key: &str| child.other.get(key).and_then(Value::as_str);
    let mut rows = vec![
        text_row("Reference", view.case.record.reference.to_string()),
        text_row(
            "Name",
            child_name(name_of("given_name"), name_of("family_name")),
        ),
        text_row(
            "Date of birth",
            child
                .date_of_birth
                .map_or_else(|| "Not recorded".to_owned(), dates::long),
        ),
    ];
    for (key, value) in &child.other {
        if matches!(key.as_str(), "given_name" | "family_name") {
            continue;
        }
        let shown = match value {
            Value::String(text) => text.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(true) => "Yes".to_owned(),
            Value::Bool(false) => "No".to_owned(),
            _ => continue,
        };
        rows.push(text_row(&field_label(key), shown));
    }
    rows.extend([
        text_row("Stage", view.timeline.stage.label().to_owned()),
        text_row(
            "Case manager",
            staff_name(staff, view.case.record.case_manager),
        ),
        text_row(
            "Team",
            view.case
                .record
                .team
                .clone()
                .unwrap_or_else(|| "None".to_owned()),
        ),
    ]);
    Html::render(&SummaryList {
        rows,
        ..SummaryList::default()
    })
}

fn tag(text: &str, colour: &str) -> askama::Result<Html> {
    Html::render(&Tag {
        text: Some(text.into()),
        classes: Some(colour.into()),
        ..Tag::default()
    })
}

/// A step's status as the case page words it (`tandem_core::guidance::reading`).
fn status_tag(milestone: &Milestone, today: Date) -> askama::Result<Html> {
    let reading = guidance::reading(milestone);
    match reading {
        Reading::OnTime => tag(reading.label(), "govuk-tag--green"),
        Reading::Late => tag(reading.label(), "govuk-tag--orange"),
        Reading::LateExceptionApplies | Reading::NoDecisionYet => {
            tag(reading.label(), "govuk-tag--yellow")
        }
        Reading::Overdue => rag_tag(Some(RagStatus::Overdue)),
        Reading::Pending => rag_tag(milestone.due.map(|d| RagStatus::of(d, today))),
        Reading::NotNeeded => tag(reading.label(), "govuk-tag--grey"),
    }
}

/// What a step is called on the case page: its label, and for advice whom it was asked of.
fn step_name(milestone: &Milestone) -> String {
    match &milestone.provider {
        Some(provider) => format!("{} from {provider}", step_label(&milestone.key)),
        None => step_label(&milestone.key),
    }
}

fn recorded(row: &EventRecord) -> String {
    format!(
        "{}, {}",
        row.recorded_by_name.as_deref().unwrap_or("Tandem"),
        dates::long(tandem_core::dates::england_date(row.recorded_at))
    )
}

fn describe_row(row: &EventRecord) -> String {
    row.event.as_ref().map_or_else(String::new, |event| {
        format!("{} ({})", describe_event(event), dates::long(event.date))
    })
}

fn history(view: &CaseView) -> (Vec<HappenedRow>, Vec<ChangeRow>) {
    let history = &view.case.history;
    let mut effective: Vec<&EventRecord> = view.case.effective().collect();
    effective.sort_by_key(|r| (r.event.as_ref().map(|e| e.date), r.seq));
    let happened = effective
        .into_iter()
        .filter_map(|r| {
            let event = r.event.as_ref()?;
            Some(HappenedRow {
                id: r.id,
                date: dates::long(event.date),
                what: describe_event(event),
                recorded: recorded(r),
                despite_warning: r.reason.clone().filter(|_| r.correction.is_none()),
                panel: view
                    .decision_sources
                    .iter()
                    .find(|d| d.event_id == r.id)
                    .map(|d| {
                        format!(
                            "Decided by the {} on {}: {}",
                            d.panel,
                            dates::long(d.meets_on),
                            d.reason
                        )
                    }),
            })
        })
        .collect();
    let changes = history
        .iter()
        .filter_map(|r| {
            let replaced = history.iter().find(|o| Some(o.id) == r.supersedes)?;
            Some(ChangeRow {
                change: match r.correction? {
                    Correction::Correct => "Corrected",
                    Correction::Withdraw => "Withdrawn",
                },
                original: describe_row(replaced),
                replacement: r.event.as_ref().map(|_| describe_row(r)),
                reason: r.reason.clone().unwrap_or_default(),
                recorded: recorded(r),
            })
        })
        .collect();
    (happened, changes)
}

fn assign_select(
    view: &CaseView,
    staff: &[StaffMember],
    errors: &FormErrors,
) -> askama::Result<Html> {
    let items = std::iter::once(Some(SelectItem {
        value: Some(String::new()),
        text: Some("Not assigned".into()),
        ..SelectItem::default()
    }))
    .chain(staff.iter().map(|m| {
        let team = m
            .team
            .as_deref()
            .map(|t| format!(", {t}"))
            .unwrap_or_default();
        Some(SelectItem {
            value: Some(m.id.to_string()),
            text: Some(format!("{} ({}{team})", m.name, m.role.label())),
            ..SelectItem::default()
        })
    }))
    .collect();
    Html::render(&Select {
        id: Some("case_manager".into()),
        name: "case_manager".into(),
        items,
        value: Some(
            view.case
                .record
                .case_manager
                .map(|id| id.to_string())
                .unwrap_or_default(),
        ),
        label: Some(Label {
            text: Some("Case manager".into()),
            classes: Some("govuk-label--s".into()),
            ..Label::default()
        }),
        error_message: errors.message("case_manager"),
        ..Select::default()
    })
}

/// The child's name as the case file gives it.
pub(crate) fn case_child_name(case_file: &tandem_core::CaseFile) -> String {
    let part = |key| case_file.child.other.get(key).and_then(Value::as_str);
    child_name(part("given_name"), part("family_name"))
}

/// The next steps the law sets, in plain English, for the family's page.
struct NextStep {
    step: String,
    due: String,
    /// The step is past its due date and not done.
    late: bool,
    explanation: String,
}

/// A family's page about their child's case: where it is, what happens next and by when (the
/// timeline's own explanations), what has happened, and who the case manager is. It leaves out
/// the staff's working detail: corrections, exceptions and the record forms.
#[derive(Template)]
#[template(path = "pages/case-family.html")]
struct FamilyCasePage {
    layout: Layout,
    reference: String,
    name: String,
    stage: &'static str,
    next_steps: Vec<NextStep>,
    happened: Vec<HappenedRow>,
    case_manager: Option<String>,
    signposts: Vec<Signpost>,
    done: Option<&'static str>,
    messages: Vec<MessageLine>,
    message_action: Option<(String, &'static str)>,
    /// While a draft plan waits for the family's views: its first and last day to comment.
    comment_window: Option<(String, String)>,
    /// After the final plan: the last days to contact the mediation adviser and to appeal.
    rights: Option<(String, String)>,
    /// Where the family gives their views, while the council is asking for them, and by when.
    views: Option<(String, String)>,
    /// The documents the council shared with the family.
    documents: Html,
}

async fn family_case_page(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
    done: Option<&'static str>,
) -> Result<FamilyCasePage, WebError> {
    let services = state.services();
    let CasePageReads {
        view,
        messages,
        documents,
    } = services
        .case_page(&user.caller(Source::Form), reference)
        .await?;
    let staff = services.staff().await?;
    let case_file = view.case.case_file();
    let name = case_child_name(&case_file);
    let mut open: Vec<_> = view
        .timeline
        .milestones
        .iter()
        .filter(|m| matches!(m.status, Status::Pending | Status::Overdue))
        .collect();
    open.sort_by_key(|m| m.due);
    let next_steps = open
        .into_iter()
        .map(|m| NextStep {
            step: step_label(&m.key),
            due: m.due.map_or_else(String::new, dates::long),
            late: guidance::counts_as_overdue(m),
            explanation: m.explanation.clone(),
        })
        .collect();
    Ok(FamilyCasePage {
        layout: Layout::signed_in(user, format!("{name}’s case"), SECTION),
        reference: reference.to_string(),
        stage: view.timeline.stage.label(),
        next_steps,
        happened: history(&view).0,
        case_manager: view
            .case
            .record
            .case_manager
            .map(|id| staff_name(&staff, Some(id))),
        signposts: family_signposts(user, state.config()),
        done,
        messages: messages
            .iter()
            .map(|m| MessageLine::of(m, view.timeline.as_of, false))
            .collect(),
        message_action: Some(send_message_action(reference)),
        views: view
            .timeline
            .milestones
            .iter()
            .find(|m| {
                m.advice == Some(tandem_core::AdviceKind::Parent)
                    && matches!(m.status, Status::Pending | Status::Overdue)
            })
            .map(|m| {
                let part = m.key.strip_prefix("advice:").unwrap_or(&m.key);
                (
                    format!("/advice/{reference}/{part}"),
                    m.due.map_or_else(String::new, dates::long),
                )
            }),
        comment_window: tandem_core::rights::comment_window(&case_file, view.timeline.as_of)
            .map(|(first, last)| (dates::long(first), dates::long(last))),
        rights: case_file
            .events
            .iter()
            .find(|e| matches!(e.detail, tandem_core::EventDetail::FinalPlanIssued))
            .map(|e| {
                let rights = tandem_core::rights::after_notice(e.date);
                (
                    dates::long(rights.mediation_by),
                    dates::long(rights.appeal_by),
                )
            }),
        documents: crate::pages::documents::section(user, reference, documents)?,
        name,
    })
}

/// Where a family or a service writes to the council about the case.
pub(crate) fn send_message_action(reference: &Reference) -> (String, &'static str) {
    (
        format!("/cases/{reference}/messages/new"),
        "Send a message to the council",
    )
}

async fn case_page(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
    done: Option<&'static str>,
    errors: &FormErrors,
) -> Result<CasePage, WebError> {
    let services = state.services();
    let caller = user.caller(Source::Form);
    // The case, its messages and its documents in one read (a refusal ends it, audited
    // once), and the staff to reassign to alongside.
    let (reads, staff) =
        tokio::try_join!(services.case_page(&caller, reference), services.staff())?;
    let CasePageReads {
        view,
        messages,
        documents,
    } = reads;
    let documents = crate::pages::documents::section(user, reference, documents)?;
    let today = view.timeline.as_of;
    let case_file = view.case.case_file();
    let name = case_child_name(&case_file);
    let warnings = view
        .timeline
        .warnings
        .iter()
        .chain(&advice_not_sought(&case_file, today))
        .map(|w| {
            Html::render(&WarningText {
                text: Some(w.message.clone()),
                ..WarningText::default()
            })
        })
        .collect::<askama::Result<_>>()?;
    let mut deadlines = view
        .timeline
        .milestones
        .iter()
        .map(|m| {
            Ok((
                m.due,
                DeadlineRow {
                    step: step_name(m),
                    due: m.due.map_or_else(String::new, dates::long),
                    done: m.done.map_or_else(String::new, dates::long),
                    tag: status_tag(m, today)?,
                    rule: m.rule,
                    explanation: m.explanation.clone(),
                    exception: m.exception.as_ref().map(|e| e.explanation.clone()),
                },
            ))
        })
        .collect::<askama::Result<Vec<_>>>()?;
    if let Some(row) = comment_period_row(&view.timeline)? {
        // In due-date order with the statutory steps.
        let at = deadlines
            .iter()
            .position(|(due, _)| due.is_none_or(|d| d > row.0))
            .unwrap_or(deadlines.len());
        deadlines.insert(at, (Some(row.0), row.1));
    }
    let deadlines = deadlines.into_iter().map(|(_, row)| row).collect();
    let exceptions = view
        .timeline
        .exceptions
        .iter()
        .map(|x| {
            let claim = case_file
                .events
                .get(x.event_index)
                .and_then(|e| match &e.detail {
                    tandem_core::EventDetail::Exception(claim) => Some(claim),
                    _ => None,
                });
            ExceptionRow {
                kind: field_label(x.kind.as_str()),
                dates: claim.map_or_else(|| dates::long(x.from), |c| exception_dates(x.from, c)),
                outcome: match &x.reason {
                    Some(why) => format!("Does not qualify: {why}"),
                    None => format!(
                        "Applies to: {}",
                        x.disapplies
                            .iter()
                            .map(|k| view
                                .timeline
                                .milestone(k)
                                .map_or_else(|| step_label(k), step_name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                },
                reason: claim.and_then(|c| c.reason.clone()),
                evidence: claim.and_then(|c| c.evidence.clone()),
            }
        })
        .collect();
    let (happened, changes) = history(&view);
    // The statutory returns' data problems, for staff who may put them right (the checks
    // between cases, such as a UPN shared with another child, are on the data-quality page).
    let data_problems = if view.may_record {
        let collection = tandem_core::returns::Collection::next(today);
        tandem_app::returns::assess_one(&case_file, &collection)
            .problems
            .into_iter()
            .map(|p| DataProblemRow {
                title: p.rule.title(),
                detail: p.detail,
                fix: p.rule.fix(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let assign = if view.may_assign {
        Some(assign_select(&view, &staff, errors)?)
    } else {
        None
    };
    Ok(CasePage {
        layout: Layout::signed_in(user, format!("{reference}: {name}"), SECTION)
            .with_errors(!errors.is_empty()),
        reference: reference.to_string(),
        name,
        done,
        error_summary: errors.summary()?,
        details: details(&view, &staff)?,
        data_problems,
        may_record: view.may_record,
        may_invite: view.case.record.case_manager == Some(user.actor().id),
        warnings,
        next: next_panel(&view),
        deadlines,
        exceptions,
        happened,
        advice: view.advice.iter().map(AdviceSection::of).collect(),
        messages: messages
            .iter()
            .map(|m| MessageLine::of(m, today, view.may_record))
            .collect(),
        message_action: view.may_record.then(|| {
            (
                format!("/cases/{reference}/contacts/new"),
                "Record a call, email, letter or meeting",
            )
        }),
        documents,
        changes,
        assign,
        assignments: assignment_rows(&view, &staff),
        detail_changes: detail_change_rows(&view),
        version: view.case.record.version,
        csrf_token: user.csrf_token(),
        signposts: family_signposts(user, state.config()),
    })
}

/// When an exception's circumstance happened, in words.
fn exception_dates(from: Date, claim: &tandem_core::ExceptionClaim) -> String {
    use tandem_core::ExceptionKind;
    match claim.kind {
        ExceptionKind::SchoolClosure => match (claim.setting_closed_from, claim.setting_reopens) {
            (Some(closed), Some(reopens)) => format!(
                "Setting closed from {} until {}",
                dates::long(closed),
                dates::long(reopens)
            ),
            _ => format!("From {}", dates::long(from)),
        },
        ExceptionKind::MissedAppointment => {
            format!("Appointment missed on {}", dates::long(from))
        }
        _ => match claim.to {
            Some(to) => format!("From {} to {}", dates::long(from), dates::long(to)),
            None => format!("From {}, continuing", dates::long(from)),
        },
    }
}

/// The draft plan's comment period as a row of the deadlines (reg 13(1)), with its last day.
fn comment_period_row(
    timeline: &tandem_core::Timeline,
) -> askama::Result<Option<(Date, DeadlineRow)>> {
    let Some((draft, last)) = guidance::comment_period(timeline) else {
        return Ok(None);
    };
    let open = timeline.as_of <= last;
    Ok(Some((
        last,
        DeadlineRow {
            step: "Family’s comments on the draft plan: last day".to_owned(),
            due: dates::long(last),
            done: String::new(),
            tag: if open {
                tag("Open", "govuk-tag--blue")?
            } else {
                tag("Closed", "govuk-tag--grey")?
            },
            rule: "SEND Regulations 2014, reg 13(1)",
            explanation: format!(
                "The family has 15 days, beginning with the day the draft was served on {}, to \
                 comment and ask for a school or setting; the final plan can be issued from {}.",
                dates::long(draft),
                dates::long(last + chrono::Days::new(1))
            ),
            exception: None,
        },
    )))
}

/// "Next: …" for the top of the case page, and the final plan's date while it is due.
fn next_panel(view: &CaseView) -> Option<NextPanel> {
    let timeline = &view.timeline;
    let today = timeline.as_of;
    let next = guidance::next_action(timeline);
    let final_plan = guidance::headline(timeline).filter(|m| m.done.is_none());
    if next.is_none() && final_plan.is_none() {
        return None;
    }
    let (action, when, overdue) = match next {
        Some(m) => {
            let action = tandem_core::rules::action(&m.key);
            match m.due {
                Some(due) => (
                    format!("{action} by {}", dates::long(due)),
                    describe_days_left(due, today),
                    due < today,
                ),
                None => (action, String::new(), false),
            }
        }
        None => ("Nothing is due".to_owned(), String::new(), false),
    };
    let case_file = view.case.case_file();
    Some(NextPanel {
        action,
        when,
        overdue,
        final_due: final_plan.and_then(|m| m.due).map(dates::long),
        at_risk: guidance::forecast_final_plan(&case_file, timeline)
            .filter(|f| f.at_risk(today))
            .map(|f| dates::long(f.earliest)),
        record: next.filter(|_| view.may_record).map(|m| {
            format!(
                "/cases/{}/events/new?type={}",
                view.case.record.reference,
                tandem_core::rules::rule(m.rule_id).completed_by.as_str()
            )
        }),
    })
}

/// One change of case manager on the case page.
struct AssignmentRow {
    when: String,
    change: String,
    reason: String,
    by: String,
}

fn assignment_rows(view: &CaseView, staff: &[StaffMember]) -> Vec<AssignmentRow> {
    view.assignments
        .iter()
        .map(|a| AssignmentRow {
            when: dates::long(dates::england_date(a.assigned_at)),
            change: format!(
                "{} to {}",
                staff_name(staff, a.from_user),
                staff_name(staff, a.to_user)
            ),
            reason: a.reason.clone().unwrap_or_default(),
            by: a
                .assigned_by_name
                .clone()
                .unwrap_or_else(|| "Tandem".to_owned()),
        })
        .collect()
}

/// One save of the case's details on the case page.
struct DetailChangeRow {
    when: String,
    changes: Vec<String>,
    by: String,
}

fn detail_change_rows(view: &CaseView) -> Vec<DetailChangeRow> {
    let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "(empty)".to_owned());
    view.detail_changes
        .iter()
        .map(|d| DetailChangeRow {
            when: dates::long(dates::england_date(d.changed_at)),
            changes: d
                .changes
                .iter()
                .map(|c| {
                    let mut name = c.field.replace('_', " ");
                    if let Some(first) = name.get_mut(..1) {
                        first.make_ascii_uppercase();
                    }
                    format!("{name}: {} to {}", value(&c.from), value(&c.to))
                })
                .collect(),
            by: d
                .changed_by_name
                .clone()
                .unwrap_or_else(|| "Tandem".to_owned()),
        })
        .collect()
}

/// One data problem on the case page.
struct DataProblemRow {
    title: &'static str,
    detail: String,
    fix: &'static str,
}

/// One piece of advice submitted on the standard form, as the case page shows it.
struct AdviceSection {
    title: String,
    submitted: String,
    form: tandem_core::advice::AdviceForm,
}

impl AdviceSection {
    fn of(response: &tandem_app::services::AdviceResponse) -> Self {
        Self {
            title: step_label(&response.request_key),
            submitted: response
                .submitted_at
                .map_or_else(String::new, |at| dates::long(dates::england_date(at))),
            form: response.form.clone(),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct CaseParams {
    #[serde(default)]
    done: String,
}

/// What the banner says after each change that comes back to the case (`?done=`).
fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "assigned" => "Case manager changed",
        "details" => "Details for the statutory returns saved",
        "opened" => "Case opened",
        "recorded" => "Event recorded",
        "advice_requested" => "Advice requests recorded",
        "corrected" => "Event corrected",
        "withdrawn" => "Event withdrawn",
        "exception" => "Exception recorded",
        "message_sent" => "Message sent",
        "replied" => "Reply sent",
        "contact" => "Contact recorded",
        "views" => "Your views were sent to the council",
        "document" => "Document added",
        "document_withdrawn" => "Document withdrawn",
        "invited" => "Invitation sent by email",
        "plan_comment" => "Your comment on the draft plan was sent to the council",
        _ => return None,
    })
}

/// `GET /cases/{reference}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Query(params): Query<CaseParams>,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let done = done_message(&params.done);
    if user.user.role == Role::Parent {
        let page = family_case_page(&state, &user, &reference, done).await?;
        return Ok(html(StatusCode::OK, page.render()?));
    }
    if user.user.role.gives_advice() {
        return crate::pages::advice::case_page(&state, &user, &reference, done).await;
    }
    let page = case_page(&state, &user, &reference, done, &FormErrors::default()).await?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// What the reassign form sends.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct AssignForm {
    #[serde(default)]
    case_manager: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

/// `POST /cases/{reference}/assign`: gives the case to someone else, written against the
/// version the form was shown with; a stale version shows the case again as it now is.
pub(crate) async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Form(form): Form<AssignForm>,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    // An unreadable version cannot match the case's: it is reported as a conflict.
    let version = form.version.parse().unwrap_or(0);
    // An unreadable choice names nobody: the service refuses it as not an active account.
    let manager = match form.case_manager.as_str() {
        "" => None,
        id => Some(id.parse().unwrap_or(0)),
    };
    let result = state
        .services()
        .assign_case(
            &user.caller(Source::Form),
            &reference,
            version,
            manager,
            Some(&form.reason),
        )
        .await;
    let (status, errors) = match result {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/cases/{reference}?done=assigned")).into_response());
        }
        Err(ServiceError::Conflict { .. }) => (
            StatusCode::CONFLICT,
            FormErrors::one(
                "case_manager",
                "Someone else changed this case while you were looking at it. Check the case \
                 as it is now, then choose the case manager again",
            ),
        ),
        Err(ServiceError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::new(
                errors
                    .into_iter()
                    .map(|e| FieldError::new("case_manager", e.message))
                    .collect(),
            ),
        ),
        Err(other) => return Err(other.into()),
    };
    let page = case_page(&state, &user, &reference, None, &errors).await?;
    Ok(html(status, page.render()?))
}
