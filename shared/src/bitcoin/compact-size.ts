/**
 * Bitcoin's CompactSize ("varint") length prefix: little-endian, 1, 3, 5 or 9 bytes.
 * Decoding rejects non-canonical encodings as bitcoind does (`non-canonical ReadCompactSize()`),
 * so every transaction has exactly one serialization and hence one txid.
 */
import type { ByteReader, ByteWriter } from '../bytes.js';
import { DecodeError, ValidationError } from '../errors.js';

/** bitcoind's MAX_SIZE: no length in a transaction or block may exceed it. */
export const MAX_COMPACT_SIZE = 0x0200_0000;

/** Reads a CompactSize length; it must be canonical and at most MAX_COMPACT_SIZE. */
export function readCompactSize(reader: ByteReader, field: string): number {
  const first = reader.u8(field);
  let value: number;
  let min: number;
  if (first < 0xfd) return first;
  if (first === 0xfd) {
    value = reader.u16le(field);
    min = 0xfd;
  } else if (first === 0xfe) {
    value = reader.u32le(field);
    min = 0x1_0000;
  } else {
    const big = reader.u64le(field);
    if (big > BigInt(MAX_COMPACT_SIZE))
      throw new DecodeError(field, `length ${big} exceeds ${MAX_COMPACT_SIZE}`);
    value = Number(big);
    min = 0x1_0000_0000;
  }
  if (value < min) throw new DecodeError(field, `non-canonical CompactSize encoding of ${value}`);
  if (value > MAX_COMPACT_SIZE) throw new DecodeError(field, `length ${value} exceeds ${MAX_COMPACT_SIZE}`);
  return value;
}

/** Writes `value` as a canonical CompactSize. */
export function writeCompactSize(writer: ByteWriter, value: number, field = 'length'): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_COMPACT_SIZE) {
    throw new ValidationError(field, `expected a length in [0, ${MAX_COMPACT_SIZE}], got ${value}`);
  }
  if (value < 0xfd) writer.u8(value);
  else if (value <= 0xffff) writer.u8(0xfd).u16le(value);
  else writer.u8(0xfe).u32le(value);
}

/** Reads a CompactSize length followed by that many bytes. */
export function readVarBytes(reader: ByteReader, field: string): Uint8Array {
  const length = readCompactSize(reader, `${field}.length`);
  return reader.bytes(length, field);
}

/** Writes `bytes` prefixed with their CompactSize length. */
export function writeVarBytes(writer: ByteWriter, bytes: Uint8Array, field = 'bytes'): void {
  writeCompactSize(writer, bytes.length, `${field}.length`);
  writer.bytes(bytes);
}
