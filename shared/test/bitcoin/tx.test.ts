/**
 * Transactions (tx.ts, compact-size.ts): BIP 144 serialization round trips for random transactions,
 * a decoder that only ever fails with DecodeError, txid / wtxid / weight / vsize (BIP 141) of
 * known transactions, and one test per kind of malformed input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hash256 } from '../../src/bitcoin/hash.js';
import {
  decodeTx,
  encodeTx,
  hasWitness,
  txid,
  txidFromHex,
  txidHex,
  txVsize,
  txWeight,
  wtxid,
  type Transaction,
} from '../../src/bitcoin/tx.js';
import { concatBytes, equalBytes, fromHex, reverseBytes, toHex, U64_MAX } from '../../src/bytes.js';
import { DecodeError, ValidationError } from '../../src/errors.js';
import { expectVigilError, loadTestData } from '../helpers.js';

interface TransactionVectors {
  known: { name: string; hex: string; txid: string; wtxid?: string; weight?: number }[];
  bip143: { name: string; unsigned: string; signed: string; onlyWitnessSignatures: boolean }[];
}

const vectors = loadTestData<TransactionVectors>('transactions.json');

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
/** Mostly short, sometimes long enough (253+) to need a 3-byte CompactSize. */
const varBytes = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 250, maxLength: 300 }) },
);

function txArbitrary(withWitness: boolean): fc.Arbitrary<Transaction> {
  const input = fc.record({
    prevout: fc.record({ txid: fc.uint8Array({ minLength: 32, maxLength: 32 }), vout: u32 }),
    scriptSig: varBytes,
    sequence: u32,
    witness: withWitness ? fc.array(varBytes, { maxLength: 4 }) : fc.constant([]),
  });
  const output = fc.record({ valueSat: fc.bigInt({ min: 0n, max: U64_MAX }), scriptPubKey: varBytes });
  return fc.record({
    version: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
    inputs: fc.array(input, { minLength: 1, maxLength: 4 }),
    outputs: fc.array(output, { maxLength: 4 }),
    locktime: u32,
  });
}

const anyTx = fc.oneof(txArbitrary(false), txArbitrary(true));

/** Decoding either fails with DecodeError or yields a transaction that re-encodes to `bytes` exactly. */
function decodesStrictly(bytes: Uint8Array): void {
  let tx: Transaction;
  try {
    tx = decodeTx(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return;
  }
  expect(toHex(encodeTx(tx))).toBe(toHex(bytes));
}

describe('serialization round trips', () => {
  it('decodes what it encodes, with and without witnesses', () => {
    fc.assert(
      fc.property(anyTx, (tx) => {
        const bytes = encodeTx(tx);
        const decoded = decodeTx(bytes);
        expect(decoded).toEqual(tx);
        expect(encodeTx(decoded)).toEqual(bytes);
      }),
      { numRuns: 1000 },
    );
  });

  it('uses the BIP 144 form exactly when some input has a witness', () => {
    fc.assert(
      fc.property(anyTx, (tx) => {
        const full = encodeTx(tx);
        const stripped = encodeTx(tx, { witness: false });
        // Byte 4 is the segwit marker (0x00) or the input count (never 0 here).
        expect(full[4] === 0x00).toBe(hasWitness(tx));
        expect(equalBytes(full, stripped)).toBe(!hasWitness(tx));
        expect(decodeTx(stripped)).toEqual({ ...tx, inputs: tx.inputs.map((i) => ({ ...i, witness: [] })) });
      }),
      { numRuns: 500 },
    );
  });

  it('derives txid, wtxid, weight and vsize from the two serializations (BIP 141)', () => {
    fc.assert(
      fc.property(anyTx, (tx) => {
        const base = encodeTx(tx, { witness: false });
        const total = encodeTx(tx);
        expect(txid(tx)).toEqual(hash256(base));
        expect(wtxid(tx)).toEqual(hash256(total));
        expect(txWeight(tx)).toBe(base.length * 3 + total.length);
        expect(txVsize(tx)).toBe(Math.ceil((base.length * 3 + total.length) / 4));
        expect(txidHex(tx)).toBe(toHex(reverseBytes(txid(tx))));
        expect(txidFromHex(txidHex(tx))).toEqual(txid(tx));
      }),
      { numRuns: 300 },
    );
  });
});

describe('decoding untrusted bytes', () => {
  it('never throws anything but DecodeError on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), decodesStrictly), { numRuns: 20_000 });
  });

  it('never throws anything but DecodeError on random bytes after a segwit header', () => {
    const segwitHeader = fc
      .uint8Array({ maxLength: 200 })
      .map((rest) => concatBytes(fromHex('0200000000'), rest));
    fc.assert(fc.property(segwitHeader, decodesStrictly), { numRuns: 5_000 });
  });

  it('decodes mutated transactions strictly or not at all', () => {
    const mutated = fc
      .tuple(
        anyTx.map((tx) => encodeTx(tx)),
        fc.nat(),
        fc.integer({ min: 0, max: 0xff }),
        fc.nat({ max: 3 }),
      )
      .map(([bytes, at, value, kind]) => mutate(bytes, at % bytes.length, value, kind));
    fc.assert(fc.property(mutated, decodesStrictly), { numRuns: 5_000 });
  });

  it('rejects every proper prefix of a transaction', () => {
    fc.assert(
      fc.property(anyTx, fc.nat(), (tx, cut) => {
        const bytes = encodeTx(tx);
        expect(() => decodeTx(bytes.subarray(0, cut % bytes.length))).toThrow(DecodeError);
      }),
      { numRuns: 2_000 },
    );
  });
});

/** Overwrites, inserts, deletes a byte at `at`, or truncates there. */
function mutate(bytes: Uint8Array, at: number, value: number, kind: number): Uint8Array {
  switch (kind) {
    case 0:
      return Uint8Array.from(bytes, (b, i) => (i === at ? value : b));
    case 1:
      return concatBytes(bytes.subarray(0, at), Uint8Array.of(value), bytes.subarray(at));
    case 2:
      return concatBytes(bytes.subarray(0, at), bytes.subarray(at + 1));
    default:
      return bytes.slice(0, at);
  }
}

describe('known transactions', () => {
  for (const known of vectors.known) {
    it(`${known.name}: txid ${known.txid.slice(0, 16)}...`, () => {
      const bytes = fromHex(known.hex);
      const tx = decodeTx(bytes);
      expect(encodeTx(tx)).toEqual(bytes);
      expect(txidHex(tx)).toBe(known.txid);
      if (known.wtxid !== undefined) expect(toHex(reverseBytes(wtxid(tx)))).toBe(known.wtxid);
      if (known.weight !== undefined) {
        expect(txWeight(tx)).toBe(known.weight);
        expect(txVsize(tx)).toBe(Math.ceil(known.weight / 4));
      }
      if (!hasWitness(tx)) expect(txWeight(tx)).toBe(4 * bytes.length);
    });
  }

  for (const example of vectors.bip143) {
    it(`BIP 143 ${example.name}: signed and unsigned forms agree`, () => {
      const unsigned = decodeTx(fromHex(example.unsigned));
      const signed = decodeTx(fromHex(example.signed));
      expect(toHex(encodeTx(signed))).toBe(example.signed);
      expect(toHex(encodeTx(unsigned))).toBe(example.unsigned);
      expect(hasWitness(signed)).toBe(true);
      expect(signed.outputs).toEqual(unsigned.outputs);
      expect(signed.inputs.map((i) => i.prevout)).toEqual(unsigned.inputs.map((i) => i.prevout));
      expect([signed.version, signed.locktime]).toEqual([unsigned.version, unsigned.locktime]);
      // Witness data is outside the txid, so signing only witnesses keeps the txid.
      expect(equalBytes(txid(signed), hash256(fromHex(example.unsigned)))).toBe(
        example.onlyWitnessSignatures,
      );
      expect(txWeight(signed)).toBeLessThan(4 * fromHex(example.signed).length);
    });
  }
});

/** BIP 143's native P2WPKH example, unsigned: version 1, two inputs, two outputs, locktime 17. */
const LEGACY = vectors.bip143[0]!.unsigned;
/** The same example signed: BIP 144 form with a witness on input 1. */
const SEGWIT = vectors.bip143[0]!.signed;
const VERSION = '01000000';
const OUTPOINT = `${'11'.repeat(32)}00000000`;
const ONE_INPUT = `01${OUTPOINT}00ffffffff`;
const ONE_OUTPUT = '01e80300000000000000';
const LOCKTIME = '00000000';

describe('malformed transactions', () => {
  const malformed: [string, string, string, RegExp][] = [
    ['an empty input', '', 'tx.version', /expected 4 bytes, got 0/],
    ['a truncated locktime', LEGACY.slice(0, -2), 'tx.locktime', /expected 4 bytes, got 3/],
    [
      // Cut 10 bytes into input 1's txid; input 0's long scriptSig keeps the input count plausible.
      'a truncated prevout txid',
      SEGWIT.slice(0, 2 * (4 + 2 + 1 + 114 + 10)),
      'tx.inputs[1].prevout.txid',
      /expected 32 bytes, got 10/,
    ],
    [
      'a truncated witness item',
      SEGWIT.slice(0, -20),
      'tx.inputs[1].witness[1]',
      /expected 33 bytes, got 27/,
    ],
    ['trailing bytes', `${LEGACY}00`, 'tx', /1 unexpected trailing bytes/],
    [
      'a non-canonical input count',
      `${VERSION}fd0100${OUTPOINT}00ffffffff${ONE_OUTPUT}${LOCKTIME}`,
      'tx.inputs.count',
      /non-canonical CompactSize encoding of 1/,
    ],
    [
      'a non-canonical scriptSig length',
      `${VERSION}01${OUTPOINT}fd0000ffffffff${ONE_OUTPUT}${LOCKTIME}`,
      'tx.inputs[0].scriptSig.length',
      /non-canonical CompactSize encoding of 0/,
    ],
    [
      'a non-canonical 9-byte CompactSize',
      `${VERSION}01${OUTPOINT}ff0100000000000000ffffffff${ONE_OUTPUT}${LOCKTIME}`,
      'tx.inputs[0].scriptSig.length',
      /non-canonical/,
    ],
    [
      'a CompactSize above MAX_SIZE',
      `${VERSION}01${OUTPOINT}fe01000002ffffffff${ONE_OUTPUT}${LOCKTIME}`,
      'tx.inputs[0].scriptSig.length',
      /exceeds 33554432/,
    ],
    [
      'a bad segwit flag',
      `${VERSION}0002${ONE_INPUT}${ONE_OUTPUT}0100${LOCKTIME}`,
      'tx.flag',
      /expected 0x01 after the segwit marker, got 0x02/,
    ],
    [
      'a superfluous witness (marker set, every witness empty)',
      `${VERSION}0001${ONE_INPUT}${ONE_OUTPUT}00${LOCKTIME}`,
      'tx.witness',
      /superfluous witness/,
    ],
    [
      'a segwit transaction without inputs',
      `${VERSION}000100${ONE_OUTPUT}${LOCKTIME}`,
      'tx.inputs',
      /needs at least one input/,
    ],
    [
      'an input count larger than the bytes left',
      `${VERSION}fc${OUTPOINT}00ffffffff`,
      'tx.inputs.count',
      /252 items cannot fit in the 41 bytes left/,
    ],
    [
      'an output count larger than the bytes left',
      `${VERSION}${ONE_INPUT}fdffff${LOCKTIME}`,
      'tx.outputs.count',
      /65535 items cannot fit/,
    ],
    [
      'a witness item count larger than the bytes left',
      `${VERSION}0001${ONE_INPUT}${ONE_OUTPUT}fe00000001${LOCKTIME}`,
      'tx.inputs[0].witness.count',
      /16777216 items cannot fit/,
    ],
    [
      'a scriptPubKey longer than the bytes left',
      `${VERSION}${ONE_INPUT}01e80300000000000050${LOCKTIME}`,
      'tx.outputs[0].scriptPubKey',
      /expected 80 bytes, got 4/,
    ],
  ];
  for (const [name, hex, field, problem] of malformed) {
    it(`rejects ${name}`, () => {
      expectVigilError(() => decodeTx(fromHex(hex)), DecodeError, field, problem);
    });
  }
});

describe('encodeTx input validation', () => {
  const tx = decodeTx(fromHex(LEGACY));
  const withInput = (change: object): Transaction => ({
    ...tx,
    inputs: [{ ...tx.inputs[0]!, ...change }, tx.inputs[1]!],
  });
  const withOutput = (valueSat: bigint): Transaction => ({
    ...tx,
    outputs: [tx.outputs[0]!, { ...tx.outputs[1]!, valueSat }],
  });
  const invalid: [string, Transaction, string][] = [
    [
      'a 31-byte txid',
      withInput({ prevout: { txid: new Uint8Array(31), vout: 0 } }),
      'tx.inputs[0].prevout.txid',
    ],
    [
      'a vout of 2^32',
      withInput({ prevout: { txid: new Uint8Array(32), vout: 2 ** 32 } }),
      'tx.inputs[0].prevout.vout',
    ],
    ['a negative sequence', withInput({ sequence: -1 }), 'tx.inputs[0].sequence'],
    ['a negative value', withOutput(-1n), 'tx.outputs[1].valueSat'],
    ['a value of 2^64', withOutput(2n ** 64n), 'tx.outputs[1].valueSat'],
    ['a value given as a number', withOutput(1000 as unknown as bigint), 'tx.outputs[1].valueSat'],
    ['a version of 2^31', { ...tx, version: 2 ** 31 }, 'tx.version'],
    ['a fractional locktime', { ...tx, locktime: 1.5 }, 'tx.locktime'],
    ['no inputs (ambiguous with the segwit marker)', { ...tx, inputs: [] }, 'tx.inputs'],
  ];
  for (const [name, bad, field] of invalid) {
    it(`refuses ${name}`, () => {
      expectVigilError(() => encodeTx(bad), ValidationError, field);
      expectVigilError(() => txid(bad), ValidationError, field);
    });
  }

  it('keeps a negative version as the same 4 bytes', () => {
    const negative = { ...tx, version: -1 };
    expect(toHex(encodeTx(negative)).slice(0, 8)).toBe('ffffffff');
    expect(decodeTx(encodeTx(negative)).version).toBe(-1);
  });
});

describe('txidFromHex', () => {
  it('reverses display order into internal order', () => {
    const display = '9652aa62b0e748caeec40c4cb7bc17c6792435cc3dfe447dd1ca24f912a1c6ec';
    expect(toHex(txidFromHex(display))).toBe(toHex(reverseBytes(fromHex(display))));
  });

  it('refuses a txid of the wrong length or that is not hex', () => {
    expectVigilError(
      () => txidFromHex('ab'.repeat(31)),
      ValidationError,
      'txid',
      /expected 32 bytes, got 31/,
    );
    expectVigilError(() => txidFromHex('zz'.repeat(32), 'funding.txid'), DecodeError, 'funding.txid');
  });
});
