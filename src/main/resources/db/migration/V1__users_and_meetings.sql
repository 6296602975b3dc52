-- Users as the host app's tokens describe them; refreshed on authentication.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    display_name  TEXT,
    last_seen     TIMESTAMPTZ NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Scheduled meetings and instant calls share one table.
CREATE TABLE meetings (
    id                        TEXT PRIMARY KEY,
    title                     TEXT NOT NULL,
    description               TEXT,
    created_by                TEXT NOT NULL,
    start_time                TIMESTAMPTZ NOT NULL,
    end_time                  TIMESTAMPTZ NOT NULL,
    status                    TEXT NOT NULL
                              CHECK (status IN ('scheduled', 'in_progress', 'ended', 'cancelled')),
    is_instant_call           BOOLEAN NOT NULL DEFAULT FALSE,
    max_participants          INTEGER,
    allow_external            BOOLEAN NOT NULL DEFAULT FALSE,
    voice_only                BOOLEAN NOT NULL DEFAULT FALSE,
    mute_on_join              BOOLEAN NOT NULL DEFAULT FALSE,
    waiting_room              BOOLEAN NOT NULL DEFAULT FALSE,
    recurrence                JSONB,
    -- The first occurrence of a series; no foreign key, so purging it leaves later occurrences intact.
    parent_meeting_id         TEXT,
    started_at                TIMESTAMPTZ,
    ended_at                  TIMESTAMPTZ,
    unique_participant_count  INTEGER NOT NULL DEFAULT 0,
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL,
    CHECK (end_time > start_time)
);

CREATE INDEX meetings_created_by_start ON meetings (created_by, start_time, id);
CREATE INDEX meetings_parent ON meetings (parent_meeting_id) WHERE parent_meeting_id IS NOT NULL;
CREATE INDEX meetings_status_start ON meetings (status, start_time);

-- Who belongs to a meeting, with which role; banned rows stay so a ban cannot be undone by re-inviting.
CREATE TABLE meeting_participants (
    meeting_id    TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'member')),
    status        TEXT NOT NULL CHECK (status IN ('invited', 'accepted', 'declined', 'banned')),
    invited_by    TEXT,
    invited_at    TIMESTAMPTZ NOT NULL,
    responded_at  TIMESTAMPTZ,
    PRIMARY KEY (meeting_id, user_id)
);

-- Exactly one owner per meeting.
CREATE UNIQUE INDEX meeting_participants_one_owner ON meeting_participants (meeting_id) WHERE role = 'owner';
-- "My meetings" and overlap checks start from the user.
CREATE INDEX meeting_participants_user ON meeting_participants (user_id, meeting_id);
