/**
 * BOLT 1 "Fundamental Types" (01-messaging.md): big-endian unsigned integers, two's-complement signed
 * integers, the truncated tu16/tu32/tu64 that may end a TLV value, `point`, and `short_channel_id`
 * (whose block/tx/output layout is BOLT 7 "Definition of short_channel_id").
 *
 * Every type is a `Codec`, so message and TLV definitions are declared by composing codecs
 * (`struct`) instead of hand-writing a parser per message.
 */
import { ByteReader, ByteWriter, expectBigUint, expectLength, expectUint, U64_MAX } from '../bytes.js';
import { DecodeError, ValidationError } from '../errors.js';

/**
 * Reads and writes one wire type. Reading bytes that are not a valid encoding throws a DecodeError
 * and writing a value the type cannot hold throws a ValidationError, both naming `field`.
 */
export interface Codec<T> {
  read(reader: ByteReader, field: string): T;
  write(writer: ByteWriter, value: T, field: string): void;
  /** The encoding has no length of its own and takes every remaining byte, so it can only come last. */
  readonly greedy: boolean;
}

/** The value type a codec reads and writes. */
export type CodecValue<C> = C extends Codec<infer T> ? T : never;

/** Decodes `bytes` as exactly one `codec` value: trailing bytes are an error, never ignored. */
export function decodeValue<T>(codec: Codec<T>, bytes: Uint8Array, field: string): T {
  expectBytes(bytes, field);
  const reader = new ByteReader(bytes);
  const value = codec.read(reader, field);
  reader.end(field);
  return value;
}

/** The encoding of one `codec` value. */
export function encodeValue<T>(codec: Codec<T>, value: T, field: string): Uint8Array {
  const writer = new ByteWriter();
  codec.write(writer, value, field);
  return writer.finish();
}

/** Reads `width` bytes (at most 8) as a big-endian unsigned integer. */
export function readUintBE(reader: ByteReader, width: number, field: string): bigint {
  expectUint(width, 8, `${field} width`);
  return uintFromBytes(reader.bytes(width, field));
}

function uintFromBytes(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

/** `value` as exactly `width` (at most 8) big-endian bytes; it must fit. */
export function uintToBytesBE(value: bigint, width: number, field: string): Uint8Array {
  expectUint(width, 8, `${field} width`);
  expectIntegerIn(value, 0n, uintMax(width), `a ${width}-byte unsigned integer`, field);
  const out = new Uint8Array(width);
  let rest = value;
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

function uintMax(width: number): bigint {
  return (1n << BigInt(8 * width)) - 1n;
}

function expectIntegerIn(value: bigint, min: bigint, max: bigint, what: string, field: string): void {
  if (typeof value !== 'bigint' || value < min || value > max) {
    throw new ValidationError(field, `expected ${what} in [${min}, ${max}], got ${String(value)}`);
  }
}

function expectBytes(bytes: Uint8Array, field: string): void {
  if (!(bytes instanceof Uint8Array)) throw new ValidationError(field, `expected bytes, got ${typeof bytes}`);
}

/** A fixed-width integer; signed ones are two's complement, which `BigInt.asIntN` undoes on read. */
function fixedInt(name: string, width: number, signed: boolean): Codec<bigint> {
  const bits = 8 * width;
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : uintMax(width);
  return {
    greedy: false,
    read(reader, field) {
      const raw = readUintBE(reader, width, field);
      return signed ? BigInt.asIntN(bits, raw) : raw;
    },
    write(writer, value, field) {
      expectIntegerIn(value, min, max, `a ${name}`, field);
      writer.bytes(uintToBytesBE(BigInt.asUintN(bits, value), width, field));
    },
  };
}

/**
 * A truncated integer has no length of its own: its size is whatever the enclosing TLV value leaves,
 * which is why it may only be the final field. BOLT 1 requires leading zeros to be omitted so each
 * value has exactly one encoding (zero is the empty encoding).
 */
function truncatedUint(name: string, width: number): Codec<bigint> {
  return {
    greedy: true,
    read(reader, field) {
      const length = reader.remaining;
      if (length > width) throw new DecodeError(field, `a ${name} is at most ${width} bytes, got ${length}`);
      const bytes = reader.bytes(length, field);
      if (bytes[0] === 0) throw new DecodeError(field, `non-minimal ${name}: leading zero byte`);
      return uintFromBytes(bytes);
    },
    write(writer, value, field) {
      expectIntegerIn(value, 0n, uintMax(width), `a ${name}`, field);
      writer.bytes(uintToBytesBE(value, minimalWidth(value), field));
    },
  };
}

function minimalWidth(value: bigint): number {
  let width = 0;
  for (let rest = value; rest > 0n; rest >>= 8n) width++;
  return width;
}

/** Types of at most 32 bits are exposed as `number`, which holds them exactly and reads naturally. */
function asNumber(codec: Codec<bigint>): Codec<number> {
  return {
    greedy: codec.greedy,
    read: (reader, field) => Number(codec.read(reader, field)),
    write(writer, value, field) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        throw new ValidationError(field, `expected an integer, got ${String(value)}`);
      }
      codec.write(writer, BigInt(value), field);
    },
  };
}

export const byte: Codec<number> = asNumber(fixedInt('byte', 1, false));
export const u16: Codec<number> = asNumber(fixedInt('u16', 2, false));
export const u32: Codec<number> = asNumber(fixedInt('u32', 4, false));
export const u64: Codec<bigint> = fixedInt('u64', 8, false);

export const s8: Codec<number> = asNumber(fixedInt('s8', 1, true));
export const s16: Codec<number> = asNumber(fixedInt('s16', 2, true));
export const s32: Codec<number> = asNumber(fixedInt('s32', 4, true));
export const s64: Codec<bigint> = fixedInt('s64', 8, true);

export const tu16: Codec<number> = asNumber(truncatedUint('tu16', 2));
export const tu32: Codec<number> = asNumber(truncatedUint('tu32', 4));
export const tu64: Codec<bigint> = truncatedUint('tu64', 8);

/** Exactly `length` bytes: `chain_hash`, `channel_id`, `sha256` (32), `signature` (64). */
export function fixedBytes(length: number): Codec<Uint8Array> {
  expectUint(length, Number.MAX_SAFE_INTEGER, 'fixedBytes length');
  return {
    greedy: false,
    read: (reader, field) => reader.bytes(length, field),
    write(writer, value, field) {
      writer.bytes(expectLength(value, length, field));
    },
  };
}

/** BOLT 1's 32-byte convenience types, named so message definitions read like the spec. */
export const chainHash: Codec<Uint8Array> = fixedBytes(32);
export const channelId: Codec<Uint8Array> = fixedBytes(32);
export const sha256: Codec<Uint8Array> = fixedBytes(32);
/** A compact ECDSA signature, r || s; whether it verifies is the signer's and verifier's concern. */
export const signature: Codec<Uint8Array> = fixedBytes(64);

/** BOLT 1: an amount may not exceed 21 million BTC, in satoshis (0x000775f05a074000)... */
export const MAX_AMOUNT_SAT = 21_000_000n * 100_000_000n;
/** ...and in millisatoshis (0x1d24b2dfac520000). */
export const MAX_AMOUNT_MSAT = MAX_AMOUNT_SAT * 1000n;

/** `codec` restricted to [0, max], in both directions: a larger value is no amount of bitcoin. */
function atMost(codec: Codec<bigint>, max: bigint, what: string): Codec<bigint> {
  const problem = (value: bigint) => `${what} ${value} exceeds the 21 million BTC cap of ${max}`;
  return {
    greedy: codec.greedy,
    read(reader, field) {
      const value = codec.read(reader, field);
      if (value > max) throw new DecodeError(field, problem(value));
      return value;
    },
    write(writer, value, field) {
      if (typeof value === 'bigint' && value > max) throw new ValidationError(field, problem(value));
      codec.write(writer, value, field);
    },
  };
}

/** A u64 amount in satoshis, capped as BOLT 1 requires. */
export const amountSat: Codec<bigint> = atMost(u64, MAX_AMOUNT_SAT, 'satoshi amount');
/** A u64 amount in millisatoshis, capped as BOLT 1 requires. */
export const amountMsat: Codec<bigint> = atMost(u64, MAX_AMOUNT_MSAT, 'millisatoshi amount');

/** The spec's `...*byte`: everything left in the enclosing value (e.g. `upfront_shutdown_script`). */
export const remainingBytes: Codec<Uint8Array> = {
  greedy: true,
  read: (reader, field) => reader.bytes(reader.remaining, field),
  write(writer, value, field) {
    expectBytes(value, field);
    writer.bytes(value);
  },
};

const POINT_LENGTH = 33;
const thirtyThreeBytes = fixedBytes(POINT_LENGTH);

/**
 * A compressed SEC 1 point. Only the form is checked here (length, 0x02/0x03 prefix); whether the
 * x coordinate is on the curve is checked where the point is used as a key.
 */
export const point: Codec<Uint8Array> = {
  greedy: false,
  read(reader, field) {
    const bytes = thirtyThreeBytes.read(reader, field);
    if (!hasCompressedPrefix(bytes)) throw new DecodeError(field, compressedPrefixProblem(bytes));
    return bytes;
  },
  write(writer, value, field) {
    expectLength(value, POINT_LENGTH, field);
    if (!hasCompressedPrefix(value)) throw new ValidationError(field, compressedPrefixProblem(value));
    writer.bytes(value);
  },
};

function hasCompressedPrefix(bytes: Uint8Array): boolean {
  return bytes[0] === 0x02 || bytes[0] === 0x03;
}

function compressedPrefixProblem(bytes: Uint8Array): string {
  return `not a compressed point: prefix 0x${bytes[0]!.toString(16).padStart(2, '0')}, expected 0x02 or 0x03`;
}

/** BOLT 7: the funding output's block height, transaction index in the block, and output index. */
export interface ShortChannelId {
  readonly block: number;
  readonly txIndex: number;
  readonly outputIndex: number;
}

const SCID_BLOCK_MAX = 0xff_ffff;
const SCID_TX_INDEX_MAX = 0xff_ffff;
const SCID_OUTPUT_INDEX_MAX = 0xffff;

function expectShortChannelId(scid: ShortChannelId, field: string): void {
  if (typeof scid !== 'object' || scid === null) {
    throw new ValidationError(
      field,
      `expected a short channel id, got ${scid === null ? 'null' : typeof scid}`,
    );
  }
  expectUint(scid.block, SCID_BLOCK_MAX, `${field}.block`);
  expectUint(scid.txIndex, SCID_TX_INDEX_MAX, `${field}.txIndex`);
  expectUint(scid.outputIndex, SCID_OUTPUT_INDEX_MAX, `${field}.outputIndex`);
}

/** The u64 form: 3 bytes block height, 3 bytes transaction index, 2 bytes output index. */
export function shortChannelIdToU64(scid: ShortChannelId, field: string): bigint {
  expectShortChannelId(scid, field);
  return (BigInt(scid.block) << 40n) | (BigInt(scid.txIndex) << 16n) | BigInt(scid.outputIndex);
}

export function shortChannelIdFromU64(value: bigint, field: string): ShortChannelId {
  expectBigUint(value, U64_MAX, field);
  return {
    block: Number(value >> 40n),
    txIndex: Number((value >> 16n) & BigInt(SCID_TX_INDEX_MAX)),
    outputIndex: Number(value & BigInt(SCID_OUTPUT_INDEX_MAX)),
  };
}

/** The human-readable `539268x845x1` form used in logs and RPCs. */
export function formatShortChannelId(scid: ShortChannelId, field: string): string {
  expectShortChannelId(scid, field);
  return `${scid.block}x${scid.txIndex}x${scid.outputIndex}`;
}

export const shortChannelId: Codec<ShortChannelId> = {
  greedy: false,
  read: (reader, field) => shortChannelIdFromU64(u64.read(reader, field), field),
  write(writer, value, field) {
    u64.write(writer, shortChannelIdToU64(value, field), field);
  },
};

/** The shape of the value a `struct` of `fields` reads and writes. */
export type StructValue<F extends StructFields> = { readonly [K in keyof F]: CodecValue<F[K]> };
export type StructFields = Readonly<Record<string, Codec<unknown>>>;

/**
 * Fields in sequence, in the order the object literal lists them (the spec's data list). Integer-like
 * names are refused because JavaScript enumerates them first, which would silently reorder the wire
 * format; a greedy field is refused anywhere but last, where it would swallow the fields after it.
 */
export function struct<F extends StructFields>(fields: F): Codec<StructValue<F>> {
  const entries = Object.entries(fields);
  entries.forEach(([name, codec], i) => {
    if (/^(?:0|[1-9]\d*)$/.test(name)) {
      throw new ValidationError(`struct.${name}`, 'integer-like field names would be reordered');
    }
    if (codec.greedy && i !== entries.length - 1) {
      throw new ValidationError(
        `struct.${name}`,
        'a field taking all remaining bytes must be the last field',
      );
    }
  });
  return {
    greedy: entries.some(([, codec]) => codec.greedy),
    read(reader, field) {
      const out: Record<string, unknown> = {};
      for (const [name, codec] of entries) out[name] = codec.read(reader, `${field}.${name}`);
      return out as StructValue<F>;
    },
    write(writer, value, field) {
      if (typeof value !== 'object' || value === null) {
        throw new ValidationError(field, `expected an object, got ${value === null ? 'null' : typeof value}`);
      }
      const record = value as Readonly<Record<string, unknown>>;
      for (const [name, codec] of entries) codec.write(writer, record[name], `${field}.${name}`);
    },
  };
}
