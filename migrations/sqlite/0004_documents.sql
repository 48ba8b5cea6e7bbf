-- Documents on a case (advice reports, letters, draft and final plans, minutes): what was
-- uploaded, by whom and when, and its withdrawal, which keeps it in the history. The same
-- tables are in migrations/postgres/0004_documents.sql.
CREATE TABLE documents (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    -- tandem_core::documents::DocumentKind (advice_report, letter, draft_plan, …).
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    -- The name it was uploaded with, tidied (tandem_core::documents::sanitise_file_name).
    file_name       TEXT NOT NULL,
    -- Recognised from the content, never from the name (application/pdf, image/png, …).
    media_type      TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL,
    -- Hex SHA-256 of the content.
    sha256          TEXT NOT NULL,
    -- Where the content is kept: a key of document_blobs, or of another DocumentStorage.
    storage_key     TEXT NOT NULL UNIQUE,
    added_by        INTEGER NOT NULL REFERENCES users (id),
    -- The service of the professional or setting who added it (users.provider then), if any.
    provider        TEXT,
    added_at        TEXT NOT NULL,
    withdrawn_at    TEXT,
    withdrawn_by    INTEGER REFERENCES users (id),
    withdraw_reason TEXT,
    CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL))
);
CREATE INDEX documents_case ON documents (case_id, added_at);

-- The content of documents kept in the database (the default storage), so that backups and
-- several servers need nothing more.
CREATE TABLE document_blobs (
    storage_key TEXT PRIMARY KEY,
    content     BLOB NOT NULL
);
