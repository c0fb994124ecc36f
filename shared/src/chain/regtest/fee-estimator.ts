/**
 * A deterministic fee estimate for `estimatesmartfee`. bitcoind's estimator learns from how long
 * transactions took to confirm, which a test chain mined on demand cannot feed; this one reads the
 * same signals directly, so tests can predict and move it:
 * - the median feerate paid by the transactions of the last 6 blocks;
 * - the feerate needed to be within the first `target` blocks' worth of the mempool (by feerate);
 * - the configured floor, the mempool minimum and the relay minimum.
 * The estimate is the highest of these, never lower for a sooner target. Rates are sat/kvB.
 */
import { MAX_BLOCK_WEIGHT } from '../../bitcoin/block.js';

/** Blocks whose transactions feed the recent-feerate median. */
export const FEE_ESTIMATE_BLOCKS = 6;
const BLOCK_VSIZE = MAX_BLOCK_WEIGHT / 4;

export interface FeeEstimateInputs {
  /** Feerates of the non-coinbase transactions in the last FEE_ESTIMATE_BLOCKS blocks. */
  readonly recentBlockFeeRates: readonly bigint[];
  /** Every mempool transaction's feerate and virtual size. */
  readonly mempool: readonly { readonly feeRate: bigint; readonly vsize: number }[];
  /** The highest of the configured floor, the mempool minimum and the relay minimum. */
  readonly floor: bigint;
}

/** The feerate (sat/kvB) for confirmation within `target` blocks. */
export function estimateFeeRate(target: number, inputs: FeeEstimateInputs): bigint {
  return [median(inputs.recentBlockFeeRates), backlogFeeRate(target, inputs.mempool), inputs.floor].reduce(
    (a, b) => (a > b ? a : b),
  );
}

/** The lower median, 0 for none. */
function median(rates: readonly bigint[]): bigint {
  if (rates.length === 0) return 0n;
  const sorted = [...rates].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/**
 * One sat/kvB above the feerate of the first transaction that would not fit in `target` full
 * blocks, taking the mempool best-feerate first; 0 when the whole mempool fits.
 */
function backlogFeeRate(target: number, mempool: FeeEstimateInputs['mempool']): bigint {
  const byRate = [...mempool].sort((a, b) => (a.feeRate > b.feeRate ? -1 : a.feeRate < b.feeRate ? 1 : 0));
  let room = target * BLOCK_VSIZE;
  for (const tx of byRate) {
    room -= tx.vsize;
    if (room < 0) return tx.feeRate + 1n;
  }
  return 0n;
}
