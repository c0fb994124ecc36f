/**
 * One hand-written example of every wire message: the value, and its bytes written out field by
 * field from the spec's data lists (BOLT 1 and BOLT 2), independently of the codecs. Where a message
 * has TLV records, the example sets them, so both fixed fields and extension are pinned.
 */
import { fromHex } from '../../../src/bytes.js';
import type { WireMessage } from '../../../src/ln/wire/index.js';

/** Hex pieces, one per field, joined. */
const hex = (...fields: string[]) => fields.join('');
const repeat = (byteHex: string, count: number) => byteHex.repeat(count);

/** G, 2G and 3G: points certainly on the curve. */
export const G1 = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
export const G2 = '02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5';
export const G3 = '02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9';
const POINT_HEX = [G1, G2, G3, G1, G2, G3];

const CHANNEL_ID = repeat('11', 32);
const TEMP_ID = repeat('22', 32);
const HASH = repeat('33', 32);
const SIG = repeat('44', 32) + repeat('55', 32);
/** Bitcoin mainnet's genesis block hash as `chain_hash` (internal byte order). */
const MAINNET = '6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000';
const P2WPKH = '0014' + repeat('66', 20);
/** BOLT 4 layout: version, ephemeral key, 1300 bytes of hop payloads, HMAC. */
const ONION = '00' + G1 + repeat('77', 1300) + repeat('88', 32);

const b = fromHex;
const points = POINT_HEX.map((p) => b(p));

const keys = {
  fundingPubkey: points[0]!,
  revocationBasepoint: points[1]!,
  paymentBasepoint: points[2]!,
  delayedPaymentBasepoint: points[3]!,
  htlcBasepoint: points[4]!,
  firstPerCommitmentPoint: points[5]!,
};

export interface Example {
  readonly name: string;
  readonly value: WireMessage;
  readonly hex: string;
}

export const EXAMPLES: readonly Example[] = [
  {
    name: 'init with both feature fields, networks and remote_addr',
    value: {
      type: 'init',
      globalfeatures: b('0200'),
      features: b('088a52a1'),
      tlvs: { networks: { chains: [b(MAINNET)] }, remoteAddr: { data: b('017f00000109c4') } },
    },
    hex: hex('0010', '0002', '0200', '0004', '088a52a1', '01', '20', MAINNET, '03', '07', '017f00000109c4'),
  },
  {
    name: 'error with text',
    value: { type: 'error', channelId: b(CHANNEL_ID), data: b('626164207369676e6174757265') },
    hex: hex('0011', CHANNEL_ID, '000d', '626164207369676e6174757265'),
  },
  {
    name: 'warning for all channels with empty data',
    value: { type: 'warning', channelId: new Uint8Array(32), data: new Uint8Array(0) },
    hex: hex('0001', repeat('00', 32), '0000'),
  },
  {
    name: 'ping',
    value: { type: 'ping', numPongBytes: 12, ignored: new Uint8Array(4) },
    hex: hex('0012', '000c', '0004', '00000000'),
  },
  {
    name: 'pong',
    value: { type: 'pong', ignored: new Uint8Array(12) },
    hex: hex('0013', '000c', repeat('00', 12)),
  },
  {
    name: 'open_channel with upfront_shutdown_script and channel_type',
    value: {
      type: 'open_channel',
      chainHash: b(MAINNET),
      temporaryChannelId: b(TEMP_ID),
      fundingSatoshis: 1_000_000n,
      pushMsat: 5_000n,
      dustLimitSatoshis: 546n,
      maxHtlcValueInFlightMsat: 0xffff_ffff_ffff_ffffn,
      channelReserveSatoshis: 10_000n,
      htlcMinimumMsat: 1n,
      feeratePerKw: 253,
      toSelfDelay: 144,
      maxAcceptedHtlcs: 483,
      ...keys,
      channelFlags: 1,
      tlvs: {
        upfrontShutdownScript: { shutdownScriptpubkey: b(P2WPKH) },
        channelType: { type: b('101000') },
      },
    },
    hex: hex(
      '0020',
      MAINNET,
      TEMP_ID,
      '00000000000f4240',
      '0000000000001388',
      '0000000000000222',
      'ffffffffffffffff',
      '0000000000002710',
      '0000000000000001',
      '000000fd',
      '0090',
      '01e3',
      ...POINT_HEX,
      '01',
      '00',
      '16',
      P2WPKH,
      '01',
      '03',
      '101000',
    ),
  },
  {
    name: 'accept_channel with an empty upfront_shutdown_script',
    value: {
      type: 'accept_channel',
      temporaryChannelId: b(TEMP_ID),
      dustLimitSatoshis: 354n,
      maxHtlcValueInFlightMsat: 990_000_000n,
      channelReserveSatoshis: 10_000n,
      htlcMinimumMsat: 1_000n,
      minimumDepth: 3,
      toSelfDelay: 720,
      maxAcceptedHtlcs: 30,
      ...keys,
      tlvs: { upfrontShutdownScript: { shutdownScriptpubkey: new Uint8Array(0) } },
    },
    hex: hex(
      '0021',
      TEMP_ID,
      '0000000000000162',
      '000000003b023380',
      '0000000000002710',
      '00000000000003e8',
      '00000003',
      '02d0',
      '001e',
      ...POINT_HEX,
      '00',
      '00',
    ),
  },
  {
    name: 'funding_created',
    value: {
      type: 'funding_created',
      temporaryChannelId: b(TEMP_ID),
      fundingTxid: b(HASH),
      fundingOutputIndex: 1,
      signature: b(SIG),
    },
    hex: hex('0022', TEMP_ID, HASH, '0001', SIG),
  },
  {
    name: 'funding_signed',
    value: { type: 'funding_signed', channelId: b(CHANNEL_ID), signature: b(SIG) },
    hex: hex('0023', CHANNEL_ID, SIG),
  },
  {
    name: 'channel_ready with a short_channel_id alias',
    value: {
      type: 'channel_ready',
      channelId: b(CHANNEL_ID),
      secondPerCommitmentPoint: b(G2),
      tlvs: { shortChannelId: { alias: { block: 539268, txIndex: 845, outputIndex: 1 } } },
    },
    // 539268 = 0x083a84, 845 = 0x00034d.
    hex: hex('0024', CHANNEL_ID, G2, '01', '08', '083a8400034d0001'),
  },
  {
    name: 'shutdown to a P2WPKH script',
    value: { type: 'shutdown', channelId: b(CHANNEL_ID), scriptpubkey: b(P2WPKH) },
    hex: hex('0026', CHANNEL_ID, '0016', P2WPKH),
  },
  {
    name: 'closing_signed with fee_range',
    value: {
      type: 'closing_signed',
      channelId: b(CHANNEL_ID),
      feeSatoshis: 1_500n,
      signature: b(SIG),
      tlvs: { feeRange: { minFeeSatoshis: 1_000n, maxFeeSatoshis: 2_000n } },
    },
    hex: hex('0027', CHANNEL_ID, '00000000000005dc', SIG, '01', '10', '00000000000003e8', '00000000000007d0'),
  },
  {
    name: 'update_add_htlc inside a blinded path',
    value: {
      type: 'update_add_htlc',
      channelId: b(CHANNEL_ID),
      id: 7n,
      amountMsat: 100_000_000n,
      paymentHash: b(HASH),
      cltvExpiry: 800_144,
      onionRoutingPacket: b(ONION),
      tlvs: { blindedPath: { pathKey: b(G3) } },
    },
    hex: hex(
      '0080',
      CHANNEL_ID,
      '0000000000000007',
      '0000000005f5e100',
      HASH,
      '000c3590',
      ONION,
      '00',
      '21',
      G3,
    ),
  },
  {
    name: 'update_fulfill_htlc',
    value: { type: 'update_fulfill_htlc', channelId: b(CHANNEL_ID), id: 7n, paymentPreimage: b(HASH) },
    hex: hex('0082', CHANNEL_ID, '0000000000000007', HASH),
  },
  {
    name: 'update_fail_htlc',
    value: { type: 'update_fail_htlc', channelId: b(CHANNEL_ID), id: 8n, reason: b(repeat('99', 300)) },
    hex: hex('0083', CHANNEL_ID, '0000000000000008', '012c', repeat('99', 300)),
  },
  {
    name: 'update_fail_malformed_htlc with BADONION|PERM|5',
    value: {
      type: 'update_fail_malformed_htlc',
      channelId: b(CHANNEL_ID),
      id: 9n,
      sha256OfOnion: b(HASH),
      failureCode: 0xc005,
    },
    hex: hex('0087', CHANNEL_ID, '0000000000000009', HASH, 'c005'),
  },
  {
    name: 'commitment_signed with two HTLC signatures and a funding_txid',
    value: {
      type: 'commitment_signed',
      channelId: b(CHANNEL_ID),
      signature: b(SIG),
      htlcSignatures: [b(repeat('aa', 64)), b(repeat('bb', 64))],
      tlvs: { fundingTxid: { fundingTxid: b(HASH) } },
    },
    hex: hex('0084', CHANNEL_ID, SIG, '0002', repeat('aa', 64), repeat('bb', 64), '01', '20', HASH),
  },
  {
    name: 'revoke_and_ack',
    value: {
      type: 'revoke_and_ack',
      channelId: b(CHANNEL_ID),
      perCommitmentSecret: b(HASH),
      nextPerCommitmentPoint: b(G1),
    },
    hex: hex('0085', CHANNEL_ID, HASH, G1),
  },
  {
    name: 'update_fee',
    value: { type: 'update_fee', channelId: b(CHANNEL_ID), feeratePerKw: 2_500 },
    hex: hex('0086', CHANNEL_ID, '000009c4'),
  },
  {
    name: 'channel_reestablish with next_funding and my_current_funding_locked',
    value: {
      type: 'channel_reestablish',
      channelId: b(CHANNEL_ID),
      nextCommitmentNumber: 42n,
      nextRevocationNumber: 41n,
      yourLastPerCommitmentSecret: b(HASH),
      myCurrentPerCommitmentPoint: b(G2),
      tlvs: {
        nextFunding: { nextFundingTxid: b(repeat('ab', 32)), retransmitFlags: 1 },
        myCurrentFundingLocked: { myCurrentFundingLockedTxid: b(repeat('cd', 32)), retransmitFlags: 0 },
      },
    },
    hex: hex(
      '0088',
      CHANNEL_ID,
      '000000000000002a',
      '0000000000000029',
      HASH,
      G2,
      '01',
      '21',
      repeat('ab', 32),
      '01',
      '05',
      '21',
      repeat('cd', 32),
      '00',
    ),
  },
];
