//! Reading an improvement plan from CSV: the example plan, and each kind of bad row.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use tandem_app::interchange::improvement_plan::read;
use tandem_core::dates::parse_iso;
use tandem_core::improvement_plan::ActionStatus;

const HEADER: &str = "priority,objective,item,text,owner,due,status,metric\n";

fn problems(body: &str) -> Vec<String> {
    read(format!("{HEADER}{body}").as_bytes())
        .unwrap_err()
        .iter()
        .map(|p| p.located("plan.csv"))
        .collect()
}

#[test]
fn the_example_plan_reads_in_plan_order() {
    let text = include_str!("../../../examples/improvement-plan.csv");
    let plan = read(text.as_bytes()).unwrap();
    assert_eq!(plan.priorities.len(), 2);
    let first = &plan.priorities[0];
    let objectives: Vec<&str> = first.objectives.iter().map(|o| o.title.as_str()).collect();
    assert_eq!(
        objectives,
        [
            "Clear the backlog",
            "Plans issued within 20 weeks",
            "Good quality plans",
            "A skilled and stable team",
            "One case management system"
        ]
    );
    let timeliness = &first.objectives[1];
    assert_eq!(timeliness.actions.len(), 5);
    assert_eq!(timeliness.measures.len(), 4);
    assert_eq!(
        timeliness.measures[0].metric.as_deref(),
        Some("final_plans_within_20_weeks_excl_exceptions")
    );
    assert_eq!(timeliness.measures[3].metric, None);
    assert_eq!(timeliness.actions[0].status, ActionStatus::InProgress);
    assert_eq!(timeliness.actions[0].due, parse_iso("2021-03-31").unwrap());
    // Quoted titles with commas keep them.
    assert_eq!(
        plan.priorities[1].objectives[0].title,
        "Shared vision, strategy and governance"
    );
    // On 1 January 2021: the unfinished actions due before then.
    let overdue = plan.overdue(parse_iso("2021-01-01").unwrap());
    let owners: Vec<&str> = overdue.iter().map(|(_, _, a)| a.owner.as_str()).collect();
    assert_eq!(
        owners,
        [
            "Head of SEND",
            "Designated Medical Officer",
            "Head of Schools ICT"
        ]
    );
}

#[test]
fn a_good_row_of_each_kind() {
    let plan = read(
        format!(
            "{HEADER}P,O,action,Do it,Head of SEND,31/01/2021,not_started,\n\
             P,O,measure,It is done,,,,review_meetings_on_time\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let objective = &plan.priorities[0].objectives[0];
    assert_eq!(objective.actions[0].due, parse_iso("2021-01-31").unwrap());
    assert_eq!(objective.actions[0].owner, "Head of SEND");
    assert_eq!(
        objective.measures[0].metric.as_deref(),
        Some("review_meetings_on_time")
    );
}

#[test]
fn columns_may_come_in_any_order_and_case_but_must_be_known() {
    let text = "Item , TEXT,objective,priority\nmeasure,Known,O,P\n";
    assert_eq!(read(text.as_bytes()).unwrap().priorities.len(), 1);
    let text = "item,text,objective,priority,colour\nmeasure,Known,O,P,red\n";
    let found: Vec<String> = read(text.as_bytes())
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found, ["line 1: unknown column \"colour\""]);
    let found: Vec<String> = read("item,text,objective\n".as_bytes())
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found, ["line 1: missing column \"priority\""]);
}

#[test]
fn every_bad_row_is_reported_with_its_line() {
    let found = problems(
        "P,O,task,Do it,Owner,2021-01-31,done,\n\
         ,O,action,Do it,Owner,2021-01-31,done,\n\
         P,,measure,,,,,\n\
         P,O,action,Do it,,,,\n\
         P,O,action,Do it,Owner,2021-02-30,finished,\n\
         P,O,action,Do it,Owner,2021-01-31,done,final_plans_issued\n\
         P,O,measure,Known,Owner,2021-01-31,,\n\
         P,O,measure,Known,,,,plans_on_time\n\
         P,O,action,Do it,Owner\n\
         P,O,measure,Fine,,,,\n",
    );
    let (last, found) = found.split_last().unwrap();
    assert!(
        last.starts_with("plan.csv:10: unreadable row:") && last.contains("5 fields"),
        "{last}"
    );
    assert_eq!(
        found,
        [
            "plan.csv:2: item must be \"action\" or \"measure\", not \"task\"",
            "plan.csv:3: priority is empty",
            "plan.csv:4: objective is empty",
            "plan.csv:4: text is empty",
            "plan.csv:5: an action needs an owner",
            "plan.csv:5: an action needs a due date",
            "plan.csv:5: an action needs a status",
            "plan.csv:6: due \"2021-02-30\" is not a real date (YYYY-MM-DD or DD/MM/YYYY)",
            "plan.csv:6: status \"finished\" is not one of not_started, in_progress, done, dropped",
            "plan.csv:7: only a measure can be linked to a metric",
            "plan.csv:8: a measure has no owner; only actions do",
            "plan.csv:8: a measure has no due; only actions do",
            "plan.csv:9: metric \"plans_on_time\" is not a dashboard rate; use one of final_plans_within_20_weeks_excl_exceptions, final_plans_within_20_weeks_incl_exceptions, decisions_to_assess_within_6_weeks, advice_within_6_weeks.all, advice_within_6_weeks.education, advice_within_6_weeks.health, advice_within_6_weeks.social_care, advice_within_6_weeks.educational_psychology, advice_within_6_weeks.parent, advice_within_6_weeks.preparing_for_adulthood, advice_within_6_weeks.other, review_meetings_on_time, review_decisions_within_4_weeks, amended_plans_within_8_weeks",
        ]
    );
}

#[test]
fn a_broken_quote_stops_the_read_with_its_line() {
    let found = problems("P,O,measure,\"unterminated,,,,\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("plan.csv:2: unreadable row"),
        "{found:?}"
    );
}
