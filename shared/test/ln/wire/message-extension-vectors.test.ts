/**
 * BOLT 1 "Appendix C: Message Extension" (01-messaging.md): `init` messages whose extension is
 * absent, made of unknown odd records (valid), or truncated, holding an unknown even record, or
 * repeating a type (invalid).
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/bytes.js';
import { DecodeError } from '../../../src/errors.js';
import { type Init, decodeMessage, encodeMessage } from '../../../src/ln/wire/index.js';
import { loadVectors } from '../../vectors.js';

interface ExtensionCase {
  message: string;
  valid: boolean;
  description: string;
}

const vectors = loadVectors<{ base_message: string; cases: ExtensionCase[] }>(
  'bolt01-message-extension.json',
);

/** Where each invalid case must fail: the extension's first or second record, and why. */
const FAILURES: Record<string, RegExp> = {
  '00100000000001': /^init\.tlvs\[0\]\.length: expected a BigSize, got end of input$/,
  '001000000000ca012a': /^init\.tlvs\[0\]\.type: unknown even type 202 in init_tlvs/,
  '001000000000c90101c90102': /^init\.tlvs\[1\]\.type: duplicate type 201$/,
};

describe('message extension vectors (BOLT 1 Appendix C)', () => {
  it('has the five cases the spec prints', () => {
    expect(vectors.cases).toHaveLength(5);
  });

  it.each(vectors.cases.filter((c) => c.valid).map((c) => [c.description, c] as const))(
    'accepts: %s',
    (_description, c) => {
      const decoded = decodeMessage(fromHex(c.message)) as Init;
      expect(decoded.type).toBe('init');
      expect(decoded.globalfeatures).toEqual(new Uint8Array(0));
      expect(decoded.features).toEqual(new Uint8Array(0));
      expect(decoded.tlvs).toEqual({});
      const extension = fromHex(c.message).subarray(fromHex(vectors.base_message).length);
      expect((decoded.unknownTlvs ?? []).map((r) => Number(r.type))).toEqual(
        extension.length === 0 ? [] : [0xc9, 0xcb],
      );
      // The records the node does not understand are sent on unchanged.
      expect(toHex(encodeMessage(decoded))).toBe(c.message);
    },
  );

  it.each(vectors.cases.filter((c) => !c.valid).map((c) => [c.description, c] as const))(
    'rejects: %s',
    (_description, c) => {
      const decode = () => decodeMessage(fromHex(c.message));
      expect(decode).toThrow(DecodeError);
      expect(decode).toThrow(FAILURES[c.message]!);
    },
  );
});
