-- The communications log of a case: portal messages between a family or professional and the
-- council, and calls, emails, letters and meetings recorded by staff. An incoming message has the
-- day a reply is due; a reply names the message it answers. The same change is in
-- migrations/postgres/0005_messages.sql.
CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    direction    TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    channel      TEXT NOT NULL CHECK (channel IN ('portal', 'email', 'phone', 'letter', 'meeting')),
    -- The account that wrote it (portal messages), if any.
    author_id    INTEGER REFERENCES users (id),
    -- Who the contact was with, as staff recorded it (a call with a parent, a letter from a GP).
    counterpart  TEXT,
    body         TEXT NOT NULL,
    sent_at      TEXT NOT NULL,
    recorded_by  INTEGER NOT NULL REFERENCES users (id),
    -- Incoming only: the last day a reply is in time (working days, England and Wales).
    response_due TEXT,
    -- Incoming only: the reply that answered it, and when.
    replied_by   INTEGER REFERENCES messages (id),
    replied_at   TEXT,
    CHECK ((direction = 'incoming') = (response_due IS NOT NULL)),
    CHECK ((replied_by IS NULL) = (replied_at IS NULL))
);
CREATE INDEX messages_case ON messages (case_id, sent_at);
CREATE INDEX messages_awaiting ON messages (response_due) WHERE replied_at IS NULL AND direction = 'incoming';
