//! Documents on a case: what kinds there are, which file types are accepted (recognised from
//! their content, never from their name), and who may add, see and withdraw them.
//!
//! Least privilege: the council's staff who may see a case see all its documents; a
//! professional or setting sees only the documents their own service added (not other
//! agencies' reports); parents, analysts and administrators see none. Sharing letters and plans
//! with families belongs with commenting on the draft plan, which is still to come.

use crate::access::{Action, Actor, CaseAccess, Resource, Role, UserId, can};

crate::names::machine_names! {
    /// What a document on a case is.
    DocumentKind {
        /// Advice or a report for the assessment (health, social care, educational…).
        AdviceReport => "advice_report",
        /// A letter to or from the family or another body.
        Letter => "letter",
        /// A draft EHC plan.
        DraftPlan => "draft_plan",
        /// A final EHC plan.
        FinalPlan => "final_plan",
        /// Minutes or notes of a meeting.
        Minutes => "minutes",
        /// Anything else.
        Other => "other",
    }
}

impl DocumentKind {
    /// The kind's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::AdviceReport => "Advice or report",
            Self::Letter => "Letter",
            Self::DraftPlan => "Draft plan",
            Self::FinalPlan => "Final plan",
            Self::Minutes => "Minutes",
            Self::Other => "Other",
        }
    }
}

/// The message for a file whose content is not an accepted type.
pub const WRONG_TYPE: &str = "The selected file must be a PDF, Word document or image";

/// The largest document accepted unless configured otherwise: 20 MB.
pub const DEFAULT_MAX_BYTES: usize = 20 * 1024 * 1024;

/// A file type documents may have, recognised from the file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// A PDF.
    Pdf,
    /// A Word document (Office Open XML, `.docx`).
    Docx,
    /// A Word 97–2003 document (`.doc`).
    Doc,
    /// A PNG image.
    Png,
    /// A JPEG image (photographs, scans).
    Jpeg,
    /// A GIF image.
    Gif,
    /// A HEIF/HEIC image (phone photographs).
    Heif,
}

impl MediaType {
    /// Every accepted type.
    pub const ALL: &'static [Self] = &[
        Self::Pdf,
        Self::Docx,
        Self::Doc,
        Self::Png,
        Self::Jpeg,
        Self::Gif,
        Self::Heif,
    ];

    /// The type recognised from a file's content (its magic bytes; for a Word document, the
    /// parts inside the zip), if it is one documents may have. The name is never consulted: an
    /// executable renamed `report.pdf` is refused.
    pub fn detect(content: &[u8]) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.matches(content))
    }

    /// Whether `content` starts as a file of this type does.
    fn matches(self, content: &[u8]) -> bool {
        match self {
            Self::Pdf => infer::archive::is_pdf(content),
            Self::Docx => is_word_zip(content),
            Self::Doc => infer::doc::is_doc(content),
            Self::Png => infer::image::is_png(content),
            Self::Jpeg => infer::image::is_jpeg(content),
            Self::Gif => infer::image::is_gif(content),
            Self::Heif => infer::image::is_heif(content),
        }
    }

    /// The IANA media type, sent as the download's `Content-Type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Doc => "application/msword",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Heif => "image/heif",
        }
    }

    /// The type with this IANA name, as stored.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == text)
    }

    /// A short name for people ("PDF", "Word document").
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Docx | Self::Doc => "Word document",
            Self::Png | Self::Jpeg | Self::Gif | Self::Heif => "Image",
        }
    }
}

/// Whether `content` is a Word document (`.docx`): a zip whose directory lists the package's
/// `[Content_Types].xml` and Word's parts (`word/…`), in whatever order the program that wrote
/// it put them, and no macros (`.docm` files hold `word/vbaProject.bin`). Only the directory is
/// read; nothing is unpacked.
fn is_word_zip(content: &[u8]) -> bool {
    if !infer::archive::is_zip(content) {
        return false;
    }
    let Ok(archive) = zip::ZipArchive::new(std::io::Cursor::new(content)) else {
        return false;
    };
    let Ok(names) = archive.file_names().collect::<Result<Vec<_>, _>>() else {
        return false;
    };
    names.iter().any(|n| n == "[Content_Types].xml")
        && names.iter().any(|n| n.starts_with("word/"))
        && !names.iter().any(|n| n.ends_with("vbaProject.bin"))
}

/// A file name as uploaded, made safe to store and to send back in `Content-Disposition`: the
/// last part of any path, only letters, digits, spaces and `.-_()`, at most 100 characters;
/// `document` when nothing is left.
pub fn sanitise_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = last
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '(' | ')') {
                c
            } else {
                ' '
            }
        })
        .collect();
    let tidy: String = kept
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches('.')
        .chars()
        .take(100)
        .collect();
    if tidy.is_empty() {
        "document".to_owned()
    } else {
        tidy
    }
}

/// Who added a document and whether it was withdrawn: what seeing it depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentOwner {
    /// The account that added it.
    pub added_by: UserId,
    /// The service (a [`provider_key`](crate::access::provider_key)) of the professional or
    /// setting who added it; `None` when council staff did.
    pub provider: Option<String>,
    /// Whether it has been withdrawn.
    pub withdrawn: bool,
    /// Whether the council shared it with the family.
    pub shared_with_family: bool,
}

/// Whether the role is the council's own staff who may read a whole case.
fn is_case_staff(role: Role) -> bool {
    matches!(
        role,
        Role::CaseManager | Role::TeamManager | Role::HeadOfService | Role::QaAuditor
    )
}

/// Whether `actor` may add a document to the case: those who record its history, and the
/// services asked for advice on it (a report instead of the standard form).
pub fn may_add(actor: &Actor, case: &CaseAccess) -> bool {
    // Families answer advice requests too (the parent's advice) but do not yet have a document
    // list of their own, so adding one is left to staff and the services asked for advice.
    can(actor, Action::RecordEvent, Resource::Case(case))
        || (actor.role.gives_advice()
            && can(actor, Action::RespondToAdviceRequest, Resource::Case(case)))
}

/// Whether `actor` may share a document with the family as they add it: those who record the
/// case's history (the council speaks to the family, not the services it asks for advice).
pub fn may_share_with_family(actor: &Actor, case: &CaseAccess) -> bool {
    can(actor, Action::RecordEvent, Resource::Case(case))
}

/// Whether `actor` may withdraw a document from the case: those who record its history.
pub fn may_withdraw(actor: &Actor, case: &CaseAccess) -> bool {
    can(actor, Action::RecordEvent, Resource::Case(case))
}

/// Whether `actor` sees `document` listed on the case: staff who may see the case see every
/// document; a professional or setting only those their own service (or they) added; the
/// family only those the council shared with them and has not withdrawn.
pub fn may_see(actor: &Actor, case: &CaseAccess, document: &DocumentOwner) -> bool {
    if !can(actor, Action::ViewCase, Resource::Case(case)) {
        return false;
    }
    if is_case_staff(actor.role) {
        return true;
    }
    if actor.role == Role::Parent {
        return document.shared_with_family && !document.withdrawn;
    }
    actor.role.gives_advice()
        && (document.added_by == actor.id
            || (document.provider.is_some() && document.provider == actor.provider))
}

/// Whether `actor` may download `document`: as [`may_see`], and a withdrawn document only by
/// staff.
pub fn may_download(actor: &Actor, case: &CaseAccess, document: &DocumentOwner) -> bool {
    may_see(actor, case, document) && (!document.withdrawn || is_case_staff(actor.role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_content_not_names() {
        assert_eq!(MediaType::detect(b"%PDF-1.7\n%..."), Some(MediaType::Pdf));
        assert_eq!(
            MediaType::detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(MediaType::Png)
        );
        assert_eq!(
            MediaType::detect(b"\xff\xd8\xff\xe0\0\x10JFIF\0"),
            Some(MediaType::Jpeg)
        );
        assert_eq!(MediaType::detect(b"\x7fELF\x02\x01\x01\0"), None);
        assert_eq!(MediaType::detect(b"MZ\x90\0\x03\0\0\0"), None);
        assert_eq!(MediaType::detect(b"<html><script>"), None);
        assert_eq!(MediaType::detect(b""), None);
        for t in MediaType::ALL {
            assert_eq!(MediaType::parse(t.as_str()), Some(*t));
        }
    }

    /// A zip holding `names` (stored, not compressed), as Office writes its documents.
    fn zip_of(names: &[&str]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for name in names {
            zip.start_file(*name, options).expect("a part");
            zip.write_all(b"<?xml version=\"1.0\"?><x/>")
                .expect("written");
        }
        zip.finish().expect("a zip").into_inner()
    }

    #[test]
    fn word_documents_are_zips_with_word_parts_and_nothing_else_is() {
        let docx = zip_of(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        assert_eq!(MediaType::detect(&docx), Some(MediaType::Docx));
        // Another program's order.
        let reordered = zip_of(&[
            "word/document.xml",
            "docProps/app.xml",
            "[Content_Types].xml",
        ]);
        assert_eq!(MediaType::detect(&reordered), Some(MediaType::Docx));
        let macros = zip_of(&[
            "[Content_Types].xml",
            "word/document.xml",
            "word/vbaProject.bin",
        ]);
        assert_eq!(MediaType::detect(&macros), None);
        let xlsx = zip_of(&["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"]);
        assert_eq!(MediaType::detect(&xlsx), None);
        assert_eq!(MediaType::detect(&zip_of(&["word/document.xml"])), None);
        assert_eq!(MediaType::detect(&zip_of(&["run.exe"])), None);
    }

    #[test]
    fn file_names_are_tidied() {
        assert_eq!(
            sanitise_file_name("C:\\Users\\x\\Report 1.pdf"),
            "Report 1.pdf"
        );
        assert_eq!(sanitise_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_file_name("a\"b;\r\nc.pdf"), "a b c.pdf");
        assert_eq!(sanitise_file_name("..."), "document");
        assert_eq!(sanitise_file_name(&"x".repeat(300)).len(), 100);
    }

    fn actor(id: UserId, role: Role, provider: Option<&str>) -> Actor {
        Actor {
            id,
            role,
            team: None,
            provider: provider.map(str::to_owned),
        }
    }

    #[test]
    fn professionals_see_only_their_own_services_documents() {
        let case = CaseAccess {
            advice_providers: vec!["camhs".into(), "paediatrics".into()],
            family: vec![9],
            ..CaseAccess::default()
        };
        let by_camhs = DocumentOwner {
            added_by: 1,
            provider: Some("camhs".into()),
            withdrawn: false,
            shared_with_family: false,
        };
        let by_staff = DocumentOwner {
            added_by: 2,
            provider: None,
            withdrawn: false,
            shared_with_family: false,
        };
        let colleague = actor(3, Role::HealthProfessional, Some("camhs"));
        let other = actor(4, Role::HealthProfessional, Some("paediatrics"));
        let manager = actor(5, Role::TeamManager, None);
        assert!(may_see(&colleague, &case, &by_camhs));
        assert!(!may_see(&other, &case, &by_camhs));
        assert!(!may_see(&colleague, &case, &by_staff));
        assert!(may_see(&manager, &case, &by_camhs));
        for role in [Role::Parent, Role::Analyst, Role::Admin] {
            assert!(!may_see(&actor(9, role, None), &case, &by_staff));
        }
        let withdrawn = DocumentOwner {
            withdrawn: true,
            ..by_camhs
        };
        assert!(may_see(&colleague, &case, &withdrawn));
        assert!(!may_download(&colleague, &case, &withdrawn));
        assert!(may_download(&manager, &case, &withdrawn));
        assert!(may_add(&colleague, &case) && !may_withdraw(&colleague, &case));
        assert!(may_add(&manager, &case) && may_withdraw(&manager, &case));
        assert!(!may_add(&actor(9, Role::Parent, None), &case));
    }

    #[test]
    fn the_family_sees_only_what_the_council_shared_with_them() {
        let case = CaseAccess {
            family: vec![9],
            ..CaseAccess::default()
        };
        let letter = DocumentOwner {
            added_by: 2,
            provider: None,
            withdrawn: false,
            shared_with_family: true,
        };
        let internal = DocumentOwner {
            shared_with_family: false,
            ..letter.clone()
        };
        let withdrawn = DocumentOwner {
            withdrawn: true,
            ..letter.clone()
        };
        let parent = actor(9, Role::Parent, None);
        let other_parent = actor(10, Role::Parent, None);
        assert!(may_see(&parent, &case, &letter) && may_download(&parent, &case, &letter));
        assert!(!may_see(&parent, &case, &internal));
        assert!(!may_see(&parent, &case, &withdrawn));
        assert!(!may_see(&other_parent, &case, &letter));
        assert!(!may_share_with_family(&parent, &case));
        let professional = actor(3, Role::HealthProfessional, Some("camhs"));
        assert!(
            !may_see(&professional, &case, &letter),
            "not asked for advice"
        );
    }
}
