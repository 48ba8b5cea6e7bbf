-- Teams as a managed list (issue 13 item 4). The same table is in
-- migrations/sqlite/0036_teams.sql, which explains it.
CREATE TABLE teams (
    name TEXT PRIMARY KEY
);
INSERT INTO teams (name)
    SELECT team FROM users WHERE team IS NOT NULL AND team <> ''
    UNION SELECT team FROM cases WHERE team IS NOT NULL AND team <> '';
