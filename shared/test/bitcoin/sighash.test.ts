/**
 * Signature hashes (sighash.ts): every BIP 143 example (native P2WPKH, P2SH-P2WPKH, native P2WSH
 * with OP_CODESEPARATOR, P2SH-P2WSH 6-of-6 under all six sighash types), a selection of Bitcoin
 * Core's sighash.json for the legacy algorithm, and what each sighash type does and does not commit to.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  legacySighash,
  segwitV0Sighash,
  SIGHASH_ALL,
  SIGHASH_ANYONECANPAY,
  SIGHASH_NONE,
  SIGHASH_SINGLE,
} from '../../src/bitcoin/sighash.js';
import { decodeTx, type Transaction, type TxOut } from '../../src/bitcoin/tx.js';
import { fromHex, reverseBytes, toHex } from '../../src/bytes.js';
import { DecodeError, ValidationError } from '../../src/errors.js';
import { expectVigilError, loadTestData } from '../helpers.js';

interface Bip143Vectors {
  cases: {
    name: string;
    tx: string;
    inputIndex: number;
    scriptCode: string;
    valueSat: string;
    hashType: number;
    sighash: string;
  }[];
}

interface LegacyVectors {
  cases: {
    rawTx: string;
    script: string;
    inputIndex: number;
    hashType: number;
    sighash: string;
    note?: string;
  }[];
}

const bip143 = loadTestData<Bip143Vectors>('sighash-bip143.json');
const legacy = loadTestData<LegacyVectors>('sighash-legacy.json');

/** `ALL`, `SINGLE|ANYONECANPAY`, or `0x1f|ANYONECANPAY` for a base type the interpreter treats as ALL. */
function describeType(hashType: number): string {
  const base = hashType & 0x1f;
  const name = ['ALL', 'NONE', 'SINGLE'][base - 1] ?? `0x${base.toString(16)}`;
  return hashType & SIGHASH_ANYONECANPAY ? `${name}|ANYONECANPAY` : name;
}

describe('BIP 143 examples', () => {
  for (const c of bip143.cases) {
    it(`${c.name}: ${c.sighash}`, () => {
      const tx = decodeTx(fromHex(c.tx));
      const sighash = segwitV0Sighash(
        tx,
        c.inputIndex,
        fromHex(c.scriptCode),
        BigInt(c.valueSat),
        c.hashType,
      );
      expect(toHex(sighash)).toBe(c.sighash);
    });
  }
});

describe('Bitcoin Core sighash.json (legacy algorithm)', () => {
  it('covers every sighash type and the SINGLE bug', () => {
    const types = new Set(legacy.cases.map((c) => describeType(c.hashType)));
    for (const name of ['ALL', 'NONE', 'SINGLE']) {
      expect(types).toContain(name);
      expect(types).toContain(`${name}|ANYONECANPAY`);
    }
    expect(legacy.cases.some((c) => /^0{63}1$/.test(c.sighash))).toBe(true);
  });

  legacy.cases.forEach((c, i) => {
    const label = `case ${i}: input ${c.inputIndex}, hashType ${c.hashType} (${describeType(c.hashType)})`;
    it(c.note === undefined ? label : `${label}, constructed: SINGLE without a matching output`, () => {
      const tx = decodeTx(fromHex(c.rawTx));
      // Core prints the hash type as a signed int32 and the hash as a byte-reversed uint256.
      const sighash = legacySighash(tx, c.inputIndex, fromHex(c.script), c.hashType >>> 0);
      expect(toHex(reverseBytes(sighash))).toBe(c.sighash);
    });
  });
});

/** BIP 143's P2SH-P2WSH example: one input, two outputs. */
const MULTISIG = bip143.cases.find((c) => c.name.startsWith('P2SH-P2WSH'))!;
const SCRIPT_CODE = fromHex(MULTISIG.scriptCode);
const VALUE = BigInt(MULTISIG.valueSat);
const BASE_TX = decodeTx(fromHex(MULTISIG.tx));

describe('input validation', () => {
  const both: [string, (tx: Transaction, index: number, type: number) => Uint8Array][] = [
    ['segwitV0Sighash', (tx, index, type) => segwitV0Sighash(tx, index, SCRIPT_CODE, VALUE, type)],
    ['legacySighash', (tx, index, type) => legacySighash(tx, index, SCRIPT_CODE, type)],
  ];
  for (const [name, sighash] of both) {
    it(`${name} refuses an input index out of range`, () => {
      expectVigilError(
        () => sighash(BASE_TX, 1, SIGHASH_ALL),
        ValidationError,
        'inputIndex',
        /below 1, got 1/,
      );
      expectVigilError(() => sighash(BASE_TX, -1, SIGHASH_ALL), ValidationError, 'inputIndex');
      expectVigilError(() => sighash(BASE_TX, 0.5, SIGHASH_ALL), ValidationError, 'inputIndex');
    });

    it(`${name} refuses a sighash type outside uint32`, () => {
      expectVigilError(() => sighash(BASE_TX, 0, -1), ValidationError, 'sighashType');
      expectVigilError(() => sighash(BASE_TX, 0, 2 ** 32), ValidationError, 'sighashType');
    });

    it(`${name} refuses a transaction that cannot be serialized`, () => {
      const input = { ...BASE_TX.inputs[0]!, prevout: { txid: new Uint8Array(31), vout: 1 } };
      expectVigilError(
        () => sighash({ ...BASE_TX, inputs: [input] }, 0, SIGHASH_ALL),
        ValidationError,
        'tx.inputs[0].prevout.txid',
      );
    });
  }

  it('segwitV0Sighash refuses an amount outside uint64', () => {
    expectVigilError(
      () => segwitV0Sighash(BASE_TX, 0, SCRIPT_CODE, -1n, SIGHASH_ALL),
      ValidationError,
      'valueSat',
    );
    expectVigilError(
      () => segwitV0Sighash(BASE_TX, 0, SCRIPT_CODE, 2n ** 64n, SIGHASH_ALL),
      ValidationError,
      'valueSat',
    );
  });

  it('legacySighash refuses a script code that does not parse', () => {
    expectVigilError(
      () => legacySighash(BASE_TX, 0, fromHex('4c05aa'), SIGHASH_ALL),
      DecodeError,
      'scriptCode[byte 0].push',
    );
  });
});

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const output: fc.Arbitrary<TxOut> = fc.record({
  valueSat: fc.bigInt({ min: 0n, max: 21_000_000n * 100_000_000n }),
  scriptPubKey: fc.uint8Array({ maxLength: 34 }),
});
const input = fc.record({
  prevout: fc.record({ txid: fc.uint8Array({ minLength: 32, maxLength: 32 }), vout: u32 }),
  scriptSig: fc.uint8Array({ maxLength: 8 }),
  sequence: u32,
  witness: fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 2 }),
});
/** A transaction with at least as many outputs as inputs, so SINGLE always has its output. */
const txWithIndex = fc
  .record({
    version: fc.integer({ min: 1, max: 3 }),
    inputs: fc.array(input, { minLength: 1, maxLength: 3 }),
    outputs: fc.array(output, { minLength: 3, maxLength: 4 }),
    locktime: u32,
  })
  .chain((tx) => fc.tuple(fc.constant(tx), fc.nat({ max: tx.inputs.length - 1 })));
const baseType = fc.constantFrom(SIGHASH_ALL, SIGHASH_NONE, SIGHASH_SINGLE);

type Sighash = (tx: Transaction, index: number, type: number) => Uint8Array;
const algorithms: [string, Sighash][] = [
  ['segwitV0Sighash', (tx, index, type) => segwitV0Sighash(tx, index, SCRIPT_CODE, VALUE, type)],
  ['legacySighash', (tx, index, type) => legacySighash(tx, index, SCRIPT_CODE, type)],
];

/** `tx` with every input but `index` replaced by `extra`, and `extra` appended: only ANYONECANPAY ignores this. */
function replaceOtherInputs(
  tx: Transaction,
  index: number,
  extra: Transaction['inputs'][number],
): Transaction {
  return { ...tx, inputs: [...tx.inputs.map((own, i) => (i === index ? own : extra)), extra] };
}

describe('what each sighash type commits to', () => {
  for (const [name, sighash] of algorithms) {
    it(`${name}: ANYONECANPAY ignores the other inputs`, () => {
      fc.assert(
        fc.property(txWithIndex, baseType, input, ([tx, index], base, extra) => {
          const type = base | SIGHASH_ANYONECANPAY;
          expect(sighash(replaceOtherInputs(tx, index, extra), index, type)).toEqual(
            sighash(tx, index, type),
          );
        }),
        { numRuns: 200 },
      );
    });

    it(`${name}: NONE ignores every output, SINGLE all but its own, ALL none`, () => {
      fc.assert(
        fc.property(txWithIndex, output, fc.boolean(), ([tx, index], replacement, acp) => {
          const flag = acp ? SIGHASH_ANYONECANPAY : 0;
          const other = (index + 1) % tx.outputs.length;
          const otherChanged = { ...tx, outputs: tx.outputs.map((o, i) => (i === other ? replacement : o)) };
          const ownChanged = { ...tx, outputs: tx.outputs.map((o, i) => (i === index ? replacement : o)) };
          const same = (a: Transaction, type: number) =>
            toHex(sighash(a, index, type)) === toHex(sighash(tx, index, type));
          const changed =
            toHex(replacement.scriptPubKey) !== toHex(tx.outputs[other]!.scriptPubKey) ||
            replacement.valueSat !== tx.outputs[other]!.valueSat;
          expect(same(otherChanged, SIGHASH_NONE | flag)).toBe(true);
          expect(same(ownChanged, SIGHASH_NONE | flag)).toBe(true);
          expect(same(otherChanged, SIGHASH_SINGLE | flag)).toBe(true);
          if (changed) expect(same(otherChanged, SIGHASH_ALL | flag)).toBe(false);
        }),
        { numRuns: 200 },
      );
    });
  }

  it("legacySighash ignores witnesses and the other inputs' scriptSigs", () => {
    fc.assert(
      fc.property(txWithIndex, baseType, fc.uint8Array({ maxLength: 8 }), ([tx, index], type, junk) => {
        const scrubbed = {
          ...tx,
          inputs: tx.inputs.map((i, n) => ({
            ...i,
            witness: [junk],
            scriptSig: n === index ? i.scriptSig : junk,
          })),
        };
        expect(legacySighash(scrubbed, index, SCRIPT_CODE, type)).toEqual(
          legacySighash(tx, index, SCRIPT_CODE, type),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('segwitV0Sighash commits to the amount and the script code', () => {
    const sighash = (value: bigint, scriptCode: Uint8Array) =>
      toHex(segwitV0Sighash(BASE_TX, 0, scriptCode, value, SIGHASH_ALL));
    expect(sighash(VALUE + 1n, SCRIPT_CODE)).not.toBe(MULTISIG.sighash);
    expect(sighash(VALUE, SCRIPT_CODE.subarray(1))).not.toBe(MULTISIG.sighash);
    expect(sighash(VALUE, SCRIPT_CODE)).toBe(MULTISIG.sighash);
  });
});
