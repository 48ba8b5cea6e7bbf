-- Password reset by email (issue 13 item 7): a reset link is an invitation to set the password
-- again, kept in the same table with the same one-use, digest-only rules, marked by its purpose
-- so that a reset can never be taken for an invitation (which would enable the account) nor an
-- invitation for a reset. The same change is in migrations/postgres/0035_password_resets.sql.
ALTER TABLE invitations ADD COLUMN purpose TEXT NOT NULL DEFAULT 'join'
    CHECK (purpose IN ('join', 'reset'));
CREATE INDEX invitations_by_user ON invitations (user_id, purpose, created_at);
