-- The hash of the canonical ChannelMonitor each outbox update produces: what a monitor's receipt
-- for that update signs (DESIGN.md rule 3), so the manager can check every receipt it counts.
-- No released version wrote outbox rows without it, so the column is required from the start.
ALTER TABLE watch_outbox ADD COLUMN state_hash bytea NOT NULL CHECK (length(state_hash) = 32);
