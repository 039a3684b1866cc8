-- Per-room peer-to-peer setting for two-participant calls; NULL follows the deployment's
-- openmeet.rooms.p2p-enabled.
ALTER TABLE rooms ADD COLUMN p2p_enabled boolean;
