/**
 * Answering a tenant's WatchChannel and Update frames (DESIGN.md rules 2 and 3). Each is decoded,
 * validated against the channel's current state (`createChannelMonitor`, `checkSnapshot`,
 * `applyUpdate`), and its result committed in one transaction before the ack is built: ack means
 * committed. A repeat of a persisted update id is answered from the update log: the same receipt
 * for the same canonical bytes, INVALID (CONFLICT) for different ones.
 *
 * Channels are looked up per tenant, so another tenant's channel id is answered exactly like an
 * id nobody has: UNKNOWN_CHANNEL, revealing nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import * as pb from '@vigil/proto';
import { equalBytes, toHex } from '@vigil/shared/bytes';
import type { Database } from '@vigil/shared/db/database';
import { applyUpdate } from '@vigil/shared/monitor-model/apply-update';
import {
  type ChannelMonitor,
  type CounterpartyCommitment,
  isLockedDown,
} from '@vigil/shared/monitor-model/channel-monitor';
import { createChannelMonitor } from '@vigil/shared/monitor-model/create-monitor';
import type { ChannelMonitorUpdate } from '@vigil/shared/monitor-model/monitor-update';
import {
  encodeChannelMonitor,
  encodeChannelMonitorUpdate,
  encodeCounterpartyCommitment,
  fromProtoChannelMonitorUpdate,
} from '@vigil/shared/monitor-model/proto-codec';
import { commitChannelChange, StaleRevisionError } from '../store/channel-commit.js';
import type { EncodedRecord } from '../store/counterparty-records.js';
import type { MonitorIdentity } from '../store/identity-store.js';
import { findLogEntry, type LogKind, type StoredStatus } from '../store/update-log.js';
import { type AckIds, type AckInit, Refusal, refusalAck, storedAck } from './acks.js';
import type { BookEntry, ChannelBook } from './channel-book.js';
import { signReceipt, stateHash as stateHashOf } from '@vigil/shared/monitor-model/receipt';
import { checkRecords, checkSnapshot } from './snapshot-check.js';
import type { Tenant } from './tenants.js';
import { decodeWatch, type DecodedWatch, RECORDS_FIELD, watchIds } from './watch-frame.js';

/** Attempts at a change whose write found the channel changed since it was read. */
const STALE_ATTEMPTS = 3;

/** A validated change, ready to commit. */
interface Change {
  /** The channel's state after the change. */
  readonly monitor: ChannelMonitor;
  readonly kind: LogKind;
  /** Canonical bytes of what was received. */
  readonly payload: Uint8Array;
  readonly records: readonly CounterpartyCommitment[];
  readonly recordsField: string;
  readonly status: StoredStatus;
}

/** The identity fields of a channel, which no later snapshot may change. */
const IDENTITY_FIELDS = [
  'channelType',
  'counterpartyNodeId',
  'parameters',
  'secrets',
  'destinationScript',
] as const satisfies readonly (keyof ChannelMonitor)[];

export interface WriterDeps {
  readonly db: Database;
  readonly identity: MonitorIdentity;
  readonly book: ChannelBook;
}

/** The channel and update id an Update is about, as sent (before any check). */
export function updateIds(message: pb.ChannelMonitorUpdate): AckIds {
  return { channelId: message.channelId, updateId: message.updateId };
}

function encodeRecord(record: CounterpartyCommitment): EncodedRecord {
  return {
    commitmentNumber: record.commitmentNumber,
    txid: record.txid,
    bytes: encodeCounterpartyCommitment(record),
  };
}

/** Why the channel is locked down, for a REJECTED_AFTER_LOCKDOWN's detail. */
function lockdownReason(monitor: ChannelMonitor): string {
  const reasons = [
    ...(monitor.holderCommitmentSigned ? ['the monitor signed the holder commitment for broadcast'] : []),
    ...(monitor.fundingSpendSeen ? ['the funding output was seen spent on-chain'] : []),
  ];
  return reasons.length === 0 ? '' : `lockdown: ${reasons.join('; ')}`;
}

/** The snapshot, with the lockdown the monitor already entered kept (a tenant cannot lift it). */
function keepLockdown(snapshot: ChannelMonitor, stored: ChannelMonitor): ChannelMonitor {
  return {
    ...snapshot,
    holderCommitmentSigned: snapshot.holderCommitmentSigned || stored.holderCommitmentSigned,
    fundingSpendSeen: snapshot.fundingSpendSeen || stored.fundingSpendSeen,
  };
}

function checkSameChannel(stored: ChannelMonitor, snapshot: ChannelMonitor, path: string): void {
  for (const field of IDENTITY_FIELDS) {
    if (!isDeepStrictEqual(stored[field], snapshot[field])) {
      throw new Refusal(pb.InvalidReason.CONFLICT, `${path}.${field}`, "differs from the stored channel's");
    }
  }
}

/** One of each commitment number, the first given winning (they were checked to be equal). */
function uniqueRecords(records: readonly CounterpartyCommitment[]): CounterpartyCommitment[] {
  const byNumber = new Map<number, CounterpartyCommitment>();
  for (const record of records)
    if (!byNumber.has(record.commitmentNumber)) byNumber.set(record.commitmentNumber, record);
  return [...byNumber.values()];
}

export class ChannelWriter {
  constructor(private readonly deps: WriterDeps) {}

  /** The ack for an Update frame. Throws only for failures that are not the tenant's. */
  update(tenant: Tenant, message: pb.ChannelMonitorUpdate): Promise<AckInit> {
    const ids = updateIds(message);
    return this.#answer(ids, () => {
      const update = fromProtoChannelMonitorUpdate(message, 'update');
      const payload = encodeChannelMonitorUpdate(update);
      return this.#onChannel(tenant, update.channelId, () => this.#applyUpdate(tenant, ids, update, payload));
    });
  }

  /** The ack for a WatchChannel frame. Throws only for failures that are not the tenant's. */
  watch(tenant: Tenant, message: pb.WatchChannel): Promise<AckInit> {
    const ids = watchIds(message);
    return this.#answer(ids, () => {
      const watch = decodeWatch(message);
      return this.#onChannel(tenant, watch.channelId, () => this.#watch(tenant, ids, watch));
    });
  }

  async #answer(ids: AckIds, handle: () => Promise<AckInit>): Promise<AckInit> {
    try {
      return await handle();
    } catch (e) {
      const refused = refusalAck(ids, e);
      if (refused === undefined) throw e;
      return refused;
    }
  }

  /** Runs `work` serialised per channel, again on fresh state if its write found the read stale. */
  #onChannel(tenant: Tenant, channelId: Uint8Array, work: () => Promise<AckInit>): Promise<AckInit> {
    return this.deps.book.exclusive(tenant.nodeId, channelId, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await work();
        } catch (e) {
          if (!(e instanceof StaleRevisionError) || attempt === STALE_ATTEMPTS) throw e;
          await this.deps.book.reload(this.deps.db, tenant.nodeId, channelId);
        }
      }
    });
  }

  /**
   * The tenant's channel, or an UNKNOWN_CHANNEL refusal. A channel missing from the book is read
   * once from the database first: another worker on the same database may have created it.
   */
  async #knownEntry(tenant: Tenant, channelId: Uint8Array, field: string): Promise<BookEntry> {
    const { book, db } = this.deps;
    if (book.get(tenant.nodeId, channelId) === undefined) await book.reload(db, tenant.nodeId, channelId);
    const entry = book.get(tenant.nodeId, channelId);
    if (entry === undefined) {
      throw new Refusal(
        pb.InvalidReason.UNKNOWN_CHANNEL,
        field,
        `this tenant has no channel ${toHex(channelId)}`,
      );
    }
    return entry;
  }

  async #applyUpdate(
    tenant: Tenant,
    ids: AckIds,
    update: ChannelMonitorUpdate,
    payload: Uint8Array,
  ): Promise<AckInit> {
    const entry = await this.#knownEntry(tenant, update.channelId, 'update.channelId');
    if (update.updateId <= entry.monitor.latestUpdateId) {
      return this.#repeat(tenant, entry, ids, {
        kind: 'update',
        payload,
        field: 'update.updateId',
        records: [],
      });
    }
    // Throws InvalidUpdateError for a gap or an invalid step; applies after lockdown too.
    const applied = applyUpdate(entry.monitor, update);
    return this.#commit(tenant, ids, entry, {
      monitor: applied.monitor,
      kind: 'update',
      payload,
      records: applied.counterpartyCommitments,
      recordsField: 'update.steps',
      status: applied.afterLockdown ? pb.UpdateStatus.REJECTED_AFTER_LOCKDOWN : pb.UpdateStatus.PERSISTED,
    });
  }

  #watch(tenant: Tenant, ids: AckIds, watch: DecodedWatch): Promise<AckInit> {
    const entry = this.deps.book.get(tenant.nodeId, watch.channelId);
    if (watch.kind === 'init') {
      if (entry !== undefined) {
        return this.#repeat(tenant, entry, ids, {
          kind: 'init',
          payload: watch.payload,
          field: 'watchChannel.init',
          records: [],
        });
      }
      const created = createChannelMonitor(watch.init, 'watchChannel.init');
      return this.#commit(tenant, ids, undefined, {
        monitor: created.monitor,
        kind: 'init',
        payload: watch.payload,
        records: created.counterpartyCommitments,
        recordsField: 'watchChannel.init.initialCounterpartyCommitment',
        status: pb.UpdateStatus.PERSISTED,
      });
    }
    return this.#watchSnapshot(tenant, ids, entry, watch);
  }

  #watchSnapshot(
    tenant: Tenant,
    ids: AckIds,
    entry: BookEntry | undefined,
    watch: Extract<DecodedWatch, { kind: 'snapshot' }>,
  ): Promise<AckInit> {
    const snapshot = watch.monitor;
    checkRecords(snapshot, watch.records, RECORDS_FIELD);
    if (entry !== undefined && snapshot.latestUpdateId <= entry.monitor.latestUpdateId) {
      const field = 'watchChannel.snapshot.latestUpdateId';
      return this.#repeat(tenant, entry, ids, {
        kind: 'snapshot',
        payload: watch.payload,
        field,
        records: watch.records,
      });
    }
    checkSnapshot(snapshot, 'watchChannel.snapshot');
    if (entry !== undefined) checkSameChannel(entry.monitor, snapshot, 'watchChannel.snapshot');
    const lockedDown = entry !== undefined && isLockedDown(entry.monitor);
    return this.#commit(tenant, ids, entry, {
      monitor: entry === undefined ? snapshot : keepLockdown(snapshot, entry.monitor),
      kind: 'snapshot',
      payload: watch.payload,
      records: uniqueRecords([...watch.records, ...snapshot.unrevokedCounterpartyCommitments]),
      recordsField: RECORDS_FIELD,
      status: lockedDown ? pb.UpdateStatus.REJECTED_AFTER_LOCKDOWN : pb.UpdateStatus.PERSISTED,
    });
  }

  /** Answers a frame for an update id already persisted; records sent along are still merged. */
  async #repeat(
    tenant: Tenant,
    entry: BookEntry,
    ids: AckIds,
    sent: { kind: LogKind; payload: Uint8Array; field: string; records: readonly CounterpartyCommitment[] },
  ): Promise<AckInit> {
    const { db } = this.deps;
    const logged = await findLogEntry(db, tenant.nodeId, entry.monitor.channelId, Number(ids.updateId));
    if (logged === undefined) {
      throw new Refusal(
        pb.InvalidReason.STALE,
        sent.field,
        `update ${ids.updateId} is older than the update log this monitor keeps (the channel is at ${entry.monitor.latestUpdateId})`,
      );
    }
    if (logged.kind !== sent.kind || !equalBytes(logged.payload, sent.payload)) {
      throw new Refusal(
        pb.InvalidReason.CONFLICT,
        sent.field,
        `update ${ids.updateId} was persisted with different bytes (a ${logged.kind})`,
      );
    }
    if (sent.records.length > 0) {
      await commitChannelChange(db, {
        tenant: tenant.nodeId,
        channelId: entry.monitor.channelId,
        records: sent.records.map(encodeRecord),
        recordsField: RECORDS_FIELD,
        quota: tenant.limits,
      });
    }
    return storedAck(ids, logged, lockdownReason(entry.monitor));
  }

  /** Signs the receipt, commits the change with it, then updates the book. */
  async #commit(tenant: Tenant, ids: AckIds, base: BookEntry | undefined, change: Change): Promise<AckInit> {
    const { monitor } = change;
    const snapshot = encodeChannelMonitor(monitor);
    const stateHash = stateHashOf(snapshot);
    const updateId = BigInt(monitor.latestUpdateId);
    const receipt = signReceipt(this.deps.identity.secretKey, {
      nodeId: tenant.nodeId,
      channelId: monitor.channelId,
      updateId,
      stateHash,
    });
    const log = {
      updateId: monitor.latestUpdateId,
      kind: change.kind,
      payload: change.payload,
      status: change.status,
      stateHash,
      receipt,
    };
    const revision = await commitChannelChange(this.deps.db, {
      tenant: tenant.nodeId,
      channelId: monitor.channelId,
      snapshot: {
        latestUpdateId: monitor.latestUpdateId,
        snapshot,
        holderCommitmentSigned: monitor.holderCommitmentSigned,
        fundingSpendSeen: monitor.fundingSpendSeen,
        replaces: base && { revision: base.revision, snapshotBytes: base.snapshotBytes },
      },
      log,
      records: change.records.map(encodeRecord),
      recordsField: change.recordsField,
      quota: tenant.limits,
    });
    this.deps.book.set(tenant.nodeId, monitor.channelId, {
      monitor,
      revision: revision!,
      snapshotBytes: snapshot.length,
    });
    return storedAck(ids, log, lockdownReason(monitor));
  }
}
