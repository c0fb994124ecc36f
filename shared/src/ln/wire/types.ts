/**
 * Field types the BOLT 1 and BOLT 2 messages are written in (01-messaging.md "Lightning Message
 * Format" and "Fundamental Types"), beyond the fundamental ones: a length-prefixed byte string
 * (`[u16:len][len*byte:data]`), a counted list (`[u16:num][num*T:items]`), a list filling the rest
 * of a TLV value (`[...*T:items]`), and a point that must lie on the curve.
 */
import { U16_MAX, expectBytes } from '../../bytes.js';
import { DecodeError, ValidationError } from '../../errors.js';
import { validatePubkey } from '../../bitcoin/secp256k1.js';
import { type Codec, point, u16 } from '../fundamental.js';

/**
 * A compressed point that must also be on secp256k1. Every point in these messages is used as a
 * key (funding key, basepoints, per-commitment points, the blinded path key), so one that is off
 * the curve is not a valid encoding and is rejected where it is read, naming the field, rather
 * than wherever it is first used. (The onion packet's ephemeral key is not read here: BOLT 4
 * answers a bad one with `update_fail_malformed_htlc`, so the packet stays opaque.)
 */
export const curvePoint: Codec<Uint8Array> = {
  greedy: false,
  read(reader, field) {
    const bytes = point.read(reader, field);
    try {
      validatePubkey(bytes, field);
    } catch (e) {
      if (e instanceof ValidationError) throw new DecodeError(e.field, e.problem);
      throw e;
    }
    return bytes;
  },
  write(writer, value, field) {
    validatePubkey(value, field);
    point.write(writer, value, field);
  },
};

/** `[u16:len][len*byte:data]`: the length is implied by the bytes, so values carry only the bytes. */
export const u16Bytes: Codec<Uint8Array> = {
  greedy: false,
  read(reader, field) {
    const length = u16.read(reader, `${field}.length`);
    return reader.bytes(length, field);
  },
  write(writer, value, field) {
    expectBytes(value, field);
    if (value.length > U16_MAX) {
      throw new ValidationError(field, `at most ${U16_MAX} bytes fit a u16 length, got ${value.length}`);
    }
    u16.write(writer, value.length, `${field}.length`);
    writer.bytes(value);
  },
};

/** `[u16:num][num*T:items]`, e.g. `commitment_signed`'s `htlc_signature`s. */
export function u16List<T>(item: Codec<T>): Codec<readonly T[]> {
  expectSized(item, 'u16List item');
  return {
    greedy: false,
    read(reader, field) {
      const count = u16.read(reader, `${field}.length`);
      return Array.from({ length: count }, (_, i) => item.read(reader, `${field}[${i}]`));
    },
    write(writer, value, field) {
      expectArray(value, field);
      if (value.length > U16_MAX) {
        throw new ValidationError(field, `at most ${U16_MAX} items fit a u16 count, got ${value.length}`);
      }
      u16.write(writer, value.length, `${field}.length`);
      value.forEach((v, i) => item.write(writer, v, `${field}[${i}]`));
    },
  };
}

/** `[...*T:items]`: items until the enclosing value ends; a partial last item is an error. */
export function remainingList<T>(item: Codec<T>): Codec<readonly T[]> {
  expectSized(item, 'remainingList item');
  return {
    greedy: true,
    read(reader, field) {
      const items: T[] = [];
      while (reader.remaining > 0) items.push(item.read(reader, `${field}[${items.length}]`));
      return items;
    },
    write(writer, value, field) {
      expectArray(value, field);
      value.forEach((v, i) => item.write(writer, v, `${field}[${i}]`));
    },
  };
}

/** An item that took all remaining bytes would leave nothing for the next one. */
function expectSized(item: Codec<unknown>, what: string): void {
  if (item.greedy) throw new ValidationError(what, 'must have a size of its own');
}

function expectArray(value: readonly unknown[], field: string): void {
  if (!Array.isArray(value)) throw new ValidationError(field, `expected an array, got ${typeof value}`);
}
