-- The EHC plan of a case (issue 12). The same change is in migrations/sqlite/0007_plans.sql.
--
-- Every save of the working plan is a new revision, kept: a save names the revision it was
-- based on, and one based on a stale revision is refused, so nobody's typing is overwritten.
CREATE TABLE plan_revisions (
    case_id   BIGINT      NOT NULL REFERENCES cases (id),
    revision  BIGINT      NOT NULL,
    -- The plan (tandem_core::plan::Plan) as JSON.
    plan      JSONB       NOT NULL,
    author_id BIGINT      NOT NULL REFERENCES users (id),
    saved_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, revision)
);

-- Issuing a draft or final plan copies a revision into a numbered version, recorded with the
-- draft_plan_issued or final_plan_issued event of the case (event_id). Versions never change.
CREATE TABLE plan_versions (
    case_id   BIGINT      NOT NULL REFERENCES cases (id),
    number    BIGINT      NOT NULL,
    kind      TEXT        NOT NULL CHECK (kind IN ('draft', 'final', 'amended')),
    revision  BIGINT      NOT NULL,
    plan      JSONB       NOT NULL,
    issued_by BIGINT      NOT NULL REFERENCES users (id),
    issued_at TIMESTAMPTZ NOT NULL,
    event_id  BIGINT      NOT NULL REFERENCES events (id),
    -- What the signer acknowledged, as JSON: blocking findings with reasons, and the reason for
    -- issuing before the family's comment period ended.
    sign_off  JSONB       NOT NULL,
    PRIMARY KEY (case_id, number),
    FOREIGN KEY (case_id, revision) REFERENCES plan_revisions (case_id, revision)
);

CREATE FUNCTION refuse_plan_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'saved plan revisions and issued versions cannot be changed';
END
$$;

CREATE TRIGGER plan_versions_are_immutable BEFORE UPDATE ON plan_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_plan_change();

CREATE TRIGGER plan_revisions_are_immutable BEFORE UPDATE ON plan_revisions
    FOR EACH ROW EXECUTE FUNCTION refuse_plan_change();
