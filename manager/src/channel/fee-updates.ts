/**
 * Changing the commitment feerate, BOLT 2 "Updating Fees: `update_fee`": only the funder sends it,
 * and the receiver checks the rate is reasonable and that the funder can pay it on the receiver's
 * next commitment while keeping its reserve (checked on receipt, as Eclair does, rather than at
 * signing time, which BOLT 2 also allows).
 */
import { expectUint, U32_MAX } from '@vigil/shared/bytes';
import type { UpdateFee } from '@vigil/shared/ln/wire/index';
import { checkFeeUpdate } from './affordability.js';
import { type FeerateEstimates, MIN_FEERATE_PER_KW } from './channel-config.js';
import { CommandRefused, ProtocolViolation } from './channel-errors.js';
import { type Commitments, nextLocalSpec, nextRemoteSpec } from './commitments.js';

export function sendFee(c: Commitments, feeratePerKw: number): { commitments: Commitments; fee: UpdateFee } {
  expectUint(feeratePerKw, U32_MAX, 'feeratePerKw');
  if (!c.params.holderIsFunder) throw new CommandRefused('update_fee', 'only the funder sends update_fee');
  if (feeratePerKw < MIN_FEERATE_PER_KW) {
    throw new CommandRefused(
      'update_fee.feerate_per_kw',
      `${feeratePerKw} is below the minimum ${MIN_FEERATE_PER_KW}`,
    );
  }
  const fee: UpdateFee = { type: 'update_fee', channelId: c.channelId, feeratePerKw };
  const next = { ...c, localChanges: { ...c.localChanges, proposed: [...c.localChanges.proposed, fee] } };
  const breach = checkFeeUpdate(next, nextRemoteSpec(next), 'sending');
  if (breach !== undefined) throw new CommandRefused(breach.field, breach.problem);
  return { commitments: next, fee };
}

export function receiveFee(c: Commitments, fee: UpdateFee, estimates: FeerateEstimates): Commitments {
  if (c.params.holderIsFunder) {
    throw new ProtocolViolation('update_fee', 'sent by the non-funder; only the funder sends update_fee');
  }
  // The estimates are at least BOLT 2's floor of 253 (validateFeerateEstimates).
  if (fee.feeratePerKw < estimates.minPerKw || fee.feeratePerKw > estimates.maxPerKw) {
    throw new ProtocolViolation(
      'update_fee.feerate_per_kw',
      `${fee.feeratePerKw} is outside the reasonable range ${estimates.minPerKw} to ${estimates.maxPerKw}`,
    );
  }
  const next = { ...c, remoteChanges: { ...c.remoteChanges, proposed: [...c.remoteChanges.proposed, fee] } };
  const breach = checkFeeUpdate(next, nextLocalSpec(next), 'receiving');
  if (breach !== undefined) throw new ProtocolViolation(breach.field, breach.problem);
  return next;
}
