/**
 * The first commitments (number 0), BOLT 2 "The `funding_created` Message" and "The
 * `funding_signed` Message": once the funding outpoint is known, both sides build both commitments
 * from the opening terms, each signs the other's, and checks the signature it receives.
 */
import { txid, type OutPoint } from '@vigil/shared/bitcoin/tx';
import { buildSideCommitment, type ChannelParameters } from '@vigil/shared/ln/channel-parameters';
import { ShachainStore } from '@vigil/shared/ln/shachain';
import { NO_LOCAL_CHANGES, NO_REMOTE_CHANGES } from './changes.js';
import type { ChannelSigner } from './channel-signer.js';
import type { OpeningTerms } from './channel-opening.js';
import { initialLocalSpec } from './channel-opening.js';
import { signRemoteCommit, verifyCommitmentSignatures } from './commitment-exchange.js';
import { mirrorSpec, specState } from './commitment-spec.js';
import type { Commitments } from './commitments.js';
import { channelIdFromOutpoint } from './funding.js';

export interface InitialCommitments {
  /** `localCommit` still lacks the peer's signature: see `withInitialSignature`. */
  readonly commitments: Commitments;
  /** Our signature of the peer's commitment 0, for `funding_created` / `funding_signed`. */
  readonly signature: Uint8Array;
}

function channelParameters(
  terms: OpeningTerms,
  outpoint: OutPoint,
  signer: ChannelSigner,
): ChannelParameters {
  return {
    fundingOutpoint: outpoint,
    fundingValueSat: terms.fundingSat,
    holderIsFunder: terms.holderIsFunder,
    holderPubkeys: signer.pubkeys,
    counterpartyPubkeys: terms.peer.pubkeys,
    holderSelectedContestDelay: terms.holderLimits.toSelfDelay,
    counterpartySelectedContestDelay: terms.peer.limits.toSelfDelay,
    holderDustLimitSat: terms.holderLimits.dustLimitSat,
    counterpartyDustLimitSat: terms.peer.limits.dustLimitSat,
  };
}

/** Both commitments 0 on `outpoint`, with our signature of the peer's. */
export function initialCommitments(
  terms: OpeningTerms,
  outpoint: OutPoint,
  signer: ChannelSigner,
): InitialCommitments {
  const params = channelParameters(terms, outpoint, signer);
  const channelId = channelIdFromOutpoint(outpoint);
  const localSpec = initialLocalSpec(terms);
  const localTx = buildSideCommitment(
    params,
    'holder',
    specState(localSpec, 0, signer.perCommitmentPoint(0)),
  ).tx;
  const remote = signRemoteCommit(
    { params, channelId },
    mirrorSpec(localSpec),
    0,
    terms.peer.firstPerCommitmentPoint,
    signer,
  );
  const commitments: Commitments = {
    channelId,
    params,
    holderLimits: terms.holderLimits,
    counterpartyLimits: terms.peer.limits,
    localCommit: {
      index: 0,
      spec: localSpec,
      txid: txid(localTx),
      counterpartySignature: new Uint8Array(64),
      counterpartyHtlcSignatures: [],
    },
    remoteCommit: remote.commit,
    remoteNext: undefined,
    localChanges: NO_LOCAL_CHANGES,
    remoteChanges: NO_REMOTE_CHANGES,
    localNextHtlcId: 0n,
    remoteNextHtlcId: 0n,
    counterpartySecrets: ShachainStore.EMPTY,
  };
  return { commitments, signature: remote.message.signature };
}

/** Checks the peer's signature of our commitment 0 (`message` carried it) and keeps it. */
export function withInitialSignature(
  c: Commitments,
  signature: Uint8Array,
  signer: ChannelSigner,
  message: 'funding_created' | 'funding_signed',
): Commitments {
  const built = buildSideCommitment(
    c.params,
    'holder',
    specState(c.localCommit.spec, 0, signer.perCommitmentPoint(0)),
  );
  verifyCommitmentSignatures(c, built, signature, [], message);
  return { ...c, localCommit: { ...c.localCommit, counterpartySignature: signature } };
}
