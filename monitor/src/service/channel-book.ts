/**
 * The monitors in memory: every stored channel, decoded at start-up, and kept equal to the
 * database by updating an entry only after its write committed. The database stays the system of
 * record: each entry carries the revision it was read at, and a write based on an entry that is
 * no longer current fails (StaleRevisionError), after which the entry is read again.
 *
 * Changes to one channel are serialised here (`exclusive`): an update is validated against the
 * state the previous one produced, never against the same state twice.
 */
import { toHex } from '@vigil/shared/bytes';
import type { SqlHandle } from '@vigil/shared/db/database';
import type { ChannelMonitor } from '@vigil/shared/monitor-model/channel-monitor';
import { decodeChannelMonitor } from '@vigil/shared/monitor-model/proto-codec';
import { forEachChannel, loadChannel, type StoredChannel } from '../store/channel-store.js';

export interface BookEntry {
  readonly monitor: ChannelMonitor;
  readonly revision: bigint;
  /** Length of the stored snapshot, for the tenant's usage. */
  readonly snapshotBytes: number;
}

const LOAD_BATCH = 500;

const keyOf = (tenant: Uint8Array, channelId: Uint8Array): string => `${toHex(tenant)}:${toHex(channelId)}`;

function entryOf(stored: StoredChannel): BookEntry {
  const field = `channel_monitors[${toHex(stored.tenant)}, ${toHex(stored.channelId)}].snapshot`;
  return {
    monitor: decodeChannelMonitor(stored.snapshot, field),
    revision: stored.revision,
    snapshotBytes: stored.snapshot.length,
  };
}

/** Told of a channel the book did not hold before (a new WatchChannel). */
export type NewChannelListener = (tenant: Uint8Array, channelId: Uint8Array, entry: BookEntry) => void;

/** A channel the book holds, with its tenant. */
export interface BookChannel {
  readonly tenant: Uint8Array;
  readonly channelId: Uint8Array;
  readonly entry: BookEntry;
}

export class ChannelBook {
  readonly #entries = new Map<string, BookChannel>();
  readonly #tails = new Map<string, Promise<void>>();
  readonly #newChannelListeners = new Set<NewChannelListener>();

  /** Every stored channel. A snapshot that does not decode stops the start-up: it is corrupt. */
  static async load(sql: SqlHandle): Promise<ChannelBook> {
    const book = new ChannelBook();
    await forEachChannel(sql, LOAD_BATCH, (stored) =>
      book.#entries.set(keyOf(stored.tenant, stored.channelId), {
        tenant: stored.tenant,
        channelId: stored.channelId,
        entry: entryOf(stored),
      }),
    );
    return book;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(tenant: Uint8Array, channelId: Uint8Array): BookEntry | undefined {
    return this.#entries.get(keyOf(tenant, channelId))?.entry;
  }

  /** Records what was just committed. */
  set(tenant: Uint8Array, channelId: Uint8Array, entry: BookEntry): void {
    const key = keyOf(tenant, channelId);
    const isNew = !this.#entries.has(key);
    this.#entries.set(key, { tenant, channelId, entry });
    if (isNew) for (const listener of this.#newChannelListeners) listener(tenant, channelId, entry);
  }

  /** Every channel held now. */
  channels(): IterableIterator<BookChannel> {
    return this.#entries.values();
  }

  /** Every channel held now, then (through `listener`) each one added later. */
  forEachChannel(listener: NewChannelListener): void {
    for (const { tenant, channelId, entry } of this.channels()) listener(tenant, channelId, entry);
    this.#newChannelListeners.add(listener);
  }

  /** Reads the channel again after a write found the entry stale. */
  async reload(sql: SqlHandle, tenant: Uint8Array, channelId: Uint8Array): Promise<void> {
    const stored = await loadChannel(sql, tenant, channelId);
    const key = keyOf(tenant, channelId);
    if (stored === undefined) this.#entries.delete(key);
    else this.#entries.set(key, { tenant, channelId, entry: entryOf(stored) });
  }

  /** Runs `work` once every earlier `exclusive` call for the same channel has settled. */
  exclusive<T>(tenant: Uint8Array, channelId: Uint8Array, work: () => Promise<T>): Promise<T> {
    const key = keyOf(tenant, channelId);
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
