-- Tandem case store, SQLite dialect. migrations/postgres/0001_case_store.sql is the same schema
-- in PostgreSQL types; keep the two in step (same version numbers, same tables and columns).
-- Dates are ISO 'YYYY-MM-DD' text and timestamps RFC 3339 text, so that they sort as text.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('case_manager', 'team_manager', 'head_of_service',
                      'health_professional', 'social_care_professional', 'education_setting',
                      'parent', 'qa_auditor', 'analyst', 'admin')),
    team          TEXT,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT    NOT NULL
);

CREATE TABLE children (
    id            INTEGER PRIMARY KEY,
    given_name    TEXT,
    family_name   TEXT,
    date_of_birth TEXT,
    -- Every other field of the case file's `child` object, kept as given.
    other         TEXT    NOT NULL DEFAULT '{}'
);

CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    reference       TEXT    NOT NULL UNIQUE,
    child_id        INTEGER NOT NULL REFERENCES children (id),
    -- Optimistic concurrency: every write names the version it read and bumps it.
    version         INTEGER NOT NULL DEFAULT 1,
    case_manager_id INTEGER REFERENCES users (id),
    team            TEXT,
    opened_at       TEXT    NOT NULL
);
CREATE INDEX cases_case_manager ON cases (case_manager_id);
CREATE INDEX cases_team ON cases (team);
CREATE INDEX cases_child ON cases (child_id);

-- People a case is linked to, for permissions (advice recipients, family).
CREATE TABLE case_people (
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    user_id  INTEGER NOT NULL REFERENCES users (id),
    relation TEXT    NOT NULL CHECK (relation IN ('advice_recipient', 'family')),
    PRIMARY KEY (case_id, user_id, relation)
);
CREATE INDEX case_people_user ON case_people (user_id);

-- The append-only history. A correction or withdrawal is a new row that supersedes an older one.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    seq         INTEGER NOT NULL,
    -- The event in the case-file shape; NULL (with type and date) only on a withdrawal.
    event       TEXT,
    type        TEXT,
    date        TEXT,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT    NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('form', 'api', 'import', 'generate')),
    supersedes  INTEGER REFERENCES events (id),
    correction  TEXT    CHECK (correction IN ('correct', 'withdraw')),
    reason      TEXT,
    UNIQUE (case_id, seq),
    CHECK ((correction IS NULL) = (supersedes IS NULL)),
    CHECK (CASE WHEN correction = 'withdraw' THEN event IS NULL AND type IS NULL AND date IS NULL
                ELSE event IS NOT NULL AND type IS NOT NULL AND date IS NOT NULL END)
);
-- Partial, so that the many rows that supersede nothing cost no index entry. Also what finds the
-- row superseding a given one.
CREATE UNIQUE INDEX events_supersedes_key ON events (supersedes) WHERE supersedes IS NOT NULL;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- One summary row per case, recomputed from the history in the same transaction as each write.
CREATE TABLE case_projection (
    case_id        INTEGER PRIMARY KEY REFERENCES cases (id),
    stage          TEXT    NOT NULL,
    next_key       TEXT,
    next_due       TEXT,
    next_status    TEXT,
    overdue_count  INTEGER NOT NULL,
    rag            TEXT    NOT NULL CHECK (rag IN ('red', 'amber', 'green', 'none')),
    computed_as_of TEXT    NOT NULL
);
CREATE INDEX case_projection_next_due ON case_projection (next_due);
CREATE INDEX case_projection_stage_due ON case_projection (stage, next_due);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    revoked      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Append-only. `detail` holds ids and machine names only: never names, dates of birth or free text.
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             TEXT    NOT NULL,
    actor_id       INTEGER REFERENCES users (id),
    action         TEXT    NOT NULL,
    case_reference TEXT,
    detail         TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_case ON audit_log (case_reference, at);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Sign-in attempts for rate limiting; `key` is chosen by the caller (e.g. a keyed hash of the
-- email address), so no address is stored here.
CREATE TABLE sign_in_attempts (
    id        INTEGER PRIMARY KEY,
    key       TEXT    NOT NULL,
    at        TEXT    NOT NULL,
    succeeded BOOLEAN NOT NULL
);
CREATE INDEX sign_in_attempts_key_at ON sign_in_attempts (key, at);
