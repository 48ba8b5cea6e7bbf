-- Facts of one request and its plan held on the case, not the child (issue 16): who asked
-- (issue 13's front door; SEN2 RequestSource), the mediation and tribunal indicators, the personal
-- budget and its arrangements, the residential and work-based provision named in the plan, why
-- the plan ceased, and the LAs a plan came from or a child moved to. Until now most sat as keys of
-- the child record, so a child's two requests shared them. Codes move onto every case of the
-- child and leave the child record (a code that is not one stays there, unread); a yes/no item
-- moves as yes when it said yes and as no otherwise.
-- See docs/statutory-returns.md. The same change is in migrations/postgres/0025_request_details.sql.

ALTER TABLE cases ADD COLUMN requested_by TEXT CHECK (requested_by IN ('parent', 'young_person', 'school', 'health', 'social_care', 'other'));
ALTER TABLE cases ADD COLUMN rya INTEGER NOT NULL DEFAULT 0 CHECK (rya IN (0, 1));
ALTER TABLE cases ADD COLUMN request_mediation INTEGER NOT NULL DEFAULT 0 CHECK (request_mediation IN (0, 1));
ALTER TABLE cases ADD COLUMN request_tribunal INTEGER NOT NULL DEFAULT 0 CHECK (request_tribunal IN (0, 1));
ALTER TABLE cases ADD COLUMN assessment_mediation INTEGER NOT NULL DEFAULT 0 CHECK (assessment_mediation IN (0, 1));
ALTER TABLE cases ADD COLUMN assessment_tribunal INTEGER NOT NULL DEFAULT 0 CHECK (assessment_tribunal IN (0, 1));
ALTER TABLE cases ADD COLUMN other_mediation INTEGER NOT NULL DEFAULT 0 CHECK (other_mediation IN (0, 1));
ALTER TABLE cases ADD COLUMN other_tribunal INTEGER NOT NULL DEFAULT 0 CHECK (other_tribunal IN (0, 1));
ALTER TABLE cases ADD COLUMN personal_budget INTEGER NOT NULL DEFAULT 0 CHECK (personal_budget IN (0, 1));
ALTER TABLE cases ADD COLUMN organised_arrangements INTEGER NOT NULL DEFAULT 0 CHECK (organised_arrangements IN (0, 1));
ALTER TABLE cases ADD COLUMN direct_payments TEXT CHECK (direct_payments IN ('E', 'S', 'H', 'I'));
ALTER TABLE cases ADD COLUMN plan_residential TEXT CHECK (plan_residential IN ('A', 'B'));
ALTER TABLE cases ADD COLUMN plan_work_based TEXT CHECK (plan_work_based IN ('A', 'T', 'S'));
ALTER TABLE cases ADD COLUMN cease_reason TEXT CHECK (cease_reason IN ('1', '2', '3', '4', '5', '6', '7', '8', '9'));
ALTER TABLE cases ADD COLUMN transfer_la TEXT CHECK (transfer_la GLOB '[0-9][0-9][0-9]' OR transfer_la = 'XXX');
ALTER TABLE cases ADD COLUMN exported_la TEXT CHECK (exported_la GLOB '[0-9][0-9][0-9]' OR exported_la = 'XXX');

UPDATE cases SET
    requested_by = (SELECT CASE CAST(json_extract(ch.other, '$.request_source') AS TEXT) WHEN '1' THEN 'parent' WHEN '2' THEN 'school'
        WHEN '3' THEN 'health' WHEN '4' THEN 'social_care' WHEN '5' THEN 'other' END
        FROM children ch WHERE ch.id = cases.child_id),
    rya = COALESCE((SELECT lower(CAST(json_extract(ch.other, '$.rya') AS TEXT)) IN ('1', 'y', 'yes', 'true')
        FROM children ch WHERE ch.id = cases.child_id), 0),
    request_mediation = COALESCE((SELECT lower(CAST(json_extract(ch.other, '$.request_mediation') AS TEXT)) IN ('1', 'y', 'yes', 'true')
        FROM children ch WHERE ch.id = cases.child_id), 0),
    request_tribunal = COALESCE((SELECT lower(CAST(json_extract(ch.other, '$.request_tribunal') AS TEXT)) IN ('1', 'y', 'yes', 'true')
        FROM children ch WHERE ch.id = cases.child_id), 0),
    assessment_mediation = COALESCE((SELECT lower(CAST(json_extract(ch.other, '$.assessment_mediation') AS TEXT)) IN ('1', 'y', 'yes', 'true')
        FROM children ch WHERE ch.id = cases.child_id), 0),
    assessment_tribunal = COALESCE((SELECT lower(CAST(json_extract(ch.other, '$.assessment_tribunal') AS TEXT)) IN ('1', 'y', 'yes', 'true')
        FROM children ch WHERE ch.id = cases.child_id), 0),
    other_mediation = COALESCE((SELECT lower(CAST(json_extract(ch.other, '$.other_mediation') AS TEXT)) IN ('1', 'y', 'yes', 'true')
        FROM children ch WHERE ch.id = cases.child_id), 0),
    other_tribunal = COALESCE((SELECT lower(CAST(json_extract(ch.other, '$.other_tribunal') AS TEXT)) IN ('1', 'y', 'yes', 'true')
        FROM children ch WHERE ch.id = cases.child_id), 0),
    personal_budget = COALESCE((SELECT lower(CAST(json_extract(ch.other, '$.personal_budget') AS TEXT)) IN ('1', 'y', 'yes', 'true')
        FROM children ch WHERE ch.id = cases.child_id), 0),
    cease_reason = (SELECT CASE WHEN CAST(json_extract(ch.other, '$.cease_reason') AS TEXT) IN ('1', '2', '3', '4', '5', '6', '7', '8', '9')
        THEN CAST(json_extract(ch.other, '$.cease_reason') AS TEXT) END FROM children ch WHERE ch.id = cases.child_id),
    transfer_la = (SELECT CASE WHEN CAST(json_extract(ch.other, '$.transfer_la') AS TEXT) GLOB '[0-9][0-9][0-9]' OR CAST(json_extract(ch.other, '$.transfer_la') AS TEXT) = 'XXX'
        THEN CAST(json_extract(ch.other, '$.transfer_la') AS TEXT) END FROM children ch WHERE ch.id = cases.child_id);

-- The child keys now held on the case leave the child record when they were moved.
UPDATE children SET other = json_remove(other, '$.rya', '$.request_mediation', '$.request_tribunal', '$.assessment_mediation', '$.assessment_tribunal', '$.other_mediation', '$.other_tribunal', '$.personal_budget');
UPDATE children SET other = json_remove(other, '$.request_source')
    WHERE CAST(json_extract(other, '$.request_source') AS TEXT) IN ('1', '2', '3', '4', '5');
UPDATE children SET other = json_remove(other, '$.cease_reason')
    WHERE CAST(json_extract(other, '$.cease_reason') AS TEXT) IN ('1', '2', '3', '4', '5', '6', '7', '8', '9');
UPDATE children SET other = json_remove(other, '$.transfer_la')
    WHERE CAST(json_extract(other, '$.transfer_la') AS TEXT) GLOB '[0-9][0-9][0-9]'
       OR CAST(json_extract(other, '$.transfer_la') AS TEXT) = 'XXX';
