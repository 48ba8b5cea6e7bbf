-- The workforce (issue 17 item 2): supervision of case managers, training records against
-- courses with a validity, and induction checklists for new starters with a named buddy. The
-- same tables are in migrations/postgres/0032_workforce.sql.
--
-- A supervision keeps what the supervisor saw as it was: the seed its sample of cases was drawn
-- with, the cases drawn (by reference, with whether each was overdue), and how many of the
-- caseload's open cases were overdue on the day it was recorded. Later changes to the cases do
-- not change the record. Only the follow-up of its agreed actions is filled in later.
CREATE TABLE supervisions (
    id             INTEGER PRIMARY KEY,
    person         INTEGER NOT NULL REFERENCES users (id),
    supervisor     INTEGER NOT NULL REFERENCES users (id),
    held_on        TEXT    NOT NULL,
    seed           INTEGER NOT NULL,
    open_cases     INTEGER NOT NULL CHECK (open_cases >= 0),
    overdue_cases  INTEGER NOT NULL CHECK (overdue_cases BETWEEN 0 AND open_cases),
    notes          TEXT    NOT NULL DEFAULT '',
    recorded_at    TEXT    NOT NULL
);

CREATE INDEX supervisions_by_person ON supervisions (person, held_on);

CREATE TABLE supervision_sample (
    supervision_id INTEGER NOT NULL REFERENCES supervisions (id),
    position       INTEGER NOT NULL,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    reference      TEXT    NOT NULL,
    overdue        BOOLEAN NOT NULL,
    PRIMARY KEY (supervision_id, position)
);

CREATE TABLE supervision_actions (
    id             INTEGER PRIMARY KEY,
    supervision_id INTEGER NOT NULL REFERENCES supervisions (id),
    position       INTEGER NOT NULL,
    text           TEXT    NOT NULL,
    -- NULL until followed up; then whether it was done, on which day, by whom.
    done           BOOLEAN,
    followed_up_on TEXT,
    followed_up_by INTEGER REFERENCES users (id),
    CHECK ((done IS NULL) = (followed_up_on IS NULL)),
    UNIQUE (supervision_id, position)
);

-- A course: how long a completion stays valid (NULL: for good), and the roles that must take it
-- (a comma-separated list of role machine names; empty: nobody is required to).
CREATE TABLE courses (
    id            INTEGER PRIMARY KEY,
    title         TEXT    NOT NULL UNIQUE,
    valid_months  INTEGER CHECK (valid_months > 0),
    required_for  TEXT    NOT NULL DEFAULT '',
    created_at    TEXT    NOT NULL
);

CREATE TABLE training_records (
    id            INTEGER PRIMARY KEY,
    person        INTEGER NOT NULL REFERENCES users (id),
    course_id     INTEGER NOT NULL REFERENCES courses (id),
    completed_on  TEXT    NOT NULL,
    recorded_by   INTEGER NOT NULL REFERENCES users (id),
    recorded_at   TEXT    NOT NULL
);

CREATE INDEX training_records_by_person ON training_records (person, course_id);

-- A new starter's induction: one per person, with their buddy; its items are ticked with a date.
CREATE TABLE inductions (
    person      INTEGER PRIMARY KEY REFERENCES users (id),
    buddy       INTEGER NOT NULL REFERENCES users (id),
    started_on  TEXT    NOT NULL,
    CHECK (buddy <> person)
);

CREATE TABLE induction_ticks (
    person      INTEGER NOT NULL REFERENCES inductions (person),
    item        TEXT    NOT NULL,
    done_on     TEXT    NOT NULL,
    ticked_by   INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (person, item)
);
