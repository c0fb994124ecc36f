/**
 * The feerate a claim is broadcast at (DESIGN.md "Enforcement"): the node's estimate for its
 * deadline at first; then, on each new block it is still unconfirmed and either its deadline is
 * near or the node refused it for its fee, bumped by RBF to the higher of the new estimate and
 * +25%, and at least by bitcoind's incremental relay feerate (BIP 125 rule 4). Never above the
 * feerate at which the fee would exceed half the value claimed.
 *
 * Deterministic: the same fee state, estimate and tip give the same feerate, so redundant
 * monitors with the same history broadcast the same transaction.
 */
import { CLTV_CLAIM_BUFFER } from '@vigil/shared/monitor-model/monitor-event';
import type { ClaimFeeState } from './enforcement-store.js';

/** bitcoind's minimum relay feerate, 1 sat/vB, in sat per 1000 weight units (rounded up). */
export const MIN_FEERATE_PER_KW = 253;
/** bitcoind's default incrementalrelayfee, 1 sat/vB: what a replacement must add per weight. */
export const INCREMENTAL_RELAY_FEERATE_PER_KW = 250;
/** Within this many blocks of its deadline, an unconfirmed claim is bumped every block. */
export const BUMP_WINDOW_BLOCKS = CLTV_CLAIM_BUFFER;
/** Confirmation target for claims without a deadline. */
const RELAXED_TARGET_BLOCKS = 6;

/** The confirmation target to ask the node's estimator for. */
export function confirmationTarget(deadlineHeight: number | undefined, tipHeight: number): number {
  if (deadlineHeight === undefined) return RELAXED_TARGET_BLOCKS;
  return Math.min(Math.max(deadlineHeight - tipHeight, 1), 1008);
}

export interface FeerateInputs {
  readonly previous: ClaimFeeState | undefined;
  readonly estimatePerKw: number;
  readonly tipHeight: number;
  readonly deadlineHeight: number | undefined;
  /** The feerate at which the fee is half the value claimed. */
  readonly maxFeeratePerKw: number;
}

export function claimFeerate(p: FeerateInputs): number {
  const estimate = Math.max(p.estimatePerKw, MIN_FEERATE_PER_KW);
  if (p.previous === undefined) return Math.min(estimate, p.maxFeeratePerKw);
  const previous = p.previous.feeratePerKw;
  const newBlock = p.tipHeight > p.previous.broadcastHeight;
  const nearDeadline = p.deadlineHeight !== undefined && p.deadlineHeight - p.tipHeight <= BUMP_WINDOW_BLOCKS;
  if (!newBlock || !(nearDeadline || p.previous.refusedForFee)) return previous;
  const bumped = Math.max(estimate, Math.ceil(previous * 1.25), previous + INCREMENTAL_RELAY_FEERATE_PER_KW);
  // At the cap a claim stays where it is: paying more than half would not be worth it.
  return Math.max(previous, Math.min(bumped, p.maxFeeratePerKw));
}
