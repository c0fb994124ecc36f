/**
 * The funding output and its spend (BOLT 3 "Funding Transaction Output"): a P2WSH 2-of-2 multisig
 * of both funding pubkeys, spent by commitment and closing transactions with both signatures in
 * the same order as the keys in the script.
 */
import { equalBytes } from '../bytes.js';
import { ValidationError } from '../errors.js';
import { p2wshScript } from '../bitcoin/output-scripts.js';
import type { TxOut } from '../bitcoin/tx.js';
import { fundingScript, sortedFundingPubkeys } from './scripts.js';

/** The funding transaction's output paying `valueSat` into the channel. */
export function fundingOutput(
  fundingPubkeyA: Uint8Array,
  fundingPubkeyB: Uint8Array,
  valueSat: bigint,
): TxOut {
  return { valueSat, scriptPubKey: p2wshScript(fundingScript(fundingPubkeyA, fundingPubkeyB)) };
}

/** A funding key with its witness signature (DER || sighash type). */
export interface FundingSignature {
  readonly pubkey: Uint8Array;
  readonly signature: Uint8Array;
}

/** Witness spending the funding output: `0 <sig for first key> <sig for second key> <script>`. */
export function fundingSpendWitness(a: FundingSignature, b: FundingSignature): Uint8Array[] {
  if (equalBytes(a.pubkey, b.pubkey))
    throw new ValidationError('fundingPubkeys', 'both funding keys are the same');
  const [first] = sortedFundingPubkeys(a.pubkey, b.pubkey);
  const [sig1, sig2] = equalBytes(first, a.pubkey) ? [a.signature, b.signature] : [b.signature, a.signature];
  return [new Uint8Array(0), sig1, sig2, fundingScript(a.pubkey, b.pubkey)];
}
