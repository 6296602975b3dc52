-- When every member has left, guests are warned and their sessions end after a grace.
ALTER TABLE guest_sessions ADD COLUMN ending_at TIMESTAMPTZ;
CREATE INDEX guest_sessions_ending ON guest_sessions (ending_at) WHERE ending_at IS NOT NULL AND status <> 'ended';
