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

    // Sign-in attempts.
    for (minute, ok) in [(0, false), (1, false), (2, true), (3, false)] {
        store
            .record_sign_in_attempt("k1", now + chrono::Duration::minutes(minute), ok)
            .await
            .expect("attempt");
    }
    store
        .record_sign_in_attempt("k2", now, false)
        .await
        .expect("attempt");
    assert_eq!(
        store
            .failed_sign_in_attempts("k1", now)
            .await
            .expect("count"),
        3
    );
    assert_eq!(
        store
            .failed_sign_in_attempts("k1", now + chrono::Duration::minutes(1))
            .await
            .expect("count"),
        2
    );
    assert_eq!(
        store
            .failed_sign_in_attempts("k3", now)
            .await
            .expect("count"),
        0
    );
}
