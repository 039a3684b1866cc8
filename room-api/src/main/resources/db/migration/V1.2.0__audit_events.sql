-- Administrator and moderator actions: who (actor), what (action), on what (room, participant,
-- user), when, and from which client address. Rows are only ever inserted.
CREATE TABLE audit_events (
    id             bigserial    PRIMARY KEY,
    at             timestamptz  NOT NULL,
    actor          varchar(255) NOT NULL,
    action         varchar(64)  NOT NULL,
    room_id        uuid,
    participant_id varchar(255),
    user_id        uuid,
    source_address varchar(255) NOT NULL
);
-- GET /api/audit reads newest first
CREATE INDEX audit_events_newest ON audit_events (at DESC, id DESC);
