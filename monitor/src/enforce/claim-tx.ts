/**
 * The claim transaction (BOLT 3 "Transactions", BOLT 5 "Revoked Transaction Close Handling",
 * "Unilateral Close Handling"): one transaction spending one or more `ClaimInput`s (claim-input.ts)
 * to the tenant's destination script, signed with the holder's keys alone.
 *
 * Deterministic (DESIGN.md "Enforcement"): the same inputs, destination and feerate give a
 * byte-identical transaction, so redundant monitors broadcast the same txid instead of competing:
 * - inputs sorted by outpoint (BIP 69: txid in display order, then vout), whatever order they come in;
 * - version 2 (BIP 68 relative locktimes need it), one output, no change;
 * - nLockTime = the largest locktime an input requires (not the anti-fee-sniping tip height,
 *   which would differ between monitors);
 * - nSequence = the input's CSV delay, else 0xfffffffd (BIP 125 replaceable, so the ClaimEngine can
 *   bump the fee; also not final, so nLockTime is enforced);
 * - the fee comes from an upper bound of the weight (every signature counted at its largest,
 *   73 bytes), never from the signed transaction, whose size would depend on the fee it pays;
 * - ECDSA nonces are RFC 6979 (ecdsa.ts), so signing twice gives the same signatures.
 */
import { compareBytes, equalBytes, expectUint, reverseBytes, toHex, U32_MAX } from '@vigil/shared/bytes';
import { ValidationError, VigilError } from '@vigil/shared/errors';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { signSegwitV0Input } from '@vigil/shared/bitcoin/sign';
import { type Transaction, type TxIn, txWeight } from '@vigil/shared/bitcoin/tx';
import { checkScript } from '@vigil/shared/monitor-model/script-checks';
import type { ClaimInput } from './claim-input.js';

/**
 * One dust floor for every destination: 546 sat is bitcoind's dust threshold for P2PKH, the
 * largest of the standard output types (P2WPKH 294, P2WSH and P2TR 330, P2SH 540), so a claim at
 * or above it is relayable whatever the tenant's destination script is.
 */
export const CLAIM_DUST_LIMIT_SAT = 546n;

/**
 * The largest witness signature: strict DER of at most 72 bytes (BIP 66) plus the sighash byte.
 * Our signer's are low-S (at most 71 + 1), so this over-counts by at most 2 bytes per input and the
 * claim never pays below its target feerate.
 */
export const MAX_WITNESS_SIGNATURE_BYTES = 73;

/** BIP 125: the highest nSequence that still signals replaceability. */
export const RBF_SEQUENCE = 0xffff_fffd;

/** nLockTime values from here on are Unix times, not heights; every HTLC expiry is a height. */
const LOCKTIME_THRESHOLD = 500_000_000;

/** The claim would give more to miners than it recovers, or would leave a dust output. */
export class ClaimNotWorthwhileError extends VigilError {}

/** The BIP 68 relative locktime in blocks: below 2^16, type and disable flags clear. */
function sequenceOf(input: ClaimInput, field: string): number {
  if (expectUint(input.csvDelay, 0xffff, `${field}.csvDelay`) > 0) return input.csvDelay;
  return RBF_SEQUENCE;
}

function outpointKey(input: ClaimInput): string {
  return `${toHex(reverseBytes(input.outpoint.txid))}:${input.outpoint.vout}`;
}

/**
 * `inputs` checked and in claim order. Invariants: at least one input, no outpoint twice, and a
 * non-aggregable input alone (claim-input.ts: aggregating it would let the counterparty pin the
 * whole claim).
 */
function orderedInputs(inputs: readonly ClaimInput[]): ClaimInput[] {
  if (inputs.length === 0) throw new ValidationError('inputs', 'a claim needs at least one input');
  const seen = new Set<string>();
  inputs.forEach((input, i) => {
    const key = outpointKey(input);
    if (seen.has(key)) throw new ValidationError(`inputs[${i}].outpoint`, `${key} is claimed twice`);
    seen.add(key);
    if (!input.aggregable && inputs.length > 1) {
      throw new ValidationError(
        `inputs[${i}]`,
        `a ${input.kind} input (${key}) must be claimed alone, not with ${inputs.length - 1} others`,
      );
    }
  });
  return [...inputs].sort(
    (a, b) =>
      compareBytes(reverseBytes(a.outpoint.txid), reverseBytes(b.outpoint.txid)) ||
      a.outpoint.vout - b.outpoint.vout,
  );
}

/** The largest locktime an input requires; all are block heights, as CLTV cannot mix the two. */
function claimLocktime(inputs: readonly ClaimInput[]): number {
  let locktime = 0;
  inputs.forEach((input, i) => {
    const required = expectUint(input.locktime, U32_MAX, `inputs[${i}].locktime`);
    if (required >= LOCKTIME_THRESHOLD) {
      throw new ValidationError(`inputs[${i}].locktime`, `${required} is a time, expected a block height`);
    }
    locktime = Math.max(locktime, required);
  });
  return locktime;
}

/**
 * The witness spending `input` with `signature` (BOLT 3, per output):
 * - `to_local` / HTLC-tx output by revocation: `<revocation_sig> 1 <script>`;
 * - HTLC output by revocation: `<revocation_sig> <revocationpubkey> <script>`;
 * - offered HTLC by preimage: `<remotehtlcsig> <payment_preimage> <script>`;
 * - received HTLC by timeout, and our delayed outputs: `<sig> <> <script>`;
 * - static_remotekey `to_remote` (P2WPKH): `<sig> <pubkey>`.
 */
function claimWitness(input: ClaimInput, signature: Uint8Array, field: string): Uint8Array[] {
  switch (input.kind) {
    case 'revokedToLocal':
    case 'revokedSecondStage':
      // MINIMALIF (policy) wants exactly 0x01 to take OP_IF.
      return [signature, Uint8Array.of(1), input.script];
    case 'revokedHtlc':
      return [signature, input.signingPubkey, input.script];
    case 'counterpartyHtlcPreimage':
      if (input.preimage?.length !== 32) {
        throw new ValidationError(`${field}.preimage`, 'a preimage claim needs the 32-byte preimage');
      }
      return [signature, input.preimage, input.script];
    case 'counterpartyHtlcTimeout':
    case 'holderDelayed':
      return [signature, new Uint8Array(0), input.script];
    case 'staticRemote':
      return [signature, input.signingPubkey];
  }
}

function unsignedClaimTx(
  inputs: readonly ClaimInput[],
  destinationScript: Uint8Array,
  valueSat: bigint,
): Transaction {
  return {
    version: 2,
    inputs: inputs.map((input, i): TxIn => ({
      prevout: input.outpoint,
      scriptSig: new Uint8Array(0),
      sequence: sequenceOf(input, `inputs[${i}]`),
      witness: [],
    })),
    outputs: [{ valueSat, scriptPubKey: destinationScript }],
    locktime: claimLocktime(inputs),
  };
}

/**
 * The weight of the claim of `inputs` (in any order) to `destinationScript`, an upper bound of the
 * signed transaction's: every signature is counted at 73 bytes, everything else is exact.
 */
export function claimWeight(inputs: readonly ClaimInput[], destinationScript: Uint8Array): number {
  checkScript(destinationScript, 'destinationScript');
  const ordered = orderedInputs(inputs);
  const placeholder = new Uint8Array(MAX_WITNESS_SIGNATURE_BYTES);
  const tx = unsignedClaimTx(ordered, destinationScript, 0n);
  return txWeight({
    ...tx,
    inputs: tx.inputs.map((txIn, i) => ({
      ...txIn,
      witness: claimWitness(ordered[i]!, placeholder, `inputs[${i}]`),
    })),
  });
}

/** The fee of the claim at `feeratePerKw`: weight * feerate / 1000, rounded up. */
export function claimFeeSat(
  inputs: readonly ClaimInput[],
  destinationScript: Uint8Array,
  feeratePerKw: number,
): bigint {
  const feerate = BigInt(expectUint(feeratePerKw, U32_MAX, 'feeratePerKw'));
  const weight = BigInt(claimWeight(inputs, destinationScript));
  return (weight * feerate + 999n) / 1000n;
}

/**
 * The signed claim of `inputs` to `destinationScript` at `feeratePerKw` (at least that feerate).
 * Throws ClaimNotWorthwhileError when the fee would exceed half the value claimed or the output
 * would be below `CLAIM_DUST_LIMIT_SAT`, and a ValidationError for inputs that cannot share it.
 */
export function buildClaimTx(
  inputs: readonly ClaimInput[],
  destinationScript: Uint8Array,
  feeratePerKw: number,
): Transaction {
  const ordered = orderedInputs(inputs);
  const totalSat = ordered.reduce((sum, input) => sum + input.valueSat, 0n);
  const feeSat = claimFeeSat(ordered, destinationScript, feeratePerKw);
  if (2n * feeSat > totalSat) {
    throw new ClaimNotWorthwhileError(
      'claim',
      `the ${feeSat} sat fee at ${feeratePerKw} sat/kW is more than half the ${totalSat} sat claimed`,
    );
  }
  const outputSat = totalSat - feeSat;
  if (outputSat < CLAIM_DUST_LIMIT_SAT) {
    throw new ClaimNotWorthwhileError(
      'claim',
      `${totalSat} sat less the ${feeSat} sat fee leaves ${outputSat} sat, below the ${CLAIM_DUST_LIMIT_SAT} sat dust limit`,
    );
  }
  const unsigned = unsignedClaimTx(ordered, destinationScript, outputSat);
  return {
    ...unsigned,
    inputs: unsigned.inputs.map((txIn, i) => {
      const input = ordered[i]!;
      const field = `inputs[${i}]`;
      // A key that is not the pubkey's would only show as a script failure once broadcast.
      if (!equalBytes(pubkeyFromPrivkey(input.signingKey, `${field}.signingKey`), input.signingPubkey)) {
        throw new ValidationError(`${field}.signingPubkey`, 'is not the public key of signingKey');
      }
      const spent = { scriptCode: input.script, valueSat: input.valueSat };
      const signature = signSegwitV0Input(unsigned, i, spent, input.signingKey);
      return { ...txIn, witness: claimWitness(input, signature, field) };
    }),
  };
}
