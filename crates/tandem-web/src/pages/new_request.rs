//! A new request for an EHC needs assessment (the front door): opens a case for a new or an
//! existing child, with a reference typed or made from the council's pattern, who asked, and the
//! child's details a case needs. When a child with the same names and date of birth already has
//! a case, the form comes back asking whether the request is for that child or a different one.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tandem_app::services::Source;
use tandem_app::services::{CaseManager, NewRequest, ServiceError};
use tandem_app::services::{ChildId, ChildMatch};
use tandem_core::request::Requester;
use tandem_core::{Child, Reference, Role, UserId};

use crate::Html;
use crate::components::{
    ChoiceItem, Fieldset, Hint, Label, Legend, Radios, Select, SelectItem, WarningText,
};
use crate::error::{WebError, html};
use crate::pages::case_fields::{self, Control, Field, Problems, Required, Values};
use crate::pages::forms::{FormPage, back_link, button};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

const ACTION: &str = "/cases/new";
const TITLE: &str = "New request for an assessment";

const fn text(name: &'static str, label: &'static str, required: &'static str) -> Field {
    Field {
        name,
        label,
        hint: None,
        control: Control::Text,
        required: Required::Yes(required),
    }
}

const CHILD: &[Field] = &[
    text(
        "given_name",
        "Child’s first name",
        "Enter the child’s first name",
    ),
    text(
        "family_name",
        "Child’s last name",
        "Enter the child’s last name",
    ),
    Field {
        name: "date_of_birth",
        label: "Date of birth",
        hint: Some("For example, 27 3 2014"),
        control: Control::Date { future: false },
        required: Required::Yes("Enter the child’s date of birth"),
    },
    Field {
        name: "received",
        label: "Date the request was received",
        hint: Some("The day the council received it. For example, 5 1 2026"),
        control: Control::Date { future: false },
        required: Required::Yes("Enter the date the request was received"),
    },
    Field {
        name: "reference",
        label: "Case reference",
        hint: Some(
            "Optional: leave it empty and the next reference is made for you, such as \
             EHC-2026-000123",
        ),
        control: Control::Text,
        required: Required::No,
    },
];

/// Who asked, as [`Requester`] names them.
const REQUESTERS: &[(&str, &str)] = &[
    ("parent", "Parent or carer"),
    ("young_person", "Young person"),
    ("school", "School or other education setting"),
    ("health", "Health professional"),
    ("social_care", "Social care professional"),
    ("other", "Someone else"),
];

const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];

const fn optional(name: &'static str, label: &'static str, hint: Option<&'static str>) -> Field {
    Field {
        name,
        label,
        hint,
        control: Control::Text,
        required: Required::No,
    }
}

/// Who asked and what the case needs to know about the child, all optional at the front door
/// and editable later on the case (`/cases/{reference}/child`). Each is kept under its name on
/// the child record, except who asked, which is the request's.
const DETAILS: &[Field] = &[
    Field {
        name: "requested_by",
        label: "Who made the request? (optional)",
        hint: None,
        control: Control::Radios(REQUESTERS),
        required: Required::No,
    },
    optional(
        "setting",
        "School or setting (optional)",
        Some("Where the child or young person is now"),
    ),
    optional(
        "year_group",
        "Year group (optional)",
        Some("For example, Nursery, Reception, Year 4, Year 12"),
    ),
    optional(
        "primary_need",
        "Primary need (optional)",
        Some("SEN2 code: SPLD, MLD, SLD, PMLD, SEMH, SLCN, HI, VI, MSI, PD, ASD, DS, OTH"),
    ),
    optional(
        "secondary_need",
        "Secondary need (optional)",
        Some("SEN2 code, different from the primary need"),
    ),
    optional(
        "home_la",
        "Home local authority (optional)",
        Some("The council where the child lives, if it is not this one"),
    ),
    optional("parent_name", "Parent or carer’s name (optional)", None),
    optional(
        "parent_phone",
        "Parent or carer’s phone number (optional)",
        None,
    ),
    optional(
        "parent_email",
        "Parent or carer’s email address (optional)",
        None,
    ),
    optional(
        "preferred_language",
        "Preferred language (optional)",
        Some("The language the family would like us to use"),
    ),
    Field {
        name: "interpreter_needed",
        label: "Is an interpreter needed? (optional)",
        hint: None,
        control: Control::Radios(YES_NO),
        required: Required::No,
    },
];

const CASE_MANAGER: &str = "case_manager";
const SAME_CHILD: &str = "same_child_as";
const DIFFERENT: &str = "different";

/// `GET /cases/new`.
pub(crate) async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let people = state
        .services()
        .case_managers(&user.caller(Source::Form))
        .await?;
    let mut values = Values::new();
    // Case managers usually open requests for themselves.
    if people.iter().any(|p| p.id == user.user.id) {
        values.insert(CASE_MANAGER.into(), user.user.id.to_string());
    }
    let page = page(&user, &people, &values, &Problems::default(), None)?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /cases/new`.
pub(crate) async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let services = state.services();
    let caller = user.caller(Source::Form);
    let people = services.case_managers(&caller).await?;
    let request = match read(&values, &people, state.today()) {
        Ok(request) => request,
        Err(problems) => return show(&user, &people, &values, &problems, None),
    };
    match services.open_case(&caller, &request).await {
        Ok(opened) => {
            Ok(Redirect::to(&format!("/cases/{}?done=opened", opened.reference)).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut problems = Problems::default();
            for error in errors {
                match CHILD.iter().chain(DETAILS).find(|f| f.name == error.field) {
                    Some(field) => problems.add(field, error.message),
                    None if error.field == CASE_MANAGER => {
                        problems.add_named(CASE_MANAGER, error.message)
                    }
                    None if error.field == SAME_CHILD => {
                        problems.add_named(SAME_CHILD, error.message)
                    }
                    None => problems.add(&CHILD[0], error.message),
                }
            }
            show(&user, &people, &values, &problems, None)
        }
        Err(ServiceError::PossibleDuplicate { matches, elsewhere }) => {
            let mut problems = Problems::default();
            // The question was asked and not answered.
            if values.contains_key("asked") {
                problems.add_named(
                    SAME_CHILD,
                    "Select whether the request is for the same child or a different child".into(),
                );
            }
            show(
                &user,
                &people,
                &values,
                &problems,
                Some((&matches, elsewhere)),
            )
        }
        Err(other) => Err(other.into()),
    }
}

fn show(
    user: &CurrentUser,
    people: &[CaseManager],
    values: &Values,
    problems: &Problems,
    matches: Option<(&[ChildMatch], bool)>,
) -> Result<Response, WebError> {
    let status = if problems.is_empty() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = page(user, people, values, problems, matches)?;
    Ok(html(status, page.render()?))
}

/// Reads the form into a request, or the problems with it.
fn read(
    values: &Values,
    people: &[CaseManager],
    today: tandem_core::Date,
) -> Result<NewRequest, Problems> {
    let fields: Vec<Field> = CHILD.iter().chain(DETAILS).copied().collect();
    let (read, mut problems) = match case_fields::read(&fields, values, today) {
        Ok(read) => (read, Problems::default()),
        Err(problems) => (Vec::new(), problems),
    };
    let answer = |name: &str| {
        read.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    };
    let given = |name: &str| values.get(name).map_or("", |v| v.trim());
    // Empty: the service makes one. `Some(None)` is a reference that cannot be read.
    let reference = match given("reference") {
        "" => None,
        typed => Some(Reference::parse(typed).ok()),
    };
    if reference == Some(None) {
        problems.add(
            &CHILD[4],
            "Case reference must only include letters, numbers, hyphens, underscores and full \
             stops, and start with a letter or number"
                .into(),
        );
    }
    let case_manager = match given(CASE_MANAGER) {
        "" => None,
        text => match text
            .parse::<UserId>()
            .ok()
            .filter(|id| people.iter().any(|p| p.id == *id))
        {
            Some(id) => Some(id),
            None => {
                problems.add_named(CASE_MANAGER, "Select a case manager from the list".into());
                None
            }
        },
    };
    let (same_child_as, different_child) = match given(SAME_CHILD) {
        "" => (None, false),
        DIFFERENT => (None, true),
        text => match text.parse::<ChildId>() {
            Ok(id) => (Some(id), false),
            Err(_) => {
                problems.add_named(
                    SAME_CHILD,
                    "Select whether the request is for the same child or a different child".into(),
                );
                (None, false)
            }
        },
    };
    let date = |name| answer(name).and_then(|d| d.parse::<tandem_core::Date>().ok());
    match date("received") {
        Some(received) if problems.is_empty() => {
            let mut child = Child {
                date_of_birth: date("date_of_birth"),
                ..Child::default()
            };
            for name in ["given_name", "family_name"] {
                child
                    .other
                    .insert(name.into(), json!(answer(name).unwrap_or_default()));
            }
            for field in &DETAILS[1..] {
                let value = match (field.name, answer(field.name)) {
                    (_, None) => continue,
                    ("interpreter_needed", Some(yes_no)) => json!(yes_no == "yes"),
                    (_, Some(text)) => json!(text),
                };
                child.other.insert(field.name.into(), value);
            }
            Ok(NewRequest {
                reference: reference.flatten(),
                requested_by: answer("requested_by").and_then(Requester::parse),
                child,
                received,
                case_manager,
                same_child_as,
                different_child,
            })
        }
        _ => Err(problems),
    }
}

fn page(
    user: &CurrentUser,
    people: &[CaseManager],
    values: &Values,
    problems: &Problems,
    matches: Option<(&[ChildMatch], bool)>,
) -> Result<FormPage, WebError> {
    let mut fields = Vec::new();
    let mut notices = Vec::new();
    let mut hidden = Vec::new();
    if let Some((matches, elsewhere)) = matches {
        let mut warning = String::new();
        if !matches.is_empty() {
            warning.push_str(
                "A child with the same name and date of birth already has a case. Check whether \
                 this request is for the same child before you continue. ",
            );
        }
        if elsewhere {
            warning.push_str(
                "A child with the same name and date of birth may have a case held by another \
                 team. Ask your team manager or the duty manager before you open a new case: \
                 if it is the same child, the request belongs on that case.",
            );
        }
        notices.push(Html::render(&WarningText {
            text: Some(warning.trim_end().to_owned()),
            ..WarningText::default()
        })?);
        fields.push(same_child_question(values, problems, matches)?);
        hidden.push(("asked", "yes".to_owned()));
    }
    fields.extend(case_fields::render(CHILD, values, problems)?);
    fields.extend(case_fields::render(DETAILS, values, problems)?);
    fields.push(case_manager_select(user, people, values, problems)?);
    Ok(FormPage {
        layout: Layout::signed_in(user, TITLE, "/cases").with_errors(!problems.is_empty()),
        back_link: back_link("/cases", "Back to cases")?,
        caption: "Open a case".into(),
        heading: TITLE.into(),
        error_summary: problems.errors.summary()?,
        notices,
        intro: Vec::new(),
        action: ACTION.into(),
        csrf_token: user.csrf_token(),
        hidden,
        fields,
        buttons: vec![button("Open case", None, None)?],
        cancel: "/cases".into(),
    })
}

/// "Is this the same child?": one answer per child already held, or a different child.
fn same_child_question(
    values: &Values,
    problems: &Problems,
    matches: &[ChildMatch],
) -> askama::Result<Html> {
    let mut children: BTreeMap<ChildId, Vec<String>> = BTreeMap::new();
    for found in matches {
        let stage = found
            .stage
            .map_or("stage not known", tandem_core::Stage::label);
        children.entry(found.child_id).or_default().push(format!(
            "{} ({})",
            found.reference,
            stage.to_lowercase()
        ));
    }
    let mut items: Vec<Option<ChoiceItem>> = children
        .into_iter()
        .map(|(id, cases)| {
            Some(ChoiceItem {
                value: Some(id.to_string()),
                text: Some(format!("The same child as in {}", cases.join(", "))),
                ..ChoiceItem::default()
            })
        })
        .collect();
    if !items.is_empty() {
        items.push(Some(ChoiceItem {
            divider: Some("or".into()),
            ..ChoiceItem::default()
        }));
    }
    items.push(Some(ChoiceItem {
        value: Some(DIFFERENT.into()),
        text: Some("A different child with the same name and date of birth".into()),
        ..ChoiceItem::default()
    }));
    Html::render(&Radios {
        name: SAME_CHILD.into(),
        items,
        value: values.get(SAME_CHILD).cloned(),
        error_message: problems.errors.message(SAME_CHILD),
        fieldset: Some(Fieldset {
            legend: Some(Legend {
                text: Some("Is this request for a child who already has a case?".into()),
                classes: Some("govuk-fieldset__legend--m".into()),
                ..Legend::default()
            }),
            ..Fieldset::default()
        }),
        ..Radios::default()
    })
}

fn case_manager_select(
    user: &CurrentUser,
    people: &[CaseManager],
    values: &Values,
    problems: &Problems,
) -> askama::Result<Html> {
    let nobody = if user.user.role == Role::CaseManager {
        "Me"
    } else {
        "Not assigned yet"
    };
    let items = std::iter::once(Some(SelectItem {
        value: Some(String::new()),
        text: Some(nobody.into()),
        ..SelectItem::default()
    }))
    .chain(people.iter().map(|p| {
        let text = match &p.team {
            Some(team) => format!("{} ({team} team)", p.name),
            None => p.name.clone(),
        };
        Some(SelectItem {
            value: Some(p.id.to_string()),
            text: Some(text),
            ..SelectItem::default()
        })
    }))
    .collect();
    Html::render(&Select {
        id: Some(CASE_MANAGER.into()),
        name: CASE_MANAGER.into(),
        items,
        value: values.get(CASE_MANAGER).cloned(),
        label: Some(Label {
            text: Some("Case manager".into()),
            classes: Some("govuk-label--s".into()),
            ..Label::default()
        }),
        hint: Some(Hint {
            text: Some("Who will manage the case".into()),
            ..Hint::default()
        }),
        error_message: problems.errors.message(CASE_MANAGER),
        ..Select::default()
    })
}
