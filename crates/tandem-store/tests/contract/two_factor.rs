//! Two-factor sign-in's storage: a secret being set up and its confirmation, replay protection
//! by time step, single-use recovery codes and pending sign-ins that expire.

use chrono::Duration;
use tandem_core::Role;
use tandem_store::PendingSignIn;
use tandem_test_support::{Ctx, contract};

use crate::helpers::*;

contract!(two_factor_secrets_steps_recovery_codes_and_pending_sign_ins,);

async fn two_factor_secrets_steps_recovery_codes_and_pending_sign_ins(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-01");
    let id = add_user(store, "parent@family.test", Role::Parent, None).await;
    let other = add_user(store, "nurse@nhs.test", Role::HealthProfessional, None).await;
    assert_eq!(store.two_factor(id).await.expect("read"), None);

    // A secret being set up, replaced by another before it is confirmed.
    let mut tx = store.begin_at(now).await.expect("begin");
    tx.set_pending_two_factor_secret(id, "FIRSTSECRET")
        .await
        .expect("set");
    tx.set_pending_two_factor_secret(id, "SECONDSECRET")
        .await
        .expect("set");
    assert!(
        !tx.accept_two_factor_step(id, 10).await.expect("step"),
        "not set up"
    );
    tx.commit().await.expect("commit");
    let record = store.two_factor(id).await.expect("read").expect("record");
    assert!(!record.enrolled());
    assert_eq!(record.pending_secret.as_deref(), Some("SECONDSECRET"));
    assert!(!format!("{record:?}").contains("SECRET"), "never in a log");

    // Confirmed at step 100: only later steps are accepted, each once.
    let mut tx = store.begin_at(now).await.expect("begin");
    assert!(tx.confirm_two_factor(id, 100).await.expect("confirm"));
    assert!(
        !tx.confirm_two_factor(id, 101)
            .await
            .expect("nothing to confirm")
    );
    assert!(!tx.accept_two_factor_step(id, 100).await.expect("step"));
    assert!(!tx.accept_two_factor_step(id, 99).await.expect("step"));
    assert!(tx.accept_two_factor_step(id, 101).await.expect("step"));
    assert!(
        !tx.accept_two_factor_step(id, 101).await.expect("step"),
        "replayed"
    );
    assert!(!tx.accept_two_factor_step(other, 500).await.expect("step"));
    tx.commit().await.expect("commit");
    let record = store.two_factor(id).await.expect("read").expect("record");
    assert!(record.enrolled());
    assert_eq!(record.secret.as_deref(), Some("SECONDSECRET"));
    assert_eq!(record.pending_secret, None);
    assert_eq!(record.enrolled_at, Some(now));
    assert_eq!(record.last_step, Some(101));

    // Recovery codes: digests, each used once, replaced as a set.
    let mut tx = store.begin_at(now).await.expect("begin");
    let codes = ["digest-a".to_owned(), "digest-b".to_owned()];
    tx.replace_recovery_codes(id, &codes).await.expect("codes");
    assert_eq!(tx.unused_recovery_codes(id).await.expect("count"), 2);
    assert!(tx.use_recovery_code(id, "digest-a").await.expect("use"));
    assert!(!tx.use_recovery_code(id, "digest-a").await.expect("used"));
    assert!(
        !tx.use_recovery_code(other, "digest-b")
            .await
            .expect("not theirs")
    );
    assert_eq!(tx.unused_recovery_codes(id).await.expect("count"), 1);
    tx.replace_recovery_codes(id, &["digest-c".to_owned()])
        .await
        .expect("codes");
    assert!(
        !tx.use_recovery_code(id, "digest-b")
            .await
            .expect("replaced")
    );
    assert_eq!(tx.unused_recovery_codes(id).await.expect("count"), 1);
    tx.commit().await.expect("commit");

    // Pending sign-ins: found until they expire, ended once, expired ones purged.
    let pending = PendingSignIn {
        user_id: id,
        enrol: false,
    };
    let mut tx = store.begin_at(now).await.expect("begin");
    tx.create_pending_sign_in("pending-1", pending, now + Duration::minutes(15))
        .await
        .expect("pending");
    tx.create_pending_sign_in(
        "pending-2",
        PendingSignIn {
            user_id: other,
            enrol: true,
        },
        now + Duration::minutes(1),
    )
    .await
    .expect("pending");
    assert_eq!(
        tx.pending_sign_in("pending-1").await.expect("read"),
        Some(pending)
    );
    tx.commit().await.expect("commit");
    let later = now + Duration::minutes(5);
    assert_eq!(
        store
            .pending_sign_in("pending-1", later)
            .await
            .expect("read"),
        Some(pending)
    );
    assert_eq!(
        store
            .pending_sign_in("pending-2", later)
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store.pending_sign_in("unknown", now).await.expect("read"),
        None
    );
    let mut tx = store.begin_at(later).await.expect("begin");
    tx.create_pending_sign_in("pending-3", pending, later + Duration::minutes(15))
        .await
        .expect("pending");
    assert!(!tx.end_pending_sign_in("pending-2").await.expect("purged"));
    assert!(tx.end_pending_sign_in("pending-1").await.expect("end"));
    assert!(!tx.end_pending_sign_in("pending-1").await.expect("ended"));
    tx.commit().await.expect("commit");
    assert_eq!(
        store
            .pending_sign_in("pending-1", later)
            .await
            .expect("read"),
        None
    );
}
