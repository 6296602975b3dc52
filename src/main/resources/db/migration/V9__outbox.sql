-- Effects that must happen once a change committed (events to users, commands to the live room,
-- notifications, outbound webhook deliveries): written in the change's transaction, carried out right
-- after the commit, and again by the outbox dispatcher until they succeed. Done rows are deleted; rows
-- that keep failing end as 'dead' for an operator to see and retry.
CREATE TABLE outbox (
    id               BIGSERIAL PRIMARY KEY,
    kind             TEXT NOT NULL,
    payload          JSONB NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
    last_error       TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_dead ON outbox (id) WHERE state = 'dead';
