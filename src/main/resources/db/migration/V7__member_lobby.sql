-- With settings.waitingRoom on, invited members wait for an owner or manager: their place in the lobby.
ALTER TABLE meeting_participants ADD COLUMN lobby TEXT CHECK (lobby IN ('waiting', 'admitted', 'declined'));
CREATE INDEX meeting_participants_lobby ON meeting_participants (meeting_id) WHERE lobby = 'waiting';
