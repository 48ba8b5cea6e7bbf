-- The quality assurance audit cycle of issued EHC plans (issue 12 item 5). The same tables are
-- in migrations/postgres/0013_plan_audits.sql.
--
-- Each term a round draws a sample of final plans by a method (random, lowest automated score,
-- late, one team) with a seed, both recorded so the draw can be repeated. Each sampled plan
-- version is given to auditors, one discipline each (education, health, social care), who grade
-- every criterion with a comment; a moderator settles one grade. A plan graded Good or better
-- may be kept, pseudonymised, as an example of what good looks like.
CREATE TABLE audit_rounds (
    id        INTEGER PRIMARY KEY,
    -- tandem_core::plan::audit::Term::key, such as '2025-autumn'.
    term      TEXT    NOT NULL,
    method    TEXT    NOT NULL CHECK (method IN ('random', 'lowest_score', 'late', 'team')),
    team      TEXT,
    size      INTEGER NOT NULL CHECK (size > 0),
    seed      INTEGER NOT NULL,
    drawn_by  INTEGER NOT NULL REFERENCES users (id),
    drawn_at  TEXT    NOT NULL
);

CREATE TABLE audit_samples (
    id                 INTEGER PRIMARY KEY,
    round_id           INTEGER NOT NULL REFERENCES audit_rounds (id),
    case_id            INTEGER NOT NULL REFERENCES cases (id),
    version            INTEGER NOT NULL,
    -- The automated checks' score of the version when drawn (0 to 100).
    automated_score    INTEGER NOT NULL,
    moderated_grade    TEXT    CHECK (moderated_grade IN ('Outstanding', 'Good', 'Requires improvement', 'Inadequate')),
    moderated_by       INTEGER REFERENCES users (id),
    moderated_at       TEXT,
    moderation_comment TEXT,
    UNIQUE (round_id, case_id, version),
    FOREIGN KEY (case_id, version) REFERENCES plan_versions (case_id, number)
);

CREATE INDEX audit_samples_by_round ON audit_samples (round_id, id);

CREATE TABLE audit_assignments (
    sample_id   INTEGER NOT NULL REFERENCES audit_samples (id),
    auditor_id  INTEGER NOT NULL REFERENCES users (id),
    discipline  TEXT    NOT NULL CHECK (discipline IN ('education', 'health', 'social_care')),
    assigned_by INTEGER NOT NULL REFERENCES users (id),
    assigned_at TEXT    NOT NULL,
    PRIMARY KEY (sample_id, auditor_id)
);

CREATE INDEX audit_assignments_by_auditor ON audit_assignments (auditor_id);

CREATE TABLE audit_scores (
    sample_id  INTEGER NOT NULL,
    auditor_id INTEGER NOT NULL,
    criterion  TEXT    NOT NULL CHECK (criterion IN ('views', 'needs', 'outcomes', 'provision', 'placement', 'advice', 'golden_thread')),
    grade      TEXT    NOT NULL CHECK (grade IN ('Outstanding', 'Good', 'Requires improvement', 'Inadequate')),
    comment    TEXT    NOT NULL,
    scored_at  TEXT    NOT NULL,
    PRIMARY KEY (sample_id, auditor_id, criterion),
    FOREIGN KEY (sample_id, auditor_id) REFERENCES audit_assignments (sample_id, auditor_id)
);

-- A pseudonymised copy of the plan, made when it was marked: it names nobody.
CREATE TABLE audit_examples (
    sample_id INTEGER PRIMARY KEY REFERENCES audit_samples (id),
    label     TEXT    NOT NULL,
    plan      TEXT    NOT NULL,
    marked_by INTEGER NOT NULL REFERENCES users (id),
    marked_at TEXT    NOT NULL
);
