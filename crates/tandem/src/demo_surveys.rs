//! The demo's surveys: families after the final plan and partners after the decision whether to
//! assess, with responses from the two terms before this one, so that the survey page shows
//! response rates and a trend from the start (the history's links are never emailed), and what
//! the service did about each ("you said, we did"), linked to the improvement plan.

use tandem_app::generate_surveys::{survey_history, terms_before};
use tandem_app::services::{Caller, Services, Source, SurveyDraft, YouSaidDraft};
use tandem_core::Role;
use tandem_core::surveys::{Moment, SurveyAudience};
use tandem_store::Store;

use crate::cli_error::CliError;
use crate::timeline::today;

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::Internal(anyhow::anyhow!("the demo surveys: {e}"))
}

/// A demo survey, who answers it, and what the service did about the answers.
struct DemoSurvey {
    draft: SurveyDraft,
    answering: Role,
    you_said: &'static str,
    we_did: &'static str,
}

/// The demo's surveys.
fn surveys() -> [DemoSurvey; 2] {
    [
        DemoSurvey {
            draft: SurveyDraft {
                title: "How was your EHC plan?".into(),
                moment: Some(Moment::AfterFinalPlan),
                audience: Some(SurveyAudience::Families),
                scale_questions: "We were listened to\nThe plan describes our child well\nWe knew what would happen next".into(),
                text_questions: "What could we have done better?".into(),
            },
            answering: Role::Parent,
            you_said: "Families did not know what would happen after the request, or when.",
            we_did: "Every family now gets a letter at each step saying what comes next and by \
                     when, and can see the same on their page in Tandem.",
        },
        DemoSurvey {
            draft: SurveyDraft {
                title: "Working with us on assessments".into(),
                moment: Some(Moment::AfterDecision),
                audience: Some(SurveyAudience::Partners),
                scale_questions: "We asked for advice in good time\nOur advice was used".into(),
                text_questions: "What would help your service?".into(),
            },
            answering: Role::HealthProfessional,
            you_said: "Health services could not tell which of their advice reached the plan.",
            we_did: "Each plan section now names the advice it comes from, and advisers are told \
                     when the draft plan is ready to read.",
        },
    ]
}

/// Adds the surveys with two past terms of responses and a "you said, we did" each, linked to
/// the improvement plan's first actions in turn (the plan must be in place first).
pub(crate) async fn create(store: &Store) -> Result<(), CliError> {
    let user = |role: Role| async move {
        store
            .user_by_email(&format!("{}@demo.test", role.as_str()))
            .await
    };
    let Some(head) = user(Role::HeadOfService).await? else {
        return Ok(());
    };
    let services = Services::new(store.clone());
    let head = Caller::new(head.actor(), Source::Form);
    let plan = services.improvement_plan(&head).await.map_err(failed)?;
    let mut actions = plan.plan.actions().filter_map(|(_, _, a)| a.id);
    let terms = terms_before(today(), 2);
    for survey in surveys() {
        let Some(to) = user(survey.answering).await? else {
            continue;
        };
        let id = services
            .create_survey(&head, &survey.draft)
            .await
            .map_err(failed)?;
        let overview = services.survey_results(&head).await.map_err(failed)?;
        let Some(added) = overview.surveys.into_iter().find(|s| s.survey.id == id) else {
            return Err(failed("the survey just added is missing"));
        };
        survey_history(store, &added.survey, &terms, 60, to.id, 2026).await?;
        let said = YouSaidDraft {
            you_said: survey.you_said.into(),
            we_did: survey.we_did.into(),
            action: actions.next(),
        };
        services
            .record_you_said_we_did(&head, id, &said)
            .await
            .map_err(failed)?;
    }
    Ok(())
}
