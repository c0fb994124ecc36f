/**
 * RemoteWatch's tables (manager/migrations/0002_remote_watch.sql). Values are stored as their
 * canonical protobuf encodings, the same bytes the monitors receive, so a resend is byte-identical
 * and a monitor's idempotency check (same id, same bytes) holds across manager restarts.
 */
import type { SqlHandle } from '@vigil/shared/db/database';
import type { ChannelMonitor, CounterpartyCommitment } from '@vigil/shared/monitor-model/channel-monitor';
import { stateHash } from '@vigil/shared/monitor-model/receipt';
import {
  decodeChannelMonitor,
  decodeCounterpartyCommitment,
  encodeChannelMonitor,
  encodeCounterpartyCommitment,
} from '@vigil/shared/monitor-model/proto-codec';

export interface StoredChannel {
  readonly channelId: Uint8Array;
  readonly monitor: ChannelMonitor;
  readonly completedUpdateId: number;
}

export async function insertChannel(sql: SqlHandle, monitor: ChannelMonitor): Promise<void> {
  await sql`INSERT INTO watch_channels (channel_id, snapshot, latest_update_id)
            VALUES (${monitor.channelId}, ${encodeChannelMonitor(monitor)}, ${monitor.latestUpdateId})`;
}

/**
 * Appends update `updateId` to the outbox, with the hash of the state it produced (what receipts
 * sign), and stores that state's snapshot.
 */
export async function appendUpdate(
  sql: SqlHandle,
  monitor: ChannelMonitor,
  updateBytes: Uint8Array,
): Promise<void> {
  const snapshot = encodeChannelMonitor(monitor);
  await sql`INSERT INTO watch_outbox (channel_id, update_id, update_bytes, state_hash)
            VALUES (${monitor.channelId}, ${monitor.latestUpdateId}, ${updateBytes}, ${stateHash(snapshot)})`;
  await sql`UPDATE watch_channels SET snapshot = ${snapshot}, latest_update_id = ${monitor.latestUpdateId}
            WHERE channel_id = ${monitor.channelId}`;
}

export async function insertCounterpartyCommitments(
  sql: SqlHandle,
  channelId: Uint8Array,
  records: readonly CounterpartyCommitment[],
): Promise<void> {
  for (const record of records) {
    await sql`INSERT INTO watch_counterparty_commitments (channel_id, commitment_number, record)
              VALUES (${channelId}, ${record.commitmentNumber}, ${encodeCounterpartyCommitment(record)})`;
  }
}

export async function loadChannels(sql: SqlHandle): Promise<StoredChannel[]> {
  const rows = await sql<{ channel_id: Uint8Array; snapshot: Uint8Array; completed_update_id: number }[]>`
    SELECT channel_id, snapshot, completed_update_id FROM watch_channels ORDER BY channel_id`;
  return rows.map((r) => ({
    channelId: new Uint8Array(r.channel_id),
    monitor: decodeChannelMonitor(new Uint8Array(r.snapshot)),
    completedUpdateId: r.completed_update_id,
  }));
}

export async function loadPositions(sql: SqlHandle, channelId: Uint8Array): Promise<Map<string, number>> {
  const rows = await sql<{ monitor_id: string; persisted_update_id: number }[]>`
    SELECT monitor_id, persisted_update_id FROM watch_monitor_positions WHERE channel_id = ${channelId}`;
  return new Map(rows.map((r) => [r.monitor_id, r.persisted_update_id]));
}

export async function loadCounterpartyCommitments(
  sql: SqlHandle,
  channelId: Uint8Array,
): Promise<CounterpartyCommitment[]> {
  const rows = await sql<{ record: Uint8Array }[]>`
    SELECT record FROM watch_counterparty_commitments WHERE channel_id = ${channelId} ORDER BY commitment_number`;
  return rows.map((r) => decodeCounterpartyCommitment(new Uint8Array(r.record)));
}

/** Outbox entries after `afterUpdateId`, in order. */
export async function outboxAfter(
  sql: SqlHandle,
  channelId: Uint8Array,
  afterUpdateId: number,
): Promise<OutboxEntry[]> {
  const rows = await sql<{ update_id: number; update_bytes: Uint8Array; state_hash: Uint8Array }[]>`
    SELECT update_id, update_bytes, state_hash FROM watch_outbox
    WHERE channel_id = ${channelId} AND update_id > ${afterUpdateId} ORDER BY update_id`;
  return rows.map((r) => ({
    updateId: r.update_id,
    bytes: new Uint8Array(r.update_bytes),
    stateHash: new Uint8Array(r.state_hash),
  }));
}

export interface OutboxEntry {
  readonly updateId: number;
  /** Canonical ChannelMonitorUpdate bytes. */
  readonly bytes: Uint8Array;
  /** SHA256 of the canonical ChannelMonitor after the update. */
  readonly stateHash: Uint8Array;
}

export async function savePosition(
  sql: SqlHandle,
  monitorId: string,
  channelId: Uint8Array,
  updateId: number,
  receipt: Uint8Array | undefined,
): Promise<void> {
  // A position without a receipt (a Welcome's) keeps the receipt already held for the same update.
  await sql`INSERT INTO watch_monitor_positions (monitor_id, channel_id, persisted_update_id, receipt)
            VALUES (${monitorId}, ${channelId}, ${updateId}, ${receipt ?? null})
            ON CONFLICT (monitor_id, channel_id)
            DO UPDATE SET persisted_update_id = EXCLUDED.persisted_update_id,
              receipt = CASE WHEN EXCLUDED.receipt IS NULL
                              AND watch_monitor_positions.persisted_update_id = EXCLUDED.persisted_update_id
                        THEN watch_monitor_positions.receipt ELSE EXCLUDED.receipt END`;
}

export async function saveCompleted(sql: SqlHandle, channelId: Uint8Array, updateId: number): Promise<void> {
  await sql`UPDATE watch_channels SET completed_update_id = GREATEST(completed_update_id, ${updateId})
            WHERE channel_id = ${channelId}`;
}

/** Drops outbox entries every configured monitor has persisted. */
export async function pruneOutbox(
  sql: SqlHandle,
  channelId: Uint8Array,
  monitorIds: readonly string[],
): Promise<void> {
  await sql`
    DELETE FROM watch_outbox o WHERE o.channel_id = ${channelId} AND o.update_id <= (
      SELECT CASE WHEN count(*) = ${monitorIds.length} THEN min(persisted_update_id) ELSE -1 END
      FROM watch_monitor_positions WHERE channel_id = ${channelId} AND monitor_id = ANY(${monitorIds}))`;
}
