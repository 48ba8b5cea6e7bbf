-- The final plan's 20-week date and whether it is at risk of missing it (tandem_core::guidance
-- forecast), kept with each case's summary row so that caseloads filter and count on them.
-- Every projection is dated 1 January 2000 so that start-up derives the new columns from each
-- case's history (Store::migrate), and the next step is the one a manager would act on.
ALTER TABLE case_projection ADD COLUMN final_due DATE;
ALTER TABLE case_projection ADD COLUMN at_risk BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE case_projection SET computed_as_of = '2000-01-01';
CREATE INDEX case_projection_at_risk ON case_projection (at_risk) WHERE at_risk;
