/**
 * The memory pool's data structure (bitcoind's `CTxMemPool`): entries by txid and wtxid, which
 * entry spends each outpoint, and the in-pool parent/child links, from which ancestor and
 * descendant sets are computed. Entries are kept in arrival order, which is always a topological
 * order (a child can only enter after its parents). What may enter is mempool-accept.ts's concern.
 */
import { toHex } from '../../bytes.js';
import type { Coin } from './coins.js';
import { signalsOptInRbf } from './locktime.js';
import { keyOfOutpoint, outpointKey, type PreparedTx } from './prepared-tx.js';

/** bitcoind's MEMPOOL_HEIGHT: the height a coin created by a mempool transaction is given. */
export const MEMPOOL_COIN_HEIGHT = 0x7fff_ffff;

export interface MempoolEntry {
  readonly p: PreparedTx;
  readonly feeSat: bigint;
  /** Entry time (node clock, seconds) and the chain height then. */
  readonly time: number;
  readonly height: number;
  /** Arrival order, for topological iteration. */
  readonly sequence: number;
}

export class Mempool {
  private readonly byTxid = new Map<string, MempoolEntry>();
  private readonly byWtxid = new Map<string, MempoolEntry>();
  /** Outpoint key -> txid key of the entry spending it. */
  private readonly spenders = new Map<string, string>();
  private nextSequence = 0;

  get size(): number {
    return this.byTxid.size;
  }

  get(txidKey: string): MempoolEntry | undefined {
    return this.byTxid.get(txidKey);
  }

  getByWtxid(wtxidKey: string): MempoolEntry | undefined {
    return this.byWtxid.get(wtxidKey);
  }

  /** Entries in arrival (topological) order. */
  entries(): MempoolEntry[] {
    return [...this.byTxid.values()].sort((a, b) => a.sequence - b.sequence);
  }

  /** The entry spending outpoint `key`, if any. */
  spenderOf(key: string): MempoolEntry | undefined {
    const txidKey = this.spenders.get(key);
    return txidKey === undefined ? undefined : this.byTxid.get(txidKey);
  }

  /** The coin output `vout` of mempool transaction `txidKey` creates, if that transaction is here. */
  coinFromPool(txidKey: string, vout: number): Coin | undefined {
    const output = this.byTxid.get(txidKey)?.p.tx.outputs[vout];
    return output === undefined ? undefined : { output, height: MEMPOOL_COIN_HEIGHT, isCoinbase: false };
  }

  /** Entries whose outputs `entry` spends. */
  parents(entry: MempoolEntry): MempoolEntry[] {
    const found = new Set<MempoolEntry>();
    for (const input of entry.p.tx.inputs) {
      const parent = this.byTxid.get(toHex(input.prevout.txid));
      if (parent !== undefined) found.add(parent);
    }
    return [...found];
  }

  /** Entries spending `entry`'s outputs. */
  children(entry: MempoolEntry): MempoolEntry[] {
    const found = new Set<MempoolEntry>();
    entry.p.tx.outputs.forEach((_, vout) => {
      const child = this.spenderOf(outpointKey(entry.p.txidKey, vout));
      if (child !== undefined) found.add(child);
    });
    return [...found];
  }

  /** All in-pool ancestors of the transactions spending from `parents` (the parents included). */
  ancestorsOf(parents: readonly MempoolEntry[]): Set<MempoolEntry> {
    return this.closure(parents, (e) => this.parents(e));
  }

  /** `entry` and everything that spends from it, directly or not. */
  withDescendants(entry: MempoolEntry): Set<MempoolEntry> {
    return this.closure([entry], (e) => this.children(e));
  }

  private closure(
    start: readonly MempoolEntry[],
    next: (e: MempoolEntry) => MempoolEntry[],
  ): Set<MempoolEntry> {
    const seen = new Set<MempoolEntry>(start);
    const queue = [...start];
    for (let e = queue.pop(); e !== undefined; e = queue.pop()) {
      for (const n of next(e)) {
        if (!seen.has(n)) {
          seen.add(n);
          queue.push(n);
        }
      }
    }
    return seen;
  }

  /**
   * bitcoind's `IsRBFOptIn`: replaceable when it or an in-pool ancestor signals BIP 125 (what
   * `bip125-replaceable` reports).
   */
  isBip125Replaceable(entry: MempoolEntry): boolean {
    return [...this.ancestorsOf([entry])].some((e) => signalsOptInRbf(e.p.tx));
  }

  add(entry: Omit<MempoolEntry, 'sequence'>): MempoolEntry {
    const added: MempoolEntry = { ...entry, sequence: this.nextSequence++ };
    this.byTxid.set(added.p.txidKey, added);
    this.byWtxid.set(added.p.wtxidKey, added);
    for (const input of added.p.tx.inputs) this.spenders.set(keyOfOutpoint(input.prevout), added.p.txidKey);
    return added;
  }

  /** Removes exactly these entries (callers pass whole descendant sets when a parent goes). */
  remove(entries: Iterable<MempoolEntry>): void {
    for (const entry of entries) {
      if (this.byTxid.get(entry.p.txidKey) !== entry) continue;
      this.byTxid.delete(entry.p.txidKey);
      this.byWtxid.delete(entry.p.wtxidKey);
      for (const input of entry.p.tx.inputs) this.spenders.delete(keyOfOutpoint(input.prevout));
    }
  }

  /** Removes every entry and returns them in arrival order. */
  clear(): MempoolEntry[] {
    const all = this.entries();
    this.remove(all);
    return all;
  }

  /** An independent copy, for trying a package without touching the real pool. */
  clone(): Mempool {
    const copy = new Mempool();
    for (const entry of this.entries()) copy.add(entry);
    copy.nextSequence = this.nextSequence;
    return copy;
  }
}
