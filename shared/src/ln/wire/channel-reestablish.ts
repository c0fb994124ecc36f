/**
 * Reconnection, BOLT 2 "Message Retransmission" (02-peer-protocol.md): `channel_reestablish`
 * tells the peer which commitment and revocation this node expects next and proves, with the last
 * per-commitment secret it received, how far the peer's state had gone.
 *
 * Its records resume funding that was interrupted by the disconnection: `next_funding` names an
 * interactive funding (or splice) transaction still being signed, `my_current_funding_locked` the
 * latest funding transaction this node considers locked. Bit 0 of a `retransmit_flags` asks for a
 * retransmission (`commitment_signed` for `next_funding`, `announcement_signatures` for
 * `my_current_funding_locked`).
 */
import { byte, channelId, fixedBytes, sha256, struct, u64 } from '../fundamental.js';
import { tlv } from '../tlv.js';
import { type MessageOf, defineMessage } from './message.js';
import { curvePoint } from './types.js';

export const channelReestablishMessage = defineMessage(
  136,
  'channel_reestablish',
  {
    channelId,
    nextCommitmentNumber: u64,
    nextRevocationNumber: u64,
    /** All zeroes when no secret has been received yet. */
    yourLastPerCommitmentSecret: fixedBytes(32),
    myCurrentPerCommitmentPoint: curvePoint,
  },
  {
    nextFunding: tlv(1n, struct({ nextFundingTxid: sha256, retransmitFlags: byte })),
    myCurrentFundingLocked: tlv(5n, struct({ myCurrentFundingLockedTxid: sha256, retransmitFlags: byte })),
  },
);

/** `channel_reestablish`: where this node's view of the channel stands after a reconnection. */
export type ChannelReestablish = MessageOf<typeof channelReestablishMessage>;
