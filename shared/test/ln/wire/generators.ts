/**
 * fast-check generators for every wire message, written from the spec's field lists (BOLT 1 and
 * BOLT 2) rather than from the codecs, so the round-trip properties test the definitions against
 * an independent description.
 */
import fc from 'fast-check';
import { U16_MAX, U32_MAX, U64_MAX } from '../../../src/bytes.js';
import { pubkeyFromPrivkey } from '../../../src/bitcoin/secp256k1.js';
import { MAX_AMOUNT_MSAT, MAX_AMOUNT_SAT, type ShortChannelId } from '../../../src/ln/fundamental.js';
import type { TlvRecord } from '../../../src/ln/tlv.js';
import { ONION_PACKET_LENGTH, type WireMessage, type WireMessageName } from '../../../src/ln/wire/index.js';

/** Plain objects, as decoding returns: fast-check would otherwise make some with a null prototype. */
function record<T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

/** The same, with every key optional (TLV records are each present or absent). */
function someOf(model: Fields): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(model, { noNullPrototype: true, requiredKeys: [] });
}

type Fields = Record<string, fc.Arbitrary<unknown>>;

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });

/** Valid points are costly to find at random, so properties draw from a few real public keys. */
export const POINTS: readonly Uint8Array[] = Array.from({ length: 8 }, (_, i) => {
  const privkey = new Uint8Array(32);
  privkey[31] = i + 1;
  return pubkeyFromPrivkey(privkey);
});

const arb = {
  byte: fc.integer({ min: 0, max: 0xff }),
  u16: fc.integer({ min: 0, max: U16_MAX }),
  u32: fc.integer({ min: 0, max: U32_MAX }),
  u64: fc.bigInt({ min: 0n, max: U64_MAX }),
  sat: fc.bigInt({ min: 0n, max: MAX_AMOUNT_SAT }),
  msat: fc.bigInt({ min: 0n, max: MAX_AMOUNT_MSAT }),
  hash: bytes(32),
  signature: bytes(64),
  point: fc.constantFrom(...POINTS),
  /** Variable-length data; short, so a property run stays fast. */
  data: fc.uint8Array({ maxLength: 80 }),
  scid: record<ShortChannelId>({
    block: fc.integer({ min: 0, max: 0xff_ffff }),
    txIndex: fc.integer({ min: 0, max: 0xff_ffff }),
    outputIndex: fc.integer({ min: 0, max: 0xffff }),
  }),
};

/** Odd records of types the message does not define, in increasing order; absent when none. */
function unknownTlvs(known: readonly bigint[]): fc.Arbitrary<{ unknownTlvs?: readonly TlvRecord[] }> {
  const tlvRecord = record({
    type: fc
      .oneof(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: U64_MAX }))
      .map((t) => t | 1n),
    value: fc.uint8Array({ maxLength: 20 }),
  });
  return fc
    .uniqueArray(tlvRecord, { selector: (r) => r.type, maxLength: 3 })
    .map((records) =>
      records.filter((r) => !known.includes(r.type)).sort((a, b) => (a.type < b.type ? -1 : 1)),
    )
    .map((records) => (records.length > 0 ? { unknownTlvs: records } : {}));
}

/** A message from its field generators, its optional records' generators and their type numbers. */
function message(
  type: WireMessageName,
  fields: Fields,
  tlvs?: { readonly records: Fields; readonly types: readonly bigint[] },
): fc.Arbitrary<WireMessage> {
  const tlvPart = tlvs === undefined ? fc.constant({}) : someOf(tlvs.records).map((t) => ({ tlvs: t }));
  return fc
    .tuple(record(fields), tlvPart, unknownTlvs(tlvs?.types ?? []))
    .map(([f, t, u]) => ({ type, ...f, ...t, ...u }) as WireMessage);
}

const openTlvs = {
  records: {
    upfrontShutdownScript: record({ shutdownScriptpubkey: arb.data }),
    channelType: record({ type: fc.uint8Array({ maxLength: 8 }) }),
  },
  types: [0n, 1n],
};

const limits = {
  dustLimitSatoshis: arb.sat,
  maxHtlcValueInFlightMsat: arb.u64,
  channelReserveSatoshis: arb.sat,
  htlcMinimumMsat: arb.msat,
};

const keys = {
  fundingPubkey: arb.point,
  revocationBasepoint: arb.point,
  paymentBasepoint: arb.point,
  delayedPaymentBasepoint: arb.point,
  htlcBasepoint: arb.point,
  firstPerCommitmentPoint: arb.point,
};

/** One generator per message name: the compiler checks none is missing. */
export const MESSAGE_ARBITRARIES: { readonly [N in WireMessageName]: fc.Arbitrary<WireMessage> } = {
  init: message(
    'init',
    { globalfeatures: fc.uint8Array({ maxLength: 4 }), features: fc.uint8Array({ maxLength: 12 }) },
    {
      records: {
        networks: record({ chains: fc.array(arb.hash, { maxLength: 3 }) }),
        remoteAddr: record({ data: fc.uint8Array({ maxLength: 20 }) }),
      },
      types: [1n, 3n],
    },
  ),
  error: message('error', { channelId: arb.hash, data: arb.data }),
  warning: message('warning', { channelId: arb.hash, data: arb.data }),
  ping: message('ping', { numPongBytes: arb.u16, ignored: arb.data }),
  pong: message('pong', { ignored: arb.data }),
  open_channel: message(
    'open_channel',
    {
      chainHash: arb.hash,
      temporaryChannelId: arb.hash,
      fundingSatoshis: arb.sat,
      pushMsat: arb.msat,
      ...limits,
      feeratePerKw: arb.u32,
      toSelfDelay: arb.u16,
      maxAcceptedHtlcs: arb.u16,
      ...keys,
      channelFlags: arb.byte,
    },
    openTlvs,
  ),
  accept_channel: message(
    'accept_channel',
    {
      temporaryChannelId: arb.hash,
      ...limits,
      minimumDepth: arb.u32,
      toSelfDelay: arb.u16,
      maxAcceptedHtlcs: arb.u16,
      ...keys,
    },
    openTlvs,
  ),
  funding_created: message('funding_created', {
    temporaryChannelId: arb.hash,
    fundingTxid: arb.hash,
    fundingOutputIndex: arb.u16,
    signature: arb.signature,
  }),
  funding_signed: message('funding_signed', { channelId: arb.hash, signature: arb.signature }),
  channel_ready: message(
    'channel_ready',
    { channelId: arb.hash, secondPerCommitmentPoint: arb.point },
    { records: { shortChannelId: record({ alias: arb.scid }) }, types: [1n] },
  ),
  shutdown: message('shutdown', { channelId: arb.hash, scriptpubkey: arb.data }),
  closing_signed: message(
    'closing_signed',
    { channelId: arb.hash, feeSatoshis: arb.sat, signature: arb.signature },
    { records: { feeRange: record({ minFeeSatoshis: arb.sat, maxFeeSatoshis: arb.sat }) }, types: [1n] },
  ),
  update_add_htlc: message(
    'update_add_htlc',
    {
      channelId: arb.hash,
      id: arb.u64,
      amountMsat: arb.msat,
      paymentHash: arb.hash,
      cltvExpiry: arb.u32,
      onionRoutingPacket: bytes(ONION_PACKET_LENGTH),
    },
    { records: { blindedPath: record({ pathKey: arb.point }) }, types: [0n] },
  ),
  update_fulfill_htlc: message('update_fulfill_htlc', {
    channelId: arb.hash,
    id: arb.u64,
    paymentPreimage: arb.hash,
  }),
  update_fail_htlc: message('update_fail_htlc', { channelId: arb.hash, id: arb.u64, reason: arb.data }),
  update_fail_malformed_htlc: message('update_fail_malformed_htlc', {
    channelId: arb.hash,
    id: arb.u64,
    sha256OfOnion: arb.hash,
    failureCode: arb.u16,
  }),
  commitment_signed: message(
    'commitment_signed',
    {
      channelId: arb.hash,
      signature: arb.signature,
      htlcSignatures: fc.array(arb.signature, { maxLength: 5 }),
    },
    { records: { fundingTxid: record({ fundingTxid: arb.hash }) }, types: [1n] },
  ),
  revoke_and_ack: message('revoke_and_ack', {
    channelId: arb.hash,
    perCommitmentSecret: arb.hash,
    nextPerCommitmentPoint: arb.point,
  }),
  update_fee: message('update_fee', { channelId: arb.hash, feeratePerKw: arb.u32 }),
  channel_reestablish: message(
    'channel_reestablish',
    {
      channelId: arb.hash,
      nextCommitmentNumber: arb.u64,
      nextRevocationNumber: arb.u64,
      yourLastPerCommitmentSecret: arb.hash,
      myCurrentPerCommitmentPoint: arb.point,
    },
    {
      records: {
        nextFunding: record({ nextFundingTxid: arb.hash, retransmitFlags: arb.byte }),
        myCurrentFundingLocked: record({ myCurrentFundingLockedTxid: arb.hash, retransmitFlags: arb.byte }),
      },
      types: [1n, 5n],
    },
  ),
};

/** Any known message. */
export const anyMessage: fc.Arbitrary<WireMessage> = fc.oneof(...Object.values(MESSAGE_ARBITRARIES));
