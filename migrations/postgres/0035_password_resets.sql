-- Password reset by email (issue 13 item 7). The same change is in
-- migrations/sqlite/0035_password_resets.sql, which explains it.
ALTER TABLE invitations ADD COLUMN purpose TEXT NOT NULL DEFAULT 'join'
    CHECK (purpose IN ('join', 'reset'));
CREATE INDEX invitations_by_user ON invitations (user_id, purpose, created_at);
