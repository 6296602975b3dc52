-- Outbound webhooks: subscriptions managed by admins. The signing secret is stored encrypted
-- (AES-GCM under the configured key, see docs/webhooks.md) and never returned after creation.
CREATE TABLE webhooks (
    id                    TEXT PRIMARY KEY,
    url                   TEXT NOT NULL,
    events                TEXT[] NOT NULL,
    description           TEXT,
    secret                TEXT NOT NULL,
    enabled               BOOLEAN NOT NULL DEFAULT TRUE,
    created_by            TEXT NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    disabled_at           TIMESTAMPTZ,
    disabled_reason       TEXT
);
CREATE INDEX webhooks_created ON webhooks (created_at DESC, id DESC);

-- One delivery per event and webhook: the exact body every attempt sends, and where its attempts
-- stand. A delivery is due when pending and its next attempt has come; a node sending it holds a
-- claim (claim_id, claimed_until) so that exactly one node sends each attempt.
CREATE TABLE webhook_deliveries (
    id                  TEXT PRIMARY KEY,
    webhook_id          TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id            TEXT NOT NULL,
    type                TEXT NOT NULL,
    body                TEXT NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    series_start        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TIMESTAMPTZ NOT NULL,
    claim_id            TEXT,
    claimed_until       TIMESTAMPTZ,
    last_response_code  INTEGER,
    last_error          TEXT,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook_id, next_attempt_at) WHERE state = 'pending';

-- Every attempt of every delivery: the delivery log admins read.
CREATE TABLE webhook_attempts (
    id             BIGSERIAL PRIMARY KEY,
    delivery_id    TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    webhook_id     TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    attempt        INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
    response_code  INTEGER,
    error          TEXT,
    at             TIMESTAMPTZ NOT NULL,
    duration_ms    INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_webhook ON webhook_attempts (webhook_id, id DESC);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id);

-- The audit log: every change to a meeting, append-only. No foreign key to meetings: the record
-- outlives the purge of its meeting and is removed only by its own retention (audit.retentionDays).
CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    TEXT,
    action      TEXT NOT NULL,
    meeting_id  TEXT,
    details     JSONB NOT NULL
);
CREATE INDEX audit_log_meeting ON audit_log (meeting_id, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id DESC);
CREATE INDEX audit_log_action ON audit_log (action, id DESC);
CREATE INDEX audit_log_at ON audit_log (at);

-- Rows are never changed, and removed only by the retention sweep, which says so in its transaction
-- (SET LOCAL convene.audit_retention = 'on').
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('convene.audit_retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
