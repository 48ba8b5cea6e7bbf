-- Two-factor sign-in for external accounts (issue 11 item 4): a TOTP secret (RFC 6238) per
-- account, single-use recovery codes, and the half-signed-in state between a correct password
-- and a correct code. The same tables are in migrations/postgres/0010_two_factor.sql.
--
-- The secret has to be read back to check codes, so it cannot be hashed: it is kept as base32
-- text and never logged or shown again after set-up. pending_secret is a secret being set up
-- (shown, not yet confirmed with a code); secret is the confirmed one. last_step is the latest
-- 30-second time step whose code was accepted: a code is accepted only for a later step, so a
-- code cannot be used twice.
CREATE TABLE two_factor (
    user_id         INTEGER PRIMARY KEY REFERENCES users (id),
    secret          TEXT,
    pending_secret  TEXT,
    enrolled_at     TEXT,
    last_step       INTEGER
);

-- Only a SHA-256 digest of each recovery code is kept; a code works once (used_at).
CREATE TABLE recovery_codes (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    code_hash   TEXT    NOT NULL UNIQUE,
    used_at     TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- A correct password for an account that still needs a code (or must set two-factor sign-in
-- up first): not a session. Only the digest of the browser's token is kept, as for sessions.
CREATE TABLE pending_sign_ins (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT    NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    enrol       BOOLEAN NOT NULL,
    expires_at  TEXT    NOT NULL
);
