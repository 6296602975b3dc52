-- Each seat carries its meeting's window and whether the meeting is still open (scheduled or in progress),
-- kept equal to the meeting's by the statements that write either. The overlap check of a create or an
-- invite reads, per person, only seats of open meetings that end after the requested window starts, in end
-- order, and stops after a few, without reading the meetings: its cost grows neither with how many meetings
-- a person already has in that window nor with their past, only with their open meetings still to come
-- when they have fewer than a few overlaps.
ALTER TABLE meeting_participants
    ADD COLUMN start_time TIMESTAMPTZ,
    ADD COLUMN end_time TIMESTAMPTZ,
    ADD COLUMN meeting_open BOOLEAN;

UPDATE meeting_participants p
SET start_time = m.start_time, end_time = m.end_time, meeting_open = m.status IN ('scheduled', 'in_progress')
FROM meetings m WHERE m.id = p.meeting_id;

ALTER TABLE meeting_participants
    ALTER COLUMN start_time SET NOT NULL,
    ALTER COLUMN end_time SET NOT NULL,
    ALTER COLUMN meeting_open SET NOT NULL;

CREATE INDEX meeting_participants_window ON meeting_participants (user_id, end_time, meeting_id)
    INCLUDE (start_time) WHERE meeting_open AND status IN ('invited', 'accepted');
