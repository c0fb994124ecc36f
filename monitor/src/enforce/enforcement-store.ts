/**
 * The enforcement engine's tables (monitor/migrations/0002_enforcement.sql): spends of watched
 * outpoints on the best chain, the fee state of each claim, and the events already enqueued.
 * Functions take a SqlHandle: spends are written in the block follower's transaction, so they
 * and the follower's position commit together (exactly once per block).
 */
import { decodeTx, encodeTx, type OutPoint, type Transaction } from '@vigil/shared/bitcoin/tx';
import type { SqlHandle } from '@vigil/shared/db/database';

/** A watched outpoint of a channel, spent by input `inputIndex` of `tx` in block `height`. */
export interface ChainSpend {
  readonly tenant: Uint8Array;
  readonly channelId: Uint8Array;
  readonly spent: OutPoint;
  readonly blockHash: Uint8Array;
  readonly height: number;
  readonly tx: Transaction;
  readonly inputIndex: number;
}

export async function insertSpend(sql: SqlHandle, spend: ChainSpend): Promise<void> {
  await sql`
    INSERT INTO enforcement_spends (tenant, channel_id, spent_txid, spent_vout, block_hash, height, tx, input_index)
    VALUES (${spend.tenant}, ${spend.channelId}, ${spend.spent.txid}, ${spend.spent.vout},
            ${spend.blockHash}, ${spend.height}, ${encodeTx(spend.tx)}, ${spend.inputIndex})`;
}

/** Forgets the spends of a disconnected block. */
export async function deleteSpendsOfBlock(sql: SqlHandle, blockHash: Uint8Array): Promise<void> {
  await sql`DELETE FROM enforcement_spends WHERE block_hash = ${blockHash}`;
}

/** Forgets a channel the engine is done with: its spends and claims. */
export async function deleteChannelEnforcement(
  sql: SqlHandle,
  tenant: Uint8Array,
  channelId: Uint8Array,
): Promise<void> {
  await sql`DELETE FROM enforcement_spends WHERE tenant = ${tenant} AND channel_id = ${channelId}`;
  await sql`DELETE FROM enforcement_claims WHERE tenant = ${tenant} AND channel_id = ${channelId}`;
}

/** Every spend on the best chain, oldest first. */
export async function loadSpends(sql: SqlHandle): Promise<ChainSpend[]> {
  const rows = await sql<
    {
      tenant: Uint8Array;
      channel_id: Uint8Array;
      spent_txid: Uint8Array;
      spent_vout: number;
      block_hash: Uint8Array;
      height: number;
      tx: Uint8Array;
      input_index: number;
    }[]
  >`SELECT * FROM enforcement_spends ORDER BY height, spent_txid, spent_vout`;
  return rows.map((r) => ({
    tenant: new Uint8Array(r.tenant),
    channelId: new Uint8Array(r.channel_id),
    spent: { txid: new Uint8Array(r.spent_txid), vout: r.spent_vout },
    blockHash: new Uint8Array(r.block_hash),
    height: r.height,
    tx: decodeTx(new Uint8Array(r.tx)),
    inputIndex: r.input_index,
  }));
}

/** How a claim was last broadcast. */
export interface ClaimFeeState {
  readonly feeratePerKw: number;
  readonly broadcastHeight: number;
  readonly refusedForFee: boolean;
  readonly txid: Uint8Array;
}

export async function loadClaimFeeStates(sql: SqlHandle): Promise<Map<string, ClaimFeeState>> {
  const rows = await sql<
    {
      claim_key: Uint8Array;
      feerate_per_kw: number;
      broadcast_height: number;
      refused_for_fee: boolean;
      txid: Uint8Array;
    }[]
  >`SELECT claim_key, feerate_per_kw, broadcast_height, refused_for_fee, txid FROM enforcement_claims`;
  return new Map(
    rows.map((r) => [
      Buffer.from(r.claim_key).toString('hex'),
      {
        feeratePerKw: r.feerate_per_kw,
        broadcastHeight: r.broadcast_height,
        refusedForFee: r.refused_for_fee,
        txid: new Uint8Array(r.txid),
      },
    ]),
  );
}

export async function saveClaimFeeState(
  sql: SqlHandle,
  claim: { readonly key: Uint8Array; readonly tenant: Uint8Array; readonly channelId: Uint8Array },
  state: ClaimFeeState,
): Promise<void> {
  await sql`
    INSERT INTO enforcement_claims (claim_key, tenant, channel_id, feerate_per_kw, broadcast_height, refused_for_fee, txid)
    VALUES (${claim.key}, ${claim.tenant}, ${claim.channelId}, ${state.feeratePerKw}, ${state.broadcastHeight},
            ${state.refusedForFee}, ${state.txid})
    ON CONFLICT (claim_key) DO UPDATE SET feerate_per_kw = EXCLUDED.feerate_per_kw,
      broadcast_height = EXCLUDED.broadcast_height, refused_for_fee = EXCLUDED.refused_for_fee,
      txid = EXCLUDED.txid`;
}

/** Records that the event hashing to `eventHash` was enqueued; false if it already was. */
export async function markEventEnqueued(
  sql: SqlHandle,
  eventHash: Uint8Array,
  tenant: Uint8Array,
  height: number,
): Promise<boolean> {
  const rows = await sql`
    INSERT INTO enforcement_events (event_hash, tenant, height) VALUES (${eventHash}, ${tenant}, ${height})
    ON CONFLICT (event_hash) DO NOTHING RETURNING event_hash`;
  return rows.length > 0;
}
