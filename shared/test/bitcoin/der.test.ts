import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { concatBytes, fromHex, toHex } from '../../src/bytes.js';
import { DecodeError, ValidationError } from '../../src/errors.js';
import { decodeDer, decodeDerWithSighash, encodeDer, encodeDerWithSighash } from '../../src/bitcoin/der.js';

/** `0x30 len 0x02 lenR r 0x02 lenS s` with the lengths filled in from the contents. */
function der(r: Uint8Array, s: Uint8Array): Uint8Array {
  return concatBytes(
    Uint8Array.of(0x30, 4 + r.length + s.length, 0x02, r.length),
    r,
    Uint8Array.of(0x02, s.length),
    s,
  );
}

function withByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at] = value;
  return out;
}

const R = fromHex('616210b2cc4d3afb601013c373bbd8aac54febd9f15400379a8cb65ce7deca60');
const S = fromHex('34236c010991beb7ff770510561ae8dc885b8d38d1947248c38f2ae055647142');
// The local_signature of BOLT 3 Appendix C "simple commitment tx with no HTLCs".
const VALID = fromHex(
  '30440220616210b2cc4d3afb601013c373bbd8aac54febd9f15400379a8cb65ce7deca60022034236c010991beb7ff770510561ae8dc885b8d38d1947248c38f2ae055647142',
);
const SIG64 = concatBytes(R, S);
const HIGH_R = fromHex('c3127b33dcc741dd6b05b1e63cbd1a9a7d816f37af9b6756fa2376b056f03237');

const rejects = (bytes: Uint8Array, problem: string) =>
  expect(() => decodeDer(bytes, 'sig')).toThrow(new DecodeError('sig', problem));

describe('encodeDer / decodeDer', () => {
  it('decodes and re-encodes a BOLT 3 signature', () => {
    expect(der(R, S)).toEqual(VALID);
    expect(decodeDer(VALID, 'sig')).toEqual(SIG64);
    expect(encodeDer(SIG64)).toEqual(VALID);
  });

  it('pads an integer with a high bit set with 0x00', () => {
    const encoded = encodeDer(concatBytes(HIGH_R, S));
    expect(toHex(encoded).slice(0, 12)).toBe('3045022100c3');
    expect(decodeDer(encoded, 'sig')).toEqual(concatBytes(HIGH_R, S));
  });

  it('strips leading zero bytes and encodes zero as a single 0x00', () => {
    const small = new Uint8Array(32);
    small[31] = 0x05;
    const sig = concatBytes(new Uint8Array(32), small);
    const encoded = encodeDer(sig);
    expect(toHex(encoded)).toBe('3006020100020105');
    expect(decodeDer(encoded, 'sig')).toEqual(sig);
  });

  it('round-trips any 64 bytes (property)', () => {
    const component = fc
      .tuple(fc.integer({ min: 0, max: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }))
      .map(([zeros, bytes]) => withLeadingZeros(bytes, zeros));
    fc.assert(
      fc.property(component, component, (r, s) => {
        const sig = concatBytes(r, s);
        expect(decodeDer(encodeDer(sig), 'sig')).toEqual(sig);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts only the canonical encoding: whatever decodes re-encodes to the same bytes (property)', () => {
    const content = fc.uint8Array({ minLength: 0, maxLength: 34 });
    fc.assert(
      fc.property(content, content, fc.integer({ min: -2, max: 2 }), (r, s, lengthDelta) => {
        const candidate = der(r, s);
        candidate[1] = candidate[1]! + lengthDelta;
        let decoded: Uint8Array;
        try {
          decoded = decodeDer(candidate, 'sig');
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
          return;
        }
        expect(encodeDer(decoded)).toEqual(candidate);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a 64-byte input that is not 64 bytes', () => {
    expect(() => encodeDer(new Uint8Array(63))).toThrow(
      new ValidationError('sig', 'expected 64 bytes, got 63'),
    );
  });
});

describe('decodeDer rejects what BIP 66 rejects', () => {
  it('too short', () => {
    rejects(VALID.subarray(0, 7), 'too short: 7 bytes, a DER signature has at least 8');
  });

  it('too long', () => {
    rejects(new Uint8Array(73), 'too long: 73 bytes, a DER signature has at most 72');
  });

  it('wrong sequence marker', () => {
    rejects(withByte(VALID, 0, 0x31), 'expected sequence marker 0x30, got 0x31');
  });

  it('sequence length does not match', () => {
    rejects(withByte(VALID, 1, 0x43), 'sequence length 67 does not match the 68 bytes that follow');
    rejects(
      concatBytes(VALID, Uint8Array.of(0)),
      'sequence length 68 does not match the 69 bytes that follow',
    );
  });

  it('r length leaves no room for s', () => {
    rejects(withByte(VALID, 3, 0x41), 'r length 65 leaves no room for s');
  });

  it('r and s lengths do not add up to the signature length', () => {
    rejects(withByte(VALID, 3, 0x1f), 'r length 31 and s length 2 do not add up to the 70-byte signature');
    rejects(withByte(VALID, 37, 0x1f), 'r length 32 and s length 31 do not add up to the 70-byte signature');
  });

  it('wrong integer marker before r', () => {
    rejects(withByte(VALID, 2, 0x03), 'expected integer marker 0x02 before r, got 0x03');
  });

  it('zero-length r', () => {
    rejects(der(new Uint8Array(0), S), 'r has zero length');
  });

  it('negative r', () => {
    rejects(der(HIGH_R, S), 'r has a negative encoding');
  });

  it('unnecessary leading zero in r', () => {
    rejects(der(concatBytes(Uint8Array.of(0), R), S), 'r has an unnecessary leading zero');
    rejects(der(Uint8Array.of(0, 0), S), 'r has an unnecessary leading zero');
  });

  it('wrong integer marker before s', () => {
    rejects(withByte(VALID, 36, 0x03), 'expected integer marker 0x02 before s, got 0x03');
  });

  it('zero-length s', () => {
    rejects(der(R, new Uint8Array(0)), 's has zero length');
  });

  it('negative s', () => {
    rejects(der(R, HIGH_R), 's has a negative encoding');
  });

  it('unnecessary leading zero in s', () => {
    rejects(der(R, concatBytes(Uint8Array.of(0), S)), 's has an unnecessary leading zero');
  });

  it('an integer too large for 32 bytes (valid DER, but not a secp256k1 value)', () => {
    rejects(der(concatBytes(Uint8Array.of(1), R), S), 'r is 33 bytes, more than 32');
    rejects(der(R, concatBytes(Uint8Array.of(0x7f), S)), 's is 33 bytes, more than 32');
  });
});

describe('signatures with a sighash type byte', () => {
  it('round-trips each defined sighash type', () => {
    for (const sighashType of [0x01, 0x02, 0x03, 0x81, 0x82, 0x83]) {
      const encoded = encodeDerWithSighash(SIG64, sighashType);
      expect(encoded).toEqual(concatBytes(VALID, Uint8Array.of(sighashType)));
      expect(decodeDerWithSighash(encoded, 'witness[0]')).toEqual({ sig: SIG64, sighashType });
    }
  });

  it('rejects an undefined sighash type', () => {
    for (const sighashType of [0x00, 0x04, 0x80, 0x84, 0x41]) {
      const problem = `sighash type 0x${sighashType.toString(16).padStart(2, '0')} is not ALL, NONE or SINGLE (optionally with ANYONECANPAY)`;
      expect(() =>
        decodeDerWithSighash(concatBytes(VALID, Uint8Array.of(sighashType)), 'witness[0]'),
      ).toThrow(new DecodeError('witness[0]', problem));
      expect(() => encodeDerWithSighash(SIG64, sighashType)).toThrow(
        new ValidationError('sighashType', problem),
      );
    }
  });

  it('rejects empty input and non-strict DER before the sighash byte', () => {
    expect(() => decodeDerWithSighash(new Uint8Array(0), 'witness[0]')).toThrow(
      new DecodeError('witness[0]', 'empty, expected DER and a sighash type byte'),
    );
    expect(() => decodeDerWithSighash(concatBytes(der(R, HIGH_R), Uint8Array.of(1)), 'witness[0]')).toThrow(
      new DecodeError('witness[0]', 's has a negative encoding'),
    );
  });

  it('rejects a sighash type that is not a byte', () => {
    expect(() => encodeDerWithSighash(SIG64, 0x101)).toThrow(
      new ValidationError('sighashType', 'expected an integer in [0, 255], got 257'),
    );
  });
});

function withLeadingZeros(bytes: Uint8Array, zeros: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out.fill(0, 0, zeros);
  return out;
}
