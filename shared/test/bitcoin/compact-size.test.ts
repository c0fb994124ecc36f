/**
 * CompactSize (compact-size.ts): the canonical encoding at every width boundary, and the
 * non-canonical and oversized encodings bitcoind refuses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_COMPACT_SIZE,
  readCompactSize,
  readVarBytes,
  writeCompactSize,
  writeVarBytes,
} from '../../src/bitcoin/compact-size.js';
import { ByteReader, ByteWriter, fromHex, toHex } from '../../src/bytes.js';
import { DecodeError, ValidationError } from '../../src/errors.js';
import { expectVigilError } from '../helpers.js';

function encode(value: number): string {
  const w = new ByteWriter();
  writeCompactSize(w, value);
  return toHex(w.finish());
}

function decode(hex: string): number {
  const reader = new ByteReader(fromHex(hex));
  const value = readCompactSize(reader, 'length');
  reader.end('rest');
  return value;
}

describe('CompactSize', () => {
  const boundaries: [number, string][] = [
    [0, '00'],
    [252, 'fc'],
    [253, 'fdfd00'],
    [0xffff, 'fdffff'],
    [0x1_0000, 'fe00000100'],
    [MAX_COMPACT_SIZE, 'fe00000002'],
  ];
  for (const [value, hex] of boundaries) {
    it(`encodes ${value} as ${hex}`, () => {
      expect(encode(value)).toBe(hex);
      expect(decode(hex)).toBe(value);
    });
  }

  it('round-trips every length up to MAX_SIZE', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_COMPACT_SIZE }), (n) => {
        expect(decode(encode(n))).toBe(n);
      }),
      { numRuns: 2000 },
    );
  });

  const refused: [string, string, RegExp][] = [
    ['252 in 3 bytes', 'fdfc00', /non-canonical CompactSize encoding of 252/],
    ['65535 in 5 bytes', 'feffff0000', /non-canonical CompactSize encoding of 65535/],
    ['1 in 9 bytes', 'ff0100000000000000', /non-canonical CompactSize encoding of 1/],
    ['MAX_SIZE + 1', 'fe01000002', /length 33554433 exceeds 33554432/],
    ['2^64 - 1 in 9 bytes', 'ffffffffffffffffff', /length 18446744073709551615 exceeds/],
    ['a truncated 3-byte form', 'fd01', /expected 2 bytes, got 1/],
    ['nothing at all', '', /expected 1 bytes, got 0/],
  ];
  for (const [name, hex, problem] of refused) {
    it(`refuses ${name}`, () => {
      expectVigilError(() => decode(hex), DecodeError, 'length', problem);
    });
  }

  it('refuses to write what no CompactSize may hold', () => {
    for (const bad of [-1, 1.5, MAX_COMPACT_SIZE + 1, Number.NaN]) {
      expectVigilError(
        () => writeCompactSize(new ByteWriter(), bad, 'tx.inputs'),
        ValidationError,
        'tx.inputs',
      );
    }
  });

  it('prefixes bytes with their length and reads them back', () => {
    const w = new ByteWriter();
    writeVarBytes(w, fromHex('aabbcc'));
    expect(toHex(w.finish())).toBe('03aabbcc');
    expectVigilError(
      () => readVarBytes(new ByteReader(fromHex('03aabb')), 'scriptSig'),
      DecodeError,
      'scriptSig',
      /expected 3 bytes, got 2/,
    );
  });
});
