/**
 * `ChainSource`: everything monitors and managers ask of the Bitcoin chain (DESIGN.md "Chain
 * layer"). Implemented over bitcoind JSON-RPC (`BitcoindChainSource`), which also serves
 * vigil-regtest, so production and tests run the same client code.
 */
import { VigilError } from '../errors.js';
import type { Block } from '../bitcoin/block.js';
import type { OutPoint, Transaction, TxOut } from '../bitcoin/tx.js';

/** A block by height and hash (internal byte order). */
export interface BlockRef {
  readonly height: number;
  readonly hash: Uint8Array;
}

export interface UtxoInfo extends TxOut {
  /** 0 while only in the mempool. */
  readonly confirmations: number;
  readonly coinbase: boolean;
}

export type BroadcastResult = 'accepted' | 'already-known';

export interface ChainSource {
  getTip(): Promise<BlockRef>;
  /** The hash of the block at `height` on the best chain, or undefined above the tip. */
  getBlockHash(height: number): Promise<Uint8Array | undefined>;
  getBlock(hash: Uint8Array): Promise<Block>;
  /**
   * Submits `tx`; a transaction already in the mempool or the chain counts as success. A rejection
   * throws TxRejectedError with the node's reason.
   */
  broadcast(tx: Transaction): Promise<BroadcastResult>;
  /** Feerate in sat per 1000 weight units to confirm within `targetBlocks`. */
  estimateFeeratePerKw(targetBlocks: number): Promise<number>;
  /** The unspent output, including the mempool's view; undefined when spent or unknown. */
  getUtxo(outpoint: OutPoint): Promise<UtxoInfo | undefined>;
}

/** What kind of rejection a broadcast met; the claim engine reacts differently to each. */
export type RejectKind =
  | 'missing-inputs'
  | 'insufficient-fee'
  | 'non-final'
  | 'script-verify'
  | 'conflict'
  | 'dust'
  | 'premature-coinbase'
  | 'invalid';

/** The node refused a transaction; `reason` is its reason string (bitcoind's wording). */
export class TxRejectedError extends VigilError {
  constructor(
    readonly kind: RejectKind,
    readonly reason: string,
  ) {
    super('tx', `rejected (${kind}): ${reason}`);
  }
}

const REJECT_KINDS: readonly [RegExp, RejectKind][] = [
  [/^(bad-txns-inputs-missingorspent|missing-inputs)/, 'missing-inputs'],
  [/^(min relay fee not met|insufficient fee|mempool min fee not met)/, 'insufficient-fee'],
  [/^(non-final|non-BIP68-final)/, 'non-final'],
  [/^(mandatory-script-verify-flag-failed|non-mandatory-script-verify-flag)/, 'script-verify'],
  [/^txn-mempool-conflict/, 'conflict'],
  [/^dust/, 'dust'],
  [/^bad-txns-premature-spend-of-coinbase/, 'premature-coinbase'],
];

/** Classifies bitcoind's reject reason. */
export function rejectKindOf(reason: string): RejectKind {
  return REJECT_KINDS.find(([re]) => re.test(reason))?.[1] ?? 'invalid';
}
