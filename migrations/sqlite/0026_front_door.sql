-- The front door (issue 13 item 1). References made for new requests come from a counter per
-- scope (the reference pattern with its year filled in), taken and moved on in the transaction
-- that opens the case, so two requests opened at once never get the same number. Changes to a
-- case's details after it was opened (the child's details and the request's facts) are kept,
-- each with who made it, when, and every field's value before and after, so the case can show
-- its history. Rows are only ever added. The same tables are in
-- migrations/postgres/0026_front_door.sql.
CREATE TABLE reference_counters (
    scope TEXT    PRIMARY KEY,
    last  INTEGER NOT NULL CHECK (last > 0)
);

CREATE TABLE case_detail_changes (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    changed_by INTEGER REFERENCES users (id),
    changed_at TEXT    NOT NULL,
    -- [{"field": …, "from": …, "to": …}], values as the form shows them.
    changes    TEXT    NOT NULL
);

CREATE INDEX case_detail_changes_by_case ON case_detail_changes (case_id, id);
