import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, fromHex, toHex } from '../../src/bytes.js';
import { DecodeError, ValidationError } from '../../src/errors.js';
import {
  type Codec,
  byte,
  decodeValue,
  encodeValue,
  fixedBytes,
  formatShortChannelId,
  point,
  readUintBE,
  remainingBytes,
  s16,
  s32,
  s64,
  s8,
  shortChannelId,
  shortChannelIdFromU64,
  shortChannelIdToU64,
  struct,
  tu16,
  tu32,
  tu64,
  u16,
  u32,
  u64,
  uintToBytesBE,
} from '../../src/ln/fundamental.js';
import { loadVectors } from '../vectors.js';

interface SignedCase {
  value: number;
  value_str?: string;
  bytes: string;
  type: 's8' | 's16' | 's32' | 's64';
}

const signedVectors = loadVectors<{ cases: SignedCase[] }>('bolt01-signed-integers.json');

const NUMBER_SIGNED: Record<Exclude<SignedCase['type'], 's64'>, Codec<number>> = { s8, s16, s32 };

function roundTripSigned(c: SignedCase): { encoded: string; decoded: string } {
  if (c.type === 's64') {
    const value = BigInt(c.value_str ?? c.value);
    return {
      encoded: toHex(encodeValue(s64, value, 'v')),
      decoded: String(decodeValue(s64, fromHex(c.bytes), 'v')),
    };
  }
  const codec = NUMBER_SIGNED[c.type];
  return {
    encoded: toHex(encodeValue(codec, c.value, 'v')),
    decoded: String(decodeValue(codec, fromHex(c.bytes), 'v')),
  };
}

describe('signed integer spec vectors (BOLT 1 Appendix D)', () => {
  const cases = signedVectors.cases.map((c) => [`${c.type} ${c.value_str ?? c.value}`, c] as const);

  it('has the vectors the spec prints', () => {
    expect(signedVectors.cases).toHaveLength(23);
  });

  it.each(cases)('encodes %s', (_name, c) => {
    expect(roundTripSigned(c).encoded).toBe(c.bytes);
  });

  it.each(cases)('decodes %s', (_name, c) => {
    expect(roundTripSigned(c).decoded).toBe(c.value_str ?? String(c.value));
  });
});

describe('signed integers', () => {
  it.each([
    ['s8', s8, 128],
    ['s8', s8, -129],
    ['s16', s16, 32768],
    ['s32', s32, -2147483649],
  ] as const)('%s refuses %d', (name, codec, value) => {
    expect(() => encodeValue(codec, value, 'fee')).toThrow(ValidationError);
    expect(() => encodeValue(codec, value, 'fee')).toThrow(new RegExp(`^fee: expected a ${name} in \\[`));
  });

  it('s64 refuses values past its range', () => {
    expect(() => encodeValue(s64, 1n << 63n, 'x')).toThrow(ValidationError);
    expect(() => encodeValue(s64, -(1n << 63n) - 1n, 'x')).toThrow(ValidationError);
  });

  it('refuses a truncated s32', () => {
    expect(() => decodeValue(s32, fromHex('ffff'), 'delta')).toThrow(
      new DecodeError('delta', 'expected 4 bytes, got 2'),
    );
  });
});

describe('fixed-width unsigned integers', () => {
  it.each([
    ['byte', byte, 0xab, 'ab'],
    ['u16', u16, 0x0226, '0226'],
    ['u32', u32, 0xfedcba98, 'fedcba98'],
  ] as const)('%s encodes big-endian', (_name, codec, value, hex) => {
    expect(toHex(encodeValue(codec, value, 'v'))).toBe(hex);
    expect(decodeValue(codec, fromHex(hex), 'v')).toBe(value);
  });

  it('u64 holds 2^64-1 exactly', () => {
    const max = 0xffff_ffff_ffff_ffffn;
    expect(toHex(encodeValue(u64, max, 'v'))).toBe('ffffffffffffffff');
    expect(decodeValue(u64, fromHex('0000000000000226'), 'v')).toBe(550n);
    expect(decodeValue(u64, fromHex('ffffffffffffffff'), 'v')).toBe(max);
  });

  it.each([
    ['u16 too big', u16, 0x1_0000],
    ['u16 negative', u16, -1],
    ['u32 too big', u32, 2 ** 32],
    ['byte too big', byte, 256],
  ] as const)('refuses %s', (_name, codec, value) => {
    expect(() => encodeValue(codec, value, 'cltv_expiry_delta')).toThrow(
      /^cltv_expiry_delta: expected a (u16|u32|byte) in \[0, \d+\], got -?\d+$/,
    );
  });

  it.each([
    ['a fraction', 1.5],
    ['NaN', NaN],
    ['an unsafe integer', 2 ** 53],
    ['a bigint', 1n],
  ])('refuses %s where a number is expected', (_name, value) => {
    expect(() => encodeValue(u32, value as number, 'v')).toThrow(/^v: expected an integer, got /);
  });

  it('u64 refuses out-of-range and non-bigint values', () => {
    expect(() => encodeValue(u64, -1n, 'amount')).toThrow(ValidationError);
    expect(() => encodeValue(u64, 1n << 64n, 'amount')).toThrow(ValidationError);
    expect(() => encodeValue(u64, 1 as unknown as bigint, 'amount')).toThrow(/^amount: expected a u64/);
  });

  it('reports truncation and trailing bytes naming the field', () => {
    expect(() => decodeValue(u64, fromHex('00000000000002'), 'amount')).toThrow(
      new DecodeError('amount', 'expected 8 bytes, got 7'),
    );
    expect(() => decodeValue(u16, fromHex('000102'), 'cltv')).toThrow(
      new DecodeError('cltv', '1 unexpected trailing bytes'),
    );
  });

  it('decodeValue refuses something that is not bytes', () => {
    expect(() => decodeValue(u16, [0, 1] as unknown as Uint8Array, 'v')).toThrow(ValidationError);
  });
});

describe('big-endian helpers', () => {
  it('read and write widths up to 8 bytes', () => {
    expect(readUintBE(new ByteReader(fromHex('010203')), 3, 'v')).toBe(0x010203n);
    expect(toHex(uintToBytesBE(0x0102n, 3, 'v'))).toBe('000102');
    expect(toHex(uintToBytesBE(0n, 0, 'v'))).toBe('');
  });

  it('refuse values that do not fit and widths past 8', () => {
    expect(() => uintToBytesBE(0x1_0000n, 2, 'v')).toThrow(
      new ValidationError('v', 'expected a 2-byte unsigned integer in [0, 65535], got 65536'),
    );
    expect(() => uintToBytesBE(0n, 9, 'v')).toThrow(ValidationError);
    expect(() => readUintBE(new ByteReader(new Uint8Array(9)), 9, 'v')).toThrow(ValidationError);
  });
});

describe('truncated integers', () => {
  it.each([
    [0n, ''],
    [1n, '01'],
    [0xffn, 'ff'],
    [0x100n, '0100'],
    [0x1_0000_0000n, '0100000000'],
    [0xffff_ffff_ffff_ffffn, 'ffffffffffffffff'],
  ])('tu64 %d is %s', (value, hex) => {
    expect(toHex(encodeValue(tu64, value, 'v'))).toBe(hex);
    expect(decodeValue(tu64, fromHex(hex), 'v')).toBe(value);
  });

  it.each([
    ['tu16', tu16, 0xffff, 'ffff'],
    ['tu16', tu16, 0x7f, '7f'],
    ['tu32', tu32, 0x01_0000, '010000'],
    ['tu32', tu32, 0, ''],
  ] as const)('%s %d is "%s"', (_name, codec, value, hex) => {
    expect(toHex(encodeValue(codec, value, 'v'))).toBe(hex);
    expect(decodeValue(codec, fromHex(hex), 'v')).toBe(value);
  });

  it.each([
    ['tu64', tu64 as Codec<unknown>, '00'],
    ['tu64', tu64 as Codec<unknown>, '0001'],
    ['tu32', tu32 as Codec<unknown>, '00000001'],
    ['tu16', tu16 as Codec<unknown>, '00ff'],
  ])('%s rejects a leading zero in %s', (name, codec, hex) => {
    expect(() => decodeValue(codec, fromHex(hex), 'amt')).toThrow(
      new DecodeError('amt', `non-minimal ${name}: leading zero byte`),
    );
  });

  it.each([
    ['tu16', tu16 as Codec<unknown>, 2, '010000'],
    ['tu32', tu32 as Codec<unknown>, 4, '0100000000'],
    ['tu64', tu64 as Codec<unknown>, 8, '010000000000000000'],
  ])('%s rejects more than %d bytes', (name, codec, width, hex) => {
    expect(() => decodeValue(codec, fromHex(hex), 'amt')).toThrow(
      new DecodeError('amt', `a ${name} is at most ${width} bytes, got ${width + 1}`),
    );
  });

  it('refuse values past their width', () => {
    expect(() => encodeValue(tu16, 0x1_0000, 'v')).toThrow(/^v: expected a tu16 in \[0, 65535\]/);
    expect(() => encodeValue(tu32, -1, 'v')).toThrow(ValidationError);
    expect(() => encodeValue(tu64, 1n << 64n, 'v')).toThrow(ValidationError);
  });

  it('always encode minimally', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }), (value) => {
        const bytes = encodeValue(tu64, value, 'v');
        expect(bytes[0]).not.toBe(0);
        expect(decodeValue(tu64, bytes, 'v')).toBe(value);
      }),
    );
  });

  it('are greedy and fixed-width types are not', () => {
    expect([tu16, tu32, tu64, remainingBytes].every((c) => c.greedy)).toBe(true);
    expect([byte, u16, u32, u64, s8, s64, point, shortChannelId].some((c) => c.greedy)).toBe(false);
  });
});

describe('short_channel_id', () => {
  const scid = { block: 539268, txIndex: 845, outputIndex: 1 };
  const u64Form = (539268n << 40n) | (845n << 16n) | 1n;

  it('converts to and from its u64 form', () => {
    expect(shortChannelIdToU64(scid, 'scid')).toBe(u64Form);
    expect(shortChannelIdFromU64(u64Form, 'scid')).toEqual(scid);
    expect(formatShortChannelId(scid, 'scid')).toBe('539268x845x1');
  });

  it('round-trips as 8 big-endian bytes', () => {
    const bytes = encodeValue(shortChannelId, scid, 'scid');
    expect(toHex(bytes)).toBe(u64Form.toString(16).padStart(16, '0'));
    expect(decodeValue(shortChannelId, bytes, 'scid')).toEqual(scid);
  });

  it('decodes the largest components', () => {
    expect(shortChannelIdFromU64(0xffff_ffff_ffff_ffffn, 'scid')).toEqual({
      block: 0xff_ffff,
      txIndex: 0xff_ffff,
      outputIndex: 0xffff,
    });
  });

  it.each([
    ['block', { block: 1 << 24, txIndex: 0, outputIndex: 0 }],
    ['txIndex', { block: 0, txIndex: 1 << 24, outputIndex: 0 }],
    ['outputIndex', { block: 0, txIndex: 0, outputIndex: 1 << 16 }],
    ['outputIndex', { block: 0, txIndex: 0, outputIndex: -1 }],
  ])('refuses an out-of-range %s', (component, value) => {
    expect(() => encodeValue(shortChannelId, value, 'update.scid')).toThrow(
      new RegExp(`^update\\.scid\\.${component}: expected an integer in`),
    );
  });

  it('refuses a missing value and an out-of-range u64', () => {
    expect(() => shortChannelIdToU64(null as never, 'scid')).toThrow(
      new ValidationError('scid', 'expected a short channel id, got null'),
    );
    expect(() => shortChannelIdFromU64(1n << 64n, 'scid')).toThrow(ValidationError);
  });
});

describe('point', () => {
  const key = fromHex('023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb');

  it('accepts 0x02 and 0x03 prefixes', () => {
    expect(decodeValue(point, key, 'node_id')).toEqual(key);
    const odd = Uint8Array.from(key);
    odd[0] = 0x03;
    expect(encodeValue(point, odd, 'node_id')).toEqual(odd);
  });

  it('rejects another prefix when decoding and when encoding', () => {
    const uncompressed = Uint8Array.from(key);
    uncompressed[0] = 0x04;
    const problem = 'not a compressed point: prefix 0x04, expected 0x02 or 0x03';
    expect(() => decodeValue(point, uncompressed, 'node_id')).toThrow(new DecodeError('node_id', problem));
    expect(() => encodeValue(point, uncompressed, 'node_id')).toThrow(
      new ValidationError('node_id', problem),
    );
  });

  it('rejects the wrong length', () => {
    expect(() => decodeValue(point, key.subarray(0, 32), 'node_id')).toThrow(
      new DecodeError('node_id', 'expected 33 bytes, got 32'),
    );
    expect(() => encodeValue(point, key.subarray(0, 32), 'node_id')).toThrow(
      new ValidationError('node_id', 'expected 33 bytes, got 32'),
    );
  });
});

describe('byte strings', () => {
  it('fixedBytes takes exactly its length', () => {
    const chainHash = fixedBytes(32);
    const hash = new Uint8Array(32).fill(7);
    expect(decodeValue(chainHash, encodeValue(chainHash, hash, 'chain_hash'), 'chain_hash')).toEqual(hash);
    expect(() => encodeValue(chainHash, hash.subarray(1), 'chain_hash')).toThrow(ValidationError);
    expect(() => fixedBytes(-1)).toThrow(ValidationError);
  });

  it('remainingBytes takes everything, including nothing', () => {
    expect(decodeValue(remainingBytes, fromHex('0014aa'), 'script')).toEqual(fromHex('0014aa'));
    expect(decodeValue(remainingBytes, new Uint8Array(0), 'script')).toEqual(new Uint8Array(0));
    expect(() => encodeValue(remainingBytes, 'ab' as unknown as Uint8Array, 'script')).toThrow(
      new ValidationError('script', 'expected bytes, got string'),
    );
  });
});

describe('struct', () => {
  const record = struct({ node_id: point, amount_msat_1: u64, amount_msat_2: u64 });
  const key = fromHex('023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb');

  it('encodes fields in declaration order', () => {
    const value = { node_id: key, amount_msat_1: 1n, amount_msat_2: 2n };
    const bytes = encodeValue(record, value, 'tlv3');
    expect(toHex(bytes)).toBe(toHex(key) + '0000000000000001' + '0000000000000002');
    expect(decodeValue(record, bytes, 'tlv3')).toEqual(value);
  });

  it('names the failing field', () => {
    expect(() => decodeValue(record, key, 'n1.tlv3')).toThrow(
      new DecodeError('n1.tlv3.amount_msat_1', 'expected 8 bytes, got 0'),
    );
    expect(() => encodeValue(record, { node_id: key, amount_msat_1: 1n } as never, 'n1.tlv3')).toThrow(
      /^n1\.tlv3\.amount_msat_2: expected a u64/,
    );
    expect(() => encodeValue(record, null as never, 'n1.tlv3')).toThrow(
      new ValidationError('n1.tlv3', 'expected an object, got null'),
    );
  });

  it('may end with a greedy field, which makes it greedy', () => {
    const payment = struct({ cltv: u32, amount: tu64 });
    expect(payment.greedy).toBe(true);
    expect(toHex(encodeValue(payment, { cltv: 1, amount: 0x100n }, 'p'))).toBe('000000010100');
  });

  it('refuses a greedy field before the last', () => {
    expect(() => struct({ amount: tu64, cltv: u32 })).toThrow(
      new ValidationError('struct.amount', 'a field taking all remaining bytes must be the last field'),
    );
  });

  it('refuses integer-like field names, which JavaScript would reorder', () => {
    expect(() => struct({ b: u16, 1: u16 })).toThrow(ValidationError);
  });

  it('with no fields is the empty encoding', () => {
    const empty = struct({});
    expect(encodeValue(empty, {}, 'e')).toEqual(new Uint8Array(0));
    expect(() => decodeValue(empty, fromHex('00'), 'e')).toThrow(
      new DecodeError('e', '1 unexpected trailing bytes'),
    );
  });
});
