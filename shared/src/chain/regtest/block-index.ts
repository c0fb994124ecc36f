/**
 * The block index (bitcoind's `CBlockIndex`): every block the node has, with its height, its
 * parent, the cumulative work of its chain, its median time past (BIP 113), the order it arrived in
 * (which breaks ties between equal-work chains: first seen wins), its validity, and once connected
 * its undo data and fees. Blocks stay in memory for good, so every RPC can serve any of them.
 */
import { blockHash, blockProof, encodeBlock, type Block } from '../../bitcoin/block.js';
import { toHex } from '../../bytes.js';
import type { BlockUndo } from './coins.js';
import { MEDIAN_TIME_SPAN } from './params.js';
import { prepareTx, type PreparedTx } from './prepared-tx.js';

/** `invalid`: failed validation or invalidateblock; `invalid-child`: descends from such a block. */
export type BlockStatus = 'valid' | 'invalid' | 'invalid-child';

/** What connecting the block produced: the coins it spent and each non-coinbase transaction's fee. */
export interface BlockConnection {
  readonly undo: BlockUndo;
  readonly feesSat: readonly bigint[];
}

export interface BlockIndexEntry {
  readonly block: Block;
  /** Internal-order hash and its hex (the map key). */
  readonly hash: Uint8Array;
  readonly key: string;
  readonly height: number;
  readonly prev: BlockIndexEntry | undefined;
  readonly chainWork: bigint;
  readonly medianTimePast: number;
  readonly sequenceId: number;
  readonly transactions: readonly PreparedTx[];
  readonly size: number;
  readonly strippedSize: number;
  readonly weight: number;
  status: BlockStatus;
  connection: BlockConnection | undefined;
}

/** A new, valid entry for `block` on top of `prev` (undefined for genesis). */
export function createBlockIndexEntry(
  block: Block,
  prev: BlockIndexEntry | undefined,
  sequenceId: number,
): BlockIndexEntry {
  const hash = blockHash(block.header);
  const size = encodeBlock(block).length;
  const strippedSize = encodeBlock(block, { witness: false }).length;
  const entry: BlockIndexEntry = {
    block,
    hash,
    key: toHex(hash),
    height: prev === undefined ? 0 : prev.height + 1,
    prev,
    chainWork: (prev?.chainWork ?? 0n) + blockProof(block.header.bits),
    medianTimePast: 0,
    sequenceId,
    transactions: block.transactions.map((tx) => prepareTx(tx)),
    size,
    strippedSize,
    weight: strippedSize * 3 + size,
    status: 'valid',
    connection: undefined,
  };
  return { ...entry, medianTimePast: medianTimeOf(entry) };
}

/** `GetMedianTimePast`: the median of the times of this block and up to ten before it. */
function medianTimeOf(entry: BlockIndexEntry): number {
  const times: number[] = [];
  for (
    let e: BlockIndexEntry | undefined = entry;
    e !== undefined && times.length < MEDIAN_TIME_SPAN;
    e = e.prev
  ) {
    times.push(e.block.header.time);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** The ancestor of `entry` at `height` (itself at its own height), or undefined above it. */
export function ancestorAt(entry: BlockIndexEntry, height: number): BlockIndexEntry | undefined {
  if (height > entry.height || height < 0) return undefined;
  let e: BlockIndexEntry = entry;
  while (e.height > height) e = e.prev!;
  return e;
}

/** True when `entry` is `ancestor` or builds on it. */
export function descendsFrom(entry: BlockIndexEntry, ancestor: BlockIndexEntry): boolean {
  return ancestorAt(entry, ancestor.height) === ancestor;
}

/** The last block both chains share (bitcoind's `LastCommonAncestor`). */
export function lastCommonAncestor(a: BlockIndexEntry, b: BlockIndexEntry): BlockIndexEntry {
  let x = ancestorAt(a, Math.min(a.height, b.height))!;
  let y = ancestorAt(b, Math.min(a.height, b.height))!;
  while (x !== y) {
    x = x.prev!;
    y = y.prev!;
  }
  return x;
}

/** bitcoind's `CBlockIndexWorkComparator`, as "is `a` a better tip than `b`": more work, then seen first. */
export function isBetterChain(a: BlockIndexEntry, b: BlockIndexEntry): boolean {
  if (a.chainWork !== b.chainWork) return a.chainWork > b.chainWork;
  return a.sequenceId < b.sequenceId;
}
