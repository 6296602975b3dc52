-- When a meeting's LiveKit room was asked for: by the schedule sweep a few minutes before the start
-- (livekit.precreateMinutes), or by the start itself. Null: not yet. The room is asked for once per
-- meeting; a meeting moved to a later start forgets it (its early room is closed and asked for again
-- when the new start comes within reach). The sweep finds its meetings through meetings_scheduled_start.
ALTER TABLE meetings ADD COLUMN room_requested_at TIMESTAMPTZ;
