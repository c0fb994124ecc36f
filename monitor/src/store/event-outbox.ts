/**
 * The durable event outbox (tables `event_outbox`, `event_sequences`; DESIGN.md rule 5). An event
 * gets the tenant's next sequence number in the transaction that enqueues it, so it exists exactly
 * when the state change that caused it does; it stays until the tenant acknowledges it, and every
 * session sends what is still there, in sequence order.
 */
import type { SqlHandle } from '@vigil/shared/db/database';
import type { MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import { encodeMonitorEvent } from '@vigil/shared/monitor-model/proto-codec';

export interface OutboxEvent {
  readonly sequence: bigint;
  /** Canonical MonitorEvent bytes. */
  readonly event: Uint8Array;
}

/**
 * Adds `event` to the tenant's outbox and returns its sequence number (1 for the tenant's first).
 * Run it in the transaction that commits what the event reports; after the commit, tell the server
 * (`RunningMonitor.notifyEvents`) so open sessions send it at once.
 */
export async function enqueueEvent(sql: SqlHandle, tenant: Uint8Array, event: MonitorEvent): Promise<bigint> {
  const bytes = encodeMonitorEvent(event);
  const [row] = await sql<{ sequence: bigint }[]>`
    INSERT INTO event_sequences (tenant, last_sequence) VALUES (${tenant}, 1)
    ON CONFLICT (tenant) DO UPDATE SET last_sequence = event_sequences.last_sequence + 1
    RETURNING last_sequence AS sequence`;
  const sequence = row!.sequence;
  await sql`
    INSERT INTO event_outbox (tenant, sequence, channel_id, event)
    VALUES (${tenant}, ${sequence}, ${event.channelId}, ${bytes})`;
  return sequence;
}

/** Up to `limit` unacknowledged events after `afterSequence`, in order. */
export async function pendingEvents(
  sql: SqlHandle,
  tenant: Uint8Array,
  afterSequence: bigint,
  limit: number,
): Promise<OutboxEvent[]> {
  const rows = await sql<{ sequence: bigint; event: Uint8Array }[]>`
    SELECT sequence, event FROM event_outbox
    WHERE tenant = ${tenant} AND sequence > ${afterSequence}
    ORDER BY sequence LIMIT ${limit}`;
  return rows.map((r) => ({ sequence: r.sequence, event: new Uint8Array(r.event) }));
}

/** Removes every event up to and including `upToSequence` (acks are cumulative). */
export async function ackEvents(sql: SqlHandle, tenant: Uint8Array, upToSequence: bigint): Promise<number> {
  return (await sql`DELETE FROM event_outbox WHERE tenant = ${tenant} AND sequence <= ${upToSequence}`).count;
}
