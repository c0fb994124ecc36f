/**
 * Block headers and blocks as bitcoind prints them (`blockheaderToJSON`, `blockToJSON`,
 * rpc/blockchain.cpp): confirmations -1 off the active chain, hex bits and chainwork, difficulty,
 * median time past, and the transactions as txids or objects by verbosity.
 */
import { difficulty } from '../../bitcoin/block.js';
import { reverseBytes, toHex } from '../../bytes.js';
import type { BlockIndexEntry } from './block-index.js';
import type { ChainState } from './chain-state.js';
import type { JsonValue } from './json.js';
import { flipHashHex } from './prepared-tx.js';
import { txToJson } from './tx-json.js';

/** Display hex of a block's hash. */
export function blockHashHexOf(entry: BlockIndexEntry): string {
  return flipHashHex(entry.key);
}

/** Cumulative work as bitcoind's 64-digit hex. */
export function chainWorkHex(entry: BlockIndexEntry): string {
  return entry.chainWork.toString(16).padStart(64, '0');
}

/** `blockheaderToJSON`. */
export function headerToJson(
  chain: ChainState,
  entry: BlockIndexEntry,
): { [key: string]: JsonValue | undefined } {
  const active = chain.isActive(entry);
  const next = active ? chain.atHeight(entry.height + 1) : undefined;
  const header = entry.block.header;
  return {
    hash: blockHashHexOf(entry),
    confirmations: active ? chain.height - entry.height + 1 : -1,
    height: entry.height,
    version: header.version,
    versionHex: hex32(header.version),
    merkleroot: toHex(reverseBytes(header.merkleRoot)),
    time: header.time,
    mediantime: entry.medianTimePast,
    nonce: header.nonce,
    bits: hex32(header.bits),
    difficulty: difficulty(header.bits),
    chainwork: chainWorkHex(entry),
    nTx: entry.transactions.length,
    previousblockhash: entry.prev === undefined ? undefined : blockHashHexOf(entry.prev),
    nextblockhash: next === undefined ? undefined : blockHashHexOf(next),
  };
}

/** `blockToJSON` for verbosity 1 (txids), 2 (transactions with fees) or 3 (and their prevouts). */
export function blockToJson(chain: ChainState, entry: BlockIndexEntry, verbosity: number): JsonValue {
  const undo = entry.connection?.undo;
  const tx =
    verbosity <= 1
      ? entry.transactions.map((p) => flipHashHex(p.txidKey))
      : entry.transactions.map((p, i) =>
          txToJson(p, { hex: true, spent: i > 0 ? undo?.[i - 1] : undefined, prevouts: verbosity >= 3 }),
        );
  return {
    ...headerToJson(chain, entry),
    strippedsize: entry.strippedSize,
    size: entry.size,
    weight: entry.weight,
    tx,
  };
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
