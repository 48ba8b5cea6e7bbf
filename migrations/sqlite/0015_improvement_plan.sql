-- The improvement plan kept in Tandem (issue 13 item 6), in place of a CSV file read at start-up.
-- The same tables are in migrations/postgres/0015_improvement_plan.sql.
--
-- One row per action or success measure, as in the plan's CSV: the priority and objective it
-- sits under are named by title, and `position` keeps the plan's order (priorities and
-- objectives come in the order first met). An action has an owner, a due date, a status and its
-- evidence, and a version that every change moves on, so that a form based on an older version
-- is refused rather than overwriting someone else's change. Each change is kept, dated and
-- attributed, with what it changed.
-- AUTOINCREMENT: an id is never used again after a plan is replaced, so that a link or a form
-- open on an old action can never reach a new one (PostgreSQL's identity never reuses either).
CREATE TABLE improvement_items (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    position  INTEGER NOT NULL,
    priority  TEXT    NOT NULL,
    objective TEXT    NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('action', 'measure')),
    text      TEXT    NOT NULL,
    owner     TEXT,
    due       TEXT,
    status    TEXT    CHECK (status IN ('not_started', 'in_progress', 'done', 'dropped')),
    evidence  TEXT    NOT NULL DEFAULT '',
    -- For a measure: the dashboard rate that tracks it (tandem_core::metrics::rate_keys).
    metric    TEXT,
    version   INTEGER NOT NULL DEFAULT 1,
    CHECK ((kind = 'action') = (owner IS NOT NULL AND due IS NOT NULL AND status IS NOT NULL)),
    CHECK (kind = 'measure' OR metric IS NULL)
);

CREATE INDEX improvement_items_in_order ON improvement_items (position);

CREATE TABLE improvement_updates (
    id       INTEGER PRIMARY KEY,
    item_id  INTEGER NOT NULL REFERENCES improvement_items (id) ON DELETE CASCADE,
    -- The action's version this update made.
    version  INTEGER NOT NULL,
    made_by  INTEGER NOT NULL REFERENCES users (id),
    made_at  TEXT    NOT NULL,
    note     TEXT    NOT NULL,
    -- What changed: a JSON array of {"field", "from", "to"}.
    changes  TEXT    NOT NULL,
    UNIQUE (item_id, version)
);
