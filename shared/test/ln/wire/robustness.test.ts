/**
 * Whatever bytes arrive, decoding either yields a message that re-encodes to exactly those bytes or
 * throws a DecodeError naming the field (BOLT 1: a message too short for its contents, or with an
 * invalid extension, closes the connection; the caller must be able to say why). No other exception
 * may escape: a TypeError or RangeError would mean a parser read past what it checked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/bytes.js';
import { DecodeError } from '../../../src/errors.js';
import { MESSAGE_TYPE, type WireMessage, decodeMessage, encodeMessage } from '../../../src/ln/wire/index.js';
import { EXAMPLES } from './examples.js';
import { anyMessage } from './generators.js';

/** `<message>.<field>...`, `<message>.tlvs[i].type`, `message.type` or `message`. */
const FIELD_PATH = /^[a-z_]+(\.[A-Za-z][A-Za-z0-9]*|\[\d+\])*$/;

/** Decodes `bytes`; on success the value must re-encode to them, on failure the error must name a field. */
function decodeOrExplain(bytes: Uint8Array): 'decoded' | 'rejected' {
  let decoded: ReturnType<typeof decodeMessage>;
  try {
    decoded = decodeMessage(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as DecodeError).field).toMatch(FIELD_PATH);
    return 'rejected';
  }
  expect(encodeMessage(decoded)).toEqual(bytes);
  return 'decoded';
}

/** The message's encoding without its extension: every shorter prefix lacks a fixed field. */
function fixedLength(message: WireMessage): number {
  const bare: Record<string, unknown> = { ...message };
  delete bare['unknownTlvs'];
  if ('tlvs' in bare) bare['tlvs'] = {};
  return encodeMessage(bare as WireMessage).length;
}

function expectPrefixesRejectedOrExact(message: WireMessage): void {
  const bytes = encodeMessage(message);
  const fixed = fixedLength(message);
  for (let length = 0; length < bytes.length; length++) {
    const outcome = decodeOrExplain(bytes.subarray(0, length));
    if (length < fixed) expect(outcome, `prefix of ${length} bytes`).toBe('rejected');
  }
}

describe('truncated messages', () => {
  it.each(EXAMPLES.map((e) => [e.name, e] as const))('every prefix of %s', (_name, example) => {
    expectPrefixesRejectedOrExact(example.value);
  });

  it('every prefix of generated messages', () => {
    fc.assert(fc.property(anyMessage, expectPrefixesRejectedOrExact), { numRuns: 40 });
  });

  it('names the field that ran out', () => {
    const updateAdd = EXAMPLES.find((e) => e.value.type === 'update_add_htlc')!;
    // type (2) + channel_id (32) + id (8) + 3 bytes of amount_msat.
    const cut = fromHex(updateAdd.hex).subarray(0, 2 + 32 + 8 + 3);
    expect(() => decodeMessage(cut)).toThrow('update_add_htlc.amountMsat: expected 8 bytes, got 3');
  });
});

describe('garbage', () => {
  const knownTypes = Object.values(MESSAGE_TYPE);

  it('random payloads under every known type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...knownTypes), fc.uint8Array({ maxLength: 1500 }), (type, payload) => {
        decodeOrExplain(Uint8Array.of(type >> 8, type & 0xff, ...payload));
      }),
      { numRuns: 400 },
    );
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        decodeOrExplain(bytes);
      }),
      { numRuns: 400 },
    );
  });

  it('valid messages with bytes overwritten, appended or removed', () => {
    const mutation = fc.record({
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
      kind: fc.constantFrom('overwrite', 'insert', 'delete'),
    });
    fc.assert(
      fc.property(anyMessage, fc.array(mutation, { minLength: 1, maxLength: 3 }), (message, mutations) => {
        let bytes = encodeMessage(message);
        for (const { at, bytes: b, kind } of mutations)
          bytes = mutate(bytes, at % (bytes.length + 1), b, kind);
        decodeOrExplain(bytes);
      }),
      { numRuns: 400 },
    );
  });
});

function mutate(bytes: Uint8Array, at: number, with_: Uint8Array, kind: string): Uint8Array {
  const before = bytes.subarray(0, at);
  switch (kind) {
    case 'overwrite':
      return Uint8Array.from([...before, ...with_, ...bytes.subarray(at + with_.length)]);
    case 'insert':
      return Uint8Array.from([...before, ...with_, ...bytes.subarray(at)]);
    default:
      return Uint8Array.from([...before, ...bytes.subarray(at + with_.length)]);
  }
}
