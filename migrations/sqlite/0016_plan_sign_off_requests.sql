-- A case manager asks for the final plan to be signed off (issue 12 item 4): the Written
-- Statement of Action has final plans signed off by senior leaders, so the plan waits on a list
-- for them until a final (or amended) plan is issued after the request. Each request names the
-- working revision it was made on and keeps the note as written. The same table is in
-- migrations/postgres/0016_plan_sign_off_requests.sql.
CREATE TABLE plan_sign_off_requests (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    revision      INTEGER NOT NULL,
    requested_by  INTEGER NOT NULL REFERENCES users (id),
    requested_at  TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    FOREIGN KEY (case_id, revision) REFERENCES plan_revisions (case_id, revision)
);

CREATE INDEX plan_sign_off_requests_by_case ON plan_sign_off_requests (case_id, id);
