//! Accounts, sessions and sign-in attempts.

use tandem_core::Role;
use tandem_store::{NewUser, StoreError};
use tandem_test_support::{Ctx, contract};

use crate::helpers::*;

contract!(accounts_sessions_and_sign_in_attempts,);

async fn accounts_sessions_and_sign_in_attempts(ctx: Ctx) {
    let store = &ctx.store;
    let id = add_user(
        store,
        " Head@Example.TEST ",
        Role::HeadOfService,
        Some("north"),
    )
    .await;
    let user = store
        .user_by_email("head@example.test")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(user.id, id);
    assert_eq!(user.email, "head@example.test");
    assert_eq!(user.role, Role::HeadOfService);
    assert_eq!(user.actor().team.as_deref(), Some("north"));
    assert!(!user.disabled);

    let mut tx = store.begin().await.expect("begin");
    let error = tx
        .create_user(&NewUser {
            email: "HEAD@example.test".into(),
            name: "Someone else".into(),
            password_hash: "x".into(),
            role: Role::Admin,
            team: None,
            provider: None,
        })
        .await
        .expect_err("duplicate email");
    assert!(matches!(error, StoreError::DuplicateEmail), "{error:?}");
    drop(tx);

    let mut tx = store.begin().await.expect("begin");
    tx.set_user_role(id, Role::TeamManager, None)
        .await
        .expect("role");
    tx.set_password_hash(id, "new-hash")
        .await
        .expect("password");
    tx.commit().await.expect("commit");
    let user = store.user(id).await.expect("read").expect("found");
    assert_eq!((user.role, user.team.as_deref()), (Role::TeamManager, None));
    assert_eq!(user.password_hash, "new-hash");
    assert_eq!(store.users().await.expect("users").len(), 1);

    // Sessions: absolute expiry, idle expiry, revocation, disabled accounts.
    let now = at("2026-03-01");
    let idle = chrono::Duration::minutes(30);
    let mut tx = store.begin_at(now).await.expect("begin");
    let session = tx
        .create_session("hash-1", id, now + chrono::Duration::hours(8))
        .await
        .expect("session");
    tx.create_session("hash-2", id, now + chrono::Duration::hours(8))
        .await
        .expect("session");
    tx.commit().await.expect("commit");
    let (found, found_user) = store
        .session("hash-1", now + chrono::Duration::minutes(10), idle)
        .await
        .expect("read")
        .expect("live");
    assert_eq!((found.id, found_user.id), (session, id));
    assert!(
        store
            .session("nope", now, idle)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        store
            .session("hash-1", now + chrono::Duration::minutes(31), idle)
            .await
            .expect("read")
            .is_none(),
        "idle too long"
    );
    store
        .touch_session(session, now + chrono::Duration::minutes(25))
        .await
        .expect("touch");
    assert!(
        store
            .session("hash-1", now + chrono::Duration::minutes(50), idle)
            .await
            .expect("read")
            .is_some(),
        "touched"
    );
    assert!(
        store
            .session(
                "hash-1",
                now + chrono::Duration::hours(9),
                chrono::Duration::hours(24)
            )
            .await
            .expect("read")
            .is_none(),
        "past absolute expiry"
    );
    let mut tx = store.begin().await.expect("begin");
    assert_eq!(tx.revoke_session("hash-1").await.expect("revoke"), 1);
    tx.commit().await.expect("commit");
    assert!(
        store
            .session("hash-1", now, idle)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        store
            .session("hash-2", now, idle)
            .await
            .expect("read")
            .is_some()
    );
    let mut tx = store.begin().await.expect("begin");
    tx.set_user_disabled(id, true).await.expect("disable");
    tx.commit().await.expect("commit");
    assert!(
        store
            .session("hash-2", now, idle)
            .await
            .expect("read")
            .is_none()
    );
    assert!(store.user(id).await.expect("read").expect("found").disabled);

    // Sign-in attempts: failures counted since a time, and optionally since the last success;
    // a failure turned into a success; failures cleared by key prefix.
    let mut tx = store.begin_at(now).await.expect("begin");
    tx.lock_sign_in_keys(&["acct:k1", "acct:k1", "client:c"])
        .await
        .expect("lock");
    let mut ids = Vec::new();
    for ok in [false, false, true, false] {
        ids.push(
            tx.record_sign_in_attempt("acct:k1", ok)
                .await
                .expect("attempt"),
        );
    }
    tx.record_sign_in_attempt("client:c", false)
        .await
        .expect("attempt");
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");
    let all = tx
        .sign_in_failures("acct:k1", now, false)
        .await
        .expect("count");
    assert_eq!(all.count, 3);
    assert_eq!(all.last_at, Some(now));
    let since_success = tx
        .sign_in_failures("acct:k1", now, true)
        .await
        .expect("count");
    assert_eq!(since_success.count, 1);
    let later = tx
        .sign_in_failures("acct:k1", now + chrono::Duration::minutes(1), false)
        .await
        .expect("count");
    assert_eq!((later.count, later.last_at), (0, None));
    tx.mark_sign_in_succeeded(&ids[3..]).await.expect("mark");
    assert_eq!(
        tx.sign_in_failures("acct:k1", now, true)
            .await
            .expect("count")
            .count,
        0
    );
    // `_` is an ordinary character to the prefix, not a wildcard.
    assert_eq!(tx.clear_sign_in_failures("acct_").await.expect("clear"), 0);
    assert_eq!(tx.clear_sign_in_failures("acct:").await.expect("clear"), 2);
    assert_eq!(
        tx.sign_in_failures("client:c", now, true)
            .await
            .expect("count")
            .count,
        1
    );
    tx.commit().await.expect("commit");
}
