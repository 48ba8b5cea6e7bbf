-- Surveys of families and partners after the key moments of a case (issue 17 item 3). The same
-- tables are in migrations/postgres/0030_surveys.sql.
--
-- A survey is sent after one moment to one audience, with its questions in order. The link
-- each person is sent is a row of survey_links: only the SHA-256 digest of its random token is
-- kept (as for invitations), with the case and person it went to, so that nobody is asked twice
-- and a manager can see how many were sent. Answering sets used_at, so a link works once.
--
-- Responses are anonymous: survey_responses holds no case, no person, no link and no time, only
-- the survey and the term its link was sent in; its key is random and the SQLite table has no
-- rowid, so not even the order rows were written in ties a response to the link that was used.
CREATE TABLE surveys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT    NOT NULL,
    moment     TEXT    NOT NULL CHECK (moment IN ('after_decision', 'after_final_plan',
                   'after_annual_review')),
    audience   TEXT    NOT NULL CHECK (audience IN ('families', 'partners')),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT    NOT NULL
);

CREATE TABLE survey_questions (
    id        INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id),
    position  INTEGER NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('scale', 'text')),
    text      TEXT    NOT NULL,
    UNIQUE (survey_id, position)
);

CREATE TABLE survey_links (
    id         INTEGER PRIMARY KEY,
    survey_id  INTEGER NOT NULL REFERENCES surveys (id),
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT    NOT NULL UNIQUE,
    -- The term the link was sent in (tandem_core::plan::audit::Term::key): its response counts
    -- in the same term, so response rates compare like with like.
    term       TEXT    NOT NULL,
    sent_at    TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT,
    UNIQUE (survey_id, case_id, user_id)
);
CREATE INDEX survey_links_by_term ON survey_links (survey_id, term);

CREATE TABLE survey_responses (
    id        TEXT    PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id),
    term      TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE survey_answers (
    response_id TEXT    NOT NULL REFERENCES survey_responses (id),
    question_id INTEGER NOT NULL REFERENCES survey_questions (id),
    scale       INTEGER CHECK (scale BETWEEN 1 AND 5),
    words       TEXT,
    CHECK ((scale IS NULL) <> (words IS NULL)),
    PRIMARY KEY (response_id, question_id)
) WITHOUT ROWID;

-- The outbox learns two kinds: 'survey' for the links above, and 'password_reset', for the
-- password reset emails another change adds. SQLite cannot change a CHECK, so the table is
-- rebuilt with its rows (nothing refers to it); the index goes with the old table.
CREATE TABLE notifications_new (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('invitation', 'advice_requested',
                        'advice_due_soon', 'advice_overdue', 'draft_ready',
                        'comment_period_ending', 'final_plan_issued', 'new_message',
                        'survey', 'password_reset')),
    user_id         INTEGER REFERENCES users (id),
    email           TEXT    NOT NULL,
    case_id         INTEGER REFERENCES cases (id),
    dedupe_key      TEXT    NOT NULL UNIQUE,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    claimed_until   TEXT,
    last_error      TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
INSERT INTO notifications_new (id, kind, user_id, email, case_id, dedupe_key, subject, body,
    status, attempts, next_attempt_at, claimed_until, last_error, created_at, sent_at)
SELECT id, kind, user_id, email, case_id, dedupe_key, subject, body, status, attempts,
    next_attempt_at, claimed_until, last_error, created_at, sent_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status <> 'sent';
