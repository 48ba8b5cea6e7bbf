-- Professionals and settings belong to a service (users.provider, a normalised name); an advice
-- request whose provider is that service is addressed to its members. The same change is in
-- migrations/postgres/0003_advice_services.sql.
ALTER TABLE users ADD COLUMN provider TEXT;
CREATE INDEX users_provider ON users (provider);

-- One row per service asked for advice on a case, derived from the history with the projection:
-- closed_on is NULL while any request to the service is open, else the day the last one closed.
-- A service sees the case while its row is open and for a configured period after it closes.
CREATE TABLE case_advice_providers (
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    provider  TEXT   NOT NULL,
    closed_on TEXT,
    PRIMARY KEY (case_id, provider)
);
CREATE INDEX case_advice_providers_provider ON case_advice_providers (provider, closed_on);

-- Existing cases get their rows when their projections are next refreshed (at start-up): mark
-- every projection stale.
UPDATE case_projection SET computed_as_of = '2000-01-01';

-- Advice written on Tandem's standard form by the service asked: saved as a draft as often as
-- wanted, then submitted once, which records advice_received on the case (event_id).
CREATE TABLE advice_responses (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    -- The advice milestone answered (advice:health, advice:health:2), as the timeline keys it.
    request_key  TEXT    NOT NULL,
    author_id    INTEGER NOT NULL REFERENCES users (id),
    -- The form's answers (tandem_core::advice::AdviceForm) as JSON.
    form         TEXT    NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   TEXT    NOT NULL,
    submitted_at TEXT,
    event_id     INTEGER REFERENCES events (id),
    UNIQUE (case_id, request_key),
    CHECK ((submitted_at IS NULL) = (event_id IS NULL))
);
