-- A counter of changes to the cases and their summary rows, moved on by triggers in the same
-- transaction as the change. Reading it is one indexed row; a server keeps the caseload it
-- computed (its counts and pages) under the counter's value, read in the same snapshot, so a
-- change on any server is seen by every server at its next read. Statement-level triggers:
-- a bulk import moves it once a statement, not once a row. The row is locked from the change
-- until its transaction ends, so writes to cases queue there for that moment.
CREATE TABLE change_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO change_counter (id, n) VALUES (1, 0);

CREATE FUNCTION count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counter SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER cases_changed_count AFTER INSERT OR UPDATE OR DELETE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION count_change();
CREATE TRIGGER case_projection_changed_count AFTER INSERT OR UPDATE OR DELETE ON case_projection
    FOR EACH STATEMENT EXECUTE FUNCTION count_change();
