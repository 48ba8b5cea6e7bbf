-- Advice providers as a list the administrators keep (issue 14, finding 17): a request for
-- advice names a provider from the list instead of free text, so the names analysts see are the
-- council's, not whatever was typed. The same change is in
-- migrations/postgres/0020_advice_providers.sql.
CREATE TABLE advice_providers (
    id         INTEGER PRIMARY KEY,
    -- The name requests record and tables show now.
    name       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    -- Set when the provider is no longer asked: kept for the history, offered no more.
    retired_at TEXT
);

-- Every name each provider has had, by its matching form (trimmed, spaces collapsed, lower
-- case, as tandem_core::access::provider_key makes it): a request or an import naming an
-- earlier name finds the provider, and no two providers can share a name.
CREATE TABLE advice_provider_names (
    key         TEXT    PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES advice_providers (id)
);
CREATE INDEX advice_provider_names_provider ON advice_provider_names (provider_id);

-- The providers already named on requests (and on accounts, which name their service by its
-- key) become the list, each under the first spelling recorded (SQLite takes the bare column
-- from the row holding the MIN). Events keep the name they were recorded with: the history is
-- never rewritten.
CREATE TEMPORARY TABLE named_providers AS
SELECT name, key, MIN(first_id) AS first_id FROM (
    SELECT trim(json_extract(event, '$.provider')) AS name,
           lower(trim(replace(replace(replace(replace(replace(replace(
               json_extract(event, '$.provider'), char(9), ' '), char(10), ' '), char(13), ' '),
               '  ', ' '), '  ', ' '), '  ', ' '))) AS key,
           id AS first_id
    FROM events
    WHERE type = 'advice_requested' AND json_extract(event, '$.provider') IS NOT NULL
    UNION ALL
    SELECT provider, provider, 9223372036854775807 FROM users WHERE provider IS NOT NULL
) WHERE key <> '' GROUP BY key;

INSERT INTO advice_providers (name, created_at)
SELECT name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM named_providers ORDER BY first_id, key;

INSERT INTO advice_provider_names (key, provider_id)
SELECT np.key, p.id FROM named_providers np JOIN advice_providers p ON p.name = np.name;

DROP TABLE named_providers;
