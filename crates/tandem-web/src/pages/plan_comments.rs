//! The family's comments on the draft plan (SEND Regulations 2014, reg 13(1)): the form a
//! parent or young person fills in on their phone, and the list the case's staff read beside
//! the plan and at sign-off.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tandem_app::services::{
    DraftComment, DraftForComment, PlanComment, PlanVersion, ServiceError, Source,
    after_comment_period,
};
use tandem_core::dates;
use tandem_core::plan::Section;

use crate::Html;
use crate::components::{Checkboxes, ChoiceItem, Hint, Input, Label, Select, SelectItem};
use crate::error::{WebError, html};
use crate::pages::case::case_child_name;
use crate::pages::case_fields::Values;
use crate::pages::forms::{FormErrors, back_link, button, capitalised, reference, textarea};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

/// One comment as staff and its writer read it.
pub(crate) struct CommentLine {
    about: String,
    by: String,
    made: String,
    late: bool,
    body: String,
    preferred_setting: Option<String>,
    wants_meeting: bool,
}

impl CommentLine {
    /// The comments, each marked late if made after the 15 days of the draft it is about.
    fn all(comments: &[PlanComment], versions: &[PlanVersion]) -> Vec<Self> {
        comments
            .iter()
            .map(|c| {
                let made = dates::england_date(c.made_at);
                let served = versions
                    .iter()
                    .find(|v| v.number == c.comment.version)
                    .map(|v| {
                        v.plan
                            .issued_on
                            .unwrap_or_else(|| dates::england_date(v.issued_at))
                    });
                Self {
                    about: c.comment.section.map_or_else(
                        || "The plan as a whole".to_owned(),
                        |s| capitalised(&s.describe()),
                    ),
                    by: c.author_name.clone(),
                    made: dates::long(made),
                    late: served.is_some_and(|served| after_comment_period(served, made)),
                    body: c.comment.body.clone(),
                    preferred_setting: c.comment.preferred_setting.clone(),
                    wants_meeting: c.comment.wants_meeting,
                }
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "pages/_plan-comments.html")]
struct CommentList {
    comments: Vec<CommentLine>,
    /// Staff see who wrote each comment; the family sees only their own.
    staff: bool,
}

/// The family's comments for the case's staff: on the plan's overview and at sign-off.
pub(crate) fn for_staff(
    comments: &[PlanComment],
    versions: &[PlanVersion],
) -> askama::Result<Html> {
    Html::render(&CommentList {
        comments: CommentLine::all(comments, versions),
        staff: true,
    })
}

#[derive(Template)]
#[template(path = "pages/plan-comments.html")]
struct CommentPage {
    layout: Layout,
    back_link: Html,
    error_summary: Option<Html>,
    reference: String,
    name: String,
    /// The 15 days, when a draft is open for comment.
    period: Option<(String, String)>,
    /// Whether today is after them (comments are still taken, marked late).
    late: bool,
    closed: bool,
    csrf_token: String,
    fields: Vec<Html>,
    submit: Html,
    comments: Html,
}

/// `GET /cases/{reference}/plan/comments`: the form, with the comments already made.
pub(crate) async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference_text): Path<String>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let draft = state
        .services()
        .draft_for_comment(&user.caller(Source::Form), &reference)
        .await?;
    comment_page(
        &state,
        &user,
        &draft,
        &Values::new(),
        &FormErrors::default(),
    )
}

/// `POST /cases/{reference}/plan/comments`: keeps the comment and goes back to the case.
pub(crate) async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference_text): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let text = |name: &str| values.get(name).cloned().unwrap_or_default();
    let comment = DraftComment {
        section: values.get("section").and_then(|s| Section::parse(s)),
        body: text("body"),
        preferred_setting: text("preferred_setting"),
        wants_meeting: values.get("wants_meeting").is_some_and(|v| v == "yes"),
    };
    let caller = user.caller(Source::Form);
    match state
        .services()
        .comment_on_draft(&caller, &reference, comment)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{reference}?done=plan_comment")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let draft = state
                .services()
                .draft_for_comment(&caller, &reference)
                .await?;
            comment_page(&state, &user, &draft, &values, &FormErrors::new(errors))
        }
        Err(other) => Err(other.into()),
    }
}

fn comment_page(
    state: &AppState,
    user: &CurrentUser,
    draft: &DraftForComment,
    typed: &Values,
    errors: &FormErrors,
) -> Result<Response, WebError> {
    let reference = &draft.case.record.reference;
    let name = case_child_name(&draft.case.case_file());
    let typed_text = |field: &str| typed.get(field).map_or("", String::as_str);
    let fields = if draft.draft.is_some() {
        vec![
            section_choice(typed_text("section"))?,
            textarea(
                "body",
                "Your comment",
                "Say what is missing, wrong or unclear, and what you would like it to say",
                typed_text("body"),
                errors,
            )?,
            Html::render(&Input {
                id: Some("preferred_setting".into()),
                name: "preferred_setting".into(),
                value: Some(typed_text("preferred_setting").to_owned()).filter(|v| !v.is_empty()),
                label: Some(Label {
                    text: Some("School or setting you would like named (optional)".into()),
                    classes: Some("govuk-label--s".into()),
                    ..Label::default()
                }),
                hint: Some(Hint {
                    text: Some(
                        "The council must consult it and name it in section I unless there is a \
                         lawful reason not to"
                            .into(),
                    ),
                    ..Hint::default()
                }),
                error_message: errors.message("preferred_setting"),
                autocomplete: Some("off".into()),
                ..Input::default()
            })?,
            Html::render(&Checkboxes {
                name: "wants_meeting".into(),
                id_prefix: Some("wants_meeting".into()),
                items: vec![Some(ChoiceItem {
                    text: Some("I would like to meet the council to talk about the draft".into()),
                    value: Some("yes".into()),
                    checked: Some(typed_text("wants_meeting") == "yes"),
                    ..ChoiceItem::default()
                })],
                ..Checkboxes::default()
            })?,
        ]
    } else {
        Vec::new()
    };
    let today = state.today();
    let page = CommentPage {
        layout: Layout::signed_in(
            user,
            format!("Comment on the draft plan for {name}"),
            "/cases",
        )
        .with_errors(!errors.is_empty()),
        back_link: back_link(&format!("/cases/{reference}"), "Back to your child’s case")?,
        error_summary: errors.summary()?,
        reference: reference.to_string(),
        name,
        period: draft
            .period
            .map(|(first, last)| (dates::long(first), dates::long(last))),
        late: draft.period.is_some_and(|(_, last)| today > last),
        closed: draft.draft.is_none(),
        csrf_token: user.csrf_token(),
        fields,
        submit: button("Send comment", None, None)?,
        comments: Html::render(&CommentList {
            comments: CommentLine::all(&draft.comments, &[]),
            staff: false,
        })?,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html(status, page.render()?))
}

/// Which part of the plan the comment is about: the plan as a whole, or one section.
fn section_choice(chosen: &str) -> askama::Result<Html> {
    let whole = SelectItem {
        value: Some(String::new()),
        text: Some("The plan as a whole".into()),
        selected: Some(chosen.is_empty()),
        ..SelectItem::default()
    };
    let sections = Section::ALL.iter().map(|s| SelectItem {
        value: Some(s.as_str().to_owned()),
        text: Some(capitalised(&s.describe())),
        selected: Some(s.as_str() == chosen),
        ..SelectItem::default()
    });
    Html::render(&Select {
        id: Some("section".into()),
        name: "section".into(),
        label: Some(Label {
            text: Some("Which part of the plan is your comment about?".into()),
            classes: Some("govuk-label--s".into()),
            ..Label::default()
        }),
        hint: Some(Hint {
            text: Some("Send one comment for each part you want to say something about".into()),
            ..Hint::default()
        }),
        items: std::iter::once(whole).chain(sections).map(Some).collect(),
        ..Select::default()
    })
}
