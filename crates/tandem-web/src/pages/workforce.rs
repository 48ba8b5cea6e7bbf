//! The workforce pages (issue 17 item 2), under `/workforce`:
//!
//! - `GET /workforce`: the people whose records the user may see (themselves, their team, or
//!   everyone) with their supervision and training, and the service's figures for those who may
//!   see them (small counts hidden from analysts).
//! - `GET /workforce/staff/{id}`: one person's supervisions, training and induction, with the
//!   forms to record training (`POST …/training`), start an induction with a buddy
//!   (`POST …/induction`) and tick its items (`POST …/induction/tick`).
//! - `GET`/`POST /workforce/staff/{id}/supervisions/new`: record a case manager's supervision.
//! - `GET /workforce/supervisions/{id}`: a supervision with its sample and actions, and
//!   `POST /workforce/supervisions/{id}/actions/{action}` to follow an action up.
//! - `GET`/`POST /workforce/courses`: the courses, added by administrators.
//!
//! Who may do what is decided by the services; these pages only show what they are given.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tandem_app::services::{
    CourseForm, ServiceError, Source, StaffRecord, SupervisionForm, SupervisionView,
    WorkforceFigures,
};
use tandem_core::dates::{self, Date};
use tandem_core::disclosure::SmallNumbers;
use tandem_core::metrics::Rate;
use tandem_core::workforce::{Course, DEFAULT_SAMPLE, INDUCTION_ITEMS, MAX_SAMPLE};
use tandem_core::{Role, UserId};

use crate::Html;
use crate::charts::{count_shown as count, rate_shown};
use crate::components::{Checkboxes, ChoiceItem, Fieldset, Hint, Legend};
use crate::error::{WebError, html};
use crate::pages::case_fields::{self, Control, Field, Problems, Required, Values};
use crate::pages::dashboard::{small_numbers, suppressed_note};
use crate::pages::forms::{FormPage, back_link, button};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

/// The workforce routes, merged into the application's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(HOME, get(overview))
        .route("/workforce/courses", get(courses).post(add_course))
        .route("/workforce/staff/{id}", get(person))
        .route("/workforce/staff/{id}/training", post(record_training))
        .route("/workforce/staff/{id}/induction", post(start_induction))
        .route("/workforce/staff/{id}/induction/tick", post(tick_induction))
        .route(
            "/workforce/staff/{id}/supervisions/new",
            get(new_supervision).post(record_supervision),
        )
        .route("/workforce/supervisions/{id}", get(supervision))
        .route(
            "/workforce/supervisions/{id}/actions/{action}",
            post(follow_up),
        )
}

/// The navigation section and the list's address.
pub(crate) const HOME: &str = "/workforce";

const DATE_HINT: &str = "For example, 27 3 2026";

const SUPERVISION_FIELDS: [Field; 5] = [
    Field {
        name: "held_on",
        label: "Date of the supervision",
        hint: Some(DATE_HINT),
        control: Control::Date { future: false },
        required: Required::Yes("Enter the date the supervision was held"),
    },
    Field {
        name: "actions",
        label: "Actions agreed",
        hint: Some("One a line. You can record later whether each was done"),
        control: Control::Textarea,
        // Checked by the service, so that the form's own checks are only of the date.
        required: Required::No,
    },
    Field {
        name: "notes",
        label: "Notes (optional)",
        hint: Some("Wellbeing, training needs, anything else to keep. Do not name children"),
        control: Control::Textarea,
        required: Required::No,
    },
    Field {
        name: "sample_size",
        label: "Cases to sample (optional)",
        hint: Some("How many of their open cases to look at together; 3 unless you say"),
        control: Control::Text,
        required: Required::No,
    },
    Field {
        name: "seed",
        label: "Seed (optional)",
        hint: Some(
            "Leave blank for a random sample. The seed is kept with the record, so the same \
             seed and caseload draw the same cases again",
        ),
        control: Control::Text,
        required: Required::No,
    },
];

const DONE_CHOICES: &[(&str, &str)] = &[("yes", "Done"), ("no", "Not done")];

const FOLLOW_UP_FIELDS: [Field; 2] = [
    Field {
        name: "done",
        label: "Was it done?",
        hint: None,
        control: Control::Radios(DONE_CHOICES),
        required: Required::Yes("Select whether the action was done"),
    },
    Field {
        name: "on",
        label: "Date followed up",
        hint: Some(DATE_HINT),
        control: Control::Date { future: false },
        required: Required::Yes("Enter the date the action was followed up"),
    },
];

const TRAINING_DATE: Field = Field {
    name: "completed_on",
    label: "Date completed",
    hint: Some(DATE_HINT),
    control: Control::Date { future: false },
    required: Required::Yes("Enter the date the course was completed"),
};

const TICK_FIELDS: [Field; 2] = [
    Field {
        name: "item",
        label: "What was done",
        hint: None,
        control: Control::Radios(INDUCTION_ITEMS),
        required: Required::Yes("Select an item of the induction"),
    },
    Field {
        name: "done_on",
        label: "Date done",
        hint: Some(DATE_HINT),
        control: Control::Date { future: false },
        required: Required::Yes("Enter the date it was done"),
    },
];

const COURSE_FIELDS: [Field; 2] = [
    Field {
        name: "title",
        label: "Title",
        hint: None,
        control: Control::Text,
        required: Required::Yes("Enter the course's title"),
    },
    Field {
        name: "valid_months",
        label: "Months a completion stays valid (optional)",
        hint: Some("For example, 24. Leave blank when it never needs renewing"),
        control: Control::Text,
        required: Required::No,
    },
];

/// The roles a course may be required for: the council's own staff.
fn staff_roles() -> impl Iterator<Item = Role> {
    Role::ALL.iter().copied().filter(|r| !r.is_external())
}

fn id_of(text: &str) -> Result<i64, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

fn long(date: Option<Date>) -> String {
    date.map_or_else(|| "None recorded".to_owned(), dates::long)
}

/// "2 of 3 courses" or "None required".
fn courses_text(rate: Rate) -> String {
    match rate.denominator {
        0 => "None required".to_owned(),
        n => format!("{} of {n} current", rate.numerator),
    }
}

/// What happened, from `?done=`.
#[derive(Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

fn done_text(done: &Done) -> Option<&'static str> {
    match done.done.as_deref()? {
        "supervision" => Some("The supervision is recorded"),
        "follow_up" => Some("The follow-up is recorded"),
        "training" => Some("The training is recorded"),
        "induction" => Some("The induction has started"),
        "tick" => Some("The induction is updated"),
        "course" => Some("The course is added"),
        _ => None,
    }
}

struct PersonRow {
    href: String,
    name: String,
    role: &'static str,
    team: String,
    last: String,
    due: String,
    overdue: bool,
    training: String,
    induction: String,
}

struct CourseRow {
    title: String,
    validity: String,
    required_for: String,
    overall: String,
    by_role: Vec<(String, String)>,
}

impl CourseRow {
    /// The course as listed, without figures.
    fn of(course: &Course) -> Self {
        Self {
            title: course.title.clone(),
            validity: course
                .valid_months
                .map_or_else(|| "Does not expire".to_owned(), |m| format!("{m} months")),
            required_for: course
                .required_for
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
            overall: String::new(),
            by_role: Vec::new(),
        }
    }
}

struct CaseloadRow {
    month: String,
    people: String,
    per_person: String,
    on_time: String,
}

struct TurnoverRow {
    month: String,
    at_start: String,
    joiners: String,
    leavers: String,
}

/// The service's workforce figures, on `/workforce` and in the board report.
#[derive(Template)]
#[template(path = "pages/_workforce-figures.html")]
struct FiguresPart {
    heading: &'static str,
    supervision_on_time: String,
    suppressed: Option<String>,
    courses: Vec<CourseRow>,
    caseloads: Vec<CaseloadRow>,
    turnover: Vec<TurnoverRow>,
}

#[derive(Template)]
#[template(path = "pages/workforce.html")]
struct OverviewPage {
    layout: Layout,
    figures: Option<Html>,
    people: Vec<PersonRow>,
    manage_courses: bool,
}

/// The figures as a part of a page under an `h2` reading `heading`, small counts hidden as
/// `small` says (with the sentence saying so unless the page says it already).
/// The figures as the page and the PDF show them: supervision on time, and the rows of the
/// training, caseload and turnover tables, small counts hidden as `small` says.
struct FigureRows {
    supervision_on_time: String,
    courses: Vec<CourseRow>,
    caseloads: Vec<CaseloadRow>,
    turnover: Vec<TurnoverRow>,
}

impl FigureRows {
    fn of(figures: &WorkforceFigures, small: SmallNumbers) -> Self {
        let courses = figures
            .training
            .iter()
            .map(|(course, completion)| CourseRow {
                overall: rate_shown(small, completion.overall),
                by_role: completion
                    .by_role
                    .iter()
                    .map(|(role, rate)| (role.label().to_owned(), rate_shown(small, *rate)))
                    .collect(),
                ..CourseRow::of(course)
            })
            .collect();
        let caseloads = figures
            .caseloads
            .iter()
            .map(|month| CaseloadRow {
                month: month.month.format("%B %Y").to_string(),
                people: count(small, month.people),
                per_person: if small.hides(month.people) {
                    small.words()
                } else {
                    month
                        .per_person()
                        .map_or_else(String::new, |n| format!("{n:.1}"))
                },
                on_time: rate_shown(
                    small,
                    Rate {
                        numerator: month.cases - month.overdue,
                        denominator: month.cases,
                    },
                ),
            })
            .collect();
        let turnover = figures
            .turnover
            .iter()
            .map(|month| TurnoverRow {
                month: month.month.format("%B %Y").to_string(),
                at_start: count(small, month.at_start),
                joiners: count(small, month.joiners),
                leavers: count(small, month.leavers),
            })
            .collect();
        Self {
            supervision_on_time: rate_shown(small, figures.supervision_on_time),
            courses,
            caseloads,
            turnover,
        }
    }
}

fn figures_part(
    heading: &'static str,
    figures: &WorkforceFigures,
    small: SmallNumbers,
    page_says_why: bool,
) -> Result<Html, WebError> {
    let rows = FigureRows::of(figures, small);
    Ok(Html::render(&FiguresPart {
        heading,
        supervision_on_time: rows.supervision_on_time,
        suppressed: suppressed_note(small).filter(|_| !page_says_why),
        courses: rows.courses,
        caseloads: rows.caseloads,
        turnover: rows.turnover,
    })?)
}

/// The workforce section of the board report's PDF, in the HTML section's words, for those
/// who may see the figures (nothing for the others).
#[cfg(feature = "pdf")]
pub(crate) async fn report_blocks(
    state: &AppState,
    user: &CurrentUser,
    small: SmallNumbers,
) -> Result<Vec<tandem_pdf::Block>, WebError> {
    use tandem_pdf::{Block, Column, Table};
    let overview = state
        .services()
        .workforce(&user.caller(Source::Form))
        .await?;
    let Some(figures) = overview.figures.as_ref() else {
        return Ok(Vec::new());
    };
    let rows = FigureRows::of(figures, small);
    let columns = |names: &[&str]| -> Vec<Column> {
        names
            .iter()
            .map(|name| Column {
                heading: (*name).to_owned(),
                numeric: false,
            })
            .collect()
    };
    Ok(vec![
        Block::Heading("Workforce".into()),
        Block::Paragraph(format!(
            "Case managers supervised within the last month: {}.",
            rows.supervision_on_time
        )),
        Block::Table(Table {
            caption: "Training completion (an expired completion is not complete)".into(),
            columns: columns(&[
                "Course",
                "Valid for",
                "Complete, of those who must take it",
                "By role",
            ]),
            rows: rows
                .courses
                .into_iter()
                .map(|c| {
                    let by_role: Vec<String> = c
                        .by_role
                        .iter()
                        .map(|(role, rate)| format!("{role}: {rate}"))
                        .collect();
                    vec![c.title, c.validity, c.overall, by_role.join("; ")]
                })
                .collect(),
        }),
        Block::Table(Table {
            caption: "Caseloads at supervision, by month (as each supervision recorded them)"
                .into(),
            columns: columns(&[
                "Month",
                "Case managers supervised",
                "Open cases each",
                "Cases on time",
            ]),
            rows: rows
                .caseloads
                .into_iter()
                .map(|r| vec![r.month, r.people, r.per_person, r.on_time])
                .collect(),
        }),
        Block::Table(Table {
            caption: "Staff turnover by month (joined when their account was made, left when it \
                      was disabled)"
                .into(),
            columns: columns(&["Month", "In post at the start", "Joined", "Left"]),
            rows: rows
                .turnover
                .into_iter()
                .map(|r| vec![r.month, r.at_start, r.joiners, r.leavers])
                .collect(),
        }),
    ])
}

/// The workforce figures for the board report (whose page says why counts are hidden), for
/// those who may see them (`None` for the others).
pub(crate) async fn report_section(
    state: &AppState,
    user: &CurrentUser,
    small: SmallNumbers,
) -> Result<Option<Html>, WebError> {
    let overview = state
        .services()
        .workforce(&user.caller(Source::Form))
        .await?;
    overview
        .figures
        .as_ref()
        .map(|figures| figures_part("Workforce", figures, small, true))
        .transpose()
}

/// `GET /workforce`.
pub(crate) async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let overview = state
        .services()
        .workforce(&user.caller(Source::Form))
        .await?;
    let people = overview
        .people
        .iter()
        .map(|line| PersonRow {
            href: format!("{HOME}/staff/{}", line.staff.id),
            name: line.staff.name.clone(),
            role: line.staff.role.label(),
            team: line.staff.team.clone().unwrap_or_default(),
            last: line.supervision.map_or_else(String::new, |s| long(s.last)),
            due: line
                .supervision
                .map_or_else(|| "Not supervised here".to_owned(), |s| dates::long(s.due)),
            overdue: line.supervision.is_some_and(|s| s.overdue),
            training: courses_text(line.training),
            induction: line
                .induction
                .map_or_else(String::new, |(done, all)| format!("{done} of {all} done")),
        })
        .collect();
    let figures = match &overview.figures {
        Some(figures) => Some(figures_part(
            "Figures",
            figures,
            small_numbers(&state, &user),
            false,
        )?),
        None => None,
    };
    let page = OverviewPage {
        layout: Layout::signed_in(&user, "Workforce", HOME),
        figures,
        people,
        manage_courses: overview.may_manage_courses,
    };
    Ok(html(StatusCode::OK, page.render()?))
}

struct SupervisionLine {
    href: String,
    held_on: String,
    by: String,
    on_time: String,
    open_actions: usize,
}

struct TrainingRow {
    title: String,
    required: bool,
    completed_on: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "pages/workforce-person.html")]
struct PersonPage {
    layout: Layout,
    back_link: Html,
    error_summary: Option<Html>,
    done: Option<&'static str>,
    address: String,
    csrf_token: String,
    name: String,
    role: &'static str,
    team: String,
    started: String,
    supervision_due: Option<(String, bool)>,
    supervisions: Vec<SupervisionLine>,
    record_supervision: Option<String>,
    training: Vec<TrainingRow>,
    /// The fields of the training form, for those who may record it.
    training_form: Option<Vec<Html>>,
    induction_buddy: Option<String>,
    induction_items: Vec<(&'static str, String)>,
    /// The buddy select (before the induction starts) or the tick form (after), for those who
    /// may keep it.
    induction_form: Option<Vec<Html>>,
    induction_started: bool,
    submit_training: Html,
    submit_induction: Html,
}

/// Which of the person page's forms a problem belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PersonForm {
    Training,
    Induction,
}

fn person_page(
    user: &CurrentUser,
    record: &StaffRecord,
    form: Option<(PersonForm, &Values, &Problems)>,
    done: Option<&'static str>,
) -> Result<PersonPage, WebError> {
    let empty = (Values::new(), Problems::default());
    let for_form = |which: PersonForm| match form {
        Some((f, values, problems)) if f == which => (values, problems),
        _ => (&empty.0, &empty.1),
    };
    let staff = &record.staff;
    let address = format!("{HOME}/staff/{}", staff.id);
    let training_form = if record.may_keep_training {
        let (values, problems) = for_form(PersonForm::Training);
        let courses = record
            .training
            .iter()
            .map(|t| (t.course.id.to_string(), t.course.title.clone()))
            .collect();
        let mut fields = vec![case_fields::select(
            "course", "Course", "Choose", courses, values, problems,
        )?];
        fields.extend(case_fields::render(&[TRAINING_DATE], values, problems)?);
        Some(fields)
    } else {
        None
    };
    let induction_form = match (&record.induction, record.may_keep_training) {
        (_, false) => None,
        (None, true) => {
            let (values, problems) = for_form(PersonForm::Induction);
            let buddies = record
                .buddies
                .iter()
                .map(|b| (b.id.to_string(), b.name.clone()))
                .collect();
            Some(vec![case_fields::select(
                "buddy", "Buddy", "Choose", buddies, values, problems,
            )?])
        }
        (Some(_), true) => {
            let (values, problems) = for_form(PersonForm::Induction);
            Some(case_fields::render(&TICK_FIELDS, values, problems)?)
        }
    };
    let induction_items = record
        .induction
        .as_ref()
        .map(|i| {
            INDUCTION_ITEMS
                .iter()
                .map(|(key, what)| {
                    let ticked = i.ticked.iter().find(|(k, _)| k == key);
                    (
                        *what,
                        ticked.map_or_else(|| "Not yet".to_owned(), |(_, on)| dates::long(*on)),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let problems = form.map(|(_, _, p)| p);
    Ok(PersonPage {
        layout: Layout::signed_in(user, format!("Workforce: {}", staff.name), HOME)
            .with_errors(problems.is_some_and(|p| !p.is_empty())),
        back_link: back_link(HOME, "Back to the workforce")?,
        error_summary: match problems {
            Some(p) => p.errors.summary()?,
            None => None,
        },
        done,
        csrf_token: user.csrf_token(),
        name: staff.name.clone(),
        role: staff.role.label(),
        team: staff.team.clone().unwrap_or_else(|| "None".to_owned()),
        started: dates::long(staff.started),
        supervision_due: record.supervision.map(|s| (dates::long(s.due), s.overdue)),
        supervisions: record
            .supervisions
            .iter()
            .map(|s| SupervisionLine {
                href: format!("{HOME}/supervisions/{}", s.id),
                held_on: dates::long(s.held_on),
                by: s.supervisor_name.clone(),
                on_time: rate_shown(
                    SmallNumbers::SHOWN,
                    Rate {
                        numerator: (s.open_cases - s.overdue_cases).unsigned_abs(),
                        denominator: s.open_cases.unsigned_abs(),
                    },
                ),
                open_actions: s.actions.iter().filter(|a| a.follow_up.is_none()).count(),
            })
            .collect(),
        record_supervision: record
            .may_supervise
            .then(|| format!("{address}/supervisions/new")),
        training: record
            .training
            .iter()
            .map(|t| TrainingRow {
                title: t.course.title.clone(),
                required: t.required,
                completed_on: long(t.completed_on),
                current: t.current,
            })
            .collect(),
        training_form,
        induction_buddy: record.induction.as_ref().map(|i| i.buddy_name.clone()),
        induction_started: record.induction.is_some(),
        induction_items,
        induction_form,
        submit_training: button("Record training", None, None)?,
        submit_induction: button(
            if record.induction.is_some() {
                "Tick item"
            } else {
                "Start induction"
            },
            None,
            None,
        )?,
        address,
    })
}

/// `GET /workforce/staff/{id}`.
pub(crate) async fn person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let id: UserId = id_of(&id)?;
    let record = state
        .services()
        .staff_record(&user.caller(Source::Form), id)
        .await?;
    let page = person_page(&user, &record, None, done_text(&done))?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// Shows the person page again with `problems` on `which` form (422), or redirects after a
/// success.
async fn person_answer(
    state: &AppState,
    user: &CurrentUser,
    id: UserId,
    which: PersonForm,
    values: &Values,
    outcome: Result<&'static str, Problems>,
) -> Result<Response, WebError> {
    let problems = match outcome {
        Ok(done) => {
            return Ok(Redirect::to(&format!("{HOME}/staff/{id}?done={done}")).into_response());
        }
        Err(problems) => problems,
    };
    let record = state
        .services()
        .staff_record(&user.caller(Source::Form), id)
        .await?;
    let page = person_page(user, &record, Some((which, values, &problems)), None)?;
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
}

/// The service's verdict on a form, with the form's own problems. The service is asked even
/// when the form has problems (an unreadable date reaches it as no date, which it refuses):
/// refusals come first and are audited, and its checks of the other fields are shown with the
/// form's. The form's message for a field is kept over the service's.
fn judged<T>(
    mut problems: Problems,
    result: Result<T, ServiceError>,
    fields: &[Field],
) -> Result<Result<T, Problems>, WebError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(ServiceError::Invalid(errors)) => {
            for error in errors {
                if problems.errors.message(&error.field).is_none()
                    && let Some(field) = fields.iter().find(|f| f.name == error.field)
                {
                    problems.add(field, error.message);
                }
            }
            Ok(Err(problems))
        }
        Err(other) => Err(other.into()),
    }
}

/// The form's fields read: what it accepted, and its problems (none when it accepted all).
fn read_form(
    fields: &[Field],
    values: &Values,
    today: Date,
) -> (Vec<(&'static str, String)>, Problems) {
    match case_fields::read(fields, values, today) {
        Ok(read) => (read, Problems::default()),
        Err(problems) => (Vec::new(), problems),
    }
}

/// The date field `name` of fields [`case_fields::read`] accepted.
fn read_date(read: &[(&'static str, String)], name: &str) -> Option<Date> {
    read.iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, v)| dates::parse_iso(v).ok())
}

/// `POST /workforce/staff/{id}/training`.
pub(crate) async fn record_training(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let id: UserId = id_of(&id)?;
    let course_field = Field {
        name: "course",
        label: "Course",
        hint: None,
        control: Control::Text,
        required: Required::Yes("Select the course completed"),
    };
    let fields = [course_field, TRAINING_DATE];
    let (read, problems) = read_form(&fields, &values, state.today());
    let course = values.get("course").map_or("", String::as_str);
    let result = state
        .services()
        .record_training(
            &user.caller(Source::Form),
            id,
            course,
            read_date(&read, "completed_on"),
        )
        .await;
    let outcome = judged(problems, result, &fields)?.map(|()| "training");
    person_answer(&state, &user, id, PersonForm::Training, &values, outcome).await
}

/// `POST /workforce/staff/{id}/induction`: starts the induction with the buddy chosen.
pub(crate) async fn start_induction(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let id: UserId = id_of(&id)?;
    let buddy_field = Field {
        name: "buddy",
        label: "Buddy",
        hint: None,
        control: Control::Text,
        required: Required::Yes("Select the new starter's buddy"),
    };
    let buddy = values.get("buddy").map_or("", String::as_str);
    let result = state
        .services()
        .start_induction(&user.caller(Source::Form), id, buddy)
        .await;
    let outcome = judged(Problems::default(), result, &[buddy_field])?.map(|()| "induction");
    person_answer(&state, &user, id, PersonForm::Induction, &values, outcome).await
}

/// `POST /workforce/staff/{id}/induction/tick`.
pub(crate) async fn tick_induction(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let id: UserId = id_of(&id)?;
    let (read, problems) = read_form(&TICK_FIELDS, &values, state.today());
    let item = values.get("item").map_or("", String::as_str);
    let result = state
        .services()
        .tick_induction(
            &user.caller(Source::Form),
            id,
            item,
            read_date(&read, "done_on"),
        )
        .await;
    let outcome = judged(problems, result, &TICK_FIELDS)?.map(|()| "tick");
    person_answer(&state, &user, id, PersonForm::Induction, &values, outcome).await
}

fn supervision_form(
    user: &CurrentUser,
    record: &StaffRecord,
    values: &Values,
    problems: &Problems,
) -> Result<FormPage, WebError> {
    let staff = &record.staff;
    let person = format!("{HOME}/staff/{}", staff.id);
    Ok(FormPage {
        layout: Layout::signed_in(user, format!("Record a supervision: {}", staff.name), HOME)
            .with_errors(!problems.is_empty()),
        back_link: back_link(&person, &format!("Back to {}", staff.name))?,
        caption: staff.name.clone(),
        heading: "Record a supervision".to_owned(),
        error_summary: problems.errors.summary()?,
        notices: Vec::new(),
        // Constants only: nothing typed by anyone goes into this markup.
        intro: vec![Html::trusted(format!(
            "<p class=\"govuk-body\">Saving draws a sample of {DEFAULT_SAMPLE} (or the number \
             you give, up to {MAX_SAMPLE}) of their open cases and keeps, with the record, how \
             many of their open cases are on time today.</p>"
        ))],
        action: format!("{person}/supervisions/new"),
        csrf_token: user.csrf_token(),
        hidden: Vec::new(),
        fields: case_fields::render(&SUPERVISION_FIELDS, values, problems)?,
        buttons: vec![button("Save supervision", None, None)?],
        cancel: person,
    })
}

/// `GET /workforce/staff/{id}/supervisions/new`.
pub(crate) async fn new_supervision(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: UserId = id_of(&id)?;
    let record = state
        .services()
        .staff_record(&user.caller(Source::Form), id)
        .await?;
    if !record.may_supervise {
        return Err(WebError::Forbidden);
    }
    let page = supervision_form(&user, &record, &Values::new(), &Problems::default())?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /workforce/staff/{id}/supervisions/new`.
pub(crate) async fn record_supervision(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let id: UserId = id_of(&id)?;
    let caller = user.caller(Source::Form);
    let text = |name: &str| values.get(name).cloned().unwrap_or_default();
    let (read, problems) = read_form(&SUPERVISION_FIELDS, &values, state.today());
    let form = SupervisionForm {
        held_on: read_date(&read, "held_on"),
        sample_size: text("sample_size"),
        seed: text("seed"),
        actions: text("actions"),
        notes: text("notes"),
    };
    let result = state
        .services()
        .record_supervision(&caller, id, &form)
        .await;
    let problems = match judged(problems, result, &SUPERVISION_FIELDS)? {
        Ok(sid) => {
            return Ok(
                Redirect::to(&format!("{HOME}/supervisions/{sid}?done=supervision"))
                    .into_response(),
            );
        }
        Err(problems) => problems,
    };
    let record = state.services().staff_record(&caller, id).await?;
    let page = supervision_form(&user, &record, &values, &problems)?;
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
}

struct SampleRow {
    reference: String,
    href: String,
    overdue: bool,
}

struct ActionLine {
    text: String,
    /// "Done on 3 March 2026", "Not done (checked 3 March 2026)", or `None` while open.
    follow_up: Option<String>,
    /// The follow-up form's address and fields, for an open action the user may follow up.
    form: Option<(String, Vec<Html>)>,
}

#[derive(Template)]
#[template(path = "pages/workforce-supervision.html")]
struct SupervisionPage {
    layout: Layout,
    back_link: Html,
    error_summary: Option<Html>,
    done: Option<&'static str>,
    csrf_token: String,
    name: String,
    held_on: String,
    by: String,
    on_time: String,
    seed: String,
    sample: Vec<SampleRow>,
    actions: Vec<ActionLine>,
    notes: String,
    submit: Html,
}

fn supervision_page(
    user: &CurrentUser,
    view: &SupervisionView,
    problems: Option<(i64, &Values, &Problems)>,
    done: Option<&'static str>,
) -> Result<SupervisionPage, WebError> {
    let record = &view.record;
    let address = format!("{HOME}/supervisions/{}", record.id);
    let empty = (Values::new(), Problems::default());
    // One follow-up form at a time, on the first open action, so that the page's fields keep
    // their ids unique (the form's fields are named as the service names them).
    let next = record
        .actions
        .iter()
        .find(|a| a.follow_up.is_none())
        .map(|a| a.id);
    let actions = record
        .actions
        .iter()
        .map(|action| {
            let follow_up = action.follow_up.map(|(done, on)| {
                if done {
                    format!("Done (checked {})", dates::long(on))
                } else {
                    format!("Not done (checked {})", dates::long(on))
                }
            });
            let form = if view.may_follow_up && next == Some(action.id) {
                let (values, problems) = match problems {
                    Some((id, values, problems)) if id == action.id => (values, problems),
                    _ => (&empty.0, &empty.1),
                };
                Some((
                    format!("{address}/actions/{}", action.id),
                    case_fields::render(&FOLLOW_UP_FIELDS, values, problems)?,
                ))
            } else {
                None
            };
            Ok(ActionLine {
                text: action.text.clone(),
                follow_up,
                form,
            })
        })
        .collect::<askama::Result<Vec<_>>>()?;
    let problems = problems.map(|(_, _, p)| p);
    Ok(SupervisionPage {
        layout: Layout::signed_in(
            user,
            format!(
                "Supervision of {}, {}",
                view.staff.name,
                dates::long(record.held_on)
            ),
            HOME,
        )
        .with_errors(problems.is_some()),
        back_link: back_link(
            &format!("{HOME}/staff/{}", view.staff.id),
            &format!("Back to {}", view.staff.name),
        )?,
        error_summary: match problems {
            Some(p) => p.errors.summary()?,
            None => None,
        },
        done,
        csrf_token: user.csrf_token(),
        name: view.staff.name.clone(),
        held_on: dates::long(record.held_on),
        by: record.supervisor_name.clone(),
        on_time: rate_shown(
            SmallNumbers::SHOWN,
            Rate {
                numerator: (record.open_cases - record.overdue_cases).unsigned_abs(),
                denominator: record.open_cases.unsigned_abs(),
            },
        ),
        seed: record.seed.to_string(),
        sample: record
            .sample
            .iter()
            .map(|case| SampleRow {
                href: format!("/cases/{}", case.reference),
                reference: case.reference.clone(),
                overdue: case.overdue,
            })
            .collect(),
        actions,
        notes: record.notes.clone(),
        submit: button("Save follow-up", None, None)?,
    })
}

/// `GET /workforce/supervisions/{id}`.
pub(crate) async fn supervision(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let view = state
        .services()
        .supervision(&user.caller(Source::Form), id_of(&id)?)
        .await?;
    let page = supervision_page(&user, &view, None, done_text(&done))?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /workforce/supervisions/{id}/actions/{action}`: whether an agreed action was done.
pub(crate) async fn follow_up(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, action)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let (id, action) = (id_of(&id)?, id_of(&action)?);
    let caller = user.caller(Source::Form);
    let (read, problems) = read_form(&FOLLOW_UP_FIELDS, &values, state.today());
    let done = match values.get("done").map(String::as_str) {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let result = state
        .services()
        .follow_up_action(&caller, id, action, done, read_date(&read, "on"))
        .await;
    let problems = match judged(problems, result, &FOLLOW_UP_FIELDS)? {
        Ok(()) => {
            return Ok(
                Redirect::to(&format!("{HOME}/supervisions/{id}?done=follow_up")).into_response(),
            );
        }
        Err(problems) => problems,
    };
    let view = state.services().supervision(&caller, id).await?;
    let page = supervision_page(&user, &view, Some((action, &values, &problems)), None)?;
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
}

#[derive(Template)]
#[template(path = "pages/workforce-courses.html")]
struct CoursesPage {
    layout: Layout,
    back_link: Html,
    error_summary: Option<Html>,
    done: Option<&'static str>,
    csrf_token: String,
    courses: Vec<CourseRow>,
    fields: Vec<Html>,
    submit: Html,
}

fn courses_page(
    user: &CurrentUser,
    courses: &[Course],
    values: &Values,
    roles: &[String],
    problems: &Problems,
    done: Option<&'static str>,
) -> Result<CoursesPage, WebError> {
    let mut fields = case_fields::render(&COURSE_FIELDS, values, problems)?;
    fields.push(Html::render(&Checkboxes {
        name: "required_for".into(),
        fieldset: Some(Fieldset {
            legend: Some(Legend {
                text: Some("Who must take it".into()),
                classes: Some("govuk-fieldset__legend--s".into()),
                ..Legend::default()
            }),
            ..Fieldset::default()
        }),
        hint: Some(Hint {
            text: Some("Completion is counted among the people in these roles".into()),
            ..Hint::default()
        }),
        error_message: problems.errors.message("required_for"),
        items: staff_roles()
            .map(|role| {
                Some(ChoiceItem {
                    value: Some(role.as_str().to_owned()),
                    text: Some(role.label().to_owned()),
                    ..ChoiceItem::default()
                })
            })
            .collect(),
        values: roles.to_vec(),
        ..Checkboxes::default()
    })?);
    Ok(CoursesPage {
        layout: Layout::signed_in(user, "Courses", HOME).with_errors(!problems.is_empty()),
        back_link: back_link(HOME, "Back to the workforce")?,
        error_summary: problems.errors.summary()?,
        done,
        csrf_token: user.csrf_token(),
        courses: courses.iter().map(CourseRow::of).collect(),
        fields,
        submit: button("Add course", None, None)?,
    })
}

/// `GET /workforce/courses`: the courses and, for administrators, the form to add one.
pub(crate) async fn courses(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let overview = state
        .services()
        .workforce(&user.caller(Source::Form))
        .await?;
    if !overview.may_manage_courses {
        return Err(WebError::Forbidden);
    }
    let page = courses_page(
        &user,
        &overview.courses,
        &Values::new(),
        &[],
        &Problems::default(),
        done_text(&done),
    )?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /workforce/courses`: adds a course (its roles are checkboxes, so the form is read as
/// pairs).
pub(crate) async fn add_course(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let caller = user.caller(Source::Form);
    let roles: Vec<String> = pairs
        .iter()
        .filter(|(name, _)| name == "required_for")
        .map(|(_, value)| value.clone())
        .collect();
    let values: Values = pairs.into_iter().collect();
    let text = |name: &str| values.get(name).cloned().unwrap_or_default();
    let form = CourseForm {
        title: text("title"),
        valid_months: text("valid_months"),
        required_for: roles.clone(),
    };
    let problems = match state.services().add_course(&caller, &form).await {
        Ok(_) => return Ok(Redirect::to(&format!("{HOME}/courses?done=course")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut problems = Problems::default();
            for error in errors {
                match COURSE_FIELDS.iter().find(|f| f.name == error.field) {
                    Some(field) => problems.add(field, error.message),
                    None => problems.add_named("required_for", error.message),
                }
            }
            problems
        }
        Err(other) => return Err(other.into()),
    };
    let overview = state.services().workforce(&caller).await?;
    let page = courses_page(&user, &overview.courses, &values, &roles, &problems, None)?;
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
}
