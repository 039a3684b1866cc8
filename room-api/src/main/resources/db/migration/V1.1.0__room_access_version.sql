-- Join tokens carry the room's access version (claim accessVersion). Changing who may enter (the
-- access mode or the password) and closing the room bump it; a join with an older token is refused
-- (token-revoked).
ALTER TABLE rooms ADD COLUMN access_version integer NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD CONSTRAINT rooms_access_version_not_negative CHECK (access_version >= 0);
