/**
 * The outpoints a monitor watches (DESIGN.md "Enforcement"), indexed by outpoint so a block costs
 * O(inputs) however many channels are watched: every channel's funding outpoint, then, added by
 * the Enforcer once a commitment confirms, the commitment and HTLC-transaction outputs whose
 * spend it must react to (BOLT 5 "Unilateral Close Handling", "Revoked Transaction Close
 * Handling").
 *
 * Invariants:
 * - An outpoint is watched at most once per channel, but may be watched by several channels: the
 *   two ends of one channel may be tenants of the same monitor (channels are keyed by tenant and
 *   channel id), and both watch its funding outpoint.
 * - The null outpoint, which only a coinbase input spends, is never watched (`add` refuses it), so
 *   coinbase inputs never match.
 */
import { equalBytes, expectLength, expectUint, U32_MAX } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';
import type { Block } from '@vigil/shared/bitcoin/block';
import type { OutPoint, Transaction } from '@vigil/shared/bitcoin/tx';

/** A channel as the monitor keys it: per tenant, since two tenants may share a channel id. */
export interface WatchedChannel {
  readonly tenant: Uint8Array;
  readonly channelId: Uint8Array;
}

/**
 * A channel's watch on an outpoint. `depth` counts the transactions between it and the funding
 * output: 0 the funding output itself, 1 an output of a commitment, 2 an output of a second-stage
 * HTLC transaction. What an output is (to_local, which HTLC) the claim engine derives from the
 * monitor when it resolves the channel; the index only needs to find the channel.
 */
export interface WatchedEntry {
  readonly channel: WatchedChannel;
  readonly depth: number;
}

/** An input of `tx` that spends a watched outpoint, once per channel watching it. */
export interface WatchedSpend {
  readonly tx: Transaction;
  readonly inputIndex: number;
  readonly entry: WatchedEntry;
}

const TXID_BYTES = 32;
const NULL_VOUT = U32_MAX;

/**
 * The index key of `outpoint`: its 36-byte serialization (txid || vout little-endian) as a latin1
 * string, one character per byte. Measured faster than hex (`npm run bench:enforce`), and V8 keeps
 * such strings one byte per character, half the memory of hex.
 */
export function outpointKey(outpoint: OutPoint): string {
  const { txid, vout } = outpoint;
  return (
    Buffer.from(txid.buffer, txid.byteOffset, txid.byteLength).toString('latin1') +
    String.fromCharCode(vout & 0xff, (vout >>> 8) & 0xff, (vout >>> 16) & 0xff, vout >>> 24)
  );
}

function isNullOutpoint(outpoint: OutPoint): boolean {
  return outpoint.vout === NULL_VOUT && outpoint.txid.every((byte) => byte === 0);
}

function sameChannel(a: WatchedChannel, b: WatchedChannel): boolean {
  return equalBytes(a.channelId, b.channelId) && equalBytes(a.tenant, b.tenant);
}

const NONE: readonly WatchedEntry[] = [];

export class WatchedOutpoints {
  /** Entries by `outpointKey`; a list is never empty (removing the last entry removes the key). */
  readonly #entries = new Map<string, readonly WatchedEntry[]>();
  #size = 0;

  /** How many (outpoint, channel) entries are watched. */
  get size(): number {
    return this.#size;
  }

  /** Watches `outpoint` for `entry.channel`, replacing what that channel watched there before. */
  add(outpoint: OutPoint, entry: WatchedEntry): void {
    expectLength(outpoint.txid, TXID_BYTES, 'outpoint.txid');
    expectUint(outpoint.vout, U32_MAX, 'outpoint.vout');
    if (isNullOutpoint(outpoint)) {
      throw new ValidationError('outpoint', 'is the null outpoint, which only a coinbase input spends');
    }
    const key = outpointKey(outpoint);
    const previous = this.#entries.get(key) ?? NONE;
    const others = previous.filter((e) => !sameChannel(e.channel, entry.channel));
    this.#entries.set(key, [...others, entry]);
    this.#size += others.length + 1 - previous.length;
  }

  /** Stops watching `outpoint` for `channel`; false when it was not watched for it. */
  remove(outpoint: OutPoint, channel: WatchedChannel): boolean {
    const key = outpointKey(outpoint);
    const entries = this.#entries.get(key);
    if (entries === undefined) return false;
    const kept = entries.filter((e) => !sameChannel(e.channel, channel));
    if (kept.length === entries.length) return false;
    if (kept.length === 0) this.#entries.delete(key);
    else this.#entries.set(key, kept);
    this.#size -= entries.length - kept.length;
    return true;
  }

  has(outpoint: OutPoint): boolean {
    return this.#entries.has(outpointKey(outpoint));
  }

  /** Every channel's entry for `outpoint` (empty when unwatched). */
  get(outpoint: OutPoint): readonly WatchedEntry[] {
    return this.#entries.get(outpointKey(outpoint)) ?? NONE;
  }

  /** The inputs of `tx` that spend watched outpoints: one map lookup per input. */
  spendsInTx(tx: Transaction): WatchedSpend[] {
    const spends: WatchedSpend[] = [];
    this.#collect(tx, spends);
    return spends;
  }

  /** The inputs of `block` that spend watched outpoints, in block order: O(inputs), not O(channels). */
  spendsInBlock(block: Block): WatchedSpend[] {
    const spends: WatchedSpend[] = [];
    for (const tx of block.transactions) this.#collect(tx, spends);
    return spends;
  }

  #collect(tx: Transaction, into: WatchedSpend[]): void {
    tx.inputs.forEach((input, inputIndex) => {
      const entries = this.#entries.get(outpointKey(input.prevout));
      if (entries !== undefined) for (const entry of entries) into.push({ tx, inputIndex, entry });
    });
  }
}
