/**
 * Commitment transaction construction (BOLT 3 "Commitment Transaction" and "Commitment Transaction
 * Construction"), non-anchor with option_static_remotekey.
 *
 * The builder is written from the broadcaster's side: "broadcaster" is the holder of this
 * commitment (its `to_local` is delayed), "countersignatory" the peer who signs it. The same code
 * builds our own commitment and the counterparty's, so both peers and every monitor derive
 * byte-identical transactions from the same inputs.
 */
import { compareBytes, expectBigUint, expectLength, expectUint, U64_MAX } from '../bytes.js';
import { ValidationError } from '../errors.js';
import { p2wshScript } from '../bitcoin/output-scripts.js';
import type { OutPoint, Transaction, TxOut } from '../bitcoin/tx.js';
import { encodeCommitmentNumber } from './commitment-number.js';
import { commitmentFeeSat, isHtlcTrimmed } from './fees.js';
import {
  type HtlcScriptKeys,
  offeredHtlcScript,
  receivedHtlcScript,
  toLocalScript,
  toRemoteScriptPubKey,
} from './scripts.js';

/** An HTLC pending on a commitment, described from the broadcaster's side. */
export interface CommitmentHtlc {
  /** True when the broadcaster offered it (an offered-HTLC output on this commitment). */
  readonly offered: boolean;
  readonly amountMsat: bigint;
  readonly paymentHash: Uint8Array;
  readonly cltvExpiry: number;
}

/** The per-commitment keys of one commitment (BOLT 3 "Keys"), as the broadcaster's scripts use them. */
export interface CommitmentKeys extends HtlcScriptKeys {
  readonly broadcasterDelayedPubkey: Uint8Array;
  /** option_static_remotekey: `to_remote` pays the countersignatory's payment basepoint itself. */
  readonly countersignatoryPaymentBasepoint: Uint8Array;
}

export interface CommitmentParams {
  readonly fundingOutpoint: OutPoint;
  readonly commitmentNumber: number;
  readonly obscuringFactor: number;
  readonly feeratePerKw: number;
  /** The broadcaster's dust limit: outputs below it are left out. */
  readonly dustLimitSat: bigint;
  /** The delay the countersignatory imposed on the broadcaster's outputs. */
  readonly toSelfDelay: number;
  /** The funder (opener) pays the commitment fee. */
  readonly broadcasterIsFunder: boolean;
  readonly toBroadcasterMsat: bigint;
  readonly toCountersignatoryMsat: bigint;
  readonly htlcs: readonly CommitmentHtlc[];
  readonly keys: CommitmentKeys;
}

/** What each output of a built commitment pays, parallel to `tx.outputs`. */
export type CommitmentOutput =
  | { readonly kind: 'to_local'; readonly witnessScript: Uint8Array }
  | { readonly kind: 'to_remote' }
  | {
      readonly kind: 'htlc';
      /** Index into `CommitmentParams.htlcs`. */
      readonly htlcIndex: number;
      readonly witnessScript: Uint8Array;
    };

export interface BuiltCommitment {
  /** Unsigned: the funding input's witness is empty. */
  readonly tx: Transaction;
  readonly outputs: readonly CommitmentOutput[];
  /** The base fee the funder paid, before trimmed HTLCs and rounding add to it. */
  readonly baseFeeSat: bigint;
}

interface PendingOutput {
  readonly txOut: TxOut;
  readonly output: CommitmentOutput;
  /** BOLT 3's tie-break for identical offered-HTLC outputs; 0 for to_local/to_remote. */
  readonly cltvExpiry: number;
}

/** BIP 69 order (value, then scriptPubKey), then cltv_expiry, as BOLT 3 requires. */
function compareOutputs(a: PendingOutput, b: PendingOutput): number {
  if (a.txOut.valueSat !== b.txOut.valueSat) return a.txOut.valueSat < b.txOut.valueSat ? -1 : 1;
  return compareBytes(a.txOut.scriptPubKey, b.txOut.scriptPubKey) || a.cltvExpiry - b.cltvExpiry;
}

function validateParams(p: CommitmentParams): void {
  expectLength(p.fundingOutpoint.txid, 32, 'fundingOutpoint.txid');
  expectUint(p.toSelfDelay, 0xffff, 'toSelfDelay');
  expectBigUint(p.toBroadcasterMsat, U64_MAX, 'toBroadcasterMsat');
  expectBigUint(p.toCountersignatoryMsat, U64_MAX, 'toCountersignatoryMsat');
  p.htlcs.forEach((h, i) => {
    expectBigUint(h.amountMsat, U64_MAX, `htlcs[${i}].amountMsat`);
    expectLength(h.paymentHash, 32, `htlcs[${i}].paymentHash`);
  });
}

function htlcOutput(p: CommitmentParams, htlc: CommitmentHtlc, htlcIndex: number): PendingOutput {
  const witnessScript = htlc.offered
    ? offeredHtlcScript(p.keys, htlc.paymentHash)
    : receivedHtlcScript(p.keys, htlc.paymentHash, htlc.cltvExpiry);
  return {
    txOut: { valueSat: htlc.amountMsat / 1000n, scriptPubKey: p2wshScript(witnessScript) },
    output: { kind: 'htlc', htlcIndex, witnessScript },
    cltvExpiry: htlc.cltvExpiry,
  };
}

/** Builds the unsigned commitment transaction BOLT 3 defines for `params`. */
export function buildCommitment(params: CommitmentParams): BuiltCommitment {
  validateParams(params);
  const untrimmed = params.htlcs
    .map((htlc, index) => ({ htlc, index }))
    .filter(
      ({ htlc }) => !isHtlcTrimmed(htlc.offered, htlc.amountMsat, params.feeratePerKw, params.dustLimitSat),
    );

  const baseFeeSat = commitmentFeeSat(params.feeratePerKw, untrimmed.length);
  let toBroadcasterSat = params.toBroadcasterMsat / 1000n;
  let toCountersignatorySat = params.toCountersignatoryMsat / 1000n;
  // The funder pays the fee; if it cannot, its whole balance goes to fee and its output vanishes.
  if (params.broadcasterIsFunder)
    toBroadcasterSat = toBroadcasterSat > baseFeeSat ? toBroadcasterSat - baseFeeSat : 0n;
  else toCountersignatorySat = toCountersignatorySat > baseFeeSat ? toCountersignatorySat - baseFeeSat : 0n;

  const pending: PendingOutput[] = untrimmed.map(({ htlc, index }) => htlcOutput(params, htlc, index));
  if (toBroadcasterSat >= params.dustLimitSat) {
    const witnessScript = toLocalScript(
      params.keys.revocationPubkey,
      params.toSelfDelay,
      params.keys.broadcasterDelayedPubkey,
    );
    pending.push({
      txOut: { valueSat: toBroadcasterSat, scriptPubKey: p2wshScript(witnessScript) },
      output: { kind: 'to_local', witnessScript },
      cltvExpiry: 0,
    });
  }
  if (toCountersignatorySat >= params.dustLimitSat) {
    pending.push({
      txOut: {
        valueSat: toCountersignatorySat,
        scriptPubKey: toRemoteScriptPubKey(params.keys.countersignatoryPaymentBasepoint),
      },
      output: { kind: 'to_remote' },
      cltvExpiry: 0,
    });
  }
  if (pending.length === 0) throw new ValidationError('commitment', 'every output is below the dust limit');
  pending.sort(compareOutputs);

  const { locktime, sequence } = encodeCommitmentNumber(params.commitmentNumber, params.obscuringFactor);
  const tx: Transaction = {
    version: 2,
    inputs: [{ prevout: params.fundingOutpoint, scriptSig: new Uint8Array(0), sequence, witness: [] }],
    outputs: pending.map((o) => o.txOut),
    locktime,
  };
  return { tx, outputs: pending.map((o) => o.output), baseFeeSat };
}
