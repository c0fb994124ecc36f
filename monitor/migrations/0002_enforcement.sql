-- Enforcement (monitor/src/enforce). The engine's state is derived from two facts it keeps here
-- and the channel monitors: which watched outpoints the best chain spends (by which transaction,
-- in which block), and the fee each claim was last broadcast at. Everything else (what to claim,
-- which events are due) is recomputed from them at every block, so a reorg only deletes rows.

-- A spend of a watched outpoint in a block of the best chain; deleted when that block is
-- disconnected. On one chain an outpoint is spent at most once.
CREATE TABLE enforcement_spends (
  tenant bytea NOT NULL,
  channel_id bytea NOT NULL,
  spent_txid bytea NOT NULL CHECK (length(spent_txid) = 32),
  spent_vout integer NOT NULL CHECK (spent_vout >= 0),
  block_hash bytea NOT NULL CHECK (length(block_hash) = 32),
  height integer NOT NULL CHECK (height >= 0),
  -- The spending transaction, serialized with its witnesses (BIP 144).
  tx bytea NOT NULL,
  input_index integer NOT NULL CHECK (input_index >= 0),
  PRIMARY KEY (tenant, channel_id, spent_txid, spent_vout)
);
CREATE INDEX enforcement_spends_block ON enforcement_spends (block_hash);

-- The fee state of each claim, keyed by the hash of its tenant, channel and sorted input outpoints
-- (both ends of one channel may be tenants of one monitor).
CREATE TABLE enforcement_claims (
  claim_key bytea PRIMARY KEY CHECK (length(claim_key) = 32),
  tenant bytea NOT NULL,
  channel_id bytea NOT NULL,
  feerate_per_kw integer NOT NULL CHECK (feerate_per_kw > 0),
  -- Tip height when it was last broadcast at this feerate.
  broadcast_height integer NOT NULL,
  -- The node refused it for its fee (below the mempool minimum, or a replacement too cheap).
  refused_for_fee boolean NOT NULL DEFAULT false,
  txid bytea NOT NULL CHECK (length(txid) = 32)
);

-- Events the engine put in the outbox (event_outbox), so each is enqueued once; keyed by the hash
-- of the tenant and the event's canonical bytes.
CREATE TABLE enforcement_events (
  event_hash bytea PRIMARY KEY CHECK (length(event_hash) = 32),
  tenant bytea NOT NULL,
  height integer NOT NULL
);
