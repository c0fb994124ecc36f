/**
 * Per-commitment secrets, BOLT 3 "Per-commitment Secret Requirements" and "Efficient
 * Per-commitment Secret Storage".
 *
 * The secret for a 48-bit index I is generate_from_seed(seed, I): for each set bit B of I, from
 * bit 47 down, flip bit B of the running value and hash it. Secrets are revealed in decreasing
 * index order starting at 2^48-1, and the secret for an index whose low B bits are zero derives
 * every secret that differs from it only in those bits. So the receiver keeps at most 49 secrets
 * (slot B holds the latest one with exactly B trailing zero bits) and can still produce every
 * secret revealed so far.
 *
 * Error messages name indices, never secret bytes.
 */
import { timingSafeEqual } from 'node:crypto';

import { ByteReader, ByteWriter, expectLength, expectUint } from '../bytes.js';
import { DecodeError, ValidationError } from '../errors.js';
import { sha256 } from '../bitcoin/hash.js';

export const SECRET_LENGTH = 32;
export const SEED_LENGTH = 32;
const INDEX_BITS = 48;
/** The first index used: secrets count down from here. */
export const MAX_SECRET_INDEX = 2 ** INDEX_BITS - 1;
/** One slot per possible number of trailing zero bits, 0 to 48 (index 0 has 48). */
const SLOT_COUNT = INDEX_BITS + 1;
const SERIALIZED_INDEX_MAX = BigInt(MAX_SECRET_INDEX);

/** The secret for `index` generated from a 32-byte `seed` (BOLT 3 generate_from_seed). */
export function generateFromSeed(seed: Uint8Array, index: number): Uint8Array {
  expectLength(seed, SEED_LENGTH, 'seed');
  expectUint(index, MAX_SECRET_INDEX, 'index');
  return deriveSecret(seed, INDEX_BITS, index);
}

interface Slot {
  readonly index: number;
  readonly secret: Uint8Array;
}

/**
 * The received per-commitment secrets in compact form: an immutable value, so a rejected insert
 * leaves the store the caller holds untouched.
 *
 * Serialised form (strictly decoded): u8 slot count (0..49), then per slot, in slot order, the
 * index as u64 big-endian and the 32-byte secret. A store is fully determined by its lowest index
 * and the secrets, so decoding rejects any slot index other than the one a valid sequence of
 * inserts would have left there, and checks that each secret derives those stored below it.
 */
export class ShachainStore {
  static readonly EMPTY = new ShachainStore([]);

  /** Slot b holds the most recently received index with exactly b trailing zero bits. */
  readonly #slots: readonly Slot[];

  private constructor(slots: readonly Slot[]) {
    this.#slots = slots;
  }

  /** The lowest index received (the latest one), or undefined when empty. */
  get minIndex(): number | undefined {
    if (this.#slots.length === 0) return undefined;
    return Math.min(...this.#slots.map((slot) => slot.index));
  }

  /** How many secrets have been received (all of them remain derivable). */
  get count(): number {
    const min = this.minIndex;
    return min === undefined ? 0 : MAX_SECRET_INDEX - min + 1;
  }

  /**
   * A new store with the secret for `index` added. `index` must be the next one expected (2^48-1
   * first, then each one less than the last), and the secret must derive the stored secrets it
   * is the ancestor of (BOLT 3 insert_secret); otherwise the peer sent a wrong secret.
   */
  insertSecret(index: number, secret: Uint8Array): ShachainStore {
    expectUint(index, MAX_SECRET_INDEX, 'index');
    expectLength(secret, SECRET_LENGTH, 'secret');
    this.#expectNextIndex(index);
    const slot = slotOf(index);
    const entry = { index, secret: Uint8Array.from(secret) };
    const underived = firstUnderived(entry, slot, this.#slots);
    if (underived !== undefined) throw new ValidationError('secret', mismatchProblem(entry, underived));
    const slots = this.#slots.slice();
    slots[slot] = entry;
    return new ShachainStore(slots);
  }

  /** The secret for any index already received (BOLT 3 derive_old_secret). */
  getSecret(index: number): Uint8Array {
    expectUint(index, MAX_SECRET_INDEX, 'index');
    for (const [slot, entry] of this.#slots.entries()) {
      if (clearLowBits(index, slot) === entry.index) return deriveSecret(entry.secret, slot, index);
    }
    const received =
      this.minIndex === undefined ? 'none received yet' : `lowest received is ${this.minIndex}`;
    throw new ValidationError('index', `secret for index ${index} has not been received (${received})`);
  }

  toBytes(): Uint8Array {
    const writer = new ByteWriter(1 + this.#slots.length * (8 + SECRET_LENGTH));
    writer.u8(this.#slots.length);
    for (const entry of this.#slots) writer.u64be(BigInt(entry.index)).bytes(entry.secret);
    return writer.finish();
  }

  /** Decodes `toBytes` output; `field` names the value in errors (`monitor.shachain.slots[3].index`). */
  static fromBytes(bytes: Uint8Array, field: string): ShachainStore {
    const reader = new ByteReader(bytes);
    const slotCount = reader.u8(`${field}.slot_count`);
    if (slotCount > SLOT_COUNT) {
      throw new DecodeError(`${field}.slot_count`, `expected at most ${SLOT_COUNT}, got ${slotCount}`);
    }
    const slots: Slot[] = [];
    for (let slot = 0; slot < slotCount; slot++) {
      const index = reader.u64be(`${field}.slots[${slot}].index`);
      if (index > SERIALIZED_INDEX_MAX) {
        throw new DecodeError(
          `${field}.slots[${slot}].index`,
          `expected at most ${MAX_SECRET_INDEX}, got ${index}`,
        );
      }
      slots.push({
        index: Number(index),
        secret: reader.bytes(SECRET_LENGTH, `${field}.slots[${slot}].secret`),
      });
    }
    reader.end(field);
    checkSlotIndices(slots, field);
    for (const [slot, entry] of slots.entries()) {
      const underived = firstUnderived(entry, slot, slots);
      if (underived !== undefined) {
        throw new DecodeError(`${field}.slots[${slot}].secret`, mismatchProblem(entry, underived));
      }
    }
    return new ShachainStore(slots);
  }

  #expectNextIndex(index: number): void {
    const min = this.minIndex;
    if (min === 0) {
      throw new ValidationError('index', `got ${index}, but every index down to 0 has already been received`);
    }
    const expected = min === undefined ? MAX_SECRET_INDEX : min - 1;
    if (index !== expected) {
      const order = min === undefined ? 'the first secret' : `one below the last received, ${min}`;
      throw new ValidationError('index', `expected ${expected} (${order}), got ${index}`);
    }
  }
}

/**
 * BOLT 3 derive_secret: from the secret at `base`, whose low `bits` bits are zero, the secret for
 * `index`, which shares all higher bits with it.
 */
function deriveSecret(base: Uint8Array, bits: number, index: number): Uint8Array {
  let value: Uint8Array = Uint8Array.from(base);
  for (let bit = bits - 1; bit >= 0; bit--) {
    if (!isBitSet(index, bit)) continue;
    const byte = bit >> 3;
    value[byte] = value[byte]! ^ (1 << (bit & 7));
    value = sha256(value);
  }
  return value;
}

/**
 * The first stored secret that `entry` (in `slot`) is the ancestor of but does not derive. Its
 * descendants are the indices that differ from it only in the low `slot` bits; in a valid store
 * those are exactly the ones that were stored below it when it was inserted.
 */
function firstUnderived(entry: Slot, slot: number, slots: readonly Slot[]): Slot | undefined {
  return slots
    .slice(0, slot)
    .find(
      (lower) =>
        clearLowBits(lower.index, slot) === entry.index &&
        !timingSafeEqual(deriveSecret(entry.secret, slot, lower.index), lower.secret),
    );
}

function mismatchProblem(entry: Slot, underived: Slot): string {
  return `secret for index ${entry.index} does not derive the stored secret at index ${underived.index}`;
}

/** Throws unless each slot holds the index a valid sequence of inserts ending at the lowest one leaves. */
function checkSlotIndices(slots: readonly Slot[], field: string): void {
  if (slots.length === 0) return;
  const minIndex = Math.min(...slots.map((slot) => slot.index));
  const expected = expectedSlotIndices(minIndex);
  if (slots.length !== expected.length) {
    throw new DecodeError(
      `${field}.slot_count`,
      `expected ${expected.length} slots for lowest index ${minIndex}, got ${slots.length}`,
    );
  }
  for (const [slot, entry] of slots.entries()) {
    if (entry.index !== expected[slot]) {
      throw new DecodeError(
        `${field}.slots[${slot}].index`,
        `expected ${expected[slot]}, got ${entry.index}`,
      );
    }
  }
}

/**
 * The slot contents after receiving every index from 2^48-1 down to `minIndex`: for each slot b,
 * the lowest index at or above `minIndex` with exactly b trailing zero bits. Slots fill from 0 up
 * without gaps, so the list stops at the first slot no such index reaches.
 */
function expectedSlotIndices(minIndex: number): number[] {
  const indices: number[] = [];
  for (let slot = 0; slot < INDEX_BITS; slot++) {
    const period = 2 ** (slot + 1);
    let index = clearLowBits(minIndex, slot + 1) + 2 ** slot;
    if (index < minIndex) index += period;
    if (index > MAX_SECRET_INDEX) return indices;
    indices.push(index);
  }
  if (minIndex === 0) indices.push(0);
  return indices;
}

/** BOLT 3 where_to_put_secret: the number of trailing zero bits, 48 for index 0. */
function slotOf(index: number): number {
  let slot = 0;
  while (slot < INDEX_BITS && !isBitSet(index, slot)) slot++;
  return slot;
}

// Indices reach 2^48, beyond JavaScript's 32-bit bitwise operators, so bits are taken arithmetically.
function isBitSet(index: number, bit: number): boolean {
  return Math.floor(index / 2 ** bit) % 2 === 1;
}

function clearLowBits(index: number, bits: number): number {
  return index - (index % 2 ** bits);
}
