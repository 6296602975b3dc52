-- Chat: one row per message, numbered per meeting. History pages by (meeting_id, seq), the primary key,
-- so a page costs the same in a meeting of ten messages and one of a hundred thousand. A retried send
-- (the same client_msg_id from the same user) finds its message through the unique index instead of
-- storing a second one. A deleted message keeps its row (its seq stays taken) without its text.
CREATE TABLE chat_messages (
    meeting_id     TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    seq            BIGINT NOT NULL,
    id             TEXT NOT NULL UNIQUE,
    user_id        TEXT NOT NULL,
    display_name   TEXT,
    text           TEXT,
    client_msg_id  TEXT NOT NULL,
    sent_at        TIMESTAMPTZ NOT NULL,
    deleted_at     TIMESTAMPTZ,
    deleted_by     TEXT,
    PRIMARY KEY (meeting_id, seq),
    UNIQUE (meeting_id, user_id, client_msg_id)
);

-- The last seq given out per meeting: the row lock taken by the increment orders concurrent sends, and
-- a send that rolls back gives its number back, so seq rises by exactly one per stored message.
CREATE TABLE chat_sequences (
    meeting_id  TEXT PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
    last_seq    BIGINT NOT NULL
);

-- Polls. Counts are kept per option (and voters per poll) beside the votes, so results are one read.
CREATE TABLE polls (
    id           TEXT PRIMARY KEY,
    meeting_id   TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    question     TEXT NOT NULL,
    anonymous    BOOLEAN NOT NULL,
    multiple     BOOLEAN NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    voters       INTEGER NOT NULL DEFAULT 0,
    -- Keys the voter hash of an anonymous poll (never served by the API).
    voter_salt   BYTEA NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    closed_at    TIMESTAMPTZ,
    closed_by    TEXT
);
CREATE INDEX polls_meeting ON polls (meeting_id, created_at, id);

CREATE TABLE poll_options (
    poll_id    TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    option_id  INTEGER NOT NULL,
    text       TEXT NOT NULL,
    votes      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (poll_id, option_id)
);

-- One row per voter and poll: the primary key makes a second vote (another device, a retry) fail.
-- For an anonymous poll the voter is an HMAC of the user id keyed by the poll's salt, and the choice is
-- not stored at all (only added to the counts): nothing links a person to an option.
CREATE TABLE poll_votes (
    poll_id     TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    voter       TEXT NOT NULL,
    option_ids  INTEGER[],
    voted_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (poll_id, voter)
);
