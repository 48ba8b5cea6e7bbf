-- The outbox of email notifications. Each row is one email to one person; the dedupe key is
-- unique, so the same notice or reminder is never queued twice however often the daily run or
-- a retried write queues it. Rows are claimed for sending with a lease (claimed_until), sent,
-- and marked sent in the transaction that releases the claim; a failed attempt is retried at
-- next_attempt_at, with back-off, and never dropped. last_error holds the mail server's answer,
-- never the email's text. The kind 'invitation' is allowed already, for invitations by email
-- (issue 11 item 4), since SQLite cannot change a CHECK without rebuilding the table. The same
-- change is in migrations/postgres/0006_notifications.sql.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('invitation', 'advice_requested',
                        'advice_due_soon', 'advice_overdue', 'draft_ready',
                        'comment_period_ending', 'final_plan_issued', 'new_message')),
    user_id         INTEGER REFERENCES users (id),
    email           TEXT    NOT NULL,
    case_id         INTEGER REFERENCES cases (id),
    dedupe_key      TEXT    NOT NULL UNIQUE,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    claimed_until   TEXT,
    last_error      TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status <> 'sent';
