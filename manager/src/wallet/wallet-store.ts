/**
 * The wallet's tables (manager/migrations/0001_wallet.sql). Every function takes the SQL handle
 * it runs on, so block scanning writes in the block follower's transaction.
 */
import type { OutPoint } from '@vigil/shared/bitcoin/tx';
import { byteaArray, type SqlHandle as Sql } from '@vigil/shared/db/database';
import type { KeyChain } from './keychain.js';

export interface StoredUtxo {
  readonly outpoint: OutPoint;
  readonly valueSat: bigint;
  readonly scriptPubKey: Uint8Array;
  readonly keyChain: KeyChain;
  readonly keyIndex: number;
  readonly coinbase: boolean;
  readonly confirmedHeight: number;
}

interface UtxoRow {
  txid: Uint8Array;
  vout: number;
  value_sat: bigint;
  script_pubkey: Uint8Array;
  key_chain: number;
  key_index: number;
  coinbase: boolean;
  confirmed_height: number;
}

const toUtxo = (r: UtxoRow): StoredUtxo => ({
  outpoint: { txid: new Uint8Array(r.txid), vout: r.vout },
  valueSat: r.value_sat,
  scriptPubKey: new Uint8Array(r.script_pubkey),
  keyChain: r.key_chain as KeyChain,
  keyIndex: r.key_index,
  coinbase: r.coinbase,
  confirmedHeight: r.confirmed_height,
});

export async function insertUtxos(sql: Sql, utxos: readonly StoredUtxo[]): Promise<void> {
  if (utxos.length === 0) return;
  await sql`INSERT INTO wallet_utxos ${sql(
    utxos.map((u) => ({
      txid: u.outpoint.txid,
      vout: u.outpoint.vout,
      value_sat: u.valueSat,
      script_pubkey: u.scriptPubKey,
      key_chain: u.keyChain,
      key_index: u.keyIndex,
      coinbase: u.coinbase,
      confirmed_height: u.confirmedHeight,
    })),
  )} ON CONFLICT (txid, vout) DO NOTHING`;
}

/** Marks whichever of `spends` are wallet outputs as spent at `height`, in one statement. */
export async function markSpent(
  sql: Sql,
  spends: readonly { outpoint: OutPoint; spentBy: Uint8Array }[],
  height: number,
): Promise<void> {
  if (spends.length === 0) return;
  const txids = spends.map((s) => s.outpoint.txid);
  const vouts = spends.map((s) => s.outpoint.vout);
  const spenders = spends.map((s) => s.spentBy);
  await sql`
    UPDATE wallet_utxos u SET spent_height = ${height}, spent_txid = s.spender, reserved_by = NULL
    FROM unnest(${byteaArray(sql, txids)}::bytea[], ${vouts}::int[], ${byteaArray(sql, spenders)}::bytea[])
      AS s(txid, vout, spender)
    WHERE u.txid = s.txid AND u.vout = s.vout AND u.spent_height IS NULL`;
}

/** Undoes what the block at `height` did: its outputs vanish, its spends are unspent again. */
export async function undoBlock(sql: Sql, height: number): Promise<void> {
  await sql`DELETE FROM wallet_utxos WHERE confirmed_height = ${height}`;
  await sql`UPDATE wallet_utxos SET spent_height = NULL, spent_txid = NULL WHERE spent_height = ${height}`;
}

/** Unspent, unreserved outputs with at least `minConfirmations` at `tipHeight` (coinbase: 100). */
export async function spendableUtxos(
  sql: Sql,
  tipHeight: number,
  minConfirmations: number,
): Promise<StoredUtxo[]> {
  const rows = await sql<UtxoRow[]>`
    SELECT txid, vout, value_sat, script_pubkey, key_chain, key_index, coinbase, confirmed_height
    FROM wallet_utxos
    WHERE spent_height IS NULL AND reserved_by IS NULL
      AND ${tipHeight} - confirmed_height + 1 >= CASE WHEN coinbase THEN 100 ELSE ${minConfirmations} END
    ORDER BY value_sat DESC, txid, vout`;
  return rows.map(toUtxo);
}

/** Reserves `outpoints` for the unconfirmed transaction `txid`; false if one was taken meanwhile. */
export async function reserve(sql: Sql, outpoints: readonly OutPoint[], txid: Uint8Array): Promise<boolean> {
  const txids = outpoints.map((o) => o.txid);
  const vouts = outpoints.map((o) => o.vout);
  const updated = await sql`
    UPDATE wallet_utxos u SET reserved_by = ${txid}
    FROM unnest(${byteaArray(sql, txids)}::bytea[], ${vouts}::int[]) AS o(txid, vout)
    WHERE u.txid = o.txid AND u.vout = o.vout AND u.reserved_by IS NULL AND u.spent_height IS NULL`;
  return updated.count === outpoints.length;
}

/** Releases the outputs reserved for `txid` (the transaction was abandoned). */
export async function release(sql: Sql, txid: Uint8Array): Promise<void> {
  await sql`UPDATE wallet_utxos SET reserved_by = NULL WHERE reserved_by = ${txid}`;
}

export async function nextKeyIndex(sql: Sql, chain: KeyChain): Promise<number> {
  const [row] = await sql<
    { next_index: number }[]
  >`SELECT next_index FROM wallet_key_cursor WHERE key_chain = ${chain}`;
  return row!.next_index;
}

/** Takes the next unused index of `chain` (atomically: concurrent callers get distinct ones). */
export async function takeKeyIndex(sql: Sql, chain: KeyChain): Promise<number> {
  const [row] = await sql<{ taken: number }[]>`
    UPDATE wallet_key_cursor SET next_index = next_index + 1 WHERE key_chain = ${chain}
    RETURNING next_index - 1 AS taken`;
  return row!.taken;
}

/** Advances `chain`'s cursor to at least `next` (keys seen used on-chain). */
export async function advanceKeyIndex(sql: Sql, chain: KeyChain, next: number): Promise<void> {
  await sql`UPDATE wallet_key_cursor SET next_index = GREATEST(next_index, ${next}) WHERE key_chain = ${chain}`;
}
