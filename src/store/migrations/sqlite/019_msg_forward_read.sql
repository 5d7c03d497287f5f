-- 019: forwarded and merged messages, read receipts and buzzes.
-- upper_ref: a part of a merged-and-forwarded message names the message it
-- is part of (its copy lives in the merged message's chat, not listed with
-- it: in_chat 0, no thread). A person's reading of a message is one row,
-- kept with when it happened; read_users pages walk (message, read_ms,
-- person). Every buzz (urgent_app, urgent_sms, urgent_phone) is one row per
-- person buzzed; a buzz is unread while its person has not read the message.
ALTER TABLE fs_message ADD COLUMN upper_ref INTEGER;
CREATE INDEX fs_message_upper ON fs_message (upper_ref, id);

CREATE TABLE fs_message_read (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    message_ref INTEGER NOT NULL REFERENCES fs_message(id),
    person_ref INTEGER NOT NULL REFERENCES person(id),
    read_ms INTEGER NOT NULL,
    PRIMARY KEY (message_ref, person_ref)
);
CREATE INDEX fs_message_read_time ON fs_message_read (message_ref, read_ms, person_ref);

CREATE TABLE fs_message_buzz (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    message_ref INTEGER NOT NULL REFERENCES fs_message(id),
    person_ref INTEGER NOT NULL REFERENCES person(id),
    app_ref INTEGER NOT NULL REFERENCES fs_app(id),
    kind TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX fs_message_buzz_message ON fs_message_buzz (message_ref, id);
CREATE INDEX fs_message_buzz_person ON fs_message_buzz (person_ref, message_ref);
CREATE INDEX fs_message_buzz_tenant ON fs_message_buzz (tenant_id, kind, created_ms);
