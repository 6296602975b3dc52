-- One lobby for members (settings.waitingRoom) and guests who asked: who waits, who was let in or
-- turned away, and by whom. The identity is a user id, or guest:<sessionId> for a guest.
CREATE TABLE lobby_entries (
    meeting_id    TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    identity      TEXT NOT NULL,
    display_name  TEXT,
    state         TEXT NOT NULL CHECK (state IN ('waiting', 'admitted', 'declined')),
    asked_at      TIMESTAMPTZ NOT NULL,
    decided_at    TIMESTAMPTZ,
    decided_by    TEXT,
    PRIMARY KEY (meeting_id, identity)
);
CREATE INDEX lobby_entries_waiting ON lobby_entries (meeting_id, asked_at) WHERE state = 'waiting';

INSERT INTO lobby_entries (meeting_id, identity, display_name, state, asked_at)
SELECT p.meeting_id, p.user_id, u.display_name, p.lobby, p.invited_at
FROM meeting_participants p LEFT JOIN users u ON u.id = p.user_id
WHERE p.lobby IS NOT NULL;

INSERT INTO lobby_entries (meeting_id, identity, display_name, state, asked_at)
SELECT meeting_id, 'guest:' || id, display_name, status, created_at
FROM guest_sessions
WHERE status IN ('waiting', 'admitted', 'declined');

-- A guest session is now only registered or ended; where it stands in the lobby is the lobby's.
UPDATE guest_sessions SET status = 'registered' WHERE status IN ('waiting', 'admitted', 'declined');
ALTER TABLE guest_sessions DROP CONSTRAINT guest_sessions_status_check;
ALTER TABLE guest_sessions ADD CONSTRAINT guest_sessions_status_check CHECK (status IN ('registered', 'ended'));

DROP INDEX meeting_participants_lobby;
ALTER TABLE meeting_participants DROP COLUMN lobby;
