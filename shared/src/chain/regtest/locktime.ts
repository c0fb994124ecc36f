/**
 * Transaction finality: absolute locktime (`IsFinalTx`, with BIP 113 median-time-past supplied by
 * the caller as the block time) and relative locktime (BIP 68 `CalculateSequenceLocks` /
 * `EvaluateSequenceLocks`, for version >= 2 transactions, height- and time-based).
 */
import type { Transaction } from '../../bitcoin/tx.js';

/** Below this a locktime is a block height, from it on a Unix time. */
export const LOCKTIME_THRESHOLD = 500_000_000;
export const SEQUENCE_FINAL = 0xffff_ffff;
/** BIP 68: set, the sequence carries no relative lock. */
export const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x8000_0000;
/** BIP 68: set, the lock counts units of 512 seconds; clear, blocks. */
export const SEQUENCE_LOCKTIME_TYPE_FLAG = 0x0040_0000;
export const SEQUENCE_LOCKTIME_MASK = 0x0000_ffff;
/** 2^9 = 512 seconds per time unit. */
const SEQUENCE_LOCKTIME_GRANULARITY = 9;

/**
 * bitcoind's `IsFinalTx`: final when the locktime is 0, below the height or time it is compared
 * with (the block's height; with BIP 113 the median time past of its parent), or when every input
 * has a final sequence.
 */
export function isFinalTx(tx: Transaction, blockHeight: number, blockTime: number): boolean {
  if (tx.locktime === 0) return true;
  const limit = tx.locktime < LOCKTIME_THRESHOLD ? blockHeight : blockTime;
  if (tx.locktime < limit) return true;
  return tx.inputs.every((input) => input.sequence === SEQUENCE_FINAL);
}

/** The last height and time at which a transaction is still locked; -1 means no lock. */
export interface SequenceLocks {
  readonly minHeight: number;
  readonly minTime: number;
}

/**
 * bitcoind's `CalculateSequenceLocks` (BIP 68). `coinHeights[i]` is the height of the block that
 * created input i's coin (the next block's height for an unconfirmed one); `medianTimePastAt(h)`
 * the median time past of the chain's block at height h.
 */
export function calculateSequenceLocks(
  tx: Transaction,
  coinHeights: readonly number[],
  medianTimePastAt: (height: number) => number,
): SequenceLocks {
  let minHeight = -1;
  let minTime = -1;
  // Relative locks are a version 2 feature; BIP 68 leaves older transactions alone.
  if (tx.version < 2) return { minHeight, minTime };
  tx.inputs.forEach((input, i) => {
    const sequence = input.sequence;
    if ((sequence & SEQUENCE_LOCKTIME_DISABLE_FLAG) !== 0) return;
    const coinHeight = coinHeights[i]!;
    const value = sequence & SEQUENCE_LOCKTIME_MASK;
    if ((sequence & SEQUENCE_LOCKTIME_TYPE_FLAG) !== 0) {
      // Time locks count from the median time past of the block before the coin's block.
      const coinTime = medianTimePastAt(Math.max(coinHeight - 1, 0));
      minTime = Math.max(minTime, coinTime + value * 2 ** SEQUENCE_LOCKTIME_GRANULARITY - 1);
    } else {
      minHeight = Math.max(minHeight, coinHeight + value - 1);
    }
  });
  return { minHeight, minTime };
}

/** bitcoind's `EvaluateSequenceLocks`: may a block at `blockHeight` whose parent has `prevMedianTimePast` include it? */
export function sequenceLocksSatisfied(
  locks: SequenceLocks,
  blockHeight: number,
  prevMedianTimePast: number,
): boolean {
  return locks.minHeight < blockHeight && locks.minTime < prevMedianTimePast;
}

/** BIP 125: an input with a sequence below 0xfffffffe signals that the transaction may be replaced. */
export function signalsOptInRbf(tx: Transaction): boolean {
  return tx.inputs.some((input) => input.sequence < SEQUENCE_FINAL - 1);
}
