/**
 * The chain: the block index, the active chain, the UTXO set with undo data, and the transaction
 * index of the active chain. New blocks go through `processBlock` (bitcoind's ProcessNewBlock:
 * checks, store, ActivateBestChain); `invalidate` and `reconsider` are bitcoind's InvalidateBlock
 * and ReconsiderBlock. Whenever the best valid chain (most work, first seen on a tie) changes, the
 * node disconnects back to the fork point, restoring spent coins from undo data, and connects the
 * new branch; a block that fails to connect is marked invalid and the next best chain is tried.
 */
import type { Block } from '../../bitcoin/block.js';
import { toHex } from '../../bytes.js';
import { ValidationError } from '../../errors.js';
import {
  createBlockIndexEntry,
  descendsFrom,
  isBetterChain,
  lastCommonAncestor,
  type BlockIndexEntry,
} from './block-index.js';
import {
  checkBlock,
  connectBlock,
  contextualCheckBlock,
  contextualCheckBlockHeader,
} from './block-validation.js';
import { CoinsMap, CoinsOverlay, type Coin, type CoinsLookup } from './coins.js';
import { isUnspendable } from './output-type.js';
import { keyOfOutpoint, outpointKey } from './prepared-tx.js';
import { BlockRejection } from './rejections.js';

/** What a chain update did, in order: blocks taken off the tip (tip first), then blocks added (lowest first). */
export interface ChainChange {
  readonly disconnected: readonly BlockIndexEntry[];
  readonly connected: readonly BlockIndexEntry[];
}

/** Where an active-chain transaction is. */
export interface TxLocation {
  readonly entry: BlockIndexEntry;
  readonly index: number;
}

export interface ProcessedBlock {
  readonly entry: BlockIndexEntry;
  readonly change: ChainChange;
}

export class ChainState implements CoinsLookup {
  private readonly entries = new Map<string, BlockIndexEntry>();
  private readonly active: BlockIndexEntry[] = [];
  private readonly utxos = new CoinsMap();
  private readonly txIndex = new Map<string, TxLocation>();
  private nextSequenceId = 0;

  /** `scriptCache`: wtxids the mempool verified, which connecting a block may skip (bitcoind's script cache). */
  constructor(
    genesis: Block,
    private readonly scriptCache: Set<string>,
  ) {
    const entry = createBlockIndexEntry(genesis, undefined, this.nextSequenceId++);
    // Genesis is never connected: its coinbase output is unspendable by design.
    entry.connection = { undo: [], feesSat: [] };
    this.entries.set(entry.key, entry);
    this.active.push(entry);
    this.txIndex.set(entry.transactions[0]!.txidKey, { entry, index: 0 });
  }

  get tip(): BlockIndexEntry {
    return this.active[this.active.length - 1]!;
  }

  get height(): number {
    return this.active.length - 1;
  }

  /** The block with internal-order hash hex `key`, active or not. */
  entry(key: string): BlockIndexEntry | undefined {
    return this.entries.get(key);
  }

  /** The active-chain block at `height`. */
  atHeight(height: number): BlockIndexEntry | undefined {
    return Number.isInteger(height) ? this.active[height] : undefined;
  }

  isActive(entry: BlockIndexEntry): boolean {
    return this.active[entry.height] === entry;
  }

  allEntries(): IterableIterator<BlockIndexEntry> {
    return this.entries.values();
  }

  getCoin(key: string): Coin | undefined {
    return this.utxos.getCoin(key);
  }

  /** Every unspent output (the faucet scans these for its own). */
  coins(): IterableIterator<[string, Coin]> {
    return this.utxos.entries();
  }

  /** Where the active chain holds transaction `txidKey`. */
  findTransaction(txidKey: string): TxLocation | undefined {
    return this.txIndex.get(txidKey);
  }

  /**
   * bitcoind's ProcessNewBlock: checks `block`, stores it and activates the best chain. Throws a
   * BlockRejection when the block is invalid (also when it was stored but failed to connect).
   * `duplicate` is set when the block was already known.
   */
  processBlock(block: Block, now: number): ProcessedBlock & { readonly duplicate: boolean } {
    const entry = this.acceptBlock(block, now);
    if (entry.duplicate)
      return { entry: entry.entry, change: { disconnected: [], connected: [] }, duplicate: true };
    const { change, failures } = this.activateBestChain();
    const failure = failures.get(entry.entry.key);
    if (failure !== undefined) throw failure;
    return { entry: entry.entry, change, duplicate: false };
  }

  /** bitcoind's InvalidateBlock, then ActivateBestChain. */
  invalidate(entry: BlockIndexEntry): ChainChange {
    if (entry.prev === undefined)
      throw new ValidationError('blockhash', 'the genesis block cannot be invalidated');
    this.markInvalid(entry);
    const disconnected: BlockIndexEntry[] = [];
    while (this.isActive(entry)) disconnected.push(this.disconnectTip());
    const { change } = this.activateBestChain();
    return { disconnected: [...disconnected, ...change.disconnected], connected: change.connected };
  }

  /** bitcoind's ReconsiderBlock: clears the failure flags of `entry`, its descendants and ancestors, then activates. */
  reconsider(entry: BlockIndexEntry): ChainChange {
    for (const e of this.entries.values()) if (descendsFrom(e, entry)) e.status = 'valid';
    for (let e: BlockIndexEntry | undefined = entry; e !== undefined; e = e.prev) e.status = 'valid';
    return this.activateBestChain().change;
  }

  /**
   * bitcoind's TestBlockValidity: throws the BlockRejection `block` would meet if it were connected
   * on the current tip, and changes nothing.
   */
  testBlockValidity(block: Block, now: number): void {
    const prev = this.tip;
    if (toHex(block.header.prevBlockHash) !== prev.key)
      throw new BlockRejection('bad-prevblk', 'block does not build on the tip');
    const entry = createBlockIndexEntry(block, prev, this.nextSequenceId);
    checkNewBlock(entry, now);
    connectBlock(entry, new CoinsOverlay(this.utxos), new Set(this.scriptCache));
  }

  private acceptBlock(block: Block, now: number): { entry: BlockIndexEntry; duplicate: boolean } {
    const prev = this.entries.get(toHex(block.header.prevBlockHash));
    if (prev === undefined) throw new BlockRejection('prev-blk-not-found');
    const entry = createBlockIndexEntry(block, prev, this.nextSequenceId);
    const known = this.entries.get(entry.key);
    if (known !== undefined) return { entry: known, duplicate: true };
    if (prev.status !== 'valid') throw new BlockRejection('bad-prevblk');
    checkNewBlock(entry, now);
    this.nextSequenceId++;
    this.entries.set(entry.key, entry);
    return { entry, duplicate: false };
  }

  /** ActivateBestChain: moves the active chain to the best valid block; returns what changed and what failed. */
  private activateBestChain(): { change: ChainChange; failures: Map<string, BlockRejection> } {
    const disconnected: BlockIndexEntry[] = [];
    const connected: BlockIndexEntry[] = [];
    const failures = new Map<string, BlockRejection>();
    for (let best = this.bestCandidate(); best !== this.tip; best = this.bestCandidate()) {
      const fork = lastCommonAncestor(this.tip, best);
      while (this.tip !== fork) disconnected.push(this.disconnectTip());
      for (const entry of pathFrom(fork, best)) {
        try {
          this.connectTip(entry);
          connected.push(entry);
        } catch (e) {
          if (!(e instanceof BlockRejection)) throw e;
          this.markInvalid(entry);
          failures.set(entry.key, e);
          break;
        }
      }
    }
    return { change: { disconnected, connected }, failures };
  }

  private bestCandidate(): BlockIndexEntry {
    let best = this.tip;
    for (const entry of this.entries.values()) {
      if (entry.status === 'valid' && isBetterChain(entry, best)) best = entry;
    }
    return best;
  }

  private connectTip(entry: BlockIndexEntry): void {
    const overlay = new CoinsOverlay(this.utxos);
    entry.connection = connectBlock(entry, overlay, this.scriptCache);
    overlay.commit(this.utxos);
    entry.transactions.forEach((p, index) => this.txIndex.set(p.txidKey, { entry, index }));
    this.active.push(entry);
  }

  /** DisconnectBlock: removes the tip's outputs and restores the coins it spent, last transaction first. */
  private disconnectTip(): BlockIndexEntry {
    const entry = this.tip;
    const undo = entry.connection!.undo;
    for (let i = entry.transactions.length - 1; i >= 0; i--) {
      const p = entry.transactions[i]!;
      p.tx.outputs.forEach((output, vout) => {
        if (!isUnspendable(output.scriptPubKey)) this.utxos.spend(outpointKey(p.txidKey, vout));
      });
      if (i > 0)
        p.tx.inputs.forEach((input, j) => this.utxos.add(keyOfOutpoint(input.prevout), undo[i - 1]![j]!));
      if (this.txIndex.get(p.txidKey)?.entry === entry) this.txIndex.delete(p.txidKey);
    }
    this.active.pop();
    return entry;
  }

  /** Marks `entry` invalid and everything built on it invalid-child. */
  private markInvalid(entry: BlockIndexEntry): void {
    for (const e of this.entries.values())
      if (e !== entry && descendsFrom(e, entry)) e.status = 'invalid-child';
    entry.status = 'invalid';
  }
}

/** The checks a block passes before it is stored: header in context, context-free, block in context. */
function checkNewBlock(entry: BlockIndexEntry, now: number): void {
  const prev = entry.prev!;
  contextualCheckBlockHeader(entry.block.header, prev, now);
  checkBlock(entry.block, entry.hash, entry.transactions, entry.strippedSize);
  contextualCheckBlock(entry.block, entry.transactions, entry.height, prev, entry.weight);
}

/** The blocks from just above `fork` up to `tip`, lowest first. */
function pathFrom(fork: BlockIndexEntry, tip: BlockIndexEntry): BlockIndexEntry[] {
  const path: BlockIndexEntry[] = [];
  for (let e: BlockIndexEntry | undefined = tip; e !== undefined && e !== fork; e = e.prev) path.push(e);
  return path.reverse();
}
