-- Decision panels (issue 17 item 1): panels with their terms of reference and members, their
-- meetings, and the decisions each meeting recorded onto cases. A decision is an ordinary event
-- in the case's history (a decision to assess or to issue); panel_decisions names the meeting it
-- came from and the panel's reason. The same tables are in migrations/postgres/0028_panels.sql.
CREATE TABLE panels (
    id                 INTEGER PRIMARY KEY,
    name               TEXT    NOT NULL UNIQUE,
    -- The question the panel decides (tandem_core::panels::PanelDecides).
    decides            TEXT    NOT NULL CHECK (decides IN ('assess', 'issue')),
    terms_of_reference TEXT    NOT NULL,
    created_at         TEXT    NOT NULL
);

-- Members are staff accounts. Those who need not see who a child is read pseudonymised papers.
CREATE TABLE panel_members (
    panel_id      INTEGER NOT NULL REFERENCES panels (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    sees_identity BOOLEAN NOT NULL,
    PRIMARY KEY (panel_id, user_id)
);
CREATE INDEX panel_members_user ON panel_members (user_id);

CREATE TABLE panel_meetings (
    id         INTEGER PRIMARY KEY,
    panel_id   INTEGER NOT NULL REFERENCES panels (id),
    meets_on   TEXT    NOT NULL,
    minutes    TEXT,
    created_at TEXT    NOT NULL,
    UNIQUE (panel_id, meets_on)
);

-- Rows are only ever added: a decision corrected later is corrected on the case's history.
CREATE TABLE panel_decisions (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES panel_meetings (id),
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    event_id   INTEGER NOT NULL UNIQUE REFERENCES events (id),
    -- The outcome as the meeting decided it (its machine name); the case's history holds it as
    -- an event too, which a later correction may change.
    outcome    TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    decided_by INTEGER REFERENCES users (id),
    decided_at TEXT    NOT NULL,
    UNIQUE (meeting_id, case_id)
);
CREATE INDEX panel_decisions_case ON panel_decisions (case_id);
