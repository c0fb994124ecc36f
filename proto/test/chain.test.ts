import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { OutPointSchema, TxOutSchema } from '../src/index.js';

describe('generated vigil.common.v1 messages', () => {
  it('round-trips an OutPoint through the wire format', () => {
    const txid = Uint8Array.from({ length: 32 }, (_, i) => i);
    const bytes = toBinary(OutPointSchema, create(OutPointSchema, { txid, vout: 7 }));
    const back = fromBinary(OutPointSchema, bytes);
    expect(back.txid).toEqual(txid);
    expect(back.vout).toBe(7);
  });

  it('keeps a 64-bit satoshi value exactly', () => {
    const valueSat = 2_100_000_000_000_000n;
    const back = fromBinary(TxOutSchema, toBinary(TxOutSchema, create(TxOutSchema, { valueSat })));
    expect(back.valueSat).toBe(valueSat);
  });
});
