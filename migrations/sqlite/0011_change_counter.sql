-- A counter of changes to the cases and their summary rows, moved on by triggers in the same
-- transaction as the change. Reading it is one indexed row; a server keeps the caseload it
-- computed (its counts and pages) under the counter's value, read in the same snapshot, so a
-- change on any server is seen by every server at its next read.
CREATE TABLE change_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO change_counter (id, n) VALUES (1, 0);

CREATE TRIGGER cases_inserted_count AFTER INSERT ON cases
BEGIN
    UPDATE change_counter SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER cases_updated_count AFTER UPDATE ON cases
BEGIN
    UPDATE change_counter SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER cases_deleted_count AFTER DELETE ON cases
BEGIN
    UPDATE change_counter SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER case_projection_inserted_count AFTER INSERT ON case_projection
BEGIN
    UPDATE change_counter SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER case_projection_updated_count AFTER UPDATE ON case_projection
BEGIN
    UPDATE change_counter SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER case_projection_deleted_count AFTER DELETE ON case_projection
BEGIN
    UPDATE change_counter SET n = n + 1 WHERE id = 1;
END;
