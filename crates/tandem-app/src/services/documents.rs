//! Documents on a case: uploaded (the type recognised from the content, the size limited),
//! listed for those allowed to see them, downloaded, and withdrawn with a reason while staying
//! in the history. Who may do what is `tandem_core::documents`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};
use tandem_core::documents::{self, DocumentKind, MediaType, sanitise_file_name};
use tandem_core::{Action, CaseAccess, Reference};
use tandem_store::{
    AuditEntry, DatabaseStorage, DocumentRecord, DocumentStorage, NewDocument, StoreError,
    StoredCase, Tx,
};

use super::cases::finish;
use super::{Caller, FieldError, ServiceError, Services, denied};

/// Where document content is kept: the database, so that backups and several servers need
/// nothing more. An S3-compatible store would be another `DocumentStorage` chosen here
/// (`tandem_store::DocumentStorage` says how it would behave).
const STORAGE: DatabaseStorage = DatabaseStorage;

/// The longest title accepted, in characters.
const TITLE_MAX_CHARS: usize = 200;

/// A document someone is adding, as the form or API received it.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    /// The kind's machine name (`advice_report`…), as chosen.
    pub kind: String,
    /// The title, as typed.
    pub title: String,
    /// The file's name as the browser sent it; tidied before it is kept.
    pub file_name: String,
    /// The file's content.
    pub content: Vec<u8>,
    /// Whether to share it with the family (council staff only).
    pub shared_with_family: bool,
}

/// The documents of a case that one caller sees, and what they may do with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentList {
    /// The documents, withdrawn ones included, oldest first.
    pub documents: Vec<ListedDocument>,
    /// Whether the caller may add a document to the case.
    pub may_add: bool,
    /// Whether the caller may withdraw documents of the case.
    pub may_withdraw: bool,
}

/// A document as listed for one caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedDocument {
    /// The document.
    pub document: DocumentRecord,
    /// Whether the caller may download it (a withdrawn one: staff only).
    pub downloadable: bool,
}

impl Services {
    /// Checks that the caller may add a document to the case, before showing them the form.
    pub async fn document_form(
        &self,
        caller: &Caller,
        reference: &Reference,
    ) -> Result<(), ServiceError> {
        let (tx, _, access) = self.load_for(caller, Action::ViewCase, reference).await?;
        if !documents::may_add(&caller.actor, &access) {
            return refuse(tx, caller, Action::RecordEvent, reference).await;
        }
        let detail = caller.detail(json!({ "purpose": "add" }));
        finish(tx, caller, "document.form", reference, detail).await
    }

    /// Adds `upload` to the case, if the caller may add documents to it (those who record the
    /// case's history, and services asked for advice on it). The file's type is recognised from
    /// its content and must be a PDF, Word document or image; it must not be empty or larger
    /// than the configured limit. Returns the new document's id; with problems, saves nothing
    /// and names each one.
    pub async fn add_document(
        &self,
        caller: &Caller,
        reference: &Reference,
        upload: Upload,
    ) -> Result<i64, ServiceError> {
        let (mut tx, case, access) = self.load_for(caller, Action::ViewCase, reference).await?;
        if !documents::may_add(&caller.actor, &access) {
            return refuse(tx, caller, Action::RecordEvent, reference).await;
        }
        let checked = self.check_upload(&upload).and_then(|checked| {
            if upload.shared_with_family
                && !documents::may_share_with_family(&caller.actor, &access)
            {
                return Err(vec![FieldError::new(
                    "shared_with_family",
                    "Only the council can share a document with the family",
                )]);
            }
            Ok(checked)
        });
        let (kind, media_type) = match checked {
            Ok(checked) => checked,
            Err(problems) => {
                tx.rollback().await?;
                return Err(ServiceError::Invalid(problems));
            }
        };
        let sha256 = hex(&Sha256::digest(&upload.content));
        let storage_key = new_storage_key()?;
        let file_name = sanitise_file_name(&upload.file_name);
        let provider = caller
            .actor
            .role
            .gives_advice()
            .then_some(caller.actor.provider.as_deref())
            .flatten();
        let id = tx
            .add_document(
                &STORAGE,
                &NewDocument {
                    case_id: case.record.id,
                    kind,
                    title: upload.title.trim(),
                    file_name: &file_name,
                    media_type,
                    content: &upload.content,
                    sha256: &sha256,
                    storage_key: &storage_key,
                    added_by: caller.actor.id,
                    provider,
                    shared_with_family: upload.shared_with_family,
                },
            )
            .await?;
        let detail = caller.detail(json!({
            "document": id,
            "kind": kind.as_str(),
            "shared_with_family": upload.shared_with_family,
        }));
        finish(tx, caller, "document.add", reference, detail).await?;
        Ok(id)
    }

    /// The case's documents the caller may see (every one for staff who may see the case, their
    /// own service's for a professional, those shared with them for the family), withdrawn ones
    /// included for staff, oldest first, with what the caller may do with them.
    pub async fn documents(
        &self,
        caller: &Caller,
        reference: &Reference,
    ) -> Result<DocumentList, ServiceError> {
        let (mut read, case, access) = self
            .load_for_read(caller, Action::ViewCase, reference)
            .await?;
        let (list, entry) = self.documents_in(&mut read, &case, &access, caller).await?;
        drop(read);
        self.audit_read(entry).await?;
        Ok(list)
    }

    /// The documents of a case read and authorised in `read` that the caller may see, with
    /// the audit entry of the read.
    pub(super) async fn documents_in(
        &self,
        read: &mut Tx,
        case: &StoredCase,
        access: &CaseAccess,
        caller: &Caller,
    ) -> Result<(DocumentList, AuditEntry), ServiceError> {
        let actor = &caller.actor;
        let listed: Vec<ListedDocument> = read
            .documents(case.record.id)
            .await?
            .into_iter()
            .filter(|d| documents::may_see(actor, access, &d.owner()))
            .map(|document| ListedDocument {
                downloadable: documents::may_download(actor, access, &document.owner()),
                document,
            })
            .collect();
        let ids: Vec<i64> = listed.iter().map(|d| d.document.id).collect();
        let detail = caller.detail(json!({ "shown": ids }));
        let entry = AuditEntry::new(Some(caller.actor.id), "document.list")
            .case(&case.record.reference)
            .detail(detail);
        let list = DocumentList {
            documents: listed,
            may_add: documents::may_add(actor, access),
            may_withdraw: documents::may_withdraw(actor, access),
        };
        Ok((list, entry))
    }

    /// The document `id` of the case with its content, if the caller may download it. A
    /// document they may not see, one of another case, and one that does not exist are all
    /// "not found", so that ids cannot be probed.
    pub async fn document_content(
        &self,
        caller: &Caller,
        reference: &Reference,
        id: i64,
    ) -> Result<(DocumentRecord, Vec<u8>), ServiceError> {
        let (mut tx, document, access) = self.load_document(caller, reference, id).await?;
        if !documents::may_download(&caller.actor, &access, &document.owner()) {
            return hide(tx, caller, reference).await;
        }
        let content = STORAGE
            .get(&mut tx, &document.storage_key)
            .await?
            .ok_or_else(|| {
                StoreError::Corrupt(format!("the content of document {id} is missing"))
            })?;
        let detail = caller.detail(json!({ "document": id }));
        finish(tx, caller, "document.download", reference, detail).await?;
        Ok((document, content))
    }

    /// The document `id` of the case, for the caller to withdraw: refused unless they record the
    /// case's history.
    pub async fn document_for_withdrawal(
        &self,
        caller: &Caller,
        reference: &Reference,
        id: i64,
    ) -> Result<DocumentRecord, ServiceError> {
        let (tx, document, access) = self.load_document(caller, reference, id).await?;
        if !documents::may_withdraw(&caller.actor, &access) {
            return refuse(tx, caller, Action::RecordEvent, reference).await;
        }
        let detail = caller.detail(json!({ "document": id, "purpose": "withdraw" }));
        finish(tx, caller, "document.view", reference, detail).await?;
        Ok(document)
    }

    /// Withdraws the document `id` of the case, giving `reason`: it stays listed, marked
    /// withdrawn, and only staff may still download it.
    pub async fn withdraw_document(
        &self,
        caller: &Caller,
        reference: &Reference,
        id: i64,
        reason: &str,
    ) -> Result<(), ServiceError> {
        let (mut tx, document, access) = self.load_document(caller, reference, id).await?;
        if !documents::may_withdraw(&caller.actor, &access) {
            return refuse(tx, caller, Action::RecordEvent, reference).await;
        }
        let reason = reason.trim();
        if reason.is_empty() {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "reason",
                "Enter why the document is being withdrawn",
            )]));
        }
        if !tx
            .withdraw_document(document.case_id, id, caller.actor.id, reason)
            .await?
        {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "reason",
                "This document has already been withdrawn",
            )]));
        }
        let detail = caller.detail(json!({ "document": id }));
        finish(tx, caller, "document.withdraw", reference, detail).await?;
        Ok(())
    }

    /// The case (which the caller must be able to see) and its document `id`, which the caller
    /// must be able to see too; otherwise "not found", audited.
    async fn load_document(
        &self,
        caller: &Caller,
        reference: &Reference,
        id: i64,
    ) -> Result<(Tx, DocumentRecord, CaseAccess), ServiceError> {
        let (mut tx, case, access) = self.load_for(caller, Action::ViewCase, reference).await?;
        match tx.document(case.record.id, id).await? {
            Some(document) if documents::may_see(&caller.actor, &access, &document.owner()) => {
                Ok((tx, document, access))
            }
            _ => hide(tx, caller, reference).await,
        }
    }

    /// The kind and type of an upload, or every problem with it.
    fn check_upload(&self, upload: &Upload) -> Result<(DocumentKind, MediaType), Vec<FieldError>> {
        let mut problems = Vec::new();
        let kind = DocumentKind::parse(&upload.kind);
        if kind.is_none() {
            problems.push(FieldError::new(
                "kind",
                "Select what kind of document it is",
            ));
        }
        let title = upload.title.trim();
        if title.is_empty() {
            problems.push(FieldError::new("title", "Enter a title for the document"));
        } else if title.chars().count() > TITLE_MAX_CHARS {
            problems.push(FieldError::new(
                "title",
                format!("Title must be {TITLE_MAX_CHARS} characters or fewer"),
            ));
        }
        let media_type = if upload.content.is_empty() {
            problems.push(FieldError::new("file", "Select a file"));
            None
        } else if upload.content.len() > self.document_max_bytes {
            problems.push(FieldError::new(
                "file",
                format!(
                    "The selected file must be smaller than {} MB",
                    self.document_max_bytes / (1024 * 1024)
                ),
            ));
            None
        } else {
            let detected = MediaType::detect(&upload.content);
            if detected.is_none() {
                problems.push(FieldError::new("file", documents::WRONG_TYPE));
            }
            detected
        };
        match (kind, media_type) {
            (Some(kind), Some(media_type)) if problems.is_empty() => Ok((kind, media_type)),
            _ => Err(problems),
        }
    }
}

/// Refuses `action` on a case the caller may see: audited, committed, 403.
async fn refuse<T>(
    mut tx: Tx,
    caller: &Caller,
    action: Action,
    reference: &Reference,
) -> Result<T, ServiceError> {
    tx.audit(&denied(caller, action).case(reference)).await?;
    tx.commit().await?;
    Err(ServiceError::Forbidden)
}

/// Answers "not found" for a document the caller may not see, auditing the attempt.
async fn hide<T>(mut tx: Tx, caller: &Caller, reference: &Reference) -> Result<T, ServiceError> {
    tx.audit(&denied(caller, Action::ViewCase).case(reference))
        .await?;
    tx.commit().await?;
    Err(ServiceError::NotFound {
        reference: reference.to_string(),
    })
}

/// A new storage key: 128 random bits, so that keys say nothing and cannot be guessed.
fn new_storage_key() -> Result<String, ServiceError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
    Ok(format!("documents/{}", URL_SAFE_NO_PAD.encode(bytes)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
