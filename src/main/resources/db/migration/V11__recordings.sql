-- Meeting settings: start a recording when the meeting starts; who may see its recordings.
ALTER TABLE meetings
    ADD COLUMN auto_record      BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN recording_access TEXT NOT NULL DEFAULT 'participants'
                                CHECK (recording_access IN ('owners', 'participants', 'public'));

-- Room-composite recordings through LiveKit Egress, one row per recording. The file itself is LiveKit's
-- (on the egress host or in the configured bucket); a row goes with its meeting when that is purged.
CREATE TABLE recordings (
    id                 TEXT PRIMARY KEY,
    meeting_id         TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    -- LiveKit's egress id, known once LiveKit answered the start (or reported the egress).
    egress_id          TEXT UNIQUE,
    status             TEXT NOT NULL
                       CHECK (status IN ('starting', 'recording', 'processing', 'ready', 'failed')),
    -- Started by the autoRecord setting (at most once per meeting) rather than by a person.
    auto               BOOLEAN NOT NULL DEFAULT FALSE,
    started_by         TEXT,
    file_path          TEXT NOT NULL,
    stop_requested_at  TIMESTAMPTZ,
    stopped_by         TEXT,
    stop_reason        TEXT,
    location           TEXT,
    duration_ms        BIGINT,
    size_bytes         BIGINT,
    error              TEXT,
    created_at         TIMESTAMPTZ NOT NULL,
    started_at         TIMESTAMPTZ,
    ended_at           TIMESTAMPTZ,
    updated_at         TIMESTAMPTZ NOT NULL,
    -- When LiveKit last told us about it, or we last asked: the sweep asks about the quiet ones.
    checked_at         TIMESTAMPTZ NOT NULL
);

-- One recording at a time per meeting: a second start loses here, however the two requests interleave.
CREATE UNIQUE INDEX recordings_one_active ON recordings (meeting_id) WHERE status IN ('starting', 'recording');
-- autoRecord starts one recording per meeting, however often its command is carried out.
CREATE UNIQUE INDEX recordings_one_auto ON recordings (meeting_id) WHERE auto;
CREATE INDEX recordings_meeting ON recordings (meeting_id, created_at, id);
CREATE INDEX recordings_unsettled ON recordings (checked_at) WHERE status IN ('starting', 'recording', 'processing');
