/**
 * The `init` message, BOLT 1 "The `init` Message" (01-messaging.md): the first message on every
 * connection, carrying the sender's feature bits and, in `init_tlvs`, the chains it is interested
 * in (`networks`) and the address it sees the receiver at (`remote_addr`).
 *
 * Both feature fields are kept exactly as sent (big-endian bit fields, bit 0 in the last byte) so
 * the message re-encodes unchanged; `combinedFeatures` gives the one map BOLT 1 says to act on.
 */
import { expectBytes } from '../../bytes.js';
import { ValidationError } from '../../errors.js';
import { chainHash, remainingBytes, struct } from '../fundamental.js';
import { tlv } from '../tlv.js';
import { type MessageOf, defineMessage } from './message.js';
import { remainingList, u16Bytes } from './types.js';

export const initMessage = defineMessage(
  16,
  'init',
  { globalfeatures: u16Bytes, features: u16Bytes },
  {
    networks: tlv(1n, struct({ chains: remainingList(chainHash) })),
    /** A BOLT 7 address descriptor (type byte, then address), kept as bytes. */
    remoteAddr: tlv(3n, struct({ data: remainingBytes })),
  },
);

/** `init`: feature bit fields, and optionally the chains of interest and our address as seen by the peer. */
export type Init = MessageOf<typeof initMessage>;

/**
 * The sender's features: BOLT 1 says to OR `globalfeatures` (kept for old nodes, bits 0-13) into
 * `features`. Both are right-aligned (bit 0 is the last byte's low bit), so the shorter is padded
 * on the left; the result is as long as the longer.
 */
export function combinedFeatures(init: Pick<Init, 'globalfeatures' | 'features'>): Uint8Array {
  if (typeof init !== 'object' || init === null)
    throw new ValidationError('init', 'expected an init message');
  const { globalfeatures, features } = init;
  expectBytes(globalfeatures, 'init.globalfeatures');
  expectBytes(features, 'init.features');
  const out = new Uint8Array(Math.max(globalfeatures.length, features.length));
  for (const bits of [globalfeatures, features]) {
    const offset = out.length - bits.length;
    bits.forEach((b, i) => (out[offset + i]! |= b));
  }
  return out;
}
