/**
 * Channel establishment v1, BOLT 2 "Channel Establishment v1" (02-peer-protocol.md):
 * `open_channel`, `accept_channel`, `funding_created`, `funding_signed` and `channel_ready`.
 *
 * Only the encoding is checked here (sizes, the 21 million BTC cap on amounts, points on the
 * curve). Whether the values are acceptable (reserve against dust limit, `push_msat` against the
 * funding, `max_accepted_htlcs` at most 483, known `chain_hash`) is the channel state machine's
 * decision, because the spec answers those by failing the channel, not the connection.
 */
import {
  amountMsat,
  amountSat,
  byte,
  chainHash,
  channelId,
  fixedBytes,
  remainingBytes,
  sha256,
  shortChannelId,
  signature,
  struct,
  u16,
  u32,
  u64,
} from '../fundamental.js';
import { tlv } from '../tlv.js';
import { type MessageOf, defineMessage } from './message.js';
import { curvePoint } from './types.js';

/** A random per-peer id until the funding outpoint is known; not a `channel_id`, but the same size. */
const temporaryChannelId = fixedBytes(32);

/** The limits each side sets for the other, in the order both open and accept list them. */
const limits = {
  dustLimitSatoshis: amountSat,
  /** Not capped like an amount: nodes send 2^64-1 to mean "no limit". */
  maxHtlcValueInFlightMsat: u64,
  channelReserveSatoshis: amountSat,
  htlcMinimumMsat: amountMsat,
};

/** The sender's keys, in the order both open and accept list them. */
const keys = {
  fundingPubkey: curvePoint,
  revocationBasepoint: curvePoint,
  paymentBasepoint: curvePoint,
  delayedPaymentBasepoint: curvePoint,
  htlcBasepoint: curvePoint,
  firstPerCommitmentPoint: curvePoint,
};

/**
 * The same two records extend open and accept. `shutdown_scriptpubkey` may be empty (the sender
 * commits to no script); `channel_type` is a BOLT 9 feature bit field.
 */
const openTlvs = {
  upfrontShutdownScript: tlv(0n, struct({ shutdownScriptpubkey: remainingBytes })),
  channelType: tlv(1n, struct({ type: remainingBytes })),
};

export const openChannelMessage = defineMessage(
  32,
  'open_channel',
  {
    chainHash,
    temporaryChannelId,
    fundingSatoshis: amountSat,
    pushMsat: amountMsat,
    ...limits,
    feeratePerKw: u32,
    toSelfDelay: u16,
    maxAcceptedHtlcs: u16,
    ...keys,
    /** Bit 0 is `announce_channel`; undefined bits are kept, the receiver ignores them. */
    channelFlags: byte,
  },
  openTlvs,
);

export const acceptChannelMessage = defineMessage(
  33,
  'accept_channel',
  {
    temporaryChannelId,
    ...limits,
    minimumDepth: u32,
    toSelfDelay: u16,
    maxAcceptedHtlcs: u16,
    ...keys,
  },
  openTlvs,
);

export const fundingCreatedMessage = defineMessage(34, 'funding_created', {
  temporaryChannelId,
  fundingTxid: sha256,
  fundingOutputIndex: u16,
  signature,
});

export const fundingSignedMessage = defineMessage(35, 'funding_signed', { channelId, signature });

export const channelReadyMessage = defineMessage(
  36,
  'channel_ready',
  { channelId, secondPerCommitmentPoint: curvePoint },
  {
    /** An alias the peer may use to route to us before (or instead of) the real short channel id. */
    shortChannelId: tlv(1n, struct({ alias: shortChannelId })),
  },
);

/** `open_channel`: the funder proposes a channel, its limits for the fundee, and its keys. */
export type OpenChannel = MessageOf<typeof openChannelMessage>;
/** `accept_channel`: the fundee's limits for the funder, its keys, and the depth it waits for. */
export type AcceptChannel = MessageOf<typeof acceptChannelMessage>;
/** `funding_created`: the funding outpoint and the funder's signature of the fundee's first commitment. */
export type FundingCreated = MessageOf<typeof fundingCreatedMessage>;
/** `funding_signed`: the fundee's signature of the funder's first commitment. */
export type FundingSigned = MessageOf<typeof fundingSignedMessage>;
/** `channel_ready`: the funding is deep enough; the next per-commitment point, maybe an scid alias. */
export type ChannelReady = MessageOf<typeof channelReadyMessage>;
