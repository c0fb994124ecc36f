/**
 * `EventInbox`: where the `MonitorEvent`s of every monitor session arrive (DESIGN.md "The monitor
 * protocol", rule 5). Redundant monitors watching the same chain report the same occurrence, and
 * a monitor resends what it sent before a reconnect; the manager must act on each once.
 *
 * Invariants:
 * - An event is identified by the hash of its canonical bytes (vigil.monitor.v1.MonitorEvent):
 *   monitors derive events deterministically from the same state and blocks, so two reports of
 *   one occurrence are byte-identical, and two different occurrences never are.
 * - The handler runs, and the event is marked handled, in one transaction: a crash before the
 *   commit leaves it unhandled and the monitor (which was not acked) sends it again; after the
 *   commit every later report of it is a duplicate. The session acks only after `receive`
 *   resolved, so an acked event was handled.
 * - Events are handled one at a time, in arrival order, across all sessions.
 */
import { sha256 } from '@vigil/shared/bitcoin/hash';
import type { Database, SqlTransaction } from '@vigil/shared/db/database';
import type { MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import { encodeMonitorEvent } from '@vigil/shared/monitor-model/proto-codec';

/** Acts on an event inside the transaction that marks it handled. */
export type EventHandler = (event: MonitorEvent, tx: SqlTransaction) => Promise<void>;

export type Receipt = 'handled' | 'duplicate';

export class EventInbox {
  /** Receives run one after another, so a duplicate never races its first report. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: Database,
    private readonly handler: EventHandler,
  ) {}

  /** Handles `event` reported by `monitorId` under `sequence`, unless it was handled before. */
  receive(monitorId: string, sequence: bigint, event: MonitorEvent): Promise<Receipt> {
    const received = this.queue.then(() => this.handleOnce(monitorId, sequence, event));
    this.queue = received.catch(() => undefined);
    return received;
  }

  private async handleOnce(monitorId: string, sequence: bigint, event: MonitorEvent): Promise<Receipt> {
    const bytes = encodeMonitorEvent(event);
    return this.sql.begin(async (tx) => {
      const inserted = await tx`
        INSERT INTO watch_events (event_hash, channel_id, kind, event, first_monitor_id, first_sequence)
        VALUES (${sha256(bytes)}, ${event.channelId}, ${event.kind}, ${bytes}, ${monitorId}, ${sequence.toString()})
        ON CONFLICT (event_hash) DO NOTHING
        RETURNING event_hash`;
      if (inserted.length === 0) return 'duplicate';
      await this.handler(event, tx);
      return 'handled';
    });
  }
}
