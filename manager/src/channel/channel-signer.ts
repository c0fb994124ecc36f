/**
 * The holder's channel keys and everything done with them, BOLT 3 "Key Derivation",
 * "Per-commitment Secret Requirements" and "Commitment Transaction" / "HTLC-Timeout and
 * HTLC-Success Transactions" signatures; after LDK's `ChannelSigner`.
 *
 * It derives our per-commitment points and secrets from the commitment seed, signs the peer's
 * commitments and their HTLC transactions, our own commitment for broadcast, and closing
 * transactions. Two guards keep a bug elsewhere from costing the channel: secrets are released only
 * in order (to revoke), and a commitment whose secret was released is never signed for broadcast.
 *
 * Secrets live in private fields: a signer logged or serialised by accident shows no key, and no
 * error raised here contains key material.
 */
import { timingSafeEqual } from 'node:crypto';

import { equalBytes } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { signSegwitV0Compact, type SpentOutput } from '@vigil/shared/bitcoin/sign';
import type { Transaction } from '@vigil/shared/bitcoin/tx';
import {
  buildHtlcTxs,
  type ChannelParameters,
  type ChannelPublicKeys,
  type SideCommitment,
} from '@vigil/shared/ln/channel-parameters';
import { derivePrivkey, perCommitmentPointFromSecret } from '@vigil/shared/ln/keys';
import { fundingScript } from '@vigil/shared/ln/scripts';
import { generateFromSeed } from '@vigil/shared/ln/shachain';
import type { HolderChannelSecrets } from '@vigil/shared/monitor-model/channel-monitor';
import { secretIndexOfCommitment } from '@vigil/shared/monitor-model/commitment-checks';

/** A commitment signature with one signature per untrimmed HTLC, in output order. */
export interface CommitmentSignatures {
  readonly signature: Uint8Array;
  readonly htlcSignatures: readonly Uint8Array[];
}

/** The funding output a commitment or closing transaction spends, as its signatures commit to it. */
export function fundingSpentOutput(params: ChannelParameters): SpentOutput {
  return {
    scriptCode: fundingScript(params.holderPubkeys.fundingPubkey, params.counterpartyPubkeys.fundingPubkey),
    valueSat: params.fundingValueSat,
  };
}

/** The commitment output an HTLC transaction spends. */
export function htlcSpentOutput(
  commitment: SideCommitment,
  htlcIndex: number,
  witnessScript: Uint8Array,
): SpentOutput {
  return { scriptCode: witnessScript, valueSat: commitment.htlcs[htlcIndex]!.amountMsat / 1000n };
}

export class ChannelSigner {
  readonly #secrets: HolderChannelSecrets;
  readonly pubkeys: ChannelPublicKeys;
  /** The highest commitment number whose secret we released; -1 before the first revocation. */
  #revealedUpTo = -1;

  constructor(secrets: HolderChannelSecrets) {
    this.#secrets = secrets;
    this.pubkeys = {
      fundingPubkey: pubkeyFromPrivkey(secrets.fundingKey, 'secrets.fundingKey'),
      revocationBasepoint: pubkeyFromPrivkey(
        secrets.revocationBasepointSecret,
        'secrets.revocationBasepointSecret',
      ),
      paymentBasepoint: pubkeyFromPrivkey(secrets.paymentBasepointSecret, 'secrets.paymentBasepointSecret'),
      delayedPaymentBasepoint: pubkeyFromPrivkey(
        secrets.delayedPaymentBasepointSecret,
        'secrets.delayedPaymentBasepointSecret',
      ),
      htlcBasepoint: pubkeyFromPrivkey(secrets.htlcBasepointSecret, 'secrets.htlcBasepointSecret'),
    };
    // Checked here so a bad seed fails at construction, not at the first commitment.
    this.perCommitmentPoint(0);
  }

  /** The secrets a full-mode monitor needs to enforce the channel (`ChannelMonitorInit.secrets`). */
  monitorSecrets(): HolderChannelSecrets {
    return this.#secrets;
  }

  /** Our per-commitment point for commitment `commitmentNumber`. */
  perCommitmentPoint(commitmentNumber: number): Uint8Array {
    return perCommitmentPointFromSecret(this.#secretOf(commitmentNumber));
  }

  /**
   * The secret of commitment `commitmentNumber`, to revoke it (`revoke_and_ack`). Secrets are
   * released in order; releasing the last one again (a retransmission) is allowed.
   */
  releaseCommitmentSecret(commitmentNumber: number): Uint8Array {
    if (commitmentNumber > this.#revealedUpTo + 1) {
      throw new ValidationError(
        'commitmentNumber',
        `cannot revoke commitment ${commitmentNumber} before commitment ${this.#revealedUpTo + 1}`,
      );
    }
    this.#revealedUpTo = Math.max(this.#revealedUpTo, commitmentNumber);
    return this.#secretOf(commitmentNumber);
  }

  /**
   * True when `candidate` is the secret of our commitment `commitmentNumber` (a peer proving how far
   * we had gone); compared in constant time and never released.
   */
  isCommitmentSecret(commitmentNumber: number, candidate: Uint8Array): boolean {
    const secret = this.#secretOf(commitmentNumber);
    return candidate.length === secret.length && timingSafeEqual(candidate, secret);
  }

  /** Signs the peer's commitment (at `perCommitmentPoint`) and each of its HTLC transactions. */
  signCounterpartyCommitment(
    params: ChannelParameters,
    commitment: SideCommitment,
    perCommitmentPoint: Uint8Array,
  ): CommitmentSignatures {
    this.#expectOurParameters(params);
    const htlcKey = derivePrivkey(this.#secrets.htlcBasepointSecret, perCommitmentPoint);
    return {
      signature: signSegwitV0Compact(commitment.tx, 0, fundingSpentOutput(params), this.#secrets.fundingKey),
      htlcSignatures: buildHtlcTxs(commitment).map((info) =>
        signSegwitV0Compact(
          info.tx,
          0,
          htlcSpentOutput(commitment, info.htlcIndex, info.witnessScript),
          htlcKey,
        ),
      ),
    };
  }

  /** Our funding signature over our own commitment `commitmentNumber`, to broadcast it. */
  signHolderCommitment(
    params: ChannelParameters,
    commitment: SideCommitment,
    commitmentNumber: number,
  ): Uint8Array {
    this.#expectOurParameters(params);
    if (commitmentNumber <= this.#revealedUpTo) {
      throw new ValidationError(
        'commitmentNumber',
        `commitment ${commitmentNumber} is revoked: broadcasting it would forfeit the channel`,
      );
    }
    return signSegwitV0Compact(commitment.tx, 0, fundingSpentOutput(params), this.#secrets.fundingKey);
  }

  /** Our funding signature over a mutual closing transaction. */
  signClosingTransaction(params: ChannelParameters, tx: Transaction): Uint8Array {
    this.#expectOurParameters(params);
    return signSegwitV0Compact(tx, 0, fundingSpentOutput(params), this.#secrets.fundingKey);
  }

  #secretOf(commitmentNumber: number): Uint8Array {
    return generateFromSeed(this.#secrets.commitmentSeed, secretIndexOfCommitment(commitmentNumber));
  }

  #expectOurParameters(params: ChannelParameters): void {
    if (!equalBytes(params.holderPubkeys.fundingPubkey, this.pubkeys.fundingPubkey)) {
      throw new ValidationError('params.holderPubkeys.fundingPubkey', "is not this signer's funding key");
    }
  }
}
