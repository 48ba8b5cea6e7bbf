-- Who held a case before whom (issue 13 item 4): each change of case manager, by whom, when and
-- why, so that the case's history shows reassignments (one at a time, in bulk, or when an
-- account is disabled). Rows are only ever added. The same table is in
-- migrations/postgres/0024_case_assignments.sql.
CREATE TABLE case_assignments (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    from_user    INTEGER REFERENCES users (id),
    to_user      INTEGER REFERENCES users (id),
    reason       TEXT,
    assigned_by  INTEGER REFERENCES users (id),
    assigned_at  TEXT    NOT NULL
);

CREATE INDEX case_assignments_by_case ON case_assignments (case_id, id);
