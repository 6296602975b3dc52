-- Invitation links; only the SHA-256 of a token is kept. A newer link replaces the older one.
CREATE TABLE invite_links (
    token_hash   TEXT PRIMARY KEY,
    meeting_id   TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    replaced_at  TIMESTAMPTZ
);
CREATE INDEX invite_links_current ON invite_links (meeting_id) WHERE replaced_at IS NULL;

-- Guests who registered through a link; their token is kept as a SHA-256 too.
CREATE TABLE guest_sessions (
    id            TEXT PRIMARY KEY,
    meeting_id    TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    email         TEXT,
    keys          JSONB,
    status        TEXT NOT NULL CHECK (status IN ('registered', 'waiting', 'admitted', 'declined', 'ended')),
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX guest_sessions_meeting ON guest_sessions (meeting_id, status);
CREATE INDEX guest_sessions_expiry ON guest_sessions (expires_at) WHERE status <> 'ended';
