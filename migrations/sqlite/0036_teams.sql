-- Teams as a managed list (issue 13 item 4): accounts and cases go on naming their team by its
-- name (users.team, cases.team), but a name must now be on this list, kept by administrators,
-- so that "North" and "north team" cannot drift apart. The list starts with every team already
-- named. The same table is in migrations/postgres/0036_teams.sql.
CREATE TABLE teams (
    name TEXT PRIMARY KEY
);
INSERT INTO teams (name)
    SELECT team FROM users WHERE team IS NOT NULL AND team <> ''
    UNION SELECT team FROM cases WHERE team IS NOT NULL AND team <> '';
