-- Reminders sent, once per user, meeting and offset (minutes before the start; 0 = at the start).
CREATE TABLE reminders_sent (
    meeting_id      TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL,
    offset_minutes  INTEGER NOT NULL,
    sent_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (meeting_id, user_id, offset_minutes)
);

-- Notifications that stop mattering (a reminder after the start) expire.
ALTER TABLE notifications ADD COLUMN expires_at TIMESTAMPTZ;
CREATE INDEX notifications_expires ON notifications (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX notifications_meeting ON notifications (meeting_id, user_id, type) WHERE meeting_id IS NOT NULL;

-- The sweeps: meetings to start, to end, calls running too long, rows past retention.
CREATE INDEX meetings_scheduled_start ON meetings (start_time) WHERE status = 'scheduled';
CREATE INDEX meetings_live_end ON meetings (end_time) WHERE status = 'in_progress';
CREATE INDEX meetings_live_calls ON meetings (started_at) WHERE status = 'in_progress' AND is_instant_call;
CREATE INDEX meetings_finished ON meetings (end_time) WHERE status IN ('ended', 'cancelled');
CREATE INDEX attendance_cycles_stale ON attendance_cycles (last_seen_at) WHERE left_at IS NULL;
