-- RemoteWatch (manager/src/watch): the manager's own copy of each ChannelMonitor, the outbox of
-- updates still needed by some monitor, every counterparty commitment record (a monitor that gets
-- a snapshot needs them all to punish any revoked state), and how far each monitor has persisted.
CREATE TABLE watch_channels (
  channel_id bytea PRIMARY KEY CHECK (length(channel_id) = 32),
  -- Canonical vigil.monitor.v1.ChannelMonitor bytes after the latest update.
  snapshot bytea NOT NULL,
  latest_update_id integer NOT NULL CHECK (latest_update_id >= 0),
  -- Highest update id reported durable to the channel (quorum reached).
  completed_update_id integer NOT NULL DEFAULT -1
);

CREATE TABLE watch_outbox (
  channel_id bytea NOT NULL REFERENCES watch_channels (channel_id),
  update_id integer NOT NULL CHECK (update_id >= 1),
  -- Canonical vigil.monitor.v1.ChannelMonitorUpdate bytes, sent as is.
  update_bytes bytea NOT NULL,
  PRIMARY KEY (channel_id, update_id)
);

CREATE TABLE watch_counterparty_commitments (
  channel_id bytea NOT NULL REFERENCES watch_channels (channel_id),
  commitment_number bigint NOT NULL,
  record bytea NOT NULL,
  PRIMARY KEY (channel_id, commitment_number)
);

CREATE TABLE watch_monitor_positions (
  monitor_id text NOT NULL,
  channel_id bytea NOT NULL REFERENCES watch_channels (channel_id),
  persisted_update_id integer NOT NULL CHECK (persisted_update_id >= 0),
  -- The monitor's signed receipt for that update (proof of what it accepted).
  receipt bytea,
  PRIMARY KEY (monitor_id, channel_id)
);
