//! Synthetic survey history, for the demonstration and the browser journeys: past terms of links
//! sent and anonymous responses, so that response rates and the term-on-term trend show from the
//! first day. Links go to the cases that reached the survey's moment (a different share of them
//! each term), addressed to one given account, and are never emailed; each term's answers are a
//! little more positive than the last. Deterministic for a seed.

use chrono::Duration;
use tandem_core::input::EARLIEST;
use tandem_core::plan::audit::Term;
use tandem_core::surveys::{Answer, DEFAULT_LINK_DAYS, QuestionKind, Survey};
use tandem_core::{Date, UserId};
use tandem_store::{NewSurveyLink, Store, StoreError};

use crate::accounts::digest;
use crate::generate::Dice;

/// Keeps the stream of these draws apart from the case histories'.
const STREAM: u64 = 0x5012_7E75;

/// What families and partners write, drawn at random.
const SAID: [&str; 6] = [
    "It took a long time to hear back after we sent the forms.",
    "The case officer rang us back every time, which made a real difference.",
    "We were not sure what would happen next or when.",
    "The school's views were listened to and are in the plan.",
    "More notice of meetings, please.",
    "The letter was clear about our right to appeal.",
];

/// Links sent and responses stored for `survey` in each of `terms`: up to `per_term` links a
/// term, addressed to `to`, a share of them answered. Returns how many responses were stored.
pub async fn survey_history(
    store: &Store,
    survey: &Survey,
    terms: &[Term],
    per_term: usize,
    to: UserId,
    seed: u64,
) -> Result<u64, StoreError> {
    let until = terms.last().map_or(EARLIEST, |t| t.last_day());
    let mut read = store.begin_snapshot_at(chrono::Utc::now()).await?;
    let cases = read
        .cases_with_event_between(survey.moment.event_type().as_str(), EARLIEST, until)
        .await?;
    drop(read);
    let mut dice = Dice::for_case(seed ^ STREAM, u64::try_from(survey.id).unwrap_or(0));
    let mut stored = 0;
    for ((index, term), chunk) in terms.iter().enumerate().zip(cases.chunks(per_term.max(1))) {
        // Half-way through the term, at noon.
        let middle = term.first_day() + Duration::days(45);
        let sent_at = middle.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
        let mut tx = store.begin_at(sent_at).await?;
        let term_key = term.key();
        let improvement = 0.1 * index as f64;
        for (n, (case_id, _)) in chunk.iter().enumerate() {
            let token_hash = digest(
                "tandem synthetic survey link",
                &format!("{seed}:{}:{term_key}:{n}", survey.id),
            );
            let link = NewSurveyLink {
                survey_id: survey.id,
                case_id: *case_id,
                user_id: to,
                token_hash: &token_hash,
                term: &term_key,
                expires_at: sent_at + Duration::days(i64::from(DEFAULT_LINK_DAYS)),
            };
            if !tx.create_survey_link(&link).await? || !dice.chance(0.55 + improvement) {
                continue;
            }
            tx.use_survey_link(&token_hash).await?;
            let answers: Vec<(i64, Answer)> = survey
                .questions
                .iter()
                .filter_map(|q| match q.kind {
                    QuestionKind::Scale => {
                        Some((q.id, Answer::Scale(point(&mut dice, improvement))))
                    }
                    QuestionKind::Text if dice.chance(0.4) => {
                        let said =
                            SAID[usize::try_from(dice.below(SAID.len() as u64)).unwrap_or(0)];
                        Some((q.id, Answer::Text(said.to_owned())))
                    }
                    QuestionKind::Text => None,
                })
                .collect();
            let key = digest("tandem synthetic survey response", &token_hash);
            tx.record_survey_response(&key, survey.id, &term_key, &answers)
                .await?;
            stored += 1;
        }
        tx.commit().await?;
    }
    Ok(stored)
}

/// A point on the agreement scale, more often agreeing as `improvement` grows.
fn point(dice: &mut Dice, improvement: f64) -> u8 {
    let roll = dice.unit() + improvement;
    match roll {
        r if r < 0.1 => 1,
        r if r < 0.25 => 2,
        r if r < 0.45 => 3,
        r if r < 0.8 => 4,
        _ => 5,
    }
}

/// The `count` terms before the one `today` is in, oldest first.
pub fn terms_before(today: Date, count: usize) -> Vec<Term> {
    let mut terms = Vec::with_capacity(count);
    let mut term = Term::containing(today);
    for _ in 0..count {
        term = term.previous();
        terms.push(term);
    }
    terms.reverse();
    terms
}
