/**
 * Signature hashes: BIP 143 for segwit v0 inputs (everything Lightning signs) and the original
 * algorithm for legacy inputs (e.g. the P2PKH input of the BOLT 3 funding vector), for every
 * sighash type including SINGLE|ANYONECANPAY, which blind-mode justice blobs use.
 */
import { ByteWriter, expectBigUint, expectUint, U32_MAX, U64_MAX } from '../bytes.js';
import { ValidationError } from '../errors.js';
import { writeVarBytes } from './compact-size.js';
import { hash256 } from './hash.js';
import { OP } from './opcodes.js';
import { parseScriptOps } from './script.js';
import { encodeTx, validateTransaction, type Transaction, type TxIn, type TxOut } from './tx.js';

export const SIGHASH_ALL = 0x01;
export const SIGHASH_NONE = 0x02;
export const SIGHASH_SINGLE = 0x03;
export const SIGHASH_ANYONECANPAY = 0x80;

const ZERO_HASH: Uint8Array = new Uint8Array(32);

interface SighashMode {
  readonly base: number;
  readonly anyoneCanPay: boolean;
}

/** Splits a sighash type into its base (low 5 bits, as the interpreter masks) and ANYONECANPAY. */
function sighashMode(sighashType: number): SighashMode {
  expectUint(sighashType, U32_MAX, 'sighashType');
  return { base: sighashType & 0x1f, anyoneCanPay: (sighashType & SIGHASH_ANYONECANPAY) !== 0 };
}

function checkInputIndex(tx: Transaction, inputIndex: number): void {
  if (!Number.isInteger(inputIndex) || inputIndex < 0 || inputIndex >= tx.inputs.length) {
    throw new ValidationError('inputIndex', `expected an index below ${tx.inputs.length}, got ${inputIndex}`);
  }
}

function writeOutput(w: ByteWriter, output: TxOut): void {
  w.u64le(output.valueSat);
  writeVarBytes(w, output.scriptPubKey);
}

function hashOf(write: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter();
  write(w);
  return hash256(w.finish());
}

/**
 * BIP 143 sighash of input `inputIndex`, which spends `valueSat` locked by `scriptCode` (for P2WSH
 * the witness script; for P2WPKH the P2PKH script of the key hash).
 */
export function segwitV0Sighash(
  tx: Transaction,
  inputIndex: number,
  scriptCode: Uint8Array,
  valueSat: bigint,
  sighashType: number,
): Uint8Array {
  // Nothing below serializes the transaction, so nothing else would catch a field of the wrong size.
  validateTransaction(tx);
  checkInputIndex(tx, inputIndex);
  expectBigUint(valueSat, U64_MAX, 'valueSat');
  const { base, anyoneCanPay } = sighashMode(sighashType);
  const input = tx.inputs[inputIndex]!;
  const commitsToAllSequences = !anyoneCanPay && base !== SIGHASH_SINGLE && base !== SIGHASH_NONE;

  const hashPrevouts = anyoneCanPay
    ? ZERO_HASH
    : hashOf((w) => tx.inputs.forEach((i) => w.bytes(i.prevout.txid).u32le(i.prevout.vout)));
  const hashSequence = commitsToAllSequences
    ? hashOf((w) => tx.inputs.forEach((i) => w.u32le(i.sequence)))
    : ZERO_HASH;
  let hashOutputs = ZERO_HASH;
  if (base !== SIGHASH_SINGLE && base !== SIGHASH_NONE) {
    hashOutputs = hashOf((w) => tx.outputs.forEach((o) => writeOutput(w, o)));
  } else if (base === SIGHASH_SINGLE && inputIndex < tx.outputs.length) {
    hashOutputs = hashOf((w) => writeOutput(w, tx.outputs[inputIndex]!));
  }

  const w = new ByteWriter(256);
  w.u32le(tx.version >>> 0)
    .bytes(hashPrevouts)
    .bytes(hashSequence);
  w.bytes(input.prevout.txid).u32le(input.prevout.vout);
  writeVarBytes(w, scriptCode, 'scriptCode');
  w.u64le(valueSat).u32le(input.sequence).bytes(hashOutputs).u32le(tx.locktime).u32le(sighashType);
  return hash256(w.finish());
}

/** `scriptCode` with every OP_CODESEPARATOR removed, as the legacy algorithm signs it. */
function withoutCodeSeparators(scriptCode: Uint8Array): Uint8Array {
  const ops = parseScriptOps(scriptCode, 'scriptCode');
  if (!ops.some((op) => op.opcode === OP.CODESEPARATOR)) return scriptCode;
  const w = new ByteWriter(scriptCode.length);
  for (const op of ops) if (op.opcode !== OP.CODESEPARATOR) w.bytes(scriptCode.subarray(op.start, op.end));
  return w.finish();
}

/** The "one" hash legacy SIGHASH_SINGLE signs when the input has no matching output (a known quirk). */
function singleBugHash(): Uint8Array {
  const one = new Uint8Array(32);
  one[0] = 1;
  return one;
}

/**
 * Original (pre-segwit) sighash of input `inputIndex` whose previous output script is `scriptCode`.
 * Reproduces consensus behaviour, including SINGLE with no matching output hashing to 1.
 */
export function legacySighash(
  tx: Transaction,
  inputIndex: number,
  scriptCode: Uint8Array,
  sighashType: number,
): Uint8Array {
  // Checked here too because the SINGLE-without-output shortcut returns before encodeTx would check.
  validateTransaction(tx);
  checkInputIndex(tx, inputIndex);
  const { base, anyoneCanPay } = sighashMode(sighashType);
  if (base === SIGHASH_SINGLE && inputIndex >= tx.outputs.length) return singleBugHash();

  const signedScript = withoutCodeSeparators(scriptCode);
  const zeroOtherSequences = base === SIGHASH_NONE || base === SIGHASH_SINGLE;
  let inputs: TxIn[] = tx.inputs.map((input, i) => ({
    ...input,
    scriptSig: i === inputIndex ? signedScript : new Uint8Array(0),
    sequence: i !== inputIndex && zeroOtherSequences ? 0 : input.sequence,
    witness: [],
  }));
  if (anyoneCanPay) inputs = [inputs[inputIndex]!];

  let outputs: readonly TxOut[] = tx.outputs;
  if (base === SIGHASH_NONE) outputs = [];
  else if (base === SIGHASH_SINGLE) {
    outputs = tx.outputs
      .slice(0, inputIndex + 1)
      .map((o, i) => (i === inputIndex ? o : { valueSat: U64_MAX, scriptPubKey: new Uint8Array(0) }));
  }

  const body = encodeTx({ ...tx, inputs, outputs }, { witness: false });
  const w = new ByteWriter(body.length + 4);
  w.bytes(body).u32le(sighashType);
  return hash256(w.finish());
}
