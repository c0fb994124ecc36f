/**
 * Channel monitors (table `channel_monitors`): per (tenant, channel) the snapshot, which is the
 * system of record, its latest update id, its lockdown flags and a revision. Writes name the
 * revision they were computed from and fail if it moved, so a stale in-memory copy can never
 * overwrite newer state (another worker's, or a future enforcement engine's lockdown).
 */
import type { SqlHandle } from '@vigil/shared/db/database';

export interface StoredChannel {
  readonly tenant: Uint8Array;
  readonly channelId: Uint8Array;
  readonly latestUpdateId: number;
  /** Canonical ChannelMonitor bytes. */
  readonly snapshot: Uint8Array;
  readonly revision: bigint;
}

/** A snapshot to store, with the copies of its fields the table keeps. */
export interface SnapshotRow {
  readonly latestUpdateId: number;
  readonly snapshot: Uint8Array;
  readonly holderCommitmentSigned: boolean;
  readonly fundingSpendSeen: boolean;
}

/** Where one channel stands, as a Welcome reports it. */
export interface ChannelCursor {
  readonly channelId: Uint8Array;
  readonly latestUpdateId: bigint;
  readonly lockedDown: boolean;
}

interface ChannelRow {
  tenant: Uint8Array;
  channel_id: Uint8Array;
  latest_update_id: bigint;
  snapshot: Uint8Array;
  revision: bigint;
}

const toStored = (r: ChannelRow): StoredChannel => ({
  tenant: new Uint8Array(r.tenant),
  channelId: new Uint8Array(r.channel_id),
  latestUpdateId: Number(r.latest_update_id),
  snapshot: new Uint8Array(r.snapshot),
  revision: r.revision,
});

/** Every stored channel, `batchSize` rows at a time (start-up loads them all without one huge read). */
export async function forEachChannel(
  sql: SqlHandle,
  batchSize: number,
  visit: (channel: StoredChannel) => void,
): Promise<void> {
  const query = sql<ChannelRow[]>`
    SELECT tenant, channel_id, latest_update_id, snapshot, revision FROM channel_monitors
    ORDER BY tenant, channel_id`;
  for await (const rows of query.cursor(batchSize)) rows.forEach((row) => visit(toStored(row)));
}

export async function loadChannel(
  sql: SqlHandle,
  tenant: Uint8Array,
  channelId: Uint8Array,
): Promise<StoredChannel | undefined> {
  const [row] = await sql<ChannelRow[]>`
    SELECT tenant, channel_id, latest_update_id, snapshot, revision FROM channel_monitors
    WHERE tenant = ${tenant} AND channel_id = ${channelId}`;
  return row && toStored(row);
}

/** The tenant's channels, sorted by channel id. */
export async function channelCursors(sql: SqlHandle, tenant: Uint8Array): Promise<ChannelCursor[]> {
  const rows = await sql<
    { channel_id: Uint8Array; latest_update_id: bigint; locked_down: boolean }[]
  >`SELECT channel_id, latest_update_id, holder_commitment_signed OR funding_spend_seen AS locked_down
    FROM channel_monitors WHERE tenant = ${tenant} ORDER BY channel_id`;
  return rows.map((r) => ({
    channelId: new Uint8Array(r.channel_id),
    latestUpdateId: r.latest_update_id,
    lockedDown: r.locked_down,
  }));
}

/** Stores a new channel at revision 1; false if the tenant already has it. */
export async function insertChannel(
  sql: SqlHandle,
  tenant: Uint8Array,
  channelId: Uint8Array,
  row: SnapshotRow,
): Promise<boolean> {
  const inserted = await sql`
    INSERT INTO channel_monitors (tenant, channel_id, latest_update_id, snapshot,
      holder_commitment_signed, funding_spend_seen, revision)
    VALUES (${tenant}, ${channelId}, ${row.latestUpdateId}, ${row.snapshot},
      ${row.holderCommitmentSigned}, ${row.fundingSpendSeen}, 1)
    ON CONFLICT (tenant, channel_id) DO NOTHING`;
  return inserted.count === 1;
}

/** Replaces the snapshot if the row is still at `baseRevision`; the new revision, or undefined. */
export async function replaceSnapshot(
  sql: SqlHandle,
  tenant: Uint8Array,
  channelId: Uint8Array,
  row: SnapshotRow,
  baseRevision: bigint,
): Promise<bigint | undefined> {
  const [updated] = await sql<{ revision: bigint }[]>`
    UPDATE channel_monitors
    SET latest_update_id = ${row.latestUpdateId}, snapshot = ${row.snapshot},
      holder_commitment_signed = ${row.holderCommitmentSigned}, funding_spend_seen = ${row.fundingSpendSeen},
      revision = revision + 1, updated_at = now()
    WHERE tenant = ${tenant} AND channel_id = ${channelId} AND revision = ${baseRevision}
    RETURNING revision`;
  return updated?.revision;
}
