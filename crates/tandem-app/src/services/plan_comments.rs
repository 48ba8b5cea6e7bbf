//! The family's say on a draft plan: SEND Regulations 2014, reg 13(1), gives the parent or
//! young person at least 15 days from the day the draft is served to make representations
//! about it, to ask for a school or other institution to be named, and to ask for a meeting
//! with an officer of the council. Comments are kept against the draft version they are about
//! and shown to the case's staff beside the plan and at sign-off.
//!
//! A comment made after the 15 days is still taken (the council may consider it, and the final
//! plan may not be issued yet) but marked as late for the staff who read it.

use serde_json::json;
use tandem_core::input::{self, MAX_LABEL, MAX_TEXT};
use tandem_core::notifications::{self, Audience};
use tandem_core::plan::{PlanStatus, Section, comment_period_ends};
use tandem_core::{Action, Date, Reference};
use tandem_store::{NewPlanComment, PlanComment, StoredCase};

use super::cases::finish;
use super::{Caller, FieldError, ServiceError, Services};

/// What a parent or young person writes about the draft plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftComment {
    /// The section it is about, or `None` for the plan as a whole.
    pub section: Option<Section>,
    /// What they want to say.
    pub body: String,
    /// The school or setting they would like named in section I (empty for none).
    pub preferred_setting: String,
    /// Whether they ask to meet the council about the draft.
    pub wants_meeting: bool,
}

/// The draft a family may comment on, and what they have said so far.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftForComment {
    /// The case.
    pub case: StoredCase,
    /// The draft version open for comment: the latest issued, while no final plan is.
    pub draft: Option<i64>,
    /// The first and last day of the 15 days, for that draft.
    pub period: Option<(Date, Date)>,
    /// The caller's own comments on the case's drafts, oldest first.
    pub comments: Vec<PlanComment>,
}

impl Services {
    /// The draft the caller (a parent or young person linked to the case) may comment on, with
    /// their comments so far.
    pub async fn draft_for_comment(
        &self,
        caller: &Caller,
        reference: &Reference,
    ) -> Result<DraftForComment, ServiceError> {
        let (mut tx, case, _) = self
            .load_for(caller, Action::CommentOnDraft, reference)
            .await?;
        let versions = tx.plan_versions(case.record.id).await?;
        let draft = open_draft(&versions);
        let comments = tx
            .plan_comments(case.record.id)
            .await?
            .into_iter()
            .filter(|c| c.author_id == caller.actor.id)
            .collect();
        let detail = caller.detail(json!({ "draft": draft.map(|(number, _)| number) }));
        finish(tx, caller, "plan.comments.view", reference, detail).await?;
        Ok(DraftForComment {
            case,
            draft: draft.map(|(number, _)| number),
            period: draft.map(|(_, served)| (served, comment_period_ends(served))),
            comments,
        })
    }

    /// Keeps the caller's comment on the case's open draft and tells the case manager. Refused,
    /// saving nothing, when there is no draft open for comment (none issued, or the final plan
    /// issued) or when the comment says nothing or too much.
    pub async fn comment_on_draft(
        &self,
        caller: &Caller,
        reference: &Reference,
        comment: DraftComment,
    ) -> Result<i64, ServiceError> {
        let (mut tx, case, _) = self
            .load_for(caller, Action::CommentOnDraft, reference)
            .await?;
        let versions = tx.plan_versions(case.record.id).await?;
        let checked = match open_draft(&versions) {
            None => Err(ServiceError::Invalid(vec![FieldError::new(
                "body",
                if versions.iter().any(|v| v.kind.is_final()) {
                    "The final plan has been issued, so the draft is closed for comments. \
                     Send a message to your case manager instead"
                } else {
                    "There is no draft plan to comment on yet"
                },
            )])),
            Some((version, _)) => checked_comment(version, comment),
        };
        let comment = match checked {
            Ok(comment) => comment,
            Err(refused) => {
                tx.rollback().await?;
                return Err(refused);
            }
        };
        let id = tx
            .add_plan_comment(case.record.id, caller.actor.id, &comment)
            .await?;
        let notice = notifications::plan_comment(reference, id, Audience::CaseManager);
        self.queue(&mut tx, &notice).await?;
        let detail = caller.detail(json!({
            "comment": id,
            "version": comment.version,
            "section": comment.section.map(Section::as_str),
            "preferred_setting": comment.preferred_setting.is_some(),
            "wants_meeting": comment.wants_meeting,
        }));
        finish(tx, caller, "plan.comment", reference, detail).await?;
        Ok(id)
    }
}

/// Whether a comment made on `made` on a draft served on `served` came after the 15 days.
pub fn after_comment_period(served: Date, made: Date) -> bool {
    made > comment_period_ends(served)
}

/// The latest issued version, with the day it was served, if it is a draft (no final plan yet).
fn open_draft(versions: &[tandem_store::PlanVersion]) -> Option<(i64, Date)> {
    let latest = versions.last()?;
    (latest.kind == PlanStatus::Draft).then(|| {
        let served = latest
            .plan
            .issued_on
            .unwrap_or_else(|| tandem_core::dates::england_date(latest.issued_at));
        (latest.number, served)
    })
}

/// The comment trimmed and checked: it must say something (a comment, a setting or a request
/// to meet), within the limits on what people type.
fn checked_comment(version: i64, comment: DraftComment) -> Result<NewPlanComment, ServiceError> {
    let body = comment.body.trim().to_owned();
    let setting = comment.preferred_setting.trim().to_owned();
    let mut problems = Vec::new();
    if body.is_empty() && setting.is_empty() && !comment.wants_meeting {
        problems.push(FieldError::new(
            "body",
            "Enter your comment, name the school or setting you would like, or ask for a meeting",
        ));
    }
    if let Err(problem) = input::check_text(&body, MAX_TEXT, true) {
        problems.push(FieldError::new("body", problem.message("Your comment")));
    }
    if let Err(problem) = input::check_text(&setting, MAX_LABEL, false) {
        problems.push(FieldError::new(
            "preferred_setting",
            problem.message("The school or setting"),
        ));
    }
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(problems));
    }
    Ok(NewPlanComment {
        version,
        section: comment.section,
        body,
        preferred_setting: Some(setting).filter(|s| !s.is_empty()),
        wants_meeting: comment.wants_meeting,
    })
}
