-- Events the monitors reported (DESIGN.md rule 5), one row per distinct event: redundant monitors
-- report the same occurrence with the same canonical bytes, so the hash of those bytes is the key
-- and only the first report is handled. The row is written in the handler's transaction.
CREATE TABLE watch_events (
  event_hash bytea PRIMARY KEY CHECK (length(event_hash) = 32),
  channel_id bytea NOT NULL CHECK (length(channel_id) = 32),
  kind text NOT NULL,
  -- Canonical vigil.monitor.v1.MonitorEvent bytes.
  event bytea NOT NULL,
  -- The monitor whose report was handled, and its sequence number for it.
  first_monitor_id text NOT NULL,
  first_sequence bigint NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now()
);
