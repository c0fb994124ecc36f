/**
 * Normal operation, BOLT 2 "Normal Operation" (02-peer-protocol.md): adding HTLCs
 * (`update_add_htlc`), removing them (`update_fulfill_htlc`, `update_fail_htlc`,
 * `update_fail_malformed_htlc`), changing the fee (`update_fee`), and committing to the changes
 * (`commitment_signed`, answered by `revoke_and_ack`).
 *
 * The onion packet and the failure `reason` are BOLT 4's and stay opaque bytes here. Rules about
 * values (the BADONION bit of `failure_code`, HTLC limits, fee rates) are the channel state
 * machine's, since the spec answers them by failing the channel.
 */
import {
  amountMsat,
  channelId,
  fixedBytes,
  sha256,
  signature,
  struct,
  u16,
  u32,
  u64,
} from '../fundamental.js';
import { tlv } from '../tlv.js';
import { type MessageOf, defineMessage } from './message.js';
import { curvePoint, u16Bytes, u16List } from './types.js';

/** BOLT 4: version byte, 33-byte public key, 1300 bytes of hop payloads, 32-byte HMAC. */
export const ONION_PACKET_LENGTH = 1366;

/** Which HTLC of the channel: the sender's counter, starting at 0. */
const id = u64;
/** A payment preimage or per-commitment secret: 32 bytes that hash (or derive) to a commitment. */
const secret = fixedBytes(32);

export const updateAddHtlcMessage = defineMessage(
  128,
  'update_add_htlc',
  {
    channelId,
    id,
    amountMsat,
    paymentHash: sha256,
    cltvExpiry: u32,
    onionRoutingPacket: fixedBytes(ONION_PACKET_LENGTH),
  },
  {
    /** Set when the HTLC is inside a blinded path: the key that unblinds this hop's onion payload. */
    blindedPath: tlv(0n, struct({ pathKey: curvePoint })),
  },
);

export const updateFulfillHtlcMessage = defineMessage(130, 'update_fulfill_htlc', {
  channelId,
  id,
  paymentPreimage: secret,
});

export const updateFailHtlcMessage = defineMessage(131, 'update_fail_htlc', {
  channelId,
  id,
  reason: u16Bytes,
});

export const updateFailMalformedHtlcMessage = defineMessage(135, 'update_fail_malformed_htlc', {
  channelId,
  id,
  sha256OfOnion: sha256,
  failureCode: u16,
});

export const commitmentSignedMessage = defineMessage(
  132,
  'commitment_signed',
  { channelId, signature, htlcSignatures: u16List(signature) },
  {
    /** With several funding transactions pending (splicing), which one this commitment spends. */
    fundingTxid: tlv(1n, struct({ fundingTxid: sha256 })),
  },
);

export const revokeAndAckMessage = defineMessage(133, 'revoke_and_ack', {
  channelId,
  perCommitmentSecret: secret,
  nextPerCommitmentPoint: curvePoint,
});

export const updateFeeMessage = defineMessage(134, 'update_fee', { channelId, feeratePerKw: u32 });

/** `update_add_htlc`: offers an HTLC; `id` is the sender's next HTLC id. */
export type UpdateAddHtlc = MessageOf<typeof updateAddHtlcMessage>;
/** `update_fulfill_htlc`: settles HTLC `id` with its preimage. */
export type UpdateFulfillHtlc = MessageOf<typeof updateFulfillHtlcMessage>;
/** `update_fail_htlc`: fails HTLC `id`; `reason` is the onion-encrypted failure for the payer. */
export type UpdateFailHtlc = MessageOf<typeof updateFailHtlcMessage>;
/** `update_fail_malformed_htlc`: fails HTLC `id` whose onion this node could not parse. */
export type UpdateFailMalformedHtlc = MessageOf<typeof updateFailMalformedHtlcMessage>;
/** `commitment_signed`: signs the peer's next commitment, with one signature per non-trimmed HTLC. */
export type CommitmentSigned = MessageOf<typeof commitmentSignedMessage>;
/** `revoke_and_ack`: revokes the previous commitment and gives the point for the one after next. */
export type RevokeAndAck = MessageOf<typeof revokeAndAckMessage>;
/** `update_fee`: the funder's new commitment fee rate, in satoshis per 1000 weight. */
export type UpdateFee = MessageOf<typeof updateFeeMessage>;
