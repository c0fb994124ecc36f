/**
 * Signing and checking segwit v0 inputs: BIP 143 sighash, then ECDSA. The one path every Vigil
 * signature takes. Lightning messages carry compact 64-byte signatures (SIGHASH_ALL implied);
 * witnesses carry strict DER with the sighash type byte appended.
 */
import { decodeDerWithSighash, encodeDerWithSighash } from './der.js';
import { signEcdsa, verifyEcdsa } from './ecdsa.js';
import { SIGHASH_ALL, segwitV0Sighash } from './sighash.js';
import type { Transaction } from './tx.js';

/** What an input signature commits to besides the transaction: the script and value it spends. */
export interface SpentOutput {
  /** BIP 143 scriptCode: the witness script for P2WSH, the P2PKH script of the key hash for P2WPKH. */
  readonly scriptCode: Uint8Array;
  readonly valueSat: bigint;
}

function sighashOf(tx: Transaction, inputIndex: number, spent: SpentOutput, sighashType: number): Uint8Array {
  return segwitV0Sighash(tx, inputIndex, spent.scriptCode, spent.valueSat, sighashType);
}

/** The compact (64-byte r || s) signature of input `inputIndex` by `privkey`. */
export function signSegwitV0Compact(
  tx: Transaction,
  inputIndex: number,
  spent: SpentOutput,
  privkey: Uint8Array,
  sighashType: number = SIGHASH_ALL,
): Uint8Array {
  return signEcdsa(sighashOf(tx, inputIndex, spent, sighashType), privkey);
}

/** The witness signature (DER || sighash type) of input `inputIndex` by `privkey`. */
export function signSegwitV0Input(
  tx: Transaction,
  inputIndex: number,
  spent: SpentOutput,
  privkey: Uint8Array,
  sighashType: number = SIGHASH_ALL,
): Uint8Array {
  return encodeDerWithSighash(signSegwitV0Compact(tx, inputIndex, spent, privkey, sighashType), sighashType);
}

/** True when the compact `sig` is `pubkey`'s valid signature of input `inputIndex`. */
export function verifySegwitV0Compact(
  tx: Transaction,
  inputIndex: number,
  spent: SpentOutput,
  sig: Uint8Array,
  pubkey: Uint8Array,
  sighashType: number = SIGHASH_ALL,
): boolean {
  return verifyEcdsa(sig, sighashOf(tx, inputIndex, spent, sighashType), pubkey);
}

/**
 * True when `witnessSig` (DER || sighash type) is `pubkey`'s valid signature of input `inputIndex`.
 * A malformed signature throws a DecodeError naming `field`.
 */
export function verifySegwitV0Input(
  tx: Transaction,
  inputIndex: number,
  spent: SpentOutput,
  witnessSig: Uint8Array,
  pubkey: Uint8Array,
  field = 'signature',
): boolean {
  const { sig, sighashType } = decodeDerWithSighash(witnessSig, field);
  return verifySegwitV0Compact(tx, inputIndex, spent, sig, pubkey, sighashType);
}
