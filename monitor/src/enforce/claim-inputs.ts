/**
 * What the holder is owed once a commitment is on-chain (BOLT 5 "Revoked Transaction Close
 * Handling", "Unilateral Close Handling: Remote Commitment Transaction", "Unilateral Close
 * Handling: Local Commitment Transaction"), as `ClaimInput`s for claim-tx.ts and, for our own
 * commitment, the fully signed transactions only both signatures make valid (BOLT 3
 * "Commitment Transaction", "HTLC-Timeout and HTLC-Success Transactions").
 *
 * Every commitment is rebuilt through `buildSideCommitment` (channel-parameters.ts), exactly as the
 * channel built and signed it, so each output is matched to its witness script by construction;
 * a counterparty commitment is then checked against the transaction seen on-chain by txid.
 *
 * Keys, per BOLT 3 "Keys" (static_remotekey, no anchors):
 * - revocation: `revocationprivkey` from our revocation basepoint secret and the revealed
 *   per-commitment secret;
 * - HTLC outputs: our HTLC basepoint secret tweaked by the broadcaster's per-commitment point;
 * - our delayed outputs: our delayed payment basepoint secret tweaked by our point;
 * - `to_remote`: our payment basepoint secret itself (static_remotekey).
 *
 * Results carry secret keys (`signingKey`): never log them.
 *
 * `deadlineHeight` (see claim-input.ts) is the last height at which the claim confirms with no
 * competing spend possible:
 * - a revocable delayed output (revoked `to_local`, the output of a revoked commitment's HTLC
 *   transaction): the counterparty's CSV spend is valid from `confirmationHeight + to_self_delay`
 *   (BIP 68), so one block before;
 * - an HTLC output the counterparty can time out (it offered it): its HTLC-timeout transaction has
 *   nLockTime `cltv_expiry`, valid from the block after, so `cltv_expiry`;
 * - an HTLC output the counterparty can take with a preimage (it received it): it may hold the
 *   preimage already, so the claim is due the first block it is valid in.
 */
import { equalBytes, expectLength, reverseBytes, toHex } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';
import { encodeDerWithSighash } from '@vigil/shared/bitcoin/der';
import { hash160, sha256 } from '@vigil/shared/bitcoin/hash';
import { p2pkhScript, p2wshScript } from '@vigil/shared/bitcoin/output-scripts';
import { SIGHASH_ALL } from '@vigil/shared/bitcoin/sighash';
import { signSegwitV0Input } from '@vigil/shared/bitcoin/sign';
import { type OutPoint, type Transaction, txid, withInputWitness } from '@vigil/shared/bitcoin/tx';
import { buildHtlcTxs, buildSideCommitment, type SideCommitment } from '@vigil/shared/ln/channel-parameters';
import { fundingSpendWitness } from '@vigil/shared/ln/funding';
import { htlcTxWitness } from '@vigil/shared/ln/htlc-tx';
import { derivePrivkey, deriveRevocationPrivkey, perCommitmentPointFromSecret } from '@vigil/shared/ln/keys';
import { fundingScript, toLocalScript } from '@vigil/shared/ln/scripts';
import {
  type ChannelMonitor,
  type CounterpartyCommitment,
  counterpartyCommitmentState,
  type HolderCommitment,
  holderCommitmentState,
} from '@vigil/shared/monitor-model/channel-monitor';
import { holderPerCommitmentPoint } from '@vigil/shared/monitor-model/commitment-checks';
import type { ClaimInput, HolderHtlcTx } from './claim-input.js';
import type { CommitmentAge } from './classify-spend.js';

/** Payment preimages by lowercase hex payment hash, as `ChannelMonitor.paymentPreimages` holds them. */
export type PaymentPreimages = ReadonlyMap<string, Uint8Array>;

/** The output being claimed: where it is and what it holds. */
interface SpentOutput {
  readonly outpoint: OutPoint;
  readonly valueSat: bigint;
}

function spentOutput(tx: Transaction, txidOfTx: Uint8Array, vout: number): SpentOutput {
  return { outpoint: { txid: txidOfTx, vout }, valueSat: tx.outputs[vout]!.valueSat };
}

function displayTxid(internal: Uint8Array): string {
  return toHex(reverseBytes(internal));
}

/** The preimage of `paymentHash` if known; a wrong one is an error, not a claim that cannot work. */
function knownPreimage(preimages: PaymentPreimages, paymentHash: Uint8Array): Uint8Array | undefined {
  const key = toHex(paymentHash);
  const preimage = preimages.get(key);
  if (preimage !== undefined && (preimage.length !== 32 || !equalBytes(sha256(preimage), paymentHash))) {
    throw new ValidationError(`preimages[${key}]`, 'is not a 32-byte preimage of its payment hash');
  }
  return preimage;
}

/**
 * The `to_local`-style script of `commitment`'s broadcaster (BOLT 3 "to_local Output"): also the
 * output script of every HTLC transaction of that commitment.
 */
function delayedOutputScript(commitment: SideCommitment): Uint8Array {
  return toLocalScript(
    commitment.keys.revocationPubkey,
    commitment.toSelfDelay,
    commitment.keys.broadcasterDelayedPubkey,
  );
}

/** `to_remote` on a counterparty commitment: P2WPKH to our payment basepoint (static_remotekey). */
function staticRemoteInput(monitor: ChannelMonitor, spent: SpentOutput): ClaimInput {
  const pubkey = monitor.parameters.holderPubkeys.paymentBasepoint;
  return {
    kind: 'staticRemote',
    ...spent,
    // BIP 143: a P2WPKH input signs the P2PKH script of its key hash.
    script: p2pkhScript(hash160(pubkey)),
    signingKey: monitor.secrets.paymentBasepointSecret,
    signingPubkey: pubkey,
    csvDelay: 0,
    locktime: 0,
    // Only our key can spend it.
    deadlineHeight: undefined,
    aggregable: true,
  };
}

/** The counterparty commitment `record` rebuilds to; throws unless it is `tx`. */
function counterpartyCommitmentOf(
  monitor: ChannelMonitor,
  record: CounterpartyCommitment,
  tx: Transaction,
): SideCommitment {
  const built = buildSideCommitment(monitor.parameters, 'counterparty', counterpartyCommitmentState(record));
  const rebuilt = txid(built.tx);
  const onChain = txid(tx);
  if (!equalBytes(rebuilt, onChain)) {
    throw new ValidationError(
      'tx',
      `txid ${displayTxid(onChain)} is not ${displayTxid(rebuilt)}, the txid counterparty commitment ${record.commitmentNumber} rebuilds to`,
    );
  }
  return built;
}

/** A revoked counterparty commitment rebuilt, with the revocation private key of its outputs. */
interface RevokedCommitment {
  readonly built: SideCommitment;
  /** Secret. */
  readonly revocationKey: Uint8Array;
}

/** Throws unless `perCommitmentSecret` is the secret of `record`'s per-commitment point. */
function revokedCommitmentOf(
  monitor: ChannelMonitor,
  record: CounterpartyCommitment,
  perCommitmentSecret: Uint8Array,
): RevokedCommitment {
  expectLength(perCommitmentSecret, 32, 'perCommitmentSecret');
  if (!equalBytes(perCommitmentPointFromSecret(perCommitmentSecret), record.perCommitmentPoint)) {
    throw new ValidationError(
      'perCommitmentSecret',
      `is not the secret of counterparty commitment ${record.commitmentNumber}'s per-commitment point`,
    );
  }
  return {
    built: buildSideCommitment(monitor.parameters, 'counterparty', counterpartyCommitmentState(record)),
    revocationKey: deriveRevocationPrivkey(monitor.secrets.revocationBasepointSecret, perCommitmentSecret),
  };
}

/**
 * A revocable delayed output of a revoked counterparty commitment (its `to_local` or an HTLC
 * transaction's output), taken at once by revocation. The counterparty's own path waits
 * `to_self_delay` (the delay we selected) from `confirmationHeight`, so the claim can share a
 * transaction: nothing can pin it before its deadline.
 */
function revocationPathInput(
  kind: 'revokedToLocal' | 'revokedSecondStage',
  revoked: RevokedCommitment,
  spent: SpentOutput,
  confirmationHeight: number,
): ClaimInput {
  return {
    kind,
    ...spent,
    script: delayedOutputScript(revoked.built),
    signingKey: revoked.revocationKey,
    signingPubkey: revoked.built.keys.revocationPubkey,
    csvDelay: 0,
    locktime: 0,
    deadlineHeight: confirmationHeight + revoked.built.toSelfDelay - 1,
    aggregable: true,
  };
}

/**
 * Everything on the counterparty's revoked commitment `tx` (confirmed at `confirmationHeight`):
 * `to_local` and every untrimmed HTLC output through the revocation path, and `to_remote`, in
 * output order. Throws a ValidationError when `tx` is not what `record` rebuilds to or the secret
 * is not `record`'s.
 */
export function revokedCommitmentInputs(
  monitor: ChannelMonitor,
  record: CounterpartyCommitment,
  perCommitmentSecret: Uint8Array,
  tx: Transaction,
  confirmationHeight: number,
): ClaimInput[] {
  counterpartyCommitmentOf(monitor, record, tx);
  const revoked = revokedCommitmentOf(monitor, record, perCommitmentSecret);
  const commitmentTxid = txid(tx);
  return revoked.built.outputs.map((output, vout): ClaimInput => {
    const spent = spentOutput(tx, commitmentTxid, vout);
    switch (output.kind) {
      case 'to_local':
        return revocationPathInput('revokedToLocal', revoked, spent, confirmationHeight);
      case 'to_remote':
        return staticRemoteInput(monitor, spent);
      case 'htlc': {
        // The commitment was built from `record.htlcs`: the index is in range.
        const htlc = record.htlcs[output.htlcIndex]!;
        return {
          kind: 'revokedHtlc',
          ...spent,
          script: output.witnessScript,
          signingKey: revoked.revocationKey,
          signingPubkey: revoked.built.keys.revocationPubkey,
          csvDelay: 0,
          locktime: 0,
          // Offered by the counterparty: its HTLC-timeout is valid after cltv_expiry. Received:
          // its HTLC-success needs only a preimage it may have, so the claim is due at once.
          deadlineHeight: htlc.offered ? htlc.cltvExpiry : confirmationHeight + 1,
          aggregable: false,
          htlc,
        };
      }
    }
  });
}

/**
 * Output `outputIndex` of `htlcTx`, the counterparty's HTLC-timeout or HTLC-success transaction
 * spending an HTLC output of its revoked commitment `record`, confirmed at `confirmationHeight`:
 * a `to_local`-style output the revocation key takes at once.
 */
export function revokedSecondStageInput(
  monitor: ChannelMonitor,
  record: CounterpartyCommitment,
  perCommitmentSecret: Uint8Array,
  htlcTx: Transaction,
  confirmationHeight: number,
  outputIndex = 0,
): ClaimInput {
  const revoked = revokedCommitmentOf(monitor, record, perCommitmentSecret);
  if (!htlcTx.inputs.some((input) => equalBytes(input.prevout.txid, record.txid))) {
    throw new ValidationError(
      'htlcTx.inputs',
      `spend no output of counterparty commitment ${record.commitmentNumber} (${displayTxid(record.txid)})`,
    );
  }
  const output = htlcTx.outputs[outputIndex];
  if (output === undefined) {
    throw new ValidationError(
      'outputIndex',
      `htlcTx has ${htlcTx.outputs.length} outputs, no ${outputIndex}`,
    );
  }
  if (!equalBytes(output.scriptPubKey, p2wshScript(delayedOutputScript(revoked.built)))) {
    throw new ValidationError(
      `htlcTx.outputs[${outputIndex}]`,
      `does not pay the revocable delayed script of counterparty commitment ${record.commitmentNumber}`,
    );
  }
  const spent = spentOutput(htlcTx, txid(htlcTx), outputIndex);
  return revocationPathInput('revokedSecondStage', revoked, spent, confirmationHeight);
}

/**
 * What we can take from the counterparty's unrevoked (current or previous) commitment `tx`, in
 * output order: `to_remote`, the HTLCs it offered us whose preimage is in `preimages`, and the
 * HTLCs we offered it, after their `cltv_expiry`. Its `to_local` is its own. Throws a
 * ValidationError when `tx` is not what `record` rebuilds to.
 */
export function counterpartyCommitmentInputs(
  monitor: ChannelMonitor,
  record: CounterpartyCommitment,
  tx: Transaction,
  preimages: PaymentPreimages,
): ClaimInput[] {
  const built = counterpartyCommitmentOf(monitor, record, tx);
  const htlcKey = derivePrivkey(monitor.secrets.htlcBasepointSecret, record.perCommitmentPoint);
  const commitmentTxid = txid(tx);
  return built.outputs.flatMap((output, vout): ClaimInput[] => {
    const spent = spentOutput(tx, commitmentTxid, vout);
    switch (output.kind) {
      case 'to_local':
        return [];
      case 'to_remote':
        return [staticRemoteInput(monitor, spent)];
      case 'htlc': {
        const htlc = record.htlcs[output.htlcIndex]!;
        const common = {
          ...spent,
          script: output.witnessScript,
          signingKey: htlcKey,
          // The countersignatory of the counterparty's commitment is us: our key is `remote_htlcpubkey`.
          signingPubkey: built.keys.countersignatoryHtlcPubkey,
          csvDelay: 0,
          // The counterparty can spend every HTLC output too (timeout or preimage).
          aggregable: false,
          htlc,
        };
        if (!htlc.offered) {
          // We offered it: ours after cltv_expiry, though the counterparty may take it with the
          // preimage until then and after, so the claim is due the first block it is valid in.
          return [
            {
              kind: 'counterpartyHtlcTimeout',
              ...common,
              locktime: htlc.cltvExpiry,
              deadlineHeight: htlc.cltvExpiry + 1,
            },
          ];
        }
        const preimage = knownPreimage(preimages, htlc.paymentHash);
        if (preimage === undefined) return [];
        // Its HTLC-timeout is valid after cltv_expiry.
        return [
          {
            kind: 'counterpartyHtlcPreimage',
            ...common,
            preimage,
            locktime: 0,
            deadlineHeight: htlc.cltvExpiry,
          },
        ];
      }
    }
  });
}

/** One of our commitments, rebuilt, with the per-commitment point it was built with. */
interface HolderSide {
  readonly commitment: HolderCommitment;
  readonly point: Uint8Array;
  readonly built: SideCommitment;
}

function holderSide(monitor: ChannelMonitor, which: CommitmentAge): HolderSide {
  const commitment = which === 'current' ? monitor.currentHolderCommitment : monitor.previousHolderCommitment;
  if (commitment === undefined) {
    throw new ValidationError('which', 'the monitor holds no previous holder commitment');
  }
  const point = holderPerCommitmentPoint(monitor.secrets, commitment.commitmentNumber);
  const built = buildSideCommitment(monitor.parameters, 'holder', holderCommitmentState(commitment, point));
  return { commitment, point, built };
}

/**
 * Our `which` commitment with both funding signatures (ours and the counterparty's stored one, in
 * the order of the sorted funding keys), ready to broadcast. Signing it is what lockdown records
 * (`holderCommitmentSigned`): the caller must persist that before broadcasting.
 */
export function holderCommitmentTx(monitor: ChannelMonitor, which: CommitmentAge): Transaction {
  const { commitment, built } = holderSide(monitor, which);
  const p = monitor.parameters;
  const funding = {
    scriptCode: fundingScript(p.holderPubkeys.fundingPubkey, p.counterpartyPubkeys.fundingPubkey),
    valueSat: p.fundingValueSat,
  };
  const witness = fundingSpendWitness(
    {
      pubkey: p.holderPubkeys.fundingPubkey,
      signature: signSegwitV0Input(built.tx, 0, funding, monitor.secrets.fundingKey),
    },
    {
      pubkey: p.counterpartyPubkeys.fundingPubkey,
      signature: encodeDerWithSighash(commitment.counterpartySignature, SIGHASH_ALL),
    },
  );
  return withInputWitness(built.tx, 0, witness);
}

/**
 * Our second-stage transactions for our `which` commitment, fully signed with the counterparty's
 * stored HTLC signatures: HTLC-timeout for every HTLC we offered (valid after its `cltv_expiry`),
 * HTLC-success for every HTLC offered to us whose preimage is in `preimages`. Output order.
 */
export function holderHtlcTxs(
  monitor: ChannelMonitor,
  which: CommitmentAge,
  preimages: PaymentPreimages,
): HolderHtlcTx[] {
  const { commitment, point, built } = holderSide(monitor, which);
  const htlcKey = derivePrivkey(monitor.secrets.htlcBasepointSecret, point);
  const txs: HolderHtlcTx[] = [];
  // Invariant (checkHolderCommitment): signature i is over the HTLC transaction of the i-th HTLC
  // output, in output order, which is the order buildHtlcTxs returns them in.
  buildHtlcTxs(built).forEach((info, i) => {
    const htlc = commitment.htlcs[info.htlcIndex]!;
    const preimage = htlc.offered ? undefined : knownPreimage(preimages, htlc.paymentHash);
    if (!htlc.offered && preimage === undefined) return;
    const counterpartySignature = commitment.counterpartyHtlcSignatures[i];
    if (counterpartySignature === undefined) {
      throw new ValidationError(
        `counterpartyHtlcSignatures[${i}]`,
        `missing for HTLC output ${info.outputIndex}`,
      );
    }
    const spent = { scriptCode: info.witnessScript, valueSat: built.tx.outputs[info.outputIndex]!.valueSat };
    const witness = htlcTxWitness(
      encodeDerWithSighash(counterpartySignature, SIGHASH_ALL),
      signSegwitV0Input(info.tx, 0, spent, htlcKey),
      preimage,
      info.witnessScript,
    );
    txs.push({
      tx: withInputWitness(info.tx, 0, witness),
      htlc,
      locktime: info.tx.locktime,
    });
  });
  return txs;
}

/**
 * Our delayed outputs in `tx`: `to_local` when `tx` is our `which` commitment, the output of an
 * HTLC transaction of that commitment, both paying the same script. Spendable by our delayed key
 * after `to_self_delay` blocks, the delay the counterparty selected for us (BOLT 2 `to_self_delay`
 * is what the sender requires of the other side's outputs).
 */
export function holderDelayedInputs(
  monitor: ChannelMonitor,
  which: CommitmentAge,
  tx: Transaction,
): ClaimInput[] {
  const { point, built } = holderSide(monitor, which);
  const script = delayedOutputScript(built);
  const scriptPubKey = p2wshScript(script);
  const signingKey = derivePrivkey(monitor.secrets.delayedPaymentBasepointSecret, point);
  const txidOfTx = txid(tx);
  return tx.outputs.flatMap((output, vout): ClaimInput[] =>
    equalBytes(output.scriptPubKey, scriptPubKey)
      ? [
          {
            kind: 'holderDelayed',
            ...spentOutput(tx, txidOfTx, vout),
            script,
            signingKey,
            signingPubkey: built.keys.broadcasterDelayedPubkey,
            // `built.toSelfDelay` is counterpartySelectedContestDelay for a holder commitment.
            csvDelay: built.toSelfDelay,
            locktime: 0,
            // The revocation path is the counterparty's only if we revoked this commitment, and
            // then nothing wins the race: broadcasting a revoked commitment is the mistake.
            deadlineHeight: undefined,
            aggregable: true,
          },
        ]
      : [],
  );
}
