-- The on-chain wallet (manager/src/wallet). Outputs are added and spent only by the block
-- follower's transactions, so a disconnected block undoes exactly what it did.
CREATE TABLE wallet_utxos (
  txid bytea NOT NULL CHECK (length(txid) = 32),
  vout integer NOT NULL CHECK (vout >= 0),
  value_sat bigint NOT NULL CHECK (value_sat >= 0),
  script_pubkey bytea NOT NULL,
  -- BIP 32 chain (0 receive, 1 change) and index of the key that can spend it.
  key_chain smallint NOT NULL CHECK (key_chain IN (0, 1)),
  key_index integer NOT NULL CHECK (key_index >= 0),
  coinbase boolean NOT NULL,
  confirmed_height integer NOT NULL,
  spent_height integer,
  spent_txid bytea,
  -- Set when the wallet signed a transaction spending it that is not confirmed yet.
  reserved_by bytea,
  PRIMARY KEY (txid, vout)
);
CREATE INDEX wallet_utxos_unspent ON wallet_utxos (confirmed_height) WHERE spent_height IS NULL;

-- Next unused key index per chain, so a restart never hands out an address twice.
CREATE TABLE wallet_key_cursor (
  key_chain smallint PRIMARY KEY CHECK (key_chain IN (0, 1)),
  next_index integer NOT NULL CHECK (next_index >= 0)
);
INSERT INTO wallet_key_cursor (key_chain, next_index) VALUES (0, 0), (1, 0);
