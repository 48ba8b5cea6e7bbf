-- Invitations by email (issue 11 item 4): an account made by invitation starts disabled and
-- without a usable password; the link's token is random (256 bits) and only its SHA-256 digest
-- is kept, as for sessions, so a copy of the database opens no invitations. Accepting sets
-- used_at in the transaction that sets the password, so a link works once. The same table is in
-- migrations/postgres/0009_invitations.sql.
CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    token_hash  TEXT    NOT NULL UNIQUE,
    invited_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    used_at     TEXT
);
