//! The EHC plan of a case (issue 12): the overview of sections A–K with the quality findings,
//! an edit page per section, issuing the draft and the final plan, the print view of an issued
//! version, two versions compared, and the family's reading of the issued plan.
//!
//! Every save is checked; a save based on a stale revision comes back (409) with what was typed.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::services::{
    Acknowledgement, FieldError, PlanVersion, PlanView, ServiceError, SignOff, Source, blocking,
    finding_key,
};
use tandem_core::plan::{
    Advice, Change, ItemSection, Need, Outcome, Plan, PlanReport, PlanStatus, Provision, Section,
    TextSection, compare,
};
use tandem_core::{AdviceKind, Reference, dates};

use crate::Html;
use crate::components::{
    Checkboxes, ChoiceItem, Fieldset, Hint, Input, Label, Legend, Select, SelectItem, WarningText,
};
use crate::error::{WebError, html};
use crate::pages::case::case_child_name;
use crate::pages::case_fields::Values;
use crate::pages::forms::{
    FormErrors, FormPage, back_link, button, capitalised, reference, textarea,
};
use crate::pages::layout::Layout;
use crate::pages::plan_comments;
use crate::session::CurrentUser;
use crate::state::AppState;

#[cfg(feature = "pdf")]
pub(crate) mod pdf;

/// The navigation section of the plan's pages: the case list.
const NAV: &str = "/cases";

fn overview_address(reference: &Reference) -> String {
    format!("/cases/{reference}/plan")
}

/// One finding as the pages list it.
pub(crate) struct FindingLine {
    section: String,
    /// The first finding of its section, which the overview heads with the section.
    first_of_section: bool,
    rule: String,
    item: Option<String>,
    error: bool,
    message: String,
    evidence: Option<String>,
}

impl FindingLine {
    fn all(report: &PlanReport, only: Option<Section>) -> Vec<Self> {
        // Findings come rule by rule; the pages group them by section, in the plan's order.
        let mut findings: Vec<_> = report
            .findings
            .iter()
            .filter(|f| only.is_none_or(|s| s == f.section))
            .collect();
        findings.sort_by_key(|f| f.section);
        let mut previous = None;
        findings
            .into_iter()
            .map(|f| Self {
                first_of_section: previous.replace(f.section) != Some(f.section),
                section: f.section.describe(),
                rule: format!("{} {}", f.rule, f.rule.title()),
                item: f.item.clone(),
                error: f.severity == tandem_core::plan::Severity::Error,
                message: f.message.clone(),
                evidence: f.evidence.clone(),
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "pages/_plan-findings.html")]
struct Findings {
    findings: Vec<FindingLine>,
    grouped: bool,
}

/// A section's row on the overview.
struct SectionRow {
    section: &'static str,
    title: String,
    href: String,
    summary: String,
    errors: usize,
    warnings: usize,
}

/// An issued version's row.
struct VersionRow {
    number: i64,
    kind: &'static str,
    issued: String,
    href: String,
}

#[derive(Template)]
#[template(path = "pages/ehc-plan.html")]
struct OverviewPage {
    layout: Layout,
    csrf_token: String,
    reference: String,
    name: String,
    done: Option<&'static str>,
    error_summary: Option<Html>,
    revision: i64,
    saved: Option<String>,
    score: u8,
    grade: &'static str,
    sections: Vec<SectionRow>,
    findings: Html,
    advice_to_add: usize,
    versions: Vec<VersionRow>,
    may_issue_final: bool,
    final_issued: bool,
    comment_period: Option<String>,
    comments: Html,
    /// Who asked for sign-off and when, with their note, while the request waits.
    sign_off_requested: Option<(String, String)>,
    /// Whether this page offers "Ask for sign-off": a draft is out, the viewer cannot sign
    /// the plan off themselves, and this revision has not been put forward already.
    may_ask_sign_off: bool,
}

#[derive(Deserialize)]
pub(crate) struct DoneParams {
    done: Option<String>,
}

/// `GET /cases/{reference}/plan`: the plan's sections, its findings, score and grade, and its
/// issued versions.
pub(crate) async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference_text): Path<String>,
    Query(params): Query<DoneParams>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let view = plan_view(&state, &user, &reference).await?;
    let done = match params.done.as_deref() {
        Some("saved") => Some("The plan was saved and checked"),
        Some("advice") => Some("The advice received was added to the plan"),
        Some("draft") => Some("The draft plan was issued and recorded on the case"),
        Some("final") => Some("The final plan was issued and recorded on the case"),
        Some("sign_off") => Some("Sign-off was asked for: the plan is on the signers' list"),
        _ => None,
    };
    let page = overview_page(&state, &user, &view, done, &FormErrors::default())?;
    Ok(html(StatusCode::OK, page.render()?))
}

async fn plan_view(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
) -> Result<PlanView, WebError> {
    Ok(state
        .services()
        .plan(&user.caller(Source::Form), reference)
        .await?)
}

fn overview_page(
    state: &AppState,
    user: &CurrentUser,
    view: &PlanView,
    done: Option<&'static str>,
    errors: &FormErrors,
) -> Result<OverviewPage, WebError> {
    let reference = &view.case.record.reference;
    let name = case_child_name(&view.case.case_file());
    let rendered = view.plan.rendered();
    let sections = rendered
        .iter()
        .map(|(section, lines)| {
            let count = |error: bool| {
                view.report
                    .findings
                    .iter()
                    .filter(|f| f.section == *section)
                    .filter(|f| (f.severity == tandem_core::plan::Severity::Error) == error)
                    .count()
            };
            SectionRow {
                section: section.as_str(),
                title: capitalised(&section.describe()),
                href: format!("{}/{section}", overview_address(reference)),
                summary: lines
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "Not written yet".into())
                    + &match lines.len() {
                        0 | 1 => String::new(),
                        n => format!(" (and {} more)", n - 1),
                    },
                errors: count(true),
                warnings: count(false),
            }
        })
        .collect();
    let today = state.today();
    Ok(OverviewPage {
        layout: Layout::signed_in(user, format!("EHC plan for {name}"), NAV)
            .with_errors(!errors.is_empty()),
        csrf_token: user.csrf_token(),
        reference: reference.to_string(),
        name,
        done,
        error_summary: errors.summary()?,
        revision: view.revision(),
        saved: view.saved.as_ref().map(|s| dates::england_time(s.saved_at)),
        score: view.report.score,
        grade: view.report.grade.as_str(),
        sections,
        findings: Html::render(&Findings {
            findings: FindingLine::all(&view.report, None),
            grouped: true,
        })?,
        advice_to_add: view.advice_to_add,
        versions: view
            .versions
            .iter()
            .map(|v| VersionRow {
                number: v.number,
                kind: kind_label(v.kind),
                issued: dates::long(dates::england_date(v.issued_at)),
                href: format!("{}/versions/{}", overview_address(reference), v.number),
            })
            .collect(),
        may_issue_final: view.may_issue_final,
        final_issued: view.versions.iter().any(|v| v.kind.is_final()),
        comment_period: view
            .comment_period_ends
            .filter(|ends| today <= *ends)
            .map(dates::long),
        comments: plan_comments::for_staff(&view.comments, &view.versions)?,
        sign_off_requested: view.sign_off_request.as_ref().map(|r| {
            let when = dates::long(dates::england_date(r.requested_at));
            (
                format!("{} asked for sign-off on {when}.", r.requester_name),
                r.note.clone(),
            )
        }),
        may_ask_sign_off: !view.may_issue_final
            && view
                .versions
                .last()
                .is_some_and(|v| v.kind == PlanStatus::Draft)
            && view
                .sign_off_request
                .as_ref()
                .is_none_or(|r| r.revision != view.revision()),
    })
}

fn kind_label(kind: PlanStatus) -> &'static str {
    match kind {
        PlanStatus::Draft => "Draft plan",
        PlanStatus::Final => "Final plan",
        PlanStatus::Amended => "Amended plan",
    }
}

fn section_of(text: &str) -> Result<Section, WebError> {
    Section::parse(text).ok_or(WebError::NotFound)
}

/// `GET /cases/{reference}/plan/{section}`: the section's form, with its findings.
pub(crate) async fn section_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference_text, section_text)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let section = section_of(&section_text)?;
    let view = plan_view(&state, &user, &reference).await?;
    let page = section_page(
        &user,
        &view,
        section,
        &view.plan,
        view.revision(),
        &FormErrors::default(),
        None,
    )?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /cases/{reference}/plan/{section}`: save the section (and with `action=add`, add an
/// empty item to it), checked; a stale save comes back with what was typed.
pub(crate) async fn save_section(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference_text, section_text)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let section = section_of(&section_text)?;
    let view = plan_view(&state, &user, &reference).await?;
    let based_on = revision_sent(&values);
    let mut typed = view.plan.clone();
    read_section(&mut typed, section, &values);
    let problems = date_problems(&values);
    if !problems.is_empty() {
        let errors = FormErrors::new(problems);
        let page = section_page(
            &user,
            &view,
            section,
            &typed,
            based_on,
            &errors,
            Some(&values),
        )?;
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?));
    }
    if values.get("action").map(String::as_str) == Some("add") {
        add_item(&mut typed, section);
    }
    let result = state
        .services()
        .save_plan(
            &user.caller(Source::Form),
            &reference,
            typed.clone(),
            based_on,
        )
        .await;
    let address = format!("{}/{section}", overview_address(&reference));
    match result {
        Ok(_) if values.get("action").map(String::as_str) == Some("add") => {
            Ok(Redirect::to(&address).into_response())
        }
        Ok(_) => Ok(
            Redirect::to(&format!("{}?done=saved", overview_address(&reference))).into_response(),
        ),
        Err(ServiceError::Conflict { current_version }) => {
            // Someone saved the plan first: keep every word typed here, say so, and let the
            // next save knowingly replace their version of this section.
            let errors = FormErrors::one(
                "plan",
                "Someone else saved the plan after you opened this page. What you typed is below \
                 and was not saved: check it against the plan now, then save again to replace \
                 this section",
            );
            let page = section_page(
                &user,
                &view,
                section,
                &typed,
                current_version,
                &errors,
                Some(&values),
            )?;
            Ok(html(StatusCode::CONFLICT, page.render()?))
        }
        Err(ServiceError::Invalid(problems)) => {
            let errors = about_the_plan(problems);
            let page = section_page(
                &user,
                &view,
                section,
                &typed,
                based_on,
                &errors,
                Some(&values),
            )?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

fn section_page(
    user: &CurrentUser,
    view: &PlanView,
    section: Section,
    plan: &Plan,
    revision: i64,
    errors: &FormErrors,
    raw: Option<&Values>,
) -> Result<FormPage, WebError> {
    let reference = &view.case.record.reference;
    let name = case_child_name(&view.case.case_file());
    let title = capitalised(&section.describe());
    let findings = Html::render(&Findings {
        findings: FindingLine::all(&view.report, Some(section)),
        grouped: false,
    })?;
    let mut buttons = vec![button("Save and check", Some("save"), None)?];
    if let Some(noun) = item_noun(section) {
        buttons.push(button(
            &format!("Add another {noun}"),
            Some("add"),
            Some("govuk-button--secondary"),
        )?);
    }
    Ok(FormPage {
        layout: Layout::signed_in(user, format!("{title}: EHC plan for {name}"), NAV)
            .with_errors(!errors.is_empty()),
        back_link: back_link(&overview_address(reference), "Back to the plan")?,
        caption: format!("EHC plan for {name}, case {reference}"),
        heading: title,
        error_summary: errors.summary()?,
        notices: Vec::new(),
        intro: vec![findings],
        action: format!("{}/{section}", overview_address(reference)),
        csrf_token: user.csrf_token(),
        hidden: vec![("revision", revision.to_string())],
        fields: section_fields(plan, section, errors, raw)?,
        buttons,
        cancel: overview_address(reference),
    })
}

fn item_noun(section: Section) -> Option<&'static str> {
    match section {
        Section::B | Section::C | Section::D => Some("need"),
        Section::E => Some("outcome"),
        Section::F | Section::G | Section::H1 | Section::H2 => Some("provision"),
        Section::K => Some("piece of advice"),
        Section::A | Section::I | Section::J => None,
    }
}

const REMOVE_HINT: &str = "To remove it, clear its text and save.";

/// The section's fields, from `plan`; `raw`, when the form is shown again, is what was sent.
fn section_fields(
    plan: &Plan,
    section: Section,
    errors: &FormErrors,
    raw: Option<&Values>,
) -> Result<Vec<Html>, WebError> {
    let s = &plan.sections;
    let mut fields = Vec::new();
    let intro = |fields: &mut Vec<Html>| -> askama::Result<()> {
        fields.push(textarea(
            "intro",
            "Introduction (optional)",
            "Anything to say before the items",
            s.intro(section).unwrap_or_default(),
            errors,
        )?);
        Ok(())
    };
    match section {
        Section::A | Section::I | Section::J => {
            let hint = match section {
                Section::A => {
                    "The child’s and family’s views, interests and aspirations, in their words"
                }
                Section::I => {
                    "Leave blank in a draft plan; the final plan names the school or type of setting"
                }
                _ => "The personal budget, if one was asked for, and what it pays for",
            };
            fields.push(textarea("text", "Text", hint, s.prose(section), errors)?);
        }
        Section::B | Section::C | Section::D => {
            intro(&mut fields)?;
            let needs = s
                .need_sections()
                .find(|(n, _)| *n == section)
                .map_or(&[][..], |(_, n)| n);
            for (n, need) in needs.iter().enumerate() {
                fields.push(hidden_id(n + 1, &need.id)?);
                fields.push(textarea(
                    &format!("item-{}-text", n + 1),
                    &format!("Need {} ({})", n + 1, need.id),
                    REMOVE_HINT,
                    &need.text,
                    errors,
                )?);
            }
            none_box(&mut fields, plan, section)?;
        }
        Section::E => {
            intro(&mut fields)?;
            for (n, outcome) in s.outcomes().iter().enumerate() {
                let n = n + 1;
                let inner = [
                    hidden_id(n, &outcome.id)?,
                    textarea(
                        &format!("item-{n}-text"),
                        "What the child will achieve",
                        REMOVE_HINT,
                        &outcome.text,
                        errors,
                    )?,
                    text_input(
                        &format!("item-{n}-by"),
                        "By when",
                        outcome.by.as_deref(),
                        errors,
                    )?,
                    link_boxes(
                        n,
                        "need",
                        "The needs it is about",
                        &need_choices(plan),
                        &outcome.needs,
                    )?,
                    adulthood_box(n, outcome.preparing_for_adulthood)?,
                ];
                fields.push(group(&format!("Outcome {n} ({})", outcome.id), &inner)?);
            }
        }
        Section::F | Section::G | Section::H1 | Section::H2 => {
            intro(&mut fields)?;
            let outcomes: Vec<(String, String)> = s
                .outcomes()
                .iter()
                .map(|o| (o.id.clone(), format!("{}: {}", o.id, o.text)))
                .collect();
            for (n, p) in s.provision(section).iter().enumerate() {
                let n = n + 1;
                let detail = |part: &str, label: &str, value: &Option<String>| {
                    text_input(&format!("item-{n}-{part}"), label, value.as_deref(), errors)
                };
                let inner = [
                    hidden_id(n, &p.id)?,
                    textarea(
                        &format!("item-{n}-text"),
                        "What is provided",
                        REMOVE_HINT,
                        &p.text,
                        errors,
                    )?,
                    detail("who", "Who delivers it (role or qualification)", &p.who)?,
                    detail("frequency", "How often", &p.frequency)?,
                    detail("duration", "For how long each time", &p.duration)?,
                    detail("group", "Group size or ratio", &p.group)?,
                    detail("until", "Until when, or the review point", &p.until)?,
                    link_boxes(
                        n,
                        "need",
                        "The needs it meets",
                        &need_choices(plan),
                        &p.needs,
                    )?,
                    link_boxes(
                        n,
                        "outcome",
                        "The outcomes it supports",
                        &outcomes,
                        &p.outcomes,
                    )?,
                    adulthood_box(n, p.preparing_for_adulthood)?,
                ];
                fields.push(group(&format!("Provision {n} ({})", p.id), &inner)?);
            }
            none_box(&mut fields, plan, section)?;
        }
        Section::K => {
            intro(&mut fields)?;
            for (n, a) in s.advice().iter().enumerate() {
                let n = n + 1;
                let inner = [
                    hidden_id(n, a.id.as_deref().unwrap_or_default())?,
                    advice_select(n, &a.advice)?,
                    text_input(
                        &format!("item-{n}-from"),
                        "From (service or role)",
                        Some(&a.from),
                        errors,
                    )?,
                    {
                        // A date typed wrongly is shown again as typed, to be put right.
                        let name = format!("item-{n}-date");
                        let saved = a.date.map(|d| d.to_string());
                        let typed = raw.and_then(|v| v.get(&name)).map(String::as_str);
                        text_input(
                            &name,
                            "Date received (for example, 2026-03-02)",
                            typed.or(saved.as_deref()),
                            errors,
                        )?
                    },
                    textarea(
                        &format!("item-{n}-text"),
                        "What it recommends",
                        REMOVE_HINT,
                        a.text.as_deref().unwrap_or_default(),
                        errors,
                    )?,
                ];
                fields.push(group(&format!("Advice {n}"), &inner)?);
            }
        }
    }
    Ok(fields)
}

/// The item's id, carried through the form so that links to it stay.
fn hidden_id(n: usize, id: &str) -> askama::Result<Html> {
    let mut value = String::new();
    crate::html::escape(&mut value, id)?;
    Ok(Html::trusted(format!(
        "<input type=\"hidden\" name=\"item-{n}-id\" value=\"{value}\">"
    )))
}

fn text_input(
    name: &str,
    label: &str,
    value: Option<&str>,
    errors: &FormErrors,
) -> askama::Result<Html> {
    Html::render(&Input {
        id: Some(name.to_owned()),
        name: name.to_owned(),
        error_message: errors.message(name),
        input_type: Some("text".into()),
        value: value.map(str::to_owned).filter(|v| !v.is_empty()),
        label: Some(Label {
            text: Some(label.to_owned()),
            ..Label::default()
        }),
        ..Input::default()
    })
}

fn group(legend: &str, inner: &[Html]) -> askama::Result<Html> {
    Html::render(&Fieldset {
        legend: Some(Legend {
            text: Some(legend.to_owned()),
            classes: Some("govuk-fieldset__legend--m".into()),
            ..Legend::default()
        }),
        html: Some(Html::trusted(
            inner.iter().map(Html::as_str).collect::<String>(),
        )),
        ..Fieldset::default()
    })
}

/// Every need of B, C and D, as checkbox choices: id and text.
fn need_choices(plan: &Plan) -> Vec<(String, String)> {
    plan.sections
        .need_sections()
        .flat_map(|(section, needs)| {
            needs
                .iter()
                .map(move |n| (n.id.clone(), format!("{section} {}: {}", n.id, n.text)))
        })
        .collect()
}

/// Checkboxes linking item `n` to needs or outcomes (`kind`); one name per choice, so a plain
/// form post carries them without JavaScript.
fn link_boxes(
    n: usize,
    kind: &str,
    legend: &str,
    choices: &[(String, String)],
    linked: &[String],
) -> askama::Result<Html> {
    if choices.is_empty() {
        return Ok(Html::trusted(String::new()));
    }
    Html::render(&Checkboxes {
        name: format!("item-{n}-{kind}"),
        id_prefix: Some(format!("item-{n}-{kind}")),
        fieldset: Some(Fieldset {
            legend: Some(Legend {
                text: Some(legend.to_owned()),
                classes: Some("govuk-fieldset__legend--s".into()),
                ..Legend::default()
            }),
            ..Fieldset::default()
        }),
        classes: Some("govuk-checkboxes--small".into()),
        items: choices
            .iter()
            .map(|(id, text)| {
                Some(ChoiceItem {
                    text: Some(text.clone()),
                    name: Some(format!("item-{n}-{kind}-{id}")),
                    value: Some("yes".into()),
                    checked: Some(linked.contains(id)),
                    ..ChoiceItem::default()
                })
            })
            .collect(),
        ..Checkboxes::default()
    })
}

/// Marks an outcome or provision as preparing for adulthood (employment, independent living,
/// community, health), which the checks look for from Year 9.
fn adulthood_box(n: usize, checked: bool) -> askama::Result<Html> {
    Html::render(&Checkboxes {
        name: format!("item-{n}-pfa"),
        id_prefix: Some(format!("item-{n}-pfa")),
        classes: Some("govuk-checkboxes--small".into()),
        items: vec![Some(ChoiceItem {
            text: Some("Prepares for adulthood".into()),
            value: Some("yes".into()),
            checked: Some(checked),
            ..ChoiceItem::default()
        })],
        ..Checkboxes::default()
    })
}

fn advice_select(n: usize, chosen: &str) -> askama::Result<Html> {
    Html::render(&Select {
        id: Some(format!("item-{n}-advice")),
        name: format!("item-{n}-advice"),
        label: Some(Label {
            text: Some("Kind of advice".into()),
            ..Label::default()
        }),
        items: AdviceKind::ALL
            .iter()
            .map(|k| {
                Some(SelectItem {
                    value: Some(k.as_str().to_owned()),
                    text: Some(k.label().to_owned()),
                    selected: Some(k.as_str() == chosen),
                    ..SelectItem::default()
                })
            })
            .collect(),
        ..Select::default()
    })
}

/// "None identified" for the sections that may say so on purpose.
fn none_box(fields: &mut Vec<Html>, plan: &Plan, section: Section) -> askama::Result<()> {
    if !matches!(
        section,
        Section::C | Section::D | Section::G | Section::H1 | Section::H2
    ) {
        return Ok(());
    }
    let checked = plan.sections.none_identified(section);
    fields.push(Html::render(&Checkboxes {
        name: "none_identified".into(),
        id_prefix: Some("none_identified".into()),
        items: vec![Some(ChoiceItem {
            text: Some("None identified: the section says so on purpose".into()),
            value: Some("yes".into()),
            checked: Some(checked),
            ..ChoiceItem::default()
        })],
        hint: Some(Hint {
            text: Some("Only when there are no items".into()),
            ..Hint::default()
        }),
        ..Checkboxes::default()
    })?);
    Ok(())
}

/// The dates of advice in K that are not real dates written year-month-day: refused rather than
/// dropped, so nothing typed is lost.
fn date_problems(values: &Values) -> Vec<FieldError> {
    (1..)
        .map(|n| (n, format!("item-{n}-date")))
        .take_while(|(_, name)| values.contains_key(name))
        .filter(|(_, name)| {
            let text = values.get(name).map_or("", |v| v.trim());
            !text.is_empty() && tandem_core::dates::parse_iso(text).is_err()
        })
        .map(|(n, name)| {
            FieldError::new(
                name,
                format!(
                    "Enter the date advice {n} was received as a real date, year-month-day, \
                     such as 2026-03-02"
                ),
            )
        })
        .collect()
}

/// Replaces `section` of `plan` with what the form sent. Items whose text fields are all blank
/// are left out: that is how an item is removed.
fn read_section(plan: &mut Plan, section: Section, values: &Values) {
    let text = |name: &str| {
        values
            .get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let given = |name: &str| Some(text(name)).filter(|v| !v.is_empty());
    let numbers: Vec<usize> = (1..)
        .take_while(|n| values.contains_key(&format!("item-{n}-id")))
        .collect();
    let links = |n: usize, kind: &str| -> Vec<String> {
        let prefix = format!("item-{n}-{kind}-");
        let mut ids: Vec<String> = values
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix).map(str::to_owned))
            .collect();
        ids.sort();
        ids
    };
    let none = values.contains_key("none_identified");
    let intro = given("intro");
    let s = &mut plan.sections;
    let needs = || -> Vec<Need> {
        numbers
            .iter()
            .map(|n| Need {
                id: text(&format!("item-{n}-id")),
                text: text(&format!("item-{n}-text")),
            })
            .filter(|need| !need.text.is_empty())
            .collect()
    };
    let provision = || -> Vec<Provision> {
        numbers
            .iter()
            .map(|n| Provision {
                id: text(&format!("item-{n}-id")),
                text: text(&format!("item-{n}-text")),
                needs: links(*n, "need"),
                outcomes: links(*n, "outcome"),
                who: given(&format!("item-{n}-who")),
                frequency: given(&format!("item-{n}-frequency")),
                duration: given(&format!("item-{n}-duration")),
                group: given(&format!("item-{n}-group")),
                until: given(&format!("item-{n}-until")),
                preparing_for_adulthood: values.contains_key(&format!("item-{n}-pfa")),
            })
            .filter(|p| {
                !p.text.is_empty()
                    || [&p.who, &p.frequency, &p.duration, &p.group, &p.until]
                        .iter()
                        .any(|v| v.is_some())
            })
            .collect()
    };
    fn items_of<T>(intro: &Option<String>, none: bool, items: Vec<T>) -> ItemSection<T> {
        ItemSection {
            text: intro.clone(),
            none_identified: none && items.is_empty(),
            items,
        }
    }
    match section {
        Section::A => s.a = Some(TextSection { text: text("text") }),
        Section::I => s.i = Some(TextSection { text: text("text") }),
        Section::J => s.j = Some(TextSection { text: text("text") }),
        Section::B => s.b = Some(items_of(&intro, none, needs())),
        Section::C => s.c = Some(items_of(&intro, none, needs())),
        Section::D => s.d = Some(items_of(&intro, none, needs())),
        Section::E => {
            let outcomes = numbers
                .iter()
                .map(|n| Outcome {
                    id: text(&format!("item-{n}-id")),
                    text: text(&format!("item-{n}-text")),
                    needs: links(*n, "need"),
                    by: given(&format!("item-{n}-by")),
                    preparing_for_adulthood: values.contains_key(&format!("item-{n}-pfa")),
                })
                .filter(|o| !o.text.is_empty())
                .collect();
            s.e = Some(ItemSection {
                text: intro.clone(),
                none_identified: false,
                items: outcomes,
            });
        }
        Section::F => s.f = Some(items_of(&intro, none, provision())),
        Section::G => s.g = Some(items_of(&intro, none, provision())),
        Section::H1 => s.h1 = Some(items_of(&intro, none, provision())),
        Section::H2 => s.h2 = Some(items_of(&intro, none, provision())),
        Section::K => {
            let advice = numbers
                .iter()
                .map(|n| Advice {
                    id: given(&format!("item-{n}-id")),
                    advice: text(&format!("item-{n}-advice")),
                    from: text(&format!("item-{n}-from")),
                    date: tandem_core::dates::parse_iso(&text(&format!("item-{n}-date"))).ok(),
                    text: given(&format!("item-{n}-text")),
                })
                .filter(|a| !a.from.is_empty() || a.text.is_some())
                .collect();
            s.k = Some(ItemSection {
                text: intro,
                none_identified: false,
                items: advice,
            });
        }
    }
}

/// Adds an empty item to `section`, with a fresh id.
fn add_item(plan: &mut Plan, section: Section) {
    let prefix = match section {
        Section::B => "n",
        Section::C => "h",
        Section::D => "s",
        Section::E => "o",
        Section::F => "p",
        Section::G => "g",
        Section::H1 | Section::H2 => "c",
        Section::K => "k",
        Section::A | Section::I | Section::J => return,
    };
    let id = plan.next_id(prefix);
    let s = &mut plan.sections;
    fn body<T>(b: &mut Option<ItemSection<T>>) -> &mut ItemSection<T> {
        let b = b.get_or_insert_with(|| ItemSection {
            text: None,
            items: Vec::new(),
            none_identified: false,
        });
        b.none_identified = false;
        b
    }
    let provision = Provision {
        id: id.clone(),
        text: String::new(),
        needs: Vec::new(),
        outcomes: Vec::new(),
        who: None,
        frequency: None,
        duration: None,
        group: None,
        until: None,
        preparing_for_adulthood: false,
    };
    let need = Need {
        id: id.clone(),
        text: String::new(),
    };
    match section {
        Section::B => body(&mut s.b).items.push(need),
        Section::C => body(&mut s.c).items.push(need),
        Section::D => body(&mut s.d).items.push(need),
        Section::E => body(&mut s.e).items.push(Outcome {
            id,
            text: String::new(),
            needs: Vec::new(),
            by: None,
            preparing_for_adulthood: false,
        }),
        Section::F => body(&mut s.f).items.push(provision),
        Section::G => body(&mut s.g).items.push(provision),
        Section::H1 => body(&mut s.h1).items.push(provision),
        Section::H2 => body(&mut s.h2).items.push(provision),
        Section::K => body(&mut s.k).items.push(Advice {
            id: Some(id),
            advice: AdviceKind::Other.as_str().to_owned(),
            from: String::new(),
            date: None,
            text: None,
        }),
        Section::A | Section::I | Section::J => {}
    }
}

/// `POST /cases/{reference}/plan/advice`: pull the advice received into the plan.
pub(crate) async fn add_advice(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference_text): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let based_on = revision_sent(&values);
    let result = state
        .services()
        .add_advice_to_plan(&user.caller(Source::Form), &reference, based_on)
        .await;
    after_overview_action(&state, &user, &reference, result.map(drop), "advice").await
}

/// The service's problems, shown as problems with the plan as a whole: the page has no field
/// of theirs to point at.
fn about_the_plan(problems: Vec<FieldError>) -> FormErrors {
    FormErrors::new(
        problems
            .into_iter()
            .map(|p| FieldError::new("plan", p.message))
            .collect(),
    )
}

/// The revision the page was based on; a form without one can only be stale.
fn revision_sent(values: &Values) -> i64 {
    values
        .get("revision")
        .and_then(|r| r.parse().ok())
        .unwrap_or(-1)
}

/// Back to the overview after a button on it: done, or the overview again saying why not.
async fn after_overview_action(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
    result: Result<(), ServiceError>,
    done: &str,
) -> Result<Response, WebError> {
    let (status, errors) = match result {
        Ok(()) => {
            let to = format!("{}?done={done}", overview_address(reference));
            return Ok(Redirect::to(&to).into_response());
        }
        Err(ServiceError::Conflict { .. }) => (
            StatusCode::CONFLICT,
            FormErrors::one(
                "plan",
                "Someone else saved the plan after you opened this page: check it below, then try \
                 again",
            ),
        ),
        Err(ServiceError::Invalid(problems)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, about_the_plan(problems))
        }
        Err(other) => return Err(other.into()),
    };
    let view = plan_view(state, user, reference).await?;
    let page = overview_page(state, user, &view, None, &errors)?;
    Ok(html(status, page.render()?))
}

/// `POST /cases/{reference}/plan/issue-draft`: issue the working plan as a draft.
pub(crate) async fn issue_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference_text): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let result = state
        .services()
        .issue_draft_plan(
            &user.caller(Source::Form),
            &reference,
            revision_sent(&values),
        )
        .await;
    after_overview_action(&state, &user, &reference, result.map(drop), "draft").await
}

/// `POST /cases/{reference}/plan/ask-sign-off`: put the plan on the signers' list.
pub(crate) async fn ask_sign_off(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference_text): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let note = values.get("note").map_or("", String::as_str);
    let result = state
        .services()
        .request_sign_off(
            &user.caller(Source::Form),
            &reference,
            revision_sent(&values),
            note,
        )
        .await;
    after_overview_action(&state, &user, &reference, result, "sign_off").await
}

/// `GET /cases/{reference}/plan/issue-final`: the sign-off of the final plan.
pub(crate) async fn final_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference_text): Path<String>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let view = plan_view(&state, &user, &reference).await?;
    if !view.may_issue_final {
        return Err(WebError::Forbidden);
    }
    let page = final_page(&state, &user, &view, &Values::new(), &FormErrors::default())?;
    Ok(html(StatusCode::OK, page.render()?))
}

fn final_page(
    state: &AppState,
    user: &CurrentUser,
    view: &PlanView,
    typed: &Values,
    errors: &FormErrors,
) -> Result<FormPage, WebError> {
    let reference = &view.case.record.reference;
    let name = case_child_name(&view.case.case_file());
    let mut intro = vec![Html::trusted(format!(
        "<p class=\"govuk-body\">The plan as saved (revision {}) is issued as the final plan, \
         dated today, and recorded on the case. Its score as a final plan is {} out of 100 \
         ({}).</p>",
        view.revision(),
        view.as_final.score,
        view.as_final.grade
    ))];
    let mut fields = Vec::new();
    let findings: Vec<_> = blocking(&view.as_final).collect();
    if findings.is_empty() {
        intro.push(Html::trusted(
            "<p class=\"govuk-body\">The checks found nothing that blocks issuing.</p>".to_owned(),
        ));
    }
    for finding in findings {
        let key = finding_key(finding);
        let name = format!("acknowledge-{key}");
        let item = finding
            .item
            .as_deref()
            .map_or(String::new(), |i| format!(", item {i}"));
        fields.push(textarea(
            &name,
            &format!(
                "{} {}: {}{item}",
                finding.rule,
                finding.rule.title(),
                finding.section.describe()
            ),
            &format!(
                "{} Say why the plan is issued with this finding.",
                finding.message
            ),
            typed.get(&name).map_or("", String::as_str),
            errors,
        )?);
    }
    if !view.comments.is_empty() {
        intro.push(Html::trusted(
            "<h2 class=\"govuk-heading-m\">The family’s comments on the draft</h2>".to_owned(),
        ));
        intro.push(plan_comments::for_staff(&view.comments, &view.versions)?);
    }
    let today = state.today();
    if let Some(ends) = view.comment_period_ends.filter(|ends| today <= *ends) {
        intro.push(Html::render(&WarningText {
            text: Some(format!(
                "The family can comment on the draft plan until {}. Issue the final plan before \
                 then only for a good reason.",
                dates::long(ends)
            )),
            icon_fallback_text: Some("Warning".into()),
            ..WarningText::default()
        })?);
        fields.push(textarea(
            "early_reason",
            "Why the final plan is issued before the comment period ends",
            "For example, the family has told you in writing that they have no comments",
            typed.get("early_reason").map_or("", String::as_str),
            errors,
        )?);
    }
    Ok(FormPage {
        layout: Layout::signed_in(user, format!("Issue the final plan for {name}"), NAV)
            .with_errors(!errors.is_empty()),
        back_link: back_link(&overview_address(reference), "Back to the plan")?,
        caption: format!("EHC plan for {name}, case {reference}"),
        heading: "Sign off and issue the final plan".into(),
        error_summary: errors.summary()?,
        notices: Vec::new(),
        intro,
        action: format!("{}/issue-final", overview_address(reference)),
        csrf_token: user.csrf_token(),
        hidden: vec![("revision", view.revision().to_string())],
        fields,
        buttons: vec![button("Issue the final plan", None, None)?],
        cancel: overview_address(reference),
    })
}

/// `POST /cases/{reference}/plan/issue-final`: sign off and issue the final plan.
pub(crate) async fn issue_final(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference_text): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let sign_off = SignOff {
        acknowledgements: values
            .iter()
            .filter_map(|(k, v)| {
                Some(Acknowledgement {
                    finding: k.strip_prefix("acknowledge-")?.to_owned(),
                    reason: v.clone(),
                })
            })
            .collect(),
        early_reason: values.get("early_reason").cloned(),
    };
    let result = state
        .services()
        .issue_final_plan(
            &user.caller(Source::Form),
            &reference,
            revision_sent(&values),
            sign_off,
        )
        .await;
    let (status, errors) = match result {
        Ok(_) => {
            let to = format!("{}?done=final", overview_address(&reference));
            return Ok(Redirect::to(&to).into_response());
        }
        Err(ServiceError::Invalid(problems)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, FormErrors::new(problems))
        }
        Err(ServiceError::Conflict { .. }) => (
            StatusCode::CONFLICT,
            FormErrors::one(
                "plan",
                "Someone saved the plan after you opened this page: check the findings below \
                 again, then issue",
            ),
        ),
        Err(other) => return Err(other.into()),
    };
    let view = plan_view(&state, &user, &reference).await?;
    let page = final_page(&state, &user, &view, &values, &errors)?;
    Ok(html(status, page.render()?))
}

/// A section of an issued version, as printed.
struct PrintedSection {
    title: String,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "pages/ehc-plan-print.html")]
struct PrintPage {
    layout: Layout,
    back: Option<(String, &'static str)>,
    name: String,
    reference: String,
    kind: &'static str,
    issued: String,
    sections: Vec<PrintedSection>,
    /// Said instead of the plan when there is none to show.
    missing: Option<&'static str>,
    /// The PDF copy's address, when Tandem was built with the `pdf` feature.
    pdf: Option<String>,
}

fn print_page(
    layout: Layout,
    back: Option<(String, &'static str)>,
    name: String,
    reference: &Reference,
    version: &PlanVersion,
    pdf: String,
) -> PrintPage {
    PrintPage {
        layout,
        back,
        name,
        reference: reference.to_string(),
        kind: kind_label(version.kind),
        issued: version.plan.issued_on.map_or_else(String::new, dates::long),
        sections: version
            .plan
            .rendered()
            .into_iter()
            .map(|(section, lines)| PrintedSection {
                title: capitalised(&section.describe()),
                lines,
            })
            .collect(),
        missing: None,
        pdf: cfg!(feature = "pdf").then_some(pdf),
    }
}

/// The child's name and issued version `number` of the case's plan, for its staff.
async fn listed_version(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
    number: &str,
) -> Result<(String, PlanVersion), WebError> {
    let view = plan_view(state, user, reference).await?;
    let found = number
        .parse::<i64>()
        .ok()
        .and_then(|n| view.versions.into_iter().find(|v| v.number == n))
        .ok_or(WebError::NotFound)?;
    Ok((case_child_name(&view.case.case_file()), found))
}

/// The child's name and the latest plan issued on the case, as the family reads it.
async fn issued_version(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
) -> Result<Option<(String, PlanVersion)>, WebError> {
    let found = state
        .services()
        .issued_plan(&user.caller(Source::Form), reference)
        .await?;
    Ok(found.map(|(case, version)| (case_child_name(&case.case_file()), version)))
}

/// `GET /cases/{reference}/plan/versions/{number}`: an issued version, to read and print.
pub(crate) async fn version(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference_text, number)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let (name, found) = listed_version(&state, &user, &reference, &number).await?;
    let page = print_page(
        Layout::signed_in(&user, format!("{} for {name}", kind_label(found.kind)), NAV),
        Some((overview_address(&reference), "Back to the plan")),
        name,
        &reference,
        &found,
        format!(
            "{}/versions/{}/pdf",
            overview_address(&reference),
            found.number
        ),
    );
    Ok(html(StatusCode::OK, page.render()?))
}

/// `GET /cases/{reference}/plan/issued`: the family's reading of the latest plan issued.
pub(crate) async fn issued(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference_text): Path<String>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let found = issued_version(&state, &user, &reference).await?;
    let back = Some((format!("/cases/{reference}"), "Back to your child’s case"));
    let page = match found {
        Some((name, version)) => {
            let title = format!("{} for {name}", kind_label(version.kind));
            print_page(
                Layout::signed_in(&user, title, NAV),
                back,
                name,
                &reference,
                &version,
                format!("{}/issued/pdf", overview_address(&reference)),
            )
        }
        // A plan issued outside Tandem (its event recorded by hand) was sent to the family.
        None => PrintPage {
            layout: Layout::signed_in(&user, "The plan", NAV),
            back,
            name: String::new(),
            reference: reference.to_string(),
            kind: "EHC plan",
            issued: String::new(),
            sections: Vec::new(),
            missing: Some(
                "The plan is not in Tandem yet. The council sends it to you by post or email; \
                 ask your case manager if you have not received it.",
            ),
            pdf: None,
        },
    };
    Ok(html(StatusCode::OK, page.render()?))
}

/// One row of a comparison table.
struct CompareRow {
    before: Option<String>,
    after: Option<String>,
    change: &'static str,
}

struct ComparedSection {
    title: String,
    rows: Vec<CompareRow>,
    changed: bool,
}

#[derive(Template)]
#[template(path = "pages/ehc-plan-compare.html")]
struct ComparePage {
    layout: Layout,
    reference: String,
    name: String,
    before: String,
    after: String,
    choices: Vec<(String, String)>,
    from: String,
    to: String,
    sections: Vec<ComparedSection>,
}

#[derive(Deserialize)]
pub(crate) struct CompareParams {
    from: Option<String>,
    to: Option<String>,
}

/// `GET /cases/{reference}/plan/compare?from=1&to=working`: two versions side by side.
pub(crate) async fn compare_versions(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference_text): Path<String>,
    Query(params): Query<CompareParams>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let view = plan_view(&state, &user, &reference).await?;
    let pick = |chosen: &str| -> Option<(String, &Plan)> {
        if chosen == "working" {
            return Some(("The plan as saved now".to_owned(), &view.plan));
        }
        let number: i64 = chosen.parse().ok()?;
        let v = view.versions.iter().find(|v| v.number == number)?;
        Some((format!("{} {}", kind_label(v.kind), v.number), &v.plan))
    };
    let default_from = view
        .versions
        .last()
        .map_or_else(|| "working".to_owned(), |v| v.number.to_string());
    let from = params.from.unwrap_or(default_from);
    let to = params.to.unwrap_or_else(|| "working".to_owned());
    let ((before, old), (after, new)) = pick(&from).zip(pick(&to)).ok_or(WebError::NotFound)?;
    let sections = compare(old, new)
        .into_iter()
        .map(|(section, lines)| ComparedSection {
            title: capitalised(&section.describe()),
            changed: lines.iter().any(|l| l.change != Change::Same),
            rows: lines
                .into_iter()
                .map(|l| CompareRow {
                    change: match l.change {
                        Change::Same => "same",
                        Change::Added => "added",
                        Change::Removed => "removed",
                        Change::Changed => "changed",
                    },
                    before: l.before,
                    after: l.after,
                })
                .collect(),
        })
        .collect();
    let mut choices = vec![("working".to_owned(), "The plan as saved now".to_owned())];
    choices.extend(view.versions.iter().map(|v| {
        (
            v.number.to_string(),
            format!("{} {}", kind_label(v.kind), v.number),
        )
    }));
    let name = case_child_name(&view.case.case_file());
    let page = ComparePage {
        layout: Layout::signed_in(&user, format!("Compare plans for {name}"), NAV),
        reference: reference.to_string(),
        name,
        before,
        after,
        choices,
        from,
        to,
        sections,
    };
    Ok(html(StatusCode::OK, page.render()?))
}
