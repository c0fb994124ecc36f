/**
 * TLV streams, BOLT 1 "Type-Length-Value Format" (01-messaging.md; vectors in "Appendix B:
 * Type-Length-Value Test Vectors").
 *
 * Two layers. The record level (`decodeTlvStream`, `encodeTlvStream`) enforces the framing every
 * reader shares: minimal BigSize type and length, strictly increasing types, no length past the end.
 * The namespace level (`tlvNamespace`, `decodeTlvs`, `encodeTlvs`) applies one stream's known
 * types: their values must decode exactly, an unknown even type is fatal, and unknown odd types
 * ("it's OK to be odd") are kept so the stream can be re-serialised unchanged.
 *
 * A namespace is declared once, e.g. for `open_channel`:
 *   tlvNamespace('open_channel_tlvs', { upfront_shutdown_script: tlv(0n, remainingBytes), ... })
 * and `decodeTlvs` then returns `{ upfront_shutdown_script?: Uint8Array, ... }`, typed from it.
 */
import { ByteReader, ByteWriter, U64_MAX, expectBigUint } from '../bytes.js';
import { DecodeError, ValidationError } from '../errors.js';
import { readBigSize, writeBigSize } from './bigsize.js';
import { type Codec, type CodecValue, decodeValue, encodeValue } from './fundamental.js';

/** One record, its value still encoded. */
export interface TlvRecord {
  readonly type: bigint;
  readonly value: Uint8Array;
}

/** Splits a stream into records, enforcing the framing rules; the values are not interpreted. */
export function decodeTlvStream(bytes: Uint8Array, field: string): TlvRecord[] {
  if (!(bytes instanceof Uint8Array)) throw new ValidationError(field, `expected bytes, got ${typeof bytes}`);
  const reader = new ByteReader(bytes);
  const records: TlvRecord[] = [];
  let previous: bigint | undefined;
  while (reader.remaining > 0) {
    const at = `${field}[${records.length}]`;
    const type = readBigSize(reader, `${at}.type`);
    if (previous !== undefined && type <= previous) {
      throw new DecodeError(`${at}.type`, orderProblem(type, previous));
    }
    const length = readBigSize(reader, `${at}.length`);
    if (length > BigInt(reader.remaining)) {
      throw new DecodeError(
        `${at}.length`,
        `length ${length} exceeds the ${reader.remaining} bytes remaining`,
      );
    }
    records.push({ type, value: reader.bytes(Number(length), `${at}.value`) });
    previous = type;
  }
  return records;
}

/** Strict increase is what makes the encoding canonical, so signatures over a stream are stable. */
function orderProblem(type: bigint, previous: bigint): string {
  if (type === previous) return `duplicate type ${type}`;
  return `type ${type} after type ${previous}: types must strictly increase`;
}

/** Encodes `records` in increasing type order; duplicate types are refused. */
export function encodeTlvStream(records: readonly TlvRecord[], field: string): Uint8Array {
  expectDistinctRecords(records, field);
  const writer = new ByteWriter();
  for (const record of [...records].sort(byType)) {
    writeBigSize(writer, record.type, `${field}.type`);
    writeBigSize(writer, BigInt(record.value.length), `${field}.length`);
    writer.bytes(record.value);
  }
  return writer.finish();
}

function byType(a: TlvRecord, b: TlvRecord): number {
  if (a.type === b.type) return 0;
  return a.type < b.type ? -1 : 1;
}

function expectDistinctRecords(records: readonly TlvRecord[], field: string): void {
  if (!Array.isArray(records))
    throw new ValidationError(field, `expected an array of records, got ${typeof records}`);
  const indexByType = new Map<bigint, number>();
  records.forEach((record, i) => {
    expectRecord(record, `${field}[${i}]`);
    const earlier = indexByType.get(record.type);
    if (earlier !== undefined) {
      throw new ValidationError(
        `${field}[${i}].type`,
        `duplicate type ${record.type} (also ${field}[${earlier}])`,
      );
    }
    indexByType.set(record.type, i);
  });
}

function expectRecord(record: TlvRecord, field: string): void {
  if (typeof record !== 'object' || record === null) {
    throw new ValidationError(field, `expected a record, got ${record === null ? 'null' : typeof record}`);
  }
  expectBigUint(record.type, U64_MAX, `${field}.type`);
  if (!(record.value instanceof Uint8Array)) {
    throw new ValidationError(`${field}.value`, `expected bytes, got ${typeof record.value}`);
  }
}

/** A known type of a namespace: its number and the codec its whole value must match. */
export interface TlvDefinition<T> {
  readonly type: bigint;
  readonly codec: Codec<T>;
}

/** Declares a known type; `tlvNamespace` checks it. Multi-field values use `struct` as the codec. */
export function tlv<T>(type: bigint, codec: Codec<T>): TlvDefinition<T> {
  return { type, codec };
}

/** Known types by field name: the names become the keys of the decoded values. */
export type TlvSchema = Readonly<Record<string, TlvDefinition<unknown>>>;

/** The decoded values of a namespace; every record is optional in a TLV stream. */
export type TlvValues<S extends TlvSchema> = {
  readonly [K in keyof S]?: CodecValue<S[K]['codec']> | undefined;
};

interface KnownType {
  readonly name: string;
  readonly definition: TlvDefinition<unknown>;
}

export interface TlvNamespace<S extends TlvSchema> {
  readonly name: string;
  readonly schema: S;
  readonly byType: ReadonlyMap<bigint, KnownType>;
}

/** Checks and indexes a namespace declaration; `name` appears in errors about the declaration. */
export function tlvNamespace<S extends TlvSchema>(name: string, schema: S): TlvNamespace<S> {
  if (typeof schema !== 'object' || schema === null) {
    throw new ValidationError(name, `expected an object of TLV definitions, got ${typeof schema}`);
  }
  const byType = new Map<bigint, KnownType>();
  for (const [fieldName, definition] of Object.entries(schema)) {
    const at = `${name}.${fieldName}`;
    if (typeof definition !== 'object' || definition === null) {
      throw new ValidationError(at, 'expected a TLV definition from tlv()');
    }
    expectBigUint(definition.type, U64_MAX, `${at}.type`);
    if (typeof definition.codec?.read !== 'function' || typeof definition.codec?.write !== 'function') {
      throw new ValidationError(`${at}.codec`, 'expected a codec');
    }
    const clash = byType.get(definition.type);
    if (clash !== undefined) {
      throw new ValidationError(`${at}.type`, `type ${definition.type} is already ${name}.${clash.name}`);
    }
    byType.set(definition.type, { name: fieldName, definition });
  }
  return { name, schema, byType };
}

export interface DecodedTlvs<S extends TlvSchema> {
  readonly values: TlvValues<S>;
  /** Unknown odd records in stream order, to pass back to `encodeTlvs` when relaying or re-signing. */
  readonly unknown: readonly TlvRecord[];
}

/**
 * Decodes a stream against `namespace`. A known record's error names it (`${field}.${name}`); a
 * framing error names the record's position (`${field}[i].type`).
 */
export function decodeTlvs<S extends TlvSchema>(
  namespace: TlvNamespace<S>,
  bytes: Uint8Array,
  field: string,
): DecodedTlvs<S> {
  const values: Record<string, unknown> = {};
  const unknown: TlvRecord[] = [];
  decodeTlvStream(bytes, field).forEach((record, i) => {
    const known = namespace.byType.get(record.type);
    if (known !== undefined) {
      values[known.name] = decodeValue(known.definition.codec, record.value, `${field}.${known.name}`);
    } else if (isEven(record.type)) {
      throw new DecodeError(
        `${field}[${i}].type`,
        `unknown even type ${record.type} in ${namespace.name}: the sender requires it to be understood`,
      );
    } else {
      unknown.push(record);
    }
  });
  return { values: values as TlvValues<S>, unknown };
}

/**
 * Encodes `values` plus `unknown` (odd records this node does not interpret, typically those
 * `decodeTlvs` returned) as one canonical stream.
 */
export function encodeTlvs<S extends TlvSchema>(
  namespace: TlvNamespace<S>,
  values: TlvValues<S>,
  field: string,
  unknown: readonly TlvRecord[] = [],
): Uint8Array {
  if (typeof values !== 'object' || values === null) {
    throw new ValidationError(
      field,
      `expected an object of values, got ${values === null ? 'null' : typeof values}`,
    );
  }
  const given = values as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(namespace.schema, name)) {
      throw new ValidationError(`${field}.${name}`, `not a type of ${namespace.name}`);
    }
  }
  expectUnknownRecords(namespace, unknown, `${field}.unknown`);
  const known: TlvRecord[] = [];
  for (const { name, definition } of namespace.byType.values()) {
    const value = given[name];
    if (value !== undefined)
      known.push({ type: definition.type, value: encodeValue(definition.codec, value, `${field}.${name}`) });
  }
  return encodeTlvStream([...known, ...unknown], field);
}

/**
 * Unknown records may not shadow a known type (that value belongs in `values`) and must be odd:
 * writing an even type this node does not understand would make peers reject what it cannot check.
 */
function expectUnknownRecords<S extends TlvSchema>(
  namespace: TlvNamespace<S>,
  records: readonly TlvRecord[],
  field: string,
): void {
  expectDistinctRecords(records, field);
  records.forEach((record, i) => {
    const known = namespace.byType.get(record.type);
    if (known !== undefined) {
      throw new ValidationError(
        `${field}[${i}].type`,
        `type ${record.type} is ${namespace.name}.${known.name}; pass it as a value`,
      );
    }
    if (isEven(record.type))
      throw new ValidationError(`${field}[${i}].type`, `unknown type ${record.type} is even`);
  });
}

function isEven(type: bigint): boolean {
  return type % 2n === 0n;
}
