/**
 * How one Lightning message is declared and coded, BOLT 1 "Lightning Message Format"
 * (01-messaging.md): after the 2-byte type, a message's payload is its fixed fields in the spec's
 * order, then an optional `extension` TLV stream. Where BOLT 2 defines a message's `tlvs`, that
 * stream is the extension; where it defines none, the extension is still a TLV stream whose
 * records are all unknown. Either way it is parsed, never skipped: an invalid stream or an unknown
 * even record fails the message (Appendix C), and unknown odd records are kept so the message
 * re-encodes to the same bytes (they are part of what a signature covers).
 *
 * A message is declared once, as data: its number, its name, its fields (`struct` codecs in spec
 * order) and its TLV records (`tlv` definitions). That one declaration drives both directions and
 * gives the message's TypeScript type.
 */
import { ByteReader, type ByteWriter, U16_MAX, expectUint } from '../../bytes.js';
import { ValidationError } from '../../errors.js';
import { type StructFields, type StructValue, struct } from '../fundamental.js';
import {
  type TlvRecord,
  type TlvSchema,
  type TlvValues,
  decodeTlvs,
  encodeTlvs,
  tlvNamespace,
} from '../tlv.js';

/** A schema with no records, for messages whose extension the spec does not (yet) define. */
type NoTlvs = Readonly<Record<never, never>>;

/** Flattens an intersection so editors show a message as one object type. */
type Simplify<T> = { [K in keyof T]: T[K] };

/** Only messages with defined records carry `tlvs`; it is then always present (maybe `{}`). */
type TlvPart<S extends TlvSchema> = [keyof S] extends [never] ? unknown : { readonly tlvs: TlvValues<S> };

/** The fields every message value has besides its own. */
interface Envelope<N extends string> {
  /** The spec's name for the message, the union's discriminant. */
  readonly type: N;
  /**
   * Extension records this node does not understand, all odd, in increasing type order: kept on
   * decode so the message can be relayed or re-signed unchanged. Absent when there are none.
   */
  readonly unknownTlvs?: readonly TlvRecord[];
}

/** The value of message `N` with fields `F` and TLV records `S`. */
export type MessageValue<N extends string, F extends StructFields, S extends TlvSchema> = Simplify<
  Envelope<N> & StructValue<F> & TlvPart<S>
>;

/** One message type: its number and how its payload (everything after the type) is coded. */
export interface MessageDefinition<N extends string, V extends { readonly type: N }> {
  readonly name: N;
  readonly type: number;
  /** Method syntax on purpose: it lets definitions of different messages share one map. */
  readPayload(payload: Uint8Array): V;
  writePayload(writer: ByteWriter, value: V): void;
}

/** The value type a definition reads and writes: `MessageOf<typeof initMessage>` is `Init`. */
export type MessageOf<D> = D extends MessageDefinition<string, infer V> ? V : never;

const ENVELOPE_KEYS = ['type', 'unknownTlvs', 'tlvs'] as const;

/**
 * Declares message `name` with type number `type`, fixed `fields` in spec order and extension
 * records `tlvs` (named `<name>_tlvs` in errors, as the spec names the streams).
 */
export function defineMessage<N extends string, F extends StructFields, S extends TlvSchema = NoTlvs>(
  type: number,
  name: N,
  fields: F,
  tlvs?: S,
): MessageDefinition<N, MessageValue<N, F, S>> {
  expectUint(type, U16_MAX, `${name}.type`);
  for (const key of ENVELOPE_KEYS) {
    if (Object.hasOwn(fields, key))
      throw new ValidationError(`${name}.${key}`, 'is reserved for the envelope');
  }
  const body = struct(fields);
  // A greedy last field would swallow the extension, leaving no way to tell the two apart.
  if (body.greedy) throw new ValidationError(name, 'fixed fields must not take all remaining bytes');
  const namespace = tlvNamespace(`${name}_tlvs`, tlvs ?? {});
  const hasTlvs = namespace.byType.size > 0;
  const allowedKeys = new Set<string>([...Object.keys(fields), 'type', 'unknownTlvs']);
  if (hasTlvs) allowedKeys.add('tlvs');

  return {
    name,
    type,
    readPayload(payload) {
      const reader = new ByteReader(payload);
      const fixed = body.read(reader, name);
      const { values, unknown } = decodeTlvs(namespace, reader.rest(), `${name}.tlvs`);
      return {
        type: name,
        ...fixed,
        ...(hasTlvs ? { tlvs: values } : {}),
        ...(unknown.length > 0 ? { unknownTlvs: unknown } : {}),
      } as unknown as MessageValue<N, F, S>;
    },
    writePayload(writer, value) {
      expectOnlyKeys(value, allowedKeys, name);
      body.write(writer, value as unknown as StructValue<F>, name);
      const given = value as { readonly tlvs?: TlvValues<S>; readonly unknownTlvs?: readonly TlvRecord[] };
      // Where records are defined `tlvs` is required (encodeTlvs names it if missing), so a value
      // round-trips exactly; `unknownTlvs` is optional everywhere.
      const tlvValues = hasTlvs ? given.tlvs : {};
      writer.bytes(encodeTlvs(namespace, tlvValues as TlvValues<S>, `${name}.tlvs`, given.unknownTlvs ?? []));
    },
  };
}

/** A misspelt or misplaced key would otherwise be dropped silently, and the peer would never know. */
function expectOnlyKeys(value: object, allowed: ReadonlySet<string>, name: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) throw new ValidationError(`${name}.${key}`, `not a field of ${name}`);
  }
}
