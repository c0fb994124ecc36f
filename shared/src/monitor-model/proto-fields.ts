/**
 * The field checks every monitor-model proto converter is built from (proto/vigil/monitor/v1/
 * model.proto). The same helper serves both directions: converting to proto it stops a malformed
 * value before it is sent, converting from proto it stops untrusted input before it reaches the
 * monitor. Every error names the field path, never the value of a bytes field (many are secrets).
 */
import type { DescMessage, Message } from '@bufbuild/protobuf';
import { reflect, type ReflectMessage } from '@bufbuild/protobuf/reflect';
import { expectBigUint, expectLength, U64_MAX } from '../bytes.js';
import { DecodeError, ValidationError } from '../errors.js';
import { checkScript } from './script-checks.js';

/** Compressed SEC1 public keys and points. */
export const PUBKEY_BYTES = 33;
/** Secrets, seeds, hashes, preimages, txids and channel ids. */
export const HASH_BYTES = 32;
/** Compact (r || s) ECDSA signatures. */
export const SIGNATURE_BYTES = 64;
/** Commitment numbers and shachain indices are 48-bit (BOLT 3). */
export const U48_MAX = 2 ** 48 - 1;
/**
 * BOLT 2 caps `max_accepted_htlcs` at 483 per direction, so no commitment carries more HTLCs (or
 * HTLC signatures) than this; bounding lists keeps a hostile message from costing unbounded work.
 */
export const MAX_HTLCS = 2 * 483;

/** `value` if it has exactly `length` bytes, copied so the result never aliases a caller's buffer. */
export function bytesField(value: Uint8Array, length: number, path: string): Uint8Array {
  return Uint8Array.from(expectLength(value, length, path));
}

/** `bytesField` for `length`, as a converter for `listField`. */
export function bytesFieldOf(length: number): (value: Uint8Array, path: string) => Uint8Array {
  return (value, path) => bytesField(value, length, path);
}

/** A script a monitor pays to or recognises (1 to 10,000 bytes), copied. */
export function scriptField(value: Uint8Array, path: string): Uint8Array {
  checkScript(value, path);
  return Uint8Array.from(value);
}

/**
 * An integer in [0, `max`] as a number, from either representation: protobuf-es gives uint64 as
 * bigint and uint32 as number, while the model keeps every value up to 2^53 as a number.
 */
export function uintField(value: number | bigint, max: number, path: string): number {
  const inRange =
    typeof value === 'bigint'
      ? value >= 0n && value <= BigInt(max)
      : Number.isInteger(value) && value >= 0 && value <= max;
  if (!inRange) throw new ValidationError(path, `expected an integer in [0, ${max}], got ${String(value)}`);
  return Number(value);
}

/** A u64 (amounts, HTLC ids) as a bigint. */
export function u64Field(value: bigint, path: string): bigint {
  return expectBigUint(value, U64_MAX, path);
}

export function boolField(value: boolean, path: string): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(path, `expected a boolean, got ${typeof value}`);
  return value;
}

export function stringField(value: string, path: string): string {
  if (typeof value !== 'string') throw new ValidationError(path, `expected a string, got ${typeof value}`);
  return value;
}

/** Converts the sub-message `value`, which the schema marks as required (proto3 cannot). */
export function requiredField<T, U>(
  value: T | undefined,
  path: string,
  convert: (value: T, path: string) => U,
): U {
  if (value === undefined) throw new ValidationError(path, 'is required but missing');
  return convert(value, path);
}

/** Converts `value` unless it is absent (a proto3 `optional` field or an unset sub-message). */
export function optionalField<T, U>(
  value: T | undefined,
  path: string,
  convert: (value: T, path: string) => U,
): U | undefined {
  return value === undefined ? undefined : convert(value, path);
}

/** Converts each item of a list of at most `maxItems`, naming it `path[i]`. */
export function listField<T, U>(
  items: readonly T[],
  path: string,
  convert: (item: T, path: string) => U,
  maxItems = Number.MAX_SAFE_INTEGER,
): U[] {
  if (!Array.isArray(items)) throw new ValidationError(path, 'expected a list');
  if (items.length > maxItems) {
    throw new ValidationError(path, `expected at most ${maxItems} items, got ${items.length}`);
  }
  return items.map((item, i) => convert(item, `${path}[${i}]`));
}

/**
 * The error for a message whose oneof has no case set. (A case this build does not know arrives
 * as an unknown field, which `rejectUnknownFields` reports first.)
 */
export function missingCase(path: string, cases: readonly string[]): ValidationError {
  return new ValidationError(path, `expected one of ${cases.join(', ')}, got none`);
}

/**
 * Throws a DecodeError if `message` or any message inside it carries fields this schema does not
 * define. protobuf-es keeps them and would write them back out; a monitor must not store, ack or
 * compare bytes it did not understand (a newer sender's field would be silently dropped).
 */
export function rejectUnknownFields(schema: DescMessage, message: Message, path: string): void {
  checkKnown(reflect(schema, message), path);
}

function checkKnown(message: ReflectMessage, path: string): void {
  const unknown = message.getUnknown();
  if (unknown !== undefined && unknown.length > 0) {
    throw new DecodeError(path, `unknown field number ${unknown[0]!.no} in ${message.desc.typeName}`);
  }
  for (const field of message.fields) {
    if (!message.isSet(field)) continue;
    const fieldPath = `${path}.${field.localName}`;
    if (field.fieldKind === 'message') checkKnown(message.get(field), fieldPath);
    if (field.fieldKind === 'list' && field.listKind === 'message') {
      for (const [i, item] of message.get(field).entries()) {
        checkKnown(item as ReflectMessage, `${fieldPath}[${i}]`);
      }
    }
  }
}
