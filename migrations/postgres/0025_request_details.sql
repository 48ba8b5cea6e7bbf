-- Facts of one request and its plan held on the case, not the child (issue 16): who asked
-- (issue 13's front door; SEN2 RequestSource), the mediation and tribunal indicators, the personal
-- budget and its arrangements, the residential and work-based provision named in the plan, why
-- the plan ceased, and the LAs a plan came from or a child moved to. Until now most sat as keys of
-- the child record, so a child's two requests shared them. Codes move onto every case of the
-- child and leave the child record (a code that is not one stays there, unread); a yes/no item
-- moves as yes when it said yes and as no otherwise.
-- See docs/statutory-returns.md. The same change is in migrations/sqlite/0025_request_details.sql.

ALTER TABLE cases
    ADD COLUMN requested_by TEXT CHECK (requested_by IN ('parent', 'young_person', 'school', 'health', 'social_care', 'other')),
    ADD COLUMN rya BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN request_mediation BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN request_tribunal BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN assessment_mediation BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN assessment_tribunal BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN other_mediation BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN other_tribunal BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN personal_budget BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN organised_arrangements BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN direct_payments TEXT CHECK (direct_payments IN ('E', 'S', 'H', 'I')),
    ADD COLUMN plan_residential TEXT CHECK (plan_residential IN ('A', 'B')),
    ADD COLUMN plan_work_based TEXT CHECK (plan_work_based IN ('A', 'T', 'S')),
    ADD COLUMN cease_reason TEXT CHECK (cease_reason IN ('1', '2', '3', '4', '5', '6', '7', '8', '9')),
    ADD COLUMN transfer_la TEXT CHECK (transfer_la ~ '^([0-9]{3}|XXX)$'),
    ADD COLUMN exported_la TEXT CHECK (exported_la ~ '^([0-9]{3}|XXX)$');

UPDATE cases SET
    requested_by = CASE (ch.other ->> 'request_source') WHEN '1' THEN 'parent' WHEN '2' THEN 'school'
        WHEN '3' THEN 'health' WHEN '4' THEN 'social_care' WHEN '5' THEN 'other' END,
    rya = COALESCE(lower((ch.other ->> 'rya')) IN ('1', 'y', 'yes', 'true'), false),
    request_mediation = COALESCE(lower((ch.other ->> 'request_mediation')) IN ('1', 'y', 'yes', 'true'), false),
    request_tribunal = COALESCE(lower((ch.other ->> 'request_tribunal')) IN ('1', 'y', 'yes', 'true'), false),
    assessment_mediation = COALESCE(lower((ch.other ->> 'assessment_mediation')) IN ('1', 'y', 'yes', 'true'), false),
    assessment_tribunal = COALESCE(lower((ch.other ->> 'assessment_tribunal')) IN ('1', 'y', 'yes', 'true'), false),
    other_mediation = COALESCE(lower((ch.other ->> 'other_mediation')) IN ('1', 'y', 'yes', 'true'), false),
    other_tribunal = COALESCE(lower((ch.other ->> 'other_tribunal')) IN ('1', 'y', 'yes', 'true'), false),
    personal_budget = COALESCE(lower((ch.other ->> 'personal_budget')) IN ('1', 'y', 'yes', 'true'), false),
    cease_reason = CASE WHEN (ch.other ->> 'cease_reason') IN ('1', '2', '3', '4', '5', '6', '7', '8', '9') THEN (ch.other ->> 'cease_reason') END,
    transfer_la = CASE WHEN (ch.other ->> 'transfer_la') ~ '^([0-9]{3}|XXX)$' THEN (ch.other ->> 'transfer_la') END
FROM children ch WHERE ch.id = cases.child_id;

-- The child keys now held on the case leave the child record when they were moved.
UPDATE children SET other = other - ARRAY['rya', 'request_mediation', 'request_tribunal', 'assessment_mediation', 'assessment_tribunal', 'other_mediation', 'other_tribunal', 'personal_budget'];
UPDATE children SET other = other - 'request_source'
    WHERE (other ->> 'request_source') IN ('1', '2', '3', '4', '5');
UPDATE children SET other = other - 'cease_reason'
    WHERE (other ->> 'cease_reason') IN ('1', '2', '3', '4', '5', '6', '7', '8', '9');
UPDATE children SET other = other - 'transfer_la'
    WHERE (other ->> 'transfer_la') ~ '^([0-9]{3}|XXX)$';
