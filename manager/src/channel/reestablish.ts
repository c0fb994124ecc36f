/**
 * Resuming a channel after a reconnection, BOLT 2 "Message Retransmission": our
 * `channel_reestablish`, and from the peer's, what it missed (our last `revoke_and_ack`, our last
 * `commitment_signed` with the updates it signed, in the order first sent) or proof that one of us
 * lost state.
 *
 * Numbers: the peer's `next_commitment_number` is one above the last of its commitments it holds
 * our signature for; its `next_revocation_number` is the number of our commitment it expects us to
 * revoke next, i.e. how many of our revocations it has.
 */
import type { ChannelReestablish, RevokeAndAck, WireMessage } from '@vigil/shared/ln/wire/index';
import { MAX_COMMITMENT_NUMBER } from '@vigil/shared/ln/commitment-number';
import { secretIndexOfCommitment } from '@vigil/shared/monitor-model/commitment-checks';
import { LocalDataLoss, ProtocolViolation } from './channel-errors.js';
import type { ChannelSigner } from './channel-signer.js';
import { revocationFor, signRemoteCommit } from './commitment-exchange.js';
import type { Commitments } from './commitments.js';

/** BOLT 2: `your_last_per_commitment_secret` is all zeroes before any revocation. */
const NO_SECRET = new Uint8Array(32);

export function channelReestablishFor(c: Commitments, signer: ChannelSigner): ChannelReestablish {
  const revoked = c.remoteCommit.index;
  return {
    type: 'channel_reestablish',
    channelId: c.channelId,
    nextCommitmentNumber: BigInt(c.localCommit.index + 1),
    nextRevocationNumber: BigInt(revoked),
    yourLastPerCommitmentSecret:
      revoked === 0 ? NO_SECRET : c.counterpartySecrets.getSecret(secretIndexOfCommitment(revoked - 1)),
    myCurrentPerCommitmentPoint: signer.perCommitmentPoint(c.localCommit.index),
    tlvs: {},
  };
}

export interface Resumption {
  /** Messages the peer missed, in the order they were first sent. */
  readonly retransmit: readonly WireMessage[];
  /** Neither side has signed past the first commitments: `channel_ready` must be sent again. */
  readonly resendChannelReady: boolean;
}

function commitmentNumber(value: bigint, field: string): number {
  if (value > BigInt(MAX_COMMITMENT_NUMBER)) {
    throw new ProtocolViolation(field, `${value} is beyond any commitment number (2^48 - 1)`);
  }
  return Number(value);
}

/** Our last `revoke_and_ack`, if the peer's `next_revocation_number` says it was lost. */
function missedRevocation(
  c: Commitments,
  msg: ChannelReestablish,
  signer: ChannelSigner,
): RevokeAndAck | undefined {
  const theirs = commitmentNumber(msg.nextRevocationNumber, 'channel_reestablish.next_revocation_number');
  const ours = c.localCommit.index;
  if (theirs > ours) {
    // Only a peer that saw our secrets can name one we have not revealed in this state.
    if (signer.isCommitmentSecret(theirs - 1, msg.yourLastPerCommitmentSecret)) {
      throw new LocalDataLoss(
        'channel_reestablish.next_revocation_number',
        `the peer proves we revoked commitment ${theirs - 1}, but our latest is ${ours}: we lost state`,
      );
    }
    throw new ProtocolViolation(
      'channel_reestablish.next_revocation_number',
      `${theirs} claims revocations beyond our commitment ${ours}`,
    );
  }
  if (theirs < ours - 1) {
    throw new ProtocolViolation(
      'channel_reestablish.next_revocation_number',
      `${theirs} is behind our last revocation (of commitment ${ours - 1}): the peer lost state`,
    );
  }
  const secretMatches =
    theirs === 0
      ? msg.yourLastPerCommitmentSecret.every((b) => b === 0)
      : signer.isCommitmentSecret(theirs - 1, msg.yourLastPerCommitmentSecret);
  if (!secretMatches) {
    throw new ProtocolViolation(
      'channel_reestablish.your_last_per_commitment_secret',
      `is not the secret of our commitment ${theirs - 1}`,
    );
  }
  return theirs === ours - 1 ? revocationFor(c, signer) : undefined;
}

/** Our last `commitment_signed` with the updates it signed, if the peer never received it. */
function missedCommitment(c: Commitments, msg: ChannelReestablish, signer: ChannelSigner): WireMessage[] {
  const theirs = commitmentNumber(msg.nextCommitmentNumber, 'channel_reestablish.next_commitment_number');
  const signedUpTo =
    c.remoteNext?.kind === 'waitingForRevocation' ? c.remoteNext.nextCommit.index : c.remoteCommit.index;
  if (theirs === signedUpTo + 1) return [];
  if (theirs === signedUpTo && c.remoteNext?.kind === 'waitingForRevocation') {
    const next = c.remoteNext.nextCommit;
    const { message } = signRemoteCommit(c, next.spec, next.index, next.perCommitmentPoint, signer);
    return [...c.localChanges.signed, message];
  }
  throw new ProtocolViolation(
    'channel_reestablish.next_commitment_number',
    `${theirs} does not follow our last signed commitment ${signedUpTo}`,
  );
}

/** What to send again after the peer's `channel_reestablish`, or a violation / proof of data loss. */
export function resume(c: Commitments, msg: ChannelReestablish, signer: ChannelSigner): Resumption {
  const revocation = missedRevocation(c, msg, signer);
  const commitment = missedCommitment(c, msg, signer);
  // The RAA we retransmit was sent when our current commitment arrived; the CS was sent after it
  // unless we signed while on an earlier commitment.
  const revocationFirst =
    c.remoteNext?.kind !== 'waitingForRevocation' ||
    c.remoteNext.sentAfterLocalCommitIndex >= c.localCommit.index;
  const retransmit =
    revocation === undefined
      ? commitment
      : revocationFirst
        ? [revocation, ...commitment]
        : [...commitment, revocation];
  return {
    retransmit,
    resendChannelReady: c.localCommit.index === 0 && msg.nextCommitmentNumber === 1n,
  };
}
