-- vigil-monitor's tables (monitor/src/store). Every row an UpdateAck depends on is committed, in
-- one transaction, before the ack is sent. Node ids are 33-byte compressed public keys; a tenant is
-- named by its manager's node id. Update ids and sequence numbers are bigint.

-- The monitor's own identity key, generated on first start: Hellos are signed over its public key
-- and it signs receipts. One row.
CREATE TABLE monitor_identity (
  id smallint PRIMARY KEY CHECK (id = 1),
  secret_key bytea NOT NULL CHECK (length(secret_key) = 32),
  public_key bytea NOT NULL CHECK (length(public_key) = 33),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Provider mode: the registered tenants (`vigil-monitor tenants add`). A NULL limit means the
-- configured default.
CREATE TABLE tenants (
  node_id bytea PRIMARY KEY CHECK (length(node_id) = 33),
  label text NOT NULL DEFAULT '',
  max_channels integer CHECK (max_channels >= 0),
  max_stored_bytes bigint CHECK (max_stored_bytes >= 0),
  max_updates_per_second integer CHECK (max_updates_per_second > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- What each tenant keeps stored (both modes), changed in the transaction of every write, so a
-- quota check is one conditional UPDATE there: stored_bytes counts snapshots, counterparty records
-- and the retained update log.
CREATE TABLE tenant_usage (
  node_id bytea PRIMARY KEY CHECK (length(node_id) = 33),
  channels integer NOT NULL DEFAULT 0 CHECK (channels >= 0),
  stored_bytes bigint NOT NULL DEFAULT 0 CHECK (stored_bytes >= 0)
);

-- One row per (tenant, channel): the snapshot is the system of record. Two tenants may watch the
-- same channel (its two ends), so the tenant is part of the key.
CREATE TABLE channel_monitors (
  tenant bytea NOT NULL CHECK (length(tenant) = 33),
  channel_id bytea NOT NULL CHECK (length(channel_id) = 32),
  latest_update_id bigint NOT NULL CHECK (latest_update_id >= 0),
  -- Canonical vigil.monitor.v1.ChannelMonitor bytes.
  snapshot bytea NOT NULL,
  -- Copies of the snapshot's lockdown flags, for queries.
  holder_commitment_signed boolean NOT NULL,
  funding_spend_seen boolean NOT NULL,
  -- One more on every write; a writer names the revision it read, so a write based on a stale read
  -- fails rather than overwriting what another writer committed.
  revision bigint NOT NULL CHECK (revision >= 1),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, channel_id)
);

-- The recent updates of each channel, as received (canonical bytes), with the answer given: a
-- repeat is compared with `payload` and answered with the same receipt. Compacted to the last N
-- per channel; the snapshot already holds their effect.
CREATE TABLE channel_update_log (
  tenant bytea NOT NULL,
  channel_id bytea NOT NULL,
  update_id bigint NOT NULL CHECK (update_id >= 0),
  -- What `payload` is: a ChannelMonitorUpdate, or a WatchChannel's ChannelMonitorInit or
  -- ChannelMonitor.
  kind text NOT NULL CHECK (kind IN ('update', 'init', 'snapshot')),
  payload bytea NOT NULL,
  -- vigil.monitor.v1.UpdateStatus: 1 PERSISTED, 2 REJECTED_AFTER_LOCKDOWN.
  status smallint NOT NULL CHECK (status IN (1, 2)),
  state_hash bytea NOT NULL CHECK (length(state_hash) = 32),
  receipt bytea NOT NULL CHECK (length(receipt) = 64),
  committed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, channel_id, update_id),
  FOREIGN KEY (tenant, channel_id) REFERENCES channel_monitors (tenant, channel_id)
);

-- Every counterparty commitment ever handed over, kept outside the snapshot (DESIGN.md "The
-- domain"): justice against a revoked commitment needs its HTLCs long after it left the snapshot.
CREATE TABLE counterparty_commitments (
  tenant bytea NOT NULL,
  channel_id bytea NOT NULL,
  commitment_number bigint NOT NULL CHECK (commitment_number >= 0),
  txid bytea NOT NULL CHECK (length(txid) = 32),
  -- Canonical vigil.monitor.v1.CounterpartyCommitment bytes.
  record bytea NOT NULL,
  PRIMARY KEY (tenant, channel_id, commitment_number),
  FOREIGN KEY (tenant, channel_id) REFERENCES channel_monitors (tenant, channel_id)
);
-- A spend seen on-chain is looked up by its txid.
CREATE INDEX counterparty_commitments_txid ON counterparty_commitments (txid);

-- The last event sequence number given out per tenant; sequences are never reused, also after
-- their events are acknowledged and deleted.
CREATE TABLE event_sequences (
  tenant bytea PRIMARY KEY CHECK (length(tenant) = 33),
  last_sequence bigint NOT NULL CHECK (last_sequence >= 1)
);

-- Events not yet acknowledged by their tenant, sent in sequence order on every session.
CREATE TABLE event_outbox (
  tenant bytea NOT NULL CHECK (length(tenant) = 33),
  sequence bigint NOT NULL CHECK (sequence >= 1),
  channel_id bytea NOT NULL CHECK (length(channel_id) = 32),
  -- Canonical vigil.monitor.v1.MonitorEvent bytes.
  event bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, sequence)
);

-- Hello nonces seen, per node id, kept while their Hello's timestamp is inside the window (after
-- that a replay is refused as stale anyway).
CREATE TABLE hello_nonces (
  node_id bytea NOT NULL CHECK (length(node_id) = 33),
  nonce bytea NOT NULL CHECK (length(nonce) = 32),
  timestamp_ms bigint NOT NULL,
  PRIMARY KEY (node_id, nonce)
);
CREATE INDEX hello_nonces_timestamp ON hello_nonces (timestamp_ms);
