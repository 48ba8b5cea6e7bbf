-- The EHC plan of a case (issue 12). The same change is in migrations/postgres/0007_plans.sql.
--
-- Every save of the working plan is a new revision, kept: a save names the revision it was
-- based on, and one based on a stale revision is refused, so nobody's typing is overwritten.
CREATE TABLE plan_revisions (
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    revision  INTEGER NOT NULL,
    -- The plan (tandem_core::plan::Plan) as JSON.
    plan      TEXT    NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users (id),
    saved_at  TEXT    NOT NULL,
    PRIMARY KEY (case_id, revision)
);

-- Issuing a draft or final plan copies a revision into a numbered version, recorded with the
-- draft_plan_issued or final_plan_issued event of the case (event_id). Versions never change.
CREATE TABLE plan_versions (
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    number    INTEGER NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('draft', 'final', 'amended')),
    revision  INTEGER NOT NULL,
    plan      TEXT    NOT NULL,
    issued_by INTEGER NOT NULL REFERENCES users (id),
    issued_at TEXT    NOT NULL,
    event_id  INTEGER NOT NULL REFERENCES events (id),
    -- What the signer acknowledged, as JSON: blocking findings with reasons, and the reason for
    -- issuing before the family's comment period ended.
    sign_off  TEXT    NOT NULL,
    PRIMARY KEY (case_id, number),
    FOREIGN KEY (case_id, revision) REFERENCES plan_revisions (case_id, revision)
);

CREATE TRIGGER plan_versions_are_immutable BEFORE UPDATE ON plan_versions
BEGIN
    SELECT RAISE(ABORT, 'an issued plan version cannot be changed');
END;

CREATE TRIGGER plan_revisions_are_immutable BEFORE UPDATE ON plan_revisions
BEGIN
    SELECT RAISE(ABORT, 'a saved plan revision cannot be changed');
END;
