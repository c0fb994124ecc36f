/**
 * BOLT 3 "Fee Calculation" for non-anchor commitments: the expected weights of the commitment and
 * HTLC transactions, the fees they imply at a feerate, and which HTLCs are trimmed because their
 * second-stage transaction would leave less than the dust limit.
 *
 * Fees are `feerate_per_kw * weight / 1000`, rounded down, exactly as the spec computes them: both
 * peers must get the same numbers or their signatures will not match.
 */
import { expectBigUint, expectUint, U32_MAX, U64_MAX } from '../bytes.js';

export const COMMITMENT_TX_BASE_WEIGHT = 724;
export const COMMITMENT_TX_WEIGHT_PER_HTLC = 172;
export const HTLC_TIMEOUT_TX_WEIGHT = 663;
export const HTLC_SUCCESS_TX_WEIGHT = 703;

function feeForWeight(feeratePerKw: number, weight: number): bigint {
  return (BigInt(expectUint(feeratePerKw, U32_MAX, 'feeratePerKw')) * BigInt(weight)) / 1000n;
}

/** Base fee of a commitment transaction with `untrimmedHtlcs` HTLC outputs. */
export function commitmentFeeSat(feeratePerKw: number, untrimmedHtlcs: number): bigint {
  return feeForWeight(
    feeratePerKw,
    COMMITMENT_TX_BASE_WEIGHT + COMMITMENT_TX_WEIGHT_PER_HTLC * untrimmedHtlcs,
  );
}

/** Fee of the HTLC-timeout transaction (spends an HTLC the broadcaster offered). */
export function htlcTimeoutFeeSat(feeratePerKw: number): bigint {
  return feeForWeight(feeratePerKw, HTLC_TIMEOUT_TX_WEIGHT);
}

/** Fee of the HTLC-success transaction (spends an HTLC offered to the broadcaster). */
export function htlcSuccessFeeSat(feeratePerKw: number): bigint {
  return feeForWeight(feeratePerKw, HTLC_SUCCESS_TX_WEIGHT);
}

/** Fee of the second-stage transaction that would spend an HTLC output of the given direction. */
export function htlcTxFeeSat(offered: boolean, feeratePerKw: number): bigint {
  return offered ? htlcTimeoutFeeSat(feeratePerKw) : htlcSuccessFeeSat(feeratePerKw);
}

/**
 * True when an HTLC gets no output on the commitment: its value in whole satoshis is below the
 * broadcaster's dust limit plus the fee of the transaction that would spend it.
 */
export function isHtlcTrimmed(
  offered: boolean,
  amountMsat: bigint,
  feeratePerKw: number,
  dustLimitSat: bigint,
): boolean {
  const amountSat = expectBigUint(amountMsat, U64_MAX, 'amountMsat') / 1000n;
  return (
    amountSat < expectBigUint(dustLimitSat, U64_MAX, 'dustLimitSat') + htlcTxFeeSat(offered, feeratePerKw)
  );
}
