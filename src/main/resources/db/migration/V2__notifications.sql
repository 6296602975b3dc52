-- Notifications kept per user until read: missed calls, reminders, live invites, lobby requests.
CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    type        TEXT NOT NULL,
    meeting_id  TEXT,
    data        JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    read_at     TIMESTAMPTZ
);

-- A user's notifications, newest first (the list and its pages).
CREATE INDEX notifications_user_created ON notifications (user_id, created_at DESC, id DESC);
-- What a device gets when it connects.
CREATE INDEX notifications_user_unread ON notifications (user_id, created_at DESC) WHERE read_at IS NULL;
