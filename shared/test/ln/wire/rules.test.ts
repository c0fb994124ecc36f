/**
 * The encoding rules of BOLT 1 and BOLT 2 that the codecs enforce: "it's OK to be odd" for message
 * types and extension records, length prefixes, the 65535-byte message limit, the 21 million BTC
 * cap on amounts, points on the curve, and feature bits in `init`. Each failure names its field.
 */
import { describe, expect, it } from 'vitest';
import { U64_MAX, concatBytes, fromHex, toHex } from '../../../src/bytes.js';
import { DecodeError, ValidationError } from '../../../src/errors.js';
import { MAX_AMOUNT_MSAT, MAX_AMOUNT_SAT } from '../../../src/ln/fundamental.js';
import {
  type ChannelReady,
  type ClosingSigned,
  type CommitmentSigned,
  type ErrorMessage,
  type FundingSigned,
  type OpenChannel,
  type Pong,
  type UnknownMessage,
  type UpdateAddHtlc,
  type WireMessage,
  MAX_MESSAGE_SIZE,
  combinedFeatures,
  decodeMessage,
  describeErrorData,
  encodeMessage,
} from '../../../src/ln/wire/index.js';
import { expectVigilError } from '../../helpers.js';
import { EXAMPLES } from './examples.js';

function example<T extends WireMessage>(type: T['type']): { value: T; bytes: Uint8Array } {
  const found = EXAMPLES.find((e) => e.value.type === type)!;
  return { value: found.value as T, bytes: fromHex(found.hex) };
}

const withTail = (bytes: Uint8Array, tailHex: string) => concatBytes(bytes, fromHex(tailHex));

/** A 33-byte string with a valid prefix whose x (= 5) has no y on secp256k1. */
const OFF_CURVE = fromHex('02' + '00'.repeat(31) + '05');

describe('message types: it is OK to be odd', () => {
  it('returns an unknown odd type as ignorable, with its payload', () => {
    const decoded = decodeMessage(fromHex('8001c0ffee'));
    expect(decoded).toStrictEqual({ type: 'unknown', messageType: 0x8001, payload: fromHex('c0ffee') });
    expect(toHex(encodeMessage(decoded))).toBe('8001c0ffee');
  });

  it('rejects an unknown even type', () => {
    expectVigilError(
      () => decodeMessage(fromHex('8000c0ffee')),
      DecodeError,
      'message.type',
      /unknown even type 32768/,
    );
  });

  it('rejects a message shorter than its type', () => {
    expectVigilError(
      () => decodeMessage(fromHex('00')),
      DecodeError,
      'message.type',
      'expected 2 bytes, got 1',
    );
  });

  it('will not send an unknown even type, or a known type as unknown', () => {
    const unknown = (messageType: number): UnknownMessage => ({
      type: 'unknown',
      messageType,
      payload: new Uint8Array(0),
    });
    expectVigilError(() => encodeMessage(unknown(0x8000)), ValidationError, 'message.messageType', /is even/);
    expectVigilError(
      () => encodeMessage(unknown(17)),
      ValidationError,
      'message.messageType',
      'type 17 is error',
    );
    expectVigilError(() => encodeMessage(unknown(0x10000)), ValidationError, 'message.messageType');
  });

  it('rejects a message name it does not know', () => {
    const bogus = { type: 'open_channel2' } as unknown as WireMessage;
    expectVigilError(
      () => encodeMessage(bogus),
      ValidationError,
      'message.type',
      /unknown message "open_channel2"/,
    );
  });
});

describe('extension records: it is OK to be odd', () => {
  it('keeps unknown odd records after defined ones and re-encodes them unchanged', () => {
    const { value, bytes } = example<ClosingSigned>('closing_signed');
    const extended = withTail(bytes, '0300' + 'fd4e2102abcd');
    const decoded = decodeMessage(extended) as ClosingSigned;
    expect(decoded.tlvs).toStrictEqual(value.tlvs);
    expect(decoded.unknownTlvs).toStrictEqual([
      { type: 3n, value: new Uint8Array(0) },
      { type: 0x4e21n, value: fromHex('abcd') },
    ]);
    expect(encodeMessage(decoded)).toEqual(extended);
  });

  it('keeps unknown odd records on a message that defines no records', () => {
    const { bytes } = example<FundingSigned>('funding_signed');
    const extended = withTail(bytes, '0101ff');
    const decoded = decodeMessage(extended);
    expect(decoded).not.toHaveProperty('tlvs');
    expect((decoded as FundingSigned).unknownTlvs).toStrictEqual([{ type: 1n, value: fromHex('ff') }]);
    expect(encodeMessage(decoded)).toEqual(extended);
  });

  it('rejects an unknown even record, naming it', () => {
    const { bytes } = example<FundingSigned>('funding_signed');
    expectVigilError(
      () => decodeMessage(withTail(bytes, '0101ff' + '0200')),
      DecodeError,
      'funding_signed.tlvs[1].type',
      /unknown even type 2 in funding_signed_tlvs/,
    );
  });

  it('rejects bytes after the fixed fields that are not a TLV stream', () => {
    const { bytes } = example<FundingSigned>('funding_signed');
    expectVigilError(
      () => decodeMessage(withTail(bytes, '05')),
      DecodeError,
      'funding_signed.tlvs[0].length',
    );
  });

  it('rejects records out of order', () => {
    const base = example<OpenChannel>('open_channel').bytes;
    // The example ends with records 0 then 1; append record 1 again.
    expectVigilError(
      () => decodeMessage(withTail(base, '0100')),
      DecodeError,
      'open_channel.tlvs[2].type',
      /duplicate/,
    );
  });

  it('rejects a defined record of the wrong length, naming the field', () => {
    const { value } = example<ClosingSigned>('closing_signed');
    const bytes = encodeMessage({ ...value, tlvs: {} });
    expectVigilError(
      () => decodeMessage(withTail(bytes, '0108' + '00000000000003e8')),
      DecodeError,
      'closing_signed.tlvs.feeRange.maxFeeSatoshis',
      'expected 8 bytes, got 0',
    );
  });

  it('reads the pre-TLV upfront_shutdown_script (u16 length 0) as an empty script', () => {
    const { value } = example<OpenChannel>('open_channel');
    const bare = encodeMessage({ ...value, tlvs: {} });
    const decoded = decodeMessage(withTail(bare, '0000')) as OpenChannel;
    expect(decoded.tlvs).toStrictEqual({
      upfrontShutdownScript: { shutdownScriptpubkey: new Uint8Array(0) },
    });
  });

  it('will not send an unknown even record, or a defined type as unknown', () => {
    const { value } = example<FundingSigned>('funding_signed');
    const send = (type: bigint) => () =>
      encodeMessage({ ...value, unknownTlvs: [{ type, value: new Uint8Array(0) }] });
    expectVigilError(send(2n), ValidationError, 'funding_signed.tlvs.unknown[0].type', /is even/);
    const ready = example<ChannelReady>('channel_ready').value;
    expectVigilError(
      () => encodeMessage({ ...ready, unknownTlvs: [{ type: 1n, value: new Uint8Array(8) }] }),
      ValidationError,
      'channel_ready.tlvs.unknown[0].type',
      /is channel_ready_tlvs.shortChannelId/,
    );
  });
});

describe('length-prefixed fields', () => {
  it('takes error data and shutdown scripts at the length given', () => {
    const data = fromHex('00');
    const { value } = example<ErrorMessage>('error');
    expect(decodeMessage(encodeMessage({ ...value, data }))).toStrictEqual({ ...value, data });
  });

  it('rejects a length longer than what follows', () => {
    const { bytes } = example<ErrorMessage>('error');
    const claimsMore = Uint8Array.from(bytes);
    claimsMore[2 + 32 + 1] = 0x20; // data length 13 -> 32
    expectVigilError(() => decodeMessage(claimsMore), DecodeError, 'error.data', 'expected 32 bytes, got 13');
  });

  it('counts HTLC signatures with a u16 and names a short one', () => {
    const { bytes } = example<CommitmentSigned>('commitment_signed');
    const cut = bytes.subarray(0, 2 + 32 + 64 + 2 + 64 + 10);
    expectVigilError(
      () => decodeMessage(cut),
      DecodeError,
      'commitment_signed.htlcSignatures[1]',
      'expected 64 bytes, got 10',
    );
  });

  it('rejects a field too long for its u16 length', () => {
    const { value } = example<ErrorMessage>('error');
    expectVigilError(
      () => encodeMessage({ ...value, data: new Uint8Array(0x10000) }),
      ValidationError,
      'error.data',
      /at most 65535 bytes/,
    );
  });
});

describe('message size', () => {
  const pong = (n: number): Pong => ({ type: 'pong', ignored: new Uint8Array(n) });

  it('allows exactly 65535 bytes: a pong with 65531 bytes of padding', () => {
    expect(encodeMessage(pong(65531))).toHaveLength(MAX_MESSAGE_SIZE);
  });

  it('refuses to encode a larger message', () => {
    expectVigilError(
      () => encodeMessage(pong(65532)),
      ValidationError,
      'pong',
      /65536 bytes exceed the 65535-byte maximum/,
    );
  });

  it('refuses to decode a larger message', () => {
    const bytes = concatBytes(fromHex('0013fffc'), new Uint8Array(65532));
    expectVigilError(() => decodeMessage(bytes), DecodeError, 'message', /65536 bytes exceed/);
  });
});

describe('amounts: at most 21 million BTC', () => {
  const open = example<OpenChannel>('open_channel').value;

  it('accepts the caps themselves', () => {
    const atCap = { ...open, fundingSatoshis: MAX_AMOUNT_SAT, pushMsat: MAX_AMOUNT_MSAT };
    expect(decodeMessage(encodeMessage(atCap))).toStrictEqual(atCap);
  });

  it('rejects one more, in both directions', () => {
    expectVigilError(
      () => encodeMessage({ ...open, fundingSatoshis: MAX_AMOUNT_SAT + 1n }),
      ValidationError,
      'open_channel.fundingSatoshis',
      /exceeds the 21 million BTC cap/,
    );
    const bytes = encodeMessage(open);
    bytes.set(fromHex('1d24b2dfac520001'), 2 + 32 + 32 + 8); // push_msat
    expectVigilError(
      () => decodeMessage(bytes),
      DecodeError,
      'open_channel.pushMsat',
      /exceeds the 21 million BTC cap/,
    );
  });

  it('leaves max_htlc_value_in_flight_msat uncapped: 2^64-1 means "no limit"', () => {
    expect(open.maxHtlcValueInFlightMsat).toBe(U64_MAX);
    expect(decodeMessage(encodeMessage(open))).toStrictEqual(open);
  });
});

describe('points', () => {
  const { value, bytes } = example<OpenChannel>('open_channel');
  /** Offset of `revocation_basepoint`: type, chain hash, id, six u64, u32, two u16, funding key. */
  const revocationAt = 2 + 32 + 32 + 6 * 8 + 4 + 2 + 2 + 33;

  it('rejects a point off the curve, naming the field', () => {
    const bad = Uint8Array.from(bytes);
    bad.set(OFF_CURVE, revocationAt);
    expectVigilError(
      () => decodeMessage(bad),
      DecodeError,
      'open_channel.revocationBasepoint',
      /not a point on secp256k1/,
    );
    expectVigilError(
      () => encodeMessage({ ...value, revocationBasepoint: OFF_CURVE }),
      ValidationError,
      'open_channel.revocationBasepoint',
    );
  });

  it('rejects an uncompressed prefix', () => {
    const bad = Uint8Array.from(bytes);
    bad[revocationAt] = 0x04;
    expectVigilError(
      () => decodeMessage(bad),
      DecodeError,
      'open_channel.revocationBasepoint',
      /not a compressed point/,
    );
  });

  it('checks points inside records too', () => {
    const { value: add } = example<UpdateAddHtlc>('update_add_htlc');
    expectVigilError(
      () => encodeMessage({ ...add, tlvs: { blindedPath: { pathKey: OFF_CURVE } } }),
      ValidationError,
      'update_add_htlc.tlvs.blindedPath.pathKey',
    );
  });

  it('leaves the onion packet opaque, even with a bad ephemeral key', () => {
    const { value: add } = example<UpdateAddHtlc>('update_add_htlc');
    const onion = Uint8Array.from(add.onionRoutingPacket);
    onion.set(OFF_CURVE, 1);
    const message = { ...add, onionRoutingPacket: onion };
    expect(decodeMessage(encodeMessage(message))).toStrictEqual(message);
  });
});

describe('values handed to encodeMessage', () => {
  const { value } = example<FundingSigned>('funding_signed');

  it('must have every field', () => {
    const missing: Record<string, unknown> = { ...value };
    delete missing['signature'];
    expectVigilError(
      () => encodeMessage(missing as WireMessage),
      ValidationError,
      'funding_signed.signature',
    );
  });

  it('must have `tlvs` where the message defines records', () => {
    const ready: Record<string, unknown> = { ...example<ChannelReady>('channel_ready').value };
    delete ready['tlvs'];
    expectVigilError(() => encodeMessage(ready as WireMessage), ValidationError, 'channel_ready.tlvs');
  });

  it('must not have fields the message lacks', () => {
    const extra = { ...value, fundingTxid: new Uint8Array(32) } as unknown as WireMessage;
    expectVigilError(
      () => encodeMessage(extra),
      ValidationError,
      'funding_signed.fundingTxid',
      /not a field of funding_signed/,
    );
    const tlvs = { ...value, tlvs: {} } as unknown as WireMessage;
    expectVigilError(() => encodeMessage(tlvs), ValidationError, 'funding_signed.tlvs');
  });

  it('must have fields of the right size', () => {
    expectVigilError(
      () => encodeMessage({ ...value, signature: new Uint8Array(63) }),
      ValidationError,
      'funding_signed.signature',
      'expected 64 bytes, got 63',
    );
  });

  it('must be an object', () => {
    expectVigilError(() => encodeMessage(null as unknown as WireMessage), ValidationError, 'message');
  });
});

describe('init feature bits', () => {
  it('combines globalfeatures into features, right-aligned', () => {
    expect(toHex(combinedFeatures({ globalfeatures: fromHex('2200'), features: fromHex('08000a') }))).toBe(
      '08220a',
    );
    expect(toHex(combinedFeatures({ globalfeatures: fromHex(''), features: fromHex('') }))).toBe('');
  });

  it('keeps both fields exactly as sent, unpadded or not minimal', () => {
    const init: WireMessage = {
      type: 'init',
      globalfeatures: fromHex('0000'),
      features: fromHex('00000102'),
      tlvs: {},
    };
    expect(toHex(encodeMessage(init))).toBe('0010' + '00020000' + '000400000102');
    expect(decodeMessage(encodeMessage(init))).toStrictEqual(init);
  });

  it('rejects a networks record that is not whole chain hashes', () => {
    const bytes = fromHex('0010' + '0000' + '0000' + '0121' + 'aa'.repeat(33));
    expectVigilError(
      () => decodeMessage(bytes),
      DecodeError,
      'init.tlvs.networks.chains[1]',
      'expected 32 bytes, got 1',
    );
  });
});

describe('error data', () => {
  it('is shown as text when all printable ASCII', () => {
    expect(describeErrorData(fromHex('626164207369676e6174757265'))).toBe('bad signature');
  });

  it('is shown as hex otherwise, so it cannot drive a terminal or forge log lines', () => {
    expect(describeErrorData(fromHex('1b5b326a'))).toBe('hex:1b5b326a');
    expect(describeErrorData(fromHex('6f6b0a'))).toBe('hex:6f6b0a');
  });
});
