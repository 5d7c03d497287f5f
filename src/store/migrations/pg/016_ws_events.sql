-- 016: Feishu long-connection events. An app's subscription mode (webhook or
-- long_connection), the connection each attempt went to, the bootstrap
-- tickets, the open connections of every node, and the delivery rehearsals
-- (duplicates, delay) per app.
ALTER TABLE fs_subscription ADD COLUMN mode TEXT NOT NULL DEFAULT 'webhook';
ALTER TABLE outbox_attempt ADD COLUMN connection TEXT NOT NULL DEFAULT '';

-- A ticket is single use; it is kept as its keyed digest.
CREATE TABLE fs_ws_ticket (
    ticket TEXT PRIMARY KEY,
    app_ref BIGINT NOT NULL REFERENCES fs_app(id),
    device_id TEXT NOT NULL,
    access_key TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- One row per open connection, written by the node that holds it; the
-- admin API's kick/silence/resume set kick and silenced, which that node
-- reads. seen_at is the node's heartbeat: rows of a node gone quiet lapse.
CREATE TABLE fs_ws_conn (
    id TEXT PRIMARY KEY,
    app_ref BIGINT NOT NULL REFERENCES fs_app(id),
    node TEXT NOT NULL,
    since BIGINT NOT NULL,
    last_ping BIGINT NOT NULL DEFAULT 0,
    delivered BIGINT NOT NULL DEFAULT 0,
    unacked BIGINT NOT NULL DEFAULT 0,
    silenced BIGINT NOT NULL DEFAULT 0,
    kick BIGINT NOT NULL DEFAULT 0,
    seen_at BIGINT NOT NULL
);
CREATE INDEX fs_ws_conn_app ON fs_ws_conn (app_ref);
CREATE INDEX fs_ws_conn_node ON fs_ws_conn (node);

CREATE TABLE fs_delivery_opt (
    app_ref BIGINT PRIMARY KEY REFERENCES fs_app(id),
    duplicate BIGINT NOT NULL DEFAULT 0,
    delay_ms BIGINT NOT NULL DEFAULT 0
);
