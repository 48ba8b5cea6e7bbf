//! The communications log: messages kept in order, answered once, listed while they wait, and
//! counted by how they were answered.

use tandem_core::Role;
use tandem_core::messages::{Channel, Direction, ReplyTimes};
use tandem_store::NewMessage;
use tandem_test_support::{Ctx, contract};

use crate::helpers::*;

contract!(messages_are_answered_once_and_counted);

async fn messages_are_answered_once_and_counted(ctx: Ctx) {
    let store = &ctx.store;
    let parent = add_user(store, "parent@example.test", Role::Parent, None).await;
    let manager = add_user(store, "cm@example.test", Role::CaseManager, None).await;
    let case = open(store, requested("EHC-M", "2026-11-02"), at("2026-11-02")).await;
    let incoming = |body: &str, day: &str, due: &str| NewMessage {
        case_id: case.id,
        direction: Direction::Incoming,
        channel: Channel::Portal,
        author_id: Some(parent),
        counterpart: None,
        body: body.to_owned(),
        sent_at: at(day),
        response_due: Some(date(due)),
    };
    let mut tx = store.begin_at(at("2026-12-04")).await.expect("begin");
    let first = tx
        .add_message(&incoming("First", "2026-12-01", "2026-12-04"), parent)
        .await
        .expect("add");
    let second = tx
        .add_message(&incoming("Second", "2026-12-02", "2026-12-07"), parent)
        .await
        .expect("add");
    let reply = NewMessage {
        direction: Direction::Outgoing,
        author_id: Some(manager),
        body: "Answer".into(),
        sent_at: at("2026-12-04"),
        response_due: None,
        ..incoming("", "2026-12-04", "2026-12-04")
    };
    let answer = tx.add_message(&reply, manager).await.expect("add");
    assert!(tx.mark_replied(case.id, first, answer).await.expect("mark"));
    // Answered once only; an outgoing message or another case's id is not waiting.
    assert!(!tx.mark_replied(case.id, first, answer).await.expect("mark"));
    assert!(
        !tx.mark_replied(case.id, answer, answer)
            .await
            .expect("mark")
    );
    assert!(
        !tx.mark_replied(case.id + 1, second, answer)
            .await
            .expect("mark")
    );
    let log = tx.case_messages(case.id).await.expect("log");
    tx.commit().await.expect("commit");

    let bodies: Vec<&str> = log.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["First", "Second", "Answer"]);
    assert_eq!(log[0].replied_by, Some(answer));
    assert_eq!(
        log[0].author_name.as_deref(),
        Some("User parent@example.test")
    );
    assert_eq!(log[0].reference.as_str(), "EHC-M");

    let waiting = store.awaiting_reply().await.expect("duty");
    assert_eq!(waiting.iter().map(|m| m.id).collect::<Vec<_>>(), [second]);

    let times = store
        .reply_times(date("2026-12-01"), date("2026-12-31"), date("2026-12-08"))
        .await
        .expect("times");
    assert_eq!(
        times,
        ReplyTimes {
            received: 2,
            answered_on_time: 1,
            answered_late: 0,
            awaiting_overdue: 1,
            awaiting_in_time: 0,
        }
    );
    let november = store
        .reply_times(date("2026-11-01"), date("2026-11-30"), date("2026-12-08"))
        .await
        .expect("times");
    assert_eq!(november.received, 0);
}
