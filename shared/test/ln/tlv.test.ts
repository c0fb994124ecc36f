import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, U64_MAX } from '../../src/bytes.js';
import { DecodeError, ValidationError } from '../../src/errors.js';
import {
  type Codec,
  formatShortChannelId,
  point,
  remainingBytes,
  shortChannelId,
  shortChannelIdToU64,
  struct,
  tu32,
  tu64,
  u16,
  u64,
  type ShortChannelId,
} from '../../src/ln/fundamental.js';
import {
  type TlvNamespace,
  type TlvRecord,
  type TlvSchema,
  decodeTlvStream,
  decodeTlvs,
  encodeTlvStream,
  encodeTlvs,
  tlv,
  tlvNamespace,
} from '../../src/ln/tlv.js';
import { loadVectors } from '../vectors.js';

type FieldType = 'tu64' | 'u64' | 'u16' | 'tu32' | 'point' | 'short_channel_id';
type NamespaceJson = Record<string, { type: number; fields: [FieldType, string][] }>;
type NamespaceName = 'n1' | 'n2';

interface TlvCase {
  section: string;
  namespace: NamespaceName | 'any';
  stream: string;
  stream_as_printed: string;
  valid: boolean;
  reason?: string;
  explanation?: string;
  decoded?: Record<string, Record<string, unknown>>;
}

interface TlvVectors {
  namespaces: Record<NamespaceName, NamespaceJson>;
  composition_rules: string[];
  cases: TlvCase[];
}

const vectors = loadVectors<TlvVectors>('bolt01-tlv.json');

const FIELD_CODECS: Record<FieldType, Codec<unknown>> = {
  tu64,
  u64,
  u16,
  tu32,
  point,
  short_channel_id: shortChannelId,
};

/** The spec's namespaces, built from the JSON so each record decodes to `{ fieldName: value }`. */
function buildNamespace(name: NamespaceName): TlvNamespace<TlvSchema> {
  const schema = Object.fromEntries(
    Object.entries(vectors.namespaces[name]).map(([record, def]) => [
      record,
      tlv(
        BigInt(def.type),
        struct(Object.fromEntries(def.fields.map(([type, field]) => [field, FIELD_CODECS[type]]))),
      ),
    ]),
  );
  return tlvNamespace(name, schema);
}

const namespaces: Record<NamespaceName, TlvNamespace<TlvSchema>> = {
  n1: buildNamespace('n1'),
  n2: buildNamespace('n2'),
};

function namespacesOf(c: TlvCase): NamespaceName[] {
  return c.namespace === 'any' ? ['n1', 'n2'] : [c.namespace];
}

/** The JSON prints numbers (with `_str` above 2^53), points as hex and scids as "0x0x550". */
function expectedField(type: FieldType, decoded: Record<string, unknown>, field: string): unknown {
  const raw = decoded[`${field}_str`] ?? decoded[field];
  switch (type) {
    case 'tu64':
    case 'u64':
      return BigInt(raw as string | number);
    case 'u16':
    case 'tu32':
      return raw;
    case 'point':
      return fromHex(raw as string);
    case 'short_channel_id': {
      const [block, txIndex, outputIndex] = (raw as string).split('x').map(Number);
      return { block, txIndex, outputIndex };
    }
  }
}

function expectedValues(
  ns: NamespaceName,
  decoded: Record<string, Record<string, unknown>>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(decoded).map(([record, fields]) => [
      record,
      Object.fromEntries(
        vectors.namespaces[ns][record]!.fields.map(([type, field]) => [
          field,
          expectedField(type, fields, field),
        ]),
      ),
    ]),
  );
}

/**
 * The spec's failure reasons, each mapped to the error our decoder must raise: the right field
 * (record position for framing, record name for a known value) and the right kind of problem.
 */
function failurePattern(reason: string, ns: NamespaceName): RegExp {
  const record = /`(tlv\d)`/.exec(reason)?.[1];
  const rules: [RegExp, string][] = [
    [/^type truncated$/, `^${ns}\\[0\\]\\.type: truncated BigSize`],
    [/^not minimally encoded type$/, `^${ns}\\[0\\]\\.type: non-minimal BigSize`],
    [/^missing length$/, `^${ns}\\[0\\]\\.length: expected a BigSize, got end of input`],
    [/^\(length truncated\)$/, `^${ns}\\[0\\]\\.length: truncated BigSize`],
    [/^not minimally encoded length$/, `^${ns}\\[0\\]\\.length: non-minimal BigSize`],
    [/^(missing|value truncated)/, `^${ns}\\[0\\]\\.length: length \\d+ exceeds the \\d+ bytes remaining`],
    [/^unknown even (type|field)/, `^${ns}\\[0\\]\\.type: unknown even type`],
    [
      /^greater than encoding length/,
      `^${ns}\\.${record}(\\.\\w+)?: (a tu64 is at most 8 bytes|\\d+ unexpected trailing bytes)`,
    ],
    [/^less than encoding length/, `^${ns}\\.${record}(\\.\\w+)?: expected \\d+ bytes, got \\d+$`],
    [/^encoding for .* is not minimal$/, `^${ns}\\.tlv1\\.amount_msat: non-minimal tu64: leading zero byte$`],
    [/is not a valid point\.$/, `^${ns}\\.tlv3\\.node_id: not a compressed point`],
    [/invalid ordering$/, `^${ns}\\[1\\]\\.type: type \\d+ after type \\d+: types must strictly increase$`],
    [/^duplicate TLV type/, `^${ns}\\[1\\]\\.type: duplicate type \\d+$`],
  ];
  const rule = rules.find(([pattern]) => pattern.test(reason));
  if (rule === undefined) throw new Error(`no failure pattern for reason ${JSON.stringify(reason)}`);
  return new RegExp(rule[1]);
}

function title(c: TlvCase, ns: NamespaceName): string {
  const printed =
    c.stream_as_printed.length > 40 ? `${c.stream_as_printed.slice(0, 40)}...` : c.stream_as_printed;
  return `${c.section}: ${printed} in ${ns} (${c.reason ?? c.explanation ?? 'known records'})`;
}

const perNamespace = (cases: TlvCase[]) =>
  cases.flatMap((c) => namespacesOf(c).map((ns) => [title(c, ns), c, ns] as const));

const validCases = vectors.cases.filter((c) => c.valid);
const invalidCases = vectors.cases.filter((c) => !c.valid);

describe('TLV spec vectors (BOLT 1 Appendix B)', () => {
  it('has the vectors the spec prints', () => {
    expect(vectors.cases).toHaveLength(57);
    expect(validCases).toHaveLength(19);
    expect(invalidCases).toHaveLength(38);
  });

  it.each(perNamespace(validCases))('decodes %s', (_title, c, ns) => {
    const bytes = fromHex(c.stream);
    const decoded = decodeTlvs(namespaces[ns], bytes, ns);
    expect(decoded.values).toEqual(expectedValues(ns, c.decoded ?? {}));
    if (c.namespace === 'any') expect(decoded.unknown).toEqual(decodeTlvStream(bytes, ns));
    if (c.decoded?.['tlv2'] !== undefined) {
      const scid = (decoded.values['tlv2'] as { scid: ShortChannelId }).scid;
      expect(shortChannelIdToU64(scid, 'scid')).toBe(BigInt(c.decoded['tlv2']['scid_u64'] as number));
      expect(formatShortChannelId(scid, 'scid')).toBe(c.decoded['tlv2']['scid']);
    }
    expect(toHex(encodeTlvs(namespaces[ns], decoded.values, ns, decoded.unknown))).toBe(c.stream);
  });

  it.each(perNamespace(invalidCases))('rejects %s', (_title, c, ns) => {
    const decode = () => decodeTlvs(namespaces[ns], fromHex(c.stream), ns);
    expect(decode).toThrow(DecodeError);
    expect(decode).toThrow(failurePattern(c.reason!, ns));
  });
});

/** The first position named in a framing error, or undefined when the error names a known record. */
function failedRecordIndex(error: unknown, ns: NamespaceName): number | undefined {
  const match = new RegExp(`^${ns}\\[(\\d+)\\]`).exec((error as Error).message);
  return match === null ? undefined : Number(match[1]);
}

function typesOf(stream: string): bigint[] {
  return decodeTlvStream(fromHex(stream), 'stream').map((r) => r.type);
}

describe('TLV composition rules (BOLT 1 Appendix B)', () => {
  it('are the two the spec states', () => {
    expect(vectors.composition_rules).toHaveLength(2);
  });

  // Appending an invalid stream to a valid one fails, and at or after the appended records.
  const invalidAppended = (['n1', 'n2'] as const).flatMap((ns) => {
    const prefixes = validCases.filter((c) => c.stream !== '' && namespacesOf(c).includes(ns));
    return [prefixes[0]!, prefixes.at(-1)!].flatMap((prefix) =>
      invalidCases
        .filter((c) => namespacesOf(c).includes(ns))
        .map((c) => [`${prefix.stream} + ${c.stream.slice(0, 24)} in ${ns}`, prefix, c, ns] as const),
    );
  });

  it.each(invalidAppended)('rejects valid + invalid: %s', (_title, prefix, invalid, ns) => {
    const bytes = fromHex(prefix.stream + invalid.stream);
    let caught: unknown;
    try {
      decodeTlvs(namespaces[ns], bytes, ns);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DecodeError);
    const index = failedRecordIndex(caught, ns);
    if (index !== undefined) expect(index).toBeGreaterThanOrEqual(typesOf(prefix.stream).length);
  });

  // Appending a valid stream whose types are all higher succeeds and decodes to the union.
  const higherAppended = (['n1', 'n2'] as const).flatMap((ns) => {
    const oneStreamPerType = new Map<bigint, TlvCase>();
    for (const c of validCases) {
      if (c.stream !== '' && namespacesOf(c).includes(ns)) oneStreamPerType.set(typesOf(c.stream)[0]!, c);
    }
    const streams = [...oneStreamPerType.values()];
    return streams.flatMap((low) =>
      streams
        .filter((high) => typesOf(low.stream).at(-1)! < typesOf(high.stream)[0]!)
        .map((high) => [`${low.stream} + ${high.stream} in ${ns}`, low, high, ns] as const),
    );
  });

  it.each(higherAppended)('accepts lower + higher: %s', (_title, low, high, ns) => {
    const separately = [low, high].map((c) => decodeTlvs(namespaces[ns], fromHex(c.stream), ns));
    const together = decodeTlvs(namespaces[ns], fromHex(low.stream + high.stream), ns);
    expect(together.values).toEqual({ ...separately[0]!.values, ...separately[1]!.values });
    expect(together.unknown).toEqual([...separately[0]!.unknown, ...separately[1]!.unknown]);
  });
});

describe('TLV record level', () => {
  it('splits a stream into records without interpreting them', () => {
    expect(decodeTlvStream(fromHex('0100' + '0203aabbcc' + 'fd0100' + '00'), 'tlvs')).toEqual([
      { type: 1n, value: new Uint8Array(0) },
      { type: 2n, value: fromHex('aabbcc') },
      { type: 0x100n, value: new Uint8Array(0) },
    ]);
  });

  it('accepts even types: parity is for the namespace level', () => {
    expect(decodeTlvStream(fromHex('1200'), 'tlvs')).toEqual([{ type: 0x12n, value: new Uint8Array(0) }]);
  });

  it('names the record position in framing errors', () => {
    expect(() => decodeTlvStream(fromHex('0100' + '03fd0001'), 'open_channel.tlvs')).toThrow(
      new DecodeError(
        'open_channel.tlvs[1].length',
        'non-minimal BigSize encoding: 1 written with marker 0xfd',
      ),
    );
    expect(() => decodeTlvStream(fromHex('0100' + '0302aa'), 'open_channel.tlvs')).toThrow(
      new DecodeError('open_channel.tlvs[1].length', 'length 2 exceeds the 1 bytes remaining'),
    );
  });

  it('rejects a length above 2^53 without losing precision', () => {
    expect(() => decodeTlvStream(fromHex('01ffffffffffffffffff00'), 'tlvs')).toThrow(
      new DecodeError('tlvs[0].length', 'length 18446744073709551615 exceeds the 1 bytes remaining'),
    );
  });

  it('encodes records sorted by type', () => {
    const records: TlvRecord[] = [
      { type: 0x1_0000_0001n, value: fromHex('01') },
      { type: 3n, value: new Uint8Array(0) },
      { type: 0xfdn, value: fromHex('aabb') },
    ];
    expect(toHex(encodeTlvStream(records, 'tlvs'))).toBe('0300' + 'fd00fd02aabb' + 'ff00000001000000010101');
  });

  it('round-trips any set of records with distinct types', () => {
    const record = fc.record({
      type: fc.bigInt({ min: 0n, max: U64_MAX }),
      value: fc.uint8Array({ maxLength: 300 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(record, { selector: (r) => r.type, maxLength: 8 }), (records) => {
        const sorted = [...records].sort((a, b) => (a.type < b.type ? -1 : 1));
        expect(decodeTlvStream(encodeTlvStream(records, 'tlvs'), 'tlvs')).toEqual(sorted);
      }),
    );
  });

  it('refuses duplicate types when encoding, naming both records', () => {
    const records = [
      { type: 5n, value: fromHex('01') },
      { type: 7n, value: fromHex('02') },
      { type: 5n, value: fromHex('03') },
    ];
    expect(() => encodeTlvStream(records, 'tlvs')).toThrow(
      new ValidationError('tlvs[2].type', 'duplicate type 5 (also tlvs[0])'),
    );
  });

  it.each([
    ['a negative type', { type: -1n, value: new Uint8Array(0) }, /^tlvs\[0\]\.type: expected an integer in/],
    [
      'a type of 2^64',
      { type: 1n << 64n, value: new Uint8Array(0) },
      /^tlvs\[0\]\.type: expected an integer in/,
    ],
    ['a number type', { type: 1, value: new Uint8Array(0) }, /^tlvs\[0\]\.type: expected an integer in/],
    ['a non-byte value', { type: 1n, value: 'aa' }, /^tlvs\[0\]\.value: expected bytes, got string$/],
    ['null', null, /^tlvs\[0\]: expected a record, got null$/],
  ])('refuses to encode %s', (_name, record, message) => {
    expect(() => encodeTlvStream([record as unknown as TlvRecord], 'tlvs')).toThrow(ValidationError);
    expect(() => encodeTlvStream([record as unknown as TlvRecord], 'tlvs')).toThrow(message);
  });

  it('refuses to decode something that is not bytes', () => {
    expect(() => decodeTlvStream('0100' as unknown as Uint8Array, 'tlvs')).toThrow(
      new ValidationError('tlvs', 'expected bytes, got string'),
    );
  });

  it('concatenated streams with increasing types are one stream', () => {
    const a = encodeTlvStream([{ type: 1n, value: fromHex('01') }], 'a');
    const b = encodeTlvStream([{ type: 3n, value: fromHex('03') }], 'b');
    expect(decodeTlvStream(concatBytes(a, b), 'ab').map((r) => r.type)).toEqual([1n, 3n]);
  });
});

describe('TLV namespaces', () => {
  // How a BOLT 2 message declares its TLVs (open_channel's, plus a struct-valued record).
  const openChannelTlvs = tlvNamespace('open_channel_tlvs', {
    upfront_shutdown_script: tlv(0n, remainingBytes),
    channel_type: tlv(1n, remainingBytes),
    payment: tlv(0x10001n, struct({ cltv_delta: u16, amount_msat: tu64 })),
  });

  it('decodes to typed values and keeps unknown odd records', () => {
    const bytes = fromHex('0000' + '0102' + '1000' + '05' + '01aa' + 'fe0001000104' + '0090' + '0201');
    const { values, unknown } = decodeTlvs(openChannelTlvs, bytes, 'open_channel.tlvs');
    const script: Uint8Array | undefined = values.upfront_shutdown_script;
    const cltvDelta: number | undefined = values.payment?.cltv_delta;
    const amount: bigint | undefined = values.payment?.amount_msat;
    expect(script).toEqual(new Uint8Array(0));
    expect(values.channel_type).toEqual(fromHex('1000'));
    expect(cltvDelta).toBe(0x90);
    expect(amount).toBe(0x0201n);
    expect(unknown).toEqual([{ type: 5n, value: fromHex('aa') }]);
    expect(toHex(encodeTlvs(openChannelTlvs, values, 'open_channel.tlvs', unknown))).toBe(toHex(bytes));
  });

  it('leaves out records whose value is undefined', () => {
    const bytes = encodeTlvs(
      openChannelTlvs,
      { upfront_shutdown_script: undefined, channel_type: fromHex('01') },
      'open_channel.tlvs',
    );
    expect(toHex(bytes)).toBe('010101');
  });

  it('checks value types at compile time, and at run time for untyped callers', () => {
    const encode = () =>
      // @ts-expect-error amount_msat is a bigint
      encodeTlvs(openChannelTlvs, { payment: { cltv_delta: 1, amount_msat: 1 } }, 'tlvs');
    expect(encode).toThrow(/^tlvs\.payment\.amount_msat: expected a tu64 in/);
  });

  it('names the record when a known value is malformed', () => {
    expect(() => decodeTlvs(openChannelTlvs, fromHex('fe0001000103000100'), 'open_channel.tlvs')).toThrow(
      new DecodeError('open_channel.tlvs.payment.amount_msat', 'non-minimal tu64: leading zero byte'),
    );
    expect(() => decodeTlvs(openChannelTlvs, fromHex('fe000100010100'), 'open_channel.tlvs')).toThrow(
      new DecodeError('open_channel.tlvs.payment.cltv_delta', 'expected 2 bytes, got 1'),
    );
  });

  it('rejects an unknown even record naming its position', () => {
    expect(() => decodeTlvs(openChannelTlvs, fromHex('0100' + '0400'), 'open_channel.tlvs')).toThrow(
      new DecodeError(
        'open_channel.tlvs[1].type',
        'unknown even type 4 in open_channel_tlvs: the sender requires it to be understood',
      ),
    );
  });

  it('refuses unknown records that are even or shadow a known type', () => {
    expect(() =>
      encodeTlvs(openChannelTlvs, {}, 'open_channel.tlvs', [{ type: 6n, value: new Uint8Array(0) }]),
    ).toThrow(new ValidationError('open_channel.tlvs.unknown[0].type', 'unknown type 6 is even'));
    expect(() =>
      encodeTlvs(openChannelTlvs, {}, 'open_channel.tlvs', [{ type: 1n, value: new Uint8Array(0) }]),
    ).toThrow(
      new ValidationError(
        'open_channel.tlvs.unknown[0].type',
        'type 1 is open_channel_tlvs.channel_type; pass it as a value',
      ),
    );
    expect(() =>
      encodeTlvs(openChannelTlvs, {}, 'open_channel.tlvs', [
        { type: 7n, value: new Uint8Array(0) },
        { type: 7n, value: new Uint8Array(0) },
      ]),
    ).toThrow(
      new ValidationError(
        'open_channel.tlvs.unknown[1].type',
        'duplicate type 7 (also open_channel.tlvs.unknown[0])',
      ),
    );
  });

  it('refuses values for names the namespace does not have', () => {
    expect(() =>
      encodeTlvs(openChannelTlvs, { shutdown: new Uint8Array(0) } as never, 'open_channel.tlvs'),
    ).toThrow(new ValidationError('open_channel.tlvs.shutdown', 'not a type of open_channel_tlvs'));
    expect(() => encodeTlvs(openChannelTlvs, null as never, 'open_channel.tlvs')).toThrow(ValidationError);
  });

  it('refuses a declaration with a repeated or out-of-range type', () => {
    expect(() => tlvNamespace('n', { a: tlv(1n, u64), b: tlv(1n, u16) })).toThrow(
      new ValidationError('n.b.type', 'type 1 is already n.a'),
    );
    expect(() => tlvNamespace('n', { a: tlv(-1n, u64) })).toThrow(/^n\.a\.type: expected an integer in/);
    expect(() => tlvNamespace('n', { a: tlv(1n, undefined as never) })).toThrow(
      new ValidationError('n.a.codec', 'expected a codec'),
    );
    expect(() => tlvNamespace('n', { a: null as never })).toThrow(ValidationError);
  });
});
