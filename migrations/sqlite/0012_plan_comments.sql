-- The family's comments on an issued draft plan (issue 11 item 3): SEND Regulations 2014,
-- reg 13(1), gives the parent or young person at least 15 days to make representations about
-- the draft, to ask for a school or other institution to be named, and to ask for a meeting
-- with an officer of the council. Each comment names the draft version it is about; comments
-- are kept as written (the trigger refuses changes). The same table is in
-- migrations/postgres/0012_plan_comments.sql.
CREATE TABLE plan_comments (
    id                INTEGER PRIMARY KEY,
    case_id           INTEGER NOT NULL REFERENCES cases (id),
    version           INTEGER NOT NULL,
    -- The section (A to K, with H1 and H2), or NULL for the plan as a whole.
    section           TEXT    CHECK (section IN ('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H1', 'H2', 'I', 'J', 'K')),
    body              TEXT    NOT NULL,
    preferred_setting TEXT,
    wants_meeting     INTEGER NOT NULL CHECK (wants_meeting IN (0, 1)),
    author_id         INTEGER NOT NULL REFERENCES users (id),
    made_at           TEXT    NOT NULL,
    FOREIGN KEY (case_id, version) REFERENCES plan_versions (case_id, number)
);

CREATE INDEX plan_comments_by_case ON plan_comments (case_id, id);

CREATE TRIGGER plan_comments_are_immutable BEFORE UPDATE ON plan_comments
BEGIN
    SELECT RAISE(ABORT, 'a comment on a draft plan cannot be changed');
END;
