/**
 * BigSize, the variable-length integer of BOLT 1 (01-messaging.md "Fundamental Types", vectors in
 * "Appendix A: BigSize Test Vectors"): Bitcoin's CompactSize with big-endian multi-byte values.
 * Values up to 0xfc take one byte; larger ones a marker byte (0xfd, 0xfe, 0xff) then 2, 4 or 8 bytes.
 */
import { type ByteReader, type ByteWriter, U64_MAX, expectBigUint } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { type Codec, decodeValue, readUintBE, uintToBytesBE } from './fundamental.js';

/**
 * One multi-byte form. A value below `min` has a shorter form, and readers must reject it in this
 * one: each number has exactly one encoding, so TLV streams (and signatures over them) cannot be
 * re-encoded into different bytes with the same meaning.
 */
interface WideForm {
  readonly marker: number;
  readonly width: number;
  readonly min: bigint;
}

const FORM_U16: WideForm = { marker: 0xfd, width: 2, min: 0xfdn };
const FORM_U32: WideForm = { marker: 0xfe, width: 4, min: 0x1_0000n };
const FORM_U64: WideForm = { marker: 0xff, width: 8, min: 0x1_0000_0000n };
const FORM_BY_MARKER: ReadonlyMap<number, WideForm> = new Map(
  [FORM_U16, FORM_U32, FORM_U64].map((form) => [form.marker, form]),
);

function formFor(value: bigint): WideForm {
  if (value < FORM_U32.min) return FORM_U16;
  return value < FORM_U64.min ? FORM_U32 : FORM_U64;
}

/** The minimal BigSize encoding of `value` (an integer in [0, 2^64-1]). */
export function encodeBigSize(value: bigint, field: string): Uint8Array {
  expectBigUint(value, U64_MAX, field);
  if (value < FORM_U16.min) return Uint8Array.of(Number(value));
  const form = formFor(value);
  const out = new Uint8Array(1 + form.width);
  out[0] = form.marker;
  out.set(uintToBytesBE(value, form.width, field), 1);
  return out;
}

export function writeBigSize(writer: ByteWriter, value: bigint, field: string): void {
  writer.bytes(encodeBigSize(value, field));
}

/**
 * Reads one BigSize. Failures name `field` and say which kind they are: no bytes at all, a
 * truncated multi-byte form, or a non-minimal encoding.
 */
export function readBigSize(reader: ByteReader, field: string): bigint {
  if (reader.remaining === 0) throw new DecodeError(field, 'expected a BigSize, got end of input');
  const first = reader.u8(field);
  const form = FORM_BY_MARKER.get(first);
  if (form === undefined) return BigInt(first);
  if (reader.remaining < form.width) {
    throw new DecodeError(
      field,
      `truncated BigSize: marker 0x${first.toString(16)} needs ${form.width} more bytes, got ${reader.remaining}`,
    );
  }
  const value = readUintBE(reader, form.width, field);
  if (value < form.min) {
    throw new DecodeError(
      field,
      `non-minimal BigSize encoding: ${value} written with marker 0x${first.toString(16)}`,
    );
  }
  return value;
}

/** Decodes `bytes` as exactly one BigSize: trailing bytes are an error. */
export function decodeBigSize(bytes: Uint8Array, field: string): bigint {
  return decodeValue(bigSize, bytes, field);
}

/** BigSize as a field type, for message and TLV definitions (`struct`, `tlv`). */
export const bigSize: Codec<bigint> = { greedy: false, read: readBigSize, write: writeBigSize };
