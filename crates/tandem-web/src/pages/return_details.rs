//! `GET/POST /cases/{reference}/child`: the child's details for the statutory returns
//! (identifiers, sex, ethnicity, needs, the main setting…), for staff who may record on the
//! case, and the facts of the case's request (who asked, mediation and tribunal, personal budget,
//! cease reason, transfers). The child's values are kept as given and the page then lists the
//! data problems still to put right; the request's are checked, with the error summary.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::Value;
use tandem_app::services::{
    CaseView, EDITABLE, FieldError, PLACEMENT_EDITABLE, REQUEST_EDITABLE, ReturnDetailsEdit,
    ServiceError, Source,
};

use crate::error::{WebError, html};
use crate::pages::forms;
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

/// Labels and hints of a setting's fields, in the order of [`PLACEMENT_EDITABLE`].
const SETTING_LABELS: [(&str, &str); 7] = [
    ("URN", "6 digits, from Get Information about Schools"),
    ("UKPRN", "8 digits, for a college or provider without a URN"),
    (
        "Setting code",
        "Where there is no URN or UKPRN: EHE, OLA, OPA, EYP, OTH, NEET, NIEC or NIEO",
    ),
    (
        "Phase",
        "As GIAS names it: Nursery, Primary, Secondary, All-through, 16 plus…",
    ),
    (
        "Main or dual registration",
        "1 for the main setting, 2 for a dual-registered one",
    ),
    ("Started there", "YYYY-MM-DD"),
    ("Left", "YYYY-MM-DD; empty while the child is still there"),
];

/// Labels and hints of [`REQUEST_EDITABLE`].
const REQUEST_LABELS: [(&str, &str); 16] = [
    (
        "Who made the request",
        "parent, young_person, school, health, social_care or other",
    ),
    ("Request made in relevant youth accommodation", "yes or no"),
    ("Mediation about the decision to assess", "yes or no"),
    ("Tribunal appeal about the decision to assess", "yes or no"),
    (
        "Mediation about the decision whether to issue a plan",
        "yes or no",
    ),
    (
        "Tribunal appeal about a decision not to issue a plan",
        "yes or no",
    ),
    ("Mediation about other appealable decisions", "yes or no"),
    ("Tribunal appeal about other matters", "yes or no"),
    ("Personal budget taken up", "yes or no"),
    (
        "Personal budget through organised arrangements",
        "yes or no; only with a personal budget",
    ),
    (
        "Direct payments",
        "E education, S social care, H health, I integrated; only with a personal budget",
    ),
    ("Residential provision named in the plan", "A or B"),
    (
        "Work-based learning named in the plan",
        "A apprenticeship, T traineeship, S supported internship",
    ),
    (
        "Why the plan ceased",
        "Only for a plan that ceased: 1 to 9 (SEN2 cease reasons)",
    ),
    (
        "Plan transferred in from",
        "The other LA's 3-digit number, or XXX if unknown or outside England",
    ),
    (
        "Moved to another LA before the assessment finished",
        "That LA's 3-digit number, or XXX if unknown or outside England",
    ),
];

/// Labels and hints of [`EDITABLE`].
const LABELS: [(&str, &str); 25] = [
    (
        "School or setting",
        "Where the child or young person is now",
    ),
    (
        "Year group",
        "For example, Nursery, Reception, Year 4, Year 12",
    ),
    (
        "Home local authority",
        "The council where the child lives, if it is not this one",
    ),
    ("Parent or carer’s name", "Who we contact about the request"),
    (
        "Parent or carer’s phone number",
        "For example, 01632 960 001",
    ),
    (
        "Parent or carer’s email address",
        "For example, name@example.com",
    ),
    (
        "Preferred language",
        "The language the family would like us to use",
    ),
    ("Interpreter needed", "yes or no"),
    (
        "Unique ID",
        "The council’s own identifier (Annex A); the case reference when empty",
    ),
    ("UPN", "Unique Pupil Number: 13 characters"),
    ("ULN", "Unique Learner Number: 10 digits"),
    (
        "Reason there is no UPN or ULN",
        "UN1, UN2, UN3, UN5, UN8, UN9 or UN10",
    ),
    ("Sex", "M or F"),
    (
        "Ethnicity",
        "CBDS code, such as WBRI, BAFR, APKN; REFU if refused, NOBT if not yet obtained",
    ),
    ("Postcode", "The child’s home postcode"),
    (
        "Primary need",
        "SEN2 code: SPLD, MLD, SLD, PMLD, SEMH, SLCN, HI, VI, MSI, PD, ASD, DS, OTH",
    ),
    (
        "Secondary need",
        "SEN2 code, different from the primary need",
    ),
    (
        "Receives SEN support without a plan",
        "yes or no (Annex A list 2)",
    ),
    ("Suspensions", "Annex A: as the school census records them"),
    (
        "Permanent exclusions",
        "Annex A: as the school census records them",
    ),
    ("Absence", "Annex A: as the school census records it"),
    ("Pupil premium", "Annex A: Y or N"),
    ("Known to social care", "Annex A: Y or N"),
    (
        "Social care team",
        "Annex A: the team working with the child",
    ),
    ("Disability", "Annex A: as recorded"),
];

struct Field {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
    error: Option<String>,
}

/// One setting's fields (named `placement-{i}-{key}`), under its legend.
struct SettingRow {
    legend: String,
    fields: Vec<RowField>,
}

struct RowField {
    name: String,
    label: &'static str,
    hint: &'static str,
    value: String,
}

#[derive(Template)]
#[template(path = "pages/return-details.html")]
struct ReturnDetailsPage {
    layout: Layout,
    reference: String,
    fields: Vec<Field>,
    request: Vec<Field>,
    settings: Vec<SettingRow>,
    conflict: bool,
    errors: Vec<FieldError>,
    version: i64,
    csrf_token: String,
}

fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.to_owned(),
        _ => String::new(),
    }
}

/// What was sent back: the values and, for a refusal, what is wrong (none for a conflict).
struct Sent<'a> {
    values: &'a HashMap<String, String>,
    errors: Vec<FieldError>,
}

fn page(user: &CurrentUser, view: &CaseView, sent: Option<Sent<'_>>) -> ReturnDetailsPage {
    let child = &view.case.child;
    let held: &[Value] = child
        .other
        .get("placements")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let errors = sent.as_ref().map(|s| s.errors.clone()).unwrap_or_default();
    let value = |name: &str, stored: String| match &sent {
        Some(sent) => sent.values.get(name).cloned().unwrap_or_default(),
        None => stored,
    };
    let error = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.clone())
    };
    let fields = EDITABLE
        .iter()
        .zip(LABELS)
        .map(|(name, (label, hint))| Field {
            name,
            label,
            hint,
            value: value(name, text_of(child.other.get(*name))),
            error: error(name),
        })
        .collect();
    let asked = serde_json::json!(view.case.request);
    let request = REQUEST_EDITABLE
        .iter()
        .zip(REQUEST_LABELS)
        .map(|(name, (label, hint))| Field {
            name,
            label,
            hint,
            value: value(name, text_of(asked.get(*name))),
            error: error(name),
        })
        .collect();
    // A row per setting held, then one to add another.
    let settings = (0..=held.len())
        .map(|i| {
            let stored = held.get(i);
            let legend = match stored.and_then(|p| p.get("name")).and_then(Value::as_str) {
                Some(name) => format!("Setting {}: {name}", i + 1),
                None if i < held.len() => format!("Setting {}", i + 1),
                None => "Add a setting".to_owned(),
            };
            let fields = PLACEMENT_EDITABLE
                .iter()
                .zip(SETTING_LABELS)
                .map(|(key, (label, hint))| {
                    let name = format!("placement-{i}-{key}");
                    RowField {
                        value: value(&name, text_of(stored.and_then(|p| p.get(*key)))),
                        name,
                        label,
                        hint,
                    }
                })
                .collect();
            SettingRow { legend, fields }
        })
        .collect();
    let reference = view.case.record.reference.to_string();
    ReturnDetailsPage {
        layout: Layout::signed_in(
            user,
            format!("{reference}: details for the statutory returns"),
            "/cases",
        ),
        reference,
        fields,
        request,
        settings,
        conflict: sent.is_some() && errors.is_empty(),
        errors,
        version: view.case.record.version,
        csrf_token: user.csrf_token(),
    }
}

/// `GET /cases/{reference}/child`.
pub(crate) async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let view = state
        .services()
        .case_for_recording(&user.caller(Source::Form), &reference)
        .await?;
    Ok(html(StatusCode::OK, page(&user, &view, None).render()?))
}

/// `POST /cases/{reference}/child`.
pub(crate) async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Form(sent): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let field = |name: &str| sent.get(name).cloned().unwrap_or_default();
    let edit = ReturnDetailsEdit {
        values: EDITABLE.iter().map(|name| field(name)).collect(),
        request: REQUEST_EDITABLE.iter().map(|name| field(name)).collect(),
        placements: (0..)
            .map_while(|i| {
                // Rows are numbered from 0 with no gaps: the first missing one ends them.
                sent.contains_key(&format!("placement-{i}-urn"))
                    .then(|| PLACEMENT_EDITABLE.map(|key| field(&format!("placement-{i}-{key}"))))
            })
            .collect(),
    };
    // An unreadable version cannot match the case's: it is reported as a conflict.
    let version = field("version").parse().unwrap_or(0);
    let caller = user.caller(Source::Form);
    let services = state.services();
    match services
        .update_return_details(&caller, &reference, version, &edit)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/cases/{reference}?done=details#data-problems")).into_response(),
        ),
        Err(ServiceError::Conflict { .. }) => {
            // Shown again with what was sent, against the case as it is now.
            let view = services.case_for_recording(&caller, &reference).await?;
            let sent = Sent {
                values: &sent,
                errors: Vec::new(),
            };
            Ok(html(
                StatusCode::CONFLICT,
                page(&user, &view, Some(sent)).render()?,
            ))
        }
        Err(ServiceError::Invalid(errors)) => {
            let view = services.case_for_recording(&caller, &reference).await?;
            let sent = Sent {
                values: &sent,
                errors,
            };
            Ok(html(
                StatusCode::BAD_REQUEST,
                page(&user, &view, Some(sent)).render()?,
            ))
        }
        Err(other) => Err(other.into()),
    }
}
