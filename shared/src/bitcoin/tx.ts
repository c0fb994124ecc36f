/**
 * Bitcoin transactions: the value model and its consensus serialization, legacy and segwit
 * (BIP 144), with txid, wtxid, weight and vsize (BIP 141).
 *
 * Decoding is strict and total: any byte string either yields a transaction whose re-encoding is
 * exactly the input, or a DecodeError naming the field (`tx.inputs[1].scriptSig.length: ...`).
 * Counts are checked against the bytes left before anything is allocated, so a hostile length
 * prefix cannot make the decoder allocate more than the input's size.
 */
import {
  ByteReader,
  ByteWriter,
  expectBigUint,
  expectLength,
  expectUint,
  fromHex,
  reverseBytes,
  toHex,
  U32_MAX,
  U64_MAX,
} from '../bytes.js';
import { DecodeError, ValidationError } from '../errors.js';
import { readCompactSize, readVarBytes, writeCompactSize, writeVarBytes } from './compact-size.js';
import { hash256 } from './hash.js';

/** A reference to a transaction output. `txid` is in internal byte order (as serialized). */
export interface OutPoint {
  readonly txid: Uint8Array;
  readonly vout: number;
}

export interface TxIn {
  readonly prevout: OutPoint;
  readonly scriptSig: Uint8Array;
  readonly sequence: number;
  /** Witness stack items, bottom first; empty for a non-witness input. */
  readonly witness: readonly Uint8Array[];
}

export interface TxOut {
  readonly valueSat: bigint;
  readonly scriptPubKey: Uint8Array;
}

export interface Transaction {
  /** Signed 32-bit, as in bitcoind; BOLT 3 uses 2. */
  readonly version: number;
  readonly inputs: readonly TxIn[];
  readonly outputs: readonly TxOut[];
  readonly locktime: number;
}

/** Smallest serialized input: outpoint (36) + empty script length (1) + sequence (4). */
const MIN_INPUT_BYTES = 41;
/** Smallest serialized output: value (8) + empty script length (1). */
const MIN_OUTPUT_BYTES = 9;
const WITNESS_SCALE_FACTOR = 4;
const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

/** Throws a ValidationError naming the first field that cannot be serialized. */
export function validateTransaction(tx: Transaction, field = 'tx'): void {
  if (!Number.isInteger(tx.version) || tx.version < INT32_MIN || tx.version > INT32_MAX) {
    throw new ValidationError(`${field}.version`, `expected a signed 32-bit integer, got ${tx.version}`);
  }
  // A legacy serialization with zero inputs would start with the byte BIP 144 uses as the segwit
  // marker; no valid transaction has zero inputs, so refusing them keeps decoding unambiguous.
  if (tx.inputs.length === 0)
    throw new ValidationError(`${field}.inputs`, 'a transaction needs at least one input');
  tx.inputs.forEach((input, i) => {
    const at = `${field}.inputs[${i}]`;
    expectLength(input.prevout.txid, 32, `${at}.prevout.txid`);
    expectUint(input.prevout.vout, U32_MAX, `${at}.prevout.vout`);
    expectUint(input.sequence, U32_MAX, `${at}.sequence`);
  });
  tx.outputs.forEach((output, i) =>
    expectBigUint(output.valueSat, U64_MAX, `${field}.outputs[${i}].valueSat`),
  );
  expectUint(tx.locktime, U32_MAX, `${field}.locktime`);
}

/** True when any input carries witness data, which selects the BIP 144 serialization. */
export function hasWitness(tx: Transaction): boolean {
  return tx.inputs.some((input) => input.witness.length > 0);
}

/**
 * Serializes `tx`. With `witness: false`, or when no input has a witness, the legacy form (the one
 * a txid commits to); otherwise BIP 144's marker, flag and witness section.
 */
export function encodeTx(tx: Transaction, options: { witness?: boolean } = {}): Uint8Array {
  validateTransaction(tx);
  const withWitness = (options.witness ?? true) && hasWitness(tx);
  const w = new ByteWriter(256);
  w.u32le(tx.version >>> 0);
  if (withWitness) w.u8(0x00).u8(0x01);
  writeCompactSize(w, tx.inputs.length, 'tx.inputs');
  tx.inputs.forEach((input, i) => {
    w.bytes(input.prevout.txid).u32le(input.prevout.vout);
    writeVarBytes(w, input.scriptSig, `tx.inputs[${i}].scriptSig`);
    w.u32le(input.sequence);
  });
  writeCompactSize(w, tx.outputs.length, 'tx.outputs');
  tx.outputs.forEach((output, i) => {
    w.u64le(output.valueSat);
    writeVarBytes(w, output.scriptPubKey, `tx.outputs[${i}].scriptPubKey`);
  });
  if (withWitness) {
    tx.inputs.forEach((input, i) => {
      writeCompactSize(w, input.witness.length, `tx.inputs[${i}].witness`);
      input.witness.forEach((item, j) => writeVarBytes(w, item, `tx.inputs[${i}].witness[${j}]`));
    });
  }
  w.u32le(tx.locktime);
  return w.finish();
}

/** Parses a whole serialized transaction; trailing bytes are an error. */
export function decodeTx(bytes: Uint8Array): Transaction {
  const reader = new ByteReader(bytes);
  const tx = readTx(reader);
  reader.end('tx');
  return tx;
}

/** Reads one transaction from `reader` (blocks hold several back to back). */
export function readTx(reader: ByteReader): Transaction {
  const version = reader.u32le('tx.version') | 0;
  let segwit = false;
  // A legacy transaction never has zero inputs, so a 0x00 here can only be the BIP 144 marker.
  if (reader.peekU8('tx.inputs.count') === 0x00) {
    reader.u8('tx.marker');
    const flag = reader.u8('tx.flag');
    if (flag !== 0x01)
      throw new DecodeError(
        'tx.flag',
        `expected 0x01 after the segwit marker, got 0x${flag.toString(16).padStart(2, '0')}`,
      );
    segwit = true;
  }
  const inputCount = readCount(reader, MIN_INPUT_BYTES, 'tx.inputs');
  const partialInputs: Omit<TxIn, 'witness'>[] = [];
  for (let i = 0; i < inputCount; i++) partialInputs.push(readInputWithoutWitness(reader, `tx.inputs[${i}]`));
  const outputCount = readCount(reader, MIN_OUTPUT_BYTES, 'tx.outputs');
  const outputs: TxOut[] = [];
  for (let i = 0; i < outputCount; i++) outputs.push(readOutput(reader, `tx.outputs[${i}]`));
  const inputs: TxIn[] = partialInputs.map((input, i) => ({
    ...input,
    witness: segwit ? readWitness(reader, `tx.inputs[${i}].witness`) : [],
  }));
  if (inputCount === 0) throw new DecodeError('tx.inputs', 'a transaction needs at least one input');
  if (segwit && !inputs.some((input) => input.witness.length > 0)) {
    throw new DecodeError(
      'tx.witness',
      'segwit marker set but every witness is empty (superfluous witness record)',
    );
  }
  const locktime = reader.u32le('tx.locktime');
  return { version, inputs, outputs, locktime };
}

function readCount(reader: ByteReader, minItemBytes: number, field: string): number {
  const count = readCompactSize(reader, `${field}.count`);
  if (count * minItemBytes > reader.remaining) {
    throw new DecodeError(
      `${field}.count`,
      `${count} items cannot fit in the ${reader.remaining} bytes left`,
    );
  }
  return count;
}

function readInputWithoutWitness(reader: ByteReader, field: string): Omit<TxIn, 'witness'> {
  const txid = reader.bytes(32, `${field}.prevout.txid`);
  const vout = reader.u32le(`${field}.prevout.vout`);
  const scriptSig = readVarBytes(reader, `${field}.scriptSig`);
  const sequence = reader.u32le(`${field}.sequence`);
  return { prevout: { txid, vout }, scriptSig, sequence };
}

function readOutput(reader: ByteReader, field: string): TxOut {
  const valueSat = reader.u64le(`${field}.valueSat`);
  const scriptPubKey = readVarBytes(reader, `${field}.scriptPubKey`);
  return { valueSat, scriptPubKey };
}

function readWitness(reader: ByteReader, field: string): Uint8Array[] {
  const count = readCount(reader, 1, field);
  const items: Uint8Array[] = [];
  for (let j = 0; j < count; j++) items.push(readVarBytes(reader, `${field}[${j}]`));
  return items;
}

/** The txid in internal byte order: HASH256 of the legacy serialization. */
export function txid(tx: Transaction): Uint8Array {
  return hash256(encodeTx(tx, { witness: false }));
}

/** The txid as displayed by bitcoind and block explorers (byte-reversed hex). */
export function txidHex(tx: Transaction): string {
  return toHex(reverseBytes(txid(tx)));
}

/** The wtxid in internal byte order: HASH256 of the full serialization (BIP 141). */
export function wtxid(tx: Transaction): Uint8Array {
  return hash256(encodeTx(tx));
}

/** BIP 141 weight: base size * 3 + total size. */
export function txWeight(tx: Transaction): number {
  return encodeTx(tx, { witness: false }).length * (WITNESS_SCALE_FACTOR - 1) + encodeTx(tx).length;
}

/** Virtual size: weight / 4, rounded up. */
export function txVsize(tx: Transaction): number {
  return Math.ceil(txWeight(tx) / WITNESS_SCALE_FACTOR);
}

/** Parses a display-order (reversed) hex txid into internal byte order. */
export function txidFromHex(hex: string, field = 'txid'): Uint8Array {
  return reverseBytes(expectLength(fromHex(hex, field), 32, field));
}

/** A copy of `tx` with input `inputIndex`'s witness replaced (signing fills witnesses in last). */
export function withInputWitness(
  tx: Transaction,
  inputIndex: number,
  witness: readonly Uint8Array[],
): Transaction {
  if (!Number.isInteger(inputIndex) || inputIndex < 0 || inputIndex >= tx.inputs.length) {
    throw new ValidationError('inputIndex', `expected an index below ${tx.inputs.length}, got ${inputIndex}`);
  }
  return {
    ...tx,
    inputs: tx.inputs.map((input, i) => (i === inputIndex ? { ...input, witness: [...witness] } : input)),
  };
}
