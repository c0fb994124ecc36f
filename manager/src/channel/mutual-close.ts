/**
 * The mutual close, BOLT 2 "Closing Negotiation: `closing_signed`" and BOLT 3 "Closing
 * Transaction": once both `shutdown`s are exchanged and no HTLC remains, the funder proposes a fee
 * with the range it accepts, and each side answers with the same fee (agreement: both signatures
 * exist) or a counter-proposal inside both ranges.
 *
 * Both sides build the closing transaction with the larger of the two dust limits (as Eclair does),
 * so they sign the very same transaction; the variant without the sender's own output, which BOLT 3
 * lets the sender choose, is accepted too.
 */
import { compareBytes } from '@vigil/shared/bytes';
import { verifySegwitV0Compact } from '@vigil/shared/bitcoin/sign';
import { type Transaction, type TxOut, txWeight, withInputWitness } from '@vigil/shared/bitcoin/tx';
import { commitmentFeeSat } from '@vigil/shared/ln/fees';
import { fundingScript } from '@vigil/shared/ln/scripts';
import type { ClosingSigned } from '@vigil/shared/ln/wire/index';
import type { FeerateEstimates } from './channel-config.js';
import { ProtocolViolation } from './channel-errors.js';
import { type ChannelSigner, fundingSpentOutput } from './channel-signer.js';
import type { Commitments } from './commitments.js';
import { withFundingWitness } from './funding.js';

export interface ClosingScripts {
  readonly holder: Uint8Array;
  readonly counterparty: Uint8Array;
}

export interface FeeRange {
  readonly minFeeSatoshis: bigint;
  readonly maxFeeSatoshis: bigint;
}

/** Where the negotiation stands: the last fee we proposed, if any. */
export interface ClosingNegotiation {
  readonly scripts: ClosingScripts;
  readonly lastSentFeeSat: bigint | undefined;
}

/** A DER signature with its sighash byte is at most this long; the weight estimate assumes it. */
const MAX_WITNESS_SIGNATURE = 73;

/**
 * The closing transaction paying `feeSat` (from the funder's output): BOLT 3 version 2, locktime 0,
 * the funding input with sequence 0xFFFFFFFF, outputs in BIP 69 order, dust outputs removed.
 * `dropCounterpartyOutput` builds the variant the peer may choose, without its own output.
 */
export function closingTransaction(
  c: Commitments,
  scripts: ClosingScripts,
  feeSat: bigint,
  dropCounterpartyOutput = false,
): Transaction {
  const spec = c.localCommit.spec;
  const holderSat = spec.toBroadcasterMsat / 1000n - (c.params.holderIsFunder ? feeSat : 0n);
  const counterpartySat = spec.toCountersignatoryMsat / 1000n - (c.params.holderIsFunder ? 0n : feeSat);
  const dust =
    c.params.holderDustLimitSat > c.params.counterpartyDustLimitSat
      ? c.params.holderDustLimitSat
      : c.params.counterpartyDustLimitSat;
  const outputs: TxOut[] = [
    { valueSat: holderSat, scriptPubKey: scripts.holder },
    ...(dropCounterpartyOutput ? [] : [{ valueSat: counterpartySat, scriptPubKey: scripts.counterparty }]),
  ].filter((o) => o.valueSat >= dust);
  outputs.sort((a, b) =>
    a.valueSat !== b.valueSat
      ? a.valueSat < b.valueSat
        ? -1
        : 1
      : compareBytes(a.scriptPubKey, b.scriptPubKey),
  );
  return {
    version: 2,
    inputs: [
      { prevout: c.params.fundingOutpoint, scriptSig: new Uint8Array(0), sequence: 0xffff_ffff, witness: [] },
    ],
    outputs,
    locktime: 0,
  };
}

/** The weight of the signed closing transaction (both signatures at their largest). */
function closingWeight(c: Commitments, scripts: ClosingScripts): number {
  const tx = closingTransaction(c, scripts, 0n);
  const script = fundingScript(
    c.params.holderPubkeys.fundingPubkey,
    c.params.counterpartyPubkeys.fundingPubkey,
  );
  const placeholderSig = new Uint8Array(MAX_WITNESS_SIGNATURE);
  return txWeight(withInputWitness(tx, 0, [new Uint8Array(0), placeholderSig, placeholderSig, script]));
}

/**
 * The fees we accept, from our feerate estimates, never above the base fee of the final commitment
 * (BOLT 2 for non-anchor channels), and the one we propose first.
 */
export function ourClosingFees(
  c: Commitments,
  scripts: ClosingScripts,
  feerates: FeerateEstimates,
): { range: FeeRange; preferredSat: bigint } {
  const weight = BigInt(closingWeight(c, scripts));
  const feeAt = (perKw: number) => (BigInt(perKw) * weight) / 1000n;
  const ceiling = commitmentFeeSat(c.localCommit.spec.feeratePerKw, 0);
  const min = (a: bigint, b: bigint) => (a < b ? a : b);
  const maxFeeSatoshis = min(feeAt(feerates.maxPerKw), ceiling);
  const minFeeSatoshis = min(feeAt(feerates.minPerKw), maxFeeSatoshis);
  const preferred = feeAt(feerates.closingPerKw);
  const preferredSat = preferred < minFeeSatoshis ? minFeeSatoshis : min(preferred, maxFeeSatoshis);
  return { range: { minFeeSatoshis, maxFeeSatoshis }, preferredSat };
}

/** Our `closing_signed` for `feeSat`. */
export function closingSignedFor(
  c: Commitments,
  scripts: ClosingScripts,
  feeSat: bigint,
  range: FeeRange,
  signer: ChannelSigner,
): ClosingSigned {
  return {
    type: 'closing_signed',
    channelId: c.channelId,
    feeSatoshis: feeSat,
    signature: signer.signClosingTransaction(c.params, closingTransaction(c, scripts, feeSat)),
    tlvs: { feeRange: range },
  };
}

/** The closing transaction the peer's signature covers (either variant), or a violation. */
function signedVariant(c: Commitments, scripts: ClosingScripts, msg: ClosingSigned): Transaction {
  for (const dropped of [false, true]) {
    const tx = closingTransaction(c, scripts, msg.feeSatoshis, dropped);
    const ok =
      tx.outputs.length > 0 &&
      verifySegwitV0Compact(
        tx,
        0,
        fundingSpentOutput(c.params),
        msg.signature,
        c.params.counterpartyPubkeys.fundingPubkey,
      );
    if (ok) return tx;
  }
  throw new ProtocolViolation(
    'closing_signed.signature',
    'is not a valid (low-S) signature of the closing transaction',
  );
}

export type ClosingAnswer =
  /** Both signatures exist for `tx`: broadcast it; `reply` (if any) gives the peer ours. */
  | {
      readonly kind: 'agreed';
      readonly tx: Transaction;
      readonly counterpartySignature: Uint8Array;
      readonly reply: boolean;
    }
  /** Propose `feeSat` (inside both ranges) with `range`. */
  | { readonly kind: 'counter'; readonly feeSat: bigint; readonly range: FeeRange };

const clamp = (value: bigint, range: FeeRange) =>
  value < range.minFeeSatoshis
    ? range.minFeeSatoshis
    : value > range.maxFeeSatoshis
      ? range.maxFeeSatoshis
      : value;

/** Our answer to the peer's `closing_signed`, given our acceptable fees. */
export function answerClosingSigned(
  c: Commitments,
  negotiation: ClosingNegotiation,
  msg: ClosingSigned,
  ours: FeeRange,
): ClosingAnswer {
  const ceiling = commitmentFeeSat(c.localCommit.spec.feeratePerKw, 0);
  if (msg.feeSatoshis > ceiling) {
    throw new ProtocolViolation(
      'closing_signed.fee_satoshis',
      `${msg.feeSatoshis} exceeds the base fee of the final commitment, ${ceiling}`,
    );
  }
  const tx = signedVariant(c, negotiation.scripts, msg);
  const agreed = (reply: boolean): ClosingAnswer => ({
    kind: 'agreed',
    tx,
    counterpartySignature: msg.signature,
    reply,
  });
  if (msg.feeSatoshis === negotiation.lastSentFeeSat) return agreed(false);
  const theirs = msg.tlvs.feeRange;
  if (theirs !== undefined) {
    const overlap: FeeRange = {
      minFeeSatoshis:
        theirs.minFeeSatoshis > ours.minFeeSatoshis ? theirs.minFeeSatoshis : ours.minFeeSatoshis,
      maxFeeSatoshis:
        theirs.maxFeeSatoshis < ours.maxFeeSatoshis ? theirs.maxFeeSatoshis : ours.maxFeeSatoshis,
    };
    if (overlap.minFeeSatoshis > overlap.maxFeeSatoshis) {
      throw new ProtocolViolation(
        'closing_signed.fee_range',
        `${theirs.minFeeSatoshis} to ${theirs.maxFeeSatoshis} does not overlap ours, ${ours.minFeeSatoshis} to ${ours.maxFeeSatoshis}`,
      );
    }
    if (clamp(msg.feeSatoshis, ours) === msg.feeSatoshis) return agreed(true);
    return { kind: 'counter', feeSat: clamp(msg.feeSatoshis, overlap), range: overlap };
  }
  // Without fee_range (older peers): accept a fee we find acceptable, else move toward theirs.
  if (clamp(msg.feeSatoshis, ours) === msg.feeSatoshis) return agreed(true);
  return { kind: 'counter', feeSat: clamp(msg.feeSatoshis, ours), range: ours };
}

/** The signed closing transaction, from both signatures over `tx`. */
export function signedClosingTransaction(
  c: Commitments,
  tx: Transaction,
  counterpartySignature: Uint8Array,
  signer: ChannelSigner,
): { tx: Transaction; holderSignature: Uint8Array } {
  const holderSignature = signer.signClosingTransaction(c.params, tx);
  return { tx: withFundingWitness(c.params, tx, holderSignature, counterpartySignature), holderSignature };
}
