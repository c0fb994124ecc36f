/**
 * Lockdown (DESIGN.md "The domain"): once the monitor has seen the funding output spent, or has
 * signed the holder commitment for broadcast, it must never act on newer state. The flag is set
 * on the stored snapshot (and the Welcome's `lockedDown`), after which the channel writer answers
 * every later update REJECTED_AFTER_LOCKDOWN while still storing it.
 *
 * Invariant: the flag is committed before whatever it guards happens (the broadcast of a holder
 * commitment), and it is never cleared: a tenant's snapshot cannot lift it (channel-writer.ts).
 */
import { toHex } from '@vigil/shared/bytes';
import type { SqlHandle } from '@vigil/shared/db/database';
import { encodeChannelMonitor } from '@vigil/shared/monitor-model/proto-codec';
import { replaceSnapshot } from '../store/channel-store.js';
import type { ChannelBook } from './channel-book.js';

export type LockdownReason = 'fundingSpendSeen' | 'holderCommitmentSigned';

/** Sets `reason` on the channel's stored monitor (a no-op if already set or the channel is gone). */
export function enterLockdown(
  sql: SqlHandle,
  book: ChannelBook,
  tenant: Uint8Array,
  channelId: Uint8Array,
  reason: LockdownReason,
): Promise<void> {
  return book.exclusive(tenant, channelId, async () => {
    // One retry: a write that found the entry stale reloads it (another writer moved it on).
    for (let attempt = 0; attempt < 2; attempt++) {
      const entry = book.get(tenant, channelId);
      if (entry === undefined || entry.monitor[reason]) return;
      const monitor = { ...entry.monitor, [reason]: true };
      const snapshot = encodeChannelMonitor(monitor);
      const revision = await replaceSnapshot(
        sql,
        tenant,
        channelId,
        {
          latestUpdateId: monitor.latestUpdateId,
          snapshot,
          holderCommitmentSigned: monitor.holderCommitmentSigned,
          fundingSpendSeen: monitor.fundingSpendSeen,
        },
        entry.revision,
      );
      if (revision !== undefined) {
        book.set(tenant, channelId, { monitor, revision, snapshotBytes: snapshot.length });
        return;
      }
      await book.reload(sql, tenant, channelId);
    }
    throw new Error(`lockdown of channel ${toHex(channelId)}: its row kept changing`);
  });
}
