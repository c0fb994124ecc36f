import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, fromHex, toHex, U64_MAX } from '../../src/bytes.js';
import { DecodeError, ValidationError } from '../../src/errors.js';
import { bigSize, decodeBigSize, encodeBigSize, readBigSize, writeBigSize } from '../../src/ln/bigsize.js';
import { loadVectors } from '../vectors.js';

interface BigSizeCase {
  name: string;
  value: number;
  value_str?: string;
  bytes: string;
  valid?: boolean;
  exp_error?: string;
}

interface BigSizeVectors {
  cases: { decoding: BigSizeCase[]; encoding: BigSizeCase[] };
}

const vectors = loadVectors<BigSizeVectors>('bolt01-bigsize.json');

/** The number is imprecise above 2^53, so the decimal string wins when present. */
function valueOf(c: BigSizeCase): bigint {
  return BigInt(c.value_str ?? c.value);
}

/** lnd's error text, mapped to the kind of failure our own messages must state. */
const FAILURE_KINDS: Record<string, RegExp> = {
  'decoded bigsize is not canonical': /non-minimal BigSize encoding/,
  'unexpected EOF': /truncated BigSize/,
  EOF: /expected a BigSize, got end of input/,
};

describe('BigSize spec vectors (BOLT 1 Appendix A)', () => {
  const valid = vectors.cases.decoding.filter((c) => c.valid === true);
  const invalid = vectors.cases.decoding.filter((c) => c.valid !== true);

  it('has the vectors the spec prints', () => {
    expect(vectors.cases.decoding).toHaveLength(18);
    expect(vectors.cases.encoding).toHaveLength(8);
  });

  it.each(valid.map((c) => [c.name, c] as const))('decodes %s', (_name, c) => {
    expect(decodeBigSize(fromHex(c.bytes), 'n')).toBe(valueOf(c));
  });

  it.each(invalid.map((c) => [c.name, c] as const))('rejects %s', (_name, c) => {
    const kind = FAILURE_KINDS[c.exp_error!];
    expect(kind, `unmapped exp_error ${c.exp_error}`).toBeDefined();
    const decode = () => decodeBigSize(fromHex(c.bytes), 'n');
    expect(decode).toThrow(DecodeError);
    expect(decode).toThrow(kind!);
    expect(decode).toThrow(/^n: /);
  });

  it.each(vectors.cases.encoding.map((c) => [c.name, c] as const))('encodes %s', (_name, c) => {
    expect(toHex(encodeBigSize(valueOf(c), 'n'))).toBe(c.bytes);
  });
});

describe('BigSize', () => {
  it('round-trips every 64-bit value through its minimal encoding', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), (value) => {
        const bytes = encodeBigSize(value, 'n');
        const expectedLength = value < 0xfdn ? 1 : value <= 0xffffn ? 3 : value <= 0xffff_ffffn ? 5 : 9;
        expect(bytes.length).toBe(expectedLength);
        expect(decodeBigSize(bytes, 'n')).toBe(value);
      }),
    );
  });

  it('rejects trailing bytes after a whole BigSize', () => {
    expect(() => decodeBigSize(fromHex('fd00fd00'), 'msg.len')).toThrow(
      new DecodeError('msg.len', '1 unexpected trailing bytes'),
    );
  });

  it('names the field in a truncation error', () => {
    expect(() => decodeBigSize(fromHex('fe0001'), 'tlv[3].length')).toThrow(
      'tlv[3].length: truncated BigSize: marker 0xfe needs 4 more bytes, got 2',
    );
  });

  it('names the field in a non-minimal error', () => {
    expect(() => decodeBigSize(fromHex('fd0000'), 'tlv.type')).toThrow(
      'tlv.type: non-minimal BigSize encoding: 0 written with marker 0xfd',
    );
  });

  it.each([
    ['negative', -1n],
    ['2^64', U64_MAX + 1n],
  ])('refuses to encode %s', (_name, value) => {
    expect(() => encodeBigSize(value, 'tlv.length')).toThrow(ValidationError);
    expect(() => encodeBigSize(value, 'tlv.length')).toThrow(/^tlv\.length: expected an integer in/);
  });

  it('refuses to encode a number instead of a bigint', () => {
    expect(() => encodeBigSize(5 as unknown as bigint, 'len')).toThrow(ValidationError);
  });

  it('refuses to decode something that is not bytes', () => {
    expect(() => decodeBigSize('00' as unknown as Uint8Array, 'len')).toThrow(
      new ValidationError('len', 'expected bytes, got string'),
    );
  });

  it('reads consecutive values from a reader, leaving the rest', () => {
    const reader = new ByteReader(fromHex('fc' + 'fd0100' + 'aa'));
    expect(readBigSize(reader, 'a')).toBe(0xfcn);
    expect(readBigSize(reader, 'b')).toBe(0x100n);
    expect(reader.remaining).toBe(1);
  });

  it('writes through a writer and as a codec', () => {
    const writer = new ByteWriter();
    writeBigSize(writer, 0x1_0000n, 'a');
    bigSize.write(writer, 1n, 'b');
    expect(toHex(writer.finish())).toBe('fe0001000001');
    expect(bigSize.greedy).toBe(false);
  });
});
