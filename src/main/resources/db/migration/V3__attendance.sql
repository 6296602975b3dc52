-- Stays in a meeting's live room: one row per join/leave cycle of a user (or a guest identity).
CREATE TABLE attendance_cycles (
    id            BIGSERIAL PRIMARY KEY,
    meeting_id    TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL,
    joined_at     TIMESTAMPTZ NOT NULL,
    left_at       TIMESTAMPTZ,
    last_seen_at  TIMESTAMPTZ NOT NULL
);

-- At most one open stay per person and meeting; also who is in a room now.
CREATE UNIQUE INDEX attendance_cycles_open ON attendance_cycles (meeting_id, user_id) WHERE left_at IS NULL;
-- The attendance report and the merge of quick rejoins.
CREATE INDEX attendance_cycles_meeting ON attendance_cycles (meeting_id, user_id, joined_at);
-- The rooms a user is in (when their sockets go).
CREATE INDEX attendance_cycles_user_open ON attendance_cycles (user_id) WHERE left_at IS NULL;

ALTER TABLE meeting_participants ADD COLUMN first_joined_at TIMESTAMPTZ;
