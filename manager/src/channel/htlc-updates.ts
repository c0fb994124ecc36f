/**
 * Adding and removing HTLCs, BOLT 2 "Adding an HTLC: `update_add_htlc`" and "Removing an HTLC:
 * `update_fulfill_htlc`, `update_fail_htlc`, and `update_fail_malformed_htlc`": each update in
 * both directions, with the sender's and the receiver's requirements. Sending refuses with
 * `CommandRefused` and changes nothing; receiving a violation throws `ProtocolViolation`, which
 * fails the channel.
 */
import { equalBytes, expectBigUint, expectLength, expectUint, U16_MAX } from '@vigil/shared/bytes';
import { MAX_AMOUNT_MSAT } from '@vigil/shared/ln/fundamental';
import { sha256 } from '@vigil/shared/bitcoin/hash';
import {
  ONION_PACKET_LENGTH,
  type UpdateAddHtlc,
  type UpdateFailHtlc,
  type UpdateFailMalformedHtlc,
  type UpdateFulfillHtlc,
} from '@vigil/shared/ln/wire/index';
import { checkAddedHtlc, type Direction, type RuleBreach } from './affordability.js';
import { type HtlcRemoval, removesHtlc, type UpdateMessage } from './changes.js';
import { CLTV_EXPIRY_TIMESTAMP_THRESHOLD } from './channel-config.js';
import { CommandRefused, ProtocolViolation } from './channel-errors.js';
import { findHtlc, type SpecHtlc } from './commitment-spec.js';
import { type Commitments, nextLocalSpec, nextRemoteSpec } from './commitments.js';

/** BOLT 4: `update_fail_malformed_htlc` is only for onion failures, which carry this bit. */
export const BADONION = 0x8000;

export interface AddHtlcCommand {
  readonly amountMsat: bigint;
  readonly paymentHash: Uint8Array;
  readonly cltvExpiry: number;
  readonly onionRoutingPacket: Uint8Array;
}

function refuse(breach: RuleBreach | undefined): void {
  if (breach !== undefined) throw new CommandRefused(breach.field, breach.problem);
}

function violate(breach: RuleBreach | undefined): void {
  if (breach !== undefined) throw new ProtocolViolation(breach.field, breach.problem);
}

/** The checks on an add's own fields: amount and expiry. */
function checkAddFields(add: UpdateAddHtlc, htlcMinimumMsat: bigint): RuleBreach | undefined {
  if (add.amountMsat === 0n) return { field: 'update_add_htlc.amount_msat', problem: 'must not be 0' };
  if (add.amountMsat < htlcMinimumMsat) {
    return {
      field: 'update_add_htlc.amount_msat',
      problem: `${add.amountMsat} is below htlc_minimum_msat ${htlcMinimumMsat}`,
    };
  }
  if (add.cltvExpiry >= CLTV_EXPIRY_TIMESTAMP_THRESHOLD) {
    return {
      field: 'update_add_htlc.cltv_expiry',
      problem: `${add.cltvExpiry} is a timestamp (>= ${CLTV_EXPIRY_TIMESTAMP_THRESHOLD}), not a block height`,
    };
  }
  return undefined;
}

function withLocalProposal(c: Commitments, update: UpdateMessage): Commitments {
  return { ...c, localChanges: { ...c.localChanges, proposed: [...c.localChanges.proposed, update] } };
}

function withRemoteProposal(c: Commitments, update: UpdateMessage): Commitments {
  return { ...c, remoteChanges: { ...c.remoteChanges, proposed: [...c.remoteChanges.proposed, update] } };
}

/** Offers an HTLC: the next id, if the peer's next commitment can carry it. */
export function sendAdd(
  c: Commitments,
  cmd: AddHtlcCommand,
): { commitments: Commitments; add: UpdateAddHtlc } {
  expectBigUint(cmd.amountMsat, MAX_AMOUNT_MSAT, 'amountMsat');
  expectLength(cmd.paymentHash, 32, 'paymentHash');
  expectLength(cmd.onionRoutingPacket, ONION_PACKET_LENGTH, 'onionRoutingPacket');
  expectUint(cmd.cltvExpiry, 0xffff_ffff, 'cltvExpiry');
  const add: UpdateAddHtlc = {
    type: 'update_add_htlc',
    channelId: c.channelId,
    id: c.localNextHtlcId,
    amountMsat: cmd.amountMsat,
    paymentHash: cmd.paymentHash,
    cltvExpiry: cmd.cltvExpiry,
    onionRoutingPacket: cmd.onionRoutingPacket,
    tlvs: {},
  };
  refuse(checkAddFields(add, c.counterpartyLimits.htlcMinimumMsat));
  const next = { ...withLocalProposal(c, add), localNextHtlcId: add.id + 1n };
  refuse(checkAddedHtlc(next, nextRemoteSpec(next), 'sending'));
  return { commitments: next, add };
}

export function receiveAdd(c: Commitments, add: UpdateAddHtlc): Commitments {
  if (add.id !== c.remoteNextHtlcId) {
    throw new ProtocolViolation(
      'update_add_htlc.id',
      `expected ${c.remoteNextHtlcId} (previous id + 1), got ${add.id}`,
    );
  }
  violate(checkAddFields(add, c.holderLimits.htlcMinimumMsat));
  const next = { ...withRemoteProposal(c, add), remoteNextHtlcId: add.id + 1n };
  violate(checkAddedHtlc(next, nextLocalSpec(next), 'receiving'));
  return next;
}

/**
 * The HTLC `id` offered by the remover's peer, if irrevocably committed (BOLT 2: removals only
 * then): on our latest commitment and on the peer's revoked-predecessor one, in each from that
 * broadcaster's side.
 */
function committedHtlc(c: Commitments, id: bigint, direction: Direction): SpecHtlc | undefined {
  // We remove HTLCs the peer offered (received on our commitment); the peer removes ours.
  const offeredByUs = direction === 'receiving';
  const onLocal = findHtlc(c.localCommit.spec, offeredByUs, id);
  return findHtlc(c.remoteCommit.spec, !offeredByUs, id) === undefined ? undefined : onLocal;
}

/** The HTLC a removal (`message`) refers to, or the breach that makes it invalid. */
function htlcToRemove(
  c: Commitments,
  message: HtlcRemoval['type'],
  id: bigint,
  direction: Direction,
  pending: readonly UpdateMessage[],
): SpecHtlc | RuleBreach {
  const htlc = committedHtlc(c, id, direction);
  const whose = direction === 'sending' ? 'they' : 'we';
  if (htlc === undefined) {
    return { field: `${message}.id`, problem: `no HTLC ${id} ${whose} offered is committed on both sides` };
  }
  if (removesHtlc(pending, id))
    return { field: `${message}.id`, problem: `HTLC ${id} is already being removed` };
  return htlc;
}

function isBreach(value: SpecHtlc | RuleBreach): value is RuleBreach {
  return 'problem' in value;
}

/** The preimage must hash to the HTLC's payment hash. */
function checkPreimage(htlc: SpecHtlc, preimage: Uint8Array): RuleBreach | undefined {
  if (equalBytes(sha256(preimage), htlc.add.paymentHash)) return undefined;
  return {
    field: 'update_fulfill_htlc.payment_preimage',
    problem: `does not hash to the payment_hash of HTLC ${htlc.add.id}`,
  };
}

/**
 * Removes an HTLC the peer offered. `alsoPending` holds removals queued but not yet sent (the
 * holding cell), which count as already removing it.
 */
export function sendRemoval(
  c: Commitments,
  removal: HtlcRemoval,
  alsoPending: readonly UpdateMessage[] = [],
): Commitments {
  const pending = [
    ...c.localChanges.proposed,
    ...c.localChanges.signed,
    ...c.localChanges.acked,
    ...alsoPending,
  ];
  const htlc = htlcToRemove(c, removal.type, removal.id, 'sending', pending);
  if (isBreach(htlc)) throw new CommandRefused(htlc.field, htlc.problem);
  if (removal.type === 'update_fulfill_htlc') refuse(checkPreimage(htlc, removal.paymentPreimage));
  if (removal.type === 'update_fail_malformed_htlc') refuse(checkMalformedCode(removal));
  return withLocalProposal(c, removal);
}

/** Receives the removal of an HTLC we offered; returns the HTLC it removes. */
export function receiveRemoval(
  c: Commitments,
  removal: HtlcRemoval,
): { commitments: Commitments; htlc: SpecHtlc } {
  const htlc = htlcToRemove(c, removal.type, removal.id, 'receiving', c.remoteChanges.proposed);
  if (isBreach(htlc)) throw new ProtocolViolation(htlc.field, htlc.problem);
  if (removal.type === 'update_fulfill_htlc') violate(checkPreimage(htlc, removal.paymentPreimage));
  if (removal.type === 'update_fail_malformed_htlc') violate(checkMalformedCode(removal));
  return { commitments: withRemoteProposal(c, removal), htlc };
}

function checkMalformedCode(removal: UpdateFailMalformedHtlc): RuleBreach | undefined {
  expectUint(removal.failureCode, U16_MAX, 'failureCode');
  if ((removal.failureCode & BADONION) !== 0) return undefined;
  return {
    field: 'update_fail_malformed_htlc.failure_code',
    problem: `0x${removal.failureCode.toString(16)} lacks the BADONION bit (0x8000)`,
  };
}

/** The wire messages for removals, so callers name only what they decide. */
export function fulfillMessage(c: Commitments, id: bigint, paymentPreimage: Uint8Array): UpdateFulfillHtlc {
  return { type: 'update_fulfill_htlc', channelId: c.channelId, id, paymentPreimage };
}

export function failMessage(c: Commitments, id: bigint, reason: Uint8Array): UpdateFailHtlc {
  return { type: 'update_fail_htlc', channelId: c.channelId, id, reason };
}

export function failMalformedMessage(
  c: Commitments,
  id: bigint,
  sha256OfOnion: Uint8Array,
  failureCode: number,
): UpdateFailMalformedHtlc {
  return { type: 'update_fail_malformed_htlc', channelId: c.channelId, id, sha256OfOnion, failureCode };
}
