/**
 * Closing a channel, BOLT 2 "Channel Close" (02-peer-protocol.md): `shutdown` starts it and
 * `closing_signed` negotiates the fee of the closing transaction, within the `fee_range` each side
 * accepts.
 *
 * Which `scriptpubkey` forms are allowed depends on negotiated features (`option_shutdown_anysegwit`,
 * `option_simple_close`), so that check belongs to the channel state machine; here the script is
 * bytes with a u16 length.
 */
import { amountSat, channelId, signature, struct } from '../fundamental.js';
import { tlv } from '../tlv.js';
import { type MessageOf, defineMessage } from './message.js';
import { u16Bytes } from './types.js';

export const shutdownMessage = defineMessage(38, 'shutdown', { channelId, scriptpubkey: u16Bytes });

export const closingSignedMessage = defineMessage(
  39,
  'closing_signed',
  { channelId, feeSatoshis: amountSat, signature },
  {
    feeRange: tlv(1n, struct({ minFeeSatoshis: amountSat, maxFeeSatoshis: amountSat })),
  },
);

/** `shutdown`: no new HTLCs; where the sender's funds go in the closing transaction. */
export type Shutdown = MessageOf<typeof shutdownMessage>;
/** `closing_signed`: a proposed closing fee, the sender's signature for it, and the range it accepts. */
export type ClosingSigned = MessageOf<typeof closingSignedMessage>;
