import { describe, expect, it } from 'vitest';

import { ByteWriter, fromHex, toHex } from '../../src/bytes.js';
import { DecodeError, ValidationError } from '../../src/errors.js';
import { generateFromSeed, MAX_SECRET_INDEX, ShachainStore } from '../../src/ln/shachain.js';
import { loadVectors } from '../vectors.js';

interface SecretVectors {
  storage_seed: string;
  cases: {
    generation: { name: string; seed: string; I: number; output: string }[];
    storage: { name: string; steps: { I: number; secret: string; expected: 'OK' | 'ERROR' }[] }[];
  };
}

const vectors = loadVectors<SecretVectors>('bolt03-per-commitment-secrets.json');
const SEED = fromHex(vectors.storage_seed);
const INDEX_RANGE = `expected an integer in [0, ${MAX_SECRET_INDEX}]`;

/** A store holding every secret from 2^48-1 down to `minIndex`, generated from SEED. */
function storeDownTo(minIndex: number): ShachainStore {
  let store = ShachainStore.EMPTY;
  for (let index = MAX_SECRET_INDEX; index >= minIndex; index--) {
    store = store.insertSecret(index, generateFromSeed(SEED, index));
  }
  return store;
}

/** The serialised form built by hand: a slot count, then (u64 index, secret) per slot. */
function serialise(indices: readonly number[], secretOf = (index: number) => generateFromSeed(SEED, index)) {
  const writer = new ByteWriter();
  writer.u8(indices.length);
  for (const index of indices) writer.u64be(BigInt(index)).bytes(secretOf(index));
  return writer.finish();
}

describe('BOLT 3 Appendix D generation vectors', () => {
  for (const vector of vectors.cases.generation) {
    it(vector.name, () => {
      expect(toHex(generateFromSeed(fromHex(vector.seed), vector.I))).toBe(vector.output);
    });
  }
});

describe('BOLT 3 Appendix D storage vectors', () => {
  for (const vector of vectors.cases.storage) {
    it(vector.name, () => {
      let store = ShachainStore.EMPTY;
      for (const [n, step] of vector.steps.entries()) {
        const secret = fromHex(step.secret);
        if (step.expected === 'OK') {
          store = store.insertSecret(step.I, secret);
          expect(store.getSecret(step.I)).toEqual(secret);
          continue;
        }
        expect(n).toBe(vector.steps.length - 1);
        const before = store.toBytes();
        expect(() => store.insertSecret(step.I, secret)).toThrow(
          new RegExp(`^secret: secret for index ${step.I} does not derive the stored secret at index \\d+$`),
        );
        expect(() => store.insertSecret(step.I, secret)).toThrow(ValidationError);
        expect(store.toBytes()).toEqual(before);
      }
    });
  }

  it('insert_secret correct sequence: the stored secrets are generate_from_seed(0xFF..FF, I)', () => {
    const sequence = vectors.cases.storage.find((v) => v.name === 'insert_secret correct sequence');
    expect(sequence).toBeDefined();
    for (const step of sequence!.steps) expect(toHex(generateFromSeed(SEED, step.I))).toBe(step.secret);
  });
});

describe('ShachainStore', () => {
  const store = storeDownTo(MAX_SECRET_INDEX - 999);

  it('derives every secret received, and counts them', () => {
    expect(store.count).toBe(1000);
    expect(store.minIndex).toBe(MAX_SECRET_INDEX - 999);
    for (let index = MAX_SECRET_INDEX; index > MAX_SECRET_INDEX - 1000; index--) {
      expect(store.getSecret(index)).toEqual(generateFromSeed(SEED, index));
    }
  });

  it('is empty at first', () => {
    expect(ShachainStore.EMPTY.count).toBe(0);
    expect(ShachainStore.EMPTY.minIndex).toBeUndefined();
    expect(() => ShachainStore.EMPTY.getSecret(MAX_SECRET_INDEX)).toThrow(
      new ValidationError(
        'index',
        `secret for index ${MAX_SECRET_INDEX} has not been received (none received yet)`,
      ),
    );
  });

  it('refuses a secret not received yet', () => {
    const index = MAX_SECRET_INDEX - 1000;
    expect(() => store.getSecret(index)).toThrow(
      new ValidationError(
        'index',
        `secret for index ${index} has not been received (lowest received is ${MAX_SECRET_INDEX - 999})`,
      ),
    );
  });

  it('is immutable: inserting returns a new store', () => {
    const next = store.insertSecret(MAX_SECRET_INDEX - 1000, generateFromSeed(SEED, MAX_SECRET_INDEX - 1000));
    expect(next.count).toBe(1001);
    expect(store.count).toBe(1000);
  });

  it('keeps its own copy of an inserted secret', () => {
    const secret = generateFromSeed(SEED, MAX_SECRET_INDEX);
    const one = ShachainStore.EMPTY.insertSecret(MAX_SECRET_INDEX, secret);
    secret.fill(0);
    expect(one.getSecret(MAX_SECRET_INDEX)).toEqual(generateFromSeed(SEED, MAX_SECRET_INDEX));
  });

  describe('order rules', () => {
    const secret = generateFromSeed(SEED, MAX_SECRET_INDEX - 1);

    it('starts at 2^48-1', () => {
      expect(() => ShachainStore.EMPTY.insertSecret(MAX_SECRET_INDEX - 1, secret)).toThrow(
        new ValidationError(
          'index',
          `expected ${MAX_SECRET_INDEX} (the first secret), got ${MAX_SECRET_INDEX - 1}`,
        ),
      );
    });

    it('takes each index one below the last', () => {
      const min = MAX_SECRET_INDEX - 999;
      const message = (got: number) =>
        `expected ${min - 1} (one below the last received, ${min}), got ${got}`;
      expect(() => store.insertSecret(min - 2, secret)).toThrow(
        new ValidationError('index', message(min - 2)),
      );
      expect(() => store.insertSecret(min, secret)).toThrow(new ValidationError('index', message(min)));
    });

    it('takes nothing after index 0', () => {
      const complete = ShachainStore.fromBytes(serialise(slotIndicesDownToZero()), 'store');
      expect(() => complete.insertSecret(0, secret)).toThrow(
        new ValidationError('index', 'got 0, but every index down to 0 has already been received'),
      );
    });
  });

  describe('input validation names the field', () => {
    const secret = generateFromSeed(SEED, MAX_SECRET_INDEX);
    const cases: [string, () => unknown, ValidationError][] = [
      [
        'a 31-byte seed',
        () => generateFromSeed(SEED.subarray(1), 0),
        new ValidationError('seed', 'expected 32 bytes, got 31'),
      ],
      [
        'an index of 2^48',
        () => generateFromSeed(SEED, 2 ** 48),
        new ValidationError('index', `${INDEX_RANGE}, got ${2 ** 48}`),
      ],
      [
        'a negative index',
        () => generateFromSeed(SEED, -1),
        new ValidationError('index', `${INDEX_RANGE}, got -1`),
      ],
      [
        'a fractional index',
        () => generateFromSeed(SEED, 1.5),
        new ValidationError('index', `${INDEX_RANGE}, got 1.5`),
      ],
      [
        'inserting at 2^48',
        () => ShachainStore.EMPTY.insertSecret(2 ** 48, secret),
        new ValidationError('index', `${INDEX_RANGE}, got ${2 ** 48}`),
      ],
      [
        'inserting a 33-byte secret',
        () => ShachainStore.EMPTY.insertSecret(MAX_SECRET_INDEX, new Uint8Array(33)),
        new ValidationError('secret', 'expected 32 bytes, got 33'),
      ],
      [
        'getting 2^48',
        () => store.getSecret(2 ** 48),
        new ValidationError('index', `${INDEX_RANGE}, got ${2 ** 48}`),
      ],
    ];
    for (const [name, call, error] of cases) {
      it(name, () => {
        expect(call).toThrow(error);
      });
    }
  });
});

/** The slots after receiving every index: slot b < 48 holds 2^b, slot 48 holds 0. */
function slotIndicesDownToZero(): number[] {
  return [...Array.from({ length: 48 }, (_, slot) => 2 ** slot), 0];
}

describe('ShachainStore serialisation', () => {
  it('round-trips an empty store as a single zero byte', () => {
    expect(ShachainStore.EMPTY.toBytes()).toEqual(Uint8Array.of(0));
    expect(ShachainStore.fromBytes(Uint8Array.of(0), 'store').count).toBe(0);
  });

  it('round-trips stores at many sizes, which then carry on as the original would', () => {
    let store = ShachainStore.EMPTY;
    for (let index = MAX_SECRET_INDEX; index >= MAX_SECRET_INDEX - 300; index--) {
      store = store.insertSecret(index, generateFromSeed(SEED, index));
      const decoded = ShachainStore.fromBytes(store.toBytes(), 'store');
      expect(decoded.toBytes()).toEqual(store.toBytes());
      expect(decoded.count).toBe(store.count);
      expect(decoded.getSecret(MAX_SECRET_INDEX)).toEqual(store.getSecret(MAX_SECRET_INDEX));
      const next = index - 1;
      expect(decoded.insertSecret(next, generateFromSeed(SEED, next)).toBytes()).toEqual(
        store.insertSecret(next, generateFromSeed(SEED, next)).toBytes(),
      );
    }
  });

  it('decodes the store holding every index down to 0', () => {
    const complete = ShachainStore.fromBytes(serialise(slotIndicesDownToZero()), 'store');
    expect(complete.count).toBe(2 ** 48);
    expect(complete.minIndex).toBe(0);
    for (const index of [0, 1, 12345, 2 ** 47, 2 ** 40 + 7, MAX_SECRET_INDEX]) {
      expect(complete.getSecret(index)).toEqual(generateFromSeed(SEED, index));
    }
  });

  describe('strict decoding', () => {
    const store = storeDownTo(MAX_SECRET_INDEX - 7);
    const bytes = store.toBytes();
    // After 2^48-1 .. 2^48-8: slot 0 holds ...f9, slot 1 ...fa, slot 2 ...fc, slot 3 ...f8.
    const indices = [MAX_SECRET_INDEX - 6, MAX_SECRET_INDEX - 5, MAX_SECRET_INDEX - 3, MAX_SECRET_INDEX - 7];

    it('matches the layout built by hand', () => {
      expect(bytes).toEqual(serialise(indices));
    });

    const cases: [string, () => unknown, DecodeError][] = [
      [
        'no bytes',
        () => ShachainStore.fromBytes(new Uint8Array(0), 'store'),
        new DecodeError('store.slot_count', 'expected 1 bytes, got 0'),
      ],
      [
        'a trailing byte',
        () => ShachainStore.fromBytes(Uint8Array.of(...bytes, 0), 'store'),
        new DecodeError('store', '1 unexpected trailing bytes'),
      ],
      [
        'a truncated secret',
        () => ShachainStore.fromBytes(bytes.subarray(0, bytes.length - 1), 'store'),
        new DecodeError('store.slots[3].secret', 'expected 32 bytes, got 31'),
      ],
      [
        'more than 49 slots',
        () => ShachainStore.fromBytes(Uint8Array.of(50), 'store'),
        new DecodeError('store.slot_count', 'expected at most 49, got 50'),
      ],
      [
        'an index above 2^48-1',
        () =>
          ShachainStore.fromBytes(
            serialise([2 ** 48], () => new Uint8Array(32)),
            'store',
          ),
        new DecodeError('store.slots[0].index', `expected at most ${MAX_SECRET_INDEX}, got ${2 ** 48}`),
      ],
      [
        'a slot missing',
        () => ShachainStore.fromBytes(serialise([MAX_SECRET_INDEX - 8, indices[1]!, indices[2]!]), 'store'),
        new DecodeError(
          'store.slot_count',
          `expected 4 slots for lowest index ${MAX_SECRET_INDEX - 8}, got 3`,
        ),
      ],
      [
        'an index in the wrong slot',
        () =>
          ShachainStore.fromBytes(serialise([indices[1]!, indices[0]!, indices[2]!, indices[3]!]), 'store'),
        new DecodeError('store.slots[0].index', `expected ${indices[0]}, got ${indices[1]}`),
      ],
      [
        'an index a valid sequence would have overwritten',
        () => ShachainStore.fromBytes(serialise([MAX_SECRET_INDEX, ...indices.slice(1)]), 'store'),
        new DecodeError('store.slots[0].index', `expected ${indices[0]}, got ${MAX_SECRET_INDEX}`),
      ],
      [
        'a slot too many',
        () => ShachainStore.fromBytes(serialise([...indices, 2 ** 4]), 'store'),
        new DecodeError('store.slot_count', 'expected 48 slots for lowest index 16, got 5'),
      ],
      [
        'a secret its ancestor does not derive',
        () =>
          ShachainStore.fromBytes(
            serialise(indices, (i) => generateFromSeed(i === indices[1] ? new Uint8Array(32) : SEED, i)),
            'store',
          ),
        new DecodeError(
          'store.slots[3].secret',
          `secret for index ${indices[3]} does not derive the stored secret at index ${indices[1]}`,
        ),
      ],
      [
        'an ancestor that derives nothing stored',
        () =>
          ShachainStore.fromBytes(
            serialise(indices, (i) => generateFromSeed(i === indices[3] ? new Uint8Array(32) : SEED, i)),
            'store',
          ),
        new DecodeError(
          'store.slots[3].secret',
          `secret for index ${indices[3]} does not derive the stored secret at index ${indices[0]}`,
        ),
      ],
    ];
    for (const [name, call, error] of cases) {
      it(`rejects ${name}`, () => {
        expect(call).toThrow(error);
      });
    }
  });
});
