/**
 * The update log (table `channel_update_log`): per channel, the recent updates as received, in
 * canonical bytes, with the answer given. It exists for idempotency: a repeat of a persisted update
 * id is compared byte for byte with `payload` and answered with the stored receipt.
 *
 * Compaction policy: every commit already writes the resulting snapshot, so the log is never
 * needed to rebuild state; it only answers repeats. Compaction keeps the last `retain` entries of
 * each channel (ids above latest - retain, so always the latest one) and deletes the rest. A
 * manager resumes from the Welcome's latest update id and resends only what is newer, so the
 * only repeats are of updates whose ack was lost in flight, which are the most recent ones; a
 * repeat older than the kept window is answered INVALID_REASON_STALE.
 */
import type { SqlHandle } from '@vigil/shared/db/database';

/** What a log entry's payload is. */
export type LogKind = 'update' | 'init' | 'snapshot';

/** UpdateStatus values an entry can have (vigil.monitor.v1.UpdateStatus). */
export type StoredStatus = 1 | 2;

export interface LogEntry {
  readonly updateId: number;
  readonly kind: LogKind;
  /** Canonical bytes of the ChannelMonitorUpdate, ChannelMonitorInit or ChannelMonitor. */
  readonly payload: Uint8Array;
  readonly status: StoredStatus;
  readonly stateHash: Uint8Array;
  readonly receipt: Uint8Array;
}

export async function insertLogEntry(
  sql: SqlHandle,
  tenant: Uint8Array,
  channelId: Uint8Array,
  entry: LogEntry,
): Promise<void> {
  await sql`
    INSERT INTO channel_update_log (tenant, channel_id, update_id, kind, payload, status, state_hash, receipt)
    VALUES (${tenant}, ${channelId}, ${entry.updateId}, ${entry.kind}, ${entry.payload}, ${entry.status},
      ${entry.stateHash}, ${entry.receipt})`;
}

export async function findLogEntry(
  sql: SqlHandle,
  tenant: Uint8Array,
  channelId: Uint8Array,
  updateId: number,
): Promise<LogEntry | undefined> {
  const [row] = await sql<
    {
      kind: LogKind;
      payload: Uint8Array;
      status: StoredStatus;
      state_hash: Uint8Array;
      receipt: Uint8Array;
    }[]
  >`SELECT kind, payload, status, state_hash, receipt FROM channel_update_log
    WHERE tenant = ${tenant} AND channel_id = ${channelId} AND update_id = ${updateId}`;
  return (
    row && {
      updateId,
      kind: row.kind,
      payload: new Uint8Array(row.payload),
      status: row.status,
      stateHash: new Uint8Array(row.state_hash),
      receipt: new Uint8Array(row.receipt),
    }
  );
}

/**
 * Deletes every entry more than `retain` (at least 1) below its channel's latest update id and
 * returns the tenants' freed bytes to their usage, in one statement. Returns the entries deleted.
 */
export async function compactUpdateLog(sql: SqlHandle, retain: number): Promise<number> {
  const released = await sql<{ entries: bigint }[]>`
    WITH deleted AS (
      DELETE FROM channel_update_log l USING channel_monitors c
      WHERE l.tenant = c.tenant AND l.channel_id = c.channel_id AND l.update_id <= c.latest_update_id - ${retain}
      RETURNING l.tenant, length(l.payload) AS bytes
    ), per_tenant AS (
      SELECT tenant, sum(bytes)::bigint AS bytes, count(*) AS entries FROM deleted GROUP BY tenant
    )
    UPDATE tenant_usage u SET stored_bytes = u.stored_bytes - p.bytes
    FROM per_tenant p WHERE u.node_id = p.tenant
    RETURNING p.entries`;
  return released.reduce((sum, row) => sum + Number(row.entries), 0);
}
