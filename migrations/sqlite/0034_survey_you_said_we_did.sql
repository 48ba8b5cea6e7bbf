-- "You said, we did" (issue 17 item 3): what a survey's answers told the service, what it did
-- about it, and the improvement plan action that carries it, if any. The same table is in
-- migrations/postgres/0034_survey_you_said_we_did.sql.
--
-- The action link is cleared, not the entry deleted, when the plan is replaced from a file:
-- what families were told stays true even when the plan's actions are renumbered.
CREATE TABLE survey_you_said (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    survey_id   INTEGER NOT NULL REFERENCES surveys (id),
    you_said    TEXT    NOT NULL,
    we_did      TEXT    NOT NULL,
    action_id   INTEGER REFERENCES improvement_items (id) ON DELETE SET NULL,
    recorded_by INTEGER NOT NULL REFERENCES users (id),
    recorded_at TEXT    NOT NULL
);
CREATE INDEX survey_you_said_by_survey ON survey_you_said (survey_id);
