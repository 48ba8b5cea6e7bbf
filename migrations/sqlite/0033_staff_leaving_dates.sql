-- When a member of staff left, for the workforce's turnover figures (issue 17 item 2): the day
-- their account was disabled, set by the database itself whenever `disabled` changes, so every
-- way of disabling an account (the accounts page, disabling with hand-over, the command line)
-- records it without each having to. Enabling the account again clears it. The day is UTC's.
-- Joiners are counted from `created_at`. The same change is in
-- migrations/postgres/0033_staff_leaving_dates.sql.
ALTER TABLE users ADD COLUMN disabled_on TEXT;

CREATE TRIGGER users_disabled_on AFTER UPDATE OF disabled ON users
WHEN NEW.disabled IS NOT OLD.disabled
BEGIN
    UPDATE users
       SET disabled_on = CASE WHEN NEW.disabled THEN date('now') ELSE NULL END
     WHERE id = NEW.id;
END;
