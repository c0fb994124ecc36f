/**
 * Whether a commitment after some updates is one both peers accept, BOLT 2 "Adding an HTLC:
 * `update_add_htlc`" and "Updating Fees: `update_fee`": the HTLCs offered to the broadcaster stay
 * within its `max_accepted_htlcs` and `max_htlc_value_in_flight_msat`, and the sender keeps its
 * channel reserve plus, if it is the funder, the commitment fee.
 *
 * The sender checks the receiver's next commitment (`nextRemoteSpec`) before sending; the receiver
 * checks the same commitment (`nextLocalSpec`) on receipt. With an ordered transport both see the
 * same updates (Eclair's argument), so the sender's checks, which are the receiver's plus BOLT 2's
 * SHOULDs (the funder's fee spike buffer, the fundee not leaving the funder unable to pay), never
 * let through what the receiver refuses.
 */
import { commitmentFeeSat, isHtlcTrimmed } from '@vigil/shared/ln/fees';
import type { CommitmentSpec } from './commitment-spec.js';
import type { ChannelLimits, Commitments } from './commitments.js';

/** A broken rule, named as the message field it concerns. */
export interface RuleBreach {
  readonly field: string;
  readonly problem: string;
}

/** The fee of a commitment built with `dustLimitSat`, in msat (the funder pays it). */
export function commitmentFeeMsat(
  spec: CommitmentSpec,
  dustLimitSat: bigint,
  feeratePerKw = spec.feeratePerKw,
): bigint {
  const untrimmed = spec.htlcs.filter(
    (h) => !isHtlcTrimmed(h.offered, h.add.amountMsat, feeratePerKw, dustLimitSat),
  ).length;
  return commitmentFeeSat(feeratePerKw, untrimmed) * 1000n;
}

/**
 * BOLT 2's recommended fee spike buffer: the fee at twice the feerate with one more HTLC output,
 * so the funder can still pay after a fee rise and another HTLC. Doubling the feerate can trim
 * HTLCs and lower the fee, hence the larger of the two is what the funder keeps.
 */
function feeSpikeBufferMsat(spec: CommitmentSpec, dustLimitSat: bigint): bigint {
  const doubled = spec.feeratePerKw * 2;
  const untrimmed = spec.htlcs.filter(
    (h) => !isHtlcTrimmed(h.offered, h.add.amountMsat, doubled, dustLimitSat),
  ).length;
  const buffer = commitmentFeeSat(doubled, untrimmed + 1) * 1000n;
  const fee = commitmentFeeMsat(spec, dustLimitSat);
  return buffer > fee ? buffer : fee;
}

/** Undefined when `balanceMsat` covers `reserveSat` and `feeMsat`. */
function checkBalance(
  field: string,
  whose: string,
  balanceMsat: bigint,
  reserveSat: bigint,
  feeMsat: bigint,
): RuleBreach | undefined {
  if (balanceMsat >= reserveSat * 1000n + feeMsat) return undefined;
  return {
    field,
    problem:
      `${whose} balance of ${balanceMsat} msat cannot pay ${feeMsat} msat of commitment fee ` +
      `and keep its ${reserveSat} sat channel reserve`,
  };
}

export type Direction = 'sending' | 'receiving';

/** Who sends and who receives an update, as limits and funder role. */
function roles(c: Commitments, direction: Direction) {
  const sending = direction === 'sending';
  return {
    senderLimits: sending ? c.holderLimits : c.counterpartyLimits,
    receiverLimits: sending ? c.counterpartyLimits : c.holderLimits,
    senderIsFunder: sending === c.params.holderIsFunder,
  };
}

/** The receiver's limits on HTLCs offered to it, on its next commitment `spec`. */
function checkOfferedHtlcs(spec: CommitmentSpec, receiver: ChannelLimits): RuleBreach | undefined {
  const offeredToReceiver = spec.htlcs.filter((h) => !h.offered);
  if (offeredToReceiver.length > receiver.maxAcceptedHtlcs) {
    return {
      field: 'update_add_htlc',
      problem: `${offeredToReceiver.length} HTLCs offered exceed max_accepted_htlcs ${receiver.maxAcceptedHtlcs}`,
    };
  }
  const inFlightMsat = offeredToReceiver.reduce((sum, h) => sum + h.add.amountMsat, 0n);
  if (inFlightMsat > receiver.maxHtlcValueInFlightMsat) {
    return {
      field: 'update_add_htlc',
      problem: `${inFlightMsat} msat offered exceed max_htlc_value_in_flight_msat ${receiver.maxHtlcValueInFlightMsat}`,
    };
  }
  return undefined;
}

/**
 * Checks the receiver's next commitment `spec` (the receiver broadcasts it) after an
 * `update_add_htlc`: its HTLC limits, and that the sender can afford the HTLC.
 */
export function checkAddedHtlc(
  c: Commitments,
  spec: CommitmentSpec,
  direction: Direction,
): RuleBreach | undefined {
  const { senderLimits, receiverLimits, senderIsFunder } = roles(c, direction);
  const dust = receiverLimits.dustLimitSat;
  const fee = commitmentFeeMsat(spec, dust);
  const senderFee = !senderIsFunder ? 0n : direction === 'sending' ? feeSpikeBufferMsat(spec, dust) : fee;
  const field = 'update_add_htlc.amount_msat';
  return (
    checkOfferedHtlcs(spec, receiverLimits) ??
    checkBalance(
      field,
      "the sender's",
      spec.toCountersignatoryMsat,
      receiverLimits.channelReserveSat,
      senderFee,
    ) ??
    // BOLT 2 SHOULD NOT: a fundee's HTLC must not leave the funder unable to pay the larger fee.
    (direction === 'sending' && !senderIsFunder
      ? checkBalance(field, "the funder's", spec.toBroadcasterMsat, senderLimits.channelReserveSat, fee)
      : undefined)
  );
}

/** Checks the receiver's next commitment `spec` after an `update_fee`: the funder (sender) can pay it. */
export function checkFeeUpdate(
  c: Commitments,
  spec: CommitmentSpec,
  direction: Direction,
): RuleBreach | undefined {
  const { receiverLimits } = roles(c, direction);
  return checkBalance(
    'update_fee.feerate_per_kw',
    "the funder's",
    spec.toCountersignatoryMsat,
    receiverLimits.channelReserveSat,
    commitmentFeeMsat(spec, receiverLimits.dustLimitSat),
  );
}
