/**
 * Committing updates and revoking the previous commitment, BOLT 2 "Committing Updates So Far:
 * `commitment_signed`" and "Completing the Transition to the Updated State: `revoke_and_ack`".
 * Every transaction is built by `buildSideCommitment` / `buildHtlcTxs`, as the monitors rebuild it.
 *
 * Each step returns the monitor update step it implies (DESIGN.md): `latestCounterpartyCommitment`
 * when we sign, `latestHolderCommitment` when we receive a signature, `commitmentSecret` when the
 * peer revokes. The channel hands the step to its watch before the message that depends on it.
 */
import { txid } from '@vigil/shared/bitcoin/tx';
import { verifySegwitV0Compact } from '@vigil/shared/bitcoin/sign';
import { buildHtlcTxs, buildSideCommitment, type SideCommitment } from '@vigil/shared/ln/channel-parameters';
import { perCommitmentPointFromSecret } from '@vigil/shared/ln/keys';
import type { CommitmentSigned, RevokeAndAck, UpdateAddHtlc } from '@vigil/shared/ln/wire/index';
import { VigilError } from '@vigil/shared/errors';
import { equalBytes } from '@vigil/shared/bytes';
import type { ChannelMonitorUpdateStep } from '@vigil/shared/monitor-model/monitor-update';
import { secretIndexOfCommitment } from '@vigil/shared/monitor-model/commitment-checks';
import type { HtlcRemoval } from './changes.js';
import { addsIn, isHtlcRemoval } from './changes.js';
import { expectPeerPoint, ProtocolViolation } from './channel-errors.js';
import { type ChannelSigner, fundingSpentOutput, htlcSpentOutput } from './channel-signer.js';
import { type CommitmentSpec, reduce, specState } from './commitment-spec.js';
import {
  type Commitments,
  type LocalCommit,
  type RemoteCommit,
  localHasChanges,
  remoteHasChanges,
} from './commitments.js';
import { counterpartyCommitmentRecord, holderCommitmentRecord } from './monitor-records.js';

export interface SentCommitment {
  readonly commitments: Commitments;
  readonly message: CommitmentSigned;
  readonly step: ChannelMonitorUpdateStep;
}

/**
 * The peer's commitment `index` with `spec` at its `point`, and the message signing it. Signing is
 * deterministic (RFC 6979), so signing the same commitment again retransmits the same message.
 */
export function signRemoteCommit(
  c: Pick<Commitments, 'params' | 'channelId'>,
  spec: CommitmentSpec,
  index: number,
  point: Uint8Array,
  signer: ChannelSigner,
): { commit: RemoteCommit; message: CommitmentSigned } {
  const built = buildSideCommitment(c.params, 'counterparty', specState(spec, index, point));
  const sigs = signer.signCounterpartyCommitment(c.params, built, point);
  return {
    commit: { index, spec, txid: txid(built.tx), perCommitmentPoint: point },
    message: {
      type: 'commitment_signed',
      channelId: c.channelId,
      signature: sigs.signature,
      htlcSignatures: sigs.htlcSignatures,
      tlvs: {},
    },
  };
}

/**
 * Signs the peer's next commitment. The caller ensures we are not waiting for a revocation and
 * have changes to sign (BOLT 2: never a `commitment_signed` without updates).
 */
export function sendCommitment(c: Commitments, signer: ChannelSigner): SentCommitment {
  if (c.remoteNext?.kind !== 'nextPoint' || !localHasChanges(c)) {
    throw new Error('sendCommitment: nothing to sign or still waiting for a revocation');
  }
  const spec = reduce(c.remoteCommit.spec, c.remoteChanges.acked, c.localChanges.proposed);
  const { commit, message } = signRemoteCommit(c, spec, c.remoteCommit.index + 1, c.remoteNext.point, signer);
  return {
    commitments: {
      ...c,
      remoteNext: {
        kind: 'waitingForRevocation',
        nextCommit: commit,
        sentAfterLocalCommitIndex: c.localCommit.index,
      },
      localChanges: { ...c.localChanges, proposed: [], signed: c.localChanges.proposed },
      remoteChanges: { ...c.remoteChanges, acked: [], signed: c.remoteChanges.acked },
    },
    message,
    step: { kind: 'latestCounterpartyCommitment', commitment: counterpartyCommitmentRecord(commit) },
  };
}

/**
 * Throws a ProtocolViolation unless `signature` signs our commitment `built` and `htlcSignatures`
 * each of its HTLC transactions (`message` names the message that carried them).
 */
export function verifyCommitmentSignatures(
  c: Commitments,
  built: SideCommitment,
  signature: Uint8Array,
  htlcSignatures: readonly Uint8Array[],
  message: string,
): void {
  const fundingOk = verifySegwitV0Compact(
    built.tx,
    0,
    fundingSpentOutput(c.params),
    signature,
    c.params.counterpartyPubkeys.fundingPubkey,
  );
  if (!fundingOk) {
    throw new ProtocolViolation(`${message}.signature`, 'is not a valid (low-S) signature of our commitment');
  }
  const htlcTxs = buildHtlcTxs(built);
  if (htlcSignatures.length !== htlcTxs.length) {
    throw new ProtocolViolation(
      `${message}.num_htlcs`,
      `expected ${htlcTxs.length} (one per HTLC output of our commitment), got ${htlcSignatures.length}`,
    );
  }
  htlcTxs.forEach((info, i) => {
    const spent = htlcSpentOutput(built, info.htlcIndex, info.witnessScript);
    if (
      !verifySegwitV0Compact(info.tx, 0, spent, htlcSignatures[i]!, built.keys.countersignatoryHtlcPubkey)
    ) {
      throw new ProtocolViolation(
        `${message}.htlc_signature[${i}]`,
        `is not a valid (low-S) signature of the HTLC transaction spending output ${info.outputIndex}`,
      );
    }
  });
}

export interface ReceivedCommitment {
  readonly commitments: Commitments;
  readonly revocation: RevokeAndAck;
  readonly step: ChannelMonitorUpdateStep;
}

/** The `revoke_and_ack` that revokes the commitment before our current one. */
export function revocationFor(c: Commitments, signer: ChannelSigner): RevokeAndAck {
  const revoked = c.localCommit.index - 1;
  return {
    type: 'revoke_and_ack',
    channelId: c.channelId,
    perCommitmentSecret: signer.releaseCommitmentSecret(revoked),
    nextPerCommitmentPoint: signer.perCommitmentPoint(c.localCommit.index + 1),
  };
}

/** Checks the peer's signatures of our next commitment, adopts it and revokes the previous one. */
export function receiveCommitment(
  c: Commitments,
  msg: CommitmentSigned,
  signer: ChannelSigner,
): ReceivedCommitment {
  if (!remoteHasChanges(c)) {
    throw new ProtocolViolation(
      'commitment_signed',
      'signs no updates (BOLT 2: a commitment_signed must include updates)',
    );
  }
  const spec = reduce(c.localCommit.spec, c.localChanges.acked, c.remoteChanges.proposed);
  const index = c.localCommit.index + 1;
  const built = buildSideCommitment(
    c.params,
    'holder',
    specState(spec, index, signer.perCommitmentPoint(index)),
  );
  verifyCommitmentSignatures(c, built, msg.signature, msg.htlcSignatures, 'commitment_signed');
  const localCommit: LocalCommit = {
    index,
    spec,
    txid: txid(built.tx),
    counterpartySignature: msg.signature,
    counterpartyHtlcSignatures: msg.htlcSignatures,
  };
  const commitments: Commitments = {
    ...c,
    localCommit,
    localChanges: { ...c.localChanges, acked: [] },
    remoteChanges: {
      ...c.remoteChanges,
      proposed: [],
      acked: [...c.remoteChanges.acked, ...c.remoteChanges.proposed],
    },
  };
  return {
    commitments,
    revocation: revocationFor(commitments, signer),
    step: { kind: 'latestHolderCommitment', commitment: holderCommitmentRecord(localCommit) },
  };
}

export interface ReceivedRevocation {
  readonly commitments: Commitments;
  readonly step: ChannelMonitorUpdateStep;
  /** The peer's HTLCs now irrevocably committed: safe to forward or claim. */
  readonly committedAdds: readonly UpdateAddHtlc[];
  /** The peer's removals of our HTLCs now irrevocably committed. */
  readonly committedRemovals: readonly HtlcRemoval[];
}

/** Checks the peer's revocation of its previous commitment and moves on to the one we signed. */
export function receiveRevocation(c: Commitments, msg: RevokeAndAck): ReceivedRevocation {
  if (c.remoteNext?.kind !== 'waitingForRevocation') {
    throw new ProtocolViolation('revoke_and_ack', 'no commitment_signed of ours awaits a revocation');
  }
  const revoked = c.remoteCommit;
  if (!generatesPoint(msg.perCommitmentSecret, revoked.perCommitmentPoint)) {
    throw new ProtocolViolation(
      'revoke_and_ack.per_commitment_secret',
      `does not generate the per-commitment point of commitment ${revoked.index}`,
    );
  }
  expectPeerPoint(msg.nextPerCommitmentPoint, 'revoke_and_ack.next_per_commitment_point');
  const index = secretIndexOfCommitment(revoked.index);
  const counterpartySecrets = insertSecret(c, index, msg.perCommitmentSecret);
  return {
    commitments: {
      ...c,
      remoteCommit: c.remoteNext.nextCommit,
      remoteNext: { kind: 'nextPoint', point: msg.nextPerCommitmentPoint },
      localChanges: {
        ...c.localChanges,
        signed: [],
        acked: [...c.localChanges.acked, ...c.localChanges.signed],
      },
      remoteChanges: { ...c.remoteChanges, signed: [] },
      counterpartySecrets,
    },
    step: { kind: 'commitmentSecret', index, secret: msg.perCommitmentSecret },
    committedAdds: addsIn(c.remoteChanges.signed),
    committedRemovals: c.remoteChanges.signed.filter(isHtlcRemoval),
  };
}

/** False also for bytes that are not a valid secret key (BOLT 2: MUST fail the channel either way). */
function generatesPoint(secret: Uint8Array, point: Uint8Array): boolean {
  try {
    return equalBytes(perCommitmentPointFromSecret(secret), point);
  } catch (e) {
    if (e instanceof VigilError) return false;
    throw e;
  }
}

/** BOLT 3 secrets must derive each other (shachain): a peer whose secrets do not is broken. */
function insertSecret(c: Commitments, index: number, secret: Uint8Array) {
  try {
    return c.counterpartySecrets.insertSecret(index, secret);
  } catch (e) {
    if (e instanceof VigilError) {
      throw new ProtocolViolation(
        'revoke_and_ack.per_commitment_secret',
        `breaks the BOLT 3 secret chain: ${e.problem}`,
      );
    }
    throw e;
  }
}
