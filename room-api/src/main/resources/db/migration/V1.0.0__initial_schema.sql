-- openmeet: metadata only (users, rooms, invites, call history). Live state lives in Redis.

CREATE TABLE users (
    id          uuid PRIMARY KEY,
    email       varchar(320)  NOT NULL,
    name        varchar(200)  NOT NULL,
    avatar_url  varchar(2048),
    created_at  timestamptz   NOT NULL DEFAULT now(),
    updated_at  timestamptz   NOT NULL DEFAULT now(),
    -- emails are stored lower-cased so that the unique index is case-insensitive
    CONSTRAINT users_email_lower_case CHECK (email = lower(email))
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_created_at_idx ON users (created_at DESC, id);

CREATE TABLE rooms (
    id                uuid PRIMARY KEY,
    slug              varchar(64)  NOT NULL,
    name              varchar(200) NOT NULL,
    created_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    region            varchar(64)  NOT NULL,
    access            varchar(16)  NOT NULL,
    password_hash     varchar(255),
    lobby_enabled     boolean      NOT NULL DEFAULT false,
    max_participants  integer      NOT NULL DEFAULT 12,
    is_active         boolean      NOT NULL DEFAULT true,
    created_at        timestamptz  NOT NULL DEFAULT now(),
    closed_at         timestamptz,
    CONSTRAINT rooms_slug_url_safe CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$'),
    CONSTRAINT rooms_access_known CHECK (access IN ('public', 'invite_only', 'password')),
    CONSTRAINT rooms_password_hash_iff_password_access
        CHECK ((access = 'password') = (password_hash IS NOT NULL)),
    CONSTRAINT rooms_max_participants_range CHECK (max_participants BETWEEN 2 AND 100),
    CONSTRAINT rooms_closed_iff_inactive CHECK (is_active = (closed_at IS NULL))
);
CREATE UNIQUE INDEX rooms_slug_key ON rooms (slug);
-- GET /api/rooms?active=… pages newest first
CREATE INDEX rooms_active_created_at_idx ON rooms (is_active, created_at DESC, id);
CREATE INDEX rooms_created_at_idx ON rooms (created_at DESC, id);
CREATE INDEX rooms_created_by_idx ON rooms (created_by);

CREATE TABLE room_invites (
    id          uuid PRIMARY KEY,
    room_id     uuid         NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id     uuid REFERENCES users (id) ON DELETE CASCADE,
    email       varchar(320),
    created_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT room_invites_user_or_email CHECK ((user_id IS NULL) <> (email IS NULL)),
    CONSTRAINT room_invites_email_lower_case CHECK (email = lower(email))
);
CREATE UNIQUE INDEX room_invites_room_user_key ON room_invites (room_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX room_invites_room_email_key ON room_invites (room_id, email) WHERE email IS NOT NULL;
CREATE INDEX room_invites_user_idx ON room_invites (user_id);

CREATE TABLE call_logs (
    id                  uuid PRIMARY KEY,
    room_id             uuid         NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    started_at          timestamptz  NOT NULL,
    ended_at            timestamptz,
    duration_seconds    integer,
    peak_participants   integer      NOT NULL DEFAULT 0,
    total_participants  integer      NOT NULL DEFAULT 0,
    region              varchar(64)  NOT NULL,
    bridges             varchar(1024),
    CONSTRAINT call_logs_end_after_start CHECK (ended_at IS NULL OR ended_at >= started_at),
    CONSTRAINT call_logs_duration_non_negative CHECK (duration_seconds IS NULL OR duration_seconds >= 0),
    CONSTRAINT call_logs_counts_non_negative CHECK (peak_participants >= 0 AND total_participants >= peak_participants)
);
-- GET /api/rooms/{id}/calls (newest first) and /api/stats (per day)
CREATE INDEX call_logs_room_started_at_idx ON call_logs (room_id, started_at DESC);
CREATE INDEX call_logs_started_at_idx ON call_logs (started_at);
CREATE INDEX call_logs_open_idx ON call_logs (room_id) WHERE ended_at IS NULL;

CREATE TABLE participants (
    id             uuid PRIMARY KEY,
    call_log_id    uuid          NOT NULL REFERENCES call_logs (id) ON DELETE CASCADE,
    user_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    display_name   varchar(200)  NOT NULL,
    joined_at      timestamptz   NOT NULL,
    left_at        timestamptz,
    audio_enabled  boolean       NOT NULL DEFAULT true,
    video_enabled  boolean       NOT NULL DEFAULT true,
    leave_reason   varchar(32),
    CONSTRAINT participants_left_after_joined CHECK (left_at IS NULL OR left_at >= joined_at)
);
CREATE INDEX participants_call_log_joined_at_idx ON participants (call_log_id, joined_at);
CREATE INDEX participants_user_idx ON participants (user_id);
