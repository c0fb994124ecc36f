/**
 * Second-stage HTLC transactions (BOLT 3 "HTLC-Timeout and HTLC-Success Transactions"), non-anchor:
 * they spend one HTLC output of a commitment into a `to_local`-style output of the broadcaster,
 * delayed by `to_self_delay` and revocable, and pay their own fee (SIGHASH_ALL on both signatures).
 */
import { expectLength, expectUint, U32_MAX } from '../bytes.js';
import { ValidationError } from '../errors.js';
import { p2wshScript } from '../bitcoin/output-scripts.js';
import type { Transaction } from '../bitcoin/tx.js';
import type { CommitmentHtlc } from './commitment.js';
import { htlcTxFeeSat } from './fees.js';
import { toLocalScript } from './scripts.js';

export interface HtlcTxParams {
  /** The commitment's txid, internal byte order. */
  readonly commitmentTxid: Uint8Array;
  /** Index of the HTLC's output in the commitment. */
  readonly outputIndex: number;
  readonly htlc: CommitmentHtlc;
  readonly feeratePerKw: number;
  /** The delay the countersignatory imposed on the broadcaster. */
  readonly toSelfDelay: number;
  readonly revocationPubkey: Uint8Array;
  readonly broadcasterDelayedPubkey: Uint8Array;
}

/**
 * The unsigned HTLC-timeout transaction (for an HTLC the broadcaster offered: locktime is its
 * cltv_expiry) or HTLC-success transaction (for one it received: locktime 0).
 */
export function buildHtlcTx(p: HtlcTxParams): Transaction {
  expectLength(p.commitmentTxid, 32, 'commitmentTxid');
  expectUint(p.outputIndex, U32_MAX, 'outputIndex');
  const amountSat = p.htlc.amountMsat / 1000n;
  const feeSat = htlcTxFeeSat(p.htlc.offered, p.feeratePerKw);
  if (amountSat <= feeSat) {
    throw new ValidationError(
      'htlc.amountMsat',
      `${amountSat} sat cannot pay the ${feeSat} sat second-stage fee (trimmed HTLC)`,
    );
  }
  const witnessScript = toLocalScript(p.revocationPubkey, p.toSelfDelay, p.broadcasterDelayedPubkey);
  return {
    version: 2,
    inputs: [
      {
        prevout: { txid: p.commitmentTxid, vout: p.outputIndex },
        scriptSig: new Uint8Array(0),
        sequence: 0,
        witness: [],
      },
    ],
    outputs: [{ valueSat: amountSat - feeSat, scriptPubKey: p2wshScript(witnessScript) }],
    locktime: p.htlc.offered ? expectUint(p.htlc.cltvExpiry, U32_MAX, 'htlc.cltvExpiry') : 0,
  };
}

/**
 * Witness of an HTLC-timeout (`preimage` undefined) or HTLC-success transaction:
 * `0 <remotehtlcsig> <localhtlcsig> <payment_preimage or empty> <htlc witness script>`.
 * Signatures are DER with their sighash byte appended.
 */
export function htlcTxWitness(
  countersignatorySig: Uint8Array,
  broadcasterSig: Uint8Array,
  preimage: Uint8Array | undefined,
  htlcWitnessScript: Uint8Array,
): Uint8Array[] {
  const preimageItem = preimage === undefined ? new Uint8Array(0) : expectLength(preimage, 32, 'preimage');
  return [new Uint8Array(0), countersignatorySig, broadcasterSig, preimageItem, htlcWitnessScript];
}
