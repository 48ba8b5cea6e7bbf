-- When a member of staff left, for the workforce's turnover figures (issue 17 item 2): the day
-- their account was disabled, set by the database itself whenever `disabled` changes, so every
-- way of disabling an account (the accounts page, disabling with hand-over, the command line)
-- records it without each having to. Enabling the account again clears it. The day is UTC's.
-- Joiners are counted from `created_at`. The same change is in
-- migrations/sqlite/0033_staff_leaving_dates.sql.
ALTER TABLE users ADD COLUMN disabled_on DATE;

CREATE FUNCTION users_disabled_on() RETURNS trigger AS $$
BEGIN
    IF NEW.disabled IS DISTINCT FROM OLD.disabled THEN
        NEW.disabled_on := CASE WHEN NEW.disabled THEN (now() AT TIME ZONE 'UTC')::date END;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER users_disabled_on BEFORE UPDATE OF disabled ON users
    FOR EACH ROW EXECUTE FUNCTION users_disabled_on();
