/**
 * Every BOLT 1 and BOLT 2 message round-trips: hand-written examples against bytes written out from
 * the spec, and generated values both ways (decode(encode(x)) equals x, encode(decode(b)) is b).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/bytes.js';
import {
  MESSAGE_TYPE,
  type WireMessageName,
  decodeMessage,
  encodeMessage,
} from '../../../src/ln/wire/index.js';
import { EXAMPLES } from './examples.js';
import { MESSAGE_ARBITRARIES } from './generators.js';

describe('hand-written examples', () => {
  it('cover every message', () => {
    expect(new Set(EXAMPLES.map((e) => e.value.type))).toEqual(new Set(Object.keys(MESSAGE_TYPE)));
  });

  it.each(EXAMPLES.map((e) => [e.name, e] as const))('%s: decodes to the value', (_name, example) => {
    expect(decodeMessage(fromHex(example.hex))).toStrictEqual(example.value);
  });

  it.each(EXAMPLES.map((e) => [e.name, e] as const))('%s: encodes to the bytes', (_name, example) => {
    expect(toHex(encodeMessage(example.value))).toBe(example.hex);
  });
});

describe('type numbers', () => {
  // BOLT 1 and BOLT 2 as printed: these numbers are the wire format, so a typo must fail loudly.
  const expected: Record<WireMessageName, number> = {
    warning: 1,
    init: 16,
    error: 17,
    ping: 18,
    pong: 19,
    open_channel: 32,
    accept_channel: 33,
    funding_created: 34,
    funding_signed: 35,
    channel_ready: 36,
    shutdown: 38,
    closing_signed: 39,
    update_add_htlc: 128,
    update_fulfill_htlc: 130,
    update_fail_htlc: 131,
    commitment_signed: 132,
    revoke_and_ack: 133,
    update_fee: 134,
    update_fail_malformed_htlc: 135,
    channel_reestablish: 136,
  };

  it('match the spec', () => {
    expect(MESSAGE_TYPE).toEqual(expected);
  });
});

describe('generated messages round-trip', () => {
  it.each(Object.entries(MESSAGE_ARBITRARIES))('%s', (name, arbitrary) => {
    fc.assert(
      fc.property(arbitrary, (message) => {
        const bytes = encodeMessage(message);
        expect(bytes[0]! * 256 + bytes[1]!).toBe(MESSAGE_TYPE[name as WireMessageName]);
        const decoded = decodeMessage(bytes);
        expect(decoded).toStrictEqual(message);
        expect(encodeMessage(decoded)).toEqual(bytes);
      }),
      { numRuns: 60 },
    );
  });
});
