/**
 * `RemoteWatch`: the manager's `ChannelWatch` (LDK's `chain::Watch` with `InProgress` semantics,
 * DESIGN.md "The monitor protocol" rule 4). This is its durable core; the gRPC sessions that carry
 * updates to the monitors and acks back drive it through `catchUp` and `recordPersisted`.
 *
 * Invariants:
 * - Every record is validated on the manager's own copy of the monitor (createChannelMonitor,
 *   applyUpdate) before anything is stored or sent: a channel bug surfaces here, not on a monitor.
 * - An update is written to the outbox (with the resulting snapshot, in one transaction) before it
 *   may be sent: `persistedUpTo` bounds what the sessions send.
 * - An update is reported durable to the channel (`onDurable`) only once `quorum` monitors have
 *   persisted it, in update id order (acks from all sessions are recorded one at a time); what
 *   was reported survives a restart. A failed write or ack commit stops the watch until restart.
 * - A monitor that lacks a channel, or is behind what the outbox still holds, is sent the snapshot
 *   with every counterparty commitment record instead of updates.
 * - `onPersisted` listeners hear of a record only after its transaction committed, in write order,
 *   so a session that sends on that signal never sends what the outbox could lose.
 */
import { toHex } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';
import type { Database, SqlTransaction } from '@vigil/shared/db/database';
import { applyUpdate } from '@vigil/shared/monitor-model/apply-update';
import type { ChannelMonitor, CounterpartyCommitment } from '@vigil/shared/monitor-model/channel-monitor';
import { type ChannelMonitorInit, createChannelMonitor } from '@vigil/shared/monitor-model/create-monitor';
import type { ChannelMonitorUpdate } from '@vigil/shared/monitor-model/monitor-update';
import { encodeChannelMonitor, encodeChannelMonitorUpdate } from '@vigil/shared/monitor-model/proto-codec';
import { stateHash } from '@vigil/shared/monitor-model/receipt';
import type { ChannelWatch, UpdateStatus } from '../channel/channel-watch.js';
import { QuorumTracker } from './quorum-tracker.js';
import * as store from './watch-store.js';

export interface RemoteWatchOptions {
  readonly sql: Database;
  /** Ids of the configured monitors. */
  readonly monitorIds: readonly string[];
  /** How many must persist an update before it completes; default all of them. */
  readonly quorum?: number;
  /** Told when `updateId` (0 = the initial watch) of `channelId` became durable on a quorum. */
  readonly onDurable: (channelId: Uint8Array, updateId: number) => void;
}

/** What a monitor needs to catch up on a channel; each item with the state hash its receipt signs. */
export type CatchUp =
  | { readonly kind: 'upToDate' }
  | { readonly kind: 'updates'; readonly updates: readonly store.OutboxEntry[] }
  | {
      readonly kind: 'snapshot';
      readonly monitor: ChannelMonitor;
      readonly stateHash: Uint8Array;
      readonly counterpartyCommitments: readonly CounterpartyCommitment[];
    };

/** Told that `updateId` (0 = the initial watch) of `channelId` is committed to the outbox. */
export type PersistedListener = (channelId: Uint8Array, updateId: number) => void;

interface WatchedChannel {
  /** The manager's copy, after every update handed to `updateChannel` (validation runs on it). */
  monitor: ChannelMonitor;
  /** The copy as last committed: the only state a snapshot may carry. */
  persisted: ChannelMonitor | undefined;
}

export class RemoteWatch implements ChannelWatch {
  private readonly channels = new Map<string, WatchedChannel>();
  private readonly tracker: QuorumTracker;
  /** Writes run one after another, in the order the channel produced them. */
  private writes: Promise<void> = Promise.resolve();
  private writeFailure: unknown;
  /** PERSISTED acks are recorded one after another (see `recordPersisted`). */
  private acks: Promise<void> = Promise.resolve();
  private readonly persistedListeners = new Set<PersistedListener>();

  private constructor(private readonly options: RemoteWatchOptions) {
    this.tracker = new QuorumTracker(options.monitorIds, options.quorum ?? options.monitorIds.length);
  }

  /** Opens the watch over a migrated database, restoring every channel and monitor position. */
  static async open(options: RemoteWatchOptions): Promise<RemoteWatch> {
    const watch = new RemoteWatch(options);
    for (const stored of await store.loadChannels(options.sql)) {
      const key = toHex(stored.channelId);
      watch.channels.set(key, { monitor: stored.monitor, persisted: stored.monitor });
      watch.tracker.restore(
        key,
        stored.completedUpdateId,
        await store.loadPositions(options.sql, stored.channelId),
      );
    }
    return watch;
  }

  watchChannel(init: ChannelMonitorInit): UpdateStatus {
    this.throwIfWritesFailed();
    const key = toHex(init.channelId);
    if (this.channels.has(key))
      throw new ValidationError('init.channelId', `channel ${key} is already watched`);
    const created = createChannelMonitor(init, 'init');
    const channel: WatchedChannel = { monitor: created.monitor, persisted: undefined };
    this.channels.set(key, channel);
    this.write(
      async (tx) => {
        await store.insertChannel(tx, created.monitor);
        await store.insertCounterpartyCommitments(tx, init.channelId, created.counterpartyCommitments);
      },
      () => this.committed(channel, created.monitor),
    );
    return 'inProgress';
  }

  updateChannel(update: ChannelMonitorUpdate): UpdateStatus {
    this.throwIfWritesFailed();
    const channel = this.channel(update.channelId, 'update.channelId');
    const applied = applyUpdate(channel.monitor, update);
    channel.monitor = applied.monitor;
    const bytes = encodeChannelMonitorUpdate(update);
    this.write(
      async (tx) => {
        await store.appendUpdate(tx, applied.monitor, bytes);
        await store.insertCounterpartyCommitments(tx, update.channelId, applied.counterpartyCommitments);
      },
      () => this.committed(channel, applied.monitor),
    );
    return 'inProgress';
  }

  /** Resolves once every record handed over so far is committed; rejects if a write failed. */
  async flush(): Promise<void> {
    await this.writes;
    this.throwIfWritesFailed();
  }

  /** Calls `listener` after each committed record (see the file comment); returns its removal. */
  onPersisted(listener: PersistedListener): () => void {
    this.persistedListeners.add(listener);
    return () => this.persistedListeners.delete(listener);
  }

  /** Highest update id of `channelId` in the outbox (0 = only the initial watch; -1 = not yet). */
  persistedUpTo(channelId: Uint8Array): number {
    return this.channel(channelId, 'channelId').persisted?.latestUpdateId ?? -1;
  }

  /** The channels this watch knows, for a session's resume. */
  channelIds(): Uint8Array[] {
    return [...this.channels.values()].map((c) => c.monitor.channelId);
  }

  /**
   * What `monitorId` needs after persisting `channelId` up to `monitorPosition` (undefined: it has
   * no such channel), as its session's Welcome reported.
   */
  async catchUp(channelId: Uint8Array, monitorPosition: number | undefined): Promise<CatchUp> {
    const persisted = this.channel(channelId, 'channelId').persisted;
    if (persisted === undefined)
      throw new ValidationError('channelId', `channel ${toHex(channelId)} is not stored yet`);
    const upTo = persisted.latestUpdateId;
    if (monitorPosition !== undefined && monitorPosition >= upTo) return { kind: 'upToDate' };
    if (monitorPosition !== undefined) {
      const updates = (await store.outboxAfter(this.options.sql, channelId, monitorPosition)).filter(
        (u) => u.updateId <= upTo,
      );
      if (updates[0]?.updateId === monitorPosition + 1) return { kind: 'updates', updates };
    }
    const counterpartyCommitments = (
      await store.loadCounterpartyCommitments(this.options.sql, channelId)
    ).filter(
      (c) => c.commitmentNumber <= persisted.unrevokedCounterpartyCommitments.at(-1)!.commitmentNumber,
    );
    return {
      kind: 'snapshot',
      monitor: persisted,
      stateHash: stateHash(encodeChannelMonitor(persisted)),
      counterpartyCommitments,
    };
  }

  /**
   * Records that `monitorId` committed `channelId` up to `updateId` (its PERSISTED ack), and tells
   * the channel about every update this made durable on a quorum.
   */
  recordPersisted(
    monitorId: string,
    channelId: Uint8Array,
    updateId: number,
    receipt?: Uint8Array,
  ): Promise<void> {
    // One at a time across every session, so durability is reported in update id order.
    const recorded = this.acks.then(() => this.recordPersistedNow(monitorId, channelId, updateId, receipt));
    this.acks = recorded.catch(() => undefined);
    return recorded;
  }

  private async recordPersistedNow(
    monitorId: string,
    channelId: Uint8Array,
    updateId: number,
    receipt: Uint8Array | undefined,
  ): Promise<void> {
    this.throwIfWritesFailed();
    const sent = this.persistedUpTo(channelId);
    if (updateId > sent) {
      throw new ValidationError(
        'updateId',
        `monitor ${monitorId} acked ${updateId}, beyond what was sent (${sent})`,
      );
    }
    const durable = this.tracker.persisted(monitorId, toHex(channelId), updateId);
    try {
      await this.options.sql.begin(async (tx) => {
        await store.savePosition(tx, monitorId, channelId, updateId, receipt);
        const last = durable[durable.length - 1];
        if (last !== undefined) await store.saveCompleted(tx, channelId, last);
        await store.pruneOutbox(tx, channelId, this.options.monitorIds);
      });
    } catch (e) {
      // The tracker already counted this position: reporting it again after a failed commit could
      // skip or reorder completions, so the watch stops, as after a failed write, until restart
      // (which restores the tracker from what was committed).
      this.writeFailure = e;
      throw e;
    }
    for (const id of durable) this.options.onDurable(channelId, id);
  }

  private channel(channelId: Uint8Array, field: string): WatchedChannel {
    const channel = this.channels.get(toHex(channelId));
    if (channel === undefined) throw new ValidationError(field, `unknown channel ${toHex(channelId)}`);
    return channel;
  }

  private committed(channel: WatchedChannel, monitor: ChannelMonitor): void {
    channel.persisted = monitor;
    for (const listener of this.persistedListeners) listener(monitor.channelId, monitor.latestUpdateId);
  }

  private write(body: (tx: SqlTransaction) => Promise<void>, onCommitted: () => void): void {
    this.writes = this.writes.then(async () => {
      if (this.writeFailure !== undefined) return;
      try {
        await this.options.sql.begin(body);
        onCommitted();
      } catch (e) {
        // Nothing after a failed write may be sent: the channel stays frozen until restart.
        this.writeFailure = e;
      }
    });
  }

  private throwIfWritesFailed(): void {
    if (this.writeFailure !== undefined) throw this.writeFailure;
  }
}
