/**
 * Bitcoin blocks: the 80-byte header and its hash, the block serialization (header, then the
 * transactions with their BIP 144 witnesses), the transaction merkle root (with bitcoind's
 * CVE-2012-2459 mutation check), the BIP 141 witness commitment, the BIP 34 coinbase height, and
 * compact targets ("nBits") with the proof-of-work check, as bitcoind's `CheckProofOfWork` does it.
 *
 * Decoding is strict like tx.ts: any byte string either yields a block whose re-encoding is exactly
 * the input, or a DecodeError naming the field.
 */
import {
  ByteReader,
  ByteWriter,
  concatBytes,
  equalBytes,
  expectLength,
  expectUint,
  fromHex,
  reverseBytes,
  toHex,
  U32_MAX,
} from '../bytes.js';
import { DecodeError, ValidationError } from '../errors.js';
import { readCompactSize, writeCompactSize } from './compact-size.js';
import { hash256 } from './hash.js';
import { OP } from './opcodes.js';
import { compileScript, scriptNumChunk } from './script.js';
import { encodeTx, readTx, txid, wtxid, type Transaction } from './tx.js';

export interface BlockHeader {
  /** Signed 32-bit, as in bitcoind (BIP 9 version bits live in the top bits). */
  readonly version: number;
  /** Hash of the previous header, internal byte order. */
  readonly prevBlockHash: Uint8Array;
  /** Merkle root of the txids, internal byte order. */
  readonly merkleRoot: Uint8Array;
  /** Seconds since the Unix epoch. */
  readonly time: number;
  /** The compact target ("nBits"). */
  readonly bits: number;
  readonly nonce: number;
}

export interface Block {
  readonly header: BlockHeader;
  /** The coinbase first. */
  readonly transactions: readonly Transaction[];
}

export const BLOCK_HEADER_BYTES = 80;
/** BIP 141 `MAX_BLOCK_WEIGHT`. */
export const MAX_BLOCK_WEIGHT = 4_000_000;
/** What a BIP 141 commitment output script starts with: OP_RETURN, push 36, then this tag. */
const WITNESS_COMMITMENT_TAG = Uint8Array.of(0xaa, 0x21, 0xa9, 0xed);
const WITNESS_COMMITMENT_SCRIPT_BYTES = 38;
/** Smallest serialized transaction: version, one input, no outputs, locktime. */
const MIN_TX_BYTES = 4 + 1 + 41 + 1 + 4;
const WITNESS_SCALE_FACTOR = 4;
const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const HASH_BYTES = 32;

/** Throws a ValidationError naming the first header field that cannot be serialized. */
export function validateBlockHeader(header: BlockHeader, field = 'header'): void {
  if (!Number.isInteger(header.version) || header.version < INT32_MIN || header.version > INT32_MAX) {
    throw new ValidationError(`${field}.version`, `expected a signed 32-bit integer, got ${header.version}`);
  }
  expectLength(header.prevBlockHash, HASH_BYTES, `${field}.prevBlockHash`);
  expectLength(header.merkleRoot, HASH_BYTES, `${field}.merkleRoot`);
  expectUint(header.time, U32_MAX, `${field}.time`);
  expectUint(header.bits, U32_MAX, `${field}.bits`);
  expectUint(header.nonce, U32_MAX, `${field}.nonce`);
}

/** The 80-byte serialization of `header`. */
export function encodeBlockHeader(header: BlockHeader): Uint8Array {
  validateBlockHeader(header);
  return writeHeader(new ByteWriter(BLOCK_HEADER_BYTES), header).finish();
}

function writeHeader(w: ByteWriter, header: BlockHeader): ByteWriter {
  return w
    .u32le(header.version >>> 0)
    .bytes(header.prevBlockHash)
    .bytes(header.merkleRoot)
    .u32le(header.time)
    .u32le(header.bits)
    .u32le(header.nonce);
}

/** Parses exactly 80 bytes of header. */
export function decodeBlockHeader(bytes: Uint8Array): BlockHeader {
  const reader = new ByteReader(bytes);
  const header = readBlockHeader(reader);
  reader.end('header');
  return header;
}

function readBlockHeader(reader: ByteReader): BlockHeader {
  return {
    version: reader.u32le('header.version') | 0,
    prevBlockHash: reader.bytes(HASH_BYTES, 'header.prevBlockHash'),
    merkleRoot: reader.bytes(HASH_BYTES, 'header.merkleRoot'),
    time: reader.u32le('header.time'),
    bits: reader.u32le('header.bits'),
    nonce: reader.u32le('header.nonce'),
  };
}

/** The block hash in internal byte order: HASH256 of the header. */
export function blockHash(header: BlockHeader): Uint8Array {
  return hash256(encodeBlockHeader(header));
}

/** The block hash as bitcoind displays it (byte-reversed hex). */
export function blockHashHex(header: BlockHeader): string {
  return toHex(reverseBytes(blockHash(header)));
}

/** Parses a display-order block hash into internal byte order. */
export function blockHashFromHex(hex: string, field = 'blockhash'): Uint8Array {
  return reverseBytes(expectLength(fromHex(hex, field), HASH_BYTES, field));
}

/**
 * Serializes `block`. With `witness: false` every transaction is in its legacy form (the
 * "stripped" size bitcoind reports); otherwise each transaction with a witness carries it.
 */
export function encodeBlock(block: Block, options: { witness?: boolean } = {}): Uint8Array {
  validateBlockHeader(block.header, 'block.header');
  const w = writeHeader(new ByteWriter(1024), block.header);
  writeCompactSize(w, block.transactions.length, 'block.transactions');
  for (const tx of block.transactions) w.bytes(encodeTx(tx, options));
  return w.finish();
}

/** Parses a whole serialized block; trailing bytes are an error. */
export function decodeBlock(bytes: Uint8Array): Block {
  const reader = new ByteReader(bytes);
  const header = readBlockHeader(reader);
  const count = readCompactSize(reader, 'block.transactions.count');
  if (count * MIN_TX_BYTES > reader.remaining) {
    throw new DecodeError(
      'block.transactions.count',
      `${count} transactions cannot fit in the ${reader.remaining} bytes left`,
    );
  }
  const transactions: Transaction[] = [];
  for (let i = 0; i < count; i++) {
    try {
      transactions.push(readTx(reader));
    } catch (e) {
      if (e instanceof DecodeError) throw new DecodeError(`block.transactions[${i}].${e.field}`, e.problem);
      throw e;
    }
  }
  reader.end('block');
  return { header, transactions };
}

/** BIP 141 block weight: stripped size * 3 + total size. */
export function blockWeight(block: Block): number {
  return (
    encodeBlock(block, { witness: false }).length * (WITNESS_SCALE_FACTOR - 1) + encodeBlock(block).length
  );
}

export interface MerkleRoot {
  readonly root: Uint8Array;
  /**
   * True when some level had two identical adjacent hashes (CVE-2012-2459): a different list of
   * transactions with a duplicate would give the same root, so bitcoind rejects such blocks.
   */
  readonly mutated: boolean;
}

/** bitcoind's `ComputeMerkleRoot`: pairs hashed with HASH256, an odd last hash paired with itself. */
export function merkleRoot(hashes: readonly Uint8Array[]): MerkleRoot {
  if (hashes.length === 0) return { root: new Uint8Array(HASH_BYTES), mutated: false };
  let level = hashes.map((h, i) => expectLength(h, HASH_BYTES, `hashes[${i}]`));
  let mutated = false;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left;
      if (i + 1 < level.length && equalBytes(left, right)) mutated = true;
      next.push(hash256(concatBytes(left, right)));
    }
    level = next;
  }
  return { root: level[0]!, mutated };
}

/** The merkle root a header commits to: over the txids. */
export function blockMerkleRoot(transactions: readonly Transaction[]): MerkleRoot {
  return merkleRoot(transactions.map(txid));
}

/** BIP 141 witness root: over the wtxids, the coinbase's taken as 32 zero bytes. */
export function witnessMerkleRoot(transactions: readonly Transaction[]): Uint8Array {
  return merkleRoot(transactions.map((tx, i) => (i === 0 ? new Uint8Array(HASH_BYTES) : wtxid(tx)))).root;
}

/** BIP 141 commitment: HASH256(witness root || witness reserved value). */
export function witnessCommitment(witnessRoot: Uint8Array, reservedValue: Uint8Array): Uint8Array {
  expectLength(witnessRoot, HASH_BYTES, 'witnessRoot');
  expectLength(reservedValue, HASH_BYTES, 'reservedValue');
  return hash256(concatBytes(witnessRoot, reservedValue));
}

/** The coinbase output script carrying `commitment`: `OP_RETURN <aa21a9ed || commitment>`. */
export function witnessCommitmentScript(commitment: Uint8Array): Uint8Array {
  expectLength(commitment, HASH_BYTES, 'commitment');
  return compileScript([OP.RETURN, concatBytes(WITNESS_COMMITMENT_TAG, commitment)]);
}

/**
 * Index of the coinbase output holding the witness commitment, or undefined. As bitcoind's
 * `GetWitnessCommitmentIndex`, the last output that matches wins.
 */
export function findWitnessCommitment(coinbase: Transaction): number | undefined {
  let found: number | undefined;
  coinbase.outputs.forEach((output, i) => {
    const script = output.scriptPubKey;
    if (
      script.length >= WITNESS_COMMITMENT_SCRIPT_BYTES &&
      script[0] === OP.RETURN &&
      script[1] === WITNESS_COMMITMENT_SCRIPT_BYTES - 2 &&
      equalBytes(script.subarray(2, 6), WITNESS_COMMITMENT_TAG)
    ) {
      found = i;
    }
  });
  return found;
}

/** The 32-byte commitment in output `index` of the coinbase (found by `findWitnessCommitment`). */
export function witnessCommitmentAt(coinbase: Transaction, index: number): Uint8Array {
  const output = coinbase.outputs[index];
  if (output === undefined) throw new ValidationError('coinbase.outputs', `no output ${index}`);
  return output.scriptPubKey.slice(6, 6 + HASH_BYTES);
}

/**
 * BIP 34: the script prefix a coinbase at `height` must start with, `CScript() << height` (so
 * OP_1..OP_16 for heights 1 to 16, a minimal script-number push above).
 */
export function coinbaseHeightPrefix(height: number): Uint8Array {
  expectUint(height, INT32_MAX, 'height');
  return compileScript([scriptNumChunk(height)]);
}

/** True when `scriptSig` starts with the BIP 34 height prefix of `height`. */
export function coinbaseCommitsToHeight(scriptSig: Uint8Array, height: number): boolean {
  const prefix = coinbaseHeightPrefix(height);
  return scriptSig.length >= prefix.length && equalBytes(scriptSig.subarray(0, prefix.length), prefix);
}

export interface CompactTarget {
  readonly target: bigint;
  readonly negative: boolean;
  readonly overflow: boolean;
}

/** Decodes compact `bits` as bitcoind's `arith_uint256::SetCompact`. */
export function decodeCompactTarget(bits: number): CompactTarget {
  expectUint(bits, U32_MAX, 'bits');
  const size = bits >>> 24;
  const word = bits & 0x007f_ffff;
  const target = size <= 3 ? BigInt(word >>> (8 * (3 - size))) : BigInt(word) << BigInt(8 * (size - 3));
  return {
    target,
    negative: word !== 0 && (bits & 0x0080_0000) !== 0,
    overflow: word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32)),
  };
}

/** A hash in internal byte order read as the 256-bit little-endian number PoW compares. */
export function hashToBigInt(hash: Uint8Array): bigint {
  return BigInt(`0x${toHex(reverseBytes(expectLength(hash, HASH_BYTES, 'hash')))}`);
}

/** bitcoind's `CheckProofOfWork`: `bits` decodes to a sane target no easier than `powLimit`, met by `hash`. */
export function checkProofOfWork(hash: Uint8Array, bits: number, powLimit: bigint): boolean {
  const { target, negative, overflow } = decodeCompactTarget(bits);
  if (negative || overflow || target === 0n || target > powLimit) return false;
  return hashToBigInt(hash) <= target;
}

/** Expected number of hashes to meet `bits`: 2^256 / (target + 1), as bitcoind's `GetBlockProof`. */
export function blockProof(bits: number): bigint {
  const { target, negative, overflow } = decodeCompactTarget(bits);
  if (negative || overflow || target === 0n) return 0n;
  return (1n << 256n) / (target + 1n);
}

/** bitcoind's `GetDifficulty`: the difficulty-1 target divided by this one, as a double. */
export function difficulty(bits: number): number {
  let shift = (bits >>> 24) & 0xff;
  let diff = 0xffff / (bits & 0x00ff_ffff);
  for (; shift < 29; shift++) diff *= 256;
  for (; shift > 29; shift--) diff /= 256;
  return diff;
}
