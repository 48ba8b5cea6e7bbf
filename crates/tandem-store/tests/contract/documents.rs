//! Documents: details and content saved together, read back whole, withdrawn but kept.

use tandem_core::Role;
use tandem_core::documents::{DocumentKind, MediaType};
use tandem_store::{DatabaseStorage, DocumentStorage, NewDocument};
use tandem_test_support::{Ctx, contract};

use crate::helpers::*;

contract!(
    documents_round_trip_and_stay_when_withdrawn,
    nothing_of_a_document_is_saved_when_its_transaction_fails,
);

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n";

fn new_document<'a>(case_id: i64, added_by: i64, key: &'a str) -> NewDocument<'a> {
    NewDocument {
        case_id,
        kind: DocumentKind::AdviceReport,
        title: "Paediatric report",
        file_name: "report.pdf",
        media_type: MediaType::Pdf,
        content: PDF,
        sha256: "0123abcd",
        storage_key: key,
        added_by,
        provider: Some("community paediatrics"),
        shared_with_family: false,
    }
}

async fn documents_round_trip_and_stay_when_withdrawn(ctx: Ctx) {
    let store = &ctx.store;
    let user = add_user(store, "docs@example.test", Role::CaseManager, None).await;
    let case = open(store, requested("EHC-D1", "2026-01-05"), at("2026-01-06")).await;
    let other = open(store, requested("EHC-D2", "2026-01-05"), at("2026-01-06")).await;

    let mut tx = store.begin_at(at("2026-01-07")).await.expect("begin");
    let id = tx
        .add_document(&DatabaseStorage, &new_document(case.id, user, "k1"))
        .await
        .expect("add");
    tx.commit().await.expect("commit");

    let mut tx = store.begin().await.expect("begin");
    let listed = tx.documents(case.id).await.expect("list");
    assert_eq!(listed.len(), 1);
    let document = &listed[0];
    assert_eq!(document.id, id);
    assert_eq!(
        (document.kind, document.media_type, document.size),
        (DocumentKind::AdviceReport, MediaType::Pdf, PDF.len() as u64)
    );
    assert_eq!(document.added_by_name, "User docs@example.test");
    assert_eq!(document.added_at, at("2026-01-07"));
    assert_eq!(document.provider.as_deref(), Some("community paediatrics"));
    assert!(document.withdrawn.is_none());
    let content = DatabaseStorage.get(&mut tx, "k1").await.expect("get");
    assert_eq!(content.as_deref(), Some(PDF));
    assert_eq!(
        DatabaseStorage.get(&mut tx, "nope").await.expect("get"),
        None
    );
    // An id of another case is not found through that case.
    assert_eq!(tx.document(other.id, id).await.expect("read"), None);
    assert!(tx.documents(other.id).await.expect("list").is_empty());

    assert!(
        tx.withdraw_document(case.id, id, user, "sent to the wrong family")
            .await
            .expect("withdraw")
    );
    assert!(
        !tx.withdraw_document(case.id, id, user, "again")
            .await
            .expect("withdraw twice")
    );
    assert!(
        !tx.withdraw_document(other.id, id, user, "wrong case")
            .await
            .expect("withdraw elsewhere")
    );
    tx.commit().await.expect("commit");

    let mut tx = store.begin().await.expect("begin");
    let kept = tx.document(case.id, id).await.expect("read").expect("kept");
    assert!(kept.owner().withdrawn);
    let withdrawal = kept.withdrawn.expect("withdrawn");
    assert_eq!(
        (withdrawal.by, withdrawal.reason.as_str()),
        (user, "sent to the wrong family")
    );
}

async fn nothing_of_a_document_is_saved_when_its_transaction_fails(ctx: Ctx) {
    let store = &ctx.store;
    let user = add_user(store, "docs2@example.test", Role::CaseManager, None).await;
    let case = open(store, requested("EHC-D3", "2026-01-05"), at("2026-01-06")).await;

    // Rolled back after both parts were written.
    let mut tx = store.begin().await.expect("begin");
    tx.add_document(&DatabaseStorage, &new_document(case.id, user, "k2"))
        .await
        .expect("add");
    tx.rollback().await.expect("rollback");
    assert_eq!(count(store, "documents").await, 0);
    assert_eq!(count(store, "document_blobs").await, 0);

    // The content cannot be stored (its key is taken): the details go too.
    let mut tx = store.begin().await.expect("begin");
    DatabaseStorage
        .put(&mut tx, "k3", b"earlier")
        .await
        .expect("put");
    tx.commit().await.expect("commit");
    let mut tx = store.begin().await.expect("begin");
    let failed = tx
        .add_document(&DatabaseStorage, &new_document(case.id, user, "k3"))
        .await;
    assert!(failed.is_err());
    drop(tx);
    assert_eq!(count(store, "documents").await, 0);
    assert_eq!(count(store, "document_blobs").await, 1);
}
