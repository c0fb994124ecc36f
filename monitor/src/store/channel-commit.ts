/**
 * Committing one change to a channel, answered by one UpdateAck, in one Postgres transaction: the
 * new snapshot, the update log entry with its receipt, the new counterparty records, and the
 * tenant's usage (DESIGN.md rule 3: ack means committed). Either all of it commits or none of it
 * does; the caller acks only after this returns.
 */
import type { Database, SqlHandle } from '@vigil/shared/db/database';
import { insertChannel, replaceSnapshot, type SnapshotRow } from './channel-store.js';
import { type EncodedRecord, insertRecords } from './counterparty-records.js';
import { chargeUsage, type StorageQuota } from './tenant-usage.js';
import { insertLogEntry, type LogEntry } from './update-log.js';

/** The snapshot write of a change, and what it was computed from. */
export interface SnapshotWrite extends SnapshotRow {
  /** The revision and size of the stored snapshot it replaces; undefined for a new channel. */
  readonly replaces: { readonly revision: bigint; readonly snapshotBytes: number } | undefined;
}

export interface ChannelChange {
  readonly tenant: Uint8Array;
  readonly channelId: Uint8Array;
  /** Absent when only records are added (a repeated snapshot carrying more of them). */
  readonly snapshot?: SnapshotWrite;
  readonly log?: LogEntry;
  readonly records: readonly EncodedRecord[];
  /** Names the records in a conflict error (`watchChannel.counterpartyCommitments`). */
  readonly recordsField: string;
  readonly quota: StorageQuota;
}

/** The stored channel is not the revision the change was computed from (or already exists). */
export class StaleRevisionError extends Error {
  constructor() {
    super('the channel changed since it was read');
    this.name = 'StaleRevisionError';
  }
}

/**
 * Commits `change` and returns the channel's new revision (undefined when no snapshot was
 * written). Throws, having committed nothing: StaleRevisionError, QuotaExceededError,
 * RecordConflictError, or the database's error.
 */
export async function commitChannelChange(db: Database, change: ChannelChange): Promise<bigint | undefined> {
  return db.begin(async (tx) => {
    const revision = change.snapshot && (await writeSnapshot(tx, change, change.snapshot));
    if (change.log) await insertLogEntry(tx, change.tenant, change.channelId, change.log);
    const recordBytes = await insertRecords(
      tx,
      change.tenant,
      change.channelId,
      change.records,
      change.recordsField,
    );
    const usage = {
      channels: change.snapshot !== undefined && change.snapshot.replaces === undefined ? 1 : 0,
      bytes: snapshotGrowth(change.snapshot) + BigInt(change.log?.payload.length ?? 0) + recordBytes,
    };
    await chargeUsage(tx, change.tenant, usage, change.quota);
    return revision;
  });
}

async function writeSnapshot(tx: SqlHandle, change: ChannelChange, write: SnapshotWrite): Promise<bigint> {
  if (write.replaces === undefined) {
    if (!(await insertChannel(tx, change.tenant, change.channelId, write))) throw new StaleRevisionError();
    return 1n;
  }
  const revision = await replaceSnapshot(tx, change.tenant, change.channelId, write, write.replaces.revision);
  if (revision === undefined) throw new StaleRevisionError();
  return revision;
}

function snapshotGrowth(write: SnapshotWrite | undefined): bigint {
  if (write === undefined) return 0n;
  return BigInt(write.snapshot.length - (write.replaces?.snapshotBytes ?? 0));
}
