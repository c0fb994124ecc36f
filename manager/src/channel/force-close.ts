/**
 * Our latest commitment, fully signed for broadcast: a unilateral close (BOLT 5 "Failing a
 * Channel"; BOLT 3 "Commitment Transaction" with the funding witness). The HTLC and delayed outputs
 * it creates are then the monitors' to claim.
 */
import type { Transaction } from '@vigil/shared/bitcoin/tx';
import { buildSideCommitment } from '@vigil/shared/ln/channel-parameters';
import type { ChannelSigner } from './channel-signer.js';
import { specState } from './commitment-spec.js';
import type { Commitments } from './commitments.js';
import { withFundingWitness } from './funding.js';

export function signedHolderCommitment(c: Commitments, signer: ChannelSigner): Transaction {
  const { index, spec, counterpartySignature } = c.localCommit;
  const built = buildSideCommitment(
    c.params,
    'holder',
    specState(spec, index, signer.perCommitmentPoint(index)),
  );
  const holderSignature = signer.signHolderCommitment(c.params, built, index);
  return withFundingWitness(c.params, built.tx, holderSignature, counterpartySignature);
}
