-- 006: event subscriptions per app, and the delivery state and attempt log
-- of every outbox record.
CREATE TABLE fs_subscription (
    app_ref INTEGER PRIMARY KEY REFERENCES fs_app(id),
    callback_url TEXT NOT NULL,
    encrypt_key TEXT NOT NULL,
    verification_token TEXT NOT NULL,
    types TEXT NOT NULL
);

ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_due ON outbox (state, next_at, id);
CREATE INDEX outbox_app_order ON outbox (app_ref, state, id);

CREATE TABLE outbox_attempt (
    id INTEGER PRIMARY KEY,
    outbox_ref INTEGER NOT NULL REFERENCES outbox(id),
    attempt INTEGER NOT NULL,
    at INTEGER NOT NULL,
    http_status INTEGER NOT NULL,
    latency_us INTEGER NOT NULL,
    error TEXT NOT NULL,
    response TEXT NOT NULL
);
CREATE INDEX outbox_attempt_by_event ON outbox_attempt (outbox_ref, attempt);
